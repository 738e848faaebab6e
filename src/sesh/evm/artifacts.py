"""The published ABI of a contract: Vyper's ABI plus the custom errors the contract raises.

Vyper 0.4 writes no ``error`` entries into its ABI, yet the reference contracts (and so ours)
revert with Solidity custom errors, and wallets, explorers and web3 decode reverts from those
entries. The errors are in our sources in one fixed form (``contracts/lib/errors.vy``, whose
header states the rules): one ``@internal`` helper per error, the signature written once as the
literal argument of ``method_id``. So the error entries are derived from the sources, never
written by hand:

1. ``load_error_catalogue`` reads errors.vy with Vyper's own parser: helper name → signature, with
   the helper's parameter names as argument names. It also checks each helper encodes exactly
   its parameters, in order, with types matching the signature, so a signature string cannot
   drift from what is really sent.
2. ``contract_errors`` walks the contract and the project modules it imports (transitively),
   collects every ``<errors alias>._helper(...)`` call, and adds the errors the contract names
   in its ``@custom:abi-errors`` header tag (errors the reference ABI declares but our code cannot
   raise, declared as constants at the end of errors.vy).
3. ``published_abi`` appends one ``{"type": "error", ...}`` entry per error to Vyper's ABI, and
   gives every member of a reference contract the reference's parameter names (function inputs
   and outputs, event and error fields, tuple components), which Vyper cannot all give
   (``sesh.evm.abi_names``).

``decode_revert`` turns revert data back into (name, arguments) with that ABI, and
``DecodedRevert.describe`` into words for error messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from sesh.evm import abi_names
from sesh.evm.abi_types import canonical_type, split_type_list
from sesh.evm.compiler import CONTRACTS_DIR, Artifact, compile_vyper, default_search_paths

ERRORS_MODULE = CONTRACTS_DIR / "lib" / "errors.vy"
ABI_ERRORS_TAG = "@custom:abi-errors"

_ERROR_STRING = ("Error", ("string",))
_PANIC = ("Panic", ("uint256",))


class SourceError(Exception):
    """A source breaks the rules the ABI derivation relies on (the message says which)."""


# -- signatures --------------------------------------------------------------------------------


def split_signature(signature: str) -> tuple[str, tuple[str, ...]]:
    """Name and argument types: ``"E(uint256,(address,bool)[])"`` → ``("E", ("uint256",
    "(address,bool)[]"))``."""
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\((.*)\)", signature)
    if match is None:
        raise ValueError(f"not a canonical signature: {signature!r}")
    name, inner = match.groups()
    return name, tuple(_split_types(inner))


def _split_types(inner: str) -> list[str]:
    """Split a comma-separated type list at depth 0 (tuples nest in parentheses)."""
    if inner == "":
        return []
    types = split_type_list(inner)
    if any(" " in t for t in types):
        raise ValueError(f"not a canonical type list: {inner!r}")
    return types


def _closing_paren(text: str) -> int:
    """The index of the parenthesis that closes the one opening ``text``."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced parentheses: {text!r}")


def abi_param(type_: str, name: str = "") -> dict[str, Any]:
    """The ABI JSON of one parameter, expanding tuple types into components."""
    if not type_.startswith("("):
        return {"name": name, "type": type_}
    end = _closing_paren(type_)
    inner, suffix = type_[1:end], type_[end + 1 :]
    return {
        "name": name,
        "type": "tuple" + suffix,
        "components": [abi_param(t) for t in _split_types(inner)],
    }


def selector(signature: str) -> bytes:
    """The 4-byte selector of a function or error signature."""
    return keccak(text=signature)[:4]


@dataclass(frozen=True)
class ErrorSignature:
    """One custom error: its canonical signature and argument names."""

    signature: str
    arg_names: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return split_signature(self.signature)[0]

    @property
    def types(self) -> tuple[str, ...]:
        return split_signature(self.signature)[1]

    @property
    def selector(self) -> bytes:
        return selector(self.signature)

    def abi_entry(self) -> dict[str, Any]:
        names = self.arg_names or ("",) * len(self.types)
        return {
            "type": "error",
            "name": self.name,
            "inputs": [abi_param(t, n) for t, n in zip(self.types, names, strict=True)],
        }


# -- reading Vyper sources ---------------------------------------------------------------------


def _parse(path: Path) -> Any:
    import vyper.ast as vy_ast

    return vy_ast.parse_to_ast(path.read_text(), module_path=str(path), resolved_path=str(path))


def _string_argument(call: Any, function: str) -> str | None:
    """The literal string of ``function("...")`` if ``call`` is that call, else None."""
    import vyper.ast as vy_ast

    if (
        isinstance(call, vy_ast.Call)
        and isinstance(call.func, vy_ast.Name)
        and call.func.id == function
        and len(call.args) == 1
        and isinstance(call.args[0], vy_ast.Str)
    ):
        return str(call.args[0].value)
    return None


_VYPER_TO_ABI = {"address": "address", "bool": "bool"}


def _abi_type_of(annotation: str) -> str | None:
    """The ABI type of a Vyper type annotation, or None where it cannot be told (structs)."""
    annotation = annotation.replace(" ", "")
    if annotation in _VYPER_TO_ABI:
        return _VYPER_TO_ABI[annotation]
    if re.fullmatch(r"u?int\d+|bytes\d+", annotation):
        return annotation
    if re.fullmatch(r"String\[.+\]", annotation):
        return "string"
    if re.fullmatch(r"Bytes\[.+\]", annotation):
        return "bytes"
    array = re.fullmatch(r"DynArray\[(.+),[^,\]]+\]", annotation)
    if array:
        inner = _abi_type_of(array.group(1))
        return None if inner is None else inner + "[]"
    return None


@dataclass(frozen=True)
class ErrorCatalogue:
    """Every error errors.vy defines: raisable ones by helper, declared-only ones by name."""

    helpers: dict[str, ErrorSignature]
    """Helper function name (``_erc20_invalid_receiver``) → its error."""
    declared: dict[str, ErrorSignature]
    """Error name → error, for the constants errors.vy declares but never raises."""
    path: Path

    def by_name(self, name: str) -> ErrorSignature:
        for error in (*self.helpers.values(), *self.declared.values()):
            if error.name == name:
                return error
        raise SourceError(f"{self.path.name} defines no error named {name!r}")

    def all(self) -> list[ErrorSignature]:
        return [*self.helpers.values(), *self.declared.values()]


def load_error_catalogue(path: Path = ERRORS_MODULE) -> ErrorCatalogue:
    """Read errors.vy and check each helper against its signature (see the module docstring)."""
    import vyper.ast as vy_ast

    module = _parse(path)
    helpers: dict[str, ErrorSignature] = {}
    declared: dict[str, ErrorSignature] = {}
    for node in module.body:
        if isinstance(node, vy_ast.VariableDecl):
            signature = _string_argument(node.value, "method_id")
            if signature is None:
                raise SourceError(f"{path.name}: constant {node.target.id} is not a method_id")
            declared[split_signature(signature)[0]] = ErrorSignature(signature)
        elif isinstance(node, vy_ast.FunctionDef):
            helpers[node.name] = _helper_error(path, node)
    # One name may stand for two errors with different arguments (MaxContributorsExceeded() in
    # ServiceNodeRewards, MaxContributorsExceeded(uint256) in ServiceNodeContribution), as in
    # the reference; one signature may not be written twice.
    signatures = [e.signature for e in (*helpers.values(), *declared.values())]
    duplicates = {s for s in signatures if signatures.count(s) > 1}
    if duplicates:
        raise SourceError(f"{path.name}: errors defined twice: {sorted(duplicates)}")
    return ErrorCatalogue(helpers, declared, path)


def _helper_error(path: Path, function: Any) -> ErrorSignature:
    """The error one helper raises, after checking its body is `raw_revert(<encoding>)`."""
    import vyper.ast as vy_ast

    where = f"{path.name}: {function.name}"
    params = [(a.arg, a.annotation.node_source_code) for a in function.args.args]
    body = function.body
    if len(body) != 1 or not isinstance(body[0], vy_ast.Expr):
        raise SourceError(f"{where}: the body must be one raw_revert(...)")
    call = body[0].value
    if not (isinstance(call, vy_ast.Call) and getattr(call.func, "id", None) == "raw_revert"):
        raise SourceError(f"{where}: the body must be one raw_revert(...)")
    payload = call.args[0]
    signature = _string_argument(payload, "method_id")
    encoded: list[str] = []
    if signature is None:
        if not (
            isinstance(payload, vy_ast.Call) and getattr(payload.func, "id", None) == "abi_encode"
        ):
            raise SourceError(f"{where}: raw_revert must take method_id(...) or abi_encode(...)")
        keywords = {k.arg: k.value for k in payload.keywords}
        signature = _string_argument(keywords.get("method_id"), "method_id")
        if signature is None:
            raise SourceError(f'{where}: abi_encode needs method_id=method_id("...")')
        for arg in payload.args:
            if not isinstance(arg, vy_ast.Name):
                raise SourceError(f"{where}: encode the parameters themselves, by name")
            encoded.append(arg.id)
    _, types = split_signature(signature)
    if encoded != [name for name, _ in params]:
        raise SourceError(f"{where}: encodes {encoded}, not its parameters in order")
    if len(types) != len(params):
        raise SourceError(f"{where}: {len(params)} parameters for {signature}")
    for (name, annotation), type_ in zip(params, types, strict=True):
        expected = _abi_type_of(annotation)
        if expected is not None and expected != type_:
            raise SourceError(f"{where}: {name}: {annotation} is not {type_} in {signature}")
    return ErrorSignature(signature, tuple(name for name, _ in params))


@dataclass(frozen=True)
class _Module:
    path: Path
    imports: dict[str, Path] = field(default_factory=dict)
    """Local alias → resolved source of every project module it imports."""


def _resolve(name: str, level: int, importer: Path, roots: Sequence[Path]) -> Path | None:
    """The file an import names, searched like Vyper does (later roots first), or None."""
    relative = Path(*name.split(".")).with_suffix(".vy")
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        candidates = [base / relative]
    else:
        candidates = [Path(root) / relative for root in reversed(roots)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None  # a built-in (ethereum.ercs) or an interface file: no errors to find there


def _read_module(path: Path, roots: Sequence[Path]) -> _Module:
    import vyper.ast as vy_ast

    module = _parse(path)
    imports: dict[str, Path] = {}
    for node in module.body:
        if isinstance(node, vy_ast.ImportFrom):
            dotted = f"{node.module}.{node.name}" if node.module else node.name
            target = _resolve(dotted, node.level, path, roots)
            alias = node.alias or node.name
        elif isinstance(node, vy_ast.Import):
            target = _resolve(node.name, 0, path, roots)
            alias = node.alias or node.name
        else:
            continue
        if target is not None:
            imports[alias] = target
    return _Module(path, imports)


def module_graph(path: Path, search_paths: Sequence[Path] | None = None) -> list[Path]:
    """``path`` and every project module it imports, directly or not (each once, in order)."""
    roots = list(search_paths) if search_paths is not None else default_search_paths(path)
    seen: dict[Path, _Module] = {}
    pending = [path.resolve()]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen[current] = _read_module(current, roots)
        pending.extend(seen[current].imports.values())
    return list(seen)


def _abi_errors_tag(path: Path) -> list[str]:
    """The error names in the module docstring's ``@custom:abi-errors`` tag."""
    module = _parse(path)
    doc = module.doc_string.value if module.doc_string is not None else ""
    match = re.search(re.escape(ABI_ERRORS_TAG) + r"\s+(.*?)(?=\n\s*@|\Z)", doc, re.S)
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*", match.group(1)) if match else []


def _helper_calls(module: _Module, errors_path: Path) -> Iterator[tuple[str, Any]]:
    """(helper name, call node) for every call into the errors module from ``module``."""
    import vyper.ast as vy_ast

    aliases = {alias for alias, target in module.imports.items() if target == errors_path}
    if not aliases:
        return
    for call in _parse(module.path).get_descendants(vy_ast.Call):
        func = call.func
        if (
            isinstance(func, vy_ast.Attribute)
            and isinstance(func.value, vy_ast.Name)
            and func.value.id in aliases
        ):
            yield func.attr, call


def contract_errors(
    path: Path,
    *,
    search_paths: Sequence[Path] | None = None,
    catalogue: ErrorCatalogue | None = None,
) -> list[ErrorSignature]:
    """The custom errors ``path`` publishes: raised by its modules, or named in its header."""
    catalogue = catalogue or load_error_catalogue()
    roots = list(search_paths) if search_paths is not None else default_search_paths(path)
    errors_path = catalogue.path.resolve()
    found: dict[str, ErrorSignature] = {}
    for module_path in module_graph(path, roots):
        if module_path == errors_path:
            continue
        module = _read_module(module_path, roots)
        for helper, _ in _helper_calls(module, errors_path):
            if helper not in catalogue.helpers:
                raise SourceError(f"{module_path.name}: calls {helper}, which errors.vy lacks")
            error = catalogue.helpers[helper]
            found[error.signature] = error
    for name in _abi_errors_tag(path):
        error = catalogue.by_name(name)
        found.setdefault(error.signature, error)
    return sorted(found.values(), key=lambda error: error.name)


def published_abi(
    artifact: Artifact,
    errors: Iterable[ErrorSignature],
    names: Mapping[str, abi_names.Names] | None = None,
) -> list[dict[str, Any]]:
    """Vyper's ABI with one ``error`` entry per custom error appended (sorted by name), and the
    parameter names of ``names`` (member key → names; by default the reference's for the
    contract of the artifact's name, none for a contract the reference lacks)."""
    entries = [e for e in artifact.abi if e.get("type") != "error"]
    abi = entries + [error.abi_entry() for error in sorted(errors, key=lambda e: e.name)]
    if names is None:
        names = abi_names.load().get(artifact.name, {})
    return abi_names.apply_names(abi, names)


@cache
def _compile_published(path: Path) -> Artifact:
    artifact = compile_vyper(path)
    return replace(artifact, abi=published_abi(artifact, contract_errors(path)))


def compile_contract(path: Path) -> Artifact:
    """Compile ``path`` (default import roots) into an artifact carrying the published ABI.

    Cached per path for the life of the process: tests and benchmarks compile each contract
    once however many chains they deploy it on.
    """
    return _compile_published(path.resolve())


# -- encoding and decoding reverts -------------------------------------------------------------


def encode_error(signature: str, *args: Any) -> bytes:
    """The revert data Solidity produces for ``revert Name(args)``: selector ‖ ABI encoding."""
    _, types = split_signature(signature)
    return selector(signature) + abi_encode(list(types), list(args))


PANIC_REASONS = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "invalid storage byte array",
    0x31: "pop from an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function",
}
"""Solidity's panic codes, so that a Panic reads as its cause rather than a number."""


@dataclass(frozen=True)
class DecodedRevert:
    """Revert data read back: the error's name and its arguments (``Error`` for strings)."""

    name: str
    args: tuple[Any, ...]
    arg_names: tuple[str, ...] = field(default=(), compare=False)
    """The ABI's parameter names, where it gives them (not part of equality)."""

    def describe(self) -> str:
        """The error in words: ``ContributionTotalMismatch(required=120, provided=1)``.

        A revert string reads as itself, in quotes; a Panic names its cause. Addresses are
        checksummed and bytes are hex, so the text can be pasted into an explorer or a call.
        """
        if (self.name, len(self.args)) == ("Error", 1) and isinstance(self.args[0], str):
            return json.dumps(self.args[0])
        if (self.name, len(self.args)) == ("Panic", 1) and isinstance(self.args[0], int):
            reason = PANIC_REASONS.get(self.args[0], "unknown panic code")
            return f"Panic(0x{self.args[0]:02x}: {reason})"
        names = self.arg_names if len(self.arg_names) == len(self.args) else ("",) * len(self.args)
        shown = [
            f"{name}={_show(value)}" if name else _show(value)
            for name, value in zip(names, self.args, strict=True)
        ]
        return f"{self.name}({', '.join(shown)})"


def _show(value: Any) -> str:
    """One decoded ABI value as text (recursing into structs and arrays)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", value):
        return to_checksum_address(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):  # eth_abi gives tuples for both; ethers takes [...]
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def decode_revert(abi: Iterable[dict[str, Any]], data: bytes | str) -> DecodedRevert:
    """Decode revert data with the errors of ``abi`` (plus Solidity's ``Error`` and ``Panic``).

    Raises ValueError for empty data or a selector the ABI does not know.
    """
    raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else bytes(data)
    if len(raw) < 4:
        raise ValueError(f"revert data too short to name an error: 0x{raw.hex()}")
    known: dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
        selector(f"{name}({','.join(types)})"): (name, types, ())
        for name, types in (_ERROR_STRING, _PANIC)
    }
    for entry in abi:
        if entry.get("type") == "error":
            types = tuple(canonical_type(p) for p in entry["inputs"])
            names = tuple(str(p.get("name", "")) for p in entry["inputs"])
            known[selector(f"{entry['name']}({','.join(types)})")] = (entry["name"], types, names)
    if raw[:4] not in known:
        raise ValueError(f"unknown error selector 0x{raw[:4].hex()}")
    name, types, names = known[raw[:4]]
    return DecodedRevert(name, tuple(abi_decode(list(types), raw[4:])), names)
