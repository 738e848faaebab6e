"""Where peers are: signed address announcements, and the book that keeps the newest of each.

A node tells the network where to reach it by gossiping an ``Announcement``: its Ed25519 key, an
IPv4 address, its transport and RPC ports and a timestamp, signed with that key. The reference
carries the same facts in its uptime proofs (§7: public IP and quorumnet port, a timestamp within
±5 minutes, valid 2 h 5 min); here they travel on their own, since the transport must know a
peer's address before anything else can be said.

The signature covers a domain tag and the canonical encoding of every other field, so an
announcement cannot be replayed as any other signed message, and its bytes have one form
(``to_bytes``/``from_bytes``, fixed length, strict).

``AddressBook`` is pure: it is given the time, never reads a clock, and does no I/O, so the node
decides when announcements expire and tests need no waiting. It answers whether an offered
announcement is new, so that the node gossips on only what it accepted: a stale or forged
announcement stops at the first node that sees it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from sesh.net.codec import MalformedMessage
from sesh.net.curve import KEY_SIZE

ANNOUNCEMENT_VERSION = 1
DOMAIN = b"sesh.net.announcement\x00"
"""Prefixed to the signed bytes, so this signature can be nothing else (NUL ends the tag)."""

MAX_FUTURE = 5 * 60
"""An announcement dated more than this many seconds ahead of the receiver's clock is refused."""

DEFAULT_VALIDITY = 2 * 3600 + 5 * 60
"""How long an announcement stays valid, in seconds: the reference's uptime proof lifetime."""

SIGNATURE_SIZE = 64
_BODY_SIZE = 1 + KEY_SIZE + 4 + 2 + 2 + 8
ANNOUNCEMENT_SIZE = _BODY_SIZE + SIGNATURE_SIZE


@dataclass(frozen=True, slots=True)
class PeerAddress:
    """Where a peer's transport listens."""

    host: str
    port: int

    def __post_init__(self) -> None:
        _check_host(self.host)
        _check_port(self.port, "port")

    @property
    def endpoint(self) -> str:
        """The ZeroMQ endpoint: ``tcp://host:port``."""
        return f"tcp://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Announcement:
    """A node's signed word on where it is. Construction checks the fields' forms (ValueError);
    ``verify`` checks the signature."""

    ed25519_pubkey: bytes
    host: str
    port: int
    rpc_port: int
    timestamp: int
    signature: bytes
    version: int = ANNOUNCEMENT_VERSION

    def __post_init__(self) -> None:
        if self.version != ANNOUNCEMENT_VERSION:
            raise ValueError(f"unknown announcement version {self.version}")
        if len(self.ed25519_pubkey) != KEY_SIZE:
            raise ValueError("an Ed25519 public key is 32 bytes")
        _check_host(self.host)
        _check_port(self.port, "port")
        _check_port(self.rpc_port, "rpc_port")
        if not 0 <= self.timestamp < 1 << 64:
            raise ValueError(f"timestamp {self.timestamp} is not a 64-bit unsigned integer")
        if len(self.signature) != SIGNATURE_SIZE:
            raise ValueError("an Ed25519 signature is 64 bytes")

    @property
    def address(self) -> PeerAddress:
        return PeerAddress(self.host, self.port)

    def signed_bytes(self) -> bytes:
        """What the signature covers: the domain tag and every other field, canonically."""
        return DOMAIN + _body(
            self.version, self.ed25519_pubkey, self.host, self.port, self.rpc_port, self.timestamp
        )

    def verify(self) -> bool:
        """Whether the signature is the key's over ``signed_bytes``."""
        try:
            VerifyKey(self.ed25519_pubkey).verify(self.signed_bytes(), self.signature)
        except (CryptoError, ValueError):
            return False
        return True

    def to_bytes(self) -> bytes:
        """The canonical encoding: the signed fields (no domain tag), then the signature."""
        return self.signed_bytes()[len(DOMAIN) :] + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> Announcement:
        """The announcement in ``data`` (exactly ``ANNOUNCEMENT_SIZE`` bytes), or
        ``MalformedMessage``. The signature is not checked here: see ``verify``."""
        if len(data) != ANNOUNCEMENT_SIZE:
            raise MalformedMessage(f"an announcement is {ANNOUNCEMENT_SIZE} bytes, not {len(data)}")
        key_end = 1 + KEY_SIZE
        host = str(ipaddress.IPv4Address(data[key_end : key_end + 4]))
        ports = data[key_end + 4 : key_end + 8]
        try:
            return cls(
                version=data[0],
                ed25519_pubkey=data[1:key_end],
                host=host,
                port=int.from_bytes(ports[:2], "big"),
                rpc_port=int.from_bytes(ports[2:], "big"),
                timestamp=int.from_bytes(data[key_end + 8 : _BODY_SIZE], "big"),
                signature=data[_BODY_SIZE:],
            )
        except ValueError as e:
            raise MalformedMessage(f"not an announcement: {e}") from e


def sign_announcement(
    signing_key: SigningKey, host: str, port: int, rpc_port: int, timestamp: int
) -> Announcement:
    """This node's announcement, signed with its Ed25519 key."""
    pubkey = bytes(signing_key.verify_key)
    unsigned = Announcement(pubkey, host, port, rpc_port, timestamp, bytes(SIGNATURE_SIZE))
    signature = signing_key.sign(unsigned.signed_bytes()).signature
    return replace(unsigned, signature=bytes(signature))


class Verdict(StrEnum):
    """What ``AddressBook.offer`` made of an announcement; only ``ACCEPTED`` is gossiped on."""

    ACCEPTED = "accepted"
    NOT_ADMITTED = "not admitted"
    FROM_THE_FUTURE = "from the future"
    EXPIRED = "expired"
    NOT_NEWER = "not newer"
    BAD_SIGNATURE = "bad signature"


class AddressBook:
    """The newest valid announcement of each peer, and the static bootstrap addresses.

    ``admit`` (default: every key) lets the node keep only the keys it cares about, the nodes its
    ledger lists: without it, anyone can fill the book with announcements of fresh keys."""

    def __init__(
        self,
        *,
        validity: int = DEFAULT_VALIDITY,
        max_future: int = MAX_FUTURE,
        bootstrap: Mapping[bytes, PeerAddress] | None = None,
        admit: Callable[[bytes], bool] | None = None,
    ) -> None:
        if validity <= 0 or max_future < 0:
            raise ValueError("validity must be positive and max_future not negative")
        self.validity = validity
        self.max_future = max_future
        self._bootstrap = dict(bootstrap or {})
        self._admit = admit
        self._held: dict[bytes, Announcement] = {}

    def offer(self, announcement: Announcement, now: float) -> Verdict:
        """Keep ``announcement`` if it is admitted, dated within [now − validity, now +
        max_future], newer than the one held for its key and correctly signed. The cheap checks
        come first, so stale gossip costs no signature check."""
        key = announcement.ed25519_pubkey
        if self._admit is not None and not self._admit(key):
            return Verdict.NOT_ADMITTED
        if announcement.timestamp > now + self.max_future:
            return Verdict.FROM_THE_FUTURE
        if announcement.timestamp < now - self.validity:
            return Verdict.EXPIRED
        held = self._held.get(key)
        if held is not None and announcement.timestamp <= held.timestamp:
            return Verdict.NOT_NEWER
        if not announcement.verify():
            return Verdict.BAD_SIGNATURE
        self._held[key] = announcement
        return Verdict.ACCEPTED

    def announcement(self, key: bytes, now: float) -> Announcement | None:
        """The newest announcement of ``key`` still valid at ``now``."""
        held = self._held.get(key)
        if held is None or held.timestamp < now - self.validity:
            return None
        return held

    def address(self, key: bytes, now: float) -> PeerAddress | None:
        """Where to reach ``key``: its valid announcement, else its bootstrap address."""
        held = self.announcement(key, now)
        return held.address if held is not None else self._bootstrap.get(key)

    def announcements(self, now: float) -> Iterator[Announcement]:
        """Every announcement still valid at ``now`` (to hand a new peer, for instance)."""
        return (a for a in self._held.values() if a.timestamp >= now - self.validity)

    def prune(self, now: float) -> int:
        """Forget announcements expired at ``now``; returns how many."""
        expired = [k for k, a in self._held.items() if a.timestamp < now - self.validity]
        for key in expired:
            del self._held[key]
        return len(expired)


def _body(version: int, pubkey: bytes, host: str, port: int, rpc_port: int, ts: int) -> bytes:
    return b"".join(
        (
            bytes((version,)),
            pubkey,
            ipaddress.IPv4Address(host).packed,
            port.to_bytes(2, "big"),
            rpc_port.to_bytes(2, "big"),
            ts.to_bytes(8, "big"),
        )
    )


def _check_host(host: str) -> None:
    """An IPv4 address in its one dotted-decimal form (no leading zeros, no other spellings)."""
    try:
        canonical = str(ipaddress.IPv4Address(host))
    except ValueError as e:
        raise ValueError(f"not an IPv4 address: {host!r}") from e
    if canonical != host:
        raise ValueError(f"not the dotted-decimal form of an IPv4 address: {host!r}")


def _check_port(port: int, name: str) -> None:
    if not 0 < port < 1 << 16:
        raise ValueError(f"{name} {port} is not a TCP port (1–65535)")
