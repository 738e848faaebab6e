"""Where the tracker stands: a plain value the node stores with the block that uses it.

A ``TrackerPosition`` says up to which L2 block events were reported, and remembers what it
needs to undo them after a reorg: the hashes of some recent blocks (every block it reported
events from, and the last block of each poll) and the events reported in the recent window.
The tracker never stores anything itself; the node writes the position in the same SQLite
transaction as the events it reported, so after a crash the two agree and the next poll
neither misses nor repeats an event.

``to_json``/``from_json`` give the stored form (plain JSON: hashes as 0x hex, ints as ints).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sesh.l2.events as l2
from sesh.l2.events import Contributor, L2Event, L2Origin

FORMAT = 1
"""The version of the JSON form; bump it when the form changes."""


@dataclass(frozen=True, slots=True)
class BlockRef:
    """A block by number and hash: what the chain looked like there when we read it."""

    number: int
    hash: bytes

    def __post_init__(self) -> None:
        if self.number < 0 or len(self.hash) != 32:
            raise ValueError(f"not a block reference: {self.number}, {self.hash!r}")


@dataclass(frozen=True)
class TrackerPosition:
    """Events are reported for blocks ``start_block``…``safe.number``; the rest is memory for
    reorgs.

    * ``checkpoints``: the last block of recent polls (ascending), thinned out with age;
    * ``events``: every reported event in a block above ``floor`` (in chain order): the ones a
      reorg could still undo, and each one's block is a known block too;
    * ``floor``: the newest block given up on (below the window); None while the position
      still remembers everything since ``start_block``. A reorg below ``floor`` cannot be
      undone event by event (``ReorgTooDeep``).
    """

    chain_id: int
    start_block: int = 0
    safe: BlockRef | None = None
    checkpoints: tuple[BlockRef, ...] = ()
    events: tuple[L2Event, ...] = ()
    floor: BlockRef | None = None

    @property
    def next_block(self) -> int:
        """The first block not reported yet."""
        return self.safe.number + 1 if self.safe is not None else self.start_block

    def known_blocks(self) -> list[BlockRef]:
        """Every block whose hash the position remembers, ascending and unique by number: the
        blocks holding reported events, the checkpoints and the floor."""
        return _known_blocks(self.checkpoints, self.events, self.floor)

    def rewound_to(self, block: BlockRef | None) -> tuple[TrackerPosition, tuple[L2Event, ...]]:
        """This position as it was when ``block`` was its last reported block (None: before
        anything), and the events that undoes, newest first."""
        if block is None:
            kept: tuple[L2Event, ...] = ()
            checkpoints: tuple[BlockRef, ...] = ()
        else:
            kept = tuple(e for e in self.events if e.origin.block_number <= block.number)
            checkpoints = tuple(c for c in self.checkpoints if c.number < block.number)
            checkpoints += (block,)
        undone = tuple(reversed(self.events[len(kept) :]))
        return replace(self, safe=block, checkpoints=checkpoints, events=kept), undone

    def advanced(
        self, safe: BlockRef, new_events: Iterable[L2Event], window: int
    ) -> TrackerPosition:
        """This position after reporting ``new_events`` up to ``safe``, with the memory cut to
        the last ``window`` blocks (at least: the newest block below the window stays, as the
        floor)."""
        events = self.events + tuple(new_events)
        checkpoints = _thin((*self.checkpoints, safe), safe.number, window)
        floor = self.floor
        bottom = safe.number - window
        known = [b for b in _known_blocks(checkpoints, events, floor) if b.number < bottom]
        if known:
            floor = known[-1]
            checkpoints = tuple(c for c in checkpoints if c.number > floor.number)
            events = tuple(e for e in events if e.origin.block_number > floor.number)
        return replace(self, safe=safe, checkpoints=checkpoints, events=events, floor=floor)

    # -- the stored form -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "chainId": self.chain_id,
            "startBlock": self.start_block,
            "safe": _block_json(self.safe),
            "checkpoints": [_block_json(c) for c in self.checkpoints],
            "events": [event_to_json(e) for e in self.events],
            "floor": _block_json(self.floor),
        }

    @classmethod
    def from_json(cls, data: Any) -> TrackerPosition:
        """The position ``to_json`` wrote; ValueError if ``data`` is not one."""
        try:
            if data["format"] != FORMAT:
                raise ValueError(f"position format {data['format']!r}, expected {FORMAT}")
            return cls(
                chain_id=_int(data["chainId"]),
                start_block=_int(data["startBlock"]),
                safe=_block_from_json(data["safe"]),
                checkpoints=tuple(_block(c) for c in data["checkpoints"]),
                events=tuple(event_from_json(e) for e in data["events"]),
                floor=_block_from_json(data["floor"]),
            )
        except (KeyError, TypeError, IndexError, AttributeError) as error:
            raise ValueError(f"not a tracker position ({type(error).__name__}: {error})") from None


def _known_blocks(
    checkpoints: tuple[BlockRef, ...], events: tuple[L2Event, ...], floor: BlockRef | None
) -> list[BlockRef]:
    known: dict[int, BlockRef] = {}
    if floor is not None:
        known[floor.number] = floor
    for checkpoint in checkpoints:
        known[checkpoint.number] = checkpoint
    for event in events:
        origin = event.origin
        if origin.block_number not in known:
            known[origin.block_number] = BlockRef(origin.block_number, origin.block_hash)
    return [known[number] for number in sorted(known)]


CHECKPOINTS_PER_WINDOW = 64
"""Checkpoints older than a window/64 blocks are kept one per window/64 blocks: a node that
polls every second would otherwise remember thousands. Fewer checkpoints only make the search
for a fork point coarser (it re-reads more blocks), never wrong: every block that holds a
reported event is remembered regardless."""


def _thin(checkpoints: tuple[BlockRef, ...], tip: int, window: int) -> tuple[BlockRef, ...]:
    spacing = max(1, window // CHECKPOINTS_PER_WINDOW)
    kept: list[BlockRef] = []
    for checkpoint in checkpoints:
        recent = tip - checkpoint.number < spacing
        if kept and not recent and checkpoint.number // spacing == kept[-1].number // spacing:
            kept[-1] = checkpoint  # one per bucket: the newest
        else:
            kept.append(checkpoint)
    return tuple(kept)


# -- JSON forms -----------------------------------------------------------------------------------


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


def _bytes(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"not 0x hex: {value!r}")
    return bytes.fromhex(value[2:])


def _block_json(block: BlockRef | None) -> list[Any] | None:
    return None if block is None else [block.number, "0x" + block.hash.hex()]


def _block(data: Any) -> BlockRef:
    number, hash_ = data
    return BlockRef(_int(number), _bytes(hash_))


def _block_from_json(data: Any) -> BlockRef | None:
    return None if data is None else _block(data)


def _pair(data: Any) -> tuple[int, int]:
    x, y = data
    return _int(x), _int(y)


def event_to_json(event: L2Event) -> dict[str, Any]:
    """An event as a JSON object: ``kind`` (the contract event's name), ``origin``, fields."""
    o = event.origin
    out: dict[str, Any] = {
        "origin": [o.chain_id, o.block_number, "0x" + o.block_hash.hex(), o.log_index]
    }
    if isinstance(event, l2.NewServiceNode):
        out.update(
            kind="NewServiceNode",
            id=event.service_node_id,
            initiator=event.initiator,
            bls=list(event.bls_pubkey),
            ed25519=event.ed25519_pubkey,
            signature="0x" + event.ed25519_signature.hex(),
            fee=event.fee,
            contributors=[[c.address, c.beneficiary, c.amount] for c in event.contributors],
            seeded=event.seeded,
        )
    elif isinstance(event, l2.ServiceNodeExitRequest):
        out.update(
            kind="ServiceNodeExitRequest",
            id=event.service_node_id,
            initiator=event.initiator,
            bls=list(event.bls_pubkey),
        )
    elif isinstance(event, l2.ServiceNodeExit):
        out.update(
            kind="ServiceNodeExit",
            id=event.service_node_id,
            initiator=event.initiator,
            returned=event.returned_amount,
            bls=list(event.bls_pubkey),
        )
    elif isinstance(event, l2.ServiceNodeLiquidated):
        out.update(
            kind="ServiceNodeLiquidated",
            id=event.service_node_id,
            liquidator=event.liquidator,
            bls=list(event.bls_pubkey),
        )
    else:
        out.update(kind="StakingRequirementUpdated", requirement=event.new_requirement)
    return out


def event_from_json(data: Mapping[str, Any]) -> L2Event:
    """The event ``event_to_json`` wrote; ValueError (or KeyError, TypeError) otherwise."""
    chain_id, number, block_hash, log_index = data["origin"]
    origin = L2Origin(_int(chain_id), _int(number), _bytes(block_hash), _int(log_index))
    kind = data["kind"]
    if kind == "NewServiceNode":
        return l2.NewServiceNode(
            origin=origin,
            service_node_id=_int(data["id"]),
            initiator=str(data["initiator"]),
            bls_pubkey=_pair(data["bls"]),
            ed25519_pubkey=_int(data["ed25519"]),
            ed25519_signature=_bytes(data["signature"]),
            fee=_int(data["fee"]),
            contributors=tuple(
                Contributor(str(a), str(b), _int(amount)) for a, b, amount in data["contributors"]
            ),
            seeded=bool(data["seeded"]),
        )
    if kind == "ServiceNodeExitRequest":
        return l2.ServiceNodeExitRequest(
            origin, _int(data["id"]), str(data["initiator"]), _pair(data["bls"])
        )
    if kind == "ServiceNodeExit":
        return l2.ServiceNodeExit(
            origin,
            _int(data["id"]),
            str(data["initiator"]),
            _int(data["returned"]),
            _pair(data["bls"]),
        )
    if kind == "ServiceNodeLiquidated":
        return l2.ServiceNodeLiquidated(
            origin, _int(data["id"]), str(data["liquidator"]), _pair(data["bls"])
        )
    if kind == "StakingRequirementUpdated":
        return l2.StakingRequirementUpdated(origin, _int(data["requirement"]))
    raise ValueError(f"unknown event kind {kind!r}")
