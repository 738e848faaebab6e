"""The envelope: one encoding per message, strict decoding, and every refusal a MalformedMessage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sesh.net.codec import (
    MAX_MESSAGE_SIZE,
    Codec,
    Envelope,
    MalformedMessage,
    MessageTooLarge,
    UnknownKind,
    envelope_size,
    valid_kind,
)

KINDS = {"pulse.signed_block": 1000, "sync.request": 64, "ping": 0}


def codec() -> Codec:
    c = Codec(max_message_size=4096)
    for kind, limit in KINDS.items():
        c.register(kind, limit)
    return c


envelopes = st.sampled_from(sorted(KINDS)).flatmap(
    lambda kind: st.builds(Envelope, st.just(kind), st.binary(max_size=KINDS[kind]))
)


@given(envelopes)
def test_what_is_encoded_decodes_to_itself(envelope: Envelope) -> None:
    c = codec()
    data = c.encode(envelope.kind, envelope.payload)
    assert len(data) == envelope_size(envelope.kind, len(envelope.payload))
    assert c.decode(data) == envelope


@given(st.binary(max_size=5000))
def test_random_bytes_decode_or_raise_malformed_message_and_nothing_else(data: bytes) -> None:
    c = codec()
    try:
        envelope = c.decode(data)
    except MalformedMessage:
        return
    assert c.encode(envelope.kind, envelope.payload) == data  # one encoding per message


@given(envelopes, st.data())
def test_bytes_near_an_envelope_are_refused_as_malformed(
    envelope: Envelope, data: st.DataObject
) -> None:
    c = codec()
    good = c.encode(envelope.kind, envelope.payload)
    cut = data.draw(st.integers(0, len(good) - 1))
    with pytest.raises(MalformedMessage):
        c.decode(good[:cut])
    with pytest.raises(MalformedMessage):
        c.decode(good + data.draw(st.binary(min_size=1, max_size=8)))


def test_an_unknown_version_is_refused() -> None:
    good = codec().encode("ping", b"")
    with pytest.raises(MalformedMessage, match="version 2"):
        codec().decode(b"\x02" + good[1:])


def test_trailing_bytes_are_refused() -> None:
    with pytest.raises(MalformedMessage, match="after the payload"):
        codec().decode(codec().encode("sync.request", b"abc") + b"\x00")


def test_a_truncated_payload_is_refused() -> None:
    with pytest.raises(MalformedMessage, match="truncated payload"):
        codec().decode(codec().encode("sync.request", b"abc")[:-1])


def test_an_unregistered_kind_is_refused_as_unknown() -> None:
    other = Codec()
    other.register("gossip.rumour")
    with pytest.raises(UnknownKind):
        codec().decode(other.encode("gossip.rumour", b"x"))


def test_a_payload_over_its_kinds_limit_is_refused_as_too_large() -> None:
    generous = Codec()
    generous.register("sync.request", 65)
    with pytest.raises(MessageTooLarge, match="limit is 64"):
        codec().decode(generous.encode("sync.request", bytes(65)))


def test_an_envelope_over_the_global_limit_is_refused_before_parsing() -> None:
    with pytest.raises(MessageTooLarge, match="limit is 4096"):
        codec().decode(b"\x01" * 4097)


def test_encoding_refuses_what_peers_would_refuse() -> None:
    with pytest.raises(ValueError, match="not a registered"):
        codec().encode("gossip.rumour", b"")
    with pytest.raises(ValueError, match="the limit is 64"):
        codec().encode("sync.request", bytes(65))


def test_a_kind_registered_twice_must_keep_its_limit() -> None:
    c = codec()
    c.register("sync.request", 64)
    with pytest.raises(ValueError, match="already registered"):
        c.register("sync.request", 65)


def test_a_kind_without_a_limit_gets_what_fits_the_global_limit() -> None:
    c = Codec()
    c.register("blocks")
    assert envelope_size("blocks", c.kinds["blocks"]) == MAX_MESSAGE_SIZE
    with pytest.raises(ValueError, match="outside"):
        c.register("big", MAX_MESSAGE_SIZE)


@pytest.mark.parametrize("kind", ["", "Ping", "pulse..bit", ".ping", "ping.", "1st", "a" * 33, "é"])
def test_kinds_are_dotted_lowercase_names(kind: str) -> None:
    assert not valid_kind(kind)
    with pytest.raises(ValueError, match="not a message kind"):
        Codec().register(kind)
