"""A SESH token on a fresh anvil per test module; every test starts from the same state.

Roles (anvil's dev accounts): the deployer (0), the genesis holder who receives the whole
supply (1), holders and spenders (2-4). The gateway and router are plain accounts here; the
Arbitrum tests deploy recording contracts for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sesh.evm.artifacts import compile_contract
from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
TOTAL_SUPPLY = 240_000_000 * 10**9
"""The reference's genesis supply: 240 million SESH of 9 decimals."""


@pytest.fixture(scope="session")
def total_supply() -> int:
    return TOTAL_SUPPLY


@pytest.fixture(scope="session")
def sesh_artifact() -> Artifact:
    return compile_contract(CONTRACTS / "SESH.vy")


@pytest.fixture(scope="module")
def genesis(chain: Chain) -> str:
    return chain.accounts[1]


@pytest.fixture(scope="module")
def alice(chain: Chain) -> str:
    return chain.accounts[2]


@pytest.fixture(scope="module")
def bob(chain: Chain) -> str:
    return chain.accounts[3]


@pytest.fixture(scope="module")
def carol(chain: Chain) -> str:
    return chain.accounts[4]


@pytest.fixture(scope="module")
def token(chain: Chain, sesh_artifact: Artifact, genesis: str) -> Any:
    return chain.deploy(sesh_artifact, TOTAL_SUPPLY, genesis, chain.accounts[8], chain.accounts[9])


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, token: Any) -> Iterator[None]:
    """Each test runs on the state right after deployment and leaves nothing behind."""
    snapshot = chain.snapshot()
    yield
    chain.revert(snapshot)
