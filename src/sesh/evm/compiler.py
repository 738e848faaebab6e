"""Compiling Vyper sources into what a deployment needs: ABI, bytecode and storage layout.

The compiler is the pinned ``vyper`` package run in-process, for the cancun target (the rules of
the reference gas table, and what Arbitrum runs). Warnings are errors, so a contract that would
exceed the EIP-170 size limit fails the build instead of failing its deployment.

Imports: a contract may import from its own folder and from the project's ``contracts/`` root,
so every contract (and every test contract under ``tests/``) writes ``from lib import errors``.
The command-line equivalent is ``vyper -p contracts <file>``.

Pinned storage slots: an upgradeable (UUPS) implementation keeps the address of its code at the
ERC-1967 slot, which a proxy reads on every call. Vyper allocates storage sequentially, so any
storage variable named in ``PINNED_SLOTS`` is moved to its fixed slot through a storage-layout
override, and the variables after it close the gap. The variable keeps its place in the source;
only its slot changes.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVM_VERSION = "cancun"

ERC1967_IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
"""keccak256("eip1967.proxy.implementation") - 1: where ERC-1967 proxies keep the implementation."""

PINNED_SLOTS: Mapping[str, int] = {"erc1967_implementation": ERC1967_IMPLEMENTATION_SLOT}
"""Storage variables (by name, in any module) that live at a fixed slot instead of the next one."""

CONTRACTS_DIR = Path(__file__).resolve().parents[3] / "contracts"
"""The project's contracts root (``contracts/`` beside ``src/``), the default import root."""


@dataclass(frozen=True)
class Artifact:
    """A compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    runtime_bytecode: bytes
    storage_layout: dict[str, Any] = field(default_factory=dict)
    """Vyper's layout: variable name → {type, n_slots, slot}, nested per initialised module."""
    source_path: Path | None = None


class CompileError(Exception):
    """The source did not compile, or compiled with a warning (treated as an error)."""


def default_search_paths(path: Path) -> list[Path]:
    """Import roots for ``path``: the contracts root, then (taking precedence) its own folder."""
    paths = [CONTRACTS_DIR] if CONTRACTS_DIR.is_dir() else []
    folder = path.resolve().parent
    if folder not in paths:
        paths.append(folder)
    return paths


def compile_vyper(
    path: Path,
    *,
    search_paths: Sequence[Path] | None = None,
    pinned_slots: Mapping[str, int] | None = None,
) -> Artifact:
    """Compile one ``.vy`` file.

    ``search_paths`` are the import roots, lowest precedence first (default: the project's
    ``contracts/`` and the file's own folder). ``pinned_slots`` maps storage variable names to
    fixed slots (default ``PINNED_SLOTS``); a contract without such a variable compiles in one
    pass.
    """
    import vyper
    from vyper.compiler.input_bundle import FilesystemInputBundle, JSONInput
    from vyper.compiler.settings import Settings

    path = path.resolve()
    roots = list(search_paths) if search_paths is not None else default_search_paths(path)
    pins = PINNED_SLOTS if pinned_slots is None else pinned_slots
    source = path.read_text()

    def run(formats: list[str], layout: dict[str, Any] | None = None) -> dict[str, Any]:
        override = None
        if layout is not None:
            text = json.dumps(layout)
            override = JSONInput(
                contents=text,
                source_id=-1,
                path=Path("layout.json"),
                resolved_path=Path("layout.json"),
                data=layout,
            )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result: dict[str, Any] = vyper.compile_code(
                source,
                contract_path=path.name,
                resolved_path=path,
                output_formats=formats,
                settings=Settings(evm_version=EVM_VERSION),
                input_bundle=FilesystemInputBundle(roots),
                storage_layout_override=override,
            )
        return result

    formats = ["abi", "bytecode", "bytecode_runtime", "layout"]
    try:
        out = run(formats)
        layout = out["layout"].get("storage_layout", {})
        pinned = pin_storage_slots(layout, pins)
        if pinned != layout:  # only upgradeable contracts pay for a second pass
            out = run(formats, pinned)
    except Exception as exc:  # vyper raises many exception types; all mean "no artifact"
        raise CompileError(f"{path.name}: {exc}") from exc
    return Artifact(
        name=path.stem,
        abi=out["abi"],
        bytecode=bytes.fromhex(out["bytecode"].removeprefix("0x")),
        runtime_bytecode=bytes.fromhex(out["bytecode_runtime"].removeprefix("0x")),
        storage_layout=out["layout"].get("storage_layout", {}),
        source_path=path,
    )


def _leaves(
    layout: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """(path, entry) for every variable of a (nested) Vyper storage layout."""
    for name, entry in layout.items():
        if isinstance(entry, dict) and "slot" in entry and "type" in entry:
            yield (*prefix, name), entry
        elif isinstance(entry, dict):
            yield from _leaves(entry, (*prefix, name))


def pin_storage_slots(layout: Mapping[str, Any], pins: Mapping[str, int]) -> dict[str, Any]:
    """A copy of ``layout`` with every variable named in ``pins`` at its pinned slot.

    The other variables keep Vyper's order and are renumbered from slot 0 without gaps, which is
    exactly the layout Vyper would give the source if the pinned variables were not there. So
    adding variables at the end of a contract (the only safe change for an upgrade) keeps the
    existing ones where they were.
    """
    copy: dict[str, Any] = json.loads(json.dumps(layout))
    leaves = sorted(_leaves(copy), key=lambda leaf: int(leaf[1]["slot"]))
    next_slot = 0
    for variable_path, entry in leaves:
        if variable_path[-1] in pins:
            entry["slot"] = pins[variable_path[-1]]
        else:
            entry["slot"] = next_slot
            next_slot += int(entry["n_slots"])
    return copy
