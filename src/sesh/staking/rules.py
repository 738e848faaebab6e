"""The contracts' arithmetic, recomputed for display: minimum contributions and vesting.

`sesh contribution show` and `sesh vesting show` explain a contract's state in words: what is
still open, the least a newcomer may put in, what a lock would release now. The contracts
compute some of this on chain, but not in a form fit to show (``minimumContribution()``
reverts when no slot is left, TokenVestingNoStaking has no view of what is releasable), so the
rules are written here once more, as pure functions over the contract's state, each with the
contract function it mirrors named; the end-to-end tests check them against the contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sesh.evm.addresses import nonzero
from sesh.units import parse_positive_amount

CONTRIBUTION_STATUS = {
    0: "waiting for the operator's contribution",
    1: "open for contributions",
    2: "full, waiting for the operator to finalize",
    3: "finalized: the node is registered",
}
"""ServiceNodeContribution's status values (the reference's Status enum), in words."""

_STATUS_ADVICE = {
    0: "the operator contributes first (`sesh contribution contribute`)",
    1: "it needs more contributions first (`sesh contribution show` says how much is open)",
    2: "the operator finalizes it (`sesh contribution finalize`)",
    3: "nothing more can happen to it: its node is registered",
}
"""What to do next in each status, for a refusal that only gives the status."""

_STATUS_ERRORS = {
    "FinalizeNotPossible": "cannot be finalized",
    "ContributeFundsNotPossible": "takes no contributions",
    "RequireWaitForOperatorContribStatus": "cannot change its reservations or manual finalize",
    "RescueNotPossible": "holds nothing to rescue",
}
"""ServiceNodeContribution's errors whose only argument is its status, and what was refused."""


def explain_refusal(name: str, args: tuple[object, ...]) -> str | None:
    """What a contract's refusal means and what to do, in words, for errors that only give a
    code; None for errors that read on their own."""
    if name == "ClaimThresholdExceeded":
        return (
            "all claims together have reached the network's limit for this claim cycle; "
            "`sesh rewards ADDRESS` says how much is left and when the limit is whole again"
        )
    if name in _STATUS_ERRORS and len(args) == 1 and isinstance(args[0], int):
        status = args[0]
        state = CONTRIBUTION_STATUS.get(status, f"in status {status}")
        advice = _STATUS_ADVICE.get(status, "")
        return f"the contract {_STATUS_ERRORS[name]} while {state}" + (
            f"; {advice}" if advice else ""
        )
    return None


CLIFF_DENOMINATOR = 5
"""TokenVestingNoStaking vests 1/5 of the grant at the cliff."""


def calc_minimum_contribution(remaining: int, contributors: int, max_contributors: int) -> int:
    """``ServiceNodeContribution.calcMinimumContribution``: a quarter of what remains for the
    first contributor (the operator), else what remains over the slots left; rounded up.

    ValueError where the contract reverts: no slot left, or nothing remaining.
    """
    if max_contributors <= contributors:
        raise ValueError(f"no slot left ({contributors} of {max_contributors} taken)")
    if remaining <= 0:
        raise ValueError("nothing remains to contribute")
    divisor = 4 if contributors == 0 else max_contributors - contributors
    return (remaining - 1) // divisor + 1


@dataclass(frozen=True)
class Contributor:
    """Someone who paid into a contribution contract (``getContributions``)."""

    address: str
    beneficiary: str
    """Where the node's rewards for this stake are signed to."""
    amount: int
    """Atoms paid in."""


@dataclass(frozen=True)
class Reservation:
    """A slot held for one address (``getReserved``)."""

    address: str
    amount: int
    """The least this address must contribute, in atoms."""
    received: bool
    """Whether the reserved contributor has paid in."""


@dataclass(frozen=True)
class OpenStake:
    """A contribution contract's stake: who has paid in, who holds a slot, and so what is still
    open."""

    staking_requirement: int
    max_contributors: int
    contributors: tuple[Contributor, ...]
    """In the contract's order: the operator first."""
    reservations: tuple[Reservation, ...]

    @property
    def contributed(self) -> int:
        """The sum of every contribution."""
        return sum(c.amount for c in self.contributors)

    @property
    def unfilled(self) -> tuple[Reservation, ...]:
        """The reservations not yet received: each holds back a slot and its amount."""
        return tuple(r for r in self.reservations if not r.received)

    @property
    def reserved_unfilled(self) -> int:
        """What the reservations not yet received hold back."""
        return sum(r.amount for r in self.unfilled)

    @property
    def open_amount(self) -> int:
        """What a newcomer without a reservation may still contribute, at most."""
        return max(self.staking_requirement - self.contributed - self.reserved_unfilled, 0)

    @property
    def open_slots(self) -> int:
        """How many newcomers without a reservation may still join."""
        return max(self.max_contributors - self._taken_slots, 0)

    @property
    def minimum_contribution(self) -> int | None:
        """``ServiceNodeContribution.minimumContribution()``; None where it would revert (no
        slot or nothing left open)."""
        if self.open_slots == 0 or self.open_amount == 0:
            return None
        return calc_minimum_contribution(self.open_amount, self._taken_slots, self.max_contributors)

    @property
    def _taken_slots(self) -> int:
        return len(self.contributors) + len(self.unfilled)

    def reservation_of(self, address: str) -> Reservation | None:
        for reservation in self.reservations:
            if reservation.address.lower() == address.lower():
                return reservation
        return None


def releasable_staking_lock(balance: int, end: int, now: int, revoked: bool) -> int:
    """What ``TokenVestingStaking.release`` would pay the beneficiary at ``now``: the whole
    balance from ``end`` on (a full cliff), nothing before, nothing once revoked (the balance
    is the revoker's then)."""
    if revoked or now < end:
        return 0
    return balance


def releasable_no_staking_lock(
    balance: int, released: int, cliff: int, end: int, now: int, revoked: bool
) -> int:
    """What ``TokenVestingNoStaking.release`` would pay at ``now`` (its ``_releasable``):
    nothing before the cliff; a fifth of the grant (balance + released) at the cliff and the
    rest linearly to the end; everything vested from the end on, or once revoked."""
    if now < cliff:
        return 0
    grant = balance + released
    if now >= end or revoked:
        return grant - released
    at_cliff = grant // CLIFF_DENOMINATOR
    vested = at_cliff + (grant - at_cliff) * (now - cliff) // (end - cliff)
    return vested - released


# -- reservations ------------------------------------------------------------------------------


def parse_reservation(text: str) -> tuple[str, int]:
    """``"0xAbC…:20"`` (or ``=``) → (checksummed address, 20·10⁹): a reserved contribution.
    Neither the zero address nor a zero amount: the contract would hold a slot for nobody or
    for nothing."""
    address, separator, amount = text.strip().replace("=", ":").partition(":")
    if not separator:
        raise ValueError(f"{text!r} is not ADDRESS:AMOUNT (e.g. 0x…:20 for 20 SESH)")
    return nonzero(address.strip(), "the reserved address"), parse_positive_amount(amount)


@dataclass(frozen=True, slots=True)
class ClaimLimit:
    """The network-wide claim limit as `claimRewards` will apply it now."""

    available: int
    """What all claims together may still take in the current cycle (atoms)."""
    resets_at: int
    """When the next cycle starts (unix seconds): the limit is whole again then."""


def claim_limit(threshold: int, cycle: int, total: int, total_cycle: int, now: int) -> ClaimLimit:
    """`claimRewards`' rate limit (ServiceNodeRewards: `claimThreshold`, `claimCycle`,
    `currentClaimTotal`, `currentClaimCycle`), at `now`.

    The contract resets the total lazily: only a claim that lands in a new cycle
    (floor(now / claimCycle) > currentClaimCycle) starts it again from zero. So a total read
    from the contract may belong to a cycle that is over, and then the whole threshold is
    available. The reference portal read `currentClaimTotal` alone and told users to wait when
    they need not."""
    current = now // cycle
    used = total if current <= total_cycle else 0
    return ClaimLimit(max(threshold - used, 0), (current + 1) * cycle)
