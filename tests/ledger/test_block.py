"""The block format: one canonical encoding, decoded back exactly; the hash covers everything
but the validator signatures."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sesh.l2.events as l2
from sesh.l2.events import Contributor, L2Origin, event_id
from sesh.ledger import (
    Block,
    DecisionKind,
    ServiceNodePurge,
    UptimeDecision,
    ValidatorSignature,
    item_id,
)

from .conftest import addr

ORIGIN = L2Origin(31337, 12, b"\x12" * 32, 3)
EVENTS = (
    l2.NewServiceNode(
        ORIGIN,
        4,
        addr(1),
        (5, 6),
        7,
        b"\x08" * 64,
        500,
        (Contributor(addr(1), addr(2), 3), Contributor(addr(3), addr(3), 4)),
    ),
    l2.NewServiceNode(ORIGIN, 5, addr(1), (5, 7), 8, b"", 0, (), seeded=True),
    l2.ServiceNodeExitRequest(ORIGIN, 4, addr(1), (5, 6)),
    l2.ServiceNodeExit(ORIGIN, 4, addr(1), 99, (5, 6)),
    l2.ServiceNodeLiquidated(ORIGIN, 4, addr(9), (5, 6)),
    l2.StakingRequirementUpdated(ORIGIN, 10**11),
    ServiceNodePurge(31337, 14_400, (5, 6)),
)


def full_block(votes: tuple[bool, ...] = (True, False) * 5 + (True,)) -> Block:
    return Block(
        height=9,
        prev_hash=b"\x01" * 32,
        producer=b"\x02" * 32,
        l2_height=20,
        l2_reward=22_983_257_229,
        events=EVENTS,
        votes=votes,
        decisions=(
            UptimeDecision(DecisionKind.DECOMMISSION, b"\x03" * 32, 0x81),
            UptimeDecision(DecisionKind.DEREGISTER, b"\x04" * 32),
        ),
        round=2,
        timestamp=1_700_000_000,
        random_value=b"\x0a" * 32,
        validators=(b"\x05" * 32, b"\x0b" * 32),
        state_hash=b"\x0c" * 32,
        producer_signature=b"\x0d" * 64,
        signatures=(ValidatorSignature(b"\x05" * 32, b"\x06" * 128),),
    )


def test_a_block_decodes_to_itself() -> None:
    block = full_block()
    assert Block.decode(block.encode()) == block


def test_event_ids_are_the_trackers() -> None:
    for event in EVENTS[:-1]:
        assert item_id(event) == event_id(event)  # type: ignore[arg-type]


def test_the_hash_covers_everything_but_the_signatures() -> None:
    block = full_block()
    assert replace(block, signatures=(), producer_signature=b"").hash() == block.hash()
    changed = [
        replace(block, height=10),
        replace(block, prev_hash=b"\x09" * 32),
        replace(block, producer=b"\x09" * 32),
        replace(block, l2_height=21),
        replace(block, l2_reward=1),
        replace(block, events=EVENTS[:-1]),
        replace(block, votes=(False,) * 11),
        replace(block, decisions=()),
        replace(block, round=0),
        replace(block, timestamp=1),
        replace(block, random_value=bytes(32)),
        replace(block, validators=block.validators[:1]),
        replace(block, state_hash=bytes(32)),
    ]
    assert len({b.hash() for b in [block, *changed]}) == len(changed) + 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda data: data[:-1],
        lambda data: data + b"\x00",
        lambda data: b"\x01" + data[1:],  # an older block version
    ],
)
def test_a_mangled_encoding_is_refused(mangle: object) -> None:
    data = full_block().encode()
    with pytest.raises(ValueError):
        Block.decode(mangle(data))  # type: ignore[operator]


def test_vote_bits_beyond_the_count_are_refused() -> None:
    block = replace(
        full_block(votes=(True,)), events=(), decisions=(), signatures=(), producer_signature=b""
    )
    data = bytearray(block.encode())
    # the single vote byte sits just before the decision count, the producer signature's length
    # and the signature count
    data[-4 - 1 - 2 - 1] |= 0x80
    with pytest.raises(ValueError, match="vote bits"):
        Block.decode(bytes(data))


@given(st.lists(st.booleans(), max_size=40), st.integers(0, 255), st.integers(0, 2**64 - 1))
def test_any_votes_round_and_height_survive_encoding(
    votes: list[bool], round_: int, l2_height: int
) -> None:
    block = replace(full_block(tuple(votes)), round=round_, l2_height=l2_height)
    assert Block.decode(block.encode()) == block


@given(st.lists(st.booleans(), max_size=40))
def test_vote_i_is_bit_i_of_a_little_endian_bit_string(votes: list[bool]) -> None:
    encoded = replace(full_block(tuple(votes)), decisions=(), signatures=(), producer_signature=b"")
    n = len(votes)
    bits = sum(1 << i for i, vote in enumerate(votes) if vote)
    tail = n.to_bytes(4, "big") + bits.to_bytes((n + 7) // 8, "little") + bytes(4 + 1 + 2)
    assert encoded.encode().endswith(tail)


def test_a_million_votes_decode_in_linear_time() -> None:
    """A peer's block is decoded before anything else is known about it: a megabit of votes
    must not cost a quadratic number of big-integer shifts (minutes), only a pass (< 1 s)."""
    block = replace(full_block(votes=(True, False) * (1 << 19)), signatures=())
    started = time.perf_counter()
    assert Block.decode(block.encode()) == block
    assert time.perf_counter() - started < 5
