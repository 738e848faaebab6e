"""The tracker's position: a value the node stores, with a memory bounded by the window."""

from __future__ import annotations

import json

import pytest

import sesh.l2.events as l2
from sesh.l2.events import Contributor, L2Event, L2Origin
from sesh.l2.position import BlockRef, TrackerPosition

ALICE = "0x" + "aa" * 20


def block(number: int) -> BlockRef:
    return BlockRef(number, number.to_bytes(32, "big"))


def origin(number: int, index: int = 0) -> L2Origin:
    return L2Origin(31337, number, number.to_bytes(32, "big"), index)


def every_kind(number: int) -> list[L2Event]:
    return [
        l2.NewServiceNode(
            origin(number, 0),
            1,
            ALICE,
            (2**255, 3),
            4,
            b"\x05" * 64,
            600,
            (Contributor(ALICE, ALICE, 7), Contributor("0x" + "bb" * 20, ALICE, 8)),
        ),
        l2.NewServiceNode(origin(number, 1), 2, ALICE, (1, 2), 3, b"", 0, (), seeded=True),
        l2.ServiceNodeExitRequest(origin(number, 2), 1, ALICE, (2, 3)),
        l2.ServiceNodeLiquidated(origin(number, 3), 1, ALICE, (2, 3)),
        l2.ServiceNodeExit(origin(number, 4), 1, ALICE, 99, (2, 3)),
        l2.StakingRequirementUpdated(origin(number, 5), 10**12),
    ]


def test_the_stored_form_gives_back_the_same_position() -> None:
    position = TrackerPosition(31337, start_block=3).advanced(block(9), every_kind(8), 100)
    stored = json.dumps(position.to_json())
    assert TrackerPosition.from_json(json.loads(stored)) == position


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"format": 2},
        {"format": 1, "chainId": "31337"},
    ],
)
def test_a_stored_form_that_is_not_a_position_is_refused(broken: dict[str, object]) -> None:
    good = TrackerPosition(31337).advanced(block(2), every_kind(1), 100).to_json()
    with pytest.raises(ValueError):
        TrackerPosition.from_json({**good, **broken} if broken else broken)


def test_memory_is_cut_to_the_window_and_the_floor_kept() -> None:
    position = TrackerPosition(31337)
    for number in range(10, 1_000, 10):
        position = position.advanced(block(number), every_kind(number - 5), window=100)
    assert position.safe == block(990)
    assert position.floor is not None and position.floor.number < 990 - 100
    assert all(e.origin.block_number > position.floor.number for e in position.events)
    assert {e.origin.block_number for e in position.events} == set(range(895, 990, 10))
    assert [c.number for c in position.checkpoints][-1] == 990


def test_old_checkpoints_are_thinned_but_event_blocks_remembered() -> None:
    position = TrackerPosition(31337)
    for number in range(1, 2_000):
        events = every_kind(number) if number % 500 == 0 else []
        position = position.advanced(block(number), events, window=6_400)
    assert len(position.checkpoints) < 250  # 1,999 polls
    known = {b.number for b in position.known_blocks()}
    assert {500, 1_000, 1_500, 1_999} <= known


def test_rewinding_undoes_the_newer_events_newest_first() -> None:
    position = TrackerPosition(31337)
    for number in (5, 6, 7):
        position = position.advanced(block(number), every_kind(number)[:1], window=100)
    rewound, undone = position.rewound_to(block(5))
    assert [e.origin.block_number for e in undone] == [7, 6]
    assert rewound.safe == block(5) and rewound.next_block == 6
    assert [e.origin.block_number for e in rewound.events] == [5]
    reset, all_undone = position.rewound_to(None)
    assert reset.next_block == 0 and len(all_undone) == 3 and reset.known_blocks() == []
