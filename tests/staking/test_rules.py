"""sesh.staking.rules: the contracts' arithmetic, as the reference states it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sesh.staking.rules import (
    Contributor,
    OpenStake,
    Reservation,
    calc_minimum_contribution,
    releasable_no_staking_lock,
    releasable_staking_lock,
)

SESH = 10**9
STAKE = 25_000 * SESH


def test_the_operator_needs_a_quarter_and_the_next_a_ninth_of_the_rest() -> None:
    """contracts.md §3: operator 25 % ⇒ the next slot needs ceil(75 % / 9)."""
    assert calc_minimum_contribution(STAKE, 0, 10) == STAKE // 4
    remaining = STAKE - STAKE // 4
    assert calc_minimum_contribution(remaining, 1, 10) == -(-remaining // 9)


def test_the_minimum_rounds_up() -> None:
    assert calc_minimum_contribution(10, 0, 10) == 3  # ceil(10 / 4)
    assert calc_minimum_contribution(70 * SESH, 2, 10) == 8_750_000_000  # 70 / 8


def test_no_slot_or_nothing_left_is_where_the_contract_reverts() -> None:
    with pytest.raises(ValueError, match="no slot left"):
        calc_minimum_contribution(STAKE, 10, 10)
    with pytest.raises(ValueError, match="nothing remains"):
        calc_minimum_contribution(0, 3, 10)


OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def open_stake(
    amounts: Sequence[int], reserved: Sequence[int] = (), received: int = 0
) -> OpenStake:
    """120 SESH in at most 10 slots: contributions of ``amounts``; reservations of
    ``reserved``, the first ``received`` of them paid in."""
    return OpenStake(
        staking_requirement=120 * SESH,
        max_contributors=10,
        contributors=tuple(Contributor(OPERATOR, OPERATOR, amount) for amount in amounts),
        reservations=tuple(
            Reservation(OTHER, amount, i < received) for i, amount in enumerate(reserved)
        ),
    )


def test_the_open_stake_of_the_devnets_example_node() -> None:
    """120 SESH; the operator put in 30 of a 30 reservation; 20 reserved for another."""
    stake = open_stake([30 * SESH], reserved=[30 * SESH, 20 * SESH], received=1)
    assert (stake.contributed, stake.reserved_unfilled) == (30 * SESH, 20 * SESH)
    assert stake.open_amount == 70 * SESH
    assert stake.open_slots == 8
    assert stake.minimum_contribution == 8_750_000_000


def test_a_full_or_slotless_stake_has_no_minimum() -> None:
    three = [40 * SESH, 30 * SESH, 30 * SESH]
    assert open_stake(three, reserved=[20 * SESH]).minimum_contribution is None
    assert open_stake([10 * SESH] * 10).minimum_contribution is None
    assert open_stake([6 * SESH] * 10).open_slots == 0


@given(
    remaining=st.integers(1, 2**96),
    contributors=st.integers(0, 9),
)
def test_the_minimum_times_the_slots_left_covers_what_remains(
    remaining: int, contributors: int
) -> None:
    """The rule keeps every later slot fillable: minimum × slots ≥ remaining (after the first)."""
    minimum = calc_minimum_contribution(remaining, contributors, 10)
    slots = 4 if contributors == 0 else 10 - contributors
    assert minimum * slots >= remaining > (minimum - 1) * slots


def test_a_staking_lock_releases_everything_at_its_end_and_nothing_before() -> None:
    assert releasable_staking_lock(1_000, end=100, now=99, revoked=False) == 0
    assert releasable_staking_lock(1_000, end=100, now=100, revoked=False) == 1_000
    assert releasable_staking_lock(1_000, end=100, now=200, revoked=True) == 0


def test_a_vesting_lock_vests_a_fifth_at_the_cliff_then_linearly() -> None:
    cliff, end = 1_000, 2_000
    assert releasable_no_staking_lock(1_000, 0, cliff, end, now=999, revoked=False) == 0
    assert releasable_no_staking_lock(1_000, 0, cliff, end, now=1_000, revoked=False) == 200
    assert releasable_no_staking_lock(1_000, 0, cliff, end, now=1_500, revoked=False) == 600
    # Released tokens count in the grant: 600 out, 400 left, at the end 400 more.
    assert releasable_no_staking_lock(400, 600, cliff, end, now=1_500, revoked=False) == 0
    assert releasable_no_staking_lock(400, 600, cliff, end, now=2_000, revoked=False) == 400
    assert releasable_no_staking_lock(800, 200, cliff, end, now=1_200, revoked=True) == 800
