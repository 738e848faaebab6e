"""The network chain's state transition: pure, deterministic, no I/O.

`Ledger.apply(block)` takes the state from one height to the next; the same blocks give the same
`state_hash` on every machine. Blocks carry confirmed-by-vote L2 events, uptime decisions and a
reward rate (`sesh.ledger.block`); the state holds the node list, recently removed nodes,
lifetime balances per address, delayed stake payments and pending events (`sesh.ledger.state`).
Rewards are exact integers, settled lazily (`sesh.ledger.rewards`); the ledger can roll back
the last 360 blocks. See docs/architecture.md, section `sesh.ledger`.
"""

from sesh.ledger.block import Block, DecisionKind, UptimeDecision, ValidatorSignature
from sesh.ledger.genesis import GenesisError, genesis_ledger
from sesh.ledger.invariants import (
    Conservation,
    InvariantViolation,
    check_invariants,
    conservation,
)
from sesh.ledger.ledger import Ledger
from sesh.ledger.outcomes import BlockReceipt, HeightUnavailable, InvalidBlock, Outcome, Resolved
from sesh.ledger.params import (
    DEVNET,
    DEVNET_FAST,
    MAINNET,
    PROFILES,
    SESH,
    TESTNET,
    NetworkProfile,
)
from sesh.ledger.producer import PurgeView, produce_block, seal
from sesh.ledger.purge import PendingItem, ServiceNodePurge, item_id
from sesh.ledger.queries import (
    AccountSummary,
    ExitListEntry,
    NodeInfo,
    PendingInfo,
    account_summary,
    contract_only_keys,
    exit_eligibility,
    exit_liquidation_list,
    liquidation_eligibility,
    pending_events,
    reward_balance,
    service_node,
    service_nodes,
)
from sesh.ledger.records import NodeState, RemovalKind, ServiceNode
from sesh.ledger.rewards import UNITS_PER_ATOM
from sesh.ledger.rotation import active_count, scheduled_leader, validator_order
from sesh.ledger.rules import Eligibility, Reason
from sesh.ledger.state import ENTROPY_WINDOW, ROLLBACK_DEPTH, LedgerState
from sesh.ledger.transition import apply_block

__all__ = [
    "DEVNET",
    "DEVNET_FAST",
    "ENTROPY_WINDOW",
    "MAINNET",
    "PROFILES",
    "ROLLBACK_DEPTH",
    "SESH",
    "TESTNET",
    "UNITS_PER_ATOM",
    "AccountSummary",
    "Block",
    "BlockReceipt",
    "Conservation",
    "DecisionKind",
    "Eligibility",
    "ExitListEntry",
    "GenesisError",
    "HeightUnavailable",
    "InvalidBlock",
    "InvariantViolation",
    "Ledger",
    "LedgerState",
    "NetworkProfile",
    "NodeInfo",
    "NodeState",
    "Outcome",
    "PendingInfo",
    "PendingItem",
    "PurgeView",
    "Reason",
    "RemovalKind",
    "Resolved",
    "ServiceNode",
    "ServiceNodePurge",
    "UptimeDecision",
    "ValidatorSignature",
    "account_summary",
    "active_count",
    "apply_block",
    "check_invariants",
    "conservation",
    "contract_only_keys",
    "exit_eligibility",
    "exit_liquidation_list",
    "genesis_ledger",
    "item_id",
    "liquidation_eligibility",
    "pending_events",
    "produce_block",
    "reward_balance",
    "scheduled_leader",
    "seal",
    "service_node",
    "service_nodes",
    "validator_order",
]
