"""Invariants of the ledger, recomputed from scratch (O(state)): tests and simulations run them
after every block; the node can run them after a restore.

Each invariant is a named function over the state that returns what it found wrong (nothing
when it holds), so a test can break one and see that very check catch it; `INVARIANTS` lists
them. `check_invariants` raises `InvariantViolation` listing every broken one, by name;
`conservation` gives the reward accounting the way the issue states it: issued = paid + dust,
exactly, where paid is the sum of the balances the network would sign now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
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


def _payable_ok(node: ServiceNode, height: int, maturity: int, genesis: int) -> bool:
    """Active, and either mature or a node of the genesis (seeded nodes are payable at once:
    no block can register a node at the genesis height, so only they are active since it)."""
    return node.state is NodeState.ACTIVE and (
        height >= node.active_since + maturity or node.active_since == genesis
    )


# -- the invariants: each a named check, returning what it found wrong ---------------------------


def registered_or_removed(state: LedgerState) -> list[str]:
    """No key is both registered and recently removed."""
    both = state.nodes.keys() & state.removed.keys()
    return [f"{len(both)} keys both registered and recently removed"] if both else []


def bls_index(state: LedgerState) -> list[str]:
    """Every BLS key belongs to one node, and the BLS index is exactly the tables' keys."""
    bad: list[str] = []
    expected: dict[tuple[int, int], bytes] = {}
    for key, node in state.nodes.items():
        expected[node.bls_pubkey] = key
    for key, entry in state.removed.items():
        if entry.info.bls_pubkey in expected:
            bad.append("a BLS key is used twice")
        expected[entry.info.bls_pubkey] = key
    if expected != state.bls_index:
        bad.append("the BLS index does not match the tables")
    return bad


def payable_totals(state: LedgerState) -> list[str]:
    """The payable count and the snapshot sum are those of the payable nodes."""
    bad: list[str] = []
    payable = [n for n in state.nodes.values() if n.payable]
    if len(payable) != state.payable_count:
        bad.append(f"payable count {state.payable_count}, actually {len(payable)}")
    if sum(n.snapshot for n in payable) != state.snapshot_sum:
        bad.append("snapshot sum does not match")
    return bad


def payable_when_mature(state: LedgerState) -> list[str]:
    """A node is paid exactly when it is active and has been for the maturity."""
    maturity = state.profile.maturity_blocks
    bad = []
    for node in state.nodes.values():
        mature = _payable_ok(node, state.height, maturity, state.genesis_height)
        if node.payable != mature:
            bad.append(f"node {node.pubkey.hex()} payable={node.payable}, mature={mature}")
    return bad


def snapshots_behind_accumulator(state: LedgerState) -> list[str]:
    """No node's reward snapshot is ahead of the accumulator (it would earn a negative sum)."""
    return [
        f"node {node.pubkey.hex()} snapshot ahead of the accumulator"
        for node in state.nodes.values()
        if node.snapshot > state.acc
    ]


def credited_totals(state: LedgerState) -> list[str]:
    """The credited rewards and stakes are the sums of the accounts."""
    bad: list[str] = []
    if sum(a.reward_units for a in state.accounts.values()) != state.credited_units:
        bad.append("credited units do not match the accounts")
    if sum(a.stake for a in state.accounts.values()) != state.stake_credited:
        bad.append("credited stake does not match the accounts")
    return bad


def issued_accounted(state: LedgerState) -> list[str]:
    """Every unit issued is credited, owed to a payable node, dust or carry."""
    lhs = state.issued * UNITS_PER_ATOM
    rhs = state.credited_units + state.unsettled_units() + state.dust_units + state.share_carry
    if lhs != rhs:
        return [f"issued·10^18 = {lhs} but credited + unsettled + dust + carry = {rhs}"]
    return []


def rewards_conserved(state: LedgerState) -> list[str]:
    """issued = paid + dust, exactly (`conservation`)."""
    c = conservation(state)
    if c.issued != c.paid + c.dust:
        return [f"issued {c.issued} != paid {c.paid} + dust {c.dust}"]
    return []


def records_hash(state: LedgerState) -> list[str]:
    """The incremental records hash is the sum of the records' digests."""
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
        return ["records hash does not match the records"]
    return []


def state_hash(state: LedgerState) -> list[str]:
    """The state hash is the one computed from the state now."""
    return [] if state.compute_state_hash() == state.state_hash else ["state hash is stale"]


def due_indexes(state: LedgerState) -> list[str]:
    """The maturity, unlock, address and payment indexes are exactly the tables'."""
    maturity = state.profile.maturity_blocks
    maturity_due: dict[int, set[bytes]] = defaultdict(set)
    unlock_due: dict[int, set[bytes]] = defaultdict(set)
    by_address: dict[str, set[bytes]] = defaultdict(set)
    for key, node in state.nodes.items():
        if node.state is NodeState.ACTIVE and not node.payable:
            maturity_due[node.active_since + maturity].add(key)
        if node.requested_unlock_height:
            unlock_due[node.requested_unlock_height].add(key)
    for key, node in [*state.nodes.items(), *((k, e.info) for k, e in state.removed.items())]:
        for contributor in node.contributors:
            by_address[contributor.address].add(key)
            by_address[contributor.beneficiary].add(key)
    payments_due: dict[int, set[Any]] = defaultdict(set)
    for pkey, payment in state.payments.items():
        payments_due[payment.payout_height].add(pkey)
    bad = []
    for name, built, kept in (
        ("maturity", maturity_due, state.maturity_due),
        ("unlock", unlock_due, state.unlock_due),
        ("address", by_address, state.by_address),
        ("payments", payments_due, state.payments_due),
    ):
        if dict(built) != kept:
            bad.append(f"the {name} index does not match the tables")
    return bad


def nothing_overdue(state: LedgerState) -> list[str]:
    """No delayed payment, maturity or unlock is due at or before the current height: each
    block processes everything due at it."""
    bad = []
    if any(p.payout_height <= state.height for p in state.payments.values()):
        bad.append("a delayed payment is overdue")
    if any(h <= state.height for h in state.maturity_due):
        bad.append("a maturity was missed")
    if any(h <= state.height for h in state.unlock_due):
        bad.append("an unlock was missed")
    return bad


def pending_ids(state: LedgerState) -> list[str]:
    """Every pending event is filed under its own id."""
    return [
        "a pending event is filed under the wrong id"
        for event_id, pending in state.pending.items()
        if item_id(pending.item) != event_id
    ]


Invariant = Callable[[LedgerState], list[str]]

INVARIANTS: tuple[Invariant, ...] = (
    registered_or_removed,
    bls_index,
    payable_totals,
    payable_when_mature,
    snapshots_behind_accumulator,
    credited_totals,
    issued_accounted,
    rewards_conserved,
    records_hash,
    state_hash,
    due_indexes,
    nothing_overdue,
    pending_ids,
)
"""Every invariant, by name (``invariant.__name__``), cheapest first."""


def find_violations(state: LedgerState) -> list[str]:
    """Every broken invariant's findings, each prefixed with the invariant's name."""
    return [f"{check.__name__}: {found}" for check in INVARIANTS for found in check(state)]


def check_invariants(state: LedgerState) -> None:
    bad = find_violations(state)
    if bad:
        raise InvariantViolation("; ".join(bad))
