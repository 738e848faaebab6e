"""Funding: the rewards the ledger issues must reach the rewards contract before anyone claims.

The network signs lifetime balances; the contract pays claims from its own SESH, which also
holds the stakes. The RewardRatePool releases SESH at the same annual rate the ledger issues at,
but only transfers it to the rewards contract when someone calls ``payoutReleased()``. So:

* a node configured with a signer calls ``payoutReleased()`` every ``payout_interval`` seconds
  (on the devnet with a dev account);
* every ``check_interval`` seconds (and after each payout) the node compares what the ledger has
  issued with what the rewards contract has received from the pool (``totalPaidOut()``) plus
  what the pool has released and not yet paid (``calculateReleasedAmount()`` includes both),
  read at the tracker's safe block. Issued above that means the network has promised more than
  the pool has released: claims would eat into stakes. The node warns in its log and in
  ``sesh node status``. The comparison itself is `check_funding`, a pure function.

Why both sides can differ at all: the ledger pays the pool's rate per block of ``block_time``,
and its blocks are not the L2's clock (a test's network on a clock of its own issues hours of
rewards in seconds); the pool releases by L2 time from its own initialisation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesh.l2.errors import AllProvidersFailed, ChainMoved
from sesh.l2.position import BlockRef
from sesh.l2.views import call_data, decode_uint256, selector

if TYPE_CHECKING:
    from web3.types import TxParams

    from sesh.evm.chain import Chain

log = logging.getLogger("sesh.node.funding")

PAYOUT_RELEASED = "payoutReleased()"
TOTAL_PAID_OUT = "totalPaidOut()"
RELEASED_AMOUNT = "calculateReleasedAmount()"
BALANCE_OF = "balanceOf(address)"

DEFAULT_PAYOUT_INTERVAL = 600.0
"""Seconds between two ``payoutReleased()`` calls: often enough that the rewards contract
always holds about the last ten minutes' rewards, rare enough to cost little gas."""
DEFAULT_CHECK_INTERVAL = 30.0
"""Seconds between two funding checks (three ``eth_call``s)."""


@dataclass(frozen=True)
class PoolView:
    """The funding side on L2, read at one block."""

    l2_height: int
    paid_out: int
    """``RewardRatePool.totalPaidOut()``: what the rewards contract has received."""
    released: int
    """``calculateReleasedAmount()``: paid out plus what a payout now would transfer."""
    contract_balance: int
    """SESH held by the rewards contract: stakes plus rewards not yet claimed (information)."""


@dataclass(frozen=True)
class FundingCheck:
    """The ledger's issued rewards against the pool's release (`check_funding`)."""

    height: int
    issued: int
    view: PoolView

    @property
    def shortfall(self) -> int:
        """Issued beyond what the pool has released (0 when covered)."""
        return max(0, self.issued - self.view.released)

    @property
    def ahead(self) -> bool:
        """The ledger has issued more than the pool has released."""
        return self.shortfall > 0

    @property
    def unpaid(self) -> int:
        """Released but not yet transferred: what a ``payoutReleased()`` would move now."""
        return max(0, self.view.released - self.view.paid_out)

    def message(self) -> str:
        if self.ahead:
            return (
                f"the ledger has issued {self.issued} atoms of rewards, {self.shortfall} more than "
                f"the pool has released ({self.view.released}): claims of the difference would be "
                "paid from stakes"
            )
        return (
            f"issued {self.issued} atoms, released {self.view.released}, "
            f"{self.unpaid} awaiting payoutReleased()"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "l2Height": self.view.l2_height,
            "issued": self.issued,
            "paidOut": self.view.paid_out,
            "released": self.view.released,
            "contractBalance": self.view.contract_balance,
            "shortfall": self.shortfall,
            "unpaid": self.unpaid,
            "ahead": self.ahead,
            "message": self.message(),
        }


def check_funding(height: int, issued: int, view: PoolView) -> FundingCheck:
    """Compare the ledger's issued rewards at ``height`` with the pool (pure)."""
    if issued < 0 or view.paid_out < 0 or view.released < view.paid_out:
        raise ValueError("issued and paid out are non-negative; released is at least paid out")
    return FundingCheck(height, issued, view)


CallsAt = Callable[[Sequence[tuple[str, bytes]], BlockRef], list[bytes]]
"""``eth_call`` of each (contract, call data) at a block, the answers in order: the tracker's
``calls_at`` (with its failover), or anything that answers the same way."""

StatusWriter = Callable[[str, Any], None]
"""Records one non-consensus status entry: the store's ``set_status``."""


def read_pool_view(
    calls_at: CallsAt, pool: str, token: str, rewards: str, at: BlockRef
) -> PoolView:
    """The pool's figures and the rewards contract's balance at block ``at``."""
    calls = [
        (pool, call_data(TOTAL_PAID_OUT)),
        (pool, call_data(RELEASED_AMOUNT)),
        (token, call_data(BALANCE_OF, int(rewards, 16))),
    ]
    answers = calls_at(calls, at)
    paid_out, released, balance = (
        decode_uint256(answer, what)
        for answer, what in zip(answers, (TOTAL_PAID_OUT, RELEASED_AMOUNT, BALANCE_OF), strict=True)
    )
    return PoolView(at.number, paid_out, released, balance)


def evm_payer(chain: Chain, pool: str) -> Callable[[], str]:
    """A function that sends ``payoutReleased()`` to ``pool`` from ``chain``'s default sender
    and returns the transaction hash."""

    def pay() -> str:
        transaction: TxParams = {
            "to": chain.w3.to_checksum_address(pool),
            "data": selector(PAYOUT_RELEASED),
        }
        receipt = chain.send(transaction, contract="RewardRatePool")
        return "0x" + bytes(receipt["transactionHash"]).hex()

    return pay


@dataclass(kw_only=True, eq=False)
class Funding:
    """The node's funding schedule: payouts (with a payer) and checks; see the module docstring.

    It reads L2 through ``calls_at`` and records what it did through ``record``; the node
    hands it the ledger's height, what the ledger has issued and the safe block after each
    block, and nothing else."""

    pool: str
    token: str
    rewards: str
    calls_at: CallsAt
    record: StatusWriter
    payer: Callable[[], str] | None = None
    payout_interval: float = DEFAULT_PAYOUT_INTERVAL
    check_interval: float = DEFAULT_CHECK_INTERVAL
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    last_check: FundingCheck | None = field(default=None, init=False)
    _next_payout: float | None = field(default=None, init=False, repr=False)
    _next_check: float | None = field(default=None, init=False, repr=False)
    _was_ahead: bool = field(default=False, init=False, repr=False)
    _skipping: bool = field(default=False, init=False, repr=False)

    def after_block(self, height: int, issued: int, safe: BlockRef | None) -> None:
        """After block ``height`` (the ledger has issued ``issued`` atoms; ``safe`` is the
        tracker's safe block, None before the first successful poll): pay out and check when
        due. Never raises for an L2 failure: it is logged."""
        now = self.clock()
        paid = False
        if self.payer is not None and (self._next_payout is None or now >= self._next_payout):
            self._next_payout = now + self.payout_interval
            paid = self.pay_out(height)
        if paid or self._next_check is None or now >= self._next_check:
            self._next_check = now + self.check_interval
            self.check(height, issued, safe)

    def pay_out(self, height: int) -> bool:
        assert self.payer is not None
        record: dict[str, Any] = {"at": self.wall_clock(), "height": height}
        try:
            record["tx"] = self.payer()
            log.info("payoutReleased() sent: %s", record["tx"])
        except Exception as error:  # any failure of the payout is reported, never fatal
            record["error"] = " ".join(str(error).split()) or type(error).__name__
            log.warning("payoutReleased() failed: %s", record["error"])
        self.record("payout", record)
        return "tx" in record

    def check(self, height: int, issued: int, safe: BlockRef | None) -> FundingCheck | None:
        if safe is None:
            return None
        try:
            view = read_pool_view(self.calls_at, self.pool, self.token, self.rewards, safe)
        except (AllProvidersFailed, ChainMoved) as error:
            if not self._skipping:
                log.warning(
                    "funding check skipped: L2 does not answer for block %d (a provider, or a "
                    "restarted devnet, may keep only its latest state; said once): %s",
                    safe.number,
                    error,
                )
            self._skipping = True
            return None
        self._skipping = False
        result = check_funding(height, issued, view)
        self.last_check = result
        self.record("funding", result.to_json())
        if result.ahead and not self._was_ahead:
            log.warning("funding: %s", result.message())
        elif self._was_ahead and not result.ahead:
            log.info("funding: covered again (%s)", result.message())
        self._was_ahead = result.ahead
        return result
