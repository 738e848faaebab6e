"""Each invariant is a named check that catches its own kind of damage: a ledger in every
shape (paid and maturing nodes, an unlocking one, a removed one, a pending event) is damaged in
one place, and the invariant about that place reports it, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from sesh.ledger import InvariantViolation, LedgerState, check_invariants
from sesh.ledger.invariants import (
    INVARIANTS,
    Invariant,
    bls_index,
    credited_totals,
    due_indexes,
    issued_accounted,
    nothing_overdue,
    payable_totals,
    payable_when_mature,
    pending_ids,
    records_hash,
    registered_or_removed,
    rewards_conserved,
    snapshots_behind_accumulator,
    state_hash,
)

from .conftest import MATURITY, SESH, Net, addr, node_keys


def ledger_in_every_shape() -> LedgerState:
    net = Net()
    net.register(1, [(addr(1), 50 * SESH), (addr(2), 50 * SESH)])
    net.register(4)
    net.confirm(net.exit_request(4))
    net.until(net.ledger.nodes[node_keys(4).pubkey].requested_unlock_height)
    net.register(3)
    net.confirm(net.exit_request(3))
    net.until(net.ledger.height + MATURITY)
    net.register(2)
    net.seen.append(net.registration(6))
    net.step()
    state = net.ledger
    assert state.nodes[node_keys(1).pubkey].payable
    assert not state.nodes[node_keys(2).pubkey].payable
    assert state.nodes[node_keys(3).pubkey].requested_unlock_height
    assert node_keys(4).pubkey in state.removed and state.pending and state.issued
    check_invariants(state)
    return state


def payable(state: LedgerState) -> bytes:
    return node_keys(1).pubkey


def maturing(state: LedgerState) -> bytes:
    return node_keys(2).pubkey


def both_registered_and_removed(state: LedgerState) -> None:
    removed = next(iter(state.removed))
    state.nodes[removed] = state.nodes[payable(state)]


def bls_key_forgotten(state: LedgerState) -> None:
    del state.bls_index[state.nodes[payable(state)].bls_pubkey]


def payable_count_off(state: LedgerState) -> None:
    state.payable_count += 1


def paid_too_early(state: LedgerState) -> None:
    key = maturing(state)
    state.nodes[key] = replace(state.nodes[key], payable=True)


def snapshot_ahead(state: LedgerState) -> None:
    key = maturing(state)
    state.nodes[key] = replace(state.nodes[key], snapshot=state.acc + 1)


def stake_credited_off(state: LedgerState) -> None:
    state.stake_credited += 1


def issued_unaccounted(state: LedgerState) -> None:
    state.share_carry += 1


def issued_without_payment(state: LedgerState) -> None:
    state.issued += 1


def records_hash_off(state: LedgerState) -> None:
    state.records_hash += 1


def state_hash_stale(state: LedgerState) -> None:
    state.height += 1


def address_index_off(state: LedgerState) -> None:
    state.by_address.setdefault(addr(99), set()).add(payable(state))


def maturity_missed(state: LedgerState) -> None:
    state.maturity_due.setdefault(state.height, set()).add(maturing(state))


def pending_misfiled(state: LedgerState) -> None:
    event_id = next(iter(state.pending))
    state.pending[b"\x00" * 32] = state.pending.pop(event_id)


CASES: list[tuple[Invariant, Callable[[LedgerState], None]]] = [
    (registered_or_removed, both_registered_and_removed),
    (bls_index, bls_key_forgotten),
    (payable_totals, payable_count_off),
    (payable_when_mature, paid_too_early),
    (snapshots_behind_accumulator, snapshot_ahead),
    (credited_totals, stake_credited_off),
    (issued_accounted, issued_unaccounted),
    (rewards_conserved, issued_without_payment),
    (records_hash, records_hash_off),
    (state_hash, state_hash_stale),
    (due_indexes, address_index_off),
    (nothing_overdue, maturity_missed),
    (pending_ids, pending_misfiled),
]


def test_every_invariant_has_a_case() -> None:
    assert [check for check, _ in CASES] == list(INVARIANTS)


@pytest.mark.parametrize(("invariant", "damage"), CASES, ids=[check.__name__ for check, _ in CASES])
def test_an_invariant_catches_its_own_violation(
    invariant: Invariant, damage: Callable[[LedgerState], None]
) -> None:
    state = ledger_in_every_shape()
    assert invariant(state) == []
    damage(state)
    assert invariant(state) != []
    with pytest.raises(InvariantViolation, match=f"{invariant.__name__}: "):
        check_invariants(state)
