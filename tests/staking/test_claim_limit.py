"""The network-wide claim limit as `claimRewards` applies it: the total resets lazily, only
when a claim lands in a new cycle. One second before, at and after a cycle boundary, with and
without a claim in the new cycle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sesh.staking.rules import claim_limit, explain_refusal

THRESHOLD = 1_000_000 * 10**9
CYCLE = 12 * 3600
BOUNDARY = 1_765_000_000 // CYCLE * CYCLE + CYCLE
"""A cycle boundary: cycle number BOUNDARY // CYCLE starts here."""


def test_before_the_boundary_the_total_of_the_cycle_counts() -> None:
    cycle = BOUNDARY // CYCLE - 1
    limit = claim_limit(THRESHOLD, CYCLE, 400 * 10**9, cycle, BOUNDARY - 1)
    assert limit.available == THRESHOLD - 400 * 10**9
    assert limit.resets_at == BOUNDARY


def test_at_the_boundary_a_total_from_the_cycle_before_no_longer_counts() -> None:
    """No claim yet in the new cycle: the contract still holds the old total, but the next
    claim resets it (what the reference portal got wrong)."""
    cycle = BOUNDARY // CYCLE - 1
    for now in (BOUNDARY, BOUNDARY + 1):
        limit = claim_limit(THRESHOLD, CYCLE, THRESHOLD, cycle, now)
        assert limit.available == THRESHOLD
        assert limit.resets_at == BOUNDARY + CYCLE


def test_after_a_claim_in_the_new_cycle_its_total_counts() -> None:
    cycle = BOUNDARY // CYCLE
    limit = claim_limit(THRESHOLD, CYCLE, 250 * 10**9, cycle, BOUNDARY + 1)
    assert limit.available == THRESHOLD - 250 * 10**9
    assert claim_limit(THRESHOLD, CYCLE, THRESHOLD, cycle, BOUNDARY).available == 0


@given(
    st.integers(1, 10**18),
    st.integers(1, 10**6),
    st.integers(0, 10**18),
    st.integers(0, 10**7),
    st.integers(0, 10**13),
)
def test_the_limit_is_never_negative_nor_above_the_threshold_and_resets_ahead(
    threshold: int, cycle: int, total: int, total_cycle: int, now: int
) -> None:
    limit = claim_limit(threshold, cycle, total, total_cycle, now)
    assert 0 <= limit.available <= threshold
    assert now < limit.resets_at <= now + cycle
    assert limit.resets_at % cycle == 0


def test_the_refusal_is_explained() -> None:
    words = explain_refusal("ClaimThresholdExceeded", ())
    assert words is not None and "sesh rewards" in words
