"""The contract's hash to G2, step for step (reference/contracts.md §1, reference/bls.md §1).

No library implements this hash: it is RFC 9380's expand_message_xmd but with keccak256, then a
try-and-increment search that appends a counter byte to the message, the herumi square root,
a sign bit from byte 127, and the Fuentes-Castañeda-Knapp-Rodríguez-Henríquez cofactor clearing
(not multiplication by the cofactor). Every one of those details changes the point, so the whole
hash is written here once, in plain integers, for every backend; the backend only does the two
scalar multiplications and the sum of the cofactor clearing.
"""

from __future__ import annotations

from typing import Final

from sesh.bls.backends.base import Backend
from sesh.bls.errors import HashToCurveFailed, InvalidEncoding
from sesh.bls.fields import fp2_neg, fp2_sqrt_herumi, psi, twist_rhs
from sesh.bls.params import BN_Z, P
from sesh.bls.points import G2Point
from sesh.bls.tags import keccak256

_KECCAK_BLOCK: Final = 136  # keccak256's rate in bytes (r_in_bytes of RFC 9380)
_KECCAK_OUT: Final = 32  # b_in_bytes
_EXPAND_LEN: Final = 128  # four 32-byte blocks: two 48-byte field elements and the sign byte
_Z_PAD: Final = bytes(_KECCAK_BLOCK)
_LEN_AND_ZERO: Final = _EXPAND_LEN.to_bytes(2, "big") + b"\x00"


def _dst_prime(dst: bytes) -> bytes:
    if len(dst) > 255:
        raise InvalidEncoding("a hash-to-curve DST is at most 255 bytes")
    return dst + bytes([len(dst)])


def expand_message_xmd(message: bytes, dst: bytes, length: int = _EXPAND_LEN) -> bytes:
    """RFC 9380 §5.3.1 expand_message_xmd with H = keccak256."""
    ell = -(-length // _KECCAK_OUT)
    if ell > 255 or length > 65535:
        raise InvalidEncoding("expand_message_xmd output too long")
    d = _dst_prime(dst)
    b0 = keccak256(_Z_PAD + message + length.to_bytes(2, "big") + b"\x00" + d)
    b = keccak256(b0 + b"\x01" + d)
    out = [b]
    for i in range(2, ell + 1):
        b = keccak256(bytes(x ^ y for x, y in zip(b0, b, strict=True)) + bytes([i]) + d)
        out.append(b)
    return b"".join(out)[:length]


def hash_to_field(message: bytes, dst: bytes) -> tuple[int, int, bool]:
    """(u0, u1, negate): two 48-byte big-endian integers reduced mod p, and bit 0 of byte 127."""
    e = expand_message_xmd(message, dst)
    return int.from_bytes(e[0:48], "big") % P, int.from_bytes(e[48:96], "big") % P, bool(e[127] & 1)


def map_to_twist(message: bytes, dst: bytes) -> tuple[G2Point, int, bool]:
    """The try-and-increment search: (the point on the twist before cofactor clearing, the
    counter byte that succeeded, whether y was negated).

    For c = 0, 1, ... the message with byte c appended is expanded; x = u0 + u1·i is accepted
    when x³ + b' has a herumi square root with both components non-zero.
    """
    if not isinstance(message, bytes | bytearray) or not isinstance(dst, bytes | bytearray):
        raise InvalidEncoding("message and DST must be bytes")
    message, dst = bytes(message), bytes(dst)
    for counter in range(256):
        u0, u1, negate = hash_to_field(message + bytes([counter]), dst)
        y = fp2_sqrt_herumi(twist_rhs((u0, u1)))
        if y is None:
            continue
        if negate:
            y = fp2_neg(y)
        return G2Point.from_fp2((u0, u1), y), counter, negate
    raise HashToCurveFailed("no counter byte maps this message to the twist")  # pragma: no cover


def _psi(point: G2Point) -> G2Point:
    if point.is_infinity():
        return point
    x, y = psi(point.x, point.y)
    return G2Point.trusted(x[0], x[1], y[0], y[1])


def clear_cofactor(point: G2Point, backend: Backend) -> G2Point:
    """[z]P + ψ([3z]P) + ψ²([z]P) + ψ³(P): the contract's map from the twist into G2
    (Fuentes-Castañeda, Knapp, Rodríguez-Henríquez), not [cofactor]P, which gives another point.

    The backend is an argument, not a default chosen here: choosing one self-tests it with
    this very function (``sesh.bls.api`` has the defaulting forms)."""
    b = backend
    zp = b.twist_mul(point, BN_Z)
    z3p = b.twist_mul(zp, 3)
    return b.g2_sum([zp, _psi(z3p), _psi(_psi(zp)), _psi(_psi(_psi(point)))])


def hash_to_g2(message: bytes, dst: bytes, backend: Backend) -> G2Point:
    """H(message): the point of G2 the contract's ``hashToG2(message, hashToG2Tag)`` returns."""
    point, _, _ = map_to_twist(message, dst)
    return clear_cofactor(point, backend)
