"""SESH's Arbitrum custom-gateway hooks: isArbitrumEnabled and registerTokenOnL2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from web3 import Web3

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import Artifact, compile_vyper

pytestmark = pytest.mark.anvil

GATEWAY_DOUBLE = Path(__file__).parent / "contracts" / "recording_gateway.vy"
L2_TOKEN = "0x" + "12" * 20
CREDIT_BACK = "0x" + "34" * 20


class Bridge(NamedTuple):
    token: Any
    gateway: Any
    router: Any


@pytest.fixture(scope="module")
def bridge(chain: Chain, sesh_artifact: Artifact, genesis: str, total_supply: int) -> Bridge:
    double = compile_vyper(GATEWAY_DOUBLE)
    gateway = chain.deploy(double)
    router = chain.deploy(double)
    token = chain.deploy(sesh_artifact, total_supply, genesis, gateway.address, router.address)
    return Bridge(token, gateway, router)


@pytest.fixture
def registered(chain: Chain, bridge: Bridge) -> Iterator[Bridge]:
    """After a registration with distinct numbers for every argument, 1 + 2 wei sent."""
    function = bridge.token.functions.registerTokenOnL2(
        L2_TOKEN, 11, 12, 13, 14, 15, 1, 2, CREDIT_BACK
    )
    chain.transact(function, chain.accounts[5], value=3)
    yield bridge


def test_is_arbitrum_enabled_reverts_outside_a_registration(token: Any) -> None:
    data = revert_data(lambda: token.functions.isArbitrumEnabled().call())
    assert data == encode_error("Error(string)", "NOT_EXPECTED_CALL")


def test_registration_calls_the_gateway_with_the_gateway_arguments(registered: Bridge) -> None:
    gateway = registered.gateway.functions
    assert gateway.called().call() == "registerTokenToL2"
    assert gateway.target().call() == Web3.to_checksum_address(L2_TOKEN)
    # (maxGas, gasPriceBid, maxSubmissionCost) = (maxGasForCustomGateway, gasPriceBid,
    # maxSubmissionCostForCustomGateway)
    assert (gateway.maxGas().call(), gateway.gasPriceBid().call()) == (13, 15)
    assert gateway.maxSubmissionCost().call() == 11
    assert gateway.creditBackAddress().call() == Web3.to_checksum_address(CREDIT_BACK)
    assert gateway.received().call() == 1


def test_registration_points_the_router_at_the_gateway(registered: Bridge) -> None:
    router = registered.router.functions
    assert router.called().call() == "setGateway"
    assert router.target().call() == registered.gateway.address
    assert (router.maxGas().call(), router.gasPriceBid().call()) == (14, 15)
    assert router.maxSubmissionCost().call() == 12
    assert router.creditBackAddress().call() == Web3.to_checksum_address(CREDIT_BACK)
    assert router.received().call() == 2


def test_the_token_answers_0xb1_to_the_gateway_and_router_during_registration(
    registered: Bridge,
) -> None:
    assert registered.gateway.functions.arbitrumEnabled().call() == 0xB1
    assert registered.router.functions.arbitrumEnabled().call() == 0xB1


def test_is_arbitrum_enabled_reverts_again_after_registration(registered: Bridge) -> None:
    data = revert_data(lambda: registered.token.functions.isArbitrumEnabled().call())
    assert data == encode_error("Error(string)", "NOT_EXPECTED_CALL")


def test_registration_without_enough_ether_reverts(chain: Chain, bridge: Bridge) -> None:
    function = bridge.token.functions.registerTokenOnL2(
        L2_TOKEN, 1, 1, 1, 1, 1, 10, 10, CREDIT_BACK
    )
    # 10 wei for the gateway, 5 sent: the gateway call fails, and so does the registration.
    assert revert_data(lambda: function.call({"from": chain.accounts[5], "value": 5})) == b""
