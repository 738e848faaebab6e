"""The typed errors of ``sesh.bls``: every bad input from outside ends in one of these.

Callers that take points, keys or signatures from peers catch ``BLSError`` and answer the peer;
nothing in this package lets a malformed input through as a crash or as a wrong result.
"""


class BLSError(ValueError):
    """Base of every error ``sesh.bls`` raises on bad input."""


class InvalidEncoding(BLSError):
    """Bytes or hex of the wrong length or form, or a coordinate not below the field modulus."""


class NotOnCurve(BLSError):
    """A G1 point off y² = x³ + 3, or a G2 point off the twist."""


class NotInSubgroup(BLSError):
    """A G2 point on the twist but outside the prime-order subgroup G2."""


class InvalidSecretKey(BLSError):
    """A secret key that is zero modulo r, or not a number."""


class HashToCurveFailed(BLSError):
    """The try-and-increment counter ran out (chance 2^-256; the contract would revert too)."""
