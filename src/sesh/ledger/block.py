"""The network chain's block: what a producer proposes and every node applies.

A block carries, besides its place in the chain (height, previous hash, producer, pulse round):

* ``timestamp``: the leader's clock in seconds, never below the parent's (validators also bound
  it against their own clocks, `sesh.consensus`);
* ``random_value``: 32 bytes from the validators' commit-reveal; quorums 11 to 22 blocks later
  draw their entropy from it;
* ``validators``: the Ed25519 keys of the validator set the leader proposed for the block (the
  signers are among them); the ledger moves them to the back of the validator rotation;
* ``state_hash``: the state hash applying the block results in; a block whose state hash is
  not what it says is invalid, so a signature over the block id vouches for the state too;

* ``l2_height``: the L2 height the producer's tracker considered safe; proposed events must come
  from at or below it, and it never goes down;
* ``l2_reward``: the pool's reward rate the producer read, clamped against the previous block's
  (node.md §4.1); the amount paid is derived from the last blocks' rates by the ledger;
* ``events``: L2 events (and purges) proposed for confirmation; inclusion is the first yes vote;
* ``votes``: one bool per event still pending after this block's resolution step, in event id
  order: the producer's view of whether each one really happened;
* ``decisions``: uptime decisions (decommission, recommission, deregister) for named nodes;
* ``producer_signature`` and ``signatures``: the producer's and the validators' signatures over
  the block hash. They are *not* part of the hash and not part of the state transition: the
  quorum chain (`sesh.consensus`) checks them before a block gets here.

The encoding is canonical (one byte string per block) and versioned by its first byte; the hash
is keccak256 of the encoding without the signatures. Decoding refuses trailing or missing bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import sesh.l2.events as l2
from sesh.keccak import keccak256
from sesh.l2.events import Contributor, L2Origin
from sesh.ledger.purge import PURGE_KIND, PendingItem, ServiceNodePurge
from sesh.ledger.reader import ByteReader

BLOCK_VERSION = 2
ZERO_HASH = bytes(32)


class DecisionKind(IntEnum):
    """What an obligations quorum decided about a node (node.md §3)."""

    DECOMMISSION = 1
    RECOMMISSION = 2
    DEREGISTER = 3


@dataclass(frozen=True, slots=True)
class UptimeDecision:
    """One quorum decision about one node, named by its 32-byte Ed25519 key."""

    kind: DecisionKind
    service_node_pubkey: bytes
    reasons: int = 0
    """The failure bits of node.md §3 (0x01 uptime … 0x100 hf21_transition); informational."""

    def encode(self) -> bytes:
        if len(self.service_node_pubkey) != 32:
            raise ValueError("a service node key is 32 bytes")
        return bytes([self.kind]) + self.service_node_pubkey + self.reasons.to_bytes(4, "big")


@dataclass(frozen=True, slots=True)
class ValidatorSignature:
    """A quorum validator's signature over the block hash (checked by the quorum chain)."""

    validator: bytes
    signature: bytes

    def encode(self) -> bytes:
        if len(self.validator) != 32 or len(self.signature) > 0xFFFF:
            raise ValueError("a validator is a 32-byte key; a signature at most 65535 bytes")
        return self.validator + len(self.signature).to_bytes(2, "big") + self.signature


@dataclass(frozen=True, slots=True)
class Block:
    """One block of the network chain (see the module docstring)."""

    height: int
    prev_hash: bytes
    producer: bytes
    """The producer's 32-byte Ed25519 key."""
    l2_height: int
    l2_reward: int
    events: tuple[PendingItem, ...] = ()
    votes: tuple[bool, ...] = ()
    decisions: tuple[UptimeDecision, ...] = ()
    round: int = 0
    """The pulse round the block was produced in; a vote weighs FULL_SCORE / (round + 1)."""
    timestamp: int = 0
    random_value: bytes = ZERO_HASH
    validators: tuple[bytes, ...] = ()
    state_hash: bytes = ZERO_HASH
    producer_signature: bytes = b""
    signatures: tuple[ValidatorSignature, ...] = ()

    def encode_unsigned(self) -> bytes:
        """The canonical bytes the hash (and validator signatures) cover."""
        if len(self.prev_hash) != 32 or len(self.producer) != 32:
            raise ValueError("prev_hash and producer are 32 bytes")
        if len(self.random_value) != 32 or len(self.state_hash) != 32:
            raise ValueError("random_value and state_hash are 32 bytes")
        if len(self.validators) > 255 or any(len(v) != 32 for v in self.validators):
            raise ValueError("at most 255 validators, each a 32-byte key")
        out = bytearray([BLOCK_VERSION])
        out += self.height.to_bytes(8, "big")
        out += self.prev_hash
        out += self.producer
        out += self.round.to_bytes(1, "big")
        out += self.timestamp.to_bytes(8, "big")
        out += self.random_value
        out += len(self.validators).to_bytes(1, "big")
        out += b"".join(self.validators)
        out += self.state_hash
        out += self.l2_height.to_bytes(8, "big")
        out += self.l2_reward.to_bytes(32, "big")
        out += len(self.events).to_bytes(4, "big")
        for item in self.events:
            body = item.encode()
            out += len(body).to_bytes(4, "big") + body
        out += len(self.votes).to_bytes(4, "big")
        bits = bytearray((len(self.votes) + 7) // 8)
        for i, vote in enumerate(self.votes):
            if vote:
                bits[i >> 3] |= 1 << (i & 7)
        out += bits
        out += len(self.decisions).to_bytes(4, "big")
        for decision in self.decisions:
            out += decision.encode()
        return bytes(out)

    def encode(self) -> bytes:
        """The unsigned bytes followed by the producer's and the validators' signatures."""
        out = bytearray(self.encode_unsigned())
        if len(self.producer_signature) > 0xFF:
            raise ValueError("a producer signature is at most 255 bytes")
        out += len(self.producer_signature).to_bytes(1, "big") + self.producer_signature
        out += len(self.signatures).to_bytes(2, "big")
        for sig in self.signatures:
            out += sig.encode()
        return bytes(out)

    def hash(self) -> bytes:
        """keccak256 of the unsigned encoding: signatures never change a block's identity."""
        return keccak256(self.encode_unsigned())

    @classmethod
    def decode(cls, data: bytes) -> Block:
        """The block `encode` wrote; ValueError on anything else."""
        r = _Reader(data)
        if r.uint(1) != BLOCK_VERSION:
            raise ValueError("unknown block version")
        height = r.uint(8)
        prev_hash = r.take(32)
        producer = r.take(32)
        round_ = r.uint(1)
        timestamp = r.uint(8)
        random_value = r.take(32)
        validators = tuple(r.take(32) for _ in range(r.uint(1)))
        state_hash = r.take(32)
        l2_height = r.uint(8)
        l2_reward = r.uint(32)
        events = tuple(decode_item(r.take(r.uint(4))) for _ in range(r.uint(4)))
        n_votes = r.uint(4)
        bits = r.take((n_votes + 7) // 8)
        if n_votes % 8 and bits[-1] >> n_votes % 8:
            raise ValueError("vote bits beyond the vote count")
        votes = tuple(bool(bits[i >> 3] >> (i & 7) & 1) for i in range(n_votes))
        decisions = []
        for _ in range(r.uint(4)):
            kind = DecisionKind(r.uint(1))
            decisions.append(UptimeDecision(kind, r.take(32), r.uint(4)))
        producer_signature = r.take(r.uint(1))
        signatures = []
        for _ in range(r.uint(2)):
            validator = r.take(32)
            signatures.append(ValidatorSignature(validator, r.take(r.uint(2))))
        r.end()
        return cls(
            height=height,
            prev_hash=prev_hash,
            producer=producer,
            l2_height=l2_height,
            l2_reward=l2_reward,
            events=events,
            votes=votes,
            decisions=tuple(decisions),
            round=round_,
            timestamp=timestamp,
            random_value=random_value,
            validators=validators,
            state_hash=state_hash,
            producer_signature=producer_signature,
            signatures=tuple(signatures),
        )


class _Reader(ByteReader):
    """The block format's fields: fixed-width unsigned ints, addresses, keys, origins."""

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def address(self) -> str:
        return "0x" + self.take(20).hex()

    def bls(self) -> tuple[int, int]:
        return (self.uint(32), self.uint(32))

    def origin(self) -> L2Origin:
        chain_id = self.uint(32)
        block_number = self.uint(32)
        block_hash = self.take(32)
        return L2Origin(chain_id, block_number, block_hash, self.uint(32))

    def end(self) -> None:
        if self.pos != len(self.data):
            raise ValueError("trailing bytes")


def decode_item(data: bytes) -> PendingItem:
    """An event from its canonical encoding (`sesh.l2.events` kinds 1-5, purge 6)."""
    r = _Reader(data)
    kind = r.uint(1)
    item: PendingItem
    if kind == 1:
        origin = r.origin()
        sn_id = r.uint(32)
        initiator = r.address()
        bls = r.bls()
        ed_key = r.uint(32)
        ed_sig = r.take(r.uint(1))
        fee = r.uint(32)
        contributors = tuple(
            Contributor(r.address(), r.address(), r.uint(32)) for _ in range(r.uint(1))
        )
        seeded_byte = r.uint(1)
        if seeded_byte > 1:
            raise ValueError("bad seeded flag")
        item = l2.NewServiceNode(
            origin, sn_id, initiator, bls, ed_key, ed_sig, fee, contributors, bool(seeded_byte)
        )
    elif kind == 2:
        origin = r.origin()
        item = l2.ServiceNodeExitRequest(origin, r.uint(32), r.address(), r.bls())
    elif kind == 3:
        origin = r.origin()
        sn_id = r.uint(32)
        initiator = r.address()
        item = l2.ServiceNodeExit(origin, sn_id, initiator, r.uint(32), r.bls())
    elif kind == 4:
        origin = r.origin()
        item = l2.ServiceNodeLiquidated(origin, r.uint(32), r.address(), r.bls())
    elif kind == 5:
        item = l2.StakingRequirementUpdated(r.origin(), r.uint(32))
    elif kind == PURGE_KIND:
        item = ServiceNodePurge(r.uint(32), r.uint(32), r.bls())
    else:
        raise ValueError(f"unknown event kind {kind}")
    r.end()
    return item
