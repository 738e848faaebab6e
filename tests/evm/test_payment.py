"""sesh.evm.payment's reading of a simulated call's revert, before any approval: is it the
token refusing to let the contract pull the payment (approve, then send), or anything else (the
contract's refusal, reported and nothing sent)? The end-to-end cases are in
tests/cli/test_staking_commands.py; these are the ones a devnet cannot stage."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.artifacts import encode_error
from sesh.evm.payment import pull_failure, reverted_in

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SPENDER = "0x6F1216D1BFe15c98520CA1434FC1d9D57AC95321"
OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
OTHER = "0x000000000000000000000000000000000000dEaD"


def pulls(data: bytes) -> bool:
    return pull_failure(data, token=TOKEN, spender=SPENDER, owner=OWNER)


@pytest.mark.parametrize(
    "data",
    [
        encode_error("ERC20InsufficientAllowance(address,uint256,uint256)", SPENDER, 0, 5),
        encode_error("ERC20InsufficientBalance(address,uint256,uint256)", OWNER, 3, 5),
        encode_error("SafeERC20FailedOperation(address)", TOKEN),
        encode_error("Error(string)", "ERC20: insufficient allowance"),
        encode_error("Error(string)", "ERC20: transfer amount exceeds allowance"),
    ],
    ids=["allowance", "balance", "token-said-false", "oz4.5", "oz4.0"],
)
def test_the_tokens_own_pull_errors_are_what_an_approval_may_cure(data: bytes) -> None:
    assert pulls(data)


@pytest.mark.parametrize(
    "data",
    [
        # Another spender's allowance, another owner's balance, another token: not ours to cure.
        encode_error("ERC20InsufficientAllowance(address,uint256,uint256)", OTHER, 0, 5),
        encode_error("ERC20InsufficientBalance(address,uint256,uint256)", SPENDER, 3, 5),
        encode_error("SafeERC20FailedOperation(address)", OTHER),
        # OpenZeppelin 4's balance error names nobody; the signer's balance was checked before.
        encode_error("Error(string)", "ERC20: transfer amount exceeds balance"),
        # The contracts' own refusals, custom or in words; a panic; no reason at all.
        encode_error("ContributionBelowReservedAmount(uint256,uint256)", 1, 20),
        encode_error("Error(string)", "Insufficient Token B in contract"),
        encode_error("Panic(uint256)", 0x11),
        b"",
    ],
    ids=[
        "other-spender",
        "other-owner",
        "other-token",
        "oz4-balance",
        "custom",
        "string",
        "panic",
        "empty",
    ],
)
def test_any_other_revert_is_not_a_pull_failure(data: bytes) -> None:
    assert not pulls(data)


def test_addresses_match_whatever_their_case() -> None:
    data = encode_error("ERC20InsufficientAllowance(address,uint256,uint256)", SPENDER, 0, 5)
    assert pull_failure(data, token=TOKEN, spender=SPENDER.lower(), owner=OWNER)


# -- tracing a revert to the token ---------------------------------------------------------------


class TracingChain:
    """A chain whose node answers ``debug_traceCall`` with ``tree``, or cannot trace."""

    def __init__(self, tree: Any = None, error: Exception | None = None) -> None:
        self.tree, self.error = tree, error
        self.asked: list[tuple[Any, ...]] = []

    def rpc(self, method: str, *params: Any) -> Any:
        self.asked.append((method, *params))
        if self.error is not None:
            raise self.error
        return self.tree


REVERT = bytes.fromhex("08c379a0") + bytes(64)
TX = {"from": OWNER, "to": SPENDER, "data": "0x2816ee73"}


def frame(to: str, output: bytes | None, *calls: dict[str, Any], failed: bool = True) -> Any:
    node: dict[str, Any] = {"to": to.lower(), "type": "CALL"}
    if output is not None:
        node["output"] = "0x" + output.hex()
    if failed:
        node["error"] = "execution reverted"
    if calls:
        node["calls"] = list(calls)
    return node


def test_a_revert_passed_up_from_a_failed_call_to_the_token_comes_from_the_token() -> None:
    # The clone delegates to its implementation, which calls the token: the token's revert
    # data goes up unchanged.
    tree = frame(SPENDER, REVERT, frame(OTHER, REVERT, frame(TOKEN, REVERT)))
    chain = TracingChain(tree)
    assert reverted_in(chain, TX, TOKEN, REVERT) is True
    assert chain.asked == [("debug_traceCall", TX, "latest", {"tracer": "callTracer"})]


def test_an_empty_revert_traces_to_the_token_too() -> None:
    tree = frame(SPENDER, None, frame(TOKEN, None))
    assert reverted_in(TracingChain(tree), TX, TOKEN, b"") is True


def test_a_revert_of_the_contracts_own_does_not_come_from_the_token() -> None:
    own = encode_error("ContributionBelowReservedAmount(uint256,uint256)", 1, 20)
    # The token answered (or even failed, and the contract said something else).
    answered = frame(SPENDER, own, frame(TOKEN, bytes(32), failed=False))
    assert reverted_in(TracingChain(answered), TX, TOKEN, own) is False
    replaced = frame(SPENDER, own, frame(TOKEN, REVERT))
    assert reverted_in(TracingChain(replaced), TX, TOKEN, own) is False


def test_a_node_that_cannot_trace_leaves_it_open() -> None:
    refused = TracingChain(error=RuntimeError("debug_traceCall: method not found"))
    assert reverted_in(refused, TX, TOKEN, REVERT) is None
    assert reverted_in(TracingChain("nonsense"), TX, TOKEN, REVERT) is None
