"""The node's SQLite store: blocks, the tracker position, the tracker's unresolved events, the
accounts, ledger snapshots and a status summary, one transaction per block.

Why one transaction: the block, the tracker position that produced it and the events it
consumed must never disagree after a crash. If the position were written without the block, a
restarted node would skip the events of that block's poll; written after it, it would report them
twice. So ``commit_block`` writes the block, the position, the event changes, the accounts the
block changed, the summary and (every few blocks) a ledger snapshot in one SQLite transaction;
a kill -9 at any instant leaves either all of it or none (WAL journal, ``synchronous=FULL``).

Tables (``SCHEMA_VERSION`` in ``schema_version``; a store of another version is refused):

* ``meta``: what the data belongs to: the L2 chain and contract, the profile, the genesis
  values (JSON values);
* ``blocks``: height, hash, state hash after it, L2 height, when it was made, its encoding;
* ``tracker``: the one position (``TrackerPosition.to_json``), written by block ``height`` (the
  last block that moved it);
* ``l2_events``: events the tracker reported that the ledger has not confirmed yet, the
  producer's view of L2 (``event_to_json``);
* ``accounts``: each address's settled lifetime rewards (units of 10⁻¹⁸ atom, as text: they
  outgrow 64 bits) and returned stake, as of the block that last changed them;
* ``snapshots``: ``sesh.ledger.snapshot`` bytes every few blocks (those newer than
  ``ROLLBACK_DEPTH`` blocks, and the newest one older);
* ``checkpoint_votes``: the checkpoint votes this node holds (height, block hash, voter,
  signature), served with the blocks to a node catching up;
* ``summary``: the status of the chain after the newest block (JSON), for ``sesh node status``;
* ``status``: what is not consensus: the funding check, the last payout, the last L2 error.

One thread uses a store at a time (the node's loop; a test may open it in one thread and run
the node in another, hence ``check_same_thread=False``). Readers (``sesh node status``) open the
file read-only while the node writes: WAL lets them read the last committed block without
blocking it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sesh.l2.events import L2Event
from sesh.l2.position import TrackerPosition, event_from_json, event_to_json
from sesh.ledger.block import Block
from sesh.ledger.records import Account
from sesh.ledger.state import ROLLBACK_DEPTH

SCHEMA_VERSION = 2
"""2: the quorum chain (blocks made by quorums, a fork switch replaces stored blocks, checkpoint
votes). A store of version 1 was made by the lone producer and is refused."""
DB_FILE = "node.sqlite"
KEEP_SNAPSHOTS_BELOW = ROLLBACK_DEPTH
"""Snapshots kept: every one newer than ``height − ROLLBACK_DEPTH``, and the newest at or below
it (the node restores one at least ``ROLLBACK_DEPTH`` blocks old, and replays the rest)."""

BeforeCommit = Callable[[int], None]
"""Called with a block's height inside its transaction, after the block row is written and
before the commit: where a test makes the process kill itself, to check that a kill -9 at the
worst moment loses the whole block and nothing else (``sesh.node.command`` installs it)."""

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blocks (
    height INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    state_hash BLOB NOT NULL,
    l2_height INTEGER NOT NULL,
    produced_at REAL NOT NULL,
    encoded BLOB NOT NULL
);
CREATE TABLE tracker (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    height INTEGER NOT NULL,
    position TEXT NOT NULL
);
CREATE TABLE l2_events (
    event_id BLOB PRIMARY KEY,
    l2_block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    event TEXT NOT NULL
);
CREATE TABLE accounts (
    address TEXT PRIMARY KEY,
    reward_units TEXT NOT NULL,
    stake INTEGER NOT NULL,
    height INTEGER NOT NULL
);
CREATE TABLE snapshots (
    height INTEGER PRIMARY KEY,
    state_hash BLOB NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE summary (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    height INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE checkpoint_votes (
    height INTEGER NOT NULL,
    block_hash BLOB NOT NULL,
    voter BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (height, block_hash, voter)
);
CREATE TABLE status (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""


class StoreError(Exception):
    """The store cannot be opened or does not hold what it should; the message is one line."""


@dataclass(frozen=True)
class StoredBlock:
    height: int
    hash: bytes
    state_hash: bytes
    l2_height: int
    produced_at: float
    encoded: bytes

    def block(self) -> Block:
        return Block.decode(self.encoded)


@dataclass
class BlockWrite:
    """Everything one block changes in the store (``Store.commit_block``)."""

    block: Block
    block_hash: bytes
    state_hash: bytes
    position: TrackerPosition | None
    """The tracker position the block's events came from; None when it is the stored one (a
    position holds the events of the tracker's reorg window, so it is written only when it
    moved)."""
    events_added: Sequence[tuple[bytes, L2Event]] = ()
    events_removed: Sequence[bytes] = ()
    """Event ids to forget: retracted by a reorg, or confirmed by the ledger."""
    accounts: Sequence[Account] = ()
    """Accounts the block changed, as they are after it."""
    summary: Mapping[str, Any] = field(default_factory=dict)
    snapshot: bytes | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    """Meta entries to write with the block (the genesis values, with block 1)."""
    produced_at: float = 0.0


class Store:
    """One node's SQLite file; see the module docstring."""

    def __init__(
        self, path: Path, *, readonly: bool = False, before_commit: BeforeCommit | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.before_commit = before_commit
        try:
            if readonly:
                if not path.exists():
                    raise StoreError(f"no node store at {path}")
                uri = path.resolve().as_uri() + "?mode=ro"
                self.db = sqlite3.connect(
                    uri, uri=True, isolation_level=None, timeout=10, check_same_thread=False
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(
                    path, isolation_level=None, timeout=10, check_same_thread=False
                )
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
            self._check_schema()
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the node store {path}: {error}") from None

    @classmethod
    def open(
        cls, data_dir: Path, *, readonly: bool = False, before_commit: BeforeCommit | None = None
    ) -> Store:
        return cls(data_dir / DB_FILE, readonly=readonly, before_commit=before_commit)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_schema(self) -> None:
        tables = {
            row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not tables:
            if self.readonly:
                raise StoreError(f"{self.path} is an empty store")
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return
        if "schema_version" not in tables:
            raise StoreError(f"{self.path} is not a sesh node store")
        row = self.db.execute("SELECT version FROM schema_version").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            found = None if row is None else row[0]
            hint = (
                " (made before the quorum network: start over with --fresh)" if found == 1 else ""
            )
            raise StoreError(
                f"{self.path} has store version {found}; this sesh reads version "
                f"{SCHEMA_VERSION}{hint}"
            )

    # -- reads -------------------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def height(self) -> int:
        """The newest block's height (0 before the first block)."""
        row = self.db.execute("SELECT MAX(height) FROM blocks").fetchone()
        return int(row[0]) if row[0] is not None else 0

    def block(self, height: int) -> StoredBlock | None:
        row = self.db.execute(
            "SELECT height, hash, state_hash, l2_height, produced_at, encoded FROM blocks "
            "WHERE height = ?",
            (height,),
        ).fetchone()
        return None if row is None else StoredBlock(*row)

    def blocks(self, first: int, last: int) -> Iterator[StoredBlock]:
        """Blocks ``first``…``last`` in order."""
        cursor = self.db.execute(
            "SELECT height, hash, state_hash, l2_height, produced_at, encoded FROM blocks "
            "WHERE height BETWEEN ? AND ? ORDER BY height",
            (first, last),
        )
        for row in cursor:
            yield StoredBlock(*row)

    def position(self) -> tuple[int, TrackerPosition] | None:
        """(the height of the block that last moved it, the tracker position), or None."""
        row = self.db.execute("SELECT height, position FROM tracker WHERE id = 0").fetchone()
        if row is None:
            return None
        try:
            return int(row[0]), TrackerPosition.from_json(json.loads(row[1]))
        except ValueError as error:
            raise StoreError(
                f"{self.path}: the stored tracker position is unreadable: {error}"
            ) from None

    def events(self) -> list[tuple[bytes, L2Event]]:
        """The tracker's events the ledger has not confirmed, in L2 order."""
        rows = self.db.execute(
            "SELECT event_id, event FROM l2_events ORDER BY l2_block, log_index, event_id"
        )
        return [(bytes(eid), event_from_json(json.loads(text))) for eid, text in rows]

    def snapshot(self, at_most: int) -> tuple[int, bytes, bytes] | None:
        """(height, state hash, bytes) of the newest snapshot at or below ``at_most``."""
        row = self.db.execute(
            "SELECT height, state_hash, data FROM snapshots WHERE height <= ? "
            "ORDER BY height DESC LIMIT 1",
            (at_most,),
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]), bytes(row[2]))

    def snapshot_heights(self) -> list[int]:
        return [int(r[0]) for r in self.db.execute("SELECT height FROM snapshots ORDER BY height")]

    def account(self, address: str) -> tuple[int, int, int] | None:
        """(reward units, stake, height) of an address's settled account."""
        row = self.db.execute(
            "SELECT reward_units, stake, height FROM accounts WHERE address = ?", (address,)
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))

    def account_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0])

    def summary(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM summary WHERE id = 0").fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def status(self) -> dict[str, Any]:
        """Non-consensus entries: key → (value, updated_at)."""
        return {
            key: {"value": json.loads(value), "updatedAt": updated}
            for key, value, updated in self.db.execute("SELECT key, value, updated_at FROM status")
        }

    # -- writes ------------------------------------------------------------------------------------

    def set_meta(self, entries: Mapping[str, Any]) -> None:
        with self._transaction():
            self._write_meta(entries)

    def set_status(self, key: str, value: Any) -> None:
        """One non-consensus entry, in its own small transaction."""
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO status (key, value, updated_at) VALUES (?, ?, ?)",
                (key, json.dumps(value), time.time()),
            )

    def _write_meta(self, entries: Mapping[str, Any]) -> None:
        for key, value in entries.items():
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )

    def commit_block(self, write: BlockWrite) -> None:
        """Write one block and everything that goes with it, all or nothing."""
        self.commit_blocks([write])

    def commit_blocks(
        self, writes: Sequence[BlockWrite], *, truncate_above: int | None = None
    ) -> None:
        """Write several blocks in one transaction (a batch caught up, or a switch to another
        branch, which first drops the stored blocks and snapshots above `truncate_above`)."""
        with self._transaction():
            if truncate_above is not None:
                for table in ("blocks", "snapshots"):
                    self.db.execute(f"DELETE FROM {table} WHERE height > ?", (truncate_above,))
            for write in writes:
                self._write_block(write)

    def add_votes(self, votes: Sequence[tuple[int, bytes, bytes, bytes]]) -> None:
        """Checkpoint votes (height, block hash, voter, signature); known ones are ignored."""
        with self._transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO checkpoint_votes (height, block_hash, voter, signature) "
                "VALUES (?, ?, ?, ?)",
                votes,
            )

    def votes(self, first: int) -> list[tuple[int, bytes, bytes, bytes]]:
        """The checkpoint votes for heights `first` and above."""
        rows = self.db.execute(
            "SELECT height, block_hash, voter, signature FROM checkpoint_votes WHERE height >= ? "
            "ORDER BY height",
            (first,),
        )
        return [(int(h), bytes(b), bytes(v), bytes(s)) for h, b, v, s in rows]

    def save_view(
        self,
        position: TrackerPosition,
        added: Sequence[tuple[bytes, L2Event]],
        removed: Sequence[bytes],
        height: int,
    ) -> None:
        """The L2 follower's position and event changes, apart from any block (a quorum node's
        view of L2 is its own, not consensus)."""
        with self._transaction():
            self._write_view(height, position, added, removed)

    def _write_view(
        self,
        height: int,
        position: TrackerPosition | None,
        added: Sequence[tuple[bytes, L2Event]],
        removed: Sequence[bytes],
    ) -> None:
        if position is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO tracker (id, height, position) VALUES (0, ?, ?)",
                (height, json.dumps(position.to_json())),
            )
        self.db.executemany("DELETE FROM l2_events WHERE event_id = ?", [(e,) for e in removed])
        self.db.executemany(
            "INSERT OR REPLACE INTO l2_events (event_id, l2_block, log_index, event) "
            "VALUES (?, ?, ?, ?)",
            [
                (
                    eid,
                    event.origin.block_number,
                    event.origin.log_index,
                    json.dumps(event_to_json(event)),
                )
                for eid, event in added
            ],
        )

    def _write_block(self, write: BlockWrite) -> None:
        block = write.block
        if write.meta:
            self._write_meta(write.meta)
        self.db.execute(
            "INSERT INTO blocks (height, hash, state_hash, l2_height, produced_at, encoded) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                block.height,
                write.block_hash,
                write.state_hash,
                block.l2_height,
                write.produced_at,
                block.encode(),
            ),
        )
        if self.before_commit is not None:
            self.before_commit(block.height)
        self._write_view(block.height, write.position, write.events_added, write.events_removed)
        self.db.executemany(
            "INSERT OR REPLACE INTO accounts (address, reward_units, stake, height) "
            "VALUES (?, ?, ?, ?)",
            [(a.address, str(a.reward_units), a.stake, block.height) for a in write.accounts],
        )
        self.db.execute(
            "INSERT OR REPLACE INTO summary (id, height, data) VALUES (0, ?, ?)",
            (block.height, json.dumps(dict(write.summary))),
        )
        if write.snapshot is not None:
            self.db.execute(
                "INSERT INTO snapshots (height, state_hash, data) VALUES (?, ?, ?)",
                (block.height, write.state_hash, write.snapshot),
            )
            self.db.execute(
                "DELETE FROM snapshots WHERE height < "
                "(SELECT MAX(height) FROM snapshots WHERE height <= ?)",
                (block.height - KEEP_SNAPSHOTS_BELOW,),
            )

    def _transaction(self) -> _Transaction:
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")
        return _Transaction(self.db)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
