"""Who leads and who validates next: the rotation state every quorum is drawn from.

The rotation is ledger state, so it is inside the state hash and every node derives the same
quorums from the same parent block. Two fields of each node drive it (`ServiceNode`):

* ``last_leader``: the round-0 leader of a height is the active node that led longest ago (ties
  by key). Applying a block gives that node ``last_leader = height`` whether or not it made the
  block: a leader that is down costs its turn one round, then the turn moves on (the reference
  pays its round-0 leader the same way, pulse.md §1.3);
* ``last_validator``: the validator candidates are the active nodes, longest-idle first; a
  block moves the validators it names to the back.

`sesh.consensus` turns this order plus the entropy of earlier blocks into a quorum.
"""

from __future__ import annotations

from sesh.ledger.state import LedgerState


def scheduled_leader(state: LedgerState) -> bytes | None:
    """The round-0 leader of the block after `state` (None when no node is active)."""
    best: tuple[int, bytes] | None = None
    for key, node in state.nodes.items():
        if node.active and (best is None or (node.last_leader, key) < best):
            best = (node.last_leader, key)
    return None if best is None else best[1]


def validator_order(state: LedgerState) -> tuple[bytes, ...]:
    """Every active node's key, longest-idle validator first (ties by key)."""
    return tuple(
        key
        for _, key in sorted(
            (node.last_validator, key) for key, node in state.nodes.items() if node.active
        )
    )


def active_count(state: LedgerState) -> int:
    """How many nodes are active: quorum sizes scale with it."""
    return sum(1 for node in state.nodes.values() if node.active)
