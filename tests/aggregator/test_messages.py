"""Signing requests and answers on the wire: every one round-trips, and any other bytes are a
`MessageError` (never another exception)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesh.aggregator.messages import (
    ANSWER_BYTES,
    REQUEST_BYTES,
    Kind,
    MessageError,
    SignAnswer,
    SignRequest,
    Status,
)

U64 = st.integers(0, 2**64 - 1)

requests = st.one_of(
    st.builds(
        SignRequest,
        request_id=U64,
        kind=st.just(Kind.REWARDS),
        address=st.binary(min_size=20, max_size=20),
        height=U64,
    ),
    st.builds(
        SignRequest,
        request_id=U64,
        kind=st.sampled_from([Kind.EXIT, Kind.LIQUIDATION]),
        bls_pubkey=st.binary(min_size=64, max_size=64),
        timestamp=U64,
    ),
)


@st.composite
def answers(draw: st.DrawFn) -> SignAnswer:
    status = draw(st.sampled_from(Status))
    signed = status is Status.SIGNED
    return SignAnswer(
        draw(U64),
        status,
        draw(st.integers(0, 2**256 - 1)),
        draw(st.binary(min_size=128, max_size=128)) if signed else b"",
        "" if signed else draw(st.text(max_size=50)),
    )


@given(requests)
def test_requests_round_trip(request: SignRequest) -> None:
    data = request.encode()
    assert len(data) <= REQUEST_BYTES
    assert SignRequest.decode(data) == request


@settings(suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine's first draws
@given(answers())
def test_answers_round_trip(answer: SignAnswer) -> None:
    data = answer.encode()
    assert len(data) <= ANSWER_BYTES
    assert SignAnswer.decode(data) == answer


@given(st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused(data: bytes) -> None:
    for decode in (SignRequest.decode, SignAnswer.decode):
        with contextlib.suppress(MessageError):
            decode(data)


@given(requests, st.data())
def test_a_request_cut_or_extended_is_refused(request: SignRequest, data: st.DataObject) -> None:
    encoded = request.encode()
    cut = data.draw(st.integers(0, len(encoded) - 1))
    with pytest.raises(MessageError):
        SignRequest.decode(encoded[:cut])
    with pytest.raises(MessageError):
        SignRequest.decode(encoded + b"\x00")


def test_a_signature_comes_with_status_200_and_only_then() -> None:
    with pytest.raises(MessageError):
        SignAnswer(1, Status.SIGNED).encode()
    with pytest.raises(MessageError):
        SignAnswer(1, Status.NOTHING_TO_SIGN, signature=bytes(128)).encode()
    with pytest.raises(MessageError):
        SignRequest(1, Kind.REWARDS, address=bytes(19)).encode()
