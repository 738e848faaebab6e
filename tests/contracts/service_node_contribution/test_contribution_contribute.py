"""contributeFunds and finalize: the operator first, the minimum-contribution formula,
reservations, beneficiaries, the contributor limit, automatic and manual registration."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.chain import Chain, revert_data

from ...support.contracts import block_time, error_of
from .conftest import SESH, STAKE, ZERO, Status, System, events, logs

pytestmark = pytest.mark.anvil

QUARTER = STAKE // 4  # 30 SESH: the operator's minimum
SLOT = 10 * SESH  # the next minimum after the operator's quarter: 90 SESH over 9 slots


def abi(system: System) -> list[dict[str, Any]]:
    return [*system.contribution_artifact.abi, *system.rewards.abi]


def ceil_div(a: int, b: int) -> int:
    return (a - 1) // b + 1


# -- the operator's first contribution ---------------------------------------------------------


def test_the_operator_opens_the_contract(system: System, chain: Chain, operator: str) -> None:
    contract, _, _ = system.create(operator)
    before = system.balance(operator)
    receipt = system.contribute(contract, operator, QUARTER)

    assert events(contract, receipt) == ["OpenForPublicContribution", "NewContribution"]
    assert logs(contract.events.NewContribution, receipt) == [
        {"contributor": operator, "beneficiary": operator, "amount": QUARTER}
    ]
    views = contract.functions
    assert views.status().call() == Status.OPEN
    assert views.contributions(operator).call() == QUARTER
    assert views.contributionTimestamp(operator).call() == block_time(chain, receipt)
    assert tuple(views.contributorAddresses(0).call()) == (operator, operator)
    assert tuple(views._contributorAddresses(0).call()) == (operator, operator)
    assert views.contributorAddressesLength().call() == 1
    assert views.operatorContribution().call() == QUARTER
    assert views.totalContribution().call() == QUARTER
    assert views.getContributions().call() == [[operator], [operator], [QUARTER]]
    assert system.balance(contract.address) == QUARTER
    assert system.balance(operator) == before - QUARTER


def test_results_read_by_the_reference_names(
    system: System, chain: Chain, operator: str, stranger: str
) -> None:
    # Client code reads results by name (ethers' result.X, web3's decode_tuples); Vyper names no
    # return value, the published ABI carries the reference's names.
    contract, node, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    named = chain.w3.eth.contract(
        address=contract.address, abi=system.contribution_artifact.abi, decode_tuples=True
    )
    key = named.functions.blsPubkey().call()
    x, y = node.xy
    assert key._asdict() == {"X": x, "Y": y}  # ethers: key.X, key.Y
    contributions = named.functions.getContributions().call()
    assert (contributions.addrs, contributions.beneficiaries, contributions.contribs) == (
        [operator],
        [operator],
        [QUARTER],
    )
    entry = named.functions._contributorAddresses(0).call()
    assert (entry.addr, entry.beneficiary) == (operator, operator)
    params = named.functions._serviceNodeParams().call()
    assert (params.serviceNodePubkey, params.fee) == (node.ed25519, 0)
    reserved = named.functions.reservedContributions(stranger).call()
    assert (reserved.amount, reserved.received) == (0, False)
    rewards = chain.w3.eth.contract(
        address=system.rewards.address, abi=system.rewards.abi, decode_tuples=True
    )
    recipient = rewards.functions.recipients(stranger).call()
    assert (recipient.rewards, recipient.claimed) == (0, 0)


def test_nobody_contributes_before_the_operator(
    system: System, operator: str, contributors: list[str]
) -> None:
    contract, _, _ = system.create(operator)
    system.approve(contract, contributors[0], STAKE)
    call = contract.functions.contributeFunds(QUARTER, ZERO)
    assert error_of(lambda: call.call({"from": contributors[0]}), abi(system)) == (
        "FirstContributionMustBeOperator",
        (contributors[0], operator),
    )


def test_the_operator_contributes_at_least_a_quarter(system: System, operator: str) -> None:
    contract, _, _ = system.create(operator)
    assert contract.functions.minimumContribution().call() == QUARTER
    assert contract.functions.minimumOperatorContribution(STAKE).call() == QUARTER
    system.approve(contract, operator, STAKE)
    call = contract.functions.contributeFunds(QUARTER - 1, ZERO)
    assert error_of(lambda: call.call({"from": operator}), abi(system)) == (
        "ContributionBelowMinAmount",
        (QUARTER - 1, QUARTER),
    )


# -- the public --------------------------------------------------------------------------------


def test_a_new_contributor_pays_at_least_the_minimum(
    system: System, operator: str, contributors: list[str]
) -> None:
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    assert contract.functions.minimumContribution().call() == SLOT
    system.approve(contract, contributors[0], STAKE)
    call = contract.functions.contributeFunds(SLOT - 1, ZERO)
    assert error_of(lambda: call.call({"from": contributors[0]}), abi(system)) == (
        "ContributionBelowMinAmount",
        (SLOT - 1, SLOT),
    )
    system.contribute(contract, contributors[0], SLOT + 7)
    # What remains, shared among the slots left, rounded up.
    remaining = STAKE - QUARTER - SLOT - 7
    assert contract.functions.minimumContribution().call() == ceil_div(remaining, 8)


def test_the_minimum_contribution_formula(system: System, operator: str) -> None:
    contract, _, _ = system.create(operator)
    calc = contract.functions.calcMinimumContribution
    assert calc(120, 0, 10).call() == 30
    assert calc(121, 0, 10).call() == 31
    assert calc(90, 1, 10).call() == 10
    assert calc(91, 1, 10).call() == 11
    assert calc(1, 5, 10).call() == 1
    assert calc(7, 9, 10).call() == 7
    assert contract.functions.minimumOperatorContribution(121).call() == 31
    for n, maximum in ((10, 10), (11, 10), (0, 0)):
        assert error_of(lambda n=n, m=maximum: calc(5, n, m).call(), abi(system)) == (
            "CalcMinContributionGivenBadContribArgs",
            (n, maximum),
        )
    # Nothing left to contribute: the reference's (x - 1) underflows; ours reverts too.
    assert revert_data(lambda: calc(0, 1, 10).call()) == b""


def test_contributions_never_exceed_the_requirement(
    system: System, operator: str, contributors: list[str]
) -> None:
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    system.approve(contract, contributors[0], STAKE)
    call = contract.functions.contributeFunds(STAKE - QUARTER + 1, ZERO)
    assert error_of(lambda: call.call({"from": contributors[0]}), abi(system)) == (
        "ContributionExceedsStakingRequirement",
        (STAKE + 1, 0, STAKE),
    )


def test_a_beneficiary_named_with_the_first_contribution(
    system: System, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER, beneficiary=stranger)
    receipt = system.contribute(contract, contributors[0], SLOT, beneficiary=stranger)
    assert events(contract, receipt) == ["NewContribution"]
    assert logs(contract.events.NewContribution, receipt)[0]["beneficiary"] == stranger
    assert tuple(contract.functions.contributorAddresses(0).call()) == (operator, stranger)
    assert tuple(contract.functions.contributorAddresses(1).call()) == (contributors[0], stranger)


def test_a_top_up_needs_no_minimum_and_sets_the_beneficiary(
    system: System, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    who = contributors[0]
    system.contribute(contract, who, SLOT, beneficiary=stranger)

    # A top-up with no beneficiary makes the contributor their own again, as the reference.
    receipt = system.contribute(contract, who, 1)
    assert events(contract, receipt) == ["UpdateStakerBeneficiary", "NewContribution"]
    assert logs(contract.events.UpdateStakerBeneficiary, receipt) == [
        {"staker": who, "newBeneficiary": who}
    ]
    assert contract.functions.contributions(who).call() == SLOT + 1
    assert contract.functions.contributorAddressesLength().call() == 2
    receipt = system.contribute(contract, who, 2)
    assert events(contract, receipt) == ["NewContribution"]
    receipt = system.contribute(contract, operator, 3, beneficiary=stranger)
    assert logs(contract.events.UpdateStakerBeneficiary, receipt) == [
        {"staker": operator, "newBeneficiary": stranger}
    ]
    assert contract.functions.getContributions().call() == [
        [operator, who],
        [stranger, who],
        [QUARTER + 3, SLOT + 3],
    ]
    assert contract.functions.totalContribution().call() == QUARTER + SLOT + 6


# -- registration ------------------------------------------------------------------------------


def test_the_filling_contribution_registers_the_node(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, node, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    system.contribute(contract, contributors[0], QUARTER, beneficiary=stranger)
    held = system.balance(system.rewards.address)
    receipt = system.contribute(contract, contributors[1], STAKE // 2)

    assert events(contract, receipt) == ["Filled", "NewContribution", "Finalized"]
    assert contract.functions.status().call() == Status.FINALIZED
    (registered,) = logs(system.rewards.events.NewServiceNodeV2, receipt)
    assert registered["initiator"] == contract.address
    node_id = registered["serviceNodeID"]
    assert system.node_contributors(node_id) == [
        (operator, operator, QUARTER),
        (contributors[0], stranger, QUARTER),
        (contributors[1], contributors[1], STAKE // 2),
    ]
    stored = system.rewards.functions.serviceNodes(node_id).call()
    assert stored[2] == operator
    assert tuple(stored[3]) == node.xy
    assert stored[9] == node.ed25519
    assert system.balance(contract.address) == 0
    assert system.balance(system.rewards.address) == held + STAKE
    assert system.token.functions.allowance(contract.address, system.rewards.address).call() == 0
    assert block_time(chain, receipt) > 0


def test_manual_finalize_waits_for_the_operator(
    system: System, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, _, _ = system.create(operator, manual=True)
    finalize = contract.functions.finalize()
    assert error_of(lambda: finalize.call({"from": operator}), abi(system)) == (
        "FinalizeNotPossible",
        (Status.WAIT_FOR_OPERATOR,),
    )
    system.contribute(contract, operator, QUARTER)
    assert error_of(lambda: finalize.call({"from": operator}), abi(system)) == (
        "FinalizeNotPossible",
        (Status.OPEN,),
    )
    receipt = system.contribute(contract, contributors[0], STAKE - QUARTER)
    assert events(contract, receipt) == ["Filled", "NewContribution"]
    assert contract.functions.status().call() == Status.WAIT_FOR_FINALIZED
    assert logs(system.rewards.events.NewServiceNodeV2, receipt) == []

    system.approve(contract, contributors[1], STAKE)
    more = contract.functions.contributeFunds(SLOT, ZERO)
    assert error_of(lambda: more.call({"from": contributors[1]}), abi(system)) == (
        "ContributeFundsNotPossible",
        (Status.WAIT_FOR_FINALIZED,),
    )
    assert error_of(lambda: finalize.call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    receipt = system.chain.transact(finalize, operator)
    assert events(contract, receipt) == ["Finalized"]
    node_id = system.registered_id(receipt)
    assert [c[0] for c in system.node_contributors(node_id)] == [operator, contributors[0]]
    assert error_of(lambda: finalize.call({"from": operator}), abi(system)) == (
        "FinalizeNotPossible",
        (Status.FINALIZED,),
    )
    assert error_of(lambda: more.call({"from": contributors[1]}), abi(system)) == (
        "ContributeFundsNotPossible",
        (Status.FINALIZED,),
    )


def test_ten_contributors_fill_a_node(
    system: System, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    public = [*contributors, stranger, *(system.extra_account(i) for i in range(3))]
    for who in public[:-1]:
        system.contribute(contract, who, SLOT)
    receipt = system.contribute(contract, public[-1], SLOT)
    node_id = system.registered_id(receipt)
    registered = system.node_contributors(node_id)
    assert [c[0] for c in registered] == [operator, *public]
    assert sum(c[2] for c in registered) == STAKE


def test_a_failed_registration_undoes_the_filling_contribution(
    system: System, owner: str, operator: str, contributors: list[str]
) -> None:
    # Registration runs inside the filling contribution, so its refusal is the contribution's.
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    system.chain.transact(system.rewards.functions.pause(), owner)
    system.approve(contract, contributors[0], STAKE)
    call = contract.functions.contributeFunds(STAKE - QUARTER, ZERO)
    assert error_of(lambda: call.call({"from": contributors[0]}), abi(system)) == (
        "EnforcedPause",
        (),
    )
    assert contract.functions.status().call() == Status.OPEN


# -- reservations ------------------------------------------------------------------------------


def test_reserved_contributors_pay_their_reservation(
    system: System, operator: str, contributors: list[str], stranger: str
) -> None:
    first, second = contributors[0], contributors[1]
    reserved = [(operator, QUARTER), (first, 20 * SESH), (second, 10 * SESH)]
    contract, _, _ = system.create(operator, reserved=reserved)
    views = contract.functions
    assert views.totalReservedContribution().call() == 60 * SESH
    assert views.getReserved().call() == [
        [operator, first, second],
        [QUARTER, 20 * SESH, 10 * SESH],
        [False, False, False],
    ]
    assert views.reservedContributionsAddresses(1).call() == first
    assert tuple(views.reservedContributions(first).call()) == (20 * SESH, False)
    assert tuple(views.reservedContributions(stranger).call()) == (0, False)

    system.contribute(contract, operator, QUARTER)
    # Unreserved slots share what is neither contributed nor reserved: 60 over 7 slots.
    assert views.minimumContribution().call() == ceil_div(60 * SESH, 7)
    system.approve(contract, first, STAKE)
    short = contract.functions.contributeFunds(20 * SESH - 1, ZERO)
    assert error_of(lambda: short.call({"from": first}), abi(system)) == (
        "ContributionBelowReservedAmount",
        (20 * SESH - 1, 20 * SESH),
    )
    system.contribute(contract, first, 25 * SESH)
    assert tuple(views.reservedContributions(first).call()) == (20 * SESH, True)
    assert views.totalReservedContribution().call() == 10 * SESH
    assert views.getReserved().call()[2] == [True, True, False]

    system.approve(contract, stranger, STAKE)
    greedy = contract.functions.contributeFunds(61 * SESH, ZERO)
    assert error_of(lambda: greedy.call({"from": stranger}), abi(system)) == (
        "ContributionExceedsStakingRequirement",
        (QUARTER + 25 * SESH + 61 * SESH, 10 * SESH, STAKE),
    )
    system.contribute(contract, stranger, 55 * SESH)
    receipt = system.contribute(contract, second, 10 * SESH)
    node_id = system.registered_id(receipt)
    assert [c[0] for c in system.node_contributors(node_id)] == [operator, first, stranger, second]


def test_an_operator_with_a_reservation_pays_it(system: System, operator: str) -> None:
    contract, _, _ = system.create(operator, reserved=[(operator, 40 * SESH)])
    system.approve(contract, operator, STAKE)
    call = contract.functions.contributeFunds(QUARTER, ZERO)
    assert error_of(lambda: call.call({"from": operator}), abi(system)) == (
        "ContributionBelowReservedAmount",
        (QUARTER, 40 * SESH),
    )


def test_reservations_can_leave_no_slot_for_the_public(
    system: System, operator: str, contributors: list[str], stranger: str
) -> None:
    holders = [*contributors, *(system.extra_account(i) for i in range(4))]
    reserved = [(operator, QUARTER)] + [(h, SLOT) for h in holders]
    contract, _, _ = system.create(operator, reserved=reserved)
    system.contribute(contract, operator, QUARTER)
    assert error_of(lambda: contract.functions.minimumContribution().call(), abi(system)) == (
        "CalcMinContributionGivenBadContribArgs",
        (10, 10),
    )
    system.approve(contract, stranger, STAKE)
    call = contract.functions.contributeFunds(SLOT, ZERO)
    assert error_of(lambda: call.call({"from": stranger}), abi(system)) == (
        "CalcMinContributionGivenBadContribArgs",
        (10, 10),
    )
    for holder in holders:
        receipt = system.contribute(contract, holder, SLOT)
    assert len(system.node_contributors(system.registered_id(receipt))) == 10


# -- the rewards contract changing under a contract --------------------------------------------


def test_zellic_4_4_a_changed_staking_requirement_stops_contributions(
    system: System, chain: Chain, owner: str, operator: str, contributors: list[str]
) -> None:
    # Z1 4.4: the contract keeps the requirement it was made with; after the owner changes
    # the rewards contract's, contributions stop (with the reference's error, which names
    # maxContributors), while withdrawals and the operator's reset still refund.
    contract, _, _ = system.create(operator)
    system.contribute(contract, operator, QUARTER)
    receipt = system.contribute(contract, contributors[0], SLOT)
    chain.transact(system.rewards.functions.setStakingRequirement(2 * STAKE), owner)
    assert contract.functions.stakingRequirement().call() == STAKE

    system.approve(contract, contributors[1], STAKE)
    call = contract.functions.contributeFunds(SLOT, ZERO)
    assert error_of(lambda: call.call({"from": contributors[1]}), abi(system)) == (
        "RewardsContractMaxContributorsChanged",
        (STAKE, 2 * STAKE),
    )
    before = system.balance(contributors[0])
    chain.mine(block_time(chain, receipt) + 86_400)
    chain.transact(contract.functions.withdrawContribution(), contributors[0])
    assert system.balance(contributors[0]) == before + SLOT
    before = system.balance(operator)
    chain.transact(contract.functions.reset(), operator)
    assert system.balance(operator) == before + QUARTER
    assert system.balance(contract.address) == 0
