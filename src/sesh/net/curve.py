"""The X25519 keys CurveZMQ needs, derived from the Ed25519 keys nodes are known by.

A node is known on the network by its Ed25519 public key: the contracts and the ledger list it,
and announcements are signed with it. CurveZMQ encrypts and authenticates with X25519 keys, so,
as the reference's quorumnet does (libsodium's conversion), each node's CURVE keypair is the
birational image of its Ed25519 keypair. Anyone who knows a node's Ed25519 key can then connect
to it with the right server key, and no second key has to be published or trusted.

The map from Ed25519 to X25519 forgets one bit: the sign of the Edwards x coordinate. Each X25519
key therefore has two Ed25519 preimages (``ed25519_candidates``), and both belong to whoever holds
the X25519 secret (the one scalar signs for either point). The transport uses the candidates to
decide whether to admit a connection, and the sender's full Ed25519 key (sent with each message
and checked against the CURVE-authenticated key) to attribute what arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from nacl import bindings
from nacl.signing import SigningKey

KEY_SIZE = 32
"""Ed25519 and X25519 public keys are 32 bytes; so is an X25519 secret key."""

_P = 2**255 - 19


@dataclass(frozen=True, slots=True)
class CurveKeypair:
    """A node's X25519 keypair, raw 32-byte keys (libzmq takes them raw as well as in Z85)."""

    public: bytes
    secret: bytes = field(repr=False)  # never printed


def curve_keypair(signing_key: SigningKey) -> CurveKeypair:
    """This node's CURVE keypair, from its Ed25519 signing key."""
    ed_public = bytes(signing_key.verify_key)
    secret = bindings.crypto_sign_ed25519_sk_to_curve25519(bytes(signing_key) + ed_public)
    return CurveKeypair(curve_public_key(ed_public), secret)


@lru_cache(maxsize=4096)
def curve_public_key(ed25519_public_key: bytes) -> bytes:
    """A peer's X25519 public key from its 32-byte Ed25519 public key.

    Raises ValueError for bytes that are not an Ed25519 point. Cached: the transport checks the
    sender key of every message against its connection's key, and peers are few."""
    if len(ed25519_public_key) != KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(ed25519_public_key)}")
    try:
        return bytes(bindings.crypto_sign_ed25519_pk_to_curve25519(ed25519_public_key))
    except Exception as e:  # PyNaCl raises its RuntimeError for a point off the curve
        raise ValueError(f"not an Ed25519 public key: {ed25519_public_key.hex()}") from e


def ed25519_candidates(x25519_public_key: bytes) -> tuple[bytes, ...]:
    """The Ed25519 encodings whose X25519 image is this key: the Edwards y = (u − 1)/(u + 1) with
    either sign bit. Empty for a key no Ed25519 key maps to (wrong length, u ≥ p, u = −1).

    A candidate need not be a valid point (for a key not made from an Ed25519 one); callers look
    candidates up among keys they know, so an invalid one is simply never found."""
    if len(x25519_public_key) != KEY_SIZE:
        return ()
    u = int.from_bytes(x25519_public_key, "little")
    if u >= _P or u == _P - 1:
        return ()
    y = (u - 1) * pow(u + 1, _P - 2, _P) % _P
    positive = y.to_bytes(KEY_SIZE, "little")
    negative = (y | 1 << 255).to_bytes(KEY_SIZE, "little")
    return (positive, negative)
