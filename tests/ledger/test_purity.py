"""The pure core loads only pure code: importing the ledger must not bring in HTTP, SQLite,
web3 or a BLS backend (the layers in design.md). Checked in a fresh interpreter, since this
test process has loaded everything already."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FORBIDDEN = (
    "http.client",
    "urllib.request",
    "sqlite3",
    "web3",
    "sesh.l2.providers",
    "sesh.l2.tracker",
    "sesh.bls",
    "sesh.bls.backends",
    "sesh.evm",
)


def loaded_by(module: str) -> set[str]:
    program = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", ["sesh.ledger", "sesh.l2.events", "sesh.keccak", "sesh.units"])
def test_the_pure_core_loads_no_io_and_no_bls_backend(module: str) -> None:
    loaded = loaded_by(module)
    assert module in loaded
    assert sorted(m for m in loaded if m in FORBIDDEN or m.startswith("sesh.bls.backends")) == []


def test_the_keccak_of_the_bls_package_is_the_leaf_one() -> None:
    from sesh.bls import keccak256 as from_bls
    from sesh.keccak import keccak256

    assert from_bls is keccak256
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
