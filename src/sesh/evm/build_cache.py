"""Compiled contracts kept on disk, so that a devnet starts in about a second instead of ten.

Compiling the contract set takes seconds (ServiceNodeRewards alone about six), far longer than
starting anvil and deploying. An artifact depends only on the Vyper sources (the contract and
every module it imports), the compiler's version and settings, and our publishing step (the
error entries derived from ``errors.vy``, the reference's parameter names). The cache key hashes
all of them:

* every ``.vy`` file under the contracts root, by relative path and content (hashing a few
  hundred kilobytes is cheaper than working out which modules each contract imports, and any
  change to any source is then a miss, which errs on the safe side);
* the installed Vyper version, the EVM version and the pinned storage slots;
* the source of every module that turns sources into artifacts (``PUBLISHING_MODULES``: the
  compiler and the publishing step, and the project modules they import; a test holds the list
  closed under imports) and the names table ``sesh/evm/abi_names.json``, so that a cached ABI
  is never one an older publishing step wrote;
* ``CACHE_FORMAT``, the layout of the files below.

Entries live in ``<cache dir>/<key>/<contract>.json``; writing under a new key removes the
other keys' directories, so the cache holds one build. Reading an entry imports neither Vyper
nor the compiler, which is the point.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sesh.evm import abi_names, abi_types, artifacts, compiler
from sesh.evm.compiler import CONTRACTS_DIR, EVM_VERSION, PINNED_SLOTS, Artifact

CACHE_FORMAT = 1
"""Bump when the entry layout (``artifact_to_json``) changes."""

PUBLISHING_MODULES = (compiler, abi_types, abi_names, artifacts)
"""The modules ``artifacts.compile_contract`` runs, hashed by their source."""

_KEY_LENGTH = 16
"""Hex digits of the SHA-256 kept in directory names: plenty to tell builds apart."""


def build_key(contracts_dir: Path = CONTRACTS_DIR) -> str:
    """The cache key of the current sources, compiler and settings (see the module docstring)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(CACHE_FORMAT).encode())
    add("vyper", version("vyper").encode())
    add("evm", EVM_VERSION.encode())
    add("pins", json.dumps(sorted(PINNED_SLOTS.items())).encode())
    for module in PUBLISHING_MODULES:
        add(module.__name__, Path(str(module.__file__)).read_bytes())
    add("abi_names.json", abi_names.NAMES_FILE.read_bytes())
    for path in sorted(contracts_dir.rglob("*.vy")):
        add(path.relative_to(contracts_dir).as_posix(), path.read_bytes())
    return digest.hexdigest()[:_KEY_LENGTH]


def artifact_to_json(artifact: Artifact) -> dict[str, Any]:
    """An artifact as JSON (the source path is not kept: the caller knows it)."""
    return {
        "name": artifact.name,
        "abi": artifact.abi,
        "bytecode": "0x" + artifact.bytecode.hex(),
        "runtime_bytecode": "0x" + artifact.runtime_bytecode.hex(),
        "storage_layout": artifact.storage_layout,
    }


def artifact_from_json(data: dict[str, Any], source_path: Path | None = None) -> Artifact:
    """The artifact ``artifact_to_json`` wrote."""
    return Artifact(
        name=str(data["name"]),
        abi=list(data["abi"]),
        bytecode=bytes.fromhex(str(data["bytecode"]).removeprefix("0x")),
        runtime_bytecode=bytes.fromhex(str(data["runtime_bytecode"]).removeprefix("0x")),
        storage_layout=dict(data["storage_layout"]),
        source_path=source_path,
    )


def cached_contract(path: Path, cache_dir: Path, key: str | None = None) -> Artifact:
    """``sesh.evm.artifacts.compile_contract(path)``, read from ``cache_dir`` when the key
    matches, else compiled and stored there. ``key`` saves rehashing for several contracts."""
    key = key or build_key()
    entry = cache_dir / key / f"{path.stem}.json"
    try:
        return artifact_from_json(json.loads(entry.read_text()), path.resolve())
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing or damaged: compile again
    artifact = artifacts.compile_contract(path)
    _store(entry, artifact_to_json(artifact))
    return artifact


def _store(entry: Path, data: dict[str, Any]) -> None:
    """Write ``entry`` atomically and drop the directories of other keys."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    partial = entry.with_name(f"{entry.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(data))
    os.replace(partial, entry)
    for sibling in entry.parent.parent.iterdir():
        if sibling.is_dir() and sibling != entry.parent and len(sibling.name) == _KEY_LENGTH:
            shutil.rmtree(sibling, ignore_errors=True)
