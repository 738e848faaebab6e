"""TokenConverter on anvil: wrapped OXEN (token A) into SESH (token B), with the migration's
two rates.

Both tokens are real SESH deployments (a second one stands in for wOXEN; any ERC-20 would do).
The converter is set up as the migration plan has it: the initial rate 1/2 (two wOXEN for one
SESH, the reference's deploy script) until TGE + 180 days, then the late rate 1/4; the owner
stocks it with SESH. The TGE lies an hour after deployment. Roles (anvil's dev accounts): the
owner (0), a holder of wOXEN (1), a stranger (2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from sesh.evm.artifacts import compile_contract, decode_revert
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import CONTRACTS_DIR, Artifact
from sesh.evm.profiles import TOTAL_SUPPLY

SESH = 10**9
DAY = 86_400
INITIAL_RATE = (1, 2)
LATE_RATE = (1, 4)
INITIAL_RATE_DURATION = 180 * DAY
STOCK = 1_000_000 * SESH
"""Token B the owner deposits at set-up."""
HOLDER_FUNDS = 10_000_000 * SESH
"""Token A the holder starts with."""
TEST_CONTRACTS = Path(__file__).parent / "contracts"


@pytest.fixture(scope="session")
def converter_artifact() -> Artifact:
    return compile_contract(CONTRACTS_DIR / "TokenConverter.vy")


@pytest.fixture(scope="session")
def token_artifact() -> Artifact:
    return compile_contract(CONTRACTS_DIR / "SESH.vy")


@pytest.fixture(scope="session")
def hook_token_artifact() -> Artifact:
    return compile_contract(TEST_CONTRACTS / "hook_token.vy")


@pytest.fixture(scope="module")
def owner(chain: Chain) -> str:
    return chain.accounts[0]


@pytest.fixture(scope="module")
def holder(chain: Chain) -> str:
    return chain.accounts[1]


@pytest.fixture(scope="module")
def stranger(chain: Chain) -> str:
    return chain.accounts[2]


@pytest.fixture(scope="module")
def token_a(chain: Chain, token_artifact: Artifact, owner: str, holder: str) -> Any:
    token = chain.deploy(token_artifact, TOTAL_SUPPLY, owner, owner, owner, sender=owner)
    chain.transact(token.functions.transfer(holder, HOLDER_FUNDS), owner)
    return token


@pytest.fixture(scope="module")
def token_b(chain: Chain, token_artifact: Artifact, owner: str) -> Any:
    return chain.deploy(token_artifact, TOTAL_SUPPLY, owner, owner, owner, sender=owner)


@pytest.fixture(scope="module")
def tge(chain: Chain) -> int:
    return chain.timestamp() + 3_600


@pytest.fixture(scope="module")
def late_rate_from(tge: int) -> int:
    return tge + INITIAL_RATE_DURATION


def deploy_converter(
    chain: Chain,
    artifact: Artifact,
    token_a: str,
    token_b: str,
    tge: int,
    initial: tuple[int, int] = INITIAL_RATE,
    late: tuple[int, int] = LATE_RATE,
    sender: str | None = None,
) -> Any:
    return chain.deploy(artifact, token_a, token_b, *initial, tge, *late, sender=sender)


@pytest.fixture(scope="module")
def converter(
    chain: Chain,
    converter_artifact: Artifact,
    token_a: Any,
    token_b: Any,
    tge: int,
    owner: str,
    holder: str,
) -> Any:
    """Deployed by the owner, stocked with STOCK of SESH; the holder approved it for wOXEN."""
    converter = deploy_converter(
        chain, converter_artifact, token_a.address, token_b.address, tge, sender=owner
    )
    chain.transact(token_b.functions.approve(converter.address, 2**256 - 1), owner)
    chain.transact(converter.functions.depositTokenB(STOCK), owner)
    chain.transact(token_a.functions.approve(converter.address, 2**256 - 1), holder)
    return converter


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, converter: Any) -> Iterator[None]:
    """Every test starts from the module's state (and clock)."""
    snapshot = chain.snapshot()
    yield
    chain.revert(snapshot)


def send_at(chain: Chain, call: Any, sender: str, timestamp: int) -> Any:
    """Send ``call`` in a block with exactly ``timestamp``; the receipt. Gas is given, so no
    estimate runs first at another second."""
    chain.set_next_timestamp(timestamp)
    return chain.wait(call.transact({"from": sender, "gas": 1_000_000}))


def call_at(chain: Chain, call: Any, timestamp: int, sender: str | None = None) -> Any:
    """Mine a block at ``timestamp`` and answer ``call`` there (anvil answers calls at the
    latest block's timestamp)."""
    chain.mine(timestamp)
    return call.call({"from": sender} if sender else {})


def error_of(action: Any, abi: list[dict[str, Any]]) -> tuple[str, tuple[Any, ...]]:
    """(name, arguments) of the error ``action`` reverts with; ("Error", (text,)) for a
    revert string."""
    decoded = decode_revert(abi, revert_data(action))
    return decoded.name, tuple(
        Web3.to_checksum_address(a) if isinstance(a, str) and Web3.is_address(a) else a
        for a in decoded.args
    )


def reason_of(action: Any) -> str:
    """The revert string of ``action``."""
    name, args = error_of(action, [])
    assert name == "Error", name
    return str(args[0])
