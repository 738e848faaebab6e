"""The consensus messages' bytes: every message a running network sends comes back from its
bytes unchanged, and anything else a peer could send (random bytes, a cut or extended payload,
another version, an oversized payload, a field of the wrong width) is a WireError, never any
other exception."""

from __future__ import annotations

import contextlib
import functools
import typing
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sesh.l2.events as l2
from sesh.consensus import messages as m
from sesh.consensus import wire
from sesh.consensus.engine import SYNC_BATCH, Action
from sesh.consensus.sim import Simulation
from sesh.consensus.wire import KINDS, MAX_PAYLOAD, WireError, check_size, decode, encode
from sesh.l2.events import Contributor, L2Origin
from sesh.ledger import Block, ValidatorSignature
from sesh.net.codec import MAX_MESSAGE_SIZE, Codec

MESSAGE_TYPES: tuple[type, ...] = typing.get_args(m.Message)


@functools.cache
def recorded() -> dict[type, list[m.Message]]:
    """Every message six simulated nodes send in 30 seconds, one of them stopped for 12 of them
    (so that it asks for blocks and is sent some), and each node's status at the end."""
    sim = Simulation(6, seed=1)
    seen: dict[type, list[m.Message]] = {}

    def record(actions: list[Action]) -> list[Action]:
        for action in actions:
            seen.setdefault(type(action.message), []).append(action.message)
        return actions

    for i in range(6):
        sim.tamper[i] = record
    sim.run(10)
    sim.stop(5)
    sim.run(12)
    sim.start(5)
    sim.run(8)
    return seen


def recorded_of(cls: type) -> st.SearchStrategy[typing.Any]:
    return st.deferred(lambda: st.sampled_from(recorded()[cls]))


def payloads() -> st.SearchStrategy[tuple[str, bytes]]:
    """The kind and payload of a message the simulation sent."""
    return st.deferred(
        lambda: st.sampled_from([encode(m) for ms in recorded().values() for m in ms])
    )


U64 = st.integers(0, 2**64 - 1)
U8 = st.integers(0, 255)
HASH = st.binary(min_size=32, max_size=32)
SIGNATURE = st.binary(min_size=64, max_size=64)
ROUND = (U64, U8, HASH, HASH)


def blocks_like(cls: type, attribute: str) -> st.SearchStrategy[Block]:
    """A block of the simulation's, as `cls` carries it, with other numbers in it."""
    return st.builds(
        replace,
        recorded_of(cls).map(lambda m: getattr(m, attribute)),
        height=U64,
        timestamp=U64,
        round=U8,
        l2_reward=st.integers(0, 2**256 - 1),
    )


def tuples(item: st.SearchStrategy[typing.Any], most: int) -> st.SearchStrategy[typing.Any]:
    return st.lists(item, max_size=most).map(tuple)


SIGNED_BLOCK = blocks_like(m.NewBlock, "block")
VOTE = st.builds(m.CheckpointVote, U64, HASH, HASH, SIGNATURE)
MESSAGES: st.SearchStrategy[m.Message] = st.one_of(
    st.builds(m.Ready, *ROUND, HASH, SIGNATURE),
    st.builds(m.Template, *ROUND, blocks_like(m.Template, "block"), tuples(HASH, 12), SIGNATURE),
    st.builds(m.Reveal, *ROUND, HASH, SIGNATURE, HASH, SIGNATURE),
    st.builds(m.Final, *ROUND, blocks_like(m.Final, "block"), tuples(HASH, 12)),
    st.builds(m.Endorse, *ROUND, HASH, SIGNATURE),
    st.builds(m.NewBlock, SIGNED_BLOCK),
    VOTE,
    st.builds(m.GetBlocks, U64, st.integers(0, 2**32 - 1)),
    tuples(st.tuples(SIGNED_BLOCK, tuples(VOTE, 3)), 4).map(
        lambda pairs: m.Blocks(tuple(b for b, _ in pairs), tuple(v for _, v in pairs))
    ),
)


# -- round trips ---------------------------------------------------------------------------------


def test_every_message_type_has_a_kind() -> None:
    assert set(KINDS) == set(MESSAGE_TYPES)
    assert set(MAX_PAYLOAD) == set(KINDS.values())
    assert len(set(KINDS.values())) == len(KINDS)


@pytest.mark.parametrize("cls", MESSAGE_TYPES, ids=lambda cls: cls.__name__)
def test_every_message_the_network_sends_comes_back_from_its_bytes(cls: type) -> None:
    messages = recorded()[cls]
    assert messages
    for message in messages:
        kind, payload = encode(message)
        assert kind == KINDS[cls]
        assert decode(kind, payload) == message


@given(MESSAGES)
def test_any_field_values_come_back(message: m.Message) -> None:
    kind, payload = encode(message)
    assert decode(kind, payload) == message


def test_fixed_size_messages_are_exactly_their_limit() -> None:
    for cls in (m.Ready, m.Reveal, m.Endorse, m.CheckpointVote, m.GetBlocks):
        kind, payload = encode(recorded()[cls][0])
        assert len(payload) == MAX_PAYLOAD[kind]


# -- strict decoding -----------------------------------------------------------------------------


@given(st.sampled_from(sorted(MAX_PAYLOAD)), st.binary(max_size=600), st.booleans())
def test_arbitrary_bytes_are_a_message_or_a_wire_error(
    kind: str, data: bytes, versioned: bool
) -> None:
    with contextlib.suppress(WireError):
        decode(kind, bytes([wire.WIRE_VERSION]) + data if versioned else data)


@given(payloads(), st.lists(st.tuples(st.integers(0), U8), min_size=1, max_size=4))
def test_a_mangled_payload_is_a_message_or_a_wire_error(
    sent: tuple[str, bytes], edits: list[tuple[int, int]]
) -> None:
    kind, payload = sent
    data = bytearray(payload)
    for position, value in edits:
        data[position % len(data)] = value
    with contextlib.suppress(WireError):
        decode(kind, bytes(data))


@given(payloads(), st.data())
def test_a_cut_payload_is_refused(sent: tuple[str, bytes], data: st.DataObject) -> None:
    kind, payload = sent
    cut = data.draw(st.integers(1, len(payload)))
    with pytest.raises(WireError):
        decode(kind, payload[:-cut])


@given(payloads(), st.binary(min_size=1, max_size=100))
def test_an_extended_payload_is_refused(sent: tuple[str, bytes], extra: bytes) -> None:
    kind, payload = sent
    with pytest.raises(WireError):
        decode(kind, payload + extra)


@given(payloads(), U8.filter(lambda v: v != wire.WIRE_VERSION))
def test_another_version_is_refused(sent: tuple[str, bytes], version: int) -> None:
    kind, payload = sent
    with pytest.raises(WireError, match="version"):
        decode(kind, bytes([version]) + payload[1:])


def test_an_unknown_kind_is_refused() -> None:
    _, payload = encode(recorded()[m.Ready][0])
    for kind in ("pulse.unknown", "", "pulse.Ready"):
        with pytest.raises(WireError, match="unknown kind"):
            decode(kind, payload)
    with pytest.raises(WireError, match="not a consensus message"):
        encode(object())  # type: ignore[arg-type]


def test_counts_over_their_maximum_are_refused() -> None:
    message = recorded()[m.Blocks][0]
    assert isinstance(message, m.Blocks)
    _, payload = encode(message)
    over = bytes([wire.WIRE_VERSION]) + (SYNC_BATCH + 1).to_bytes(2, "big") + payload[3:]
    with pytest.raises(WireError, match=f"{SYNC_BATCH + 1} items, at most {SYNC_BATCH}"):
        decode("sync.blocks", over)
    block = message.blocks[0]
    with pytest.raises(WireError, match="at most"):
        encode(m.Blocks((block,) * (SYNC_BATCH + 1), ((),) * (SYNC_BATCH + 1)))
    with pytest.raises(WireError, match="vote lists"):
        encode(m.Blocks((block,), ()))


def test_a_block_refused_by_the_block_format_is_refused() -> None:
    message = recorded()[m.NewBlock][0]
    _, payload = encode(message)
    mangled = bytearray(payload)
    mangled[5] = 99  # the block's own version, after ours and the length
    with pytest.raises(WireError, match="a bad block: unknown block version"):
        decode("chain.block", bytes(mangled))


def test_a_length_over_the_block_limit_is_refused_before_reading() -> None:
    payload = bytes([wire.WIRE_VERSION]) + (wire.MAX_BLOCK_SIZE + 1).to_bytes(4, "big")
    with pytest.raises(WireError, match="at most"):
        decode("chain.block", payload)


# -- fields of the wrong width -------------------------------------------------------------------


def wrong_width_messages() -> list[m.Message]:
    ready = recorded()[m.Ready][0]
    assert isinstance(ready, m.Ready)
    template = recorded()[m.Template][0]
    assert isinstance(template, m.Template)
    final = recorded()[m.Final][0]
    assert isinstance(final, m.Final)
    block = recorded()[m.NewBlock][0].block  # type: ignore[union-attr]
    return [
        replace(ready, signature=b""),  # unsigned
        replace(ready, parent=ready.parent[:31]),
        replace(ready, commit=ready.commit + b"\x00"),
        replace(ready, height=-1),
        replace(ready, round=256),
        replace(ready, height=True),
        replace(template, commits=(*template.commits, b"\x00")),
        replace(template, block=block),  # a template's draft carries no signature
        replace(final, block=block),  # a final's block carries no validator signature yet
        replace(final, reveals=(b"\x00" * 64,)),
        m.NewBlock(replace(block, producer_signature=b"")),
        m.NewBlock(
            replace(block, signatures=(ValidatorSignature(block.validators[0], b"\x00" * 65),))
        ),
        m.NewBlock(replace(block, height=2**64)),
        m.GetBlocks(0, 2**32),
    ]


@pytest.mark.parametrize("index", range(14))
def test_a_field_of_the_wrong_width_is_refused(index: int) -> None:
    message = wrong_width_messages()[index]
    with pytest.raises(WireError):
        encode(message)


def test_a_signature_of_the_wrong_width_in_a_block_is_refused_on_decoding() -> None:
    block = recorded()[m.NewBlock][0].block  # type: ignore[union-attr]
    unsigned = replace(block, producer_signature=b"")
    data = unsigned.encode()
    payload = bytes([wire.WIRE_VERSION]) + len(data).to_bytes(4, "big") + data
    with pytest.raises(WireError, match="producer signature of 0 bytes"):
        decode("chain.block", payload)


# -- size limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(MAX_PAYLOAD))
def test_one_byte_over_the_limit_is_refused(kind: str) -> None:
    limit = MAX_PAYLOAD[kind]
    check_size(kind, bytes(limit))
    with pytest.raises(WireError, match=f"{limit + 1} bytes, at most {limit}"):
        check_size(kind, bytes(limit + 1))
    with pytest.raises(WireError, match="at most"):
        decode(kind, bytes([wire.WIRE_VERSION]) + bytes(limit))


def test_the_limits_are_what_the_transport_accepts() -> None:
    assert wire.TRANSPORT_LIMIT == MAX_MESSAGE_SIZE
    codec = Codec()
    for kind, limit in MAX_PAYLOAD.items():
        codec.register(kind, limit)
    assert max(MAX_PAYLOAD.values()) == codec.kinds["sync.blocks"]


def largest_registration(i: int) -> l2.NewServiceNode:
    address = f"0x{i:040x}"
    return l2.NewServiceNode(
        L2Origin(2**256 - 1, 2**256 - 1, b"\xff" * 32, 2**256 - 1),
        i,
        address,
        (2**256 - 1, 2**256 - 1),
        2**256 - 1,
        b"\xff" * 64,
        10_000,
        tuple(Contributor(address, address, 2**256 - 1) for _ in range(10)),
    )


def test_a_block_of_200_of_the_largest_registrations_and_a_full_quorum_is_sent() -> None:
    block = recorded()[m.NewBlock][0].block  # type: ignore[union-attr]
    keys = tuple(bytes([i]) * 32 for i in range(255))
    big = replace(
        block,
        events=tuple(largest_registration(i) for i in range(200)),
        validators=keys,
        signatures=tuple(ValidatorSignature(k, b"\x00" * 64) for k in keys),
    )
    assert len(largest_registration(0).encode()) + 4 == 1_100
    kind, payload = encode(m.NewBlock(big))
    assert decode(kind, payload) == m.NewBlock(big)
    too_big = replace(big, events=big.events * 2)
    with pytest.raises(WireError, match="a block of"):
        encode(m.NewBlock(too_big))
    with pytest.raises(WireError, match=r"sync\.blocks"):
        encode(m.Blocks((big,) * 5, ((),) * 5))
