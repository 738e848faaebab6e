"""What every section of bench/gas.py returns, and the one table format they share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """One table of the gas report, and the rows that cost more than the reference."""

    title: str
    table: str
    over: list[str]


@dataclass(frozen=True)
class Row:
    """One operation: the reference's figure (a number, a (low, high) range, a text, or None
    when the reference has no such row) and ours (a number or a range)."""

    operation: str
    reference: Any
    ours: Any


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        low, high = value
        return f"{low:,}" if low == high else f"{low:,}–{high:,}"
    return f"{value:,}"


def high(value: Any) -> int:
    return int(value[1] if isinstance(value, tuple) else value)


def comparable(value: Any) -> bool:
    return isinstance(value, (int, tuple))


def simple_section(title: str, rows: Sequence[Row]) -> Section:
    """A two-column table, reference beside ours; a row is over when its highest figure is
    above the reference's highest."""
    lines = ["| operation | reference | ours |", "|---|---|---|"]
    over: list[str] = []
    for row in rows:
        lines.append(f"| {row.operation} | {fmt(row.reference)} | **{fmt(row.ours)}** |")
        measured = comparable(row.reference) and comparable(row.ours)
        if measured and high(row.ours) > high(row.reference):
            over.append(row.operation)
    return Section(title, "\n".join(lines), over)
