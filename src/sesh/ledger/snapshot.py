"""The whole ledger state as one canonical byte string, and back: what the node stores so that
reopening does not replay the chain from genesis.

`encode_snapshot(state)` writes the genesis values, every scalar and every record of every
table, tables in a fixed order and records sorted by key, so one state has exactly one encoding.
`restore_snapshot(profile, data)` rebuilds a `Ledger` from it: records are re-made (and so
re-digested) from their fields, the derived indexes are rebuilt as records go in, and the result
must reproduce the stored state hash, or the snapshot is refused. What is not in a snapshot: the
undo journal. A restored ledger cannot roll back past the snapshot's height, and answers
historical queries only for the blocks applied after it (the node restores a snapshot at least
`ROLLBACK_DEPTH` blocks old and replays the rest, which rebuilds the journal).

Integers are written as a one-byte length and the minimal two's-complement big-endian bytes,
strings and variable byte strings with a four-byte length, keys and hashes at their fixed widths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from sesh.l2.events import Contributor
from sesh.ledger.block import decode_item
from sesh.ledger.ledger import Ledger
from sesh.ledger.params import NetworkProfile
from sesh.ledger.reader import ByteReader
from sesh.ledger.records import (
    DIGEST_BYTES,
    Account,
    ConfirmedEvent,
    DelayedPayment,
    NodeIdentity,
    NodeState,
    PendingEvent,
    PurgedNode,
    RemovalKind,
    RemovedNode,
    ServiceNode,
)
from sesh.ledger.state import (
    ACCOUNTS,
    CONFIRMED,
    COUNTERS,
    ENTROPY_WINDOW,
    NODES,
    PAYMENTS,
    PENDING,
    PURGED,
    REMOVED,
    LedgerState,
    Scalars,
)

MAGIC: Final = b"sesh.ledger.snapshot"
VERSION: Final = 2
_MASK: Final = (1 << (8 * DIGEST_BYTES)) - 1

T = TypeVar("T")


class SnapshotError(ValueError):
    """Bytes that are not a snapshot of a state under the given profile."""


# -- writing ---------------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()

    def num(self, value: int) -> None:
        size = (value.bit_length() + 8) // 8 if value >= 0 else ((-value - 1).bit_length() + 8) // 8
        if size > 255:
            raise ValueError(f"an integer of {size} bytes does not fit a snapshot")
        self.out.append(size)
        self.out += value.to_bytes(size, "big", signed=True)

    def fixed(self, data: bytes, size: int) -> None:
        if len(data) != size:
            raise ValueError(f"expected {size} bytes, got {len(data)}")
        self.out += data

    def var(self, data: bytes) -> None:
        self.out += len(data).to_bytes(4, "big") + data

    def text(self, value: str) -> None:
        self.var(value.encode())

    def bls(self, key: tuple[int, int]) -> None:
        self.num(key[0])
        self.num(key[1])


def _write_node(w: _Writer, node: ServiceNode) -> None:
    i = node.identity
    w.fixed(i.pubkey, 32)
    w.num(i.service_node_id)
    w.bls(i.bls_pubkey)
    w.num(len(i.contributors))
    for c in i.contributors:
        w.text(c.address)
        w.text(c.beneficiary)
        w.num(c.amount)
    for value in (i.fee, i.staking_requirement, i.registration_height, i.registration_l2_height):
        w.num(value)
    for value in (
        node.state,
        node.active_since,
        node.credit_base,
        node.decommission_height,
        node.credit_at_decommission,
        node.decommission_count,
        node.requested_unlock_height,
        int(node.payable),
        node.snapshot,
        node.earned,
        node.last_leader,
        node.last_validator,
    ):
        w.num(value)


def _write_removed(w: _Writer, entry: RemovedNode) -> None:
    _write_node(w, entry.info)
    w.num(entry.kind)
    w.num(entry.removal_height)
    w.num(entry.liquidation_height)


def _write_account(w: _Writer, account: Account) -> None:
    w.text(account.address)
    w.num(account.reward_units)
    w.num(account.stake)


def _write_payment(w: _Writer, payment: DelayedPayment) -> None:
    w.num(payment.payout_height)
    w.fixed(payment.pubkey, 32)
    w.num(payment.contributor_index)
    w.text(payment.address)
    w.num(payment.amount)


def _write_pending(w: _Writer, pending: PendingEvent) -> None:
    w.fixed(pending.event_id, 32)
    w.var(pending.item.encode())
    for value in (pending.included_height, pending.index, pending.confirmations, pending.denials):
        w.num(value)


def _write_confirmed(w: _Writer, confirmed: ConfirmedEvent) -> None:
    w.fixed(confirmed.event_id, 32)
    w.num(confirmed.height)


def _write_purged(w: _Writer, purged: PurgedNode) -> None:
    w.fixed(purged.pubkey, 32)
    w.bls(purged.bls_pubkey)
    w.num(purged.service_node_id)
    w.num(purged.height)


def _write_table(w: _Writer, table: dict[Any, T], write: Callable[[_Writer, T], None]) -> None:
    w.num(len(table))
    for key in sorted(table):
        write(w, table[key])


def encode_snapshot(state: LedgerState) -> bytes:
    """The state's canonical bytes (see the module docstring). Not inside a block."""
    w = _Writer()
    w.out += MAGIC
    w.out.append(VERSION)
    w.fixed(state.profile.digest, 32)
    w.num(state.genesis_height)
    w.num(state.initial_reward_rate)
    s = state.scalars()
    w.num(s.height)
    w.fixed(s.block_hash, 32)
    for value in (
        *(getattr(s, name) for name in COUNTERS),
        len(s.reward_window),
        *s.reward_window,
        s.reward_carry,
    ):
        w.num(value)
    w.num(s.timestamp)
    w.fixed(s.parent_hash, 32)
    w.num(len(s.entropy))
    for value in s.entropy:
        w.var(value)
    w.fixed(s.state_hash, 32)
    _write_table(w, state.nodes, _write_node)
    _write_table(w, state.removed, _write_removed)
    _write_table(w, state.accounts, _write_account)
    _write_table(w, state.payments, _write_payment)
    _write_table(w, state.pending, _write_pending)
    _write_table(w, state.confirmed, _write_confirmed)
    _write_table(w, state.purged, _write_purged)
    return bytes(w.out)


# -- reading ---------------------------------------------------------------------------------------


class _Reader(ByteReader):
    def truncated(self) -> ValueError:
        return SnapshotError("truncated snapshot")

    def num(self) -> int:
        size = self.take(1)[0]
        if size == 0:
            raise SnapshotError("an integer of zero bytes")
        return int.from_bytes(self.take(size), "big", signed=True)

    def var(self) -> bytes:
        return self.take(int.from_bytes(self.take(4), "big"))

    def text(self) -> str:
        try:
            return self.var().decode()
        except UnicodeDecodeError:
            raise SnapshotError("a string that is not UTF-8") from None

    def bls(self) -> tuple[int, int]:
        return (self.num(), self.num())

    def count(self) -> int:
        n = self.num()
        if n < 0:
            raise SnapshotError("a negative count")
        return n


def _read_node(r: _Reader) -> ServiceNode:
    pubkey = r.take(32)
    service_node_id = r.num()
    bls_pubkey = r.bls()
    contributors = tuple(Contributor(r.text(), r.text(), r.num()) for _ in range(r.count()))
    fee, requirement, registration_height, registration_l2_height = (r.num() for _ in range(4))
    identity = NodeIdentity(
        pubkey=pubkey,
        service_node_id=service_node_id,
        bls_pubkey=bls_pubkey,
        contributors=contributors,
        fee=fee,
        staking_requirement=requirement,
        registration_height=registration_height,
        registration_l2_height=registration_l2_height,
    )
    state = NodeState(r.num())
    active_since, credit_base, decommission_height, credit_at, count, unlock = (
        r.num() for _ in range(6)
    )
    payable = r.num()
    if payable not in (0, 1):
        raise SnapshotError("a payable flag that is neither 0 nor 1")
    return ServiceNode(
        identity=identity,
        state=state,
        active_since=active_since,
        credit_base=credit_base,
        decommission_height=decommission_height,
        credit_at_decommission=credit_at,
        decommission_count=count,
        requested_unlock_height=unlock,
        payable=bool(payable),
        snapshot=r.num(),
        earned=r.num(),
        last_leader=r.num(),
        last_validator=r.num(),
    )


def _read_removed(r: _Reader) -> RemovedNode:
    info = _read_node(r)
    return RemovedNode(info, RemovalKind(r.num()), r.num(), r.num())


def _read_account(r: _Reader) -> Account:
    return Account(r.text(), r.num(), r.num())


def _read_payment(r: _Reader) -> DelayedPayment:
    return DelayedPayment(r.num(), r.take(32), r.num(), r.text(), r.num())


def _read_pending(r: _Reader) -> PendingEvent:
    event_id = r.take(32)
    item = decode_item(r.var())
    return PendingEvent(event_id, item, r.num(), r.num(), r.num(), r.num())


def _read_confirmed(r: _Reader) -> ConfirmedEvent:
    return ConfirmedEvent(r.take(32), r.num())


def _read_purged(r: _Reader) -> PurgedNode:
    return PurgedNode(r.take(32), r.bls(), r.num(), r.num())


def _payment_key(payment: DelayedPayment) -> tuple[int, bytes, int]:
    return payment.key


_TABLES: Final[tuple[tuple[int, Callable[[_Reader], Any], Callable[[Any], Any]], ...]] = (
    (NODES, _read_node, lambda n: n.pubkey),
    (REMOVED, _read_removed, lambda e: e.pubkey),
    (ACCOUNTS, _read_account, lambda a: a.address),
    (PAYMENTS, _read_payment, _payment_key),
    (PENDING, _read_pending, lambda p: p.event_id),
    (CONFIRMED, _read_confirmed, lambda c: c.event_id),
    (PURGED, _read_purged, lambda p: p.pubkey),
)
"""Each table's id, record reader and key, in the order the snapshot holds them."""


def restore_snapshot(profile: NetworkProfile, data: bytes) -> Ledger:
    """The ledger `encode_snapshot` wrote, under `profile`; `SnapshotError` if `data` is not
    one, was written under another profile, or does not reproduce its own state hash."""
    try:
        return _restore(profile, data)
    except SnapshotError:
        raise
    except (ValueError, KeyError, IndexError) as error:
        raise SnapshotError(f"not a ledger snapshot ({error})") from None


def _restore(profile: NetworkProfile, data: bytes) -> Ledger:
    r = _Reader(data)
    if r.take(len(MAGIC)) != MAGIC:
        raise SnapshotError("not a ledger snapshot")
    version = r.take(1)[0]
    if version != VERSION:
        raise SnapshotError(f"snapshot version {version}, expected {VERSION}")
    if r.take(32) != profile.digest:
        raise SnapshotError(f"the snapshot was written under another profile than {profile.name}")
    genesis_height = r.num()
    initial_reward_rate = r.num()
    height = r.num()
    block_hash = r.take(32)
    counters: dict[str, Any] = {name: r.num() for name in COUNTERS}
    window = tuple(r.num() for _ in range(r.count()))
    if len(window) != profile.reward_window:
        raise SnapshotError("the reward window does not match the profile")
    reward_carry = r.num()
    timestamp = r.num()
    parent_hash = r.take(32)
    entropy = tuple(r.var() for _ in range(r.count()))
    if len(entropy) != ENTROPY_WINDOW:
        raise SnapshotError("the entropy window does not have its fixed length")
    state_hash = r.take(32)

    ledger = Ledger(profile, height=genesis_height, initial_reward_rate=initial_reward_rate)
    tables = (
        ledger.nodes,
        ledger.removed,
        ledger.accounts,
        ledger.payments,
        ledger.pending,
        ledger.confirmed,
        ledger.purged,
    )
    ledger.records_hash = 0
    for tid, read, key_of in _TABLES:
        table = tables[tid]
        previous = None
        for _ in range(r.count()):
            record = read(r)
            key = key_of(record)
            if previous is not None and not previous < key:
                raise SnapshotError("records out of order or repeated")
            previous = key
            ledger._replace(tid, table, key, None, record)
    if r.pos != len(data):
        raise SnapshotError("trailing bytes after the snapshot")
    ledger._restore(
        Scalars(
            height=height,
            block_hash=block_hash,
            **counters,
            reward_window=window,
            reward_carry=reward_carry,
            timestamp=timestamp,
            parent_hash=parent_hash,
            entropy=entropy,
            records_hash=ledger.records_hash & _MASK,
            state_hash=state_hash,
        )
    )
    if ledger.compute_state_hash() != state_hash:
        raise SnapshotError("the snapshot does not reproduce its state hash")
    return ledger
