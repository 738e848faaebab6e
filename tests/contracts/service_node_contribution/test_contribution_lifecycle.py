"""Leaving and starting over: withdrawContribution, reset, resetUpdateAndContribute; the
operator's updates (fee, keys, reservations, manual finalize), updateBeneficiary and
rescueERC20."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.chain import Chain

from ...support.contracts import block_time, error_of, send_at
from .conftest import DAY, SESH, SETUP_EVENTS, STAKE, ZERO, Status, System, events, fresh_node, logs

pytestmark = pytest.mark.anvil

QUARTER = STAKE // 4
SLOT = 10 * SESH


def abi(system: System) -> list[dict[str, Any]]:
    return [*system.contribution_artifact.abi, *system.rewards.abi]


def opened(system: System, operator: str, **kwargs: Any) -> Any:
    """A contract the operator has opened with a quarter."""
    contract, _, _ = system.create(operator, **kwargs)
    system.contribute(contract, operator, QUARTER)
    return contract


# -- withdrawContribution ----------------------------------------------------------------------


def test_a_withdrawal_waits_a_day_after_the_last_contribution(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    contract = opened(system, operator)
    who = contributors[0]
    system.contribute(contract, who, SLOT)
    receipt = system.contribute(contract, who, 1)
    at = block_time(chain, receipt)
    chain.mine(at + DAY - 1)
    withdraw = contract.functions.withdrawContribution()
    assert error_of(lambda: withdraw.call({"from": who}), abi(system)) == (
        "WithdrawTooEarly",
        (at, at + DAY - 1, DAY),
    )
    before = system.balance(who)
    receipt = send_at(chain, withdraw, who, at + DAY)
    assert logs(contract.events.WithdrawContribution, receipt) == [
        {"contributor": who, "amount": SLOT + 1}
    ]
    assert system.balance(who) == before + SLOT + 1
    assert contract.functions.contributions(who).call() == 0
    assert contract.functions.contributionTimestamp(who).call() == 0
    assert contract.functions.totalContribution().call() == QUARTER
    assert contract.functions.getContributions().call() == [[operator], [operator], [QUARTER]]


def test_a_withdrawal_moves_the_last_contributor_into_the_gap(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    contract = opened(system, operator)
    a, b, c = contributors[:3]
    system.contribute(contract, a, SLOT)
    system.contribute(contract, b, SLOT + 1, beneficiary=stranger)
    receipt = system.contribute(contract, c, SLOT + 2)
    chain.mine(block_time(chain, receipt) + DAY)
    chain.transact(contract.functions.withdrawContribution(), a)
    assert contract.functions.getContributions().call() == [
        [operator, c, b],
        [operator, c, stranger],
        [QUARTER, SLOT + 2, SLOT + 1],
    ]
    assert contract.functions.contributionTimestamp(c).call() == block_time(chain, receipt)
    assert system.balance(contract.address) == QUARTER + 2 * SLOT + 3


def test_a_withdrawal_frees_a_reservation_without_removing_it(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    who = contributors[0]
    contract = opened(system, operator, reserved=[(operator, QUARTER), (who, 20 * SESH)])
    receipt = system.contribute(contract, who, 20 * SESH)
    assert contract.functions.totalReservedContribution().call() == 0
    chain.mine(block_time(chain, receipt) + DAY)
    chain.transact(contract.functions.withdrawContribution(), who)
    assert tuple(contract.functions.reservedContributions(who).call()) == (20 * SESH, False)
    assert contract.functions.totalReservedContribution().call() == 20 * SESH
    system.contribute(contract, who, 20 * SESH)
    assert contract.functions.getReserved().call()[2] == [True, True]


def test_a_stranger_withdrawal_does_nothing(
    system: System, chain: Chain, operator: str, stranger: str
) -> None:
    contract = opened(system, operator)
    receipt = chain.transact(contract.functions.withdrawContribution(), stranger)
    assert receipt["logs"] == []
    assert contract.functions.totalContribution().call() == QUARTER


def test_the_operator_withdrawal_resets_everything(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    contract = opened(system, operator)
    system.contribute(contract, contributors[0], SLOT)
    before = [system.balance(a) for a in (operator, contributors[0])]
    receipt = chain.transact(contract.functions.withdrawContribution(), operator)
    assert events(contract, receipt) == ["UpdateReservedContributors", "Reset"]
    assert [system.balance(a) for a in (operator, contributors[0])] == [
        before[0] + QUARTER,
        before[1] + SLOT,
    ]
    assert contract.functions.status().call() == Status.WAIT_FOR_OPERATOR


def test_zellic_2_3_1_a_withdrawal_reopens_a_full_contract(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    # Z2 3.1: with manual finalize, a withdrawal from a full contract must not leave it stuck
    # in WaitForFinalized: it opens again, and a new contributor can fill it.
    contract = opened(system, operator, manual=True)
    receipt = system.contribute(contract, contributors[0], STAKE - QUARTER)
    assert contract.functions.status().call() == Status.WAIT_FOR_FINALIZED
    chain.mine(block_time(chain, receipt) + DAY)
    chain.transact(contract.functions.withdrawContribution(), contributors[0])
    assert contract.functions.status().call() == Status.OPEN
    finalize = contract.functions.finalize()
    assert error_of(lambda: finalize.call({"from": operator}), abi(system)) == (
        "FinalizeNotPossible",
        (Status.OPEN,),
    )
    system.contribute(contract, contributors[1], STAKE - QUARTER)
    assert contract.functions.status().call() == Status.WAIT_FOR_FINALIZED
    receipt = chain.transact(finalize, operator)
    node_id = system.registered_id(receipt)
    assert [c[0] for c in system.node_contributors(node_id)] == [operator, contributors[1]]


def test_after_registration_a_withdrawal_only_drops_the_bookkeeping(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    contract = opened(system, operator)
    receipt = system.contribute(contract, contributors[0], STAKE - QUARTER)
    assert contract.functions.status().call() == Status.FINALIZED
    chain.mine(block_time(chain, receipt) + DAY)
    before = system.balance(contributors[0])
    receipt = chain.transact(contract.functions.withdrawContribution(), contributors[0])
    assert receipt["logs"] == []
    assert system.balance(contributors[0]) == before
    assert contract.functions.status().call() == Status.FINALIZED
    assert contract.functions.getContributions().call() == [[operator], [operator], [QUARTER]]


# -- reset -------------------------------------------------------------------------------------


def test_reset_refunds_everyone_and_clears_reservations(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    who = contributors[0]
    contract = opened(system, operator, reserved=[(operator, QUARTER), (who, 20 * SESH)])
    system.contribute(contract, who, 20 * SESH)
    system.contribute(contract, stranger, SLOT)
    reset = contract.functions.reset()
    assert error_of(lambda: reset.call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    before = {a: system.balance(a) for a in (operator, who, stranger)}
    receipt = chain.transact(reset, operator)
    assert events(contract, receipt) == ["UpdateReservedContributors", "Reset"]
    assert logs(contract.events.UpdateReservedContributors, receipt) == [
        {"newReservedContributors": []}
    ]
    paid = {operator: QUARTER, who: 20 * SESH, stranger: SLOT}
    assert {a: system.balance(a) - before[a] for a in before} == paid
    views = contract.functions
    assert system.balance(contract.address) == 0
    assert views.status().call() == Status.WAIT_FOR_OPERATOR
    assert views.getContributions().call() == [[], [], []]
    assert views.getReserved().call() == [[], [], []]
    assert views.totalContribution().call() == 0
    assert views.contributions(who).call() == 0
    assert tuple(views.reservedContributions(who).call()) == (0, False)
    assert views.minimumContribution().call() == QUARTER
    # The contract can be filled again from the start; stale slots are never read.
    system.contribute(contract, operator, QUARTER + 1)
    assert views.getContributions().call() == [[operator], [operator], [QUARTER + 1]]


def test_reset_after_registration_refunds_nothing_and_allows_a_new_node(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    contract = opened(system, operator)
    system.contribute(contract, contributors[0], STAKE - QUARTER)
    before = system.balance(operator)
    chain.transact(contract.functions.reset(), operator)
    assert system.balance(operator) == before
    assert contract.functions.status().call() == Status.WAIT_FOR_OPERATOR

    node = fresh_node()
    receipt = chain.transact(
        contract.functions.resetUpdateAndContribute(
            node.xy, system.pop(node, operator), system.params(node, 55), [], False, ZERO, 0
        ),
        operator,
    )
    assert events(contract, receipt) == SETUP_EVENTS
    assert contract.functions.status().call() == Status.WAIT_FOR_OPERATOR
    system.contribute(contract, operator, QUARTER)
    receipt = system.contribute(contract, contributors[1], STAKE - QUARTER)
    stored = system.rewards.functions.serviceNodes(system.registered_id(receipt)).call()
    assert tuple(stored[3]) == node.xy


def test_a_reset_keeps_the_registered_key_so_refilling_needs_new_keys(
    system: System, chain: Chain, operator: str, contributors: list[str]
) -> None:
    # As in the reference: reset leaves keys, fee and flag as they were, and the rewards
    # contract refuses a key it already holds, so the refilling contribution fails with it.
    contract = opened(system, operator)
    receipt = system.contribute(contract, contributors[0], STAKE - QUARTER)
    node_id = system.registered_id(receipt)
    chain.transact(contract.functions.withdrawContribution(), operator)
    system.contribute(contract, operator, QUARTER)
    system.approve(contract, contributors[0], STAKE)
    refill = contract.functions.contributeFunds(STAKE - QUARTER, ZERO)
    assert error_of(lambda: refill.call({"from": contributors[0]}), abi(system)) == (
        "BLSPubkeyAlreadyExists",
        (node_id,),
    )


def test_reset_update_and_contribute_opens_with_the_operator_stake(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    contract = opened(system, operator)
    system.contribute(contract, contributors[0], SLOT)
    node = fresh_node()
    system.approve(contract, operator, 40 * SESH)
    refunded = system.balance(contributors[0])
    call = contract.functions.resetUpdateAndContribute(
        node.xy,
        system.pop(node, operator),
        system.params(node, 300),
        [(operator, 40 * SESH), (stranger, 20 * SESH)],
        True,
        stranger,
        40 * SESH,
    )
    assert error_of(lambda: call.call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    receipt = chain.transact(call, operator)
    assert events(contract, receipt)[-3:] == [
        "UpdateManualFinalize",
        "OpenForPublicContribution",
        "NewContribution",
    ]
    views = contract.functions
    assert system.balance(contributors[0]) == refunded + SLOT
    assert views.status().call() == Status.OPEN
    assert views.manualFinalize().call() is True
    assert tuple(views.blsPubkey().call()) == node.xy
    assert views.serviceNodeParams().call()[3] == 300
    assert views.getContributions().call() == [[operator], [stranger], [40 * SESH]]
    assert views.getReserved().call() == [
        [operator, stranger],
        [40 * SESH, 20 * SESH],
        [True, False],
    ]


# -- the operator's updates --------------------------------------------------------------------


def test_update_fee(system: System, chain: Chain, operator: str, stranger: str) -> None:
    contract, node, _ = system.create(operator)
    update = contract.functions.updateFee
    assert error_of(lambda: update(1).call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    assert error_of(lambda: update(10_001).call({"from": operator}), abi(system)) == (
        "FeeExceedsPossibleValue",
        (10_001, 10_000),
    )
    receipt = chain.transact(update(10_000), operator)
    assert logs(contract.events.UpdateFee, receipt) == [{"newFee": 10_000}]
    assert tuple(contract.functions._serviceNodeParams().call()) == system.params(node, 10_000)
    system.contribute(contract, operator, QUARTER)
    assert error_of(lambda: update(1).call({"from": operator}), abi(system)) == (
        "RequireWaitForOperatorContribStatus",
        (Status.OPEN,),
    )


def test_update_pubkeys(system: System, chain: Chain, operator: str, stranger: str) -> None:
    contract, _, _ = system.create(operator)
    node = fresh_node()

    def update(pop: Any) -> Any:
        return contract.functions.updatePubkeys(node.xy, pop, node.ed25519, 11, 12)

    assert error_of(
        lambda: update(system.pop(node, stranger)).call({"from": operator}), abi(system)
    ) == (
        "InvalidBLSProofOfPossession",
        (),
    )
    good = update(system.pop(node, operator))
    assert error_of(lambda: good.call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    receipt = chain.transact(good, operator)
    (event,) = logs(contract.events.UpdatePubkeys, receipt)
    assert tuple(event["newBLSPubkey"].values()) == node.xy
    assert event["newEd25519Pubkey"] == node.ed25519
    assert tuple(contract.functions.blsPubkey().call()) == node.xy
    assert tuple(contract.functions.blsSignature().call()) == system.pop(node, operator)
    assert tuple(contract.functions.serviceNodeParams().call()) == (node.ed25519, 11, 12, 0)
    system.contribute(contract, operator, QUARTER)
    assert error_of(lambda: good.call({"from": operator}), abi(system)) == (
        "RequireWaitForOperatorContribStatus",
        (Status.OPEN,),
    )


def test_update_reserved_contributors_checks_every_entry(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, _, _ = system.create(operator, reserved=[(operator, QUARTER)])
    a, b = contributors[:2]
    pct = STAKE // 100

    def refused(reserved: list[tuple[str, int]]) -> tuple[str, tuple[Any, ...]]:
        call = contract.functions.updateReservedContributors(reserved)
        return error_of(lambda: call.call({"from": operator}), abi(system))

    eleven = [(operator, QUARTER)] + [(system.extra_account(i), SLOT) for i in range(10)]
    assert refused(eleven) == ("TooManyReservedContributors", (11, 10))
    assert refused([(a, QUARTER)]) == ("FirstReservedContributorMustBeOperator", (0, operator))
    assert refused([(operator, QUARTER), (ZERO, SLOT)]) == (
        "ReservedContributorHasZeroAddress",
        (1,),
    )
    assert refused([(operator, QUARTER), (a, SLOT), (a, SLOT)]) == (
        "DuplicateAddressInReservedContributor",
        (2,),
    )
    # contracts.md §3: [25 %, 10 %, 5 %] fails at the third (5 % < 65 % / 8).
    assert refused([(operator, 25 * pct), (a, 10 * pct), (b, 5 * pct)]) == (
        "ReservedContributionBelowMinAmount",
        (2, 5 * pct, ceil_div(65 * pct, 8)),
    )
    assert refused([(operator, 25 * pct - 1)]) == (
        "ReservedContributionBelowMinAmount",
        (0, 25 * pct - 1, 25 * pct),
    )
    assert refused([(operator, 25 * pct), (a, 80 * pct)]) == (
        "ReservedContributionExceedsStakingRequirement",
        (1, 80 * pct, 75 * pct),
    )
    update = contract.functions.updateReservedContributors
    assert error_of(lambda: update([]).call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    good = [(operator, 25 * pct), (a, 70 * pct), (b, 5 * pct)]
    receipt = chain.transact(update(good), operator)
    assert [
        list(r.values())
        for r in logs(contract.events.UpdateReservedContributors, receipt)[0][
            "newReservedContributors"
        ]
    ] == [list(r) for r in good]
    assert contract.functions.getReserved().call() == [
        [operator, a, b],
        [25 * pct, 70 * pct, 5 * pct],
        [False, False, False],
    ]
    # A shorter list replaces the longer one.
    chain.transact(update([(operator, 50 * pct)]), operator)
    assert contract.functions.getReserved().call() == [[operator], [50 * pct], [False]]
    assert tuple(contract.functions.reservedContributions(a).call()) == (0, False)
    system.contribute(contract, operator, 50 * pct)
    assert error_of(lambda: update([]).call({"from": operator}), abi(system)) == (
        "RequireWaitForOperatorContribStatus",
        (Status.OPEN,),
    )


def test_update_manual_finalize_in_any_state(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    contract = opened(system, operator, manual=True)
    update = contract.functions.updateManualFinalize
    assert error_of(lambda: update(False).call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    system.contribute(contract, contributors[0], STAKE - QUARTER)
    receipt = chain.transact(update(False), operator)
    assert logs(contract.events.UpdateManualFinalize, receipt) == [{"newValue": False}]
    assert contract.functions.manualFinalize().call() is False
    # Turning it off does not register a full contract by itself; finalize does.
    assert contract.functions.status().call() == Status.WAIT_FOR_FINALIZED
    chain.transact(contract.functions.finalize(), operator)
    assert contract.functions.status().call() == Status.FINALIZED
    chain.transact(update(True), operator)
    assert contract.functions.manualFinalize().call() is True


# -- updateBeneficiary -------------------------------------------------------------------------


def test_zellic_2_3_2_beneficiaries_change_only_while_the_node_is_open(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    # Z2 3.2: after registration the list lives in ServiceNodeRewards, so a change here
    # would look applied and change nothing; it is refused, as before the operator opens.
    contract, node, _ = system.create(operator, manual=True)
    update = contract.functions.updateBeneficiary
    closed = ("BeneficiaryUpdatingDisabledNodeIsNotOpen", (node.ed25519,))
    assert error_of(lambda: update(stranger).call({"from": operator}), abi(system)) == closed

    system.contribute(contract, operator, QUARTER)
    system.contribute(contract, contributors[0], SLOT)
    assert error_of(lambda: update(stranger).call({"from": stranger}), abi(system)) == (
        "NonContributorUpdatedBeneficiary",
        (stranger,),
    )
    receipt = chain.transact(update(stranger), contributors[0])
    assert logs(contract.events.UpdateStakerBeneficiary, receipt) == [
        {"staker": contributors[0], "newBeneficiary": stranger}
    ]
    assert chain.transact(update(stranger), contributors[0])["logs"] == []
    assert chain.transact(update(ZERO), operator)["logs"] == []  # zero: the caller, unchanged
    chain.transact(update(stranger), operator)
    assert tuple(contract.functions.contributorAddresses(0).call()) == (operator, stranger)

    system.contribute(contract, contributors[1], STAKE - QUARTER - SLOT)
    assert contract.functions.status().call() == Status.WAIT_FOR_FINALIZED
    chain.transact(update(ZERO), contributors[1])
    receipt = chain.transact(update(operator), contributors[1])
    assert logs(contract.events.UpdateStakerBeneficiary, receipt) == [
        {"staker": contributors[1], "newBeneficiary": operator}
    ]
    receipt = chain.transact(contract.functions.finalize(), operator)
    assert system.node_contributors(system.registered_id(receipt)) == [
        (operator, stranger, QUARTER),
        (contributors[0], stranger, SLOT),
        (contributors[1], operator, STAKE - QUARTER - SLOT),
    ]
    assert error_of(lambda: update(ZERO).call({"from": contributors[0]}), abi(system)) == closed


# -- rescueERC20 -------------------------------------------------------------------------------


def test_rescue_only_without_contributions_held(
    system: System, chain: Chain, owner: str, operator: str, contributors: list[str], stranger: str
) -> None:
    contract, _, _ = system.create(operator)
    rescue = contract.functions.rescueERC20(system.token.address)
    assert error_of(lambda: rescue.call({"from": operator}), abi(system)) == (
        "RescueBalanceIsEmpty",
        (system.token.address,),
    )
    chain.transact(system.token.functions.transfer(contract.address, 5 * SESH), owner)
    assert error_of(lambda: rescue.call({"from": stranger}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (stranger, operator),
    )
    before = system.balance(operator)
    chain.transact(rescue, operator)
    assert system.balance(operator) == before + 5 * SESH
    assert system.balance(contract.address) == 0

    system.contribute(contract, operator, QUARTER)
    assert error_of(lambda: rescue.call({"from": operator}), abi(system)) == (
        "RescueNotPossible",
        (Status.OPEN,),
    )
    system.contribute(contract, contributors[0], STAKE - QUARTER)
    chain.transact(system.token.functions.transfer(contract.address, 3 * SESH), owner)
    before = system.balance(operator)
    chain.transact(rescue, operator)
    assert system.balance(operator) == before + 3 * SESH


def test_rescue_is_refused_while_a_full_contract_waits(
    system: System, operator: str, contributors: list[str]
) -> None:
    contract = opened(system, operator, manual=True)
    system.contribute(contract, contributors[0], STAKE - QUARTER)
    rescue = contract.functions.rescueERC20(system.token.address)
    assert error_of(lambda: rescue.call({"from": operator}), abi(system)) == (
        "RescueNotPossible",
        (Status.WAIT_FOR_FINALIZED,),
    )


def ceil_div(a: int, b: int) -> int:
    return (a - 1) // b + 1
