"""Compare a contract's published ABI with the reference's: signatures, then names.

The reference list (``reference/abi-signatures.json``, one entry per contract) gives functions
with selector, mutability and return types, events with topic0 and the names of their indexed
arguments, and errors with selectors. ``compare`` answers with every difference, in words, so a
failing test reads as a to-do list; an empty list means the ABI is compatible. Members we add on
purpose are passed in as ``allowed_extra`` (the test reads them from docs/compatibility.md).

``compare_names`` does the same for parameter names against the reference's full ABI
(``reference/abi-names.json``): the names of function inputs and outputs, event and error
fields, and tuple components at any depth, member by member.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from eth_utils.crypto import keccak

from sesh.evm.abi_names import member_key, names_of
from sesh.evm.abi_types import canonical_type
from sesh.evm.artifacts import selector


@dataclass(frozen=True)
class Member:
    """One function, event or error of an ABI, reduced to what compatibility depends on."""

    kind: str  # "function", "event" or "error"
    signature: str
    mutability: str = ""
    returns: str = ""
    indexed: tuple[str, ...] = ()
    """Event: the names of the indexed arguments, in order."""


def abi_members(abi: list[dict[str, Any]]) -> dict[tuple[str, str], Member]:
    """(kind, signature) → member for every function, event and error of a JSON ABI."""
    members: dict[tuple[str, str], Member] = {}
    for entry in abi:
        kind = entry.get("type")
        if kind not in ("function", "event", "error"):
            continue
        types = ",".join(canonical_type(p) for p in entry.get("inputs", []))
        signature = f"{entry['name']}({types})"
        member = Member(kind, signature)
        if kind == "function":
            outputs = ",".join(canonical_type(p) for p in entry.get("outputs", []))
            member = Member(kind, signature, entry["stateMutability"], f"({outputs})")
        elif kind == "event":
            indexed = tuple(p["name"] for p in entry["inputs"] if p.get("indexed"))
            member = Member(kind, signature, indexed=indexed)
        members[(kind, signature)] = member
    return members


def reference_members(entry: Mapping[str, Any]) -> dict[tuple[str, str], Member]:
    """The same for one contract of abi-signatures.json, after checking its own hashes."""
    members: dict[tuple[str, str], Member] = {}
    for function in entry.get("functions", []):
        sig = function["sig"]
        if "0x" + selector(sig).hex() != function["selector"]:
            raise ValueError(f"reference selector of {sig} does not match its signature")
        members[("function", sig)] = Member(
            "function", sig, function["mutability"], function["returns"]
        )
    for event in entry.get("events", []):
        sig = event["sig"]
        if "0x" + keccak(text=sig).hex() != event["topic0"]:
            raise ValueError(f"reference topic0 of {sig} does not match its signature")
        members[("event", sig)] = Member("event", sig, indexed=tuple(event["indexed"]))
    for error in entry.get("errors", []):
        sig = error["sig"]
        if "0x" + selector(sig).hex() != error["selector"]:
            raise ValueError(f"reference selector of {sig} does not match its signature")
        members[("error", sig)] = Member("error", sig)
    return members


def compare(
    abi: list[dict[str, Any]],
    reference: Mapping[str, Any],
    allowed_extra: Collection[str] = (),
) -> list[str]:
    """Every difference between ``abi`` and a reference entry (empty when compatible).

    Checked: each reference function is present with its mutability and return types, each
    reference event with the same indexed arguments (by name, in order), each reference error;
    and the ABI has no function, event or error beyond the reference unless its signature is in
    ``allowed_extra``. The constructor's argument types are compared when the reference gives
    them.
    """
    ours = abi_members(abi)
    theirs = reference_members(reference)
    problems: list[str] = []
    for key, expected in theirs.items():
        kind, sig = key
        actual = ours.get(key)
        if actual is None:
            problems.append(f"missing {kind} {sig}")
        elif kind == "function" and (actual.mutability, actual.returns) != (
            expected.mutability,
            expected.returns,
        ):
            problems.append(
                f"function {sig}: ours is {actual.mutability} returning {actual.returns}, "
                f"the reference's {expected.mutability} returning {expected.returns}"
            )
        elif kind == "event" and actual.indexed != expected.indexed:
            problems.append(
                f"event {sig}: indexed {list(actual.indexed)}, the reference's "
                f"{list(expected.indexed)}"
            )
    for (kind, sig), _ in ours.items():
        if (kind, sig) not in theirs and sig not in allowed_extra:
            problems.append(f"extra {kind} {sig} (not in the reference, not documented)")
    if "constructor" in reference:
        inputs: list[dict[str, Any]] = next(
            (e["inputs"] for e in abi if e.get("type") == "constructor"), []
        )
        types = "(" + ",".join(canonical_type(p) for p in inputs) + ")"
        if types != reference["constructor"]:
            problems.append(f"constructor {types}, the reference's {reference['constructor']}")
    return problems


def compare_names(
    abi: list[dict[str, Any]],
    reference_abi: list[dict[str, Any]],
    allowed: Collection[str] = (),
) -> list[str]:
    """Every member of ``abi`` whose parameter names differ from the reference's (empty when
    all agree).

    ``reference_abi`` is one contract's full JSON ABI (``reference/abi-names.json``). Members
    are matched by kind and canonical signature (``sesh.evm.abi_names.member_key``); a member
    only one side has is ``compare``'s business, not this check's. Inputs and outputs are
    compared name by name, tuple components included; ``allowed`` holds the member keys whose
    names differ on purpose.
    """
    theirs = {key: names_of(e) for e in reference_abi if (key := member_key(e)) is not None}
    problems: list[str] = []
    for entry in abi:
        key = member_key(entry)
        if key is None or key not in theirs or key in allowed:
            continue
        ours = names_of(entry)
        for part in ("inputs", "outputs"):
            if ours.get(part, []) != theirs[key].get(part, []):
                problems.append(
                    f"{key}: {part} named {json.dumps(ours.get(part, []))}, the reference's "
                    f"{json.dumps(theirs[key].get(part, []))}"
                )
    return problems
