"""Funding knows nothing of the node: it takes narrow inputs (a call reader, a status writer)."""

from __future__ import annotations

from ..support.imports import import_graph


def test_funding_knows_nothing_of_the_node() -> None:
    assert not any(t.startswith("sesh.node") for t in import_graph()["sesh.node.funding"])
