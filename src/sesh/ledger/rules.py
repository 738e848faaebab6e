"""The rules that decide, as pure functions of a record and a height: votes, credits,
registrations, removability. The transition applies them; the producer and the queries use
the same functions, so they never disagree with the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from sesh.l2.events import NewServiceNode
from sesh.ledger.outcomes import Outcome
from sesh.ledger.params import FEE_DENOMINATOR, FULL_SCORE, NetworkProfile
from sesh.ledger.records import NodeState, PendingEvent, ServiceNode

ZERO_ADDRESS = "0x" + "00" * 20


# -- votes (node.md §1.3) ------------------------------------------------------------------------


class Verdict(Enum):
    UNDECIDED = 0
    ACCEPT = 1
    DENY = 2
    TIMEOUT = 3


def compute_verdict(pending: PendingEvent, height: int, profile: NetworkProfile) -> Verdict:
    """What block `height` decides about `pending`, from the votes of the blocks before it.

    Accept when confirmations exceed denials by `vote_accept_margin` full votes and are at
    least twice the denials; deny by the mirror rule; deny after `vote_timeout_blocks` without
    a decision. With round-0 producers an event is accepted 5 blocks after its inclusion.
    """
    margin = profile.vote_accept_margin * FULL_SCORE
    conf, deny = pending.confirmations, pending.denials
    if conf >= deny + margin and conf >= 2 * deny:
        return Verdict.ACCEPT
    if deny >= conf + margin and deny >= 2 * conf:
        return Verdict.DENY
    if height - pending.included_height >= profile.vote_timeout_blocks:
        return Verdict.TIMEOUT
    return Verdict.UNDECIDED


def still_pending(
    pending: Iterable[PendingEvent], height: int, profile: NetworkProfile
) -> list[PendingEvent]:
    """The events block `height` must vote on (those its resolution step leaves), id order."""
    left = [p for p in pending if compute_verdict(p, height, profile) is Verdict.UNDECIDED]
    left.sort(key=lambda p: p.event_id)
    return left


# -- registration (node.md §2) -------------------------------------------------------------------


def ed25519_message(event: NewServiceNode) -> bytes:
    """What a node's Ed25519 key signs to register: its key (32 B) ‖ its BLS key (64 B)."""
    x, y = event.bls_pubkey
    return event.ed25519_pubkey.to_bytes(32, "big") + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def is_valid_ed25519_signature(event: NewServiceNode) -> bool:
    """Whether the registration carries the node key's signature over `ed25519_message`."""
    if len(event.ed25519_signature) != 64 or event.ed25519_pubkey >> 256:
        return False
    try:
        key = VerifyKey(event.ed25519_pubkey.to_bytes(32, "big"))
        key.verify(ed25519_message(event), event.ed25519_signature)
    except (BadSignatureError, ValueError, TypeError):
        return False
    except Exception:  # libsodium refuses some malformed points with its own errors
        return False
    return True


def check_registration(event: NewServiceNode, requirement: int, max_contributors: int) -> Outcome:
    """APPLIED if the registration satisfies node.md §2, else the first rule it breaks (key
    duplicates are the state's business). A seeded node has neither an Ed25519 signature nor
    the operator's 25 % rule (the contract's `seedPublicKeyList` does not have it either)."""
    contributors = event.contributors
    if not 1 <= len(contributors) <= max_contributors:
        return Outcome.BAD_CONTRIBUTOR_COUNT
    if len({c.address for c in contributors}) != len(contributors):
        return Outcome.DUPLICATE_CONTRIBUTOR
    if not event.seeded and contributors[0].amount < requirement // 4:
        return Outcome.OPERATOR_STAKE_TOO_LOW
    remaining = requirement
    for c in contributors:
        if c.amount > remaining:
            return Outcome.STAKE_ABOVE_REMAINING
        remaining -= c.amount
    if remaining:
        return Outcome.STAKE_TOTAL_MISMATCH
    if event.fee > FEE_DENOMINATOR:
        return Outcome.FEE_TOO_HIGH
    if not event.seeded and not is_valid_ed25519_signature(event):
        return Outcome.BAD_SIGNATURE
    return Outcome.APPLIED


# -- credits (node.md §3) ------------------------------------------------------------------------


def compute_credit(node: ServiceNode, height: int, profile: NetworkProfile) -> int:
    """The node's decommission credit in blocks at `height`.

    Active: the credit it (re)started with plus `credit_per_day` per day active, capped.
    Decommissioned: the credit it had when decommissioned, less one per block since (below
    zero, the quorum deregisters it).
    """
    if node.state is NodeState.DECOMMISSIONED:
        return node.credit_at_decommission - (height - node.decommission_height)
    grown = (height - node.active_since) * profile.credit_per_day_blocks // profile.day_blocks
    return min(profile.max_credit_blocks, node.credit_base + grown)


def compute_recommission_credit(node: ServiceNode, height: int) -> int:
    """Credit after a recommission: what it had at decommission less twice the blocks down."""
    down = height - node.decommission_height
    return max(0, node.credit_at_decommission - 2 * down)


# -- removability (node.md §2, §4.5) -------------------------------------------------------------


class Reason(Enum):
    """Why a key may or may not be exited or liquidated now."""

    RECENTLY_REMOVED = "recently removed"
    CONTRACT_ONLY = "in the contract but unknown to the network"
    REGISTERED = "registered"
    UNLOCKING = "registered, unlocking"
    PENDING_REGISTRATION = "registration pending"
    LIQUIDATION_GRACE = "recently removed, in the liquidation grace period"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether the network will sign an exit (or a liquidation) of a key now; if not, why and,
    when it will become possible without anything else happening, from which height."""

    allowed: bool
    reason: Reason
    from_height: int | None = None
