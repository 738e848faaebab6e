"""What became of each event and decision in a block, and the one way a whole block fails.

Outcome codes are consensus: they appear in receipts that every node computes identically, so a
code never changes meaning and new codes get new numbers. A bad event or decision gets a code
and the block goes on; only a block that breaks the chain's own rules (`InvalidBlock`) is
refused, and then the ledger is left exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class InvalidBlock(Exception):
    """The block cannot follow the current state (height, parent, votes, reward, L2 height)."""


class HeightUnavailable(LookupError):
    """A query asked about a height the ledger no longer (or does not yet) remembers."""


class Outcome(IntEnum):
    APPLIED = 0
    """Confirmed and applied; for a decision, applied."""
    PENDING = 1
    """A proposal accepted for voting."""
    DENIED = 2
    """The network voted the event down."""
    TIMED_OUT = 3
    """No decision within the vote timeout: denied."""

    # proposals
    DUPLICATE_EVENT = 10
    IGNORED_KIND = 11
    WRONG_CHAIN = 12
    FUTURE_L2_HEIGHT = 13

    # confirmed events (node.md §2)
    DUPLICATE_KEY = 20
    BAD_CONTRIBUTOR_COUNT = 21
    DUPLICATE_CONTRIBUTOR = 22
    OPERATOR_STAKE_TOO_LOW = 23
    STAKE_ABOVE_REMAINING = 24
    STAKE_TOTAL_MISMATCH = 25
    FEE_TOO_HIGH = 26
    BAD_SIGNATURE = 27
    UNKNOWN_NODE = 30
    ALREADY_UNLOCKING = 31
    SLASH_BEFORE_LIQUIDATION_HEIGHT = 32
    SLASH_ABOVE_OPERATOR_STAKE = 33
    NOT_PURGEABLE = 34
    BAD_REQUIREMENT = 35

    # uptime decisions (node.md §3)
    NOT_ACTIVE = 40
    NOT_DECOMMISSIONED = 41
    CREDIT_TOO_LOW = 42
    """A decommission needs at least the minimum credit (else the quorum deregisters)."""
    CREDIT_REMAINING = 43
    """A deregistration while the node still has credit (it should be decommissioned)."""
    HARDFORK_GRACE = 44
    DEACTIVATION_LIMIT = 45
    DUPLICATE_DECISION = 46


@dataclass(frozen=True, slots=True)
class Resolved:
    """A pending event the block resolved: confirmed (with the outcome of applying it) or not."""

    event_id: bytes
    outcome: Outcome
    """APPLIED or a rejection code when confirmed; DENIED or TIMED_OUT otherwise."""
    confirmed: bool


@dataclass(frozen=True, slots=True)
class BlockReceipt:
    """What applying one block did (deterministic: every node computes the same receipt)."""

    height: int
    block_hash: bytes
    state_hash: bytes
    reward: int
    """Atoms issued by this block (0 when no node was payable)."""
    payable_nodes: int
    resolved: tuple[Resolved, ...]
    proposals: tuple[Outcome, ...]
    """One per proposed event, in block order."""
    decisions: tuple[Outcome, ...]
    """One per uptime decision, in block order."""
