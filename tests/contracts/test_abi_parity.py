"""Our contracts' published ABIs against the reference's canonical signatures and names.

For each contract: every reference function (selector, mutability, return types), event (topic0,
indexed arguments) and error (selector) is in our published ABI, and we publish nothing more
than the members docs/compatibility.md lists under "Beyond the reference ABI". Every member the
reference has carries the reference's parameter names (inputs, outputs, event and error fields,
tuple components), but for the members listed under "Names" there. Also: every error helper in
contracts/lib/errors.vy that shares a name with a reference error has its signature, so its
selector.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from sesh.evm.abi_names import NameTree, member_key, names_of
from sesh.evm.abi_parity import abi_members, compare, compare_names
from sesh.evm.artifacts import compile_contract, load_error_catalogue, module_graph

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
COMPATIBILITY = ROOT / "docs" / "compatibility.md"

# (our source, the reference contract it stands for)
PAIRS = [
    ("SESH.vy", "SESH"),
    ("RewardRatePool.vy", "RewardRatePool"),
    ("ServiceNodeRewards.vy", "ServiceNodeRewards"),
    ("ServiceNodeContribution.vy", "ServiceNodeContribution"),
    ("ServiceNodeContributionFactory.vy", "ServiceNodeContributionFactory"),
    ("TokenConverter.vy", "TokenConverter"),
    ("TokenVestingStaking.vy", "TokenVestingStaking"),
    ("TokenVestingNoStaking.vy", "TokenVestingNoStaking"),
]


def _shared_reference(name: str) -> dict[str, Any]:
    shared = Path(os.environ.get("SESH_SHARED", ROOT.parent / "shared"))
    path = shared / "reference" / name
    if not path.exists():
        pytest.fail(f"the reference ABIs are missing: {path} (set SESH_SHARED)")
    contracts: dict[str, Any] = json.loads(path.read_text())["contracts"]
    return contracts


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """abi-signatures.json: contract → functions, events and errors by canonical signature."""
    return _shared_reference("abi-signatures.json")


@pytest.fixture(scope="module")
def reference_abis() -> dict[str, list[dict[str, Any]]]:
    """abi-names.json: contract → the reference's full JSON ABI, every name included."""
    return _shared_reference("abi-names.json")


def documented_extras(contract: str) -> set[str]:
    """Signatures in the "Beyond the reference ABI" table of docs/compatibility.md."""
    text = COMPATIBILITY.read_text()
    section = text.split("### Beyond the reference ABI", 1)[1].split("\n### ", 1)[0]
    row = re.compile(r"^\|\s*(\w+)\s*\|\s*(function|event|error)\s*\|\s*`([^`]+)`\s*\|", re.M)
    return {sig for name, _, sig in row.findall(section) if name == contract}


def documented_name_differences(contract: str) -> set[str]:
    """Member keys (``sesh.evm.abi_names.member_key``) in the table of the "Names" section of
    docs/compatibility.md: members whose parameter names differ from the reference's on purpose."""
    text = COMPATIBILITY.read_text()
    section = text.split("### Names", 1)[1].split("\n### ", 1)[0]
    row = re.compile(r"^\|\s*(\w+)\s*\|\s*(function|event|error)\s*\|\s*`([^`]+)`\s*\|", re.M)
    return {f"{kind} {sig}" for name, kind, sig in row.findall(section) if name == contract}


def documented_constructor(contract: str) -> str | None:
    """The constructor types of a `| contract | constructor | `(types)` |` row anywhere in
    docs/compatibility.md, for a contract whose constructor differs on purpose."""
    row = re.compile(r"^\|\s*(\w+)\s*\|\s*constructor\s*\|\s*`([^`]+)`\s*\|", re.M)
    found = [types for name, types in row.findall(COMPATIBILITY.read_text()) if name == contract]
    return found[0] if found else None


@pytest.mark.parametrize(("source", "name"), PAIRS)
def test_published_abi_matches_the_reference(
    reference: dict[str, Any], source: str, name: str
) -> None:
    artifact = compile_contract(CONTRACTS / source)
    expected = dict(reference[name])
    constructor = documented_constructor(name)
    if constructor is not None:
        expected["constructor"] = constructor
    assert compare(artifact.abi, expected, documented_extras(name)) == []


@pytest.mark.parametrize(("source", "name"), PAIRS)
def test_every_documented_extra_exists(source: str, name: str) -> None:
    # A stale line in the compatibility table would silently allow a future extra member.
    published = {sig for _, sig in abi_members(compile_contract(CONTRACTS / source).abi)}
    assert documented_extras(name) <= published


@pytest.mark.parametrize(("source", "name"), PAIRS)
def test_published_names_are_the_references(
    reference_abis: dict[str, list[dict[str, Any]]], source: str, name: str
) -> None:
    artifact = compile_contract(CONTRACTS / source)
    allowed = documented_name_differences(name)
    assert compare_names(artifact.abi, reference_abis[name], allowed) == []


@pytest.mark.parametrize(("source", "name"), PAIRS)
def test_every_documented_name_difference_is_real(
    reference_abis: dict[str, list[dict[str, Any]]], source: str, name: str
) -> None:
    # As for extras: a stale row would let a future renaming through unnoticed.
    problems = compare_names(compile_contract(CONTRACTS / source).abi, reference_abis[name])
    for key in documented_name_differences(name):
        assert any(problem.startswith(f"{key}: ") for problem in problems), key


# Names client code reads, which Vyper's own ABI leaves empty or spells otherwise.
NAMED = [
    ("ServiceNodeContribution", "function blsPubkey()", "outputs", ["X", "Y"]),
    (
        "ServiceNodeContribution",
        "function getContributions()",
        "outputs",
        ["addrs", "beneficiaries", "contribs"],
    ),
    (
        "ServiceNodeContribution",
        "function reservedContributions(address)",
        "outputs",
        ["amount", "received"],
    ),
    (
        "ServiceNodeContribution",
        "function _blsSignature()",
        "outputs",
        ["sigs0", "sigs1", "sigs2", "sigs3"],
    ),
    ("ServiceNodeRewards", "function recipients(address)", "outputs", ["rewards", "claimed"]),
    (
        "ServiceNodeRewards",
        "function allServiceNodeIDs()",
        "outputs",
        ["ids", ["pubkeys", ["X", "Y"]]],
    ),
    ("ServiceNodeRewards", "function serviceNodeIDs(bytes)", "inputs", ["blsPubkey"]),
    (
        "ServiceNodeRewards",
        "error BLSPubkeyDoesNotExist((uint256,uint256))",
        "inputs",
        [["pubkey", ["X", "Y"]]],
    ),
    (
        "ServiceNodeContributionFactory",
        "function deploy((uint256,uint256),(uint256,uint256,uint256,uint256),"
        "(uint256,uint256,uint256,uint16),(address,uint256)[],bool)",
        "outputs",
        ["result"],
    ),
    (
        "SESH",
        "function eip712Domain()",
        "outputs",
        ["fields", "name", "version", "chainId", "verifyingContract", "salt", "extensions"],
    ),
    ("SESH", "event Transfer(address,address,uint256)", "inputs", ["from", "to", "value"]),
    ("SESH", "function transferFrom(address,address,uint256)", "inputs", ["from", "to", "value"]),
    (
        "SESH",
        "constructor(uint256,address,address,address)",
        "inputs",
        ["totalSupply_", "receiverGenesisAddress", "_gateway", "_router"],
    ),
]


@pytest.mark.parametrize(("contract", "key", "part", "names"), NAMED)
def test_the_names_clients_read_are_published(
    contract: str, key: str, part: str, names: list[NameTree]
) -> None:
    abi = compile_contract(CONTRACTS / f"{contract}.vy").abi
    (entry,) = [e for e in abi if member_key(e) == key]
    assert names_of(entry)[part] == names


def test_published_events_keep_their_indexed_fields() -> None:
    # Renaming touches names only: Transfer's from and to stay the indexed ones.
    abi = compile_contract(CONTRACTS / "SESH.vy").abi
    (transfer,) = [e for e in abi if member_key(e) == "event Transfer(address,address,uint256)"]
    assert [(p["name"], p["indexed"]) for p in transfer["inputs"]] == [
        ("from", True),
        ("to", True),
        ("value", False),
    ]


def test_error_helpers_have_the_reference_signatures(reference: dict[str, Any]) -> None:
    # A name may stand for different errors in different reference contracts
    # (MaxContributorsExceeded() in ServiceNodeRewards, (uint256) in the contribution contract).
    by_name: dict[str, set[str]] = {}
    for contract in reference.values():
        for error in contract.get("errors", []):
            by_name.setdefault(error["sig"].split("(", 1)[0], set()).add(error["sig"])
    catalogue = load_error_catalogue()
    checked = 0
    for error in catalogue.all():
        if error.name in by_name:
            assert error.signature in by_name[error.name]
            checked += 1
    assert checked >= 20


def test_our_contracts_revert_only_through_the_error_helpers() -> None:
    # One place raises custom errors; a raw_revert anywhere else would escape the published ABI.
    errors_module = (CONTRACTS / "lib" / "errors.vy").resolve()
    for source, _ in PAIRS:
        for module in module_graph(CONTRACTS / source):
            if module != errors_module:
                assert "raw_revert" not in module.read_text(), module.name
