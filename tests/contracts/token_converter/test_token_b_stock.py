"""depositTokenB and withdrawTokenB: the owner's stock of token B, also while paused."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from ...support.contracts import error_of, reason_of
from .conftest import SESH, STOCK

pytestmark = pytest.mark.anvil


MOVES = {
    "deposit": ("depositTokenB", "TokenBDeposited", 5 * SESH, STOCK + 5 * SESH),
    "withdraw": ("withdrawTokenB", "TokenBWithdrawn", STOCK, 0),
}
"""The owner's two moves of stock: (function, its event, the amount, the stock after)."""


@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
@pytest.mark.parametrize(("function", "event", "amount", "stock"), MOVES.values(), ids=MOVES.keys())
def test_the_owner_moves_stock(
    chain: Chain,
    converter: Any,
    token_b: Any,
    owner: str,
    paused: bool,
    function: str,
    event: str,
    amount: int,
    stock: int,
) -> None:
    """depositTokenB adds to the stock, withdrawTokenB takes from it, paused or not."""
    if paused:
        chain.transact(converter.functions.pause(), owner)
    before = token_b.functions.balanceOf(owner).call()
    receipt = chain.transact(converter.functions[function](amount), owner)
    (logged,) = converter.events[event]().process_receipt(receipt, errors=DISCARD)
    assert logged.args.amount == amount
    assert token_b.functions.balanceOf(converter.address).call() == stock
    assert token_b.functions.balanceOf(owner).call() == before + STOCK - stock


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
