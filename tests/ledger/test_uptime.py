"""Uptime decisions and credits (node.md §3): decommission needs credit, a decommissioned node
burns it, recommission costs twice the downtime, deregistration only once it is gone; at most
10 deactivations a block and none in the grace period after a hardfork."""

from __future__ import annotations

from dataclasses import replace

from sesh.l2.events import Contributor
from sesh.ledger import DecisionKind, Outcome, UptimeDecision, service_node
from sesh.ledger.records import NodeIdentity, NodeState, ServiceNode
from sesh.ledger.rules import compute_credit

from .conftest import PROFILE, Net, addr, node_keys

DECOMMISSION, RECOMMISSION, DEREGISTER = (
    DecisionKind.DECOMMISSION,
    DecisionKind.RECOMMISSION,
    DecisionKind.DEREGISTER,
)


def credit(net: Net, i: int) -> int:
    info = service_node(net.ledger, node_keys(i).pubkey)
    assert info is not None
    return info.earned_downtime_blocks


def test_credit_starts_at_two_hours_and_grows_48_minutes_a_day() -> None:
    net = Net(check=False)
    confirmed = net.register(1)
    assert credit(net, 1) == 60
    net.until(confirmed + 720)
    assert credit(net, 1) == 84


def test_credit_is_capped_at_48_hours() -> None:
    identity = NodeIdentity(
        b"\x01" * 32, 1, (1, 2), (Contributor(addr(1), addr(1), 1),), 0, 1, 0, 0
    )
    node = ServiceNode(identity, NodeState.ACTIVE, active_since=0, credit_base=60)
    assert compute_credit(node, 720 * 100, PROFILE) == 1_440


def test_decommission_then_recommission_costs_twice_the_downtime() -> None:
    net = Net()
    net.register(1)
    assert net.decide(DECOMMISSION, 1) is Outcome.APPLIED
    net.steps(9)
    assert credit(net, 1) == 60 - 9  # one block of credit per block down
    assert net.decide(RECOMMISSION, 1) is Outcome.APPLIED  # ten blocks down
    assert credit(net, 1) == 60 - 2 * 10
    info = service_node(net.ledger, node_keys(1).pubkey)
    assert info is not None and info.active and info.decommission_count == 1
    # too little credit to be decommissioned again: a failing node is deregistered instead
    assert net.decide(DECOMMISSION, 1) is Outcome.CREDIT_TOO_LOW
    assert net.decide(DEREGISTER, 1) is Outcome.APPLIED
    assert not net.ledger.nodes and net.ledger.removed


def test_deregistration_waits_until_the_credit_is_gone() -> None:
    net = Net()
    net.register(1)
    assert net.decide(DEREGISTER, 1) is Outcome.CREDIT_REMAINING  # decommission it instead
    assert net.decide(DECOMMISSION, 1) is Outcome.APPLIED
    net.steps(59)
    assert credit(net, 1) == 1
    assert net.decide(DEREGISTER, 1) is Outcome.CREDIT_REMAINING  # credit 0: not yet
    assert net.decide(DEREGISTER, 1) is Outcome.APPLIED


def test_decisions_must_fit_the_nodes_state() -> None:
    net = Net()
    net.register(1)
    assert net.decide(RECOMMISSION, 1) is Outcome.NOT_DECOMMISSIONED
    assert net.decide(DECOMMISSION, 2) is Outcome.UNKNOWN_NODE
    assert net.decide(DECOMMISSION, 1) is Outcome.APPLIED
    assert net.decide(DECOMMISSION, 1) is Outcome.NOT_ACTIVE
    key = node_keys(1).pubkey
    receipt = net.step([UptimeDecision(RECOMMISSION, key), UptimeDecision(DECOMMISSION, key)])
    assert receipt.decisions == (Outcome.APPLIED, Outcome.DUPLICATE_DECISION)


def test_at_most_ten_deactivations_a_block() -> None:
    net = Net(check=False)
    events = [net.registration(i) for i in range(1, 13)]
    net.seen.extend(events)
    net.steps(6)
    assert len(net.ledger.nodes) == 12
    decisions = [UptimeDecision(DECOMMISSION, node_keys(i).pubkey) for i in range(1, 13)]
    receipt = net.step(decisions)
    assert receipt.decisions == (Outcome.APPLIED,) * 10 + (Outcome.DEACTIVATION_LIMIT,) * 2


def test_no_deregistration_just_after_a_hardfork() -> None:
    profile = replace(PROFILE, hardforks=(("next", 80),), deregistration_grace=20 * 120)
    net = Net(profile=profile)
    net.register(1)
    assert net.decide(DECOMMISSION, 1) is Outcome.APPLIED
    net.until(79)
    assert net.ledger.nodes[node_keys(1).pubkey].state is NodeState.DECOMMISSIONED
    assert net.decide(DEREGISTER, 1) is Outcome.HARDFORK_GRACE  # height 80
    net.until(99)
    assert net.decide(DEREGISTER, 1) is Outcome.APPLIED  # height 100
