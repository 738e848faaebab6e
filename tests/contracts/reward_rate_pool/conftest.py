"""A funded RewardRatePool behind its proxy, on a fresh anvil per test module.

Roles (anvil's dev accounts): the owner, who deploys the token and the pool and initialises
it (0); the beneficiary (1); a stranger with no rights (2); a future owner (3). Every test
starts from the state right after deployment and funding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from ...support.contracts import artifact, isolated, roles

TOTAL_SUPPLY = 240_000_000 * 10**9
POOL_DEPOSIT = 40_000_000 * 10**9
"""What the pool holds at the start of every test: 40 million SESH."""


pool_artifact = artifact("pool_artifact", "RewardRatePool.vy")
sesh_artifact = artifact("sesh_artifact", "SESH.vy")


@pytest.fixture(scope="session")
def deposit() -> int:
    return POOL_DEPOSIT


owner, beneficiary, stranger, new_owner = roles("owner", "beneficiary", "stranger", "new_owner")


@pytest.fixture(scope="module")
def token(chain: Chain, sesh_artifact: Artifact, owner: str) -> Any:
    return chain.deploy(sesh_artifact, TOTAL_SUPPLY, owner, owner, owner, sender=owner)


@pytest.fixture(scope="module")
def deployment(
    chain: Chain, pool_artifact: Artifact, token: Any, owner: str, beneficiary: str
) -> tuple[Any, Any]:
    """(proxy, implementation), the proxy initialised and funded."""
    proxy, implementation = chain.deploy_upgradeable(
        pool_artifact, args=[beneficiary, token.address], sender=owner
    )
    chain.transact(token.functions.transfer(proxy.address, POOL_DEPOSIT), owner)
    return proxy, implementation


@pytest.fixture(scope="module")
def pool(deployment: tuple[Any, Any]) -> Any:
    """The pool as users see it: the proxy, with RewardRatePool's ABI."""
    return deployment[0]


@pytest.fixture(scope="module")
def implementation(deployment: tuple[Any, Any]) -> Any:
    return deployment[1]


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, deployment: tuple[Any, Any]) -> Iterator[None]:
    with isolated(chain):
        yield


def payout_model(balance: int, seconds: int) -> int:
    """The pool's formula, independently: 15.1 % a year, per second, floored once."""
    return balance * 151 * seconds // (1_000 * 365 * 24 * 60 * 60)


@pytest.fixture(scope="session")
def payout() -> Callable[[int, int], int]:
    return payout_model
