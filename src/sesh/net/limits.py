"""Per-peer rate limits: a token bucket for each peer, given the time rather than reading it.

A peer that sends faster than its limit has the excess dropped (and counted): the node never
waits for a peer and never queues work a peer can pile up. A bucket holds up to ``burst``
tokens, refilled at ``rate`` a second; each message takes one. Time is passed in (any monotonic
seconds), so the buckets are pure values and tests need no sleeping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Peer = TypeVar("Peer", bound=Hashable)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``rate`` messages a second on average, ``burst`` at once."""

    rate: float
    burst: float

    def __post_init__(self) -> None:
        if not (self.rate > 0 and self.burst >= 1):
            raise ValueError(f"a rate limit needs rate > 0 and burst ≥ 1: {self}")


DEFAULT_RATE_LIMIT = RateLimit(rate=200.0, burst=400.0)
"""Generous for quorum traffic (a pulse round is a few dozen messages a peer); a flood is not."""


@dataclass(slots=True)
class TokenBucket:
    """One peer's bucket: ``tokens`` left as of ``updated``."""

    limit: RateLimit
    tokens: float
    updated: float

    @classmethod
    def full(cls, limit: RateLimit, now: float) -> TokenBucket:
        return cls(limit, limit.burst, now)

    def refill(self, now: float) -> None:
        """Add what ``now − updated`` earned, up to ``burst``. A clock that steps back adds
        nothing (and the bucket waits for it to catch up)."""
        if now > self.updated:
            earned = (now - self.updated) * self.limit.rate
            self.tokens = min(self.limit.burst, self.tokens + earned)
            self.updated = now

    def take(self, now: float, cost: float = 1.0) -> bool:
        """Spend ``cost`` tokens if the bucket has them; False (nothing spent) if not."""
        self.refill(now)
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


class PeerLimiter(Generic[Peer]):
    """A token bucket per peer, made on the peer's first message and forgotten once full again
    (``prune``): a full bucket is the same as none, so memory follows the active peers."""

    def __init__(self, limit: RateLimit = DEFAULT_RATE_LIMIT) -> None:
        self.limit = limit
        self._buckets: dict[Peer, TokenBucket] = {}
        self.dropped: Counter[Peer] = Counter()
        """Messages refused, by peer."""

    def allow(self, peer: Peer, now: float) -> bool:
        """Whether ``peer`` may have one more message now; a refusal is counted."""
        bucket = self._buckets.get(peer)
        if bucket is None:
            bucket = self._buckets[peer] = TokenBucket.full(self.limit, now)
        if bucket.take(now):
            return True
        self.dropped[peer] += 1
        return False

    def prune(self, now: float) -> int:
        """Forget the buckets that have refilled by ``now``; returns how many."""
        full = []
        for peer, bucket in self._buckets.items():
            bucket.refill(now)
            if bucket.tokens >= self.limit.burst:
                full.append(peer)
        for peer in full:
            del self._buckets[peer]
        return len(full)

    def __len__(self) -> int:
        return len(self._buckets)
