"""The network chain's genesis: a ledger that starts with the contract's seeded nodes.

The Session Network did not start empty: at the Landing hardfork the running Oxen nodes became
the contract's seeded nodes (`seedPublicKeyList`) and went on producing. A network chain made by
quorums needs a quorum at its first block, so its genesis state already holds the seeded set,
active and payable (they were running before the migration), as the genesis file lists them.
Their registration events are recorded as confirmed, so that the tracker reporting them later
(a node that reads L2 from before the genesis block) never has them proposed again.
The genesis hash covers that set, so two networks seeded differently never share a block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sesh.keccak import keccak256
from sesh.l2.events import NewServiceNode, event_id
from sesh.ledger.ledger import Ledger
from sesh.ledger.outcomes import Outcome
from sesh.ledger.params import NetworkProfile
from sesh.ledger.records import ConfirmedEvent
from sesh.ledger.state import CONFIRMED, ENTROPY_WINDOW, NODES
from sesh.ledger.transition import process_registration


class GenesisError(ValueError):
    """A genesis that cannot be: a seeded node the ledger cannot take (named, with the rule it
    breaks), or (``sesh.node.genesis``) a genesis file that is malformed or that the L2
    contradicts. The message is one line."""


def genesis_ledger(
    profile: NetworkProfile,
    seeded: Sequence[NewServiceNode] = (),
    *,
    height: int = 0,
    l2_height: int = 0,
    timestamp: int = 0,
    initial_reward_rate: int | None = None,
    staking_requirement: int | None = None,
) -> Ledger:
    """The ledger at genesis with every node of `seeded` registered, active and payable, and
    each of their events confirmed at `height`."""
    ledger = Ledger(
        profile,
        height=height,
        l2_height=l2_height,
        initial_reward_rate=initial_reward_rate,
        staking_requirement=staking_requirement,
        timestamp=timestamp,
    )
    if not seeded:
        return ledger
    ledger.begin_block()
    try:
        for event in seeded:
            if not event.seeded:
                raise GenesisError(f"node {event.service_node_id} is not a seeded registration")
            outcome = process_registration(ledger, event, height)
            if outcome is not Outcome.APPLIED:
                raise GenesisError(f"seeded node {event.service_node_id}: {outcome.name}")
            key = event.ed25519_pubkey.to_bytes(32, "big")
            node = ledger.nodes[key]
            ledger.put(NODES, key, replace(node, payable=True, snapshot=ledger.join()))
            eid = event_id(event)
            ledger.put(CONFIRMED, eid, ConfirmedEvent(eid, height))
    except BaseException:
        ledger.abort_block()
        raise
    ledger.commit_block()
    ledger.forget_history()
    genesis_hash = keccak256(b"sesh.ledger.genesis.seeded" + ledger.block_hash + ledger.state_hash)
    ledger.block_hash = ledger.parent_hash = genesis_hash
    ledger.entropy = (genesis_hash,) * ENTROPY_WINDOW
    ledger.state_hash = ledger.compute_state_hash()
    return ledger
