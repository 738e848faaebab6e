"""Compiling Vyper sources into what a deployment needs: ABI and bytecode.

The compiler is the pinned ``vyper`` package run in-process, for the cancun target (the rules of
the reference gas table, and what Arbitrum runs). Warnings are errors, so a contract that would
exceed the EIP-170 size limit fails the build instead of failing its deployment.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVM_VERSION = "cancun"


@dataclass(frozen=True)
class Artifact:
    """A compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    runtime_bytecode: bytes


class CompileError(Exception):
    """The source did not compile, or compiled with a warning (treated as an error)."""


def compile_vyper(path: Path) -> Artifact:
    """Compile one ``.vy`` file (imports resolve relative to its folder)."""
    import vyper
    from vyper.compiler.settings import Settings

    source = path.read_text()
    settings = Settings(evm_version=EVM_VERSION)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = vyper.compile_code(
                source,
                contract_path=path.name,
                output_formats=["abi", "bytecode", "bytecode_runtime"],
                settings=settings,
                input_bundle=vyper.compiler.input_bundle.FilesystemInputBundle([path.parent]),
            )
    except Exception as exc:  # vyper raises many exception types; all mean "no artifact"
        raise CompileError(f"{path.name}: {exc}") from exc
    return Artifact(
        name=path.stem,
        abi=out["abi"],
        bytecode=bytes.fromhex(out["bytecode"].removeprefix("0x")),
        runtime_bytecode=bytes.fromhex(out["bytecode_runtime"].removeprefix("0x")),
    )
