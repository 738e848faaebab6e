"""What the contract tests share: fixtures for artifacts and roles, snapshot isolation, sending
at a chosen second, and decoding reverts.

A contract test directory's conftest declares its roles and artifacts in a line each, e.g.
``owner, holder = roles("owner", "holder")`` or ``sesh = artifact("sesh", "SESH.vy")``; the name
is given as well because pytest registers a fixture by the name it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
from web3 import Web3

from sesh.evm.anvil import Anvil
from sesh.evm.artifacts import compile_contract, decode_revert
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import CONTRACTS_DIR, Artifact, compile_vyper

SEND_GAS = 5_000_000
"""Gas given to a transaction sent at a chosen second, so that no estimate runs first (anvil
estimates, and answers calls, at the latest block's timestamp)."""


# -- fixtures ----------------------------------------------------------------------------------


def account(name: str, index: int) -> Any:
    """A module fixture ``name``: anvil's dev account ``index``."""

    @pytest.fixture(scope="module", name=name)
    def fixture(chain: Chain) -> str:
        return chain.accounts[index]

    return fixture


def roles(*names: str, first: int = 0) -> tuple[Any, ...]:
    """Module fixtures named ``names``: anvil's dev accounts from ``first`` on, one each."""
    return tuple(account(name, first + i) for i, name in enumerate(names))


def accounts(name: str, start: int, stop: int) -> Any:
    """A module fixture ``name``: anvil's dev accounts ``start`` to ``stop - 1``."""

    @pytest.fixture(scope="module", name=name)
    def fixture(chain: Chain) -> list[str]:
        return chain.accounts[start:stop]

    return fixture


def artifact(name: str, file: str, folder: Path = CONTRACTS_DIR) -> Any:
    """A session fixture ``name``: the compiled contract ``folder/file``."""

    @pytest.fixture(scope="session", name=name)
    def fixture() -> Artifact:
        return compile_contract(folder / file)

    return fixture


@contextmanager
def alone_on_anvil(source: Path) -> Iterator[Any]:
    """Compile ``source`` (with the project's search path) and deploy it, without constructor
    arguments, on an anvil of its own; the web3 contract, for as long as the block lasts."""
    artifact = compile_vyper(source)
    with Anvil(port=0) as node:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": artifact.bytecode})
        receipt = w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.01)
        assert receipt["status"] == 1
        yield w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)


@contextmanager
def isolated(chain: Chain) -> Iterator[None]:
    """Run the body on a snapshot of ``chain`` and roll back to it afterwards (state and
    clock)."""
    snapshot = chain.snapshot()
    try:
        yield
    finally:
        chain.revert(snapshot)


class Rewind:
    """Puts a chain back to where it was when this was made, as often as it is called: a state
    machine calls it as each run begins."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.base = chain.snapshot()

    def __call__(self) -> None:
        self.chain.revert(self.base)
        self.base = self.chain.snapshot()  # a snapshot is used up by reverting to it


def run_against_chain(machine: type[RuleBasedStateMachine], examples: int, steps: int) -> None:
    """Run a Hypothesis state machine against a chain: ``examples`` runs of up to ``steps``
    rules, no deadline (blocks take what they take) and no health checks (the chain's fixtures
    are module-scoped)."""
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


# -- transactions at chosen seconds ------------------------------------------------------------


def send_at(chain: Chain, call: Any, sender: str, timestamp: int) -> Any:
    """Send ``call`` in a block with exactly ``timestamp``; the receipt."""
    chain.set_next_timestamp(timestamp)
    return chain.wait(call.transact({"from": sender, "gas": SEND_GAS}))


def at(chain: Chain, timestamp: int) -> None:
    """Mine a block at ``timestamp``: calls (and revert checks) then run at that second."""
    chain.mine(timestamp)


def call_at(chain: Chain, call: Any, timestamp: int, sender: str | None = None) -> Any:
    """Mine a block at ``timestamp`` and answer ``call`` there."""
    at(chain, timestamp)
    return call.call({"from": sender} if sender else {})


def block_time(chain: Chain, receipt: Any) -> int:
    """The timestamp of the block that holds ``receipt``."""
    return int(chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"])


# -- reverts -----------------------------------------------------------------------------------


def _checksummed(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return Web3.to_checksum_address(value)
    return value


def error_of(action: Callable[[], Any], abi: list[dict[str, Any]]) -> tuple[str, tuple[Any, ...]]:
    """(name, arguments) of the error ``action`` reverts with, addresses checksummed;
    ("Error", (text,)) for a revert string."""
    decoded = decode_revert(abi, revert_data(action))
    return decoded.name, tuple(_checksummed(a) for a in decoded.args)


def refusal(call: Any, sender: str) -> tuple[str, tuple[Any, ...]]:
    """(name, arguments) of the error ``call`` reverts with when ``sender`` sends it, decoded
    with the ABI of the contract ``call`` belongs to."""
    return error_of(lambda: call.transact({"from": sender}), call.contract_abi)


def reason_of(action: Callable[[], Any]) -> str:
    """The revert string of ``action``."""
    name, args = error_of(action, [])
    assert name == "Error", name
    return str(args[0])
