"""Invariants of the ledger, recomputed from scratch (O(state)): tests and simulations run them
after every block; the node can run them after a restore.

`check_invariants` raises `InvariantViolation` listing every broken one; `conservation` gives
the reward accounting the way the issue states it: issued = paid + dust, exactly, where paid is
the sum of the balances the network would sign now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sesh.ledger.purge import item_id
from sesh.ledger.records import DIGEST_BYTES, NodeState, ServiceNode
from sesh.ledger.rewards import UNITS_PER_ATOM, split_delta
from sesh.ledger.state import LedgerState

_MASK = (1 << (8 * DIGEST_BYTES)) - 1


class InvariantViolation(AssertionError):
    """One or more invariants do not hold; the message lists them."""


@dataclass(frozen=True, slots=True)
class Conservation:
    """issued = paid + dust, in atoms; `dust` is exact (a fraction of an atom is possible)."""

    issued: int
    paid: int
    """Σ over addresses of the reward part of their signed balance (floors), settled or not."""
    dust: Fraction
    """What no balance holds: the equal split's carry, the contributor split's rounding, and
    every address's fraction of an atom below its floor."""


def settled_reward_units(state: LedgerState) -> tuple[dict[str, int], int]:
    """Every address's reward units if every payable node were settled now, and the split dust
    that settling would add."""
    units: dict[str, int] = defaultdict(int)
    for address, account in state.accounts.items():
        units[address] += account.reward_units
    extra_dust = 0
    for node in state.nodes.values():
        if node.payable and state.acc != node.snapshot:
            new = node.earned + state.acc - node.snapshot
            i = node.identity
            gains, dust = split_delta(i.contributors, i.weights, i.total_weight, node.earned, new)
            for address, gain in gains:
                units[address] += gain
            extra_dust += dust
    return units, extra_dust


def conservation(state: LedgerState) -> Conservation:
    units, extra_dust = settled_reward_units(state)
    paid = sum(u // UNITS_PER_ATOM for u in units.values())
    below_floor = sum(u % UNITS_PER_ATOM for u in units.values())
    dust = Fraction(state.dust_units + state.share_carry + extra_dust + below_floor, UNITS_PER_ATOM)
    return Conservation(state.issued, paid, dust)


def _payable_ok(node: ServiceNode, height: int, maturity: int) -> bool:
    return node.state is NodeState.ACTIVE and height >= node.active_since + maturity


def find_violations(state: LedgerState) -> list[str]:
    bad: list[str] = []
    profile = state.profile

    both = state.nodes.keys() & state.removed.keys()
    if both:
        bad.append(f"{len(both)} keys both registered and recently removed")

    expected_bls: dict[tuple[int, int], bytes] = {}
    for key, node in state.nodes.items():
        expected_bls[node.bls_pubkey] = key
    for key, entry in state.removed.items():
        if entry.info.bls_pubkey in expected_bls:
            bad.append("a BLS key is used twice")
        expected_bls[entry.info.bls_pubkey] = key
    if expected_bls != state.bls_index:
        bad.append("the BLS index does not match the tables")

    payable = [n for n in state.nodes.values() if n.payable]
    if len(payable) != state.payable_count:
        bad.append(f"payable count {state.payable_count}, actually {len(payable)}")
    if sum(n.snapshot for n in payable) != state.snapshot_sum:
        bad.append("snapshot sum does not match")
    for node in state.nodes.values():
        mature = _payable_ok(node, state.height, profile.maturity_blocks)
        if node.payable != mature:
            bad.append(f"node {node.pubkey.hex()} payable={node.payable}, mature={mature}")
        if node.snapshot > state.acc:
            bad.append(f"node {node.pubkey.hex()} snapshot ahead of the accumulator")

    if sum(a.reward_units for a in state.accounts.values()) != state.credited_units:
        bad.append("credited units do not match the accounts")
    if sum(a.stake for a in state.accounts.values()) != state.stake_credited:
        bad.append("credited stake does not match the accounts")
    lhs = state.issued * UNITS_PER_ATOM
    rhs = state.credited_units + state.unsettled_units() + state.dust_units + state.share_carry
    if lhs != rhs:
        bad.append(f"issued·10^18 = {lhs} but credited + unsettled + dust + carry = {rhs}")
    c = conservation(state)
    if c.issued != c.paid + c.dust:
        bad.append(f"issued {c.issued} != paid {c.paid} + dust {c.dust}")

    digests = 0
    for table in (
        state.nodes,
        state.removed,
        state.accounts,
        state.payments,
        state.pending,
        state.confirmed,
        state.purged,
    ):
        for record in table.values():
            digests += record.digest
    if digests & _MASK != state.records_hash & _MASK:
        bad.append("records hash does not match the records")
    if state.compute_state_hash() != state.state_hash:
        bad.append("state hash is stale")

    maturity_due: dict[int, set[bytes]] = defaultdict(set)
    unlock_due: dict[int, set[bytes]] = defaultdict(set)
    by_address: dict[str, set[bytes]] = defaultdict(set)
    for key, node in state.nodes.items():
        if node.state is NodeState.ACTIVE and not node.payable:
            maturity_due[node.active_since + profile.maturity_blocks].add(key)
        if node.requested_unlock_height:
            unlock_due[node.requested_unlock_height].add(key)
    for key, node in [*state.nodes.items(), *((k, e.info) for k, e in state.removed.items())]:
        for contributor in node.contributors:
            by_address[contributor.address].add(key)
            by_address[contributor.beneficiary].add(key)
    payments_due: dict[int, set[Any]] = defaultdict(set)
    for pkey, payment in state.payments.items():
        payments_due[payment.payout_height].add(pkey)
        if payment.payout_height <= state.height:
            bad.append("a delayed payment is overdue")
    for name, built, kept in (
        ("maturity", maturity_due, state.maturity_due),
        ("unlock", unlock_due, state.unlock_due),
        ("address", by_address, state.by_address),
        ("payments", payments_due, state.payments_due),
    ):
        if dict(built) != kept:
            bad.append(f"the {name} index does not match the tables")
    if any(h <= state.height for h in state.maturity_due):
        bad.append("a maturity was missed")
    if any(h <= state.height for h in state.unlock_due):
        bad.append("an unlock was missed")

    for event_id, pending in state.pending.items():
        if item_id(pending.item) != event_id:
            bad.append("a pending event is filed under the wrong id")
    return bad


def check_invariants(state: LedgerState) -> None:
    bad = find_violations(state)
    if bad:
        raise InvariantViolation("; ".join(bad))
