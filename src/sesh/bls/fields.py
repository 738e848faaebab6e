"""Fp and Fp2 arithmetic on plain integers, for the parts of the scheme that no library does the
contract's way: the herumi square root that picks the hash's y, the twist equation, and ψ.

An Fp2 element is a (real, imaginary) tuple of ints in [0, p). ``gmpy2``, when installed, only
speeds up the modular exponentiations; results are identical with or without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from sesh.bls.params import G2_B, PSI_X, PSI_Y, P

Fp2 = tuple[int, int]

_powmod: Callable[[int, int, int], int]
try:  # pragma: no cover - depends on the optional extra
    import gmpy2

    def _powmod(base: int, exp: int, mod: int) -> int:
        return int(gmpy2.powmod(base, exp, mod))

except ImportError:  # pragma: no cover - depends on the optional extra
    _powmod = pow

#: Fp square roots: p ≡ 3 (mod 4), so a root of v is v^((p+1)/4) whenever one exists.
_SQRT_EXP: Final = (P + 1) // 4
_HALF: Final = (P + 1) // 2  # 1/2 mod p


def fp_inv(a: int) -> int:
    """1/a in Fp (a ≠ 0)."""
    return _powmod(a, P - 2, P)


def fp_sqrt(v: int) -> int | None:
    """The contract's Fp square root, v^((p+1)/4), or None when v is not a square."""
    s = _powmod(v, _SQRT_EXP, P)
    return s if s * s % P == v % P else None


def fp2_add(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def fp2_mul(a: Fp2, b: Fp2) -> Fp2:
    a0, a1 = a
    b0, b1 = b
    return ((a0 * b0 - a1 * b1) % P, (a0 * b1 + a1 * b0) % P)


def fp2_sqr(a: Fp2) -> Fp2:
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % P, 2 * a0 * a1 % P)


def fp2_neg(a: Fp2) -> Fp2:
    return (-a[0] % P, -a[1] % P)


def fp2_conj(a: Fp2) -> Fp2:
    return (a[0], -a[1] % P)


def twist_rhs(x: Fp2) -> Fp2:
    """x³ + b', the right-hand side of the twist equation."""
    return fp2_add(fp2_mul(fp2_sqr(x), x), G2_B)


def is_on_twist(x: Fp2, y: Fp2) -> bool:
    """Whether (x, y) satisfies y² = x³ + b' (membership in the subgroup is a separate check)."""
    return fp2_sqr(y) == twist_rhs(x)


def fp2_sqrt_herumi(v: Fp2) -> Fp2 | None:
    """The square root of v exactly as the contract (a port of mcl's ``Fp2::squareRoot``) picks it.

    Returns None where the contract finds no usable root. A root with a zero component counts as
    none: the contract rejects it and moves to the next counter, so the hash must too.
    """
    c, d = v
    if d == 0:
        # The contract returns (sqrt(c), 0) or (0, sqrt(-c)): a zero component either way.
        return None
    t = fp_sqrt((c * c + d * d) % P)
    if t is None:
        return None
    a = fp_sqrt((c + t) * _HALF % P)
    if a is None:
        a = fp_sqrt((c - t) * _HALF % P)
        if a is None:
            return None
    if a == 0:
        return None
    b = d * fp_inv(2 * a % P) % P
    if b == 0:
        return None
    return (a, b)


def psi(x: Fp2, y: Fp2) -> tuple[Fp2, Fp2]:
    """ψ(x, y) = (conj(x)·ξ^((p-1)/3), conj(y)·ξ^((p-1)/2)), the endomorphism of the cofactor
    clearing, on affine coordinates."""
    return (fp2_mul(fp2_conj(x), PSI_X), fp2_mul(fp2_conj(y), PSI_Y))
