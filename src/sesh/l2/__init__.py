"""The L2 tracker: the rewards contract's events, confirmed and reorg-safe, as plain values.

::

    from sesh.l2.providers import Providers
    from sesh.l2.tracker import Tracker, TrackerConfig

    providers = Providers.from_urls(["https://primary…", "https://backup…"], chain_id=42161)
    tracker = Tracker(providers, TrackerConfig(42161, rewards_address))
    tracker.check_chain()                       # ChainIdMismatch on a wrong provider
    result = tracker.poll(stored_position or tracker.initial_position(deployment_block))
    # in one transaction: undo result.retracted, add result.events, store result.position

Modules: ``events`` (the values), ``decode`` and ``abi`` (logs → values, pure), ``views``
(contract reads, pure), ``position`` (the stored state), ``providers`` (JSON-RPC, failover),
``tracker`` (polling, safe height, reorgs), ``errors``. No web3 here: JSON-RPC is a few
requests, and the decoding must be fast (see ``abi``).

This package re-exports only its pure values (errors, positions): importing ``sesh.l2.events``
from the pure ledger must not load HTTP. Import ``sesh.l2.providers`` and ``sesh.l2.tracker``
by name where I/O is wanted.
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

__all__ = [
    "AllProvidersFailed",
    "BlockRef",
    "ChainIdMismatch",
    "ChainMoved",
    "L2Error",
    "MalformedAnswer",
    "MalformedLog",
    "ProviderError",
    "ReorgTooDeep",
    "SeededNodeUnreadable",
    "TrackerPosition",
]
