"""Fixtures shared by the contract tests: one anvil chain per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts, load_artifacts


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    """A fresh chain for the module; tests inside it share deployments (and snapshots)."""
    with Anvil(port=0) as node:
        yield Chain(node.rpc_url)


@pytest.fixture(scope="session")
def artifacts() -> ContractArtifacts:
    """The contract set as ``sesh deploy`` deploys it, compiled once for the session."""
    return load_artifacts()
