"""Signing, aggregation and verification: what nodes and the aggregator do with BLS.

The contract checks e(G1, σ) · e(−PK, H(m)) = 1 with precompile 0x08, where for network
signatures PK is its stored aggregate of every registered key minus the keys of the listed
non-signers. Everything here answers the same question the same way, before a transaction is
ever sent.

Outside input is checked in two steps. Decoding a point checks its curve equation (cheap);
membership in the prime-order subgroup of G2 costs a scalar multiplication, so it is checked on
what is verified — a single signature, or an aggregate — and, when an aggregate fails, on the
shares under suspicion, never on every share up front.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sesh.bls.hash_to_curve as hash_to_curve
from sesh.bls.backends import Backend, get_backend
from sesh.bls.errors import NotInSubgroup
from sesh.bls.params import G1_GENERATOR
from sesh.bls.points import G1Point, G2Point, Signature

_G1 = G1Point(*G1_GENERATOR)


def hash_to_g2(message: bytes, dst: bytes, backend: Backend | None = None) -> G2Point:
    """H(message): the point of G2 the contract's ``hashToG2(message, hashToG2Tag)`` returns
    (``sesh.bls.hash_to_curve.hash_to_g2`` on the default backend unless one is given)."""
    return hash_to_curve.hash_to_g2(message, dst, backend or get_backend())


def clear_cofactor(point: G2Point, backend: Backend | None = None) -> G2Point:
    """``sesh.bls.hash_to_curve.clear_cofactor`` on the default backend unless one is given."""
    return hash_to_curve.clear_cofactor(point, backend or get_backend())


def decode_signatures(wire: Iterable[bytes], backend: Backend | None = None) -> list[Signature]:
    """Signature shares from their 128-byte wire form, each checked to be on the twist (raises
    ``InvalidEncoding`` or ``NotOnCurve`` for the first bad one). Faster than
    ``Signature.from_bytes`` one by one on the native backend, which checks the curve in C."""
    b = backend or get_backend()
    out = []
    for data in wire:
        p = b.decode_g2(bytes(data))
        out.append(Signature.trusted(p.x_re, p.x_im, p.y_re, p.y_im, p._native))
    return out


def sum_encoded_signatures(
    wire: Sequence[bytes], backend: Backend | None = None
) -> tuple[Signature, list[int]]:
    """The sum of signature shares in their 128-byte wire form, and the indices of the shares
    that are not points of the twist (left out), without a Python point per share: the fast
    path of an aggregator, which verifies the sum once and looks at single shares only if that
    fails."""
    s, bad = (backend or get_backend()).g2_sum_encoded(wire)
    return Signature.trusted(s.x_re, s.x_im, s.y_re, s.y_im, s._native), bad


def aggregate_public_keys(keys: Iterable[G1Point], backend: Backend | None = None) -> G1Point:
    """The sum of public keys (G1), e.g. the contract's ``aggregatePubkey``."""
    return (backend or get_backend()).g1_sum(list(keys))


def aggregate_signatures(
    signatures: Iterable[G2Point], backend: Backend | None = None
) -> Signature:
    """The sum of signatures (G2). Shares are not subgroup-checked here: verify the aggregate."""
    s = (backend or get_backend()).g2_sum(list(signatures))
    return Signature.trusted(s.x_re, s.x_im, s.y_re, s.y_im, s._native)


def is_in_subgroup(point: G2Point, backend: Backend | None = None) -> bool:
    """Whether a twist point is in G2 (the precompile rejects points that are not)."""
    return (backend or get_backend()).g2_in_subgroup(point)


def check_subgroup(point: G2Point, backend: Backend | None = None) -> None:
    """Raise ``NotInSubgroup`` unless the point is in G2."""
    if not is_in_subgroup(point, backend):
        raise NotInSubgroup("G2 point is on the twist but not in the prime-order subgroup")


def _pairing_holds(
    public_key: G1Point, hashed: G2Point, signature: G2Point, backend: Backend
) -> bool:
    return backend.pairing_check([(_G1, signature), (-public_key, hashed)])


def verify_hashed(
    public_key: G1Point, hashed: G2Point, signature: G2Point, backend: Backend | None = None
) -> bool:
    """``verify`` for a message already hashed to G2 (saves the hash when checking many keys)."""
    b = backend or get_backend()
    if public_key.is_infinity() or signature.is_infinity():
        return False  # the contract would accept (∞, ∞); no honest signer produces it
    if not b.g2_in_subgroup(signature):
        return False
    return _pairing_holds(public_key, hashed, signature, b)


def verify(
    public_key: G1Point,
    message: bytes,
    dst: bytes,
    signature: G2Point,
    backend: Backend | None = None,
) -> bool:
    """Whether the contract would accept ``signature`` on ``message`` by ``public_key``.

    Answers False (never raises) for a signature outside G2 or at infinity.
    """
    b = backend or get_backend()
    return verify_hashed(public_key, hash_to_g2(message, dst, b), signature, b)


def signers_key(
    aggregate_key: G1Point, non_signer_keys: Iterable[G1Point], backend: Backend | None = None
) -> G1Point:
    """The key the contract verifies against: its aggregate minus the non-signers' keys."""
    b = backend or get_backend()
    return b.g1_sum([aggregate_key, *(-k for k in non_signer_keys)])


def verify_aggregate(
    aggregate_key: G1Point,
    non_signer_keys: Iterable[G1Point],
    message: bytes,
    dst: bytes,
    signature: G2Point,
    backend: Backend | None = None,
) -> bool:
    """Whether ``updateRewardsBalance``/``exitBLSPublicKeyWithSignature``/``liquidate...`` would
    accept ``signature`` given the contract's ``aggregatePubkey`` and the non-signers' keys."""
    b = backend or get_backend()
    return verify(signers_key(aggregate_key, non_signer_keys, b), message, dst, signature, b)


def find_bad_shares(
    shares: Sequence[tuple[G1Point, G2Point]],
    message: bytes,
    dst: bytes,
    backend: Backend | None = None,
) -> list[int]:
    """The positions of the shares that spoil an aggregate, by bisection.

    Each share is (signer's public key, signature share), all on the same message. A group of
    shares is good when its sum is in G2 and passes the pairing check against the sum of its
    keys. If a group is bad, its halves are tested; a half is not tested when its sibling passed
    and the parent failed, since the sum is linear. One bad share among n costs about log2(n)
    pairing checks and n additions, instead of n checks.

    Shares whose errors cancel out within a group pass with it; they also leave the aggregate
    valid, which is all the contract checks.
    """
    b = backend or get_backend()
    if not shares:
        return []
    hashed = hash_to_g2(message, dst, b)
    bad: list[int] = []

    def group_ok(pk: G1Point, sig: G2Point, single: bool) -> bool:
        if single and (pk.is_infinity() or sig.is_infinity()):
            return False
        return b.g2_in_subgroup(sig) and _pairing_holds(pk, hashed, sig, b)

    def sums(lo: int, hi: int) -> tuple[G1Point, G2Point]:
        part = shares[lo:hi]
        return b.g1_sum([k for k, _ in part]), b.g2_sum([s for _, s in part])

    def search(lo: int, hi: int, pk: G1Point, sig: G2Point, known_bad: bool) -> None:
        if not known_bad and group_ok(pk, sig, hi - lo == 1):
            return
        if hi - lo == 1:
            bad.append(lo)
            return
        mid = (lo + hi) // 2
        left_pk, left_sig = sums(lo, mid)
        right_pk = b.g1_sum([pk, -left_pk])
        right_sig = b.g2_sum([sig, -left_sig])
        left_ok = group_ok(left_pk, left_sig, mid - lo == 1)
        if not left_ok:
            search(lo, mid, left_pk, left_sig, known_bad=True)
        # When the parent is bad and the left half good, the right half is bad for sure.
        search(mid, hi, right_pk, right_sig, known_bad=left_ok)

    total_pk, total_sig = sums(0, len(shares))
    search(0, len(shares), total_pk, total_sig, known_bad=False)
    return bad
