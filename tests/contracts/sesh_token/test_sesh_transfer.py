"""SESH.transfer: moves the caller's tokens, with OpenZeppelin's errors."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def test_transfer_moves_tokens_from_the_caller_to_the_receiver(
    chain: Chain, token: Any, genesis: str, alice: str, total_supply: int
) -> None:
    chain.transact(token.functions.transfer(alice, 1_000), genesis)
    assert token.functions.balanceOf(alice).call() == 1_000
    assert token.functions.balanceOf(genesis).call() == total_supply - 1_000


def test_transfer_logs_a_transfer_event(chain: Chain, token: Any, genesis: str, alice: str) -> None:
    receipt = chain.transact(token.functions.transfer(alice, 7), genesis)
    (event,) = token.events.Transfer().process_receipt(receipt)
    assert (event.args["from"], event.args["to"], event.args.value) == (genesis, alice, 7)


def test_transfer_returns_true(token: Any, genesis: str, alice: str) -> None:
    assert token.functions.transfer(alice, 1).call({"from": genesis}) is True


def test_transfer_leaves_the_total_supply_alone(
    chain: Chain, token: Any, genesis: str, alice: str, total_supply: int
) -> None:
    chain.transact(token.functions.transfer(alice, 5), genesis)
    assert token.functions.totalSupply().call() == total_supply


def test_transfer_of_the_whole_balance_empties_the_sender(
    chain: Chain, token: Any, genesis: str, alice: str, total_supply: int
) -> None:
    chain.transact(token.functions.transfer(alice, total_supply), genesis)
    assert token.functions.balanceOf(genesis).call() == 0


def test_transfer_to_oneself_keeps_the_balance(
    chain: Chain, token: Any, genesis: str, total_supply: int
) -> None:
    chain.transact(token.functions.transfer(genesis, 123), genesis)
    assert token.functions.balanceOf(genesis).call() == total_supply


def test_transfer_of_zero_tokens_is_allowed_and_logged(
    chain: Chain, token: Any, alice: str, bob: str
) -> None:
    receipt = chain.transact(token.functions.transfer(bob, 0), alice)
    assert len(token.events.Transfer().process_receipt(receipt)) == 1


def test_transfer_to_the_zero_address_reverts_with_erc20_invalid_receiver(
    token: Any, genesis: str
) -> None:
    data = revert_data(lambda: token.functions.transfer(ZERO, 1).call({"from": genesis}))
    assert data == encode_error("ERC20InvalidReceiver(address)", ZERO)


def test_transfer_beyond_the_balance_reverts_with_erc20_insufficient_balance(
    chain: Chain, token: Any, genesis: str, alice: str, bob: str
) -> None:
    chain.transact(token.functions.transfer(alice, 10), genesis)
    data = revert_data(lambda: token.functions.transfer(bob, 11).transact({"from": alice}))
    assert data == encode_error("ERC20InsufficientBalance(address,uint256,uint256)", alice, 10, 11)


def test_a_failed_transfer_changes_no_balance(
    token: Any, genesis: str, alice: str, bob: str
) -> None:
    revert_data(lambda: token.functions.transfer(bob, 1).transact({"from": alice}))
    assert token.functions.balanceOf(alice).call() == 0
    assert token.functions.balanceOf(bob).call() == 0
