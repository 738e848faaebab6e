"""Fixtures for the test packages that deploy the contract set on anvil: the compiled contracts
(once per session), an anvil per test module and a client of it.

A package's conftest makes them its own by importing them by name
(``from ..support.anvil import anvil as anvil``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts, load_artifacts


@pytest.fixture(scope="session")
def artifacts(request: pytest.FixtureRequest) -> ContractArtifacts:
    """Compiled once per source change: kept in pytest's cache directory (when pytest runs
    with its cache)."""
    cache = getattr(request.config, "cache", None)
    return load_artifacts(cache_dir=cache.mkdir("sesh-contracts") if cache else None)


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil(port=0) as node:
        yield node


@pytest.fixture(scope="module")
def chain(anvil: Anvil) -> Chain:
    return Chain(anvil.rpc_url)
