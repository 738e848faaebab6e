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

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact
from sesh.evm.profiles import TOTAL_SUPPLY

from ...support.contracts import artifact, isolated, roles

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


converter_artifact = artifact("converter_artifact", "TokenConverter.vy")
token_artifact = artifact("token_artifact", "SESH.vy")
hook_token_artifact = artifact("hook_token_artifact", "hook_token.vy", TEST_CONTRACTS)
owner, holder, stranger = roles("owner", "holder", "stranger")


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
    with isolated(chain):
        yield
