"""The L2 tracker: the rewards contract's events, confirmed and reorg-safe, as plain values.

::

    providers = Providers.from_urls(["https://primary…", "https://backup…"], chain_id=42161)
    tracker = Tracker(providers, TrackerConfig(42161, rewards_address))
    tracker.check_chain()                       # ChainIdMismatch on a wrong provider
    result = tracker.poll(stored_position or tracker.initial_position(deployment_block))
    # in one transaction: undo result.retracted, add result.events, store result.position

Modules: ``events`` (the values), ``decode`` and ``abi`` (logs → values, pure), ``views``
(contract reads, pure), ``position`` (the stored state), ``providers`` (JSON-RPC, failover),
``tracker`` (polling, safe height, reorgs), ``errors``. No web3 here: JSON-RPC is a few
requests, and the decoding must be fast (see ``abi``).
"""

from sesh.l2.errors import (
    AllProvidersFailed,
    ChainIdMismatch,
    ChainMoved,
    L2Error,
    MalformedAnswer,
    MalformedLog,
    ProviderError,
    ReorgTooDeep,
    SeededNodeUnreadable,
)
from sesh.l2.position import BlockRef, TrackerPosition
from sesh.l2.providers import JsonRpcProvider, L2Reader, Providers
from sesh.l2.tracker import PollResult, Tracker, TrackerConfig

__all__ = [
    "AllProvidersFailed",
    "BlockRef",
    "ChainIdMismatch",
    "ChainMoved",
    "JsonRpcProvider",
    "L2Error",
    "L2Reader",
    "MalformedAnswer",
    "MalformedLog",
    "PollResult",
    "ProviderError",
    "Providers",
    "ReorgTooDeep",
    "SeededNodeUnreadable",
    "Tracker",
    "TrackerConfig",
    "TrackerPosition",
]
