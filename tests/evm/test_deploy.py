"""sesh.evm.deploy: every profile deploys the set, wired as the reference wires it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3

from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.chain import Chain, TransactionRefused
from sesh.evm.compiler import ERC1967_IMPLEMENTATION_SLOT
from sesh.evm.deploy import (
    POOL_FUNDING,
    PROFILES,
    SESH_UNIT,
    TOTAL_SUPPLY,
    ContractArtifacts,
    DeployError,
    Deployment,
    Profile,
    check_chain,
    deploy,
    format_sesh,
    load_artifacts,
    missing_contracts,
    read_deployment,
    write_deployment,
)

needs_anvil = pytest.mark.anvil

EXPECTED = {
    # name: (staking requirement in SESH, minimum exit age)
    "local": (120, 0),
    "testnet": (20_000, 7_200),
    "mainnet": (25_000, 7_200),
}


@pytest.fixture(scope="module")
def artifacts() -> ContractArtifacts:
    return load_artifacts()


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    with Anvil(port=0) as node:
        yield Chain(node.rpc_url)


def bound(chain: Chain, artifacts: ContractArtifacts, deployment: Deployment) -> dict[str, Any]:
    return {
        "token": chain.contract(deployment.sesh, artifacts.sesh),
        "pool": chain.contract(deployment.reward_rate_pool, artifacts.reward_rate_pool),
        "rewards": chain.contract(deployment.service_node_rewards, artifacts.service_node_rewards),
    }


def immutable_words(chain: Chain, address: str, runtime: bytes) -> list[int]:
    """The 32-byte words after the runtime code: where Vyper keeps a contract's immutables."""
    tail = bytes(chain.w3.eth.get_code(Web3.to_checksum_address(address)))[len(runtime) :]
    return [int.from_bytes(tail[i : i + 32], "big") for i in range(0, len(tail), 32)]


# -- profiles (pure) ---------------------------------------------------------------------------


def test_the_profiles_carry_the_reference_parameters() -> None:
    assert set(PROFILES) == set(EXPECTED)
    for name, (stake, exit_age) in EXPECTED.items():
        profile = PROFILES[name]
        assert profile.staking_requirement == stake * SESH_UNIT
        assert profile.max_contributors == 10
        assert (
            profile.liquidator_reward_ratio,
            profile.pool_share_of_liquidation_ratio,
            profile.recipient_ratio,
        ) == (3, 17, 9_980)
        assert profile.minimum_exit_age == exit_age
        assert profile.pool_funding == 40_000_000 * SESH_UNIT
        assert profile.token is None
    assert TOTAL_SUPPLY == 240_000_000 * 10**9


def test_the_local_profile_is_refused_off_a_local_chain() -> None:
    check_chain(PROFILES["local"], 31337)
    with pytest.raises(ValueError, match="local chain"):
        check_chain(PROFILES["local"], 421614)
    check_chain(PROFILES["testnet"], 421614)


def test_a_profile_can_name_an_existing_token() -> None:
    token = "0x" + "ab" * 20
    profile = PROFILES["mainnet"].with_token(token)
    assert profile.token == Web3.to_checksum_address(token)
    assert profile.staking_requirement == PROFILES["mainnet"].staking_requirement
    assert PROFILES["mainnet"].token is None  # the preset itself is untouched


def test_the_record_is_exactly_the_documented_json(tmp_path: Any) -> None:
    addresses = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(1, 7)]
    deployment = Deployment(31337, "local", *addresses)
    assert deployment.to_json() == {
        "chainId": 31337,
        "contracts": {
            "SESH": addresses[0],
            "RewardRatePool": addresses[1],
            "ServiceNodeRewards": addresses[2],
            "BLSVerifier": addresses[3],
        },
        "implementations": {"RewardRatePool": addresses[4], "ServiceNodeRewards": addresses[5]},
        "profile": "local",
    }
    assert list(deployment.to_json()) == ["chainId", "contracts", "implementations", "profile"]
    path = tmp_path / "deployment.json"
    write_deployment(path, deployment)
    assert read_deployment(path) == deployment
    with pytest.raises(ValueError, match="not a deployment record"):
        Deployment.from_json({"chainId": 1, "contracts": {}})


def test_amounts_read_in_sesh() -> None:
    assert format_sesh(120 * SESH_UNIT) == "120 SESH"
    assert format_sesh(40_000_000 * SESH_UNIT) == "40,000,000 SESH"
    assert format_sesh(1_500_000_000) == "1.5 SESH"


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
    assert rewards.stakingRequirement().call() == stake * SESH_UNIT
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
    assert token.balanceOf(deployer).call() == TOTAL_SUPPLY - POOL_FUNDING

    for proxy, implementation in (
        (deployment.reward_rate_pool, deployment.reward_rate_pool_implementation),
        (deployment.service_node_rewards, deployment.service_node_rewards_implementation),
    ):
        slot = chain.w3.eth.get_storage_at(proxy, ERC1967_IMPLEMENTATION_SLOT)
        assert Web3.to_checksum_address(slot[-20:]) == implementation
    words = immutable_words(
        chain,
        deployment.service_node_rewards_implementation,
        artifacts.service_node_rewards.runtime_bytecode,
    )
    assert int(deployment.bls_verifier, 16) in words
    assert exit_age in words
    assert len(steps) == 7 and "not started" in steps[-1]
    assert missing_contracts(chain, deployment) == []


@needs_anvil
def test_start_opens_the_rewards_contract(chain: Chain, artifacts: ContractArtifacts) -> None:
    deployment = deploy(chain, PROFILES["local"], artifacts, start=True)
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
    greedy = Profile("greedy", 120 * SESH_UNIT, 10, 1_000, 1_000, 10, 0)
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
    deployment = deploy(chain, PROFILES["local"], artifacts)
    assert missing_contracts(chain, deployment) == []
    chain.revert(before)
    assert len(missing_contracts(chain, deployment)) == 6


@needs_anvil
def test_the_deployer_is_the_chains_signer(chain: Chain, artifacts: ContractArtifacts) -> None:
    from sesh.evm.signing import from_private_key

    signer = from_private_key(dev_keys()[7].private_key)
    signed = Chain(chain.rpc_url, signer)
    deployment = deploy(signed, PROFILES["testnet"], artifacts)
    rewards = bound(signed, artifacts, deployment)["rewards"]
    assert rewards.functions.owner().call() == signer.address
