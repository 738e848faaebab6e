"""The bytes of each consensus message on the wire, decoded strictly.

The transport carries a kind and an opaque payload. This module names the kind each message
travels as (`KINDS`), the largest payload each kind may carry (`MAX_PAYLOAD`, what the node
registers with the transport), and the payload itself:

    version (1 byte, `WIRE_VERSION`) ‖ the message's fields, in the order its class declares them

Integers are fixed-width big-endian (heights, starts and immutable heights 8 bytes, rounds 1, a
count of blocks asked for 4); keys, hashes, commitments and revealed values 32 bytes; Ed25519
signatures 64 bytes; a block is a 4-byte length and `Block.encode()`; a sequence is a count, as
wide as its maximum needs (1 byte up to 255, 2 up to 65,535), then its items. `Blocks` is the
blocks, then one sequence of checkpoint votes per block (the two counts must agree).

What a block carries depends on the message: a `Template`'s draft no signature, a `Final`'s block
the producer's signature and no validator's, a `NewBlock`'s and a synced block everything; every
signature in them is 64 bytes.

Decoding is strict, because every byte comes from a peer: a known kind, a payload within its
kind's limit, the known version, every field at its width, counts within their maxima, blocks
that `Block.decode` accepts, and nothing left over. Any refusal is a `WireError` (a ValueError),
and nothing else escapes. Encoding refuses what a peer would refuse, with the same error.

Signatures cover statements (`sesh.consensus.messages`), never these bytes: the wire format can
change without touching what anyone signed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import cast

from sesh.consensus import messages as m
from sesh.consensus.engine import SYNC_BATCH
from sesh.ledger import Block
from sesh.ledger.reader import ByteReader

WIRE_VERSION = 1
"""The payload format; a decoder refuses any other."""

SIGNATURE = 64
"""An Ed25519 signature."""

MAX_BLOCK_SIZE = 256 * 1024
"""The largest encoded block. Room for a full validator set and its signatures (255 of each,
33 KB) beside ~200 registrations of the largest kind (10 contributors and a signature, 1,100 B
each), ~590 seeded single-contributor registrations (388 B) or ~1,700 purges (133 B); a mainnet
block (11 validators, 7 signatures, a few events) is 1–3 KB. A template or a final (a block and
its commitments or reveals) then stays near a quarter of the transport's cap."""

MAX_VALIDATORS = 255
"""Commitments in a `Template` and revealed values in a `Final`: one per validator of the block,
and the block format itself holds at most 255 (a full-size quorum has 11)."""

MAX_BLOCK_VOTES = 255
"""Checkpoint votes sent with one synced block: the checkpoint's members vote (20 at full size,
every node of a network of up to 20); 255 leaves room for larger `QuorumRules`."""

MAX_SYNC_BLOCKS = SYNC_BATCH
"""Blocks in one `Blocks`: what a node asks for and serves at once."""

TRANSPORT_LIMIT = 1 << 20
"""The transport's default global cap on an envelope (1 MiB, `sesh.net.codec`, which this layer
does not import; a test holds the two equal). No payload limit exceeds what fits in it."""

_ENVELOPE_OVERHEAD = 2 + 4
"""The envelope's version, kind length and payload length (besides the kind's own bytes)."""


class WireError(ValueError):
    """Bytes that are not a consensus message, or a message that cannot be sent as one."""


class _Reader(ByteReader):
    def truncated(self) -> ValueError:
        return WireError("truncated")

    def uint(self, width: int) -> int:
        return int.from_bytes(self.take(width), "big")


class _Field:
    """One field's encoding: `most` is the largest it can be."""

    most: int

    def write(self, value: object, out: bytearray) -> None:
        raise NotImplementedError

    def read(self, r: _Reader) -> object:
        raise NotImplementedError


class _Uint(_Field):
    def __init__(self, width: int) -> None:
        self.most = width

    def write(self, value: object, out: bytearray) -> None:
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value < 1 << 8 * self.most
        ):
            raise WireError(f"{value!r} is not an unsigned {8 * self.most}-bit integer")
        out += value.to_bytes(self.most, "big")

    def read(self, r: _Reader) -> int:
        return r.uint(self.most)


class _Bytes(_Field):
    def __init__(self, width: int) -> None:
        self.most = width

    def write(self, value: object, out: bytearray) -> None:
        if not isinstance(value, bytes) or len(value) != self.most:
            raise WireError(f"a field of {self.most} bytes, not {value!r:.80}")
        out += value

    def read(self, r: _Reader) -> bytes:
        return r.take(self.most)


class _Block(_Field):
    """A block with a 4-byte length, carrying the producer's signature or not, and the
    validators' signatures or not."""

    most = 4 + MAX_BLOCK_SIZE

    def __init__(self, *, producer_signed: bool, validator_signed: bool) -> None:
        self.producer_signed = producer_signed
        self.validator_signed = validator_signed

    def check(self, block: Block) -> Block:
        if len(block.producer_signature) != (SIGNATURE if self.producer_signed else 0):
            raise WireError(f"a producer signature of {len(block.producer_signature)} bytes")
        if block.signatures and not self.validator_signed:
            raise WireError("validator signatures on a block not yet endorsed")
        if any(len(s.signature) != SIGNATURE for s in block.signatures):
            raise WireError("a validator signature that is not 64 bytes")
        return block

    def write(self, value: object, out: bytearray) -> None:
        if not isinstance(value, Block):
            raise WireError(f"not a block: a {type(value).__name__}")
        try:
            data = self.check(value).encode()
        except (ValueError, OverflowError) as e:
            raise WireError(f"a block that cannot be encoded: {e}") from e
        if len(data) > MAX_BLOCK_SIZE:
            raise WireError(f"a block of {len(data)} bytes, at most {MAX_BLOCK_SIZE}")
        out += len(data).to_bytes(4, "big") + data

    def read(self, r: _Reader) -> Block:
        size = r.uint(4)
        if size > MAX_BLOCK_SIZE:
            raise WireError(f"a block of {size} bytes, at most {MAX_BLOCK_SIZE}")
        data = r.take(size)
        try:
            block = Block.decode(data)
        except ValueError as e:
            raise WireError(f"a bad block: {e}") from e
        return self.check(block)


class _Seq(_Field):
    """A count, as wide as `limit` needs, then that many items."""

    def __init__(self, item: _Field, limit: int) -> None:
        self.item = item
        self.limit = limit
        self.width = max(1, (limit.bit_length() + 7) // 8)
        self.most = self.width + limit * item.most

    def write(self, value: object, out: bytearray) -> None:
        if not isinstance(value, tuple):
            raise WireError(f"a sequence is a tuple, not a {type(value).__name__}")
        self._count(len(value))
        out += len(value).to_bytes(self.width, "big")
        for item in value:
            self.item.write(item, out)

    def read(self, r: _Reader) -> tuple[object, ...]:
        count = self._count(r.uint(self.width))
        return tuple(self.item.read(r) for _ in range(count))

    def _count(self, count: int) -> int:
        if count > self.limit:
            raise WireError(f"{count} items, at most {self.limit}")
        return count


class _Struct(_Field):
    """A message's fields in declaration order; `check` refuses what the fields alone allow."""

    def __init__(
        self, cls: type, *fields: _Field, check: Callable[[object], str | None] | None = None
    ) -> None:
        self.cls = cls
        self.names = tuple(f.name for f in dataclasses.fields(cls))
        if len(self.names) != len(fields):
            raise TypeError(f"{cls.__name__} has {len(self.names)} fields, not {len(fields)}")
        self.fields = fields
        self.check = check
        self.most = sum(f.most for f in fields)

    def _checked(self, value: object) -> object:
        why = self.check(value) if self.check is not None else None
        if why is not None:
            raise WireError(why)
        return value

    def write(self, value: object, out: bytearray) -> None:
        if not isinstance(value, self.cls):
            raise WireError(f"not a {self.cls.__name__}: a {type(value).__name__}")
        self._checked(value)
        for name, field in zip(self.names, self.fields, strict=True):
            field.write(getattr(value, name), out)

    def read(self, r: _Reader) -> object:
        return self._checked(self.cls(*(field.read(r) for field in self.fields)))


def _one_vote_list_per_block(message: object) -> str | None:
    assert isinstance(message, m.Blocks)
    if len(message.blocks) != len(message.votes):
        return f"{len(message.blocks)} blocks with {len(message.votes)} vote lists"
    return None


_HEIGHT = _Uint(8)
_ROUND = _Uint(1)
_HASH = _Bytes(32)
"""A hash, a key, a commitment or a revealed value."""
_SIGNATURE = _Bytes(SIGNATURE)
_ROUND_HEADER = (_HEIGHT, _ROUND, _HASH, _HASH)
"""height, round, parent, sender: the start of every round message."""
_SIGNED_BLOCK = _Block(producer_signed=True, validator_signed=True)
_VOTE = _Struct(m.CheckpointVote, _HEIGHT, _HASH, _HASH, _SIGNATURE)

_LAYOUTS: dict[str, _Struct] = {
    "pulse.ready": _Struct(m.Ready, *_ROUND_HEADER, _HASH, _SIGNATURE),
    "pulse.template": _Struct(
        m.Template,
        *_ROUND_HEADER,
        _Block(producer_signed=False, validator_signed=False),
        _Seq(_HASH, MAX_VALIDATORS),
        _SIGNATURE,
    ),
    "pulse.reveal": _Struct(m.Reveal, *_ROUND_HEADER, _HASH, _SIGNATURE, _HASH, _SIGNATURE),
    "pulse.final": _Struct(
        m.Final,
        *_ROUND_HEADER,
        _Block(producer_signed=True, validator_signed=False),
        _Seq(_HASH, MAX_VALIDATORS),
    ),
    "pulse.endorse": _Struct(m.Endorse, *_ROUND_HEADER, _HASH, _SIGNATURE),
    "chain.block": _Struct(m.NewBlock, _SIGNED_BLOCK),
    "chain.vote": _VOTE,
    "sync.get_blocks": _Struct(m.GetBlocks, _HEIGHT, _Uint(4)),
    "sync.blocks": _Struct(
        m.Blocks,
        _Seq(_SIGNED_BLOCK, MAX_SYNC_BLOCKS),
        _Seq(_Seq(_VOTE, MAX_BLOCK_VOTES), MAX_SYNC_BLOCKS),
        check=_one_vote_list_per_block,
    ),
}

KINDS: dict[type, str] = {layout.cls: kind for kind, layout in _LAYOUTS.items()}
"""The transport kind of each message type."""

MAX_PAYLOAD: dict[str, int] = {
    kind: min(1 + layout.most, TRANSPORT_LIMIT - _ENVELOPE_OVERHEAD - len(kind))
    for kind, layout in _LAYOUTS.items()
}
"""The largest payload of each kind: the largest its layout allows (exact for the fixed-size
messages), and never more than fits in the transport's cap, which is what bounds `sync.blocks`:
500 blocks do not always fit (500 empty mainnet-size blocks with their checkpoint votes already
take ~1 MB), so whoever serves a batch must stop before this limit; `encode` refuses one over it."""


def check_size(kind: str, payload: bytes) -> None:
    """WireError unless ``kind`` is known and ``payload`` within its limit."""
    limit = MAX_PAYLOAD.get(kind)
    if limit is None:
        raise WireError(f"unknown kind {kind!r:.40}")
    if len(payload) > limit:
        raise WireError(f"{kind}: {len(payload)} bytes, at most {limit}")


def encode(message: m.Message) -> tuple[str, bytes]:
    """The kind and payload of ``message``; WireError for what a peer would refuse (a field
    out of range or at the wrong width, a sequence or a payload over its limit)."""
    kind = KINDS.get(type(message))
    if kind is None:
        raise WireError(f"not a consensus message: {type(message).__name__}")
    out = bytearray([WIRE_VERSION])
    _LAYOUTS[kind].write(message, out)
    payload = bytes(out)
    check_size(kind, payload)
    return kind, payload


def decode(kind: str, payload: bytes) -> m.Message:
    """The message of ``kind`` in ``payload``, or WireError (never anything else)."""
    check_size(kind, payload)
    if not payload:
        raise WireError("an empty payload")
    if payload[0] != WIRE_VERSION:
        raise WireError(f"unknown wire version {payload[0]}")
    r = _Reader(payload)
    r.pos = 1
    message = _LAYOUTS[kind].read(r)
    if r.pos != len(payload):
        raise WireError(f"{len(payload) - r.pos} bytes after the message")
    return cast(m.Message, message)
