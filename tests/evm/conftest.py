"""Fixtures for tests that run a real anvil: every node is stopped even when the test fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sesh.evm.anvil import Anvil


@pytest.fixture
def anvil() -> Iterator[Anvil]:
    """A throw-away in-memory chain on a free port."""
    with Anvil(port=0) as node:
        yield node


@pytest.fixture
def make_anvil() -> Iterator[Callable[..., Anvil]]:
    """Build (not start) nodes with custom options; all of them are stopped at teardown."""
    nodes: list[Anvil] = []

    def make(**options: object) -> Anvil:
        options.setdefault("port", 0)
        node = Anvil(**options)  # type: ignore[arg-type]
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.stop()
