"""The known-answer check a native backend must pass before sesh trusts it.

A wrong backend would sign garbage that the contract rejects, or worse, accept garbage. So a
candidate backend computes a small fixed workload, and each answer is compared with the pure
backend's (and the pure backend's with numbers fixed here, taken from the shared vectors).
"""

from __future__ import annotations

from sesh.bls.backends.base import Backend
from sesh.bls.params import G2_GENERATOR
from sesh.bls.points import G1Point, G2Point

_SCALARS = (1, 2, 0x4B82B685D1C2FD7C9C4FE5A457383989CE4A7165B1B5B2F942991F04B622F5E)
#: 7·G1, known from the curve's definition (both backends must give it).
_SEVEN_G1 = G1Point(
    0x17072B2ED3BB8D759A5325F477629386CB6FC6ECB801BD76983A6B86ABFFE078,
    0x168ADA6CD130DD52017BB54BFA19377AADFE3BF05D18F41B77809F7F60D4AF9E,
)


def self_test(candidate: Backend, reference: Backend) -> str | None:
    """None when ``candidate`` agrees with ``reference`` on a fixed workload, else what differs."""
    try:
        if candidate.g1_mul_generator(7) != _SEVEN_G1:
            return "7·G1 is wrong"
        g2 = G2Point.from_fp2(*G2_GENERATOR)
        for k in _SCALARS:
            if candidate.g1_mul_generator(k) != reference.g1_mul_generator(k):
                return f"public key of scalar {k:#x} differs"
            if candidate.g2_mul(g2, k) != reference.g2_mul(g2, k):
                return f"G2 multiplication by {k:#x} differs"
        pks = [reference.g1_mul_generator(k) for k in _SCALARS]
        sigs = [reference.g2_mul(g2, k) for k in _SCALARS]
        if candidate.g1_sum(pks) != reference.g1_sum(pks):
            return "G1 sums differ"
        if candidate.g2_sum(sigs) != reference.g2_sum(sigs):
            return "G2 sums differ"
        if not candidate.g2_in_subgroup(sigs[2]):
            return "a G2 point fails the subgroup check"
        # e(k·G1, G2) · e(−G1, k·G2) = 1, and not with a different k.
        g1 = candidate.g1_mul_generator(1)
        if not candidate.pairing_check([(pks[2], g2), (-g1, sigs[2])]):
            return "a true pairing equation fails"
        if candidate.pairing_check([(pks[1], g2), (-g1, sigs[2])]):
            return "a false pairing equation holds"
        from sesh.bls.hash_to_curve import clear_cofactor, map_to_twist

        for message in (b"", b"sesh self-test", bytes(range(84))):
            point, _, _ = map_to_twist(message, b"\x11" * 32)
            if candidate.g2_in_subgroup(point):
                return "a twist point outside G2 passes the subgroup check"
            if clear_cofactor(point, candidate) != clear_cofactor(point, reference):
                return "the cofactor clearing differs"
    except Exception as exc:  # a crashing backend is a failed backend, whatever it raised
        return f"{type(exc).__name__}: {exc}"
    return None
