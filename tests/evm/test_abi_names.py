"""sesh.evm.abi_names: the reference's parameter names, carried by the package and laid over
the ABI Vyper writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sesh.evm import abi_names
from sesh.evm.abi_names import NAMES_FILE, apply_names, member_key, name_tree, names_table, render
from sesh.evm.abi_parity import compare_names

from ..conftest import shared_dir

PAIR = {"name": "", "type": "tuple", "components": [{"name": "", "type": "uint256"}] * 2}


def function(name: str, inputs: list[Any], outputs: list[Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "inputs": inputs,
        "outputs": outputs,
        "stateMutability": "view",
    }


def plain(type_: str, name: str = "") -> dict[str, Any]:
    return {"name": name, "type": type_}


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    path = shared_dir() / "reference" / "abi-names.json"
    if not path.exists():
        pytest.fail(f"the reference ABIs are missing: {path} (set SESH_SHARED)")
    contracts: dict[str, Any] = json.loads(path.read_text())["contracts"]
    return contracts


def test_the_committed_table_is_the_references_names(reference: dict[str, Any]) -> None:
    # Regenerate with scripts/abi-names.py when the reference changes.
    assert NAMES_FILE.read_text() == render(reference)


def test_the_table_knows_every_reference_contract(reference: dict[str, Any]) -> None:
    assert sorted(abi_names.load()) == sorted(reference)
    assert abi_names.load()["ServiceNodeContribution"]["function blsPubkey()"] == {
        "outputs": ["X", "Y"]
    }


def test_the_rendered_table_reads_back_as_json(reference: dict[str, Any]) -> None:
    data = json.loads(render(reference))
    assert data["contracts"] == {name: names_table(abi) for name, abi in reference.items()}


def test_member_keys() -> None:
    assert (
        member_key(function("f", [plain("uint64"), PAIR], []))
        == "function f(uint64,(uint256,uint256))"
    )
    event = {"type": "event", "name": "E", "inputs": [plain("address")], "anonymous": False}
    assert member_key(event) == "event E(address)"
    assert (
        member_key({"type": "constructor", "inputs": [plain("address")]}) == "constructor(address)"
    )
    assert member_key({"type": "fallback"}) is None


def test_name_trees_follow_tuples_and_arrays_of_tuples() -> None:
    param = {
        "name": "reserved",
        "type": "tuple[]",
        "components": [plain("address", "addr"), {**PAIR, "name": "key"}],
    }
    assert name_tree(param) == ["reserved", ["addr", ["key", ["", ""]]]]


def test_names_are_laid_over_outputs_inputs_and_components() -> None:
    abi = [function("blsPubkey", [plain("uint256", "arg0")], [plain("uint256"), PAIR])]
    members = {
        "function blsPubkey(uint256)": {"inputs": ["id"], "outputs": ["a", ["p", ["X", "Y"]]]}
    }
    (entry,) = apply_names(abi, members)
    assert entry["inputs"] == [plain("uint256", "id")]
    assert entry["outputs"] == [
        plain("uint256", "a"),
        {
            "name": "p",
            "type": "tuple",
            "components": [plain("uint256", "X"), plain("uint256", "Y")],
        },
    ]
    assert entry["stateMutability"] == "view"
    assert abi[0]["outputs"][0]["name"] == ""  # the input ABI is not changed


def test_event_fields_keep_indexed() -> None:
    fields = [{"name": n, "type": "address", "indexed": True} for n in ("sender", "receiver")]
    abi = [{"type": "event", "name": "Transfer", "inputs": fields, "anonymous": False}]
    (entry,) = apply_names(abi, {"event Transfer(address,address)": {"inputs": ["from", "to"]}})
    assert entry["inputs"] == [
        {"name": n, "type": "address", "indexed": True} for n in ("from", "to")
    ]


def test_a_part_of_another_shape_keeps_our_names() -> None:
    abi = [function("f", [plain("uint256", "x")], [plain("uint256", "ours"), PAIR])]
    for outputs in (["only-one"], ["a", "b"], ["a", ["p", ["X"]]]):
        members = {"function f(uint256)": {"inputs": ["y"], "outputs": outputs}}
        (entry,) = apply_names(abi, members)
        assert entry["inputs"] == [plain("uint256", "y")]  # the other part is still renamed
        assert entry["outputs"] == abi[0]["outputs"]


def test_members_the_table_lacks_keep_our_names() -> None:
    abi = [function("proxiableUUID", [], [plain("bytes32", "ours")]), {"type": "fallback"}]
    assert apply_names(abi, {"function other()": {"outputs": ["x"]}}) == abi


def test_compare_names_reports_every_difference() -> None:
    named_pair = {**PAIR, "components": [plain("uint256", "X"), plain("uint256", "Y")]}
    reference = [
        function("blsPubkey", [], [plain("uint256", "X"), plain("uint256", "Y")]),
        function("recipients", [plain("address")], [plain("uint256", "rewards")]),
        {"type": "error", "name": "E", "inputs": [{**named_pair, "name": "pubkey"}]},
    ]
    ours = [
        function("blsPubkey", [], [plain("uint256"), plain("uint256")]),
        function("recipients", [plain("address", "arg0")], [plain("uint256", "rewards")]),
        {"type": "error", "name": "E", "inputs": [{**PAIR, "name": "pubkey"}]},
        function("extra", [], [plain("uint256")]),  # compare's business, not this check's
    ]
    assert compare_names(ours, reference) == [
        'function blsPubkey(): outputs named ["", ""], the reference\'s ["X", "Y"]',
        'function recipients(address): inputs named ["arg0"], the reference\'s [""]',
        'error E((uint256,uint256)): inputs named [["pubkey", ["", ""]]], the reference\'s '
        '[["pubkey", ["X", "Y"]]]',
    ]
    allowed = {"function blsPubkey()", "error E((uint256,uint256))"}
    assert compare_names(ours, reference, allowed) == [
        'function recipients(address): inputs named ["arg0"], the reference\'s [""]'
    ]
    assert compare_names(reference, reference) == []
