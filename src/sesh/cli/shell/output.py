"""Output for people, through one library (Rich): progress on long work and tables.

Every verb prints its result as plain lines on stdout (or one JSON object with ``--json``);
what only helps a person wait, a spinner over a step that takes seconds, goes to stderr and
only to a terminal, so that logs, pipes and tests see one plain line among the verb's lines.
Tables are Rich tables, without colour when the output is not a terminal.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from rich.console import Console
from rich.table import Table


@cache
def stderr_console() -> Console:
    """The console for progress: stderr, highlighting off (addresses are not numbers)."""
    return Console(stderr=True, highlight=False)


@contextmanager
def working(what: str) -> Iterator[None]:
    """Show ``what`` (``"compiling the contracts"``) while the block runs: a spinner on a
    terminal (stderr), else one line among the verb's own lines before it starts (stdout,
    which ``--json`` sends to stderr)."""
    console = stderr_console()
    if not console.is_terminal:
        print(f"{what}…", flush=True)
        yield
        return
    with console.status(what):
        yield
    console.print(f"{what}: done")


def table(
    rows: Sequence[Sequence[str]], headers: Sequence[str] = (), right: Sequence[int] = ()
) -> str:
    """``rows`` (under ``headers``, if any) as text, columns aligned, for stdout; the columns
    numbered in ``right`` (amounts) are aligned to the right."""
    width = max((len(row) for row in rows), default=len(headers))
    grid = Table(box=None, pad_edge=False, show_edge=False, show_header=bool(headers))
    for index in range(width):
        grid.add_column(
            headers[index] if headers else "", justify="right" if index in right else "left"
        )
    for row in rows:
        grid.add_row(*row)
    console = Console(width=200, no_color=True, highlight=False, file=io.StringIO())
    with console.capture() as captured:
        console.print(grid)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_IDENTIFIER = re.compile(r"[a-z][a-zA-Z0-9]*")


def snake_case_keys(value: Any) -> Any:
    """``value`` with every camelCase key of its objects in snake_case (``l2SafeHeight`` →
    ``l2_safe_height``): for records kept in another style, printed by the rule every verb's
    ``--json`` follows. Keys that are not identifiers (addresses, hashes) stay as they are."""
    if isinstance(value, dict):
        return {
            (_CAMEL.sub(r"_\1", key).lower() if _IDENTIFIER.fullmatch(key) else key): (
                snake_case_keys(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [snake_case_keys(item) for item in value]
    return value
