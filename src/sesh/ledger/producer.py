"""A simple local block producer: the next block from the producer's own view of the world.

Given the ledger, what its tracker saw on L2, the uptime decisions it was handed, the pool's
reward rate and (optionally) the contract's key list, it builds the block every node would
accept from it:

* votes: for each event left pending after the block's resolution step, yes if its tracker saw
  that very event (same id: an event from a block that an L2 reorg undid has another id, so it
  gets a no), and for a purge, yes if the node is still purgeable in its view;
* proposals: the tracker's events it would itself vote for, in L2 order, that are neither
  pending nor confirmed, plus a purge for every node the contract's list lacks;
* the reward rate clamped against the previous block's;
* the state hash the block results in (`resulting_state_hash`).

Production by quorums (pulse, `sesh.consensus`) fills in the timestamp, the random value and the
validator set the quorum agreed on; this is what one node proposes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from sesh.keccak import keccak256
from sesh.l2.events import L2Event, event_id
from sesh.ledger.block import Block, UptimeDecision
from sesh.ledger.purge import ACTED_ON, PendingItem, ServiceNodePurge, item_id
from sesh.ledger.records import PendingEvent, ServiceNode
from sesh.ledger.rewards import clamp_reward
from sesh.ledger.rules import still_pending
from sesh.ledger.state import BlsKey, LedgerState
from sesh.ledger.transition import resulting_state_hash


@dataclass(frozen=True, slots=True)
class PurgeView:
    """The contract's key list (`allServiceNodeIDs()`) as fetched at `l2_height`."""

    l2_height: int
    contract_keys: frozenset[BlsKey]


def is_purgeable(
    state: LedgerState, node: ServiceNode, contract_keys: Collection[BlsKey], height: int
) -> bool:
    """node.md §1.4: the list is non-empty, lacks the key, and the node is old enough."""
    return (
        bool(contract_keys)
        and node.bls_pubkey not in contract_keys
        and height - node.registration_height > state.profile.purge_min_age_blocks
    )


def compute_vote(
    state: LedgerState,
    pending: PendingEvent,
    seen: Collection[bytes],
    purge_view: PurgeView | None,
    height: int,
) -> bool:
    """The producer's vote on one pending event at block `height`."""
    item = pending.item
    if isinstance(item, ServiceNodePurge):
        if purge_view is None:
            return False
        node = state.node_by_bls(item.bls_pubkey)
        return node is not None and is_purgeable(state, node, purge_view.contract_keys, height)
    return pending.event_id in seen


def produce_block(
    state: LedgerState,
    *,
    producer: bytes,
    l2_height: int,
    pool_reward_rate: int,
    tracker_events: Iterable[L2Event] = (),
    decisions: Iterable[UptimeDecision] = (),
    purge_view: PurgeView | None = None,
    round_: int = 0,
    timestamp: int | None = None,
    random_value: bytes | None = None,
    validators: tuple[bytes, ...] = (),
) -> Block:
    """The next block as this producer sees things (see the module docstring)."""
    height = state.height + 1
    l2_height = max(l2_height, state.l2_height)
    profile = state.profile
    ids = {event_id(e): e for e in tracker_events}
    seen = ids.keys()

    votes = tuple(
        compute_vote(state, p, seen, purge_view, height)
        for p in still_pending(state.pending.values(), height, profile)
    )

    proposals: list[PendingItem] = []
    taken: set[bytes] = set()

    def propose(item: PendingItem, eid: bytes) -> None:
        if eid in taken or eid in state.pending or eid in state.confirmed:
            return
        taken.add(eid)
        proposals.append(item)

    in_l2_order = sorted(
        ids.items(), key=lambda e: (e[1].origin.block_number, e[1].origin.log_index)
    )
    for eid, event in in_l2_order:
        if (
            isinstance(event, ACTED_ON)
            and event.origin.chain_id == profile.l2_chain_id
            and event.origin.block_number <= l2_height
        ):
            propose(event, eid)
    if purge_view is not None and purge_view.l2_height <= l2_height:
        for key in sorted(state.nodes):
            node = state.nodes[key]
            if is_purgeable(state, node, purge_view.contract_keys, height):
                purge = ServiceNodePurge(profile.l2_chain_id, purge_view.l2_height, node.bls_pubkey)
                propose(purge, item_id(purge))

    reward = clamp_reward(
        pool_reward_rate,
        state.reward_window[-1],
        profile.reward_max_decrease,
        profile.reward_max_increase,
    )
    block = Block(
        height=height,
        prev_hash=state.block_hash,
        producer=producer,
        l2_height=l2_height,
        l2_reward=reward,
        events=tuple(proposals),
        votes=votes,
        decisions=tuple(decisions),
        round=round_,
        timestamp=state.timestamp + profile.block_time if timestamp is None else timestamp,
        random_value=keccak256(b"sesh.random" + state.block_hash)
        if random_value is None
        else random_value,
        validators=validators,
    )
    return seal(state, block)


def seal(state: LedgerState, block: Block) -> Block:
    """`block` with the state hash it results in on `state` (and no signatures yet)."""
    return replace(block, state_hash=resulting_state_hash(state, block))
