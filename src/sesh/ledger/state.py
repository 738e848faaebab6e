"""The ledger's state: tables of frozen records, scalar fields, an undo journal and the hash.

Why an undo journal rather than a fresh state per block: the state has a record per node and
per address (10,000s), and a block usually changes a handful or none; copying, or even sharing
structure through a persistent map, costs far more than logging what a block replaced. Every
change to a table goes through `put`, which logs (table, key, old record), keeps the derived
indexes and the running hash in step, and a block's log plus its scalars before the block make
one undo record. The last `ROLLBACK_DEPTH` undo records are kept, so the ledger can step back
that many blocks (`rollback`) and can answer questions about those heights (`record_at`,
`scalars_at`) without a copy of the state per height.

The state hash: every record carries a 2048-bit digest; `records_hash` is their sum modulo
2**2048, updated by the old and new digests on every `put`. The block's state hash is blake2b
over the profile, the scalars and `records_hash`: O(1) per block when no record changes. A sum
of digests is a multiset hash (AdHash); at 2048 bits nobody can choose records whose digests
sum to a target, which a 256-bit sum would allow (`sesh.ledger.records`).

Derived indexes (BLS key → node, address → nodes, due heights) are not hashed and not
journaled: `put` keeps them in step going forward and going back.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, Final

from sesh.keccak import keccak256
from sesh.ledger.outcomes import HeightUnavailable
from sesh.ledger.params import NetworkProfile
from sesh.ledger.records import (
    DIGEST_BYTES,
    Account,
    ConfirmedEvent,
    DelayedPayment,
    NodeState,
    PendingEvent,
    PurgedNode,
    RemovedNode,
    ServiceNode,
)
from sesh.ledger.rewards import UNITS_PER_ATOM, per_node_share, split_delta

ROLLBACK_DEPTH: Final = 360
"""Blocks the ledger can step back (and answer historical queries about)."""

ENTROPY_WINDOW: Final = 22
"""Random values of the newest blocks the state keeps: the quorum of height H draws its entropy
from the ancestors H-22 … H-11 (pulse.md §1.3), which the state at H-1 holds as its oldest 12."""

_MASK = (1 << (8 * DIGEST_BYTES)) - 1

# Table ids (journal entries name their table by these).
NODES: Final = 0
REMOVED: Final = 1
ACCOUNTS: Final = 2
PAYMENTS: Final = 3
PENDING: Final = 4
CONFIRMED: Final = 5
PURGED: Final = 6

BlsKey = tuple[int, int]
Record = ServiceNode | RemovedNode | Account | DelayedPayment | PendingEvent | ConfirmedEvent
JournalEntry = tuple[int, Any, Any]
_INDEXED: Final = frozenset((NODES, REMOVED, PAYMENTS))


@dataclass(frozen=True, slots=True)
class Scalars:
    """The state's single-valued fields at one height."""

    height: int
    block_hash: bytes
    l2_height: int
    staking_requirement: int
    acc: int
    payable_count: int
    snapshot_sum: int
    issued: int
    dust_units: int
    share_carry: int
    credited_units: int
    stake_credited: int
    reward_window: tuple[int, ...]
    reward_carry: int
    timestamp: int
    parent_hash: bytes
    entropy: tuple[bytes, ...]
    records_hash: int
    state_hash: bytes


SCALARS: Final = tuple(field.name for field in fields(Scalars))
"""The names of the scalar fields, in `Scalars`' order: the state's attributes of those names."""
COUNTERS: Final = SCALARS[SCALARS.index("l2_height") : SCALARS.index("reward_window")]
"""The integer scalars from `l2_height` to `stake_credited`, in `Scalars`' order: the state
hash and a snapshot take them in this order."""


@dataclass(slots=True)
class _Undo:
    height: int
    before: Scalars
    entries: list[JournalEntry]


def _discard(index: dict[Any, set[Any]], bucket: Any, key: Any) -> None:
    members = index.get(bucket)
    if members is not None:
        members.discard(key)
        if not members:
            del index[bucket]


def _add(index: dict[Any, set[Any]], bucket: Any, key: Any) -> None:
    members = index.get(bucket)
    if members is None:
        index[bucket] = {key}
    else:
        members.add(key)


class LedgerState:
    """Tables, scalars, journal. `sesh.ledger.transition` changes it; queries read it."""

    def __init__(
        self,
        profile: NetworkProfile,
        *,
        height: int = 0,
        l2_height: int = 0,
        initial_reward_rate: int | None = None,
        staking_requirement: int | None = None,
        timestamp: int = 0,
    ) -> None:
        rate = profile.initial_reward_rate if initial_reward_rate is None else initial_reward_rate
        requirement = (
            profile.staking_requirement if staking_requirement is None else staking_requirement
        )
        if rate < 0 or requirement <= 0 or min(height, l2_height, timestamp) < 0:
            raise ValueError("genesis values must be non-negative (the requirement positive)")
        self.profile: Final = profile
        self.genesis_height: Final = height
        self.initial_reward_rate: Final = rate

        # Tables: key → record.
        self.nodes: dict[bytes, ServiceNode] = {}
        self.removed: dict[bytes, RemovedNode] = {}
        self.accounts: dict[str, Account] = {}
        self.payments: dict[tuple[int, bytes, int], DelayedPayment] = {}
        self.pending: dict[bytes, PendingEvent] = {}
        self.confirmed: dict[bytes, ConfirmedEvent] = {}
        self.purged: dict[bytes, PurgedNode] = {}
        self._tables: tuple[dict[Any, Any], ...] = (
            self.nodes,
            self.removed,
            self.accounts,
            self.payments,
            self.pending,
            self.confirmed,
            self.purged,
        )

        # Derived indexes.
        self.bls_index: dict[BlsKey, bytes] = {}
        """BLS key → Ed25519 key, for registered and recently removed nodes."""
        self.by_address: dict[str, set[bytes]] = {}
        """Address → nodes (registered or removed) it stakes in or receives rewards from."""
        self.maturity_due: dict[int, set[bytes]] = {}
        self.unlock_due: dict[int, set[bytes]] = {}
        self.payments_due: dict[int, set[tuple[int, bytes, int]]] = {}

        # Scalars.
        self.height = height
        self.block_hash = keccak256(
            b"sesh.ledger.genesis"
            + profile.digest
            + b"".join(v.to_bytes(32, "big") for v in (height, l2_height, rate, requirement))
        )
        self.l2_height = l2_height
        self.staking_requirement = requirement
        self.acc = 0
        """Units owed to every node payable since genesis (see `sesh.ledger.rewards`)."""
        self.payable_count = 0
        self.snapshot_sum = 0
        """Σ snapshot over payable nodes: their unsettled units are payable_count·acc − this."""
        self.issued = 0
        """Atoms issued as rewards since genesis."""
        self.dust_units = 0
        """Units lost to the contributor split (fewer than a node's contributors per node)."""
        self.share_carry = 0
        """Units of issued rewards the equal split has not yet given out (fewer than P)."""
        self.credited_units = 0
        """Σ reward units over accounts."""
        self.stake_credited = 0
        """Σ returned stake (atoms) over accounts."""
        self.reward_window: tuple[int, ...] = (rate,) * profile.reward_window
        self.reward_carry = 0
        self.timestamp = timestamp
        """The top block's timestamp (seconds); a block's may not be lower than its parent's."""
        self.parent_hash = self.block_hash
        """The top block's parent: the state hash covers it rather than the top block's own
        hash, since a block carries the state hash it results in."""
        self.entropy: tuple[bytes, ...] = (self.block_hash,) * ENTROPY_WINDOW
        """The random values of the last `ENTROPY_WINDOW` blocks, oldest first; the genesis
        hash stands in for blocks before genesis."""
        self.records_hash = 0
        self.state_hash = b""
        self.state_hash = self.compute_state_hash()

        self._entries: list[JournalEntry] | None = None
        self._before: Scalars | None = None
        self._history: deque[_Undo] = deque(maxlen=ROLLBACK_DEPTH)

    # -- scalars -------------------------------------------------------------------------------

    def scalars(self) -> Scalars:
        return Scalars(*(getattr(self, name) for name in SCALARS))

    def _restore(self, s: Scalars) -> None:
        for name in SCALARS:
            setattr(self, name, getattr(s, name))

    def compute_state_hash(self) -> bytes:
        """blake2b over the profile, every scalar but the top block's own hash (the block
        carries this hash, so it cannot cover it; its parent's hash stands in) and the records'
        digest sum."""
        h = hashlib.blake2b(digest_size=32)
        h.update(b"sesh.ledger.state")
        h.update(self.profile.digest)
        h.update(self.parent_hash)
        for value in (
            self.genesis_height,
            self.initial_reward_rate,
            self.height,
            *(getattr(self, name) for name in COUNTERS),
            self.reward_carry,
            *self.reward_window,
            self.timestamp,
        ):
            h.update(value.to_bytes(32, "big"))
        for value in self.entropy:
            h.update(len(value).to_bytes(1, "big") + value)
        h.update((self.records_hash & _MASK).to_bytes(DIGEST_BYTES, "big"))
        return h.digest()

    # -- blocks: begin, commit, abort, roll back -----------------------------------------------

    def begin_block(self) -> None:
        if self._entries is not None:
            raise RuntimeError("a block is already being applied")
        self._entries = []
        self._before = self.scalars()

    def commit_block(self) -> None:
        assert self._entries is not None and self._before is not None
        self.records_hash &= _MASK
        self.state_hash = self.compute_state_hash()
        self._history.append(_Undo(self.height, self._before, self._entries))
        self._entries = None
        self._before = None

    def abort_block(self) -> None:
        """Undo a block that failed half-way: the state is as before `begin_block`."""
        assert self._entries is not None and self._before is not None
        self._undo(self._entries)
        self._restore(self._before)
        self._entries = None
        self._before = None

    def forget_history(self) -> None:
        """Drop every undo record: what was applied so far (a genesis) cannot be rolled back."""
        self._history.clear()

    @property
    def rollback_depth(self) -> int:
        """How many blocks `rollback` can undo now."""
        return len(self._history)

    def rollback(self, blocks: int = 1) -> None:
        """Undo the last `blocks` blocks (at most `rollback_depth`)."""
        if self._entries is not None:
            raise RuntimeError("cannot roll back while a block is being applied")
        if not 0 <= blocks <= len(self._history):
            raise HeightUnavailable(f"can roll back {len(self._history)} blocks, not {blocks}")
        for _ in range(blocks):
            undo = self._history.pop()
            self._undo(undo.entries)
            self._restore(undo.before)

    def _undo(self, entries: list[JournalEntry]) -> None:
        tables = self._tables
        for tid, key, old in reversed(entries):
            table = tables[tid]
            self._replace(tid, table, key, table.get(key), old)

    # -- historical reads ----------------------------------------------------------------------

    def oldest_height(self) -> int:
        """The oldest height historical queries can answer."""
        return self.height - len(self._history)

    def _undos_after(self, height: int) -> list[_Undo]:
        if not self.oldest_height() <= height <= self.height:
            raise HeightUnavailable(
                f"height {height} is outside {self.oldest_height()}..{self.height}"
            )
        return [u for u in self._history if u.height > height]

    def scalars_at(self, height: int) -> Scalars:
        undos = self._undos_after(height)
        return undos[0].before if undos else self.scalars()

    def record_at(self, tid: int, key: Any, height: int) -> Any:
        """The record under `key` in table `tid` as it was after block `height`."""
        for undo in self._undos_after(height):
            for entry_tid, entry_key, old in undo.entries:
                if entry_tid == tid and entry_key == key:
                    return old
        return self._tables[tid].get(key)

    def keys_changed_after(self, tid: int, height: int) -> Iterator[tuple[Any, Any]]:
        """(key, record at `height`) for every key of table `tid` changed after `height`."""
        seen = set()
        for undo in self._undos_after(height):
            for entry_tid, entry_key, old in undo.entries:
                if entry_tid == tid and entry_key not in seen:
                    seen.add(entry_key)
                    yield entry_key, old

    # -- the one way tables change -------------------------------------------------------------

    def put(self, tid: int, key: Any, new: Any) -> None:
        """Set (or, with None, delete) a record, logging the old one."""
        entries = self._entries
        if entries is None:
            raise RuntimeError("tables change only inside a block")
        table = self._tables[tid]
        old = table.get(key)
        entries.append((tid, key, old))
        self._replace(tid, table, key, old, new)

    def _replace(self, tid: int, table: dict[Any, Any], key: Any, old: Any, new: Any) -> None:
        if old is not None:
            self.records_hash -= old.digest
            if tid in _INDEXED:
                self._unindex(tid, key, old, new)
        if new is None:
            if old is not None:
                del table[key]
            return
        table[key] = new
        self.records_hash += new.digest
        if tid in _INDEXED:
            self._index(tid, key, new, old)

    def _index(self, tid: int, key: Any, record: Any, old: Any) -> None:
        if tid == PAYMENTS:
            _add(self.payments_due, record.payout_height, key)
            return
        node: ServiceNode = record.info if tid == REMOVED else record
        if old is None:
            self.bls_index[node.bls_pubkey] = key
            for c in node.contributors:
                _add(self.by_address, c.address, key)
                _add(self.by_address, c.beneficiary, key)
        if tid == NODES:
            if node.state is NodeState.ACTIVE and not node.payable:
                _add(self.maturity_due, node.active_since + self.profile.maturity_blocks, key)
            if node.requested_unlock_height:
                _add(self.unlock_due, node.requested_unlock_height, key)

    def _unindex(self, tid: int, key: Any, record: Any, new: Any) -> None:
        if tid == PAYMENTS:
            _discard(self.payments_due, record.payout_height, key)
            return
        node: ServiceNode = record.info if tid == REMOVED else record
        if new is None:
            if self.bls_index.get(node.bls_pubkey) == key:
                del self.bls_index[node.bls_pubkey]
            for c in node.contributors:
                _discard(self.by_address, c.address, key)
                _discard(self.by_address, c.beneficiary, key)
        if tid == NODES:
            if node.state is NodeState.ACTIVE and not node.payable:
                _discard(self.maturity_due, node.active_since + self.profile.maturity_blocks, key)
            if node.requested_unlock_height:
                _discard(self.unlock_due, node.requested_unlock_height, key)

    # -- rewards and balances (see sesh.ledger.rewards for the arithmetic) ----------------------

    def distribute(self, amount: int) -> int:
        """Issue `amount` atoms equally to the payable nodes; returns what was issued (nothing
        when no node is payable: an unpaid block issues nothing)."""
        if self.payable_count == 0 or amount == 0:
            return 0
        share, self.share_carry = per_node_share(amount, self.payable_count, self.share_carry)
        self.acc += share
        self.issued += amount
        return amount

    def settle(self, node: ServiceNode) -> int:
        """Pay a payable node's unsettled units into its beneficiaries' accounts; returns its
        new `earned`. The caller stores the node with that `earned` and `snapshot = acc`."""
        delta = self.acc - node.snapshot
        if not node.payable or delta == 0:
            return node.earned
        identity = node.identity
        new_earned = node.earned + delta
        gains, dust = split_delta(
            identity.contributors, identity.weights, identity.total_weight, node.earned, new_earned
        )
        for beneficiary, units in gains:
            self.credit_reward(beneficiary, units)
        self.dust_units += dust
        self.snapshot_sum += delta
        return new_earned

    def join(self) -> int:
        """Count one more payable node; returns its snapshot (the accumulator now)."""
        self.payable_count += 1
        self.snapshot_sum += self.acc
        return self.acc

    def leave(self, node: ServiceNode) -> int:
        """Settle a node and stop counting it as payable; returns its `earned`. The caller
        stores it with `payable=False, snapshot=0` (or deletes it)."""
        if not node.payable:
            return node.earned
        earned = self.settle(node)
        self.payable_count -= 1
        self.snapshot_sum -= self.acc
        return earned

    def credit_reward(self, address: str, units: int) -> None:
        account = self.accounts.get(address)
        if account is None:
            account = Account(address, units, 0)
        else:
            account = Account(address, account.reward_units + units, account.stake)
        self.put(ACCOUNTS, address, account)
        self.credited_units += units

    def credit_stake(self, address: str, amount: int) -> None:
        if amount == 0:
            return
        account = self.accounts.get(address)
        if account is None:
            account = Account(address, 0, amount)
        else:
            account = Account(address, account.reward_units, account.stake + amount)
        self.put(ACCOUNTS, address, account)
        self.stake_credited += amount

    def unsettled_units(self) -> int:
        """Units owed to payable nodes and not yet split among their contributors."""
        return self.payable_count * self.acc - self.snapshot_sum

    @staticmethod
    def units_to_atoms(units: int) -> int:
        return units // UNITS_PER_ATOM

    # -- lookups -------------------------------------------------------------------------------

    def node_by_bls(self, bls_pubkey: BlsKey) -> ServiceNode | None:
        key = self.bls_index.get(bls_pubkey)
        return None if key is None else self.nodes.get(key)

    def removed_by_bls(self, bls_pubkey: BlsKey) -> RemovedNode | None:
        key = self.bls_index.get(bls_pubkey)
        return None if key is None else self.removed.get(key)
