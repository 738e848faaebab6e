"""Secret keys: a scalar mod r, read from the node's ``key_bls`` file format.

The reference node makes 32 random bytes with the top bit cleared and reads them as a big-endian
number, so a key may exceed r: it is reduced mod r here, once, the way every library must see
it. Zero is refused: it would sign everything with the point at infinity.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sesh.bls.backends import Backend, get_backend
from sesh.bls.errors import InvalidSecretKey
from sesh.bls.hash_to_curve import hash_to_g2
from sesh.bls.params import R
from sesh.bls.points import G1Point, Signature


@dataclass(frozen=True, slots=True)
class SecretKey:
    """A BLS secret key (the scalar is never shown by ``repr``)."""

    scalar: int = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.scalar, int) or isinstance(self.scalar, bool):
            raise InvalidSecretKey("a secret key is an integer")
        if not 0 < self.scalar < R:
            raise InvalidSecretKey("a secret key must be in [1, r)")

    @classmethod
    def from_int(cls, n: int) -> SecretKey:
        """Any integer, reduced mod r (the node's 255-bit random keys can exceed r)."""
        if not isinstance(n, int) or isinstance(n, bool):
            raise InvalidSecretKey("a secret key is an integer")
        if n % R == 0:
            raise InvalidSecretKey("a secret key must not be zero modulo r")
        return cls(n % R)

    @classmethod
    def from_hex(cls, text: str) -> SecretKey:
        """Hex with or without 0x, up to 32 bytes (the ``key_bls`` file holds 64 digits)."""
        body = text.strip()
        body = body[2:] if body[:2] in ("0x", "0X") else body
        if not body or len(body) > 64:
            raise InvalidSecretKey("a secret key is 1 to 64 hex digits")
        try:
            return cls.from_int(int(body, 16))
        except ValueError as exc:
            raise InvalidSecretKey("a secret key must be hexadecimal") from exc

    @classmethod
    def from_bytes(cls, data: bytes) -> SecretKey:
        if len(data) != 32:
            raise InvalidSecretKey("a raw secret key is 32 bytes")
        return cls.from_int(int.from_bytes(data, "big"))

    @classmethod
    def generate(cls) -> SecretKey:
        """A fresh key the reference node's way: 32 random bytes, top bit cleared."""
        while True:
            raw = bytearray(secrets.token_bytes(32))
            raw[0] &= 0x7F
            n = int.from_bytes(raw, "big")
            if n % R:
                return cls.from_int(n)

    def to_hex(self) -> str:
        """The ``key_bls`` file form: 0x and 64 hex digits."""
        return "0x" + self.scalar.to_bytes(32, "big").hex()

    def public_key(self, backend: Backend | None = None) -> G1Point:
        return (backend or get_backend()).g1_mul_generator(self.scalar)

    def sign(self, message: bytes, dst: bytes, backend: Backend | None = None) -> Signature:
        """sk·H(message) with the contract's hash to G2 under ``dst`` (the ``hashToG2Tag``)."""
        b = backend or get_backend()
        point = b.g2_mul(hash_to_g2(message, dst, b), self.scalar)
        return Signature(point.x_re, point.x_im, point.y_re, point.y_im, point._native)
