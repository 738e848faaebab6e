"""depositTokenB and withdrawTokenB: the owner's stock of token B, also while paused."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from .conftest import SESH, STOCK, error_of, reason_of

pytestmark = pytest.mark.anvil


@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
def test_deposit_adds_to_the_stock(
    chain: Chain, converter: Any, token_b: Any, owner: str, paused: bool
) -> None:
    if paused:
        chain.transact(converter.functions.pause(), owner)
    before = token_b.functions.balanceOf(owner).call()
    receipt = chain.transact(converter.functions.depositTokenB(5 * SESH), owner)
    (event,) = converter.events.TokenBDeposited().process_receipt(receipt, errors=DISCARD)
    assert event.args.amount == 5 * SESH
    assert token_b.functions.balanceOf(converter.address).call() == STOCK + 5 * SESH
    assert token_b.functions.balanceOf(owner).call() == before - 5 * SESH


@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
def test_withdraw_takes_from_the_stock(
    chain: Chain, converter: Any, token_b: Any, owner: str, paused: bool
) -> None:
    if paused:
        chain.transact(converter.functions.pause(), owner)
    before = token_b.functions.balanceOf(owner).call()
    receipt = chain.transact(converter.functions.withdrawTokenB(STOCK), owner)
    (event,) = converter.events.TokenBWithdrawn().process_receipt(receipt, errors=DISCARD)
    assert event.args.amount == STOCK
    assert token_b.functions.balanceOf(converter.address).call() == 0
    assert token_b.functions.balanceOf(owner).call() == before + STOCK


@pytest.mark.parametrize("function", ["depositTokenB", "withdrawTokenB"])
def test_refuse_zero(converter: Any, owner: str, function: str) -> None:
    call = converter.functions[function](0)
    assert reason_of(lambda: call.call({"from": owner})) == "Amount must be greater than 0"


def test_withdraw_refuses_more_than_the_stock(converter: Any, owner: str) -> None:
    call = converter.functions.withdrawTokenB(STOCK + 1)
    assert reason_of(lambda: call.call({"from": owner})) == "Insufficient balance"


@pytest.mark.parametrize("function", ["depositTokenB", "withdrawTokenB"])
def test_only_the_owner(converter: Any, stranger: str, function: str) -> None:
    call = converter.functions[function](SESH)
    assert error_of(lambda: call.call({"from": stranger}), converter.abi) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )


def test_deposit_without_an_allowance_fails_in_the_token(
    chain: Chain, converter: Any, token_b: Any, owner: str, token_artifact: Artifact
) -> None:
    chain.transact(token_b.functions.approve(converter.address, 0), owner)
    call = converter.functions.depositTokenB(SESH)
    assert error_of(lambda: call.call({"from": owner}), token_artifact.abi) == (
        "ERC20InsufficientAllowance",
        (converter.address, 0, SESH),
    )
