"""TokenVestingStaking in multi-contributor nodes: contributeFunds, withdrawContribution and
updateBeneficiary on contribution contracts made by the real factory (and nothing else).

The contribution implementation and the factory (behind its proxy) are deployed here beside the
started rewards contract; the operator of each contribution contract is the set's owner, who
stakes the first quarter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.bls import DomainTags
from sesh.evm.artifacts import compile_contract
from sesh.evm.chain import Chain
from sesh.evm.compiler import CONTRACTS_DIR, Artifact

from ...support.contracts import at, error_of, reason_of
from ...support.nodes import pop
from .conftest import DAY, GRANT, SESH, STAKE, fresh_node, new_node_id, not_started_lock

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20
OPERATOR_SHARE = STAKE // 4
NOT_A_CONTRIBUTION_CONTRACT = "Contract address is not a valid multi-contributor SN contract"


@pytest.fixture(scope="module")
def contribution_artifact() -> Artifact:
    return compile_contract(CONTRACTS_DIR / "ServiceNodeContribution.vy")


@pytest.fixture(scope="module")
def factory(chain: Chain, rewards: Any, contribution_artifact: Artifact) -> Any:
    implementation = chain.deploy(contribution_artifact, rewards.address)
    factory, _ = chain.deploy_upgradeable(
        compile_contract(CONTRACTS_DIR / "ServiceNodeContributionFactory.vy"),
        "initialize",
        [rewards.address],
        constructor_args=[implementation.address],
    )
    return factory


@pytest.fixture(scope="module")
def factory_address(factory: Any) -> str:
    return str(factory.address)


@pytest.fixture(scope="module")
def lock(lock: Any, chain: Chain, opens: int) -> Any:
    """The conftest's lock, naming the real factory, with the clock at its start."""
    at(chain, opens)
    return lock


@pytest.fixture
def contribution(
    chain: Chain,
    factory: Any,
    token: Any,
    tags: DomainTags,
    contribution_artifact: Artifact,
    lock: Any,
    owner: str,
) -> Any:
    """A contribution contract from the factory, its operator (the owner) in for a quarter."""
    node = fresh_node()
    receipt = chain.transact(
        factory.functions.deploy(node.xy, pop(tags, node, owner), node.params(), [], False), owner
    )
    (event,) = factory.events.NewServiceNodeContributionContract().process_receipt(
        receipt, errors=DISCARD
    )
    contract = chain.contract(event.args.contributorContract, contribution_artifact)
    chain.transact(token.functions.approve(contract.address, OPERATOR_SHARE), owner)
    chain.transact(contract.functions.contributeFunds(OPERATOR_SHARE, owner), owner)
    return contract


@pytest.fixture
def contribute(
    chain: Chain, lock: Any, contribution: Any, beneficiary: str, reward_beneficiary: str
) -> Callable[[int], Any]:
    """The beneficiary puts an amount of the lock into ``contribution``, for the reward
    beneficiary; the receipt."""

    def send(amount: int) -> Any:
        call = lock.functions.contributeFunds(contribution.address, amount, reward_beneficiary)
        return chain.transact(call, beneficiary)

    return send


def test_contribute_from_the_lock(
    contribute: Callable[[int], Any],
    lock: Any,
    contribution: Any,
    token: Any,
    reward_beneficiary: str,
) -> None:
    amount = 30 * SESH
    contribute(amount)
    assert contribution.functions.contributions(lock.address).call() == amount
    addresses, beneficiaries, amounts = contribution.functions.getContributions().call()
    assert (addresses[1], beneficiaries[1], amounts[1]) == (
        lock.address,
        reward_beneficiary,
        amount,
    )
    assert token.functions.balanceOf(lock.address).call() == GRANT - amount
    assert token.functions.allowance(lock.address, contribution.address).call() == 0


def test_filling_from_the_lock_registers_the_node_with_the_lock_as_contributor(
    contribute: Callable[[int], Any], lock: Any, rewards: Any, owner: str, reward_beneficiary: str
) -> None:
    rest = STAKE - OPERATOR_SHARE
    receipt = contribute(rest)
    stored = rewards.functions.serviceNodes(new_node_id(rewards, receipt)).call()
    assert [(tuple(c[0]), c[1]) for c in stored[8]] == [
        ((owner, owner), OPERATOR_SHARE),
        ((lock.address, reward_beneficiary), rest),
    ]


def test_withdraw_back_into_the_lock(
    chain: Chain,
    contribute: Callable[[int], Any],
    lock: Any,
    contribution: Any,
    token: Any,
    beneficiary: str,
) -> None:
    amount = 30 * SESH
    contribute(amount)
    call = lock.functions.withdrawContribution(contribution.address)
    name, _ = error_of(lambda: call.call({"from": beneficiary}), contribution.abi)
    assert name == "WithdrawTooEarly"
    at(chain, chain.timestamp() + DAY)
    chain.transact(call, beneficiary)
    assert contribution.functions.contributions(lock.address).call() == 0
    assert token.functions.balanceOf(lock.address).call() == GRANT


def test_update_the_reward_beneficiary(
    chain: Chain,
    contribute: Callable[[int], Any],
    lock: Any,
    contribution: Any,
    beneficiary: str,
    new_beneficiary: str,
) -> None:
    contribute(30 * SESH)
    receipt = chain.transact(
        lock.functions.updateBeneficiary(contribution.address, new_beneficiary), beneficiary
    )
    (event,) = contribution.events.UpdateStakerBeneficiary().process_receipt(
        receipt, errors=DISCARD
    )
    assert (event.args.staker, event.args.newBeneficiary) == (lock.address, new_beneficiary)
    _, beneficiaries, _ = contribution.functions.getContributions().call()
    assert beneficiaries[1] == new_beneficiary


def test_only_contracts_the_factory_made(
    chain: Chain, lock: Any, rewards: Any, beneficiary: str, reward_beneficiary: str
) -> None:
    for target in (rewards.address, chain.accounts[7]):
        calls = [
            lock.functions.contributeFunds(target, 30 * SESH, reward_beneficiary),
            lock.functions.withdrawContribution(target),
            lock.functions.updateBeneficiary(target, reward_beneficiary),
        ]
        for call in calls:
            assert reason_of(lambda call=call: call.call({"from": beneficiary})) == (
                NOT_A_CONTRIBUTION_CONTRACT
            )


def test_a_zero_reward_beneficiary_is_refused(
    lock: Any, contribution: Any, beneficiary: str
) -> None:
    for call in (
        lock.functions.contributeFunds(contribution.address, 30 * SESH, ZERO),
        lock.functions.updateBeneficiary(contribution.address, ZERO),
    ):
        assert reason_of(lambda call=call: call.call({"from": beneficiary})) == (
            "Shared: Zero-address is not permitted"
        )


def test_the_contribution_contracts_errors_pass_through(
    lock: Any, contribution: Any, beneficiary: str, reward_beneficiary: str
) -> None:
    call = lock.functions.contributeFunds(contribution.address, 1, reward_beneficiary)
    name, args = error_of(lambda: call.call({"from": beneficiary}), contribution.abi)
    assert name == "ContributionBelowMinAmount"
    assert args[0] == 1


def test_contribution_calls_belong_to_the_beneficiary_then_to_the_revoker(
    chain: Chain,
    lock: Any,
    contribution: Any,
    token: Any,
    beneficiary: str,
    revoker: str,
    stranger: str,
    reward_beneficiary: str,
) -> None:
    def calls() -> list[Any]:
        return [
            lock.functions.contributeFunds(contribution.address, 30 * SESH, reward_beneficiary),
            lock.functions.withdrawContribution(contribution.address),
            lock.functions.updateBeneficiary(contribution.address, reward_beneficiary),
        ]

    for call in calls():
        assert reason_of(lambda call=call: call.call({"from": stranger})) == (
            "Vesting: Caller must be beneficiary"
        )
    chain.transact(lock.functions.revoke(token.address), revoker)
    for call in calls():
        assert reason_of(lambda call=call: call.call({"from": beneficiary})) == (
            "Vesting: Caller must be revoker"
        )
    chain.transact(calls()[0], revoker)
    assert contribution.functions.contributions(lock.address).call() == 30 * SESH


def test_contribution_calls_wait_for_start(
    chain: Chain,
    make_lock: Callable[..., Any],
    contribution: Any,
    beneficiary: str,
    reward_beneficiary: str,
) -> None:
    later = not_started_lock(chain, make_lock)
    for call in (
        later.functions.contributeFunds(contribution.address, 30 * SESH, reward_beneficiary),
        later.functions.withdrawContribution(contribution.address),
        later.functions.updateBeneficiary(contribution.address, reward_beneficiary),
    ):
        assert reason_of(lambda call=call: call.call({"from": beneficiary})) == (
            "Vesting: not started"
        )
