"""SESH.transferFrom: moving someone's tokens out of an allowance."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20
UNLIMITED = 2**256 - 1


def test_transfer_from_moves_the_owners_tokens(
    chain: Chain, token: Any, genesis: str, alice: str, bob: str, total_supply: int
) -> None:
    chain.transact(token.functions.approve(alice, 100), genesis)
    chain.transact(token.functions.transferFrom(genesis, bob, 60), alice)
    assert token.functions.balanceOf(bob).call() == 60
    assert token.functions.balanceOf(genesis).call() == total_supply - 60


def test_transfer_from_spends_the_allowance(
    chain: Chain, token: Any, genesis: str, alice: str, bob: str
) -> None:
    chain.transact(token.functions.approve(alice, 100), genesis)
    chain.transact(token.functions.transferFrom(genesis, bob, 60), alice)
    assert token.functions.allowance(genesis, alice).call() == 40


def test_transfer_from_logs_a_transfer_and_no_approval(
    chain: Chain, token: Any, genesis: str, alice: str, bob: str
) -> None:
    chain.transact(token.functions.approve(alice, 100), genesis)
    receipt = chain.transact(token.functions.transferFrom(genesis, bob, 60), alice)
    (transfer,) = token.events.Transfer().process_receipt(receipt)
    assert (transfer.args["from"], transfer.args["to"], transfer.args.value) == (
        genesis,
        bob,
        60,
    )
    assert token.events.Approval().process_receipt(receipt, errors=DISCARD) == ()


def test_an_unlimited_allowance_is_never_spent(
    chain: Chain, token: Any, genesis: str, alice: str, bob: str
) -> None:
    chain.transact(token.functions.approve(alice, UNLIMITED), genesis)
    chain.transact(token.functions.transferFrom(genesis, bob, 10**12), alice)
    assert token.functions.allowance(genesis, alice).call() == UNLIMITED


def test_transfer_from_returns_true(chain: Chain, token: Any, genesis: str, alice: str) -> None:
    chain.transact(token.functions.approve(alice, 1), genesis)
    assert token.functions.transferFrom(genesis, alice, 1).call({"from": alice}) is True


REFUSALS = {
    "beyond the allowance": (
        ("genesis", "alice", 5),
        ("genesis", "bob", 6),
        ("ERC20InsufficientAllowance(address,uint256,uint256)", "alice", 5, 6),
    ),
    "beyond the balance": (
        ("alice", "bob", 100),
        ("alice", "carol", 1),
        ("ERC20InsufficientBalance(address,uint256,uint256)", "alice", 0, 1),
    ),
    "to the zero address": (
        ("genesis", "alice", 5),
        ("genesis", "ZERO", 1),
        ("ERC20InvalidReceiver(address)", "ZERO"),
    ),
}
"""transferFrom refused after an approval: (owner, spender, allowance), (from, to, amount) sent
by the spender, and the error with its arguments; roles by fixture name."""


@pytest.mark.parametrize(("approval", "transfer", "error"), REFUSALS.values(), ids=REFUSALS.keys())
def test_transfer_from_refusals(
    chain: Chain,
    token: Any,
    genesis: str,
    alice: str,
    bob: str,
    carol: str,
    approval: tuple[str, str, int],
    transfer: tuple[str, str, int],
    error: tuple[Any, ...],
) -> None:
    roles = {"genesis": genesis, "alice": alice, "bob": bob, "carol": carol, "ZERO": ZERO}
    owner, spender, allowance = approval
    chain.transact(token.functions.approve(roles[spender], allowance), roles[owner])
    source, to, amount = transfer
    call = token.functions.transferFrom(roles[source], roles[to], amount)
    data = revert_data(lambda: call.call({"from": roles[spender]}))
    signature, *args = error
    assert data == encode_error(signature, *(roles.get(a, a) for a in args))


def test_transfer_from_the_zero_address_reverts_with_erc20_invalid_approver(
    token: Any, alice: str, bob: str
) -> None:
    # The reference's order: the (empty) allowance is spent first, and spending it refuses the
    # zero address as an approver.
    data = revert_data(lambda: token.functions.transferFrom(ZERO, bob, 0).call({"from": alice}))
    assert data == encode_error("ERC20InvalidApprover(address)", ZERO)
