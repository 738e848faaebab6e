"""What the transport counts: messages and bytes by kind, and every message it dropped, by why.

A transport never raises over a peer's message and never blocks on a peer, so what it does not
deliver would otherwise vanish without trace; the counters are how an operator (through the
node's status) and the tests see it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class DropReason(StrEnum):
    """Why a message was not delivered (received) or not queued (sent)."""

    MALFORMED = "malformed"
    """Not an envelope, or not the frames a message has."""
    OVERSIZED = "oversized"
    """Over the kind's payload limit (over the global limit, libzmq cuts the connection)."""
    UNKNOWN_KIND = "unknown_kind"
    """A kind this node has not registered."""
    RATE_LIMITED = "rate_limited"
    """From a peer over its rate limit."""
    UNKNOWN_PEER = "unknown_peer"
    """Received: a sender key that is not the connection's, or not allowed. Sent: a peer with no
    known address or no valid key, or a reply whose connection has gone."""
    QUEUE_FULL = "queue_full"
    """Sent: the peer's send queue is full (a slow or unreachable peer)."""


@dataclass
class TransportStats:
    """Counters since the transport started."""

    messages_in: Counter[str] = field(default_factory=Counter)
    bytes_in: Counter[str] = field(default_factory=Counter)
    messages_out: Counter[str] = field(default_factory=Counter)
    bytes_out: Counter[str] = field(default_factory=Counter)
    dropped: Counter[DropReason] = field(default_factory=Counter)
    refused_connections: int = 0
    """Connections whose CURVE key the ZAP handler refused."""

    def received(self, kind: str, size: int) -> None:
        self.messages_in[kind] += 1
        self.bytes_in[kind] += size

    def sent(self, kind: str, size: int) -> None:
        self.messages_out[kind] += 1
        self.bytes_out[kind] += size

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values, for a status report."""
        return {
            "messages_in": dict(self.messages_in),
            "bytes_in": dict(self.bytes_in),
            "messages_out": dict(self.messages_out),
            "bytes_out": dict(self.bytes_out),
            "dropped": {str(reason): n for reason, n in self.dropped.items()},
            "refused_connections": self.refused_connections,
        }
