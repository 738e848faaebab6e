"""Devnet data directories for tests: with the session's warm compiled-contract cache, so that
a devnet under test deploys in seconds instead of compiling for half a minute."""

from __future__ import annotations

import shutil
from pathlib import Path


def warm_data_dir(path: Path, build_cache: Path) -> Path:
    """A new devnet data directory at `path` with the warm cache (`build_cache`, the session
    fixture in tests/conftest.py) in it."""
    shutil.copytree(build_cache, path / "build")
    return path
