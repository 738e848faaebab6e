"""Confirmation by votes (node.md §1.3), proposals, block headers, and purges (§1.4)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sesh.l2.events import L2Origin, ServiceNodeLiquidated, event_id
from sesh.ledger import (
    DecisionKind,
    InvalidBlock,
    Outcome,
    PurgeView,
    UptimeDecision,
    ValidatorSignature,
    item_id,
    pending_events,
    seal,
)
from sesh.ledger.params import FULL_SCORE

from .conftest import CHAIN, PURGE_AGE, STAKE, Net, addr, node_keys


def test_an_event_takes_effect_five_blocks_after_inclusion() -> None:
    net = Net()
    event = net.registration(1)
    net.seen.append(event)
    included = net.step()
    assert included.proposals == (Outcome.PENDING,)
    [pending] = pending_events(net.ledger)
    assert pending.confirmations == FULL_SCORE
    for _ in range(4):
        assert net.step().resolved == ()
    resolved = net.step().resolved
    assert [(r.event_id, r.outcome, r.confirmed) for r in resolved] == [
        (event_id(event), Outcome.APPLIED, True)
    ]
    assert net.ledger.height == included.height + 5
    assert node_keys(1).pubkey in net.ledger.nodes


def test_an_event_undone_by_an_l2_reorg_is_denied_and_its_replacement_confirmed() -> None:
    net = Net()
    event = net.registration(1)
    net.seen.append(event)
    net.step()
    # the L2 block is reorged away: the same log in another block is another event
    net.seen.remove(event)
    moved = replace(event, origin=replace(event.origin, block_hash=b"\x77" * 32))
    height, outcome = net.confirm(moved)
    assert outcome is Outcome.APPLIED
    net.steps(3)
    denied = [r for rec in net.receipts for r in rec.resolved if r.event_id == event_id(event)]
    assert [(r.outcome, r.confirmed) for r in denied] == [(Outcome.DENIED, False)]
    assert net.ledger.nodes[node_keys(1).pubkey].registration_height == height


def test_an_undecided_event_times_out_after_30_blocks() -> None:
    net = Net()
    event = net.registration(1)
    net.seen.append(event)
    included = net.step().height
    vote = False
    while True:
        block = net.make_block()
        if block.votes:  # producers disagree: one yes, one no, never 5 votes apart
            block = seal(net.ledger, replace(block, votes=(vote,)))
            vote = not vote
        receipt = net.apply(block)
        if receipt.resolved:
            break
    assert receipt.resolved[0].outcome is Outcome.TIMED_OUT
    assert receipt.height == included + 30
    assert not net.ledger.nodes


def test_a_vote_in_a_later_round_weighs_less() -> None:
    net = Net()
    net.seen.append(net.registration(1))
    net.step()
    net.apply(seal(net.ledger, replace(net.make_block(), round=2)))
    [pending] = pending_events(net.ledger)
    assert pending.confirmations == FULL_SCORE + FULL_SCORE // 3


def test_a_block_must_vote_on_every_pending_event() -> None:
    net = Net()
    net.seen.append(net.registration(1))
    net.step()
    before = net.ledger.state_hash
    block = net.make_block()
    for votes in ((), (True, True)):
        with pytest.raises(InvalidBlock, match="votes"):
            net.ledger.apply(replace(block, votes=votes))
        assert net.ledger.state_hash == before
    net.apply(block)


def test_a_block_must_follow_its_parent() -> None:
    net = Net()
    net.l2 = 5
    net.step()
    block = net.make_block()
    for bad in (
        replace(block, height=block.height + 1),
        replace(block, prev_hash=b"\x00" * 32),
        replace(block, l2_height=4),
    ):
        with pytest.raises(InvalidBlock):
            net.ledger.apply(bad)
    net.apply(block)


def test_proposals_that_cannot_be_voted_on_are_refused() -> None:
    net = Net()
    event = net.registration(1)
    liquidated = ServiceNodeLiquidated(net.origin(), 1, addr(9), node_keys(1).bls)
    other_chain = net.registration(2)
    other_chain = replace(other_chain, origin=replace(other_chain.origin, chain_id=1))
    future = replace(net.registration(3), origin=L2Origin(CHAIN, 10**6, b"\x01" * 32, 0))
    block = seal(
        net.ledger,
        replace(net.make_block(), events=(event, event, liquidated, other_chain, future)),
    )
    receipt = net.apply(block)
    assert receipt.proposals == (
        Outcome.PENDING,
        Outcome.DUPLICATE_EVENT,
        Outcome.IGNORED_KIND,
        Outcome.WRONG_CHAIN,
        Outcome.FUTURE_L2_HEIGHT,
    )


def test_a_confirmed_event_is_never_applied_again() -> None:
    net = Net()
    event = net.registration(1)
    net.confirm(event)
    net.confirm(net.exit(1))
    assert not net.ledger.nodes
    receipt = net.apply(seal(net.ledger, replace(net.make_block(), events=(event,))))
    assert receipt.proposals == (Outcome.DUPLICATE_EVENT,)


def test_events_confirmed_together_apply_in_inclusion_order() -> None:
    net = Net()
    registration = net.registration(1)
    request = net.exit_request(1)
    net.seen.extend([registration, request])
    net.step()
    receipts = net.steps(5)
    outcomes = [r.outcome for r in receipts[-1].resolved]
    assert outcomes == [Outcome.APPLIED, Outcome.APPLIED]
    assert net.ledger.nodes[node_keys(1).pubkey].requested_unlock_height


def test_a_malformed_decision_makes_the_block_invalid() -> None:
    net = Net()
    net.register(1)
    before = net.ledger.state_hash
    for decision in (
        UptimeDecision(7, node_keys(1).pubkey),  # type: ignore[arg-type]
        UptimeDecision(DecisionKind.DECOMMISSION, b"\x01" * 31),
    ):
        with pytest.raises(InvalidBlock, match="malformed uptime decision"):
            net.ledger.apply(replace(net.make_block(), decisions=(decision,)))
    assert net.ledger.state_hash == before


def test_validator_signatures_are_not_part_of_the_block() -> None:
    net = Net()
    block = net.make_block()
    signed = replace(block, signatures=(ValidatorSignature(b"\x01" * 32, b"\x02" * 96),))
    assert signed.hash() == block.hash()
    net.apply(signed)


# -- purges --------------------------------------------------------------------------------------


def test_a_node_missing_from_the_contract_is_purged_without_its_stake() -> None:
    net = Net()
    confirmed = net.register(1)
    net.register(2)
    view = PurgeView(net.l2, frozenset({node_keys(2).bls}))
    # too young: not proposed
    assert net.make_block(purge_view=view).events == ()
    net.until(confirmed + PURGE_AGE)
    block = net.make_block(purge_view=view)
    [purge] = block.events
    net.apply(block)
    for _ in range(6):
        receipt = net.step(purge_view=view)
        if receipt.resolved:
            break
    assert [(r.event_id, r.outcome) for r in receipt.resolved] == [
        (item_id(purge), Outcome.APPLIED)
    ]
    assert node_keys(1).pubkey not in net.ledger.nodes
    assert not net.ledger.removed
    assert node_keys(1).pubkey in net.ledger.purged
    assert net.balance(addr(1)) < STAKE  # rewards kept, no stake


def test_a_purge_is_denied_by_producers_that_see_the_key() -> None:
    net = Net()
    confirmed = net.register(1)
    net.until(confirmed + PURGE_AGE)
    wrong = PurgeView(net.l2, frozenset({(1, 2)}))
    net.apply(net.make_block(purge_view=wrong))
    right = PurgeView(net.l2, frozenset({node_keys(1).bls}))
    for _ in range(8):
        receipt = net.step(purge_view=right)
        if receipt.resolved:
            break
    assert receipt.resolved[0].outcome is Outcome.DENIED
    assert node_keys(1).pubkey in net.ledger.nodes
