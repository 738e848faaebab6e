"""SESH.approve and allowance: setting what a spender may move."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def test_allowance_starts_at_zero(token: Any, genesis: str, alice: str) -> None:
    assert token.functions.allowance(genesis, alice).call() == 0


def test_approve_sets_the_allowance(chain: Chain, token: Any, genesis: str, alice: str) -> None:
    chain.transact(token.functions.approve(alice, 500), genesis)
    assert token.functions.allowance(genesis, alice).call() == 500


def test_approve_replaces_the_previous_allowance(
    chain: Chain, token: Any, genesis: str, alice: str
) -> None:
    chain.transact(token.functions.approve(alice, 500), genesis)
    chain.transact(token.functions.approve(alice, 3), genesis)
    assert token.functions.allowance(genesis, alice).call() == 3


def test_approve_logs_an_approval_event(chain: Chain, token: Any, genesis: str, alice: str) -> None:
    receipt = chain.transact(token.functions.approve(alice, 42), genesis)
    (event,) = token.events.Approval().process_receipt(receipt)
    assert (event.args.owner, event.args.spender, event.args.value) == (genesis, alice, 42)


def test_approve_returns_true(token: Any, genesis: str, alice: str) -> None:
    assert token.functions.approve(alice, 1).call({"from": genesis}) is True


def test_approve_needs_no_balance(chain: Chain, token: Any, alice: str, bob: str) -> None:
    chain.transact(token.functions.approve(bob, 10**30), alice)
    assert token.functions.allowance(alice, bob).call() == 10**30


def test_approving_the_zero_address_reverts_with_erc20_invalid_spender(
    token: Any, genesis: str
) -> None:
    data = revert_data(lambda: token.functions.approve(ZERO, 1).call({"from": genesis}))
    assert data == encode_error("ERC20InvalidSpender(address)", ZERO)
