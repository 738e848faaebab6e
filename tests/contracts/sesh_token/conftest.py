"""A SESH token on a fresh anvil per test module; every test starts from the same state.

Roles (anvil's dev accounts): the deployer (0), the genesis holder who receives the whole
supply (1), holders and spenders (2-4). The gateway and router are plain accounts here; the
Arbitrum tests deploy recording contracts for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from ...support.contracts import artifact, isolated, roles

TOTAL_SUPPLY = 240_000_000 * 10**9
"""The reference's genesis supply: 240 million SESH of 9 decimals."""


@pytest.fixture(scope="session")
def total_supply() -> int:
    return TOTAL_SUPPLY


sesh_artifact = artifact("sesh_artifact", "SESH.vy")
genesis, alice, bob, carol = roles("genesis", "alice", "bob", "carol", first=1)


@pytest.fixture(scope="module")
def token(chain: Chain, sesh_artifact: Artifact, genesis: str) -> Any:
    return chain.deploy(sesh_artifact, TOTAL_SUPPLY, genesis, chain.accounts[8], chain.accounts[9])


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, token: Any) -> Iterator[None]:
    """Each test runs on the state right after deployment and leaves nothing behind."""
    with isolated(chain):
        yield
