"""A strict ABI decoder for the shapes the rewards contract's events and views use.

The layouts come from canonical type strings (``"((address,address),uint256)[]"``), the same
strings the contract's ABI and ``reference/abi-signatures.json`` give, so nothing here knows a
byte offset by heart. Why not ``eth_abi``: it takes about 290 µs to decode one
``NewServiceNodeV2``, and the tracker must decode thousands of events a second; a decoder
compiled once per type for these few shapes does it in a few microseconds, and the tests hold
it to ``eth_abi``'s answers.

Strict means canonical: every value fits its type (a ``uint16`` word above 65,535, or an
address word with bits above 160, is refused), a dynamic value's offset is exactly where the
canonical encoding puts it, and the data ends where the encoding ends. The contract (Vyper)
and solc both encode this way, so anything else did not come from the contract.

Supported: ``uintN``, ``address``, ``bool``, tuples and arrays ``T[]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sesh.evm.abi_types import split_type_list

WORD = 32
_ZERO_12 = bytes(12)


class AbiDecodeError(ValueError):
    """Data that is not the canonical encoding of the given types."""


@dataclass(frozen=True, slots=True)
class _Type:
    """A compiled type: how big its head is, whether it is dynamic, and how to read it.

    ``read(data, position)`` reads a static value at ``position``; for a dynamic value
    ``position`` is where its tail starts, and ``read`` returns the value and where it ends.
    """

    canonical: str
    dynamic: bool
    head_words: int
    read: Callable[[bytes, int], tuple[Any, int]]


def _need(data: bytes, end: int, what: str) -> None:
    if end > len(data):
        raise AbiDecodeError(f"{what}: the data ends at byte {len(data)}, it needs {end}")


def _uint_reader(bits: int, canonical: str) -> Callable[[bytes, int], tuple[Any, int]]:
    limit = 1 << bits

    def read(data: bytes, position: int) -> tuple[Any, int]:
        end = position + WORD
        _need(data, end, canonical)
        value = int.from_bytes(data[position:end], "big")
        if value >= limit:
            raise AbiDecodeError(f"the word at byte {position} does not fit a {canonical}")
        return value, end

    return read


def _read_address(data: bytes, position: int) -> tuple[Any, int]:
    end = position + WORD
    _need(data, end, "address")
    if data[position : position + 12] != _ZERO_12:
        raise AbiDecodeError(f"the word at byte {position} is not an address (high bits set)")
    return "0x" + data[position + 12 : end].hex(), end


_read_bit = _uint_reader(1, "bool")


def _read_bool(data: bytes, position: int) -> tuple[Any, int]:
    value, end = _read_bit(data, position)
    return bool(value), end


@cache
def compile_type(canonical: str) -> _Type:
    """The compiled form of one canonical type string (cached: compile once, decode often)."""
    if canonical.endswith("[]"):
        return _array(canonical, compile_type(canonical[:-2]))
    if canonical.startswith("(") and canonical.endswith(")"):
        inner = canonical[1:-1]
        return _tuple(canonical, [compile_type(t) for t in split_type_list(inner)] if inner else [])
    if canonical == "address":
        return _Type(canonical, False, 1, _read_address)
    if canonical == "bool":
        return _Type(canonical, False, 1, _read_bool)
    if canonical.startswith("uint"):
        bits = int(canonical[4:])
        if bits % 8 or not 8 <= bits <= 256:
            raise ValueError(f"no such type: {canonical}")
        return _Type(canonical, False, 1, _uint_reader(bits, canonical))
    raise ValueError(f"type {canonical!r} is not supported by this decoder")


def _tuple(canonical: str, items: list[_Type]) -> _Type:
    dynamic = any(item.dynamic for item in items)
    head_words = sum(1 if item.dynamic else item.head_words for item in items)
    head_bytes = head_words * WORD

    def read(data: bytes, start: int) -> tuple[Any, int]:
        values = []
        position = start
        tail = start + head_bytes  # where the next dynamic item's tail must begin
        for item in items:
            if item.dynamic:
                offset, position = _read_offset(data, position)
                if start + offset != tail:
                    raise AbiDecodeError(
                        f"{item.canonical}: offset {offset} at byte {position - WORD} is not "
                        f"the canonical {tail - start}"
                    )
                value, tail = item.read(data, tail)
            else:
                value, position = item.read(data, position)
            values.append(value)
        return tuple(values), tail

    return _Type(canonical, dynamic, head_words, read)


def _read_offset(data: bytes, position: int) -> tuple[int, int]:
    end = position + WORD
    _need(data, end, "offset")
    value = int.from_bytes(data[position:end], "big")
    if value > len(data):
        raise AbiDecodeError(f"the offset at byte {position} points past the data")
    return value, end


def _array(canonical: str, item: _Type) -> _Type:
    if item.dynamic:
        return _dynamic_array(canonical, item)
    item_bytes = item.head_words * WORD
    read_item = item.read

    def read(data: bytes, start: int) -> tuple[Any, int]:
        position = start + WORD
        _need(data, position, canonical)
        length = int.from_bytes(data[start:position], "big")
        if position + length * item_bytes > len(data):
            raise AbiDecodeError(
                f"{canonical}: {length} items at byte {start} do not fit in the data"
            )
        values = []
        for _ in range(length):
            value, position = read_item(data, position)
            values.append(value)
        return values, position

    return _Type(canonical, True, 1, read)


def _dynamic_array(canonical: str, item: _Type) -> _Type:
    """``T[]`` of a dynamic ``T``: the length, one offset per item (from the first offset's
    position), then the items in order."""

    def read(data: bytes, start: int) -> tuple[Any, int]:
        content = start + WORD
        _need(data, content, canonical)
        length = int.from_bytes(data[start:content], "big")
        if content + length * WORD > len(data):
            raise AbiDecodeError(
                f"{canonical}: {length} items at byte {start} do not fit in the data"
            )
        tail = content + length * WORD
        values = []
        for index in range(length):
            offset, _ = _read_offset(data, content + index * WORD)
            if content + offset != tail:
                raise AbiDecodeError(
                    f"{canonical}: item {index}'s offset {offset} is not the canonical "
                    f"{tail - content}"
                )
            value, tail = item.read(data, tail)
            values.append(value)
        return values, tail

    return _Type(canonical, True, 1, read)


def decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    """Decode ``data``, the canonical encoding of values of ``types`` (as a call's return data or
    an event's non-indexed data is encoded: as one tuple). Tuples come back as tuples, arrays
    as lists, addresses as lowercase ``0x`` strings. Raises ``AbiDecodeError``."""
    compiled = compile_type("(" + ",".join(types) + ")")
    values, end = compiled.read(data, 0)
    if end != len(data):
        raise AbiDecodeError(f"{len(data) - end} bytes follow the encoded values")
    result: tuple[Any, ...] = values
    return result
