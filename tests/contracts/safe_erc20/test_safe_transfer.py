"""lib/safe_erc20.vy: token transfers that succeed only when the token really transferred."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from web3 import Web3

from sesh.evm.artifacts import compile_contract, encode_error
from sesh.evm.chain import Chain, revert_data

from ...support.contracts import isolated

pytestmark = pytest.mark.anvil

HERE = Path(__file__).parent / "contracts"
RECEIVER = "0x" + "77" * 20
RECEIVER_CHECKSUMMED = Web3.to_checksum_address(RECEIVER)


@pytest.fixture(scope="module")
def harness(chain: Chain) -> Any:
    return chain.deploy(compile_contract(HERE / "safe_transfer_harness.vy"))


@pytest.fixture(scope="module")
def odd_token(chain: Chain) -> Any:
    return chain.deploy(compile_contract(HERE / "odd_token.vy"))


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, harness: Any, odd_token: Any) -> Iterator[None]:
    with isolated(chain):
        yield


def answering(chain: Chain, token: Any, answer: bytes, fails: bool = False) -> Any:
    chain.transact(token.functions.set_answer(answer, fails))
    return token


def transfer_via(harness: Any, token: Any) -> Any:
    return harness.functions.transfer(token.address, RECEIVER, 5)


def transferred(chain: Chain, harness: Any, token: Any) -> tuple[str, int]:
    """Send the harness's transfer; what the token recorded taking: (recipient, amount)."""
    chain.transact(transfer_via(harness, token))
    return token.functions.last_to().call(), token.functions.last_amount().call()


def test_a_token_answering_true_passes(chain: Chain, harness: Any, odd_token: Any) -> None:
    answering(chain, odd_token, encode(["bool"], [True]))
    assert transferred(chain, harness, odd_token) == (RECEIVER_CHECKSUMMED, 5)


def test_a_token_answering_nothing_passes(chain: Chain, harness: Any, odd_token: Any) -> None:
    answering(chain, odd_token, b"")
    assert transferred(chain, harness, odd_token) == (RECEIVER_CHECKSUMMED, 5)


def test_a_token_answering_false_reverts_with_safe_erc20_failed_operation(
    chain: Chain, harness: Any, odd_token: Any
) -> None:
    answering(chain, odd_token, encode(["bool"], [False]))
    data = revert_data(lambda: transfer_via(harness, odd_token).call())
    assert data == encode_error("SafeERC20FailedOperation(address)", odd_token.address)


def test_a_longer_answer_is_read_by_its_first_word(
    chain: Chain, harness: Any, odd_token: Any
) -> None:
    answering(chain, odd_token, encode(["bool", "uint256"], [True, 99]))
    assert transferred(chain, harness, odd_token) == (RECEIVER_CHECKSUMMED, 5)


def test_a_short_answer_reverts_without_data(chain: Chain, harness: Any, odd_token: Any) -> None:
    answering(chain, odd_token, b"\x01")
    assert revert_data(lambda: transfer_via(harness, odd_token).call()) == b""


def test_an_answer_that_is_not_a_bool_reverts_without_data(
    chain: Chain, harness: Any, odd_token: Any
) -> None:
    answering(chain, odd_token, encode(["uint256"], [2]))
    assert revert_data(lambda: transfer_via(harness, odd_token).call()) == b""


def test_a_reverting_token_bubbles_its_revert_data_up(
    chain: Chain, harness: Any, odd_token: Any
) -> None:
    reason = encode_error("ERC20InsufficientBalance(address,uint256,uint256)", RECEIVER, 1, 2)
    answering(chain, odd_token, reason, fails=True)
    assert revert_data(lambda: transfer_via(harness, odd_token).call()) == reason


def test_an_address_without_code_reverts_with_address_empty_code(
    harness: Any, chain: Chain
) -> None:
    nobody = chain.accounts[7]
    data = revert_data(lambda: harness.functions.transfer(nobody, RECEIVER, 5).call())
    assert data == encode_error("AddressEmptyCode(address)", nobody)
