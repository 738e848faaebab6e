"""Per-peer token buckets: time is given, never read, so these tests need no sleeping."""

from __future__ import annotations

import pytest

from sesh.net.limits import PeerLimiter, RateLimit, TokenBucket

LIMIT = RateLimit(rate=2.0, burst=3.0)


def test_a_full_bucket_allows_a_burst_then_refuses() -> None:
    bucket = TokenBucket.full(LIMIT, now=100.0)
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]


def test_tokens_come_back_at_the_rate_and_never_above_the_burst() -> None:
    bucket = TokenBucket.full(LIMIT, now=0.0)
    for _ in range(3):
        bucket.take(0.0)
    assert bucket.take(0.5) and not bucket.take(0.5)  # 0.5 s at 2/s: one token
    bucket.refill(1000.0)
    assert bucket.tokens == 3.0


def test_a_clock_that_steps_back_adds_nothing() -> None:
    bucket = TokenBucket.full(LIMIT, now=10.0)
    for _ in range(3):
        bucket.take(10.0)
    assert not bucket.take(5.0)
    assert bucket.tokens == 0.0 and bucket.updated == 10.0


def test_each_peer_has_its_own_bucket_and_refusals_are_counted_by_peer() -> None:
    limiter: PeerLimiter[bytes] = PeerLimiter(LIMIT)
    a = [limiter.allow(b"a", 0.0) for _ in range(5)]
    assert a == [True, True, True, False, False]
    assert limiter.allow(b"b", 0.0)
    assert limiter.dropped == {b"a": 2}


def test_prune_forgets_only_the_buckets_that_have_refilled() -> None:
    limiter: PeerLimiter[bytes] = PeerLimiter(LIMIT)
    limiter.allow(b"a", 0.0)
    for _ in range(3):
        limiter.allow(b"b", 1.0)
    assert limiter.prune(1.0) == 1  # a has earned its token back; b is empty
    assert len(limiter) == 1
    assert limiter.prune(10.0) == 1 and len(limiter) == 0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1.0), (-1.0, 5.0), (1.0, 0.5)])
def test_a_limit_that_allows_nothing_is_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError):
        RateLimit(rate, burst)
