"""What a BN254 backend must do: the few group operations whose speed matters.

Everything contract-specific (tags, messages, the hash's search, encodings, checks of outside
input) lives above this line, once, so two backends can differ only in speed. Each method takes
and returns ``sesh.bls.points`` values; a backend may cache its own form of a point in the
point's ``_native`` slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sesh.bls.points import G1Point, G2Point


class Backend(Protocol):
    """Group arithmetic on G1, the twist, and the pairing."""

    #: A short name for logs, benchmarks and test ids: "pure" or "mcl".
    name: str

    def decode_g2(self, data: bytes) -> G2Point:
        """A 128-byte contract-order G2 encoding from outside, checked for length, coordinates
        below p and the twist equation (``InvalidEncoding`` / ``NotOnCurve``), not for the
        subgroup. The native backend checks the curve in C, which matters for 2,000 shares."""
        ...

    def g1_mul_generator(self, scalar: int) -> G1Point:
        """[scalar]·G1 generator (a public key from a secret key)."""
        ...

    def g1_sum(self, points: Sequence[G1Point]) -> G1Point:
        """The sum of G1 points (infinity for none)."""
        ...

    def g2_mul(self, point: G2Point, scalar: int) -> G2Point:
        """[scalar mod r]·point for a point of G2 (signing); may use shortcuts valid only in G2."""
        ...

    def twist_mul(self, point: G2Point, scalar: int) -> G2Point:
        """[scalar]·point for any point on the twist, in G2 or not (the cofactor clearing, whose
        scalars z and 3z fit in 64 bits; a backend may refuse larger ones)."""
        ...

    def g2_sum(self, points: Sequence[G2Point]) -> G2Point:
        """The sum of twist points (infinity for none)."""
        ...

    def g2_sum_encoded(self, wire: Sequence[bytes]) -> tuple[G2Point, list[int]]:
        """The sum of 128-byte encodings from outside, each checked as ``decode_g2`` checks
        it, and the indices of those that fail (left out of the sum): an aggregator's hot loop,
        2,000 shares without a Python point each."""
        ...

    def g2_in_subgroup(self, point: G2Point) -> bool:
        """Whether a twist point lies in the prime-order subgroup G2."""
        ...

    def pairing_check(self, pairs: Sequence[tuple[G1Point, G2Point]]) -> bool:
        """Whether ∏ e(Pᵢ, Qᵢ) = 1, as precompile 0x08 decides it (points already validated)."""
        ...
