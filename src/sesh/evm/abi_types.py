"""Canonical ABI type strings, read without web3: shared by the published ABIs
(``sesh.evm.artifacts``, ``sesh.evm.abi_names``) and the tracker's decoder (``sesh.l2.abi``),
which must not load web3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def split_type_list(inner: str) -> list[str]:
    """Split a non-empty comma-separated type list at depth 0 (tuples nest in parentheses);
    ValueError if the parentheses do not balance or a type is empty."""
    types, depth, start = [], 0, 0
    for index, char in enumerate(inner):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            types.append(inner[start:index])
            start = index + 1
    types.append(inner[start:])
    if depth != 0 or any(not t for t in types):
        raise ValueError(f"not a canonical type list: {inner!r}")
    return types


def canonical_type(param: Mapping[str, Any]) -> str:
    """The canonical type of an ABI JSON parameter (tuples written out), as selectors use it."""
    type_: str = param["type"]
    if type_.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){type_[len('tuple') :]}"
    return type_
