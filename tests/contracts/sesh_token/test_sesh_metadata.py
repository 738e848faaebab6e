"""SESH's fixed facts and its deployment: name, symbol, decimals, version, the genesis mint."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import Artifact

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def test_name_is_session_token(token: Any) -> None:
    assert token.functions.name().call() == "Session Token"


def test_symbol_is_sesh(token: Any) -> None:
    assert token.functions.symbol().call() == "SESH"


def test_decimals_are_nine(token: Any) -> None:
    assert token.functions.decimals().call() == 9


def test_version_is_two(token: Any) -> None:
    assert token.functions.VERSION().call() == 2


def test_the_whole_supply_is_minted_to_the_genesis_address(
    token: Any, genesis: str, total_supply: int
) -> None:
    assert token.functions.totalSupply().call() == total_supply
    assert token.functions.balanceOf(genesis).call() == total_supply


def test_the_genesis_mint_is_a_transfer_from_the_zero_address(
    token: Any, genesis: str, total_supply: int
) -> None:
    (event,) = token.events.Transfer.get_logs(from_block=0)
    assert (event.args["from"], event.args["to"], event.args.value) == (
        ZERO,
        genesis,
        total_supply,
    )


def test_gateway_and_router_are_the_constructor_arguments(token: Any, chain: Chain) -> None:
    assert token.functions.gateway().call() == chain.accounts[8]
    assert token.functions.router().call() == chain.accounts[9]


def test_a_zero_genesis_address_is_refused_with_the_reference_message(
    chain: Chain, sesh_artifact: Artifact, total_supply: int
) -> None:
    data = revert_data(lambda: chain.deploy(sesh_artifact, total_supply, ZERO, ZERO, ZERO))
    assert data == encode_error("Error(string)", "Shared: Zero-address is not permitted")


def test_a_zero_supply_is_refused_with_the_reference_message(
    chain: Chain, sesh_artifact: Artifact, genesis: str
) -> None:
    data = revert_data(lambda: chain.deploy(sesh_artifact, 0, genesis, ZERO, ZERO))
    assert data == encode_error("Error(string)", "Shared: uint input is empty")


def test_the_genesis_address_is_checked_before_the_supply(
    chain: Chain, sesh_artifact: Artifact
) -> None:
    data = revert_data(lambda: chain.deploy(sesh_artifact, 0, ZERO, ZERO, ZERO))
    assert data == encode_error("Error(string)", "Shared: Zero-address is not permitted")
