"""convertTokens: what it pays, and every way it refuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from ...support.contracts import error_of, reason_of
from .conftest import HOLDER_FUNDS, SESH, STOCK, deploy_converter

pytestmark = pytest.mark.anvil


def test_pays_token_b_at_the_initial_rate_and_keeps_token_a(
    chain: Chain, converter: Any, token_a: Any, token_b: Any, holder: str
) -> None:
    amount_a = 1_000 * SESH + 3
    receipt = chain.transact(converter.functions.convertTokens(amount_a), holder)
    amount_b = amount_a // 2  # 1/2, rounded down
    assert token_a.functions.balanceOf(holder).call() == HOLDER_FUNDS - amount_a
    assert token_b.functions.balanceOf(holder).call() == amount_b
    assert token_a.functions.balanceOf(converter.address).call() == amount_a
    assert token_b.functions.balanceOf(converter.address).call() == STOCK - amount_b
    (event,) = converter.events.Conversion().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"user": holder, "amountA": amount_a, "amountB": amount_b}


def test_an_amount_that_rounds_to_nothing_still_takes_token_a(
    chain: Chain, converter: Any, token_a: Any, token_b: Any, holder: str
) -> None:
    # As the reference: floor(1 · 1 / 2) = 0 is paid, the 1 unit of A is kept.
    chain.transact(converter.functions.convertTokens(1), holder)
    assert token_a.functions.balanceOf(converter.address).call() == 1
    assert token_b.functions.balanceOf(holder).call() == 0


def test_refuses_zero(converter: Any, holder: str) -> None:
    assert reason_of(lambda: converter.functions.convertTokens(0).call({"from": holder})) == (
        "Amount must be greater than 0"
    )


def test_the_whole_stock_can_go_but_not_one_unit_more(
    chain: Chain, converter: Any, token_b: Any, holder: str
) -> None:
    too_much = converter.functions.convertTokens(2 * STOCK + 2)
    assert reason_of(lambda: too_much.call({"from": holder})) == "Insufficient Token B in contract"
    chain.transact(converter.functions.convertTokens(2 * STOCK + 1), holder)  # pays STOCK
    assert token_b.functions.balanceOf(converter.address).call() == 0
    assert token_b.functions.balanceOf(holder).call() == STOCK


def test_refuses_while_paused_and_converts_again_after(
    chain: Chain, converter: Any, owner: str, holder: str
) -> None:
    chain.transact(converter.functions.pause(), owner)
    call = converter.functions.convertTokens(SESH)
    assert error_of(lambda: call.call({"from": holder}), converter.abi) == ("EnforcedPause", ())
    chain.transact(converter.functions.unpause(), owner)
    receipt = chain.transact(call, holder)
    (event,) = converter.events.Conversion().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"user": holder, "amountA": SESH, "amountB": SESH // 2}


def test_without_an_allowance_the_token_refuses(
    converter: Any, token_a: Any, stranger: str, token_artifact: Artifact
) -> None:
    # The stranger holds no wOXEN and approved nothing: token A's own error comes up unchanged.
    call = converter.functions.convertTokens(SESH)
    assert error_of(lambda: call.call({"from": stranger}), token_artifact.abi) == (
        "ERC20InsufficientAllowance",
        (converter.address, 0, SESH),
    )


@pytest.fixture
def hook(chain: Chain, hook_token_artifact: Artifact) -> Any:
    """A token that can call back into the converter or answer false."""
    return chain.deploy(hook_token_artifact)


@pytest.fixture
def converter_of(
    chain: Chain, converter_artifact: Artifact, tge: int, owner: str
) -> Callable[[str, str], Any]:
    """Deploy a converter of (token A, token B), with the module's rates, as the owner."""
    return lambda a, b: deploy_converter(chain, converter_artifact, a, b, tge, sender=owner)


def test_a_token_calling_back_is_refused(
    chain: Chain,
    converter_of: Callable[[str, str], Any],
    hook: Any,
    token_b: Any,
    owner: str,
    holder: str,
) -> None:
    converter = converter_of(hook.address, token_b.address)
    chain.transact(token_b.functions.transfer(converter.address, STOCK), owner)
    chain.transact(hook.functions.mint(holder, 10 * SESH), owner)
    call = converter.functions.convertTokens(SESH)
    chain.transact(call, holder)  # an honest token converts
    assert hook.functions.balanceOf(holder).call() == 9 * SESH
    assert token_b.functions.balanceOf(holder).call() == SESH // 2
    chain.transact(hook.functions.set_reenter(converter.address), owner)
    assert error_of(lambda: call.call({"from": holder}), converter.abi) == (
        "ReentrancyGuardReentrantCall",
        (),
    )


def test_a_token_answering_false_is_refused(
    chain: Chain,
    converter_of: Callable[[str, str], Any],
    hook: Any,
    token_a: Any,
    owner: str,
    holder: str,
) -> None:
    converter = converter_of(token_a.address, hook.address)
    chain.transact(hook.functions.mint(converter.address, STOCK), owner)
    chain.transact(token_a.functions.approve(converter.address, 2**256 - 1), holder)
    chain.transact(hook.functions.set_answer_false(True), owner)
    call = converter.functions.convertTokens(SESH)
    assert error_of(lambda: call.call({"from": holder}), converter.abi) == (
        "SafeERC20FailedOperation",
        (hook.address,),
    )


def test_a_token_without_code_is_refused(
    chain: Chain, converter_artifact: Artifact, token_b: Any, tge: int, owner: str, holder: str
) -> None:
    no_code = chain.accounts[9]
    converter = deploy_converter(chain, converter_artifact, no_code, token_b.address, tge)
    chain.transact(token_b.functions.transfer(converter.address, STOCK), owner)
    call = converter.functions.convertTokens(SESH)
    assert error_of(lambda: call.call({"from": holder}), converter.abi) == (
        "AddressEmptyCode",
        (no_code,),
    )
