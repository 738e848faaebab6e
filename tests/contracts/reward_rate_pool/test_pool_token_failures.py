"""RewardRatePool with a token that misbehaves: the payout fails loudly, nothing is recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode

from sesh.evm.artifacts import compile_contract, encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import Artifact

pytestmark = pytest.mark.anvil

ODD_TOKEN = Path(__file__).parents[1] / "safe_erc20" / "contracts" / "odd_token.vy"


@pytest.fixture
def odd_pool(chain: Chain, pool_artifact: Artifact, beneficiary: str) -> tuple[Any, Any]:
    """A pool over a token that answers `false` to every transfer."""
    token = chain.deploy(compile_contract(ODD_TOKEN))
    chain.transact(token.functions.set_answer(encode(["bool"], [False]), False))
    pool, _ = chain.deploy_upgradeable(pool_artifact, args=[beneficiary, token.address])
    return pool, token


def test_a_token_answering_false_reverts_with_safe_erc20_failed_operation(
    chain: Chain, odd_pool: tuple[Any, Any]
) -> None:
    pool, token = odd_pool
    chain.mine(pool.functions.lastPaidOutTime().call() + 3_600)
    data = revert_data(lambda: pool.functions.payoutReleased().call())
    assert data == encode_error("SafeERC20FailedOperation(address)", token.address)


def test_a_token_that_reverts_makes_the_payout_revert_with_its_data(
    chain: Chain, odd_pool: tuple[Any, Any]
) -> None:
    pool, token = odd_pool
    reason = encode_error("Error(string)", "paused")
    chain.transact(token.functions.set_answer(reason, True))
    assert revert_data(lambda: pool.functions.payoutReleased().call()) == reason
