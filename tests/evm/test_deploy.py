"""sesh.evm.deploy: every profile deploys the set, wired as the reference wires it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3

from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.chain import Chain, TransactionRefused
from sesh.evm.compiler import ERC1967_IMPLEMENTATION_SLOT
from sesh.evm.contract_set import ContractArtifacts, load_artifacts
from sesh.evm.deploy import DeployError, complete, deploy, format_rate
from sesh.evm.profiles import (
    CONVERTER_FUNDING,
    LATE_RATE_DELAY,
    OLD_TOKEN_STAND_IN_SUPPLY,
    POOL_FUNDING,
    PROFILES,
    TOTAL_SUPPLY,
    Profile,
    check_chain,
)
from sesh.evm.record import Deployment, missing_contracts, read_deployment, write_deployment
from sesh.units import SESH, format_amount

needs_anvil = pytest.mark.anvil

EXPECTED = {
    # name: (staking requirement in SESH, minimum exit age)
    "devnet": (120, 0),
    "testnet": (20_000, 7_200),
    "mainnet": (25_000, 7_200),
}
CORE = ["SESH", "RewardRatePool", "ServiceNodeRewards", "BLSVerifier"]


@pytest.fixture(scope="module")
def artifacts() -> ContractArtifacts:
    return load_artifacts()


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    with Anvil(port=0) as node:
        yield Chain(node.rpc_url)


def bound(chain: Chain, artifacts: ContractArtifacts, deployment: Deployment) -> dict[str, Any]:
    contracts = {
        "token": chain.contract(deployment.sesh, artifacts.sesh),
        "pool": chain.contract(deployment.reward_rate_pool, artifacts.reward_rate_pool),
        "rewards": chain.contract(deployment.service_node_rewards, artifacts.service_node_rewards),
    }
    if deployment.contribution_factory is not None:
        contracts["factory"] = chain.contract(
            deployment.contribution_factory, artifacts.contribution_factory
        )
    if deployment.token_converter is not None:
        contracts["converter"] = chain.contract(
            deployment.token_converter, artifacts.token_converter
        )
    return contracts


def older_record(deployment: Deployment) -> Deployment:
    """``deployment`` as a sesh from before the factory and the converter recorded it."""
    record = deployment.to_json()
    record["contracts"] = {name: record["contracts"][name] for name in CORE}
    record["implementations"] = {
        name: record["implementations"][name] for name in ("RewardRatePool", "ServiceNodeRewards")
    }
    return Deployment.from_json(record)


def immutable_words(chain: Chain, address: str, runtime: bytes) -> list[int]:
    """The 32-byte words after the runtime code: where Vyper keeps a contract's immutables."""
    tail = bytes(chain.w3.eth.get_code(Web3.to_checksum_address(address)))[len(runtime) :]
    return [int.from_bytes(tail[i : i + 32], "big") for i in range(0, len(tail), 32)]


# -- profiles (pure) ---------------------------------------------------------------------------


def test_the_profiles_carry_the_reference_parameters() -> None:
    assert set(PROFILES) == set(EXPECTED)
    for name, (stake, exit_age) in EXPECTED.items():
        profile = PROFILES[name]
        assert profile.staking_requirement == stake * SESH
        assert profile.max_contributors == 10
        assert (
            profile.liquidator_reward_ratio,
            profile.pool_share_of_liquidation_ratio,
            profile.recipient_ratio,
        ) == (3, 17, 9_980)
        assert profile.minimum_exit_age == exit_age
        assert profile.pool_funding == 40_000_000 * SESH
        assert profile.token is None
        assert profile.conversion_rate == (1, 2)  # the reference's deploy script
        assert profile.tge is None  # the time of deployment
    assert TOTAL_SUPPLY == 240_000_000 * 10**9


def test_test_chains_get_a_stocked_converter_from_a_woxen_stand_in() -> None:
    for name in ("devnet", "testnet"):
        profile = PROFILES[name]
        assert profile.deploys_converter and profile.old_token_stand_in
        assert profile.late_conversion_rate == (1, 4)
        assert profile.converter_funding == CONVERTER_FUNDING == 10_000_000 * SESH
    mainnet = PROFILES["mainnet"]
    assert not mainnet.deploys_converter  # only for a wOXEN it is given
    assert mainnet.late_conversion_rate == mainnet.conversion_rate
    assert mainnet.converter_funding == 0
    named = mainnet.with_old_token("0x" + "cd" * 20)
    assert named.deploys_converter and not named.old_token_stand_in
    assert mainnet.with_tge(1_747_785_600).tge == 1_747_785_600


def test_the_local_profile_is_refused_off_a_local_chain() -> None:
    check_chain(PROFILES["devnet"], 31337)
    with pytest.raises(ValueError, match="local chain"):
        check_chain(PROFILES["devnet"], 421614)
    check_chain(PROFILES["testnet"], 421614)


def test_a_profile_can_name_an_existing_token() -> None:
    token = "0x" + "ab" * 20
    profile = PROFILES["mainnet"].with_token(token)
    assert profile.token == Web3.to_checksum_address(token)
    assert profile.staking_requirement == PROFILES["mainnet"].staking_requirement
    assert PROFILES["mainnet"].token is None  # the preset itself is untouched


def test_the_record_is_exactly_the_documented_json(tmp_path: Any) -> None:
    a = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(1, 12)]
    deployment = Deployment(31337, "local", *a)
    assert deployment.to_json() == {
        "chainId": 31337,
        "contracts": {
            "SESH": a[0],
            "RewardRatePool": a[1],
            "ServiceNodeRewards": a[2],
            "BLSVerifier": a[3],
            "ServiceNodeContributionFactory": a[6],
            "wOXEN": a[9],
            "TokenConverter": a[10],
        },
        "implementations": {
            "RewardRatePool": a[4],
            "ServiceNodeRewards": a[5],
            "ServiceNodeContributionFactory": a[7],
            "ServiceNodeContribution": a[8],
        },
        "profile": "local",
    }
    assert list(deployment.to_json()) == ["chainId", "contracts", "implementations", "profile"]
    assert deployment.missing_parts() == []
    path = tmp_path / "deployment.json"
    write_deployment(path, deployment)
    assert read_deployment(path) == deployment
    with pytest.raises(ValueError, match="not a deployment record"):
        Deployment.from_json({"chainId": 1, "contracts": {}})


def test_a_record_from_before_the_factory_still_reads_and_names_what_it_lacks() -> None:
    a = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(1, 7)]
    older = Deployment.from_json(
        {
            "chainId": 31337,
            "contracts": dict(zip(CORE, a[:4], strict=True)),
            "implementations": {"RewardRatePool": a[4], "ServiceNodeRewards": a[5]},
            "profile": "local",
        }
    )
    assert older.contribution_factory is None and older.token_converter is None
    assert list(older.contracts) == CORE
    assert older.missing_parts() == ["ServiceNodeContributionFactory", "TokenConverter"]
    # mainnet deploys no converter without a wOXEN: only the factory is missing there.
    assert Deployment(1, "mainnet", *a).missing_parts() == ["ServiceNodeContributionFactory"]


def test_amounts_read_in_sesh() -> None:
    assert format_amount(120 * SESH) == "120 SESH"
    assert format_amount(40_000_000 * SESH) == "40,000,000 SESH"
    assert format_amount(1_500_000_000) == "1.5 SESH"
    assert format_amount(1_500_000_000, "wOXEN") == "1.5 wOXEN"
    assert format_rate((1, 2)) == "1 SESH per 2 wOXEN"


# -- on a chain --------------------------------------------------------------------------------


@needs_anvil
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_profile_deploys_and_reads_back(
    chain: Chain, artifacts: ContractArtifacts, name: str
) -> None:
    steps: list[str] = []
    deployment = deploy(chain, PROFILES[name], artifacts, progress=steps.append)
    c = bound(chain, artifacts, deployment)
    rewards, pool, token = c["rewards"].functions, c["pool"].functions, c["token"].functions
    stake, exit_age = EXPECTED[name]
    deployer = chain.sender

    assert deployment.chain_id == 31337 and deployment.profile == name
    assert rewards.stakingRequirement().call() == stake * SESH
    assert rewards.maxContributors().call() == 10
    assert rewards.liquidatorRewardRatio().call() == 3
    assert rewards.poolShareOfLiquidationRatio().call() == 17
    assert rewards.recipientRatio().call() == 9_980
    assert rewards.designatedToken().call() == deployment.sesh
    assert rewards.foundationPool().call() == deployment.reward_rate_pool
    assert rewards.owner().call() == deployer
    assert rewards.isStarted().call() is False
    assert pool.beneficiary().call() == deployment.service_node_rewards
    assert pool.SESH().call() == deployment.sesh
    assert pool.owner().call() == deployer
    assert token.balanceOf(deployment.reward_rate_pool).call() == POOL_FUNDING
    assert token.totalSupply().call() == TOTAL_SUPPLY
    profile = PROFILES[name]
    converter_stock = profile.converter_funding
    assert token.balanceOf(deployer).call() == TOTAL_SUPPLY - POOL_FUNDING - converter_stock

    factory = c["factory"].functions
    assert factory.stakingRewardsContract().call() == deployment.service_node_rewards
    assert factory.owner().call() == deployer
    assert deployment.service_node_contribution_implementation is not None
    contribution = chain.contract(
        deployment.service_node_contribution_implementation, artifacts.service_node_contribution
    )
    assert contribution.functions.stakingRewardsContract().call() == rewards.address
    assert contribution.functions.SESH().call() == deployment.sesh
    if profile.deploys_converter:
        converter = c["converter"].functions
        old = chain.contract(deployment.old_token, artifacts.wrapped_oxen).functions
        assert (old.symbol().call(), old.decimals().call()) == ("wOXEN", 9)
        assert old.balanceOf(deployer).call() == OLD_TOKEN_STAND_IN_SUPPLY
        assert (converter.tokenA().call(), converter.tokenB().call()) == (
            deployment.old_token,
            deployment.sesh,
        )
        assert converter.conversionRateNumerator().call() == 1
        assert converter.conversionRateDenominator().call() == 2
        assert converter.owner().call() == deployer
        assert token.balanceOf(deployment.token_converter).call() == converter_stock
        chain.mine(chain.timestamp() + LATE_RATE_DELAY)  # the TGE was the deployment's time
        assert converter.conversionRateDenominator().call() == 4
    else:
        assert deployment.token_converter is None and deployment.old_token is None
        assert any("TokenConverter      not deployed" in step for step in steps)

    for proxy, implementation in (
        (deployment.reward_rate_pool, deployment.reward_rate_pool_implementation),
        (deployment.service_node_rewards, deployment.service_node_rewards_implementation),
        (deployment.contribution_factory, deployment.contribution_factory_implementation),
    ):
        assert proxy is not None and implementation is not None
        slot = chain.w3.eth.get_storage_at(proxy, ERC1967_IMPLEMENTATION_SLOT)
        assert Web3.to_checksum_address(slot[-20:]) == implementation
    words = immutable_words(
        chain,
        deployment.service_node_rewards_implementation,
        artifacts.service_node_rewards.runtime_bytecode,
    )
    assert int(deployment.bls_verifier, 16) in words
    assert exit_age in words
    assert len(steps) == (11 if profile.deploys_converter else 9)
    assert "not started" in steps[-1]
    assert missing_contracts(chain, deployment) == []
    assert deployment.missing_parts() == []


@needs_anvil
def test_start_opens_the_rewards_contract(chain: Chain, artifacts: ContractArtifacts) -> None:
    deployment = deploy(chain, PROFILES["devnet"], artifacts, start=True)
    assert bound(chain, artifacts, deployment)["rewards"].functions.isStarted().call() is True


@needs_anvil
def test_an_existing_token_is_staked_and_not_funded_by_us(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    holder = chain.accounts[2]
    existing = chain.deploy(artifacts.sesh, TOTAL_SUPPLY, holder, holder, holder, sender=holder)
    steps: list[str] = []
    deployment = deploy(
        chain, PROFILES["testnet"].with_token(existing.address), artifacts, progress=steps.append
    )
    c = bound(chain, artifacts, deployment)
    assert deployment.sesh == existing.address
    assert c["rewards"].functions.designatedToken().call() == existing.address
    assert c["pool"].functions.SESH().call() == existing.address
    assert existing.functions.balanceOf(deployment.reward_rate_pool).call() == 0
    assert existing.functions.balanceOf(holder).call() == TOTAL_SUPPLY
    assert any("not funded" in step for step in steps)


@needs_anvil
def test_a_token_address_without_a_contract_is_refused(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    nowhere = "0x000000000000000000000000000000000000dEaD"
    with pytest.raises(DeployError, match="no contract at"):
        deploy(chain, PROFILES["testnet"].with_token(nowhere), artifacts)


@needs_anvil
def test_a_refused_step_names_the_step_the_error_and_what_is_deployed(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    """Ratios whose penalties exceed a quarter: ServiceNodeRewards.initialize refuses them."""
    greedy = Profile("greedy", 120 * SESH, 10, 1_000, 1_000, 10, 0)
    with pytest.raises(DeployError) as failed:
        deploy(chain, greedy, artifacts)
    message = str(failed.value)
    assert message.startswith("deploying ServiceNodeRewards: ServiceNodeRewards refused: ")
    assert "LiquidatorPenaltyTooHigh()" in message
    assert "already deployed: SESH 0x" in message and "BLSVerifier 0x" in message
    assert isinstance(failed.value.cause, TransactionRefused)


@needs_anvil
def test_a_reset_chain_has_none_of_the_contracts(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    before = chain.snapshot()
    deployment = deploy(chain, PROFILES["devnet"], artifacts)
    assert missing_contracts(chain, deployment) == []
    chain.revert(before)
    assert len(missing_contracts(chain, deployment)) == 11  # 7 contracts, 4 implementations


@needs_anvil
def test_a_record_from_before_the_factory_is_completed_beside_its_contracts(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    full = deploy(chain, PROFILES["devnet"], artifacts, start=True)
    older = older_record(full)
    steps: list[str] = []
    completed = complete(chain, older, artifacts, progress=steps.append)
    assert completed.missing_parts() == []
    assert missing_contracts(chain, completed) == []
    for name in CORE:  # what was there stays
        assert completed.contracts[name] == full.contracts[name]
    assert completed.contribution_factory not in (None, full.contribution_factory)
    c = bound(chain, artifacts, completed)
    assert c["factory"].functions.stakingRewardsContract().call() == full.service_node_rewards
    assert c["converter"].functions.tokenB().call() == full.sesh
    assert c["token"].functions.balanceOf(completed.token_converter).call() == CONVERTER_FUNDING
    assert any("ContributionFactory" in step for step in steps)
    assert complete(chain, completed, artifacts) == completed  # nothing left to do


@needs_anvil
def test_a_named_old_token_and_tge_make_the_converter(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    holder = chain.accounts[3]
    woxen = chain.deploy(artifacts.wrapped_oxen, 10**18, holder, sender=holder)
    tge = chain.timestamp() - LATE_RATE_DELAY  # the late rate is already in force
    profile = PROFILES["testnet"].with_old_token(woxen.address).with_tge(tge)
    deployment = deploy(chain, profile, artifacts)
    converter = bound(chain, artifacts, deployment)["converter"].functions
    assert deployment.old_token == woxen.address
    assert converter.tokenA().call() == woxen.address
    assert converter.conversionRateDenominator().call() == 4


@needs_anvil
def test_an_old_token_with_other_decimals_is_refused(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    not_a_token = chain.deploy(artifacts.bls_verifier)
    profile = PROFILES["testnet"].with_old_token(not_a_token.address)
    with pytest.raises(DeployError, match=r"checking the old token: .* no decimals"):
        deploy(chain, profile, artifacts)


@needs_anvil
def test_the_deployer_is_the_chains_signer(chain: Chain, artifacts: ContractArtifacts) -> None:
    from sesh.evm.signing import from_private_key

    signer = from_private_key(dev_keys()[7].private_key)
    signed = Chain(chain.rpc_url, signer)
    deployment = deploy(signed, PROFILES["testnet"], artifacts)
    rewards = bound(signed, artifacts, deployment)["rewards"]
    assert rewards.functions.owner().call() == signer.address
