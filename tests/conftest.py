"""Shared fixtures: where the shared reference material lives."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the project (every developer and CI have it), or ``$SESH_SHARED``."""
    return Path(os.environ.get("SESH_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def bls_vectors() -> dict[str, Any]:
    path = shared_dir() / "vectors" / "bls-vectors.json"
    if not path.exists():
        pytest.fail(f"the shared BLS vectors are missing: {path} (set SESH_SHARED)")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture(scope="session", autouse=True)
def _sesh_home(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every test, and every command a test starts, keeps sesh's files (keys, the compiled
    contracts' cache) in a directory of the session's, never in the user's ~/.sesh. Shared by
    the session, so the contracts compile once for all the tests that deploy through it."""
    home = tmp_path_factory.mktemp("sesh-home")
    previous = os.environ.get("SESH_HOME")
    os.environ["SESH_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("SESH_HOME", None)
    else:
        os.environ["SESH_HOME"] = previous


@pytest.fixture(scope="session")
def build_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warm compiled-contract cache (what a devnet's DATA_DIR/build/ holds after one run):
    compiled once per session for every test that starts a devnet."""
    from sesh.devnet import devnet_contract_names
    from sesh.evm.contract_set import contract_loader

    path = tmp_path_factory.mktemp("build")
    load = contract_loader(cache_dir=path)
    for name in devnet_contract_names():
        load(name)
    return path
