"""A node's life (node.md §2, §4.5): exit request → unlock → recently removed → exit
confirmed → stake payable; and what the network will sign at each step."""

from __future__ import annotations

from sesh.ledger import (
    DecisionKind,
    Outcome,
    Reason,
    RemovalKind,
    account_summary,
    contract_only_keys,
    exit_eligibility,
    exit_liquidation_list,
    liquidation_eligibility,
    service_node,
)

from .conftest import GRACE, SESH, STAKE, UNLOCK, Net, addr, node_keys


def test_exit_request_unlock_removal_and_stake() -> None:
    net = Net()
    net.register(1, [(addr(1), 50 * SESH), (addr(2), 50 * SESH)])
    bls = node_keys(1).bls
    assert exit_eligibility(net.ledger, bls).reason is Reason.REGISTERED
    assert not liquidation_eligibility(net.ledger, bls).allowed

    requested, outcome = net.confirm(net.exit_request(1))
    assert outcome is Outcome.APPLIED
    unlock = requested + UNLOCK
    info = service_node(net.ledger, node_keys(1).pubkey)
    assert info is not None and info.requested_unlock_height == unlock
    e = exit_eligibility(net.ledger, bls)
    assert (e.allowed, e.reason, e.from_height) == (False, Reason.UNLOCKING, unlock)
    assert liquidation_eligibility(net.ledger, bls).from_height == unlock + GRACE
    assert net.confirm(net.exit_request(1))[1] is Outcome.ALREADY_UNLOCKING

    net.until(unlock)
    assert not net.ledger.nodes
    [entry] = exit_liquidation_list(net.ledger)
    assert (entry.kind, entry.height, entry.liquidation_height) == (
        RemovalKind.EXIT,
        unlock,
        unlock + GRACE,
    )
    assert entry.node.pubkey == node_keys(1).pubkey and not entry.liquidatable
    assert exit_eligibility(net.ledger, bls).allowed
    assert exit_eligibility(net.ledger, node_keys(1).pubkey).allowed  # by its Ed25519 key
    liq = liquidation_eligibility(net.ledger, bls)
    assert (liq.allowed, liq.reason, liq.from_height) == (
        False,
        Reason.LIQUIDATION_GRACE,
        unlock + GRACE,
    )
    assert account_summary(net.ledger, addr(2)).locked_stakes == 50 * SESH

    net.until(unlock + GRACE)
    assert liquidation_eligibility(net.ledger, bls).allowed
    assert exit_liquidation_list(net.ledger)[0].liquidatable

    before = net.balance(addr(2))
    net.confirm(net.exit(1))
    assert net.balance(addr(2)) == before + 50 * SESH
    assert exit_liquidation_list(net.ledger) == []
    assert exit_eligibility(net.ledger, bls).reason is Reason.UNKNOWN
    summary = account_summary(net.ledger, addr(2))
    assert (summary.locked_stakes, summary.returned_stakes) == (0, 50 * SESH)


def test_an_exit_the_ledger_missed_the_request_for_removes_the_node_at_once() -> None:
    net = Net()
    net.register(1)
    assert net.confirm(net.exit(1))[1] is Outcome.APPLIED
    assert not net.ledger.nodes and not net.ledger.removed
    assert net.balance(addr(1)) >= STAKE


def test_a_slash_for_a_listed_node_is_refused() -> None:
    net = Net()
    net.register(1)
    assert net.confirm(net.exit(1, STAKE - 1))[1] is Outcome.SLASH_BEFORE_LIQUIDATION_HEIGHT
    assert net.ledger.nodes


def test_events_about_unknown_nodes_change_nothing() -> None:
    net = Net()
    assert net.confirm(net.exit_request(5))[1] is Outcome.UNKNOWN_NODE
    assert net.confirm(net.exit(5))[1] is Outcome.UNKNOWN_NODE


def test_a_deregistered_node_is_listed_for_liquidation() -> None:
    net = Net()
    net.register(1)
    assert net.decide(DecisionKind.DECOMMISSION, 1) is Outcome.APPLIED
    net.steps(60)
    assert net.decide(DecisionKind.DEREGISTER, 1) is Outcome.APPLIED
    [entry] = exit_liquidation_list(net.ledger)
    assert entry.kind is RemovalKind.DEREGISTER
    assert entry.liquidation_height == net.ledger.height + GRACE


def test_keys_only_the_contract_knows_are_removable_and_liquidatable() -> None:
    net = Net()
    net.register(1)
    pending = net.registration(2)
    net.seen.append(pending)
    net.step()
    stranger = (7, 7)
    contract = {node_keys(1).bls, node_keys(2).bls, stranger}
    assert contract_only_keys(net.ledger, contract) == [stranger]
    for check in (exit_eligibility, liquidation_eligibility):
        assert check(net.ledger, stranger, contract).reason is Reason.CONTRACT_ONLY
        assert check(net.ledger, stranger, contract).allowed
        assert check(net.ledger, stranger).reason is Reason.UNKNOWN
        refused = check(net.ledger, node_keys(2).bls, contract)
        assert (refused.allowed, refused.reason) == (False, Reason.PENDING_REGISTRATION)
        assert not check(net.ledger, node_keys(1).bls, contract).allowed
