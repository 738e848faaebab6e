"""sesh.evm.build_cache: a compiled contract is read back instead of compiled, until a source
changes."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

import pytest

from sesh.evm import abi_names, artifacts, build_cache
from sesh.evm.build_cache import (
    PUBLISHING_MODULES,
    artifact_from_json,
    artifact_to_json,
    build_key,
    cached_contract,
)
from sesh.evm.compiler import CONTRACTS_DIR

TARGET = Path(__file__).parent / "contracts" / "proxy_target.vy"
KEY_A, KEY_B = "a" * 16, "b" * 16


def _no_compiling(path: Path) -> None:
    raise AssertionError(f"{path.name} was compiled, not read from the cache")


def test_an_artifact_survives_json() -> None:
    artifact = artifacts.compile_contract(TARGET)
    text = json.dumps(artifact_to_json(artifact))
    assert artifact_from_json(json.loads(text), artifact.source_path) == artifact


def test_the_second_read_comes_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cached_contract(TARGET, tmp_path, KEY_A)
    assert (tmp_path / KEY_A / "proxy_target.json").is_file()
    monkeypatch.setattr(build_cache.artifacts, "compile_contract", _no_compiling)
    assert cached_contract(TARGET, tmp_path, KEY_A) == first


def test_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    entry = tmp_path / KEY_A / "proxy_target.json"
    entry.parent.mkdir()
    entry.write_text('{"name": "proxy_target", "abi": ')
    artifact = cached_contract(TARGET, tmp_path, KEY_A)
    assert artifact.bytecode and json.loads(entry.read_text())["name"] == "proxy_target"


def test_a_new_key_replaces_the_old_build(tmp_path: Path) -> None:
    cached_contract(TARGET, tmp_path, KEY_A)
    (tmp_path / "notes").mkdir()  # not a key: left alone
    cached_contract(TARGET, tmp_path, KEY_B)
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_B, "notes"]


def test_the_key_follows_every_source(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    (contracts / "lib").mkdir(parents=True)
    (contracts / "A.vy").write_text("# a\n")
    (contracts / "lib" / "m.vy").write_text("# m\n")
    before = build_key(contracts)
    assert build_key(contracts) == before and len(before) == 16
    (contracts / "lib" / "m.vy").write_text("# m, changed\n")
    changed = build_key(contracts)
    assert changed != before
    (contracts / "lib" / "n.vy").write_text("")
    assert build_key(contracts) != changed


def test_the_projects_key_is_stable() -> None:
    assert build_key(CONTRACTS_DIR) == build_key()


def test_the_key_follows_the_names_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # New names mean new published ABIs: a cached ABI with the old names must not be read back.
    table = tmp_path / "abi_names.json"
    table.write_bytes(abi_names.NAMES_FILE.read_bytes())
    before = build_key()
    monkeypatch.setattr(abi_names, "NAMES_FILE", table)
    assert build_key() == before
    table.write_text(table.read_text().replace('["X", "Y"]', '["x", "y"]', 1))
    assert build_key() != before


def _project_imports(path: Path) -> set[str]:
    """The sesh modules (not packages) a source file imports, anywhere in it."""
    candidates: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            candidates.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            candidates.add(node.module)
            candidates.update(f"{node.module}.{alias.name}" for alias in node.names)
    found = set()
    for name in candidates:
        if name.split(".")[0] != "sesh":
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            continue  # `from sesh.evm.compiler import Artifact`: a name, not a module
        if spec is not None and spec.origin and not spec.origin.endswith("__init__.py"):
            found.add(name)
    return found


def test_every_module_of_the_publishing_step_is_hashed() -> None:
    # A module compile_contract runs but the key does not hash would let a change to it reuse
    # artifacts an older version published.
    hashed = {module.__name__ for module in PUBLISHING_MODULES}
    assert "sesh.evm.artifacts" in hashed
    for module in PUBLISHING_MODULES:
        assert _project_imports(Path(str(module.__file__))) <= hashed, module.__name__
