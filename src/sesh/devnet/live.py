"""The devnet's live status line: what the chain is doing while the devnet runs.

On a terminal, below what the devnet printed at start, one line kept current: the L2's latest
block and its time, the block the state file holds (so a person can see that a kill -9 would
lose nothing), and how to stop. Not in ``--json`` mode and not without a terminal: logs and
scripts get the start report and the stop message only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.live import Live
from rich.text import Text

from sesh.evm.anvil import BlockHead
from sesh.units import format_time


class _Saver(Protocol):
    latest: BlockHead
    saved: BlockHead | None
    last_duration: float
    error: str | None


def status_line(saver: _Saver, now: float) -> str:
    """``L2 block 1,234 at 2026-12-07 16:57:03 UTC, 3 tx · saved: every block … · …``. The
    block's time is the chain's, which `sesh devnet advance` moves ahead of the wall clock, so
    it is shown as a date, not as "ago"; ``now`` dates the status itself."""
    latest = saver.latest
    parts = [
        f"L2 block {latest.number:,} at {format_time(latest.timestamp)}, {latest.transactions} tx"
    ]
    if saver.error is not None:
        parts.append(f"saving FAILED: {saver.error}")
    elif saver.saved is None:
        parts.append("not saved yet")
    elif saver.saved.number == latest.number:
        parts.append(f"saved: every block (last save {saver.last_duration * 1_000:.0f} ms)")
    else:
        parts.append(f"saved up to block {saver.saved.number:,}")
    parts.append(f"{format_time(now)[11:19]} · Ctrl-C stops and keeps the state")
    return " · ".join(parts)


@contextmanager
def live_status(enabled: bool) -> Iterator[Live | None]:
    """A Rich ``Live`` line on stdout while the block runs (None when not ``enabled`` or stdout
    is not a terminal); the caller updates it with ``status_line``."""
    console = Console(highlight=False)
    if not enabled or not console.is_terminal:
        yield None
        return
    with Live(Text(""), console=console, refresh_per_second=2, transient=True) as live:
        yield live


def refresh(live: Live | None, saver: _Saver | None, network: str = "") -> None:
    """Show the network's summary and the saver's state on ``live`` (nothing without it)."""
    if live is not None and saver is not None:
        chain = status_line(saver, time.time())
        live.update(Text(f"{network}\n{chain}" if network else chain))
