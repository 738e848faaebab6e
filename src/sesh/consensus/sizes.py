"""How big quorums are and how many signatures they need, for any number of active nodes.

Mainnet keeps the reference's sizes: a leader and 11 validators, 7 signatures; checkpoints by 20
nodes with 13 votes. A small network cannot fill those, so the sizes are a deterministic function
of the active node count N, chosen so that with ⌊N/3⌋ nodes stopped (the contract's non-signer
threshold) blocks and checkpoints still come:

* pulse: while N - 1 ≤ 11 every other active node validates (Q = N - 1) and the threshold is
  T = min(7, Q - ⌊N/3⌋): even when every stopped node is in the quorum, T of them answer. Beyond
  that, Q = 11 and T = 7; a round whose quorum drew too many stopped nodes fails and the next
  round draws another (backup rounds). For N ≥ 4, 2T > Q: two blocks of one round need a
  validator that signed both, which is recorded as equivocation;
* checkpoints: while N ≤ 20 all active nodes are members and M = min(13, N - ⌊N/3⌋) votes
  are needed; beyond, 20 members drawn per checkpoint and 13 votes (a checkpoint whose members
  drew too many stopped nodes is missed; the next draws others);
* a network of one is a quorum of one: the leader alone, no validators (tests and experiments);
* below `min_active` active nodes the network stalls, and says so: no hidden producer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QuorumRules:
    """The full-size numbers a profile uses (the reference's by default)."""

    validators: int = 11
    signatures: int = 7
    checkpoint_interval: int = 4
    checkpoint_members: int = 20
    checkpoint_votes: int = 13
    min_active: int = 1
    """Fewer active nodes than this: no block (mainnet would set the reference's 12)."""


@dataclass(frozen=True, slots=True)
class Sizes:
    validators: int
    threshold: int


def pulse_sizes(active: int, rules: QuorumRules) -> Sizes | None:
    """Validators per round and signatures per block with `active` nodes (None: stall)."""
    if active < max(1, rules.min_active):
        return None
    if active - 1 <= rules.validators:
        q = active - 1
        t = min(rules.signatures, q - active // 3) if q else 0
        return Sizes(q, max(t, 1) if q else 0)
    return Sizes(rules.validators, rules.signatures)


def checkpoint_sizes(active: int, rules: QuorumRules) -> Sizes | None:
    """Checkpoint members and the votes a checkpoint needs (None: no checkpoints)."""
    if active < max(1, rules.min_active):
        return None
    if active <= rules.checkpoint_members:
        return Sizes(active, max(1, min(rules.checkpoint_votes, active - active // 3)))
    return Sizes(rules.checkpoint_members, rules.checkpoint_votes)
