"""The node's SQLite store on its own: what one block's transaction writes, that a failure inside
it writes nothing, which snapshots are kept, and how readers see it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sesh.l2.events import L2Origin, StakingRequirementUpdated, event_id
from sesh.l2.position import BlockRef, TrackerPosition
from sesh.ledger import Ledger, produce_block
from sesh.ledger.records import Account
from sesh.ledger.state import ROLLBACK_DEPTH
from sesh.node.store import DB_FILE, BlockWrite, Store, StoreError

from .conftest import CHAIN_ID, TEST_PROFILE

PRODUCER = b"\x42" * 32


def event(number: int) -> StakingRequirementUpdated:
    origin = L2Origin(CHAIN_ID, number, number.to_bytes(32, "big"), 0)
    return StakingRequirementUpdated(origin, number)


def position(number: int) -> TrackerPosition:
    return TrackerPosition(CHAIN_ID, safe=BlockRef(number, number.to_bytes(32, "big")))


class Chain:
    """Blocks from a real ledger, and the writes that store them."""

    def __init__(self) -> None:
        self.ledger = Ledger(TEST_PROFILE)

    def write(self, **fields: object) -> BlockWrite:
        block = produce_block(
            self.ledger, producer=PRODUCER, l2_height=self.ledger.height, pool_reward_rate=10**9
        )
        receipt = self.ledger.apply(block)
        defaults: dict[str, object] = {
            "position": position(block.height),
            "summary": {"height": block.height},
        }
        return BlockWrite(
            block=block,
            block_hash=receipt.block_hash,
            state_hash=receipt.state_hash,
            **{**defaults, **fields},  # type: ignore[arg-type]
        )


def test_one_block_is_read_back_with_everything_written_with_it(tmp_path: Path) -> None:
    chain = Chain()
    first = event(1)
    write = chain.write(
        events_added=[(event_id(first), first)],
        accounts=[Account("0x" + "ab" * 20, 10**30, 5)],
        meta={"chainId": CHAIN_ID},
        snapshot=b"state",
        produced_at=123.5,
    )
    with Store.open(tmp_path) as store:
        store.commit_block(write)
        assert store.height() == 1
        stored = store.block(1)
        assert stored is not None and stored.block() == write.block
        assert (stored.hash, stored.state_hash, stored.produced_at) == (
            write.block_hash,
            write.state_hash,
            123.5,
        )
        assert store.position() == (1, position(1))
        assert store.events() == [(event_id(first), first)]
        assert store.account("0x" + "ab" * 20) == (10**30, 5, 1)  # beyond 64 bits, exact
        assert store.meta() == {"chainId": CHAIN_ID}
        assert store.snapshot(1) == (1, write.state_hash, b"state")
        assert store.summary() == {"height": 1}


def test_the_before_commit_callback_runs_inside_each_blocks_transaction(tmp_path: Path) -> None:
    """The hook the crash tests kill the process from: it sees the block row written and not
    yet committed, and whatever it raises takes the whole block back."""
    chain = Chain()
    seen: list[tuple[int, int]] = []

    class Stop(Exception):
        pass

    def before_commit(height: int) -> None:
        with Store.open(tmp_path, readonly=True) as reader:
            seen.append((height, reader.height()))  # another connection: not committed yet
        if height == 2:
            raise Stop

    with Store.open(tmp_path, before_commit=before_commit) as store:
        store.commit_block(chain.write())
        with pytest.raises(Stop):
            store.commit_block(chain.write())
        assert store.height() == 1 and store.block(2) is None
        assert store.position() == (1, position(1))
    assert seen == [(1, 0), (2, 1)]


def test_a_failure_inside_the_transaction_writes_nothing(tmp_path: Path) -> None:
    chain = Chain()
    with Store.open(tmp_path) as store:
        store.commit_block(chain.write())
        store.db.execute(
            "CREATE TRIGGER fail BEFORE INSERT ON accounts BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
        second = event(2)
        write = chain.write(
            events_added=[(event_id(second), second)],
            accounts=[Account("0x" + "cd" * 20, 1, 1)],
            snapshot=b"state",
        )
        with pytest.raises(sqlite3.IntegrityError):
            store.commit_block(write)
        assert store.height() == 1 and store.block(2) is None
        assert store.position() == (1, position(1))
        assert store.events() == [] and store.snapshot_heights() == []
        assert store.summary() == {"height": 1}


def test_snapshots_are_kept_back_to_the_newest_one_old_enough_to_restore(tmp_path: Path) -> None:
    chain = Chain()
    every = 100
    with Store.open(tmp_path) as store:
        for _ in range(ROLLBACK_DEPTH + 3 * every):
            write = chain.write()
            if write.block.height % every == 0:
                write.snapshot = b"s"
            store.commit_block(write)
        # Writing 600, the newest snapshot at least ROLLBACK_DEPTH blocks older was 200.
        assert store.snapshot_heights() == [200, 300, 400, 500, 600]
        # A restart at 660 restores 300 and replays 360 blocks.
        assert store.snapshot(store.height() - ROLLBACK_DEPTH)[0] == 300  # type: ignore[index]


def test_a_reader_sees_committed_blocks_and_cannot_write(tmp_path: Path) -> None:
    chain = Chain()
    with Store.open(tmp_path) as writer:
        writer.commit_block(chain.write())
        with Store.open(tmp_path, readonly=True) as reader:
            assert reader.height() == 1
            writer.commit_block(chain.write())
            assert reader.height() == 2
            with pytest.raises(StoreError, match="read-only"):
                reader.set_status("x", 1)


def test_a_store_of_another_version_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_FILE)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="version 99"):
        Store.open(tmp_path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DB_FILE)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a sesh node store"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="no node store"):
        Store.open(tmp_path / "missing", readonly=True)
