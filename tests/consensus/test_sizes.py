"""Quorum sizes for any number of active nodes: mainnet's numbers when the network is big,
and blocks and checkpoints with ⌊N/3⌋ nodes stopped when it is small."""

from __future__ import annotations

import pytest

from sesh.consensus.sizes import QuorumRules, Sizes, checkpoint_sizes, pulse_sizes

RULES = QuorumRules()


@pytest.mark.parametrize(
    ("active", "validators", "threshold"),
    [(1, 0, 0), (2, 1, 1), (4, 3, 2), (6, 5, 3), (12, 11, 7), (16, 11, 7), (2000, 11, 7)],
)
def test_pulse_sizes(active: int, validators: int, threshold: int) -> None:
    assert pulse_sizes(active, RULES) == Sizes(validators, threshold)


@pytest.mark.parametrize("active", range(4, 13))
def test_every_small_quorum_survives_a_third_stopped_and_needs_a_double_signer_to_fork(
    active: int,
) -> None:
    sizes = pulse_sizes(active, RULES)
    assert sizes is not None
    assert sizes.threshold <= sizes.validators - active // 3
    assert 2 * sizes.threshold > sizes.validators


@pytest.mark.parametrize("active", range(4, 60))
def test_checkpoints_survive_a_third_stopped(active: int) -> None:
    sizes = checkpoint_sizes(active, RULES)
    assert sizes is not None
    if active <= RULES.checkpoint_members:
        assert sizes.threshold <= active - active // 3
    assert 2 * sizes.threshold > sizes.validators


def test_mainnet_checkpoints_take_13_of_20() -> None:
    assert checkpoint_sizes(500, RULES) == Sizes(20, 13)


def test_below_the_minimum_the_network_stalls() -> None:
    rules = QuorumRules(min_active=12)
    assert pulse_sizes(11, rules) is None
    assert checkpoint_sizes(11, rules) is None
    assert pulse_sizes(12, rules) == Sizes(11, 7)
