"""The devnet's memory of what its chain showed, so that a resume can say what was lost.

anvil's state file is saved within milliseconds of each block (``sesh.evm.anvil.StateSaver``),
but "within milliseconds" is not "before the receipt": a kill -9 of the devnet and anvil
together, a full disk, or a state file put back by hand can still bring a chain back shorter
than the one users and nodes saw. A devnet that then says "resumed" and carries on is silently
wrong: a registration someone saw confirmed is gone, and a node that followed the chain is now
past its tip. So the devnet records the chain's tip (``chain/tip.json``: block 0, the latest
block and the hashes of the last ones) from the saver's thread as each block appears, before it
is saved, and on the next start compares that record with the chain anvil restored. Any block
recorded but not restored, or restored with another hash, is lost: the devnet says so, lists the
numbers, and appends the event to ``chain/lost-blocks.json``, where a node (or a user) can see
that its confirmed L2 position may no longer exist.

The record also fixes block 0: its timestamp is handed to anvil when a chain has to be made
again, so block 0 keeps its hash for the life of the data directory (``--fresh`` ends it).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesh.devnet.layout import write_json
from sesh.evm.anvil import BlockHead

TIP_FILE = "tip.json"
"""In the chain directory: the last tip the devnet saw (``TipRecord``)."""
LOST_FILE = "lost-blocks.json"
"""In the chain directory: every loss a resume found, oldest first."""
RECENT_BLOCKS = 64
"""How many of the latest blocks' hashes the record keeps: enough to find where a restored chain
parts from the recorded one after any loss the saver's timing allows (a handful of blocks)."""


@dataclass(frozen=True)
class TipRecord:
    """The chain as the devnet last saw it."""

    genesis_hash: str
    genesis_timestamp: int
    number: int
    hash: str
    recent: tuple[tuple[int, str], ...]
    """The last ``RECENT_BLOCKS`` blocks as (number, hash), oldest first, ending at the tip."""

    def to_json(self) -> dict[str, Any]:
        return {
            "genesis": {"hash": self.genesis_hash, "timestamp": self.genesis_timestamp},
            "number": self.number,
            "hash": self.hash,
            "recent": [[number, block_hash] for number, block_hash in self.recent],
            "recorded_at": int(time.time()),
        }

    @classmethod
    def from_json(cls, data: Any) -> TipRecord:
        """ValueError (or KeyError/TypeError) for anything but what ``to_json`` writes."""
        return cls(
            str(data["genesis"]["hash"]),
            int(data["genesis"]["timestamp"]),
            int(data["number"]),
            str(data["hash"]),
            tuple((int(number), str(block_hash)) for number, block_hash in data["recent"]),
        )


def read_tip(chain_dir: Path) -> TipRecord | None:
    """The record a previous run left; None when there is none or it does not parse (it is
    written atomically, so that means it was never written or was changed by hand)."""
    try:
        return TipRecord.from_json(json.loads((chain_dir / TIP_FILE).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class TipRecorder:
    """The saver's ``on_blocks`` hook: rewrites ``tip.json`` (atomically) for every new block.

    Blocks that arrive before ``prime`` (the chain's first blocks, while the devnet is still
    comparing the old record with the restored chain) are kept and written with the first
    record, so the old record stays on disk until the comparison is done.
    """

    def __init__(self, chain_dir: Path) -> None:
        self.path = chain_dir / TIP_FILE
        self._lock = threading.Lock()
        self._genesis: BlockHead | None = None
        self._recent: list[BlockHead] = []

    def prime(self, genesis: BlockHead, head: BlockHead) -> None:
        """Start recording this chain, whose block 0 is ``genesis`` and tip (so far) ``head``."""
        with self._lock:
            self._genesis = genesis
            if not self._recent:
                self._recent.append(head)
            self._write()

    def __call__(self, heads: list[BlockHead]) -> None:
        with self._lock:
            for head in heads:
                # A block at a height already held replaces it and what followed (a revert).
                self._recent = [kept for kept in self._recent if kept.number < head.number]
                self._recent.append(head)
            del self._recent[:-RECENT_BLOCKS]
            if self._genesis is not None:
                self._write()

    def _write(self) -> None:
        assert self._genesis is not None
        tip = self._recent[-1]
        record = TipRecord(
            self._genesis.hash,
            self._genesis.timestamp,
            tip.number,
            tip.hash,
            tuple((head.number, head.hash) for head in self._recent),
        )
        write_json(self.path, record.to_json())


def find_lost_blocks(
    record: TipRecord, restored: int, block_at: Callable[[int], BlockHead | None]
) -> list[int]:
    """The recorded blocks the restored chain does not have: from the first one missing or
    different to the recorded tip. ``restored`` is the latest block anvil loaded (0 for a chain
    made anew); ``block_at`` reads a block of the running chain (None if there is none)."""
    genesis = block_at(0)
    if genesis is None or genesis.hash != record.genesis_hash:
        return list(range(0, record.number + 1))  # another chain altogether
    first_lost = restored + 1
    for number, block_hash in record.recent:
        if number < first_lost:
            head = block_at(number)
            if head is None or head.hash != block_hash:
                first_lost = number
                break
    return list(range(first_lost, record.number + 1))


def record_loss(chain_dir: Path, record: TipRecord, restored: int, lost: list[int]) -> None:
    """Append a loss to ``LOST_FILE``: where a node that followed the chain may have been."""
    path = chain_dir / LOST_FILE
    try:
        events = json.loads(path.read_text())
        if not isinstance(events, list):
            events = []
    except (OSError, ValueError):
        events = []
    events.append(
        {
            "detected_at": int(time.time()),
            "restored_tip": restored,
            "recorded_tip": {"number": record.number, "hash": record.hash},
            "first_lost": lost[0],
            "last_lost": lost[-1],
        }
    )
    write_json(path, events)


def describe_numbers(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` → ``"1 to 3, 7"``: block numbers for a message, runs folded."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(
        str(first)
        if first == last
        else f"{first}, {last}"
        if last == first + 1
        else f"{first} to {last}"
        for first, last in runs
    )


def loss_message(lost: list[int], restored: int) -> str:
    """The warning a resume with lost blocks prints (on stderr, before anything else)."""
    return (
        f"{len(lost)} block(s) lost: {describe_numbers(lost)}. The chain was seen up to block "
        f"{lost[-1]} but came back at block {restored}: those blocks were made but not saved "
        "before the devnet stopped (was it killed together with anvil?), and the transactions in "
        "them are undone. Nodes following this devnet must resync: the L2 position they "
        "confirmed may be past the chain's tip or on a block that no longer exists."
    )
