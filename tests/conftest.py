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
