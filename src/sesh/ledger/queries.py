"""What the rest of the system asks the ledger: balances, removability, the exit list, the node
list as the portal shows it, pending events. Reads only; never changes the state.

Historical balances (`reward_balance(..., height=h)`) are answered from the undo journal for
the last `ROLLBACK_DEPTH` heights; older heights raise `HeightUnavailable`, as the reference
answers "unknown" (node.md §4.3).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sesh.l2.events import Contributor, NewServiceNode, normalize_address
from sesh.ledger.records import (
    Account,
    NodeIdentity,
    NodeState,
    RemovalKind,
    RemovedNode,
    ServiceNode,
)
from sesh.ledger.rewards import UNITS_PER_ATOM, beneficiary_units
from sesh.ledger.rules import Eligibility, Reason, compute_credit
from sesh.ledger.state import ACCOUNTS, NODES, BlsKey, LedgerState

PORTIONS_FOR_OPERATOR_MAX = 2**64 - 4
"""The reference stores the fee as portions of this (node.md §2); the portal still reads it."""


# -- balances ------------------------------------------------------------------------------------


def _unsettled_for(node: ServiceNode, acc: int, address: str) -> int:
    if not node.payable:
        return 0
    earned = node.earned
    later = earned + acc - node.snapshot
    i = node.identity
    return beneficiary_units(
        i.contributors, i.weights, i.total_weight, later, address
    ) - beneficiary_units(i.contributors, i.weights, i.total_weight, earned, address)


def _is_beneficiary(node: ServiceNode, address: str) -> bool:
    return any(c.beneficiary == address for c in node.contributors)


def reward_units(state: LedgerState, address: str, height: int | None = None) -> tuple[int, int]:
    """(reward units, returned stake atoms) owed to `address` after block `height` (default:
    the current height), unsettled node rewards included."""
    address = normalize_address(address)
    if height is None or height == state.height:
        account = state.accounts.get(address)
        acc = state.acc
        nodes = [
            node
            for key in state.by_address.get(address, ())
            if (node := state.nodes.get(key)) is not None
        ]
    else:
        acc = state.scalars_at(height).acc  # raises HeightUnavailable
        account = state.record_at(ACCOUNTS, address, height)
        keys = set(state.by_address.get(address, ()))
        for key, old in state.keys_changed_after(NODES, height):
            if old is not None and _is_beneficiary(old, address):
                keys.add(key)
        nodes = [
            node
            for key in sorted(keys)
            if (node := state.record_at(NODES, key, height)) is not None
        ]
    units = account.reward_units if account is not None else 0
    stake = account.stake if account is not None else 0
    for node in nodes:
        units += _unsettled_for(node, acc, address)
    return units, stake


def reward_balance(state: LedgerState, address: str, height: int | None = None) -> int:
    """The lifetime amount (atoms) the network signs for `address` at `height`: rewards (the
    floor of its exact entitlement) plus returned stakes. It never decreases."""
    units, stake = reward_units(state, address, height)
    return units // UNITS_PER_ATOM + stake


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """An address's money as the portal shows it (atoms)."""

    address: str
    balance: int
    """What `updateRewardsBalance` may be signed for: rewards + returned stakes."""
    rewards: int
    returned_stakes: int
    locked_stakes: int
    """Staked in registered or recently removed nodes (not yet returned)."""
    timelocked_stakes: int
    """Returned after a slash, payable later (see `payments`)."""


def account_summary(state: LedgerState, address: str) -> AccountSummary:
    address = normalize_address(address)
    units, stake = reward_units(state, address)
    locked = 0
    for key in state.by_address.get(address, ()):
        node = state.nodes.get(key)
        if node is None:
            node = state.removed[key].info
        locked += sum(c.amount for c in node.contributors if c.address == address)
    timelocked = sum(p.amount for p in state.payments.values() if p.address == address)
    rewards = units // UNITS_PER_ATOM
    return AccountSummary(address, rewards + stake, rewards, stake, locked, timelocked)


def accounts(state: LedgerState) -> list[Account]:
    """Every account with settled amounts, by address (unsettled rewards not included)."""
    return [state.accounts[a] for a in sorted(state.accounts)]


# -- exits and liquidations ----------------------------------------------------------------------


def _has_pending_registration(state: LedgerState, bls_pubkey: BlsKey) -> bool:
    return any(
        isinstance(p.item, NewServiceNode) and p.item.bls_pubkey == bls_pubkey
        for p in state.pending.values()
    )


def bls_key_of(state: LedgerState, pubkey: bytes) -> BlsKey | None:
    """The BLS key of a registered or recently removed node named by its Ed25519 key."""
    node = state.nodes.get(pubkey)
    if node is not None:
        return node.bls_pubkey
    removed = state.removed.get(pubkey)
    return None if removed is None else removed.info.bls_pubkey


def exit_eligibility(
    state: LedgerState, key: BlsKey | bytes, contract_keys: Collection[BlsKey] | None = None
) -> Eligibility:
    """Whether the network signs an exit of `key` now (node.md §2 removable); `key` is the
    BLS key, or the node's 32-byte Ed25519 key.

    `contract_keys` is the contract's `allServiceNodeIDs()` key set as the node last fetched it;
    without it a key unknown to the ledger is simply unknown.
    """
    return _eligibility(state, key, contract_keys, liquidation=False)


def liquidation_eligibility(
    state: LedgerState, key: BlsKey | bytes, contract_keys: Collection[BlsKey] | None = None
) -> Eligibility:
    """Whether the network signs a liquidation of `key` now (node.md §2 liquidatable)."""
    return _eligibility(state, key, contract_keys, liquidation=True)


def _eligibility(
    state: LedgerState,
    key: BlsKey | bytes,
    contract_keys: Collection[BlsKey] | None,
    *,
    liquidation: bool,
) -> Eligibility:
    if isinstance(key, bytes):
        found = bls_key_of(state, key)
        if found is None:
            return Eligibility(False, Reason.UNKNOWN)
        key = found
    bls_pubkey = key
    removed = state.removed_by_bls(bls_pubkey)
    if removed is not None:
        if liquidation and state.height < removed.liquidation_height:
            return Eligibility(False, Reason.LIQUIDATION_GRACE, removed.liquidation_height)
        return Eligibility(True, Reason.RECENTLY_REMOVED)
    node = state.node_by_bls(bls_pubkey)
    if node is not None:
        if node.requested_unlock_height:
            start = node.requested_unlock_height
            if liquidation:
                start += state.profile.liquidation_grace_blocks
            return Eligibility(False, Reason.UNLOCKING, start)
        return Eligibility(False, Reason.REGISTERED)
    if _has_pending_registration(state, bls_pubkey):
        return Eligibility(False, Reason.PENDING_REGISTRATION)
    if contract_keys is not None and bls_pubkey in contract_keys:
        return Eligibility(True, Reason.CONTRACT_ONLY)
    return Eligibility(False, Reason.UNKNOWN)


def contract_only_keys(state: LedgerState, contract_keys: Collection[BlsKey]) -> list[BlsKey]:
    """Keys the contract lists that the ledger neither knows nor expects: removable and
    liquidatable at once (node.md §1.4, reverse case)."""
    return sorted(
        key
        for key in contract_keys
        if key not in state.bls_index and not _has_pending_registration(state, key)
    )


@dataclass(frozen=True, slots=True)
class ExitListEntry:
    """One recently removed node (`bls_exit_liquidation_list`)."""

    node: NodeIdentity
    """Who the node is: its keys and id, operator, fee, stake and contributors."""
    kind: RemovalKind
    height: int
    liquidation_height: int
    liquidatable: bool


def _exit_entry(state: LedgerState, entry: RemovedNode) -> ExitListEntry:
    return ExitListEntry(
        node=entry.info.identity,
        kind=entry.kind,
        height=entry.removal_height,
        liquidation_height=entry.liquidation_height,
        liquidatable=state.height >= entry.liquidation_height,
    )


def exit_liquidation_list(state: LedgerState) -> list[ExitListEntry]:
    """The recently removed nodes, oldest removal first."""
    entries = sorted(state.removed.values(), key=lambda e: (e.removal_height, e.pubkey))
    return [_exit_entry(state, e) for e in entries]


# -- the node list -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """A registered node with what the portal and explorer show (reference/portal.md §2a);
    network-side facts (IP, versions, last uptime proof, swarm) come from the node layer."""

    pubkey: bytes
    bls_pubkey: BlsKey
    service_node_id: int
    state: NodeState
    active: bool
    funded: bool
    payable: bool
    registration_height: int
    registration_l2_height: int
    state_height: int
    """The registration, last recommission or decommission height."""
    requested_unlock_height: int
    earned_downtime_blocks: int
    """Decommission credit (blocks) now."""
    decommission_count: int
    last_reward_block_height: int | None
    """The current height when payable (every payable node is paid every block)."""
    contributors: tuple[Contributor, ...]
    total_contributed: int
    staking_requirement: int
    operator_fee: int
    portions_for_operator: int
    operator_address: str
    pending_rewards: int
    """Atoms earned since the node was last settled (already part of the balances)."""
    is_removable: bool
    is_liquidatable: bool


def node_info(state: LedgerState, node: ServiceNode) -> NodeInfo:
    active = node.state is NodeState.ACTIVE
    pending = (state.acc - node.snapshot) // UNITS_PER_ATOM if node.payable else 0
    return NodeInfo(
        pubkey=node.pubkey,
        bls_pubkey=node.bls_pubkey,
        service_node_id=node.service_node_id,
        state=node.state,
        active=active,
        funded=True,
        payable=node.payable,
        registration_height=node.registration_height,
        registration_l2_height=node.registration_l2_height,
        state_height=node.active_since if active else node.decommission_height,
        requested_unlock_height=node.requested_unlock_height,
        earned_downtime_blocks=compute_credit(node, state.height, state.profile),
        decommission_count=node.decommission_count,
        last_reward_block_height=state.height if node.payable else None,
        contributors=node.contributors,
        total_contributed=sum(c.amount for c in node.contributors),
        staking_requirement=node.staking_requirement,
        operator_fee=node.fee,
        portions_for_operator=node.fee * PORTIONS_FOR_OPERATOR_MAX // 10_000,
        operator_address=node.operator,
        pending_rewards=pending,
        is_removable=False,
        is_liquidatable=False,
    )


def service_nodes(state: LedgerState) -> list[NodeInfo]:
    """Every registered node, by registration height then key."""
    nodes = sorted(state.nodes.values(), key=lambda n: (n.registration_height, n.pubkey))
    return [node_info(state, n) for n in nodes]


def service_node(state: LedgerState, pubkey: bytes) -> NodeInfo | None:
    node = state.nodes.get(pubkey)
    return None if node is None else node_info(state, node)


# -- pending events ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingInfo:
    """A pending event and its points (`get_pending_events`)."""

    event_id: bytes
    kind: str
    included_height: int
    confirmations: int
    denials: int


def pending_events(state: LedgerState) -> list[PendingInfo]:
    return [
        PendingInfo(
            p.event_id, type(p.item).__name__, p.included_height, p.confirmations, p.denials
        )
        for p in (state.pending[k] for k in sorted(state.pending))
    ]
