"""The bytes of one message on the wire: the envelope every node-to-node message travels in.

    version (1 byte) ‖ kind length n (1 byte) ‖ kind (n ASCII bytes) ‖ payload length (4 bytes,
    big-endian) ‖ payload

The transport moves envelopes and knows nothing of what their kinds mean: upper layers register
the kinds they speak (``pulse.signed_block``, ``sync.request``: dotted lowercase names, like the
reference's quorumnet commands) with the largest payload each may carry, and read the payload
themselves. Names rather than numbers, so that layers choose kinds without a shared table and a
node that meets a kind it does not speak can say which.

Decoding is strict, because every byte comes from a peer: one encoding per message (a known
version, a registered kind, a payload length that accounts for every byte, nothing after it), a
global size limit checked before anything is parsed, and the kind's own limit. Every refusal is
a ``MalformedMessage`` (a ValueError); its subclasses say why, for the transport's counters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

VERSION = 1
"""The envelope format; a decoder refuses any other."""

MAX_MESSAGE_SIZE = 1 << 20
"""The default global limit on an encoded envelope (1 MiB)."""

MAX_KIND_LENGTH = 32
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_PAYLOAD_LENGTH = 4


class MalformedMessage(ValueError):
    """Bytes from a peer that are not an envelope this node accepts."""


class MessageTooLarge(MalformedMessage):
    """Over the global limit, or over the limit registered for its kind."""


class UnknownKind(MalformedMessage):
    """A well-formed envelope of a kind nobody registered."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One decoded message: its kind and its payload, opaque here."""

    kind: str
    payload: bytes


def valid_kind(kind: str) -> bool:
    """Whether ``kind`` is a name an envelope can carry: dotted lowercase ASCII, 1–32 bytes."""
    return len(kind) <= MAX_KIND_LENGTH and _KIND.fullmatch(kind) is not None


class Codec:
    """The registry of kinds with their payload limits, and the envelope's encoding.

    One per node, shared by the layers that speak on the network: each registers its kinds
    before it sends or expects them."""

    def __init__(self, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        if max_message_size < envelope_size("a", 0):
            raise ValueError(f"a message size limit of {max_message_size} bytes fits no message")
        self._max_message_size = max_message_size
        self._limits: dict[str, int] = {}

    @property
    def max_message_size(self) -> int:
        """The largest encoded envelope, in bytes."""
        return self._max_message_size

    @property
    def kinds(self) -> Mapping[str, int]:
        """Every registered kind with the largest payload it may carry."""
        return MappingProxyType(self._limits)

    def register(self, kind: str, max_payload: int | None = None) -> None:
        """Accept ``kind``, with payloads up to ``max_payload`` bytes (default: whatever fits the
        global limit). Registering a kind again with the same limit is harmless; with another
        limit it is a ValueError, since two layers would disagree about the same messages."""
        if not valid_kind(kind):
            raise ValueError(f"not a message kind: {kind!r} (dotted lowercase, at most 32 bytes)")
        most = self._max_message_size - envelope_size(kind, 0)
        limit = most if max_payload is None else max_payload
        if not 0 <= limit <= most:
            raise ValueError(f"{kind}: a payload limit of {limit} bytes is outside 0…{most}")
        if self._limits.setdefault(kind, limit) != limit:
            raise ValueError(f"{kind} is already registered with a limit of {self._limits[kind]}")

    def encode(self, kind: str, payload: bytes) -> bytes:
        """The envelope of ``payload``. ValueError for an unregistered kind or a payload over its
        limit: this node would be sending what its peers must refuse."""
        limit = self._limits.get(kind)
        if limit is None:
            raise ValueError(f"{kind!r} is not a registered message kind")
        if len(payload) > limit:
            raise ValueError(f"{kind}: {len(payload)} bytes of payload, the limit is {limit}")
        name = kind.encode("ascii")
        return b"".join(
            (
                bytes((VERSION, len(name))),
                name,
                len(payload).to_bytes(_PAYLOAD_LENGTH, "big"),
                payload,
            )
        )

    def decode(self, data: bytes) -> Envelope:
        """The envelope in ``data``, or ``MalformedMessage`` (never anything else)."""
        if len(data) > self._max_message_size:
            raise MessageTooLarge(f"{len(data)} bytes, the limit is {self._max_message_size}")
        if len(data) < 2:
            raise MalformedMessage("truncated header")
        if data[0] != VERSION:
            raise MalformedMessage(f"unknown envelope version {data[0]}")
        end = 2 + data[1]
        if len(data) < end + _PAYLOAD_LENGTH:
            raise MalformedMessage("truncated header")
        try:
            kind = data[2:end].decode("ascii")
        except UnicodeDecodeError as e:
            raise MalformedMessage("a kind that is not ASCII") from e
        if not valid_kind(kind):
            raise MalformedMessage(f"not a message kind: {kind!r}")
        length = int.from_bytes(data[end : end + _PAYLOAD_LENGTH], "big")
        payload = data[end + _PAYLOAD_LENGTH :]
        if length != len(payload):
            what = "truncated payload" if length > len(payload) else "bytes after the payload"
            raise MalformedMessage(f"{what}: {len(payload)} bytes where {length} were announced")
        limit = self._limits.get(kind)
        if limit is None:
            raise UnknownKind(f"{kind!r} is not a registered message kind")
        if length > limit:
            raise MessageTooLarge(f"{kind}: {length} bytes of payload, the limit is {limit}")
        return Envelope(kind, bytes(payload))


def envelope_size(kind: str, payload_size: int) -> int:
    """The encoded size of an envelope of ``kind`` with ``payload_size`` bytes of payload."""
    return 2 + len(kind) + _PAYLOAD_LENGTH + payload_size
