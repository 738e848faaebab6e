"""The consensus messages, what each signature covers, and signature checking.

Every message is signed with its sender's Ed25519 node key over a domain-separated statement
that names the height, the round and the parent hash, so a message for another tip or round
cannot be replayed into this one (pulse.md §9: bind everything to the parent). One round:

1. ``Ready`` (validator → producer): "I am here", carrying the hash of a fresh random value
   (the commitment rides on the handshake: no separate commit stage);
2. ``Template`` (producer → validators): the proposed block (no random value or state hash yet)
   and the validator set the producer proposes: those whose Ready came (at least the threshold);
3. ``Reveal`` (validator → producer and the other validators): "I checked the template in full
   and accept it", with the committed value and the producer's template signature (two template
   signatures for one round are evidence that the producer equivocated);
4. ``Final`` (producer → signers): the sealed block (random value from the reveals, the
   validators who revealed, the state hash) and the reveals, so each validator recomputes it;
5. ``Endorse`` (validator → producer): the validator's signature over the block id, given only
   after the block was validated in full, which the producer puts in the block;
6. the signed block, broadcast to every node; checkpoint votes, broadcast too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from sesh.ledger import Block

DOMAIN = b"sesh.consensus.1."


def statement(kind: bytes, height: int, round_: int, parent: bytes, *fields: bytes) -> bytes:
    """The bytes a consensus signature covers."""
    out = DOMAIN + kind + b"\x00" + height.to_bytes(8, "big") + bytes([round_]) + parent
    for value in fields:
        out += len(value).to_bytes(4, "big") + value
    return out


def block_statement(block: Block) -> bytes:
    """What a validator's and the producer's signatures over a block cover: its id (the hash
    covers its height, round and parent)."""
    return DOMAIN + b"block\x00" + block.hash()


def commitment(value: bytes) -> bytes:
    return hashlib.blake2b(b"sesh.reveal" + value, digest_size=32).digest()


def random_value(reveals: tuple[bytes, ...]) -> bytes:
    """The block's random value: BLAKE2b-256 over the reveals in validator order."""
    return hashlib.blake2b(b"sesh.random" + b"".join(reveals), digest_size=32).digest()


@dataclass(frozen=True, slots=True)
class Ready:
    height: int
    round: int
    parent: bytes
    sender: bytes
    commit: bytes
    signature: bytes = b""

    def statement(self) -> bytes:
        return statement(b"ready", self.height, self.round, self.parent, self.commit)


@dataclass(frozen=True, slots=True)
class Template:
    height: int
    round: int
    parent: bytes
    sender: bytes
    block: Block
    """The draft: random value and state hash zero, `validators` the proposed set."""
    commits: tuple[bytes, ...]
    """The commitment of each proposed validator, in `block.validators` order."""
    signature: bytes = b""

    def digest(self) -> bytes:
        return hashlib.blake2b(
            self.block.encode_unsigned() + b"".join(self.commits), digest_size=32
        ).digest()

    def statement(self) -> bytes:
        return statement(b"template", self.height, self.round, self.parent, self.digest())


@dataclass(frozen=True, slots=True)
class Reveal:
    height: int
    round: int
    parent: bytes
    sender: bytes
    template: bytes
    """The digest of the template accepted."""
    template_signature: bytes
    value: bytes
    signature: bytes = b""

    def statement(self) -> bytes:
        return statement(
            b"reveal",
            self.height,
            self.round,
            self.parent,
            self.template,
            self.template_signature,
            self.value,
        )


@dataclass(frozen=True, slots=True)
class Final:
    height: int
    round: int
    parent: bytes
    sender: bytes
    block: Block
    """Sealed, with the producer's signature; no validator signatures yet."""
    reveals: tuple[bytes, ...]
    """One per `block.validators`, in order."""


@dataclass(frozen=True, slots=True)
class Endorse:
    height: int
    round: int
    parent: bytes
    sender: bytes
    block_hash: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class NewBlock:
    """A signed block, broadcast (and relayed by sync)."""

    block: Block


@dataclass(frozen=True, slots=True)
class CheckpointVote:
    height: int
    block_hash: bytes
    sender: bytes
    signature: bytes = b""

    def statement(self) -> bytes:
        return DOMAIN + b"checkpoint\x00" + self.height.to_bytes(8, "big") + self.block_hash


@dataclass(frozen=True, slots=True)
class GetBlocks:
    start: int
    count: int


@dataclass(frozen=True, slots=True)
class Blocks:
    """Main-chain blocks from `GetBlocks.start`, each with the checkpoint votes stored with it."""

    blocks: tuple[Block, ...]
    votes: tuple[tuple[CheckpointVote, ...], ...]


Message = (
    Ready | Template | Reveal | Final | Endorse | NewBlock | CheckpointVote | GetBlocks | Blocks
)


def sign(key: SigningKey, data: bytes) -> bytes:
    return key.sign(data).signature


class Verifier:
    """Ed25519 signature checks, each (key, statement, signature) checked once: a simulation
    shares one verifier among its honest nodes, and a node re-checks nothing it has seen."""

    def __init__(self, limit: int = 200_000) -> None:
        self._known: dict[tuple[bytes, bytes, bytes], bool] = {}
        self._limit = limit

    def valid(self, key: bytes, data: bytes, signature: bytes) -> bool:
        entry = (key, data, signature)
        known = self._known.get(entry)
        if known is None:
            try:
                VerifyKey(key).verify(data, signature)
                known = True
            except (BadSignatureError, ValueError, TypeError):
                known = False
            if len(self._known) >= self._limit:
                self._known.clear()
            self._known[entry] = known
        return known
