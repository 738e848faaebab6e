"""`Ledger`: the state plus the transition, the object the node layer holds."""

from __future__ import annotations

from sesh.ledger.block import Block
from sesh.ledger.outcomes import BlockReceipt
from sesh.ledger.state import LedgerState
from sesh.ledger.transition import apply_block


class Ledger(LedgerState):
    """The network chain's state at its current height, able to apply the next block and to
    roll back the last `ROLLBACK_DEPTH` blocks.

    Build one from a profile (`Ledger(MAINNET, initial_reward_rate=...)`) and feed it blocks
    in order; two ledgers fed the same blocks have the same `state_hash` at every height.
    """

    def apply(self, block: Block) -> BlockReceipt:
        """Apply the next block, all or nothing (`InvalidBlock` leaves the state unchanged)."""
        return apply_block(self, block)
