"""The devnet's background transactions: the pool's payouts every `PAYOUT_SECONDS`, and the claim
limit a user asks for (`--claim-limit`).

The network signs what the ledger issues; the rewards contract pays claims from the SESH the
pool has transferred to it. On a real network some node operator calls `payoutReleased()`
(`sesh node run --fund-interval`); the devnet does it itself, often, so that a claim never waits
for funds. It sends from an address of its own that no dev account is (anvil lets the devnet
send as any address, and gives it the ETH for gas): a user's transactions from the printed dev
accounts never find their nonces taken by the devnet's.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from sesh.keccak import keccak256

log = logging.getLogger("sesh.devnet")

PAYOUT_SECONDS = 10.0
"""Seconds between two payouts (the pool releases continuously; a claim sees at most this much
of the newest rewards unpaid, far less than the stakes the contract holds anyway)."""
PAYER = "0x5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e0001"
"""The devnet's own sender: not one of anvil's dev accounts, and nobody holds its key."""
PAYER_ETH = 10**21
"""Wei the payer is given at every start (1,000 ETH: gas for years of payouts)."""
PAYOUT_CALL = "0x" + keccak256(b"payoutReleased()")[:4].hex()


class Payer:
    """Calls `payoutReleased()` on `pool` every `interval` seconds through `rpc` (anvil's raw
    JSON-RPC: `Anvil.rpc`), from `PAYER`. A failure is said once, until a payout works again."""

    def __init__(self, rpc: Any, pool: str, interval: float = PAYOUT_SECONDS) -> None:
        self.rpc = rpc
        self.pool = pool
        self.interval = interval
        self.next_at = 0.0
        self.payouts = 0
        self.failing: str | None = None

    def start(self) -> None:
        """Let the devnet send as `PAYER`, with ETH for gas (anvil forgets the first on restart;
        the balance is topped up to the same amount)."""
        self.rpc("anvil_impersonateAccount", PAYER)
        self.rpc("anvil_setBalance", PAYER, hex(PAYER_ETH))

    def step(self, now: float) -> None:
        """Pay out when the interval is over (mined at once: the devnet automines)."""
        if now < self.next_at:
            return
        self.next_at = now + self.interval
        try:
            self.rpc("eth_sendTransaction", {"from": PAYER, "to": self.pool, "data": PAYOUT_CALL})
        except Exception as error:  # the devnet goes on; the node's funding check warns too
            text = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            if text != self.failing:
                print(f"sesh devnet: warning: the pool payout failed: {text}", file=sys.stderr)
            self.failing = text
            return
        if self.failing is not None:
            print("sesh devnet: the pool payouts work again", file=sys.stderr)
        self.failing = None
        self.payouts += 1


def set_claim_limit(rpc: Any, rewards: str, threshold: int, cycle: int | None) -> None:
    """`setClaimThreshold` (and `setClaimCycle`) from dev account 0, the contracts' owner."""
    from sesh.evm.anvil import dev_keys

    owner = dev_keys()[0].address
    calls = [("setClaimThreshold(uint256)", threshold)]
    if cycle is not None:
        calls.append(("setClaimCycle(uint256)", cycle))
    for signature, value in calls:
        data = keccak256(signature.encode())[:4] + value.to_bytes(32, "big")
        rpc("eth_sendTransaction", {"from": owner, "to": rewards, "data": "0x" + data.hex()})


def describe_claim_limit(threshold: int, cycle: int | None) -> str:
    from sesh.units import format_amount, format_duration

    per = format_duration(cycle) if cycle is not None else "cycle (unchanged)"
    return f"{format_amount(threshold)} per {per}, for all claims together"
