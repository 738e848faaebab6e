"""Reward arithmetic: exact, integer-only, and independent of when it is computed.

Units. Rewards are counted in *units* of 10**-18 atom (UNITS_PER_ATOM per atom). Addresses are
owed whole units; a signed balance is the floor of that in atoms.

Per block. The block's amount R (atoms) is split equally among the P payable nodes: the global
accumulator `acc` (units owed to every node payable since the start) grows by
q = floor((R·10**18 + c) / P), where c is the carry, the units the previous blocks could not
divide; the new carry is the remainder (fewer than P units). So a node's exact entitlement is the
sum of q over the blocks it was payable in, `earned + (acc − snapshot)`, and three blocks of
1,000,000 atoms among three nodes give each exactly 1,000,000.

Per node. A node's entitlement E is split among its contributors by fixed integer weights over
W = 10,000 · T (T the node's total stake): contributor i's weight is (10,000 − fee) · amount_i,
plus fee · T for the operator (contributor 0). Contributor i's beneficiary is owed
floor(E · weight_i / W) units. The split depends only on E, never on when the node was settled,
so settling lazily (only when the node's state changes) gives the same balances as settling
every block; the difference E − Σ floor(...) (fewer units than the node has contributors) is
dust, counted when the node settles.

Conservation, exactly, at every height:
    issued·10**18 = Σ account units + Σ unsettled units of payable nodes + split dust + carry
where the unsettled units are P·acc − Σ snapshots, kept in O(1) (`LedgerState`).

The amount of a block. The pool's rate is per 120 seconds; a block of `block_time` seconds pays
(rate·block_time + carry) // 120 and carries the remainder, so any block time issues exactly
the same per hour. The rate a block pays is the reference's: the initial rate for the first
`reward_window` blocks, then the minimum clamped rate of the previous `reward_window` blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

from sesh.l2.events import Contributor
from sesh.ledger.params import FEE_DENOMINATOR, REWARD_RATE_PERIOD

UNITS_PER_ATOM = 10**18


def position_weights(fee: int, contributors: Sequence[Contributor]) -> tuple[list[int], int]:
    """The weight of each contributor's share of a node's rewards, and their sum W."""
    total = sum(c.amount for c in contributors)
    rest = FEE_DENOMINATOR - fee
    weights = [rest * c.amount for c in contributors]
    if weights:
        weights[0] += fee * total
    return weights, FEE_DENOMINATOR * total


def position_units(earned: int, weight: int, total_weight: int) -> int:
    """What one contributor position is owed out of a node's `earned` units."""
    return earned * weight // total_weight


def split_delta(
    contributors: Sequence[Contributor],
    weights: Sequence[int],
    total_weight: int,
    old_earned: int,
    new_earned: int,
) -> tuple[list[tuple[str, int]], int]:
    """Units each beneficiary gains when a node's entitlement goes from `old_earned` to
    `new_earned` (one entry per contributor, zeros left out), and the dust this creates."""
    gains = []
    paid = 0
    for c, w in zip(contributors, weights, strict=True):
        gain = new_earned * w // total_weight - old_earned * w // total_weight
        if gain:
            gains.append((c.beneficiary, gain))
            paid += gain
    return gains, new_earned - old_earned - paid


def beneficiary_units(
    contributors: Sequence[Contributor],
    weights: Sequence[int],
    total_weight: int,
    earned: int,
    address: str,
) -> int:
    """Units `address` is owed out of a node's `earned` as a beneficiary (all its positions)."""
    return sum(
        earned * w // total_weight
        for c, w in zip(contributors, weights, strict=True)
        if c.beneficiary == address
    )


def per_node_share(amount: int, payable: int, carry: int) -> tuple[int, int]:
    """(units every payable node gains, units carried to the next block) for a block paying
    `amount` atoms, `carry` units being left over from earlier blocks."""
    return divmod(amount * UNITS_PER_ATOM + carry, payable)


def block_amount(rate: int, block_time: int, carry: int) -> tuple[int, int]:
    """(atoms this block issues, carry to the next block) for the pool's per-120 s `rate`."""
    return divmod(rate * block_time + carry, REWARD_RATE_PERIOD)


def reward_bounds(previous: int, max_decrease: int, max_increase: int) -> tuple[int, int]:
    """The range a block's clamped rate must lie in, given the previous block's."""
    return previous - previous // max_decrease, previous + previous // max_increase


def clamp_reward(rate: int, previous: int, max_decrease: int, max_increase: int) -> int:
    """The pool's rate clamped into the allowed range around the previous block's."""
    low, high = reward_bounds(previous, max_decrease, max_increase)
    return min(max(rate, low), high)


def paid_rate(window: Sequence[int], blocks_since_genesis: int, initial: int) -> int:
    """The rate a block pays: `initial` for the first len(window) blocks, else the minimum."""
    if blocks_since_genesis <= len(window):
        return initial
    return min(window)
