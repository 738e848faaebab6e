"""Invariants of aggregation, verification and the search for bad shares (hypothesis).

These run on the fastest backend that loads; the pure backend gets a few examples of its own so
the same properties hold on every backend.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesh.bls import (
    Backend,
    BLSError,
    G1Point,
    G2Point,
    SecretKey,
    aggregate_public_keys,
    aggregate_signatures,
    find_bad_shares,
    load_backend,
    map_to_twist,
    verify,
    verify_aggregate,
)
from sesh.bls.backends import BackendUnavailable
from sesh.bls.params import P, R

DST = b"\x5a" * 32
scalars = st.integers(min_value=1, max_value=R - 1)


def _fast() -> Backend:
    try:
        return load_backend("mcl")
    except BackendUnavailable:
        return load_backend("pure")


FAST = _fast()
PROPERTY = settings(
    max_examples=25 if FAST.name == "mcl" else 3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(
    keys=st.lists(scalars, min_size=1, max_size=12, unique=True),
    data=st.data(),
    message=st.binary(max_size=200),
)
def test_aggregates_of_random_subsets_verify(
    keys: list[int], data: st.DataObject, message: bytes
) -> None:
    sks = [SecretKey.from_int(k) for k in keys]
    pks = [sk.public_key(FAST) for sk in sks]
    signers = data.draw(st.sets(st.integers(0, len(sks) - 1), min_size=1))
    shares = [sks[i].sign(message, DST, FAST) for i in sorted(signers)]
    aggregate = aggregate_signatures(shares, FAST)
    non_signers = [pks[i] for i in range(len(sks)) if i not in signers]
    network_key = aggregate_public_keys(pks, FAST)
    assert verify_aggregate(network_key, non_signers, message, DST, aggregate, FAST)
    assert verify(
        aggregate_public_keys([pks[i] for i in signers], FAST), message, DST, aggregate, FAST
    )
    if non_signers:  # leaving a non-signer out of the list breaks the check
        assert not verify_aggregate(network_key, non_signers[1:], message, DST, aggregate, FAST)


@PROPERTY
@given(
    keys=st.lists(scalars, min_size=1, max_size=40, unique=True),
    data=st.data(),
    message=st.binary(max_size=100),
)
def test_one_wrong_share_is_found(keys: list[int], data: st.DataObject, message: bytes) -> None:
    sks = [SecretKey.from_int(k) for k in keys]
    shares = [(sk.public_key(FAST), sk.sign(message, DST, FAST)) for sk in sks]
    culprit = data.draw(st.integers(0, len(shares) - 1))
    kind = data.draw(st.sampled_from(["other message", "other key", "off subgroup", "infinity"]))
    pk, _ = shares[culprit]
    if kind == "other message":
        bad = sks[culprit].sign(message + b"!", DST, FAST)
    elif kind == "other key":
        other = keys[culprit] + 1 if keys[culprit] < R - 1 else 1
        bad = SecretKey.from_int(other).sign(message, DST, FAST)
    elif kind == "off subgroup":
        bad, _, _ = map_to_twist(message, DST)
    else:
        bad = G2Point.infinity()
    shares[culprit] = (pk, bad)
    assert find_bad_shares(shares, message, DST, FAST) == [culprit]


@PROPERTY
@given(message=st.binary(max_size=64), culprits=st.sets(st.integers(0, 29), min_size=0, max_size=5))
def test_every_wrong_share_is_found(message: bytes, culprits: set[int]) -> None:
    sks = [SecretKey.from_int(1000 + i) for i in range(30)]
    shares = [(sk.public_key(FAST), sk.sign(message, DST, FAST)) for sk in sks]
    for i in culprits:
        shares[i] = (shares[i][0], sks[i].sign(message + bytes([i]), DST, FAST))
    assert find_bad_shares(shares, message, DST, FAST) == sorted(culprits)


@PROPERTY
@given(data=st.binary(min_size=128, max_size=128))
def test_random_g2_bytes_are_refused_or_checked(data: bytes) -> None:
    try:
        point = G2Point.from_bytes(data)
    except BLSError:
        return
    # Random bytes that happen to decode are on the twist; verification still stays honest.
    assert not verify(SecretKey.from_int(5).public_key(FAST), b"m", DST, point, FAST)


@PROPERTY
@given(data=st.binary(min_size=64, max_size=64))
def test_random_g1_bytes_are_refused_unless_on_the_curve(data: bytes) -> None:
    try:
        point = G1Point.from_bytes(data)
    except BLSError:
        return
    assert point.is_infinity() or (point.y**2 - point.x**3 - 3) % P == 0


@PROPERTY
@given(message=st.binary(max_size=64), scalar=scalars)
def test_off_subgroup_signatures_never_verify(message: bytes, scalar: int) -> None:
    off, _, _ = map_to_twist(message, DST)
    assert not verify(SecretKey.from_int(scalar).public_key(FAST), message, DST, off, FAST)


def test_the_properties_hold_on_the_pure_backend_too() -> None:
    pure = load_backend("pure")
    sks = [SecretKey.from_int(k) for k in (3, 5, 7)]
    message = b"pure"
    shares = [(sk.public_key(pure), sk.sign(message, DST, pure)) for sk in sks]
    shares[1] = (shares[1][0], sks[1].sign(b"other", DST, pure))
    assert find_bad_shares(shares, message, DST, pure) == [1]
    good = [shares[0][1], shares[2][1]]
    agg = aggregate_signatures(good, pure)
    network = aggregate_public_keys([s[0] for s in shares], pure)
    assert verify_aggregate(network, [shares[1][0]], message, DST, agg, pure)
