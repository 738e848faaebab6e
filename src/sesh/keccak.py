"""Ethereum's keccak256, alone in a leaf module.

The pure core (``sesh.ledger``, the tracker's event values) hashes with keccak256 and must not
load anything else to get it: taking it from ``sesh.bls`` would load the BLS package with its
backends. pycryptodome's implementation, the one ``sesh.bls`` has always used.
"""

from __future__ import annotations

from Crypto.Hash import keccak

__all__ = ["keccak256"]


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak256 (not SHA3-256: the padding differs)."""
    return keccak.new(data=data, digest_bits=256).digest()
