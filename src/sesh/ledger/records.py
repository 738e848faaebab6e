"""The ledger's records: frozen values, each with a digest that feeds the state hash.

A record's `digest` is a 2048-bit integer computed once, when the record is made (SHAKE-256 of a
table tag and the record's canonical bytes, 256 bytes long). The state hash is the sum of the
digests of every live record modulo 2**2048, together with the scalar fields
(`sesh.ledger.state`), so changing one record costs one digest, however many records there are.
The width is what makes the sum safe to agree on: a sum of digests modulo 2**256 can be steered
to a chosen value by anyone who picks enough records (a generalised birthday search), while
with 2048 bits that search is far out of reach (Bellare and Micciancio's AdHash).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar, Generic, TypeVar, overload

from sesh.l2.events import Contributor
from sesh.ledger.purge import PendingItem
from sesh.ledger.rewards import position_weights


def _words(*values: int) -> bytes:
    return b"".join(v.to_bytes(32, "big", signed=True) for v in values)


DIGEST_BYTES = 256
"""The width of a record's digest, and of the sum of digests (2048 bits)."""


def _digest(tag: bytes, body: bytes) -> int:
    return int.from_bytes(hashlib.shake_256(tag + body).digest(DIGEST_BYTES), "big")


def _bls(key: tuple[int, int]) -> bytes:
    return key[0].to_bytes(32, "big") + key[1].to_bytes(32, "big")


@dataclass(frozen=True, slots=True)
class _Record:
    """A record of one table: its `digest` is made from its `TAG` and its canonical bytes."""

    TAG: ClassVar[bytes]
    """The table's tag, hashed before the record's bytes."""
    digest: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", _digest(self.TAG, self.canonical()))

    def canonical(self) -> bytes:
        """The record's bytes, as its digest hashes them."""
        raise NotImplementedError


class NodeState(IntEnum):
    ACTIVE = 0
    DECOMMISSIONED = 1


class RemovalKind(IntEnum):
    """Why a node is in the recently removed list."""

    EXIT = 0
    """Its unlock period (after an exit request) ran out."""
    DEREGISTER = 1
    """A quorum deregistered it: its stake can be liquidated after the grace period."""


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """What a node is for its whole life: keys, contributors, fee, stake, registration.

    Kept apart from the changing fields so that a state change re-hashes a dozen integers, not
    the contributor list, and so the reward weights are computed once per node.
    """

    pubkey: bytes
    """The node's Ed25519 key (32 bytes): its identity on the network."""
    service_node_id: int
    """The contract's id for the node."""
    bls_pubkey: tuple[int, int]
    contributors: tuple[Contributor, ...]
    """Contributor 0 is the operator: it receives the fee (to its beneficiary)."""
    fee: int
    """Operator fee, 1/100 of a percent."""
    staking_requirement: int
    """The requirement at registration: the sum of the contributions."""
    registration_height: int
    registration_l2_height: int
    weights: tuple[int, ...] = field(init=False, compare=False, repr=False)
    """Each contributor's share of the node's rewards, over `total_weight` (see rewards.py)."""
    total_weight: int = field(init=False, compare=False, repr=False)
    digest: bytes = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        weights, total = position_weights(self.fee, self.contributors)
        object.__setattr__(self, "weights", tuple(weights))
        object.__setattr__(self, "total_weight", total)
        body = (
            self.pubkey
            + _bls(self.bls_pubkey)
            + _words(
                self.service_node_id,
                self.fee,
                self.staking_requirement,
                self.registration_height,
                self.registration_l2_height,
                len(self.contributors),
            )
            + b"".join(c.encode() for c in self.contributors)
        )
        object.__setattr__(
            self, "digest", hashlib.blake2b(b"identity" + body, digest_size=32).digest()
        )

    @property
    def operator(self) -> str:
        return self.contributors[0].address


T = TypeVar("T")


class _FromIdentity(Generic[T]):
    """A field of a node's `NodeIdentity`, read through the node: `node.fee` is
    `node.identity.fee`."""

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, node: None, owner: type) -> _FromIdentity[T]: ...
    @overload
    def __get__(self, node: ServiceNode, owner: type | None = None) -> T: ...
    def __get__(self, node: ServiceNode | None, owner: type | None = None) -> T | _FromIdentity[T]:
        if node is None:
            return self
        value: T = getattr(node.identity, self.name)
        return value


@dataclass(frozen=True, slots=True)
class ServiceNode(_Record):
    """A registered node (active or decommissioned) and its reward bookkeeping.

    Reward fields: while `payable`, the node is owed `acc - snapshot` units on top of `earned`
    (the units already split among its contributors); see `sesh.ledger.rewards`.
    """

    identity: NodeIdentity
    state: NodeState
    active_since: int
    """Height of the registration or the last recommission; maturity counts from here."""
    credit_base: int
    """Decommission credit (blocks) at `active_since`."""
    decommission_height: int = 0
    credit_at_decommission: int = 0
    decommission_count: int = 0
    requested_unlock_height: int = 0
    """0 when no exit was requested; else the height the node leaves the list."""
    payable: bool = False
    snapshot: int = 0
    earned: int = 0
    last_leader: int = 0
    """The last height this node was the scheduled round-0 leader of (0: never): the leader
    rotation goes to the active node that led longest ago (`sesh.ledger.rotation`)."""
    last_validator: int = 0
    """The last height whose block this node validated (0: never): validators are drawn from
    the longest-idle nodes first."""

    TAG = b"node"

    # What the node is, read through its identity.
    pubkey = _FromIdentity[bytes]()
    service_node_id = _FromIdentity[int]()
    bls_pubkey = _FromIdentity[tuple[int, int]]()
    contributors = _FromIdentity[tuple[Contributor, ...]]()
    fee = _FromIdentity[int]()
    staking_requirement = _FromIdentity[int]()
    registration_height = _FromIdentity[int]()
    registration_l2_height = _FromIdentity[int]()
    operator = _FromIdentity[str]()

    def canonical(self) -> bytes:
        return self.identity.digest + _words(
            self.last_leader,
            self.last_validator,
            self.state,
            self.active_since,
            self.credit_base,
            self.decommission_height,
            self.credit_at_decommission,
            self.decommission_count,
            self.requested_unlock_height,
            self.payable,
            self.snapshot,
            self.earned,
        )

    @property
    def active(self) -> bool:
        return self.state is NodeState.ACTIVE


@dataclass(frozen=True, slots=True)
class RemovedNode(_Record):
    """A node that left the list (exit or deregistration) and whose stake the contract still
    holds: it stays here until the contract's `ServiceNodeExit` for it is confirmed."""

    info: ServiceNode
    """The node as it was when it left (its rewards settled)."""
    kind: RemovalKind
    removal_height: int
    liquidation_height: int

    TAG = b"removed"

    def canonical(self) -> bytes:
        return self.info.digest.to_bytes(DIGEST_BYTES, "big") + _words(
            self.kind, self.removal_height, self.liquidation_height
        )

    @property
    def pubkey(self) -> bytes:
        return self.info.pubkey


@dataclass(frozen=True, slots=True)
class Account(_Record):
    """What the network owes an address over its lifetime (it never decreases).

    `reward_units` are rewards in units of 1/UNITS_PER_ATOM atom; `stake` is returned stake in
    atoms. The signed balance is `reward_units // UNITS_PER_ATOM + stake`.
    """

    address: str
    reward_units: int = 0
    stake: int = 0

    TAG = b"account"

    def canonical(self) -> bytes:
        return self.address.encode() + _words(self.reward_units, self.stake)


@dataclass(frozen=True, slots=True)
class DelayedPayment(_Record):
    """A returned stake payable at `payout_height` (a slashed node's stake waits the lock)."""

    payout_height: int
    pubkey: bytes
    """The node the stake was in."""
    contributor_index: int
    address: str
    """The staker (stakes go back to who staked; rewards go to beneficiaries)."""
    amount: int

    TAG = b"payment"

    def canonical(self) -> bytes:
        return (
            self.pubkey
            + self.address.encode()
            + _words(self.payout_height, self.contributor_index, self.amount)
        )

    @property
    def key(self) -> tuple[int, bytes, int]:
        return (self.payout_height, self.pubkey, self.contributor_index)


@dataclass(frozen=True, slots=True)
class PendingEvent(_Record):
    """An event waiting for the network's votes (node.md §1.3)."""

    event_id: bytes
    item: PendingItem
    included_height: int
    index: int
    """Position in the including block: with the height, the order confirmed events apply in."""
    confirmations: int
    denials: int = 0

    TAG = b"pending"

    def canonical(self) -> bytes:
        return self.event_id + _words(
            self.included_height, self.index, self.confirmations, self.denials
        )


@dataclass(frozen=True, slots=True)
class ConfirmedEvent(_Record):
    """An event the network confirmed (whatever its effect): it can never be applied again."""

    event_id: bytes
    height: int

    TAG = b"confirmed"

    def canonical(self) -> bytes:
        return self.event_id + _words(self.height)


@dataclass(frozen=True, slots=True)
class PurgedNode(_Record):
    """A node deleted by a confirmed purge: its key, and when."""

    pubkey: bytes
    bls_pubkey: tuple[int, int]
    service_node_id: int
    height: int

    TAG = b"purged"

    def canonical(self) -> bytes:
        return self.pubkey + _bls(self.bls_pubkey) + _words(self.service_node_id, self.height)
