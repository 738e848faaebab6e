"""The pure-Python backend: py_ecc's ``optimized_bn128``, which runs everywhere.

It is the reference the native backend checks itself against, and the fallback where no native
library installs. It is slow (tens of milliseconds to sign, about half a second per pairing
check): fine for a node signing its own messages and for tests, not for checking thousands of
shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128.optimized_curve import (
    G1,
    Z1,
    Z2,
    add,
    is_inf,
    multiply,
    normalize,
    twist,
)
from py_ecc.optimized_bn128.optimized_pairing import (
    cast_point_to_fq12,
    final_exponentiate,
    miller_loop,
)

from sesh.bls.errors import BLSError
from sesh.bls.params import R
from sesh.bls.points import G1Point, G2Point

_Point = tuple[Any, Any, Any]


def _g1_in(p: G1Point) -> _Point:
    return Z1 if p.is_infinity() else (FQ(p.x), FQ(p.y), FQ.one())


def _g1_out(p: _Point) -> G1Point:
    if is_inf(p):
        return G1Point.infinity()
    x, y = normalize(p)
    return G1Point.trusted(int(x), int(y))


def _g2_in(p: G2Point) -> _Point:
    if p.is_infinity():
        return Z2
    return (FQ2([p.x_re, p.x_im]), FQ2([p.y_re, p.y_im]), FQ2.one())


def _g2_out(p: _Point) -> G2Point:
    if is_inf(p):
        return G2Point.infinity()
    x, y = normalize(p)
    return G2Point.trusted(int(x.coeffs[0]), int(x.coeffs[1]), int(y.coeffs[0]), int(y.coeffs[1]))


class PureBackend:
    """py_ecc ``optimized_bn128`` behind the ``Backend`` interface."""

    name = "pure"

    def decode_g2(self, data: bytes) -> G2Point:
        return G2Point.from_bytes(data)

    def g2_sum_encoded(self, wire: Sequence[bytes]) -> tuple[G2Point, list[int]]:
        points, bad = [], []
        for i, data in enumerate(wire):
            try:
                points.append(self.decode_g2(data))
            except BLSError:
                bad.append(i)
        return self.g2_sum(points), bad

    def g1_mul_generator(self, scalar: int) -> G1Point:
        return _g1_out(multiply(G1, scalar % R))

    def g1_sum(self, points: Sequence[G1Point]) -> G1Point:
        acc: _Point = Z1
        for p in points:
            acc = add(acc, _g1_in(p))
        return _g1_out(acc)

    def g2_mul(self, point: G2Point, scalar: int) -> G2Point:
        return _g2_out(multiply(_g2_in(point), scalar % R))

    def twist_mul(self, point: G2Point, scalar: int) -> G2Point:
        return _g2_out(multiply(_g2_in(point), scalar))

    def g2_sum(self, points: Sequence[G2Point]) -> G2Point:
        acc: _Point = Z2
        for p in points:
            acc = add(acc, _g2_in(p))
        return _g2_out(acc)

    def g2_in_subgroup(self, point: G2Point) -> bool:
        return point.is_infinity() or bool(is_inf(multiply(_g2_in(point), R)))

    def pairing_check(self, pairs: Sequence[tuple[G1Point, G2Point]]) -> bool:
        f = FQ12.one()
        for p, q in pairs:
            if p.is_infinity() or q.is_infinity():
                continue
            f = f * miller_loop(
                twist(_g2_in(q)), cast_point_to_fq12(_g1_in(p)), final_exponentiate=False
            )
        return bool(final_exponentiate(f) == FQ12.one())
