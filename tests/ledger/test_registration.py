"""Registration rules (node.md §2): each rule refuses on its own, seeded nodes skip the
signature and the operator minimum, keys are never registered twice, and the requirement
follows `StakingRequirementUpdated`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sesh.ledger import Outcome

from .conftest import SESH, STAKE, Net, addr, node_keys

ZERO = "0x" + "00" * 20


@pytest.mark.parametrize(
    ("stakes", "fee", "outcome"),
    [
        ([], 0, Outcome.BAD_CONTRIBUTOR_COUNT),
        ([(addr(i), 10 * SESH) for i in range(1, 12)], 0, Outcome.BAD_CONTRIBUTOR_COUNT),
        ([(addr(1), 50 * SESH), (addr(1), 50 * SESH)], 0, Outcome.DUPLICATE_CONTRIBUTOR),
        ([(addr(1), 24 * SESH), (addr(2), 76 * SESH)], 0, Outcome.OPERATOR_STAKE_TOO_LOW),
        ([(addr(1), 101 * SESH)], 0, Outcome.STAKE_ABOVE_REMAINING),
        ([(addr(1), 60 * SESH), (addr(2), 41 * SESH)], 0, Outcome.STAKE_ABOVE_REMAINING),
        ([(addr(1), 60 * SESH), (addr(2), 39 * SESH)], 0, Outcome.STAKE_TOTAL_MISMATCH),
        ([(addr(1), STAKE)], 10_001, Outcome.FEE_TOO_HIGH),
    ],
)
def test_a_registration_breaking_a_rule_is_refused(
    stakes: list[tuple[str, int]], fee: int, outcome: Outcome
) -> None:
    net = Net()
    _, result = net.confirm(net.registration(1, stakes, fee=fee))
    assert result is outcome
    assert not net.ledger.nodes


def test_the_limits_themselves_are_allowed() -> None:
    net = Net()
    ten = [(addr(1), 25 * SESH)] + [(addr(i), 75 * SESH // 9) for i in range(2, 11)]
    ten[-1] = (addr(10), STAKE - 25 * SESH - 8 * (75 * SESH // 9))
    net.register(1, ten, fee=10_000)
    assert len(net.ledger.nodes[node_keys(1).pubkey].contributors) == 10


def test_the_ed25519_signature_must_be_the_nodes_over_both_keys() -> None:
    net = Net()
    unsigned = net.registration(1, sign=False)
    assert net.confirm(unsigned)[1] is Outcome.BAD_SIGNATURE
    other_key = net.registration(2, keys=replace(node_keys(2), signing=node_keys(3).signing))
    signed_for_other_bls = replace(other_key, bls_pubkey=(1, 1))
    assert net.confirm(signed_for_other_bls)[1] is Outcome.BAD_SIGNATURE
    garbage = replace(net.registration(4), ed25519_pubkey=2**255 - 19)
    assert net.confirm(garbage)[1] is Outcome.BAD_SIGNATURE
    assert not net.ledger.nodes


def test_a_seeded_node_needs_no_signature_nor_the_operator_minimum() -> None:
    net = Net()
    stakes = [(addr(1), 10 * SESH), (addr(2), 90 * SESH)]
    net.register(1, stakes, seeded=True)
    assert node_keys(1).pubkey in net.ledger.nodes
    _, outcome = net.confirm(net.registration(2, [(addr(2), 99 * SESH)], seeded=True))
    assert outcome is Outcome.STAKE_TOTAL_MISMATCH


def test_a_key_is_never_registered_twice() -> None:
    net = Net()
    net.register(1)
    same_ed25519 = net.registration(1)  # another L2 event, same keys
    assert net.confirm(same_ed25519)[1] is Outcome.DUPLICATE_KEY
    same_bls = net.registration(2, keys=replace(node_keys(2), bls=node_keys(1).bls))
    assert net.confirm(same_bls)[1] is Outcome.DUPLICATE_KEY
    assert len(net.ledger.nodes) == 1


def test_a_missing_beneficiary_means_the_staker() -> None:
    net = Net()
    net.register(1, [(addr(1), ZERO, STAKE)])
    [contributor] = net.ledger.nodes[node_keys(1).pubkey].contributors
    assert contributor.beneficiary == addr(1)


def test_the_requirement_follows_the_contract() -> None:
    net = Net()
    assert net.confirm(net.requirement(200 * SESH))[1] is Outcome.APPLIED
    assert net.ledger.staking_requirement == 200 * SESH
    assert net.confirm(net.registration(1))[1] is Outcome.STAKE_TOTAL_MISMATCH
    net.register(2, [(addr(2), 200 * SESH)])
    assert net.ledger.nodes[node_keys(2).pubkey].staking_requirement == 200 * SESH
    assert net.confirm(net.requirement(0))[1] is Outcome.BAD_REQUIREMENT
