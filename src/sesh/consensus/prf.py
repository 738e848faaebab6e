"""The pseudo-random function quorums are drawn with: keyed BLAKE2b, with published vectors.

The reference seeds `mt19937_64` through `seed_seq` and its own uniform distribution, which is
hard to reproduce bit for bit in another language (pulse.md §9). A quorum only needs draws that
every implementation computes identically: ``draw(seed, label, i)`` is BLAKE2b-256 keyed with the
32-byte seed over ``label ‖ i`` (8 bytes, big-endian), and ``uniform(seed, label, i, n)`` turns
those bytes into an integer in [0, n) without bias by rejection: the first 8 bytes, read
big-endian, are taken if below the largest multiple of n that fits in 64 bits, else the next
8 bytes, and so on (then ``label ‖ i ‖ j`` for j = 1, 2, … if all four are rejected). The test
vectors live in ``docs/consensus-vectors.json``; `tests/consensus/test_prf.py` checks them.
"""

from __future__ import annotations

import hashlib

_LIMIT = 1 << 64


def draw(seed: bytes, label: bytes, i: int) -> bytes:
    """32 pseudo-random bytes for (`seed`, `label`, `i`)."""
    return hashlib.blake2b(label + i.to_bytes(8, "big"), key=seed, digest_size=32).digest()


def uniform(seed: bytes, label: bytes, i: int, n: int) -> int:
    """An integer in [0, n), uniform, for (`seed`, `label`, `i`)."""
    if n <= 0:
        raise ValueError("n must be positive")
    bound = _LIMIT - _LIMIT % n
    extra = 0
    while True:
        if extra == 0:
            data = draw(seed, label, i)
        else:
            data = hashlib.blake2b(
                label + i.to_bytes(8, "big") + extra.to_bytes(8, "big"), key=seed, digest_size=32
            ).digest()
        for k in range(0, 32, 8):
            value = int.from_bytes(data[k : k + 8], "big")
            if value < bound:
                return value % n
        extra += 1


def shuffle(seed: bytes, label: bytes, items: tuple[bytes, ...], count: int) -> tuple[bytes, ...]:
    """The first `count` items of a Fisher-Yates shuffle of `items` drawn with `uniform`."""
    out = list(items)
    count = min(count, len(out))
    for i in range(count):
        j = i + uniform(seed, label, i, len(out) - i)
        out[i], out[j] = out[j], out[i]
    return tuple(out[:count])
