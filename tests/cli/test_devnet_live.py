"""The devnet's live status line says what the chain does and whether a kill would lose it."""

from __future__ import annotations

from dataclasses import dataclass

from sesh.devnet.live import status_line
from sesh.evm.anvil import BlockHead

NOW = 1_800_000_000


@dataclass
class Saver:
    latest: BlockHead
    saved: BlockHead | None = None
    last_duration: float = 0.004
    error: str | None = None


def head(number: int, ago: int = 2, transactions: int = 0) -> BlockHead:
    return BlockHead(number, "0x" + "ab" * 32, NOW - ago, transactions)


def test_every_block_saved_reads_as_such() -> None:
    line = status_line(Saver(head(1_234, transactions=3), head(1_234)), NOW)
    assert line.startswith("L2 block 1,234 at 2027-01-15 07:59:58 UTC, 3 tx")
    assert "saved: every block (last save 4 ms)" in line
    assert line.endswith("08:00:00 · Ctrl-C stops and keeps the state")


def test_a_save_behind_the_tip_names_the_block_saved() -> None:
    assert "saved up to block 1,230" in status_line(Saver(head(1_234), head(1_230)), NOW)
    assert "not saved yet" in status_line(Saver(head(3)), NOW)


def test_a_failing_save_is_shown_before_anything_else() -> None:
    line = status_line(Saver(head(9), head(8), error="disk full"), NOW)
    assert "saving FAILED: disk full" in line
