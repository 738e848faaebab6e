"""Milliseconds per BLS operation for each backend, beside the native-mcl floor.

Run: .venv/bin/python bench/bls.py [--rounds N] [--backends pure,mcl]

The floor column is herumi mcl 3.06 called from C on this class of machine (2 cores, Zen 4),
from reference/bls.md §4; rows marked * are derived from its parts (sum of the C timings of the
operations the row performs). Each figure is the median over rounds; 2,000-share rows build
their shares once, outside the timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

from sesh.bls import (
    Backend,
    G2Point,
    SecretKey,
    aggregate_public_keys,
    aggregate_signatures,
    decode_signatures,
    find_bad_shares,
    hash_to_g2,
    load_backend,
    signers_key,
    verify_aggregate,
)
from sesh.bls.backends import BackendUnavailable
from sesh.bls.params import G1_GENERATOR
from sesh.bls.points import G1Point

N = 2_000
DST = bytes(range(32))
MESSAGE = b"\x93" * 32 + b"\x11" * 20 + (10**15).to_bytes(32, "big")  # an 84-byte reward message

# (row, native floor in ms, whether the floor is derived, fast-backend target in ms or None)
ROWS: list[tuple[str, float, bool, float | None]] = [
    ("keygen (random sk, sk·G1)", 0.039, False, None),
    ("hash-to-G2, 84-byte message", 0.066, False, None),
    ("sign (hash + sk·H)", 0.16, False, 0.5),
    (f"aggregate {N:,} public keys", 0.67, False, None),
    (f"aggregate {N:,} signatures", 1.66, False, None),
    ("one pairing check (2 pairs)", 0.56, False, 1.0),
    (f"aggregate-and-verify {N:,} shares", 2.29, True, 15.0),
    (f"  same, decoding {N:,} shares from 128-byte wire form first", 2.29, True, None),
    (f"find one bad share among {N:,}", 9.5, True, 100.0),
]


def median_ms(fn: Callable[[], object], rounds: int, inner: int = 1) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) * 1000 / inner)
    return statistics.median(samples)


def measure(backend: Backend, rounds: int) -> list[float]:
    heavy = 1 if backend.name == "pure" else rounds
    sks = [SecretKey.from_int(int.from_bytes(os.urandom(32), "big")) for _ in range(N)]
    pks = [sk.public_key(backend) for sk in sks]
    shares = [sk.sign(MESSAGE, DST, backend) for sk in sks]
    wire = [s.to_bytes() for s in shares]
    network_key = aggregate_public_keys(pks, backend)
    non_signer_free = signers_key(network_key, [], backend)
    g1 = G1Point(*G1_GENERATOR)
    h = hash_to_g2(MESSAGE, DST, backend)
    sig = shares[0]

    def fresh_shares() -> list[G2Point]:
        # New objects each round, so the backend's per-point cache does not flatter the result.
        return [G2Point.trusted(*s.to_contract()) for s in shares]

    def aggregate_and_verify() -> bool:
        agg = aggregate_signatures(fresh_shares(), backend)
        return verify_aggregate(non_signer_free, [], MESSAGE, DST, agg, backend)

    def decode_aggregate_and_verify() -> bool:
        agg = aggregate_signatures(decode_signatures(wire, backend), backend)
        return verify_aggregate(non_signer_free, [], MESSAGE, DST, agg, backend)

    bad = list(zip(pks, shares, strict=True))
    bad[1234] = (bad[1234][0], sks[1234].sign(b"another message", DST, backend))

    def find_one() -> list[int]:
        return find_bad_shares(
            [(G1Point.trusted(pk.x, pk.y), G2Point.trusted(*s.to_contract())) for pk, s in bad],
            MESSAGE,
            DST,
            backend,
        )

    assert aggregate_and_verify(), "the benchmark's own aggregate must verify"
    assert find_one() == [1234], "the benchmark's bad share must be found"
    light = 5 if backend.name == "pure" else 200
    return [
        median_ms(lambda: SecretKey.generate().public_key(backend), rounds, light),
        median_ms(lambda: hash_to_g2(MESSAGE, DST, backend), rounds, light),
        median_ms(lambda: sks[7].sign(MESSAGE, DST, backend), rounds, light),
        median_ms(
            lambda: aggregate_public_keys([G1Point.trusted(p.x, p.y) for p in pks], backend), heavy
        ),
        median_ms(lambda: aggregate_signatures(fresh_shares(), backend), heavy),
        median_ms(
            lambda: backend.pairing_check([(g1, sig), (-pks[0], h)]),
            rounds,
            1 if backend.name == "pure" else 50,
        ),
        median_ms(aggregate_and_verify, heavy),
        median_ms(decode_aggregate_and_verify, heavy),
        median_ms(find_one, heavy),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backends", default="pure,mcl")
    args = parser.parse_args()
    names = [n.strip() for n in args.backends.split(",") if n.strip()]
    results: dict[str, list[float]] = {}
    for name in names:
        try:
            backend = load_backend(name)
        except BackendUnavailable as exc:
            print(f"# {name}: unavailable ({exc})", file=sys.stderr)
            continue
        print(f"# measuring {name} ...", file=sys.stderr)
        results[name] = measure(backend, args.rounds)
    header = (
        "| operation | "
        + " | ".join(f"{n} (ms)" for n in results)
        + " | native mcl floor (ms) | target, fast backend (ms) |"
    )
    print(header)
    print("|" + "---|" * (len(results) + 3))
    for i, (row, floor, derived, target) in enumerate(ROWS):
        cells = " | ".join(f"{results[n][i]:,.3f}" for n in results)
        floor_cell = f"{floor:g}{'*' if derived else ''}"
        target_cell = f"≤ {target:g}" if target is not None else "—"
        print(f"| {row} | {cells} | {floor_cell} | {target_cell} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
