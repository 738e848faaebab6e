"""sesh.evm.compiler: import roots and pinned storage slots."""

from __future__ import annotations

from pathlib import Path

import pytest

from sesh.evm.compiler import (
    CONTRACTS_DIR,
    ERC1967_IMPLEMENTATION_SLOT,
    CompileError,
    compile_vyper,
    default_search_paths,
    pin_storage_slots,
)

HERE = Path(__file__).parent / "contracts"


def test_a_contract_outside_contracts_imports_from_the_contracts_root() -> None:
    artifact = compile_vyper(HERE / "uses_project_lib.vy")
    assert [entry["name"] for entry in artifact.abi] == ["refuse"]


def test_the_files_own_folder_takes_precedence_over_the_contracts_root(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "errors.vy").write_text(
        "# pragma version ~=0.4.3\n@internal\n@pure\ndef _local() -> uint256:\n    return 7\n"
    )
    main = tmp_path / "main.vy"
    main.write_text(
        "# pragma version ~=0.4.3\nfrom lib import errors\n"
        "@external\n@pure\ndef seven() -> uint256:\n    return errors._local()\n"
    )
    assert [entry["name"] for entry in compile_vyper(main).abi] == ["seven"]


def test_explicit_search_paths_replace_the_defaults(tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="lib"):
        compile_vyper(HERE / "uses_project_lib.vy", search_paths=[tmp_path])


def test_default_search_paths_are_the_contracts_root_then_the_folder() -> None:
    assert default_search_paths(HERE / "uses_project_lib.vy") == [CONTRACTS_DIR, HERE.resolve()]


def test_pinning_moves_the_variable_and_closes_the_gap() -> None:
    layout = {
        "ownable": {
            "owner": {"type": "address", "n_slots": 1, "slot": 0},
            "pending": {"type": "address", "n_slots": 1, "slot": 1},
        },
        "uups": {"erc1967_implementation": {"type": "address", "n_slots": 1, "slot": 2}},
        "table": {"type": "uint256[3]", "n_slots": 3, "slot": 3},
        "last": {"type": "uint256", "n_slots": 1, "slot": 6},
    }
    pinned = pin_storage_slots(layout, {"erc1967_implementation": 1234})
    assert pinned["uups"]["erc1967_implementation"]["slot"] == 1234
    assert pinned["ownable"]["pending"]["slot"] == 1
    assert pinned["table"]["slot"] == 2
    assert pinned["last"]["slot"] == 5
    assert layout["last"]["slot"] == 6  # the input is left alone


def test_without_a_pinned_variable_the_layout_is_unchanged() -> None:
    layout = {"a": {"type": "uint256", "n_slots": 1, "slot": 0}}
    assert pin_storage_slots(layout, {"erc1967_implementation": 1}) == layout


def test_the_reward_rate_pool_keeps_its_implementation_at_the_erc1967_slot() -> None:
    layout = compile_vyper(CONTRACTS_DIR / "RewardRatePool.vy").storage_layout
    assert layout["uups"]["erc1967_implementation"]["slot"] == ERC1967_IMPLEMENTATION_SLOT
    low = [layout["ownable2step"]["owner"], layout["lastPaidOutTime"]]
    assert [entry["slot"] for entry in low] == [0, 6]


def test_pinning_leaves_transient_storage_alone(tmp_path: Path) -> None:
    source = tmp_path / "locked.vy"
    source.write_text(
        "# pragma version ~=0.4.3\n"
        "a: uint256\nerc1967_implementation: address\nbusy: transient(bool)\nb: uint256\n"
        "@external\n@nonreentrant\ndef f() -> uint256:\n    self.busy = True\n    return self.b\n"
    )
    layout = compile_vyper(source).storage_layout
    assert layout["erc1967_implementation"]["slot"] == ERC1967_IMPLEMENTATION_SLOT
    assert (layout["a"]["slot"], layout["b"]["slot"]) == (0, 1)
