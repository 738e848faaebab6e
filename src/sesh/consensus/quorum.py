"""The quorums of a height, derived from the parent's state alone.

`QuorumBasis.of(state)` takes from the state at H - 1 what every quorum of H depends on: the
round-0 leader and the validator order of the rotation (`sesh.ledger.rotation`), and the entropy
of the ancestors H - 22 … H - 11 (the oldest 12 of the state's window; the genesis hash stands
in for blocks before genesis). Round r of height H then has, through `sesh.consensus.prf`:

* seed = BLAKE2b-256 over "sesh.pulse" ‖ r ‖ those 12 random values;
* producer: the round-0 leader in round 0; a uniform pick among the active nodes in later rounds
  (a leader that is down costs one round);
* validators: the active nodes but the producer, longest-idle first; position i takes one of the
  first ⌊(n-1)/2⌋ remaining candidates (idle nodes come first, yet nobody can tell far ahead);
* the threshold of `sesh.consensus.sizes`.

Checkpoint members for a height C are a shuffle of the active nodes seeded by block C's hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sesh.consensus.prf import shuffle, uniform
from sesh.consensus.sizes import QuorumRules, checkpoint_sizes, pulse_sizes
from sesh.ledger import LedgerState, scheduled_leader, validator_order

ENTROPY_ANCESTORS = 12
"""Random values a quorum draws on: the ancestors H-22 … H-11."""


@dataclass(frozen=True, slots=True)
class Quorum:
    """Who makes block `height` in `round` on top of `parent`, and how many must sign."""

    height: int
    round: int
    parent: bytes
    producer: bytes
    validators: tuple[bytes, ...]
    threshold: int

    def position(self, key: bytes) -> int | None:
        """The validator index of `key` (None when it does not validate this round)."""
        try:
            return self.validators.index(key)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class QuorumBasis:
    """What the quorums of the block after `parent` depend on (see the module docstring)."""

    height: int
    parent: bytes
    parent_timestamp: int
    leader: bytes | None
    order: tuple[bytes, ...]
    entropy: tuple[bytes, ...]
    rules: QuorumRules
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """Quorums already drawn: a basis is shared by every node on the same parent."""

    @classmethod
    def of(cls, state: LedgerState, rules: QuorumRules) -> QuorumBasis:
        return cls(
            height=state.height + 1,
            parent=state.block_hash,
            parent_timestamp=state.timestamp,
            leader=scheduled_leader(state),
            order=validator_order(state),
            entropy=state.entropy[:ENTROPY_ANCESTORS],
            rules=rules,
        )

    @property
    def active(self) -> int:
        return len(self.order)

    def seed(self, round_: int) -> bytes:
        h = hashlib.blake2b(b"sesh.pulse" + bytes([round_]), digest_size=32)
        for value in self.entropy:
            h.update(value)
        return h.digest()

    def quorum(self, round_: int) -> Quorum | None:
        """The quorum of `round_` (None when too few nodes are active: the network stalls)."""
        if round_ not in self._memo:
            self._memo[round_] = self._draw(round_)
        result: Quorum | None = self._memo[round_]
        return result

    def _draw(self, round_: int) -> Quorum | None:
        sizes = pulse_sizes(self.active, self.rules)
        if sizes is None or self.leader is None or not 0 <= round_ <= 255:
            return None
        seed = self.seed(round_)
        candidates = list(self.order)
        if round_ == 0:
            producer = self.leader
        else:
            producer = candidates[uniform(seed, b"producer", 0, len(candidates))]
        candidates.remove(producer)
        window = max(1, (len(candidates) - 1) // 2)
        for i in range(min(sizes.validators, len(candidates))):
            j = i + uniform(seed, b"validator", i, min(window, len(candidates) - i))
            candidates[i], candidates[j] = candidates[j], candidates[i]
        return Quorum(
            height=self.height,
            round=round_,
            parent=self.parent,
            producer=producer,
            validators=tuple(candidates[: sizes.validators]),
            threshold=sizes.threshold,
        )

    def checkpoint(self) -> tuple[frozenset[bytes], int]:
        """The members voting on a checkpoint at the parent block (this basis is the state
        after it), seeded by its hash, and the votes it needs; (∅, 0) when none."""
        if "checkpoint" not in self._memo:
            sizes = checkpoint_sizes(self.active, self.rules)
            if sizes is None:
                self._memo["checkpoint"] = (frozenset(), 0)
            else:
                everyone = tuple(sorted(self.order))
                members = shuffle(self.parent, b"checkpoint", everyone, sizes.validators)
                self._memo["checkpoint"] = (frozenset(members), sizes.threshold)
        result: tuple[frozenset[bytes], int] = self._memo["checkpoint"]
        return result
