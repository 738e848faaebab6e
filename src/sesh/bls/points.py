"""The point types of the scheme and their encodings: public keys in G1, signatures in G2.

Points are immutable affine coordinates in plain integers, so they compare, hash, and cross
process boundaries without depending on which backend made them. The point at infinity is
(0, 0) in G1 and all zeros in G2, as EIP-196/197 encode it.

Three encodings meet here, and each has exactly one encoder and one decoder:

* the contract's ``BLSSignatureParams`` order (sigs0..3) = (x.re, x.im, y.re, y.im);
* the precompile (EIP-197) order, imaginary part first: (x.im, x.re, y.im, y.re);
* byte strings: 64-byte G1 = X ‖ Y, 128-byte G2 = sigs0 ‖ sigs1 ‖ sigs2 ‖ sigs3, 32-byte
  big-endian words, as the reference node sends them.

Decoders check what they cheaply can (lengths, coordinates below p, the curve equation); the
subgroup check of G2 is the caller's choice because it costs a scalar multiplication
(``sesh.bls.api.check_subgroup``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NewType, Self

from sesh.bls.errors import InvalidEncoding, NotOnCurve
from sesh.bls.fields import Fp2, is_on_twist
from sesh.bls.params import G1_B, P

#: A 64-byte G1 encoding (X ‖ Y).
G1Bytes = NewType("G1Bytes", bytes)
#: A 128-byte G2 encoding in contract order (sigs0 ‖ sigs1 ‖ sigs2 ‖ sigs3).
G2Bytes = NewType("G2Bytes", bytes)


def _word(data: bytes, i: int) -> int:
    return int.from_bytes(data[32 * i : 32 * i + 32], "big")


def _coordinate(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidEncoding(f"{what} must be an integer, not {type(value).__name__}")
    if not 0 <= value < P:
        raise InvalidEncoding(f"{what} is not a field element (must be in [0, p))")
    return value


def _hex_bytes(text: str, length: int, what: str) -> bytes:
    body = text[2:] if text[:2] in ("0x", "0X") else text
    if len(body) != 2 * length:
        raise InvalidEncoding(f"{what} must be {length} bytes ({2 * length} hex digits)")
    try:
        return bytes.fromhex(body)
    except ValueError as exc:
        raise InvalidEncoding(f"{what} is not hexadecimal") from exc


@dataclass(frozen=True, slots=True)
class G1Point:
    """A point of G1 (a public key, or a sum of them) in affine coordinates.

    G1 has cofactor 1, so every point on the curve is in the group: construction checks the curve
    equation and that is the whole validation.
    """

    x: int
    y: int
    #: A backend's own representation, cached so hot loops skip the conversion. Not compared.
    _native: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        _coordinate(self.x, "G1 x")
        _coordinate(self.y, "G1 y")
        if not self.is_infinity() and (self.y * self.y - self.x * self.x * self.x - G1_B) % P:
            raise NotOnCurve("G1 point is not on the curve y² = x³ + 3")

    @classmethod
    def trusted(cls, x: int, y: int, native: Any = None) -> Self:
        """A point a backend computed from valid points: skips the checks of outside input."""
        p = object.__new__(cls)
        object.__setattr__(p, "x", x)
        object.__setattr__(p, "y", y)
        object.__setattr__(p, "_native", native)
        return p

    @classmethod
    def infinity(cls) -> G1Point:
        return cls(0, 0)

    def is_infinity(self) -> bool:
        return self.x == 0 and self.y == 0

    def __neg__(self) -> G1Point:
        """−P as the contract computes it: (0, 0) stays, else (X, p − Y)."""
        return self if self.is_infinity() else G1Point(self.x, (P - self.y) % P)

    def to_contract(self) -> tuple[int, int]:
        """(X, Y), the contract's ``BN256G1.G1Point``."""
        return (self.x, self.y)

    def to_bytes(self) -> G1Bytes:
        return G1Bytes(self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big"))

    def to_hex(self) -> str:
        return "0x" + self.to_bytes().hex()

    @classmethod
    def from_contract(cls, xy: tuple[int, int] | list[int]) -> G1Point:
        if len(xy) != 2:
            raise InvalidEncoding("a G1 point has two coordinates (X, Y)")
        return cls(xy[0], xy[1])

    @classmethod
    def from_bytes(cls, data: bytes) -> G1Point:
        if len(data) != 64:
            raise InvalidEncoding(f"a G1 point is 64 bytes (X ‖ Y), got {len(data)}")
        return cls(_word(data, 0), _word(data, 1))

    @classmethod
    def from_hex(cls, text: str) -> G1Point:
        return cls.from_bytes(_hex_bytes(text, 64, "G1 point"))


@dataclass(frozen=True, slots=True, eq=False)
class G2Point:
    """A point on the twist E'(Fp2) in affine coordinates, (x.re, x.im, y.re, y.im).

    Construction checks only the twist equation. Signatures and hashes must also lie in the
    prime-order subgroup; that check is separate because it is expensive.
    """

    x_re: int
    x_im: int
    y_re: int
    y_im: int
    _native: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("x_re", "x_im", "y_re", "y_im"):
            _coordinate(getattr(self, name), f"G2 {name}")
        if not self.is_infinity() and not is_on_twist(self.x, self.y):
            raise NotOnCurve("G2 point is not on the twist y² = x³ + 3/(9+i)")

    def __eq__(self, other: object) -> bool:
        # A Signature is a G2Point with a purpose: equal coordinates mean equal points.
        if not isinstance(other, G2Point):
            return NotImplemented
        return self.to_contract() == other.to_contract()

    def __hash__(self) -> int:
        return hash(self.to_contract())

    @property
    def x(self) -> Fp2:
        return (self.x_re, self.x_im)

    @property
    def y(self) -> Fp2:
        return (self.y_re, self.y_im)

    @classmethod
    def from_fp2(cls, x: Fp2, y: Fp2) -> G2Point:
        return cls(x[0], x[1], y[0], y[1])

    @classmethod
    def trusted(cls, x_re: int, x_im: int, y_re: int, y_im: int, native: Any = None) -> Self:
        """A point a backend computed from valid points: skips the checks of outside input."""
        p = object.__new__(cls)
        for name, value in (("x_re", x_re), ("x_im", x_im), ("y_re", y_re), ("y_im", y_im)):
            object.__setattr__(p, name, value)
        object.__setattr__(p, "_native", native)
        return p

    @classmethod
    def infinity(cls) -> G2Point:
        return cls(0, 0, 0, 0)

    def is_infinity(self) -> bool:
        return not (self.x_re or self.x_im or self.y_re or self.y_im)

    def __neg__(self) -> G2Point:
        if self.is_infinity():
            return self
        return G2Point(self.x_re, self.x_im, -self.y_re % P, -self.y_im % P)

    def to_contract(self) -> tuple[int, int, int, int]:
        """(sigs0, sigs1, sigs2, sigs3) = (x.re, x.im, y.re, y.im): ``BLSSignatureParams``."""
        return (self.x_re, self.x_im, self.y_re, self.y_im)

    def to_precompile(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """((x.im, x.re), (y.im, y.re)): the EIP-197 order, imaginary part first."""
        return ((self.x_im, self.x_re), (self.y_im, self.y_re))

    def to_bytes(self) -> G2Bytes:
        return G2Bytes(b"".join(v.to_bytes(32, "big") for v in self.to_contract()))

    def to_hex(self) -> str:
        return "0x" + self.to_bytes().hex()

    @classmethod
    def from_contract(cls, sigs: tuple[int, int, int, int] | list[int]) -> G2Point:
        if len(sigs) != 4:
            raise InvalidEncoding("a G2 point has four words (sigs0, sigs1, sigs2, sigs3)")
        return cls(sigs[0], sigs[1], sigs[2], sigs[3])

    @classmethod
    def from_precompile(cls, x: tuple[int, int], y: tuple[int, int]) -> G2Point:
        return cls(x[1], x[0], y[1], y[0])

    @classmethod
    def from_bytes(cls, data: bytes) -> G2Point:
        if len(data) != 128:
            raise InvalidEncoding(
                f"a G2 point is 128 bytes (sigs0‖sigs1‖sigs2‖sigs3), got {len(data)}"
            )
        return cls(_word(data, 0), _word(data, 1), _word(data, 2), _word(data, 3))

    @classmethod
    def from_hex(cls, text: str) -> G2Point:
        return cls.from_bytes(_hex_bytes(text, 128, "G2 point"))


class Signature(G2Point):
    """A BLS signature (or an aggregate of signatures): a G2 point with the contract's encoding."""

    __slots__ = ()
