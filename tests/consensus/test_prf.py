"""The quorum PRF: the published vectors hold, draws are in range and unbiased by construction,
and a shuffle is a permutation."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sesh.consensus.prf import draw, shuffle, uniform

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "consensus-vectors.json").read_text()
)


def test_the_published_draw_vectors_hold() -> None:
    for v in VECTORS["draw"]:
        assert draw(bytes.fromhex(v["seed"]), v["label"].encode(), v["i"]).hex() == v["out"]


def test_the_published_uniform_vectors_hold() -> None:
    for v in VECTORS["uniform"]:
        got = uniform(bytes.fromhex(v["seed"]), v["label"].encode(), v["i"], v["n"])
        assert got == v["out"]


def test_the_published_shuffle_vectors_hold() -> None:
    for v in VECTORS["shuffle"]:
        items = tuple(bytes.fromhex(x) for x in v["items"])
        got = shuffle(bytes.fromhex(v["seed"]), v["label"].encode(), items, v["count"])
        assert [x.hex() for x in got] == v["out"]


@given(st.binary(min_size=32, max_size=32), st.integers(0, 2**32), st.integers(1, 2**64))
def test_uniform_stays_in_range(seed: bytes, i: int, n: int) -> None:
    assert 0 <= uniform(seed, b"x", i, n) < n


@given(st.binary(min_size=32, max_size=32), st.integers(0, 40))
def test_a_full_shuffle_is_a_permutation(seed: bytes, size: int) -> None:
    items = tuple(i.to_bytes(2, "big") for i in range(size))
    assert sorted(shuffle(seed, b"x", items, size)) == list(items)


def test_draws_spread_over_small_ranges() -> None:
    seed = bytes(32)
    counts = [0, 0, 0]
    for i in range(3000):
        counts[uniform(seed, b"spread", i, 3)] += 1
    assert all(900 < c < 1100 for c in counts)
