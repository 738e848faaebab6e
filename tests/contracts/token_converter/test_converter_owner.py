"""Pausing and one-step ownership (OpenZeppelin Pausable and Ownable, as the reference)."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain

from ...support.contracts import error_of
from .conftest import SESH

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def test_pause_and_unpause_log_the_caller(chain: Chain, converter: Any, owner: str) -> None:
    receipt = chain.transact(converter.functions.pause(), owner)
    (paused,) = converter.events.Paused().process_receipt(receipt, errors=DISCARD)
    assert paused.args.account == owner
    assert converter.functions.paused().call() is True
    receipt = chain.transact(converter.functions.unpause(), owner)
    (unpaused,) = converter.events.Unpaused().process_receipt(receipt, errors=DISCARD)
    assert unpaused.args.account == owner
    assert converter.functions.paused().call() is False


def test_pause_twice_is_refused(chain: Chain, converter: Any, owner: str) -> None:
    chain.transact(converter.functions.pause(), owner)
    call = converter.functions.pause()
    assert error_of(lambda: call.call({"from": owner}), converter.abi) == ("EnforcedPause", ())


def test_unpause_when_running_is_refused(converter: Any, owner: str) -> None:
    call = converter.functions.unpause()
    assert error_of(lambda: call.call({"from": owner}), converter.abi) == ("ExpectedPause", ())


@pytest.mark.parametrize("function", ["pause", "unpause", "renounceOwnership"])
def test_only_the_owner(converter: Any, stranger: str, function: str) -> None:
    call = converter.functions[function]()
    assert error_of(lambda: call.call({"from": stranger}), converter.abi) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )


def test_transfer_ownership_takes_effect_at_once(
    chain: Chain, converter: Any, owner: str, stranger: str
) -> None:
    receipt = chain.transact(converter.functions.transferOwnership(stranger), owner)
    (event,) = converter.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, stranger)
    assert converter.functions.owner().call() == stranger
    receipt = chain.transact(converter.functions.withdrawTokenB(SESH), stranger)
    (withdrawn,) = converter.events.TokenBWithdrawn().process_receipt(receipt, errors=DISCARD)
    assert withdrawn.args.amount == SESH
    call = converter.functions.withdrawTokenB(SESH)
    assert error_of(lambda: call.call({"from": owner}), converter.abi) == (
        "OwnableUnauthorizedAccount",
        (owner,),
    )


def test_transfer_ownership_to_zero_is_refused(converter: Any, owner: str, stranger: str) -> None:
    call = converter.functions.transferOwnership(ZERO)
    assert error_of(lambda: call.call({"from": owner}), converter.abi) == (
        "OwnableInvalidOwner",
        (ZERO,),
    )
    other = converter.functions.transferOwnership(stranger)
    assert error_of(lambda: other.call({"from": stranger}), converter.abi) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )


def test_renounce_leaves_no_owner(chain: Chain, converter: Any, owner: str) -> None:
    receipt = chain.transact(converter.functions.renounceOwnership(), owner)
    (event,) = converter.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, ZERO)
    assert converter.functions.owner().call() == ZERO
    call = converter.functions.pause()
    assert error_of(lambda: call.call({"from": owner}), converter.abi) == (
        "OwnableUnauthorizedAccount",
        (owner,),
    )
