"""The state transition: `apply_block(state, block) -> BlockReceipt`.

Within a block, in this order (every node must use the same one):

1. header: height, parent hash, round, timestamp and L2 height never decreasing, the reward
   clamp; then the rotation (`sesh.ledger.rotation`): the scheduled leader and the block's
   validators move to the back, and the block's random value enters the entropy window;
2. resolution: pending events decided by the votes of earlier blocks are applied (in inclusion
   order) or dropped; the vote timeout counts from inclusion;
3. votes: the block's votes, one per event left pending, in event id order;
4. uptime decisions (credits, hardfork grace, at most `max_deactivations_per_block`);
5. what falls due at this height: exit unlocks (→ recently removed), maturity (→ payable),
   delayed stake payments (→ accounts);
6. the reward, split equally among the nodes payable now;
7. the block's proposals become pending with the producer's yes vote.

A block that breaks steps 1 or 3, or whose `state_hash` is not the state hash it results in,
raises `InvalidBlock` and leaves the state untouched. Anything
else wrong (an event that fails a registration rule, a decision the credits do not allow) gets
an `Outcome` in the receipt and the block goes on.
"""

from __future__ import annotations

from dataclasses import replace

from sesh.l2.events import (
    NewServiceNode,
    ServiceNodeExit,
    ServiceNodeExitRequest,
    StakingRequirementUpdated,
)
from sesh.ledger.block import Block, DecisionKind, UptimeDecision
from sesh.ledger.outcomes import BlockReceipt, InvalidBlock, Outcome, Resolved
from sesh.ledger.purge import (
    ACTED_ON,
    PendingItem,
    ServiceNodePurge,
    item_chain_id,
    item_id,
    item_l2_height,
)
from sesh.ledger.records import (
    ConfirmedEvent,
    DelayedPayment,
    NodeIdentity,
    NodeState,
    PendingEvent,
    PurgedNode,
    RemovalKind,
    RemovedNode,
    ServiceNode,
)
from sesh.ledger.rewards import block_amount, paid_rate, reward_bounds
from sesh.ledger.rotation import scheduled_leader
from sesh.ledger.rules import (
    ZERO_ADDRESS,
    Verdict,
    check_registration,
    compute_credit,
    compute_recommission_credit,
    compute_verdict,
)
from sesh.ledger.state import (
    CONFIRMED,
    NODES,
    PAYMENTS,
    PENDING,
    PURGED,
    REMOVED,
    LedgerState,
)

MAX_UINT64 = 2**64 - 1


def apply_block(state: LedgerState, block: Block) -> BlockReceipt:
    """Apply `block` to `state` (see the module docstring); all or nothing."""
    state.begin_block()
    try:
        receipt = _apply(state, block)
    except BaseException:
        state.abort_block()
        raise
    state.commit_block()
    if block.state_hash != state.state_hash:
        state.rollback(1)
        raise InvalidBlock(
            f"block {block.height} says state {block.state_hash.hex()[:16]}…, "
            f"applying it gives {state.state_hash.hex()[:16]}…"
        )
    return replace(receipt, state_hash=state.state_hash)


def resulting_state_hash(state: LedgerState, block: Block) -> bytes:
    """The state hash applying `block` would give (its own `state_hash` is not checked); the
    state is left as it was. How a producer fills in a block's `state_hash`."""
    state.begin_block()
    try:
        _apply(state, block)
        return state.compute_state_hash()
    finally:
        state.abort_block()


def _apply(state: LedgerState, block: Block) -> BlockReceipt:
    height = state.height + 1
    block_hash = process_header(state, block, height)
    process_rotation(state, block, height)
    resolved = process_resolution(state, height)
    process_votes(state, block)
    decisions = process_decisions(state, block.decisions, height)
    process_due(state, height)
    reward = process_reward(state, block, height)
    proposals = process_proposals(state, block, height)
    state.height = height
    state.parent_hash = block.prev_hash
    state.block_hash = block_hash
    state.l2_height = block.l2_height
    state.timestamp = block.timestamp
    state.entropy = (*state.entropy[1:], block.random_value)
    return BlockReceipt(
        height=height,
        block_hash=block_hash,
        state_hash=b"",
        reward=reward,
        payable_nodes=state.payable_count,
        resolved=tuple(resolved),
        proposals=tuple(proposals),
        decisions=tuple(decisions),
    )


# -- 1. header -----------------------------------------------------------------------------------


def process_header(state: LedgerState, block: Block, height: int) -> bytes:
    if block.height != height:
        raise InvalidBlock(f"block height {block.height}, expected {height}")
    if block.prev_hash != state.block_hash:
        raise InvalidBlock(f"block {height} does not follow {state.block_hash.hex()}")
    if not 0 <= block.round <= 255:
        raise InvalidBlock(f"round {block.round} out of range")
    if not state.l2_height <= block.l2_height <= MAX_UINT64:
        raise InvalidBlock(f"L2 height {block.l2_height} is below {state.l2_height}")
    if not state.timestamp <= block.timestamp <= MAX_UINT64:
        raise InvalidBlock(f"timestamp {block.timestamp} is below its parent's {state.timestamp}")
    if len(set(block.validators)) != len(block.validators):
        raise InvalidBlock(f"block {height} names a validator twice")
    profile = state.profile
    low, high = reward_bounds(
        state.reward_window[-1], profile.reward_max_decrease, profile.reward_max_increase
    )
    if not low <= block.l2_reward <= high:
        raise InvalidBlock(f"reward rate {block.l2_reward} outside the clamp {low}..{high}")
    for decision in block.decisions:
        if not isinstance(decision.kind, DecisionKind) or len(decision.service_node_pubkey) != 32:
            raise InvalidBlock(f"block {height} has a malformed uptime decision")
    try:
        return block.hash()
    except (ValueError, OverflowError) as exc:
        raise InvalidBlock(f"block {height} cannot be encoded: {exc}") from exc


def process_rotation(state: LedgerState, block: Block, height: int) -> None:
    leader = scheduled_leader(state)
    if leader is not None:
        state.put(NODES, leader, replace(state.nodes[leader], last_leader=height))
    for key in block.validators:
        node = state.nodes.get(key)
        if node is not None and node.active:
            state.put(NODES, key, replace(node, last_validator=height))


# -- 2. resolution -------------------------------------------------------------------------------


def process_resolution(state: LedgerState, height: int) -> list[Resolved]:
    decided: list[tuple[int, int, PendingEvent, Verdict]] = []
    for pending in state.pending.values():
        verdict = compute_verdict(pending, height, state.profile)
        if verdict is not Verdict.UNDECIDED:
            decided.append((pending.included_height, pending.index, pending, verdict))
    if not decided:
        return []
    decided.sort(key=lambda d: (d[0], d[1]))
    resolved = []
    for _, _, pending, verdict in decided:
        state.put(PENDING, pending.event_id, None)
        if verdict is Verdict.ACCEPT:
            state.put(CONFIRMED, pending.event_id, ConfirmedEvent(pending.event_id, height))
            outcome = apply_event(state, pending.item, height)
            resolved.append(Resolved(pending.event_id, outcome, True))
        else:
            outcome = Outcome.DENIED if verdict is Verdict.DENY else Outcome.TIMED_OUT
            resolved.append(Resolved(pending.event_id, outcome, False))
    return resolved


def apply_event(state: LedgerState, item: PendingItem, height: int) -> Outcome:
    """Apply one confirmed event at `height`."""
    if isinstance(item, NewServiceNode):
        return process_registration(state, item, height)
    if isinstance(item, ServiceNodeExitRequest):
        return process_exit_request(state, item, height)
    if isinstance(item, ServiceNodeExit):
        return process_exit(state, item, height)
    if isinstance(item, StakingRequirementUpdated):
        if not 0 < item.new_requirement <= MAX_UINT64:
            return Outcome.BAD_REQUIREMENT
        state.staking_requirement = item.new_requirement
        return Outcome.APPLIED
    if isinstance(item, ServiceNodePurge):
        return process_purge(state, item, height)
    return Outcome.IGNORED_KIND


def process_registration(state: LedgerState, event: NewServiceNode, height: int) -> Outcome:
    pubkey_int = event.ed25519_pubkey
    if pubkey_int >> 256:
        return Outcome.BAD_SIGNATURE
    pubkey = pubkey_int.to_bytes(32, "big")
    if event.bls_pubkey in state.bls_index or pubkey in state.nodes or pubkey in state.removed:
        return Outcome.DUPLICATE_KEY
    profile = state.profile
    outcome = check_registration(event, state.staking_requirement, profile.max_contributors)
    if outcome is not Outcome.APPLIED:
        return outcome
    contributors = tuple(
        c if c.beneficiary != ZERO_ADDRESS else replace(c, beneficiary=c.address)
        for c in event.contributors
    )
    identity = NodeIdentity(
        pubkey=pubkey,
        service_node_id=event.service_node_id,
        bls_pubkey=event.bls_pubkey,
        contributors=contributors,
        fee=event.fee,
        staking_requirement=state.staking_requirement,
        registration_height=height,
        registration_l2_height=event.origin.block_number,
    )
    node = ServiceNode(
        identity=identity,
        state=NodeState.ACTIVE,
        active_since=height,
        credit_base=profile.initial_credit_blocks,
    )
    state.put(NODES, pubkey, node)
    return Outcome.APPLIED


def process_exit_request(state: LedgerState, event: ServiceNodeExitRequest, height: int) -> Outcome:
    node = state.node_by_bls(event.bls_pubkey)
    if node is None:
        return Outcome.UNKNOWN_NODE
    if node.requested_unlock_height:
        return Outcome.ALREADY_UNLOCKING
    unlock = height + state.profile.unlock_blocks
    state.put(NODES, node.pubkey, replace(node, requested_unlock_height=unlock))
    return Outcome.APPLIED


def process_exit(state: LedgerState, event: ServiceNodeExit, height: int) -> Outcome:
    """The contract removed the node and holds `returned_amount` of its stake for the
    contributors: pay it back (the slash comes out of the operator's part).

    The usual case is a recently removed node. A node the ledger still lists (its exit request
    was missed) leaves at once, unslashed; a slash on a listed node is refused (the network
    never signs a liquidation for one).
    """
    removed = state.removed_by_bls(event.bls_pubkey)
    if removed is not None:
        node = removed.info
        liquidation_height = removed.liquidation_height
        removal_height = removed.removal_height
    else:
        listed = state.node_by_bls(event.bls_pubkey)
        if listed is None:
            return Outcome.UNKNOWN_NODE
        node = listed
        liquidation_height = None
        removal_height = height
    requirement = node.staking_requirement
    slash = requirement - min(event.returned_amount, requirement)
    if slash:
        if liquidation_height is None or height < liquidation_height:
            return Outcome.SLASH_BEFORE_LIQUIDATION_HEIGHT
        if slash > node.contributors[0].amount:
            return Outcome.SLASH_ABOVE_OPERATOR_STAKE
    if removed is not None:
        state.put(REMOVED, node.pubkey, None)
    else:
        state.leave(node)  # pays what it earned so far; the record goes
        state.put(NODES, node.pubkey, None)
    payout = max(removal_height + state.profile.stake_lock_blocks, height) if slash else height
    for index, c in enumerate(node.contributors):
        amount = c.amount - slash if index == 0 else c.amount
        if amount == 0:
            continue
        if payout == height:
            state.credit_stake(c.address, amount)
        else:
            payment = DelayedPayment(payout, node.pubkey, index, c.address, amount)
            state.put(PAYMENTS, payment.key, payment)
    return Outcome.APPLIED


def process_purge(state: LedgerState, purge: ServiceNodePurge, height: int) -> Outcome:
    node = state.node_by_bls(purge.bls_pubkey)
    if node is None:
        return Outcome.UNKNOWN_NODE
    if height - node.registration_height <= state.profile.purge_min_age_blocks:
        return Outcome.NOT_PURGEABLE
    state.leave(node)
    state.put(NODES, node.pubkey, None)
    state.put(
        PURGED,
        node.pubkey,
        PurgedNode(node.pubkey, node.bls_pubkey, node.service_node_id, height),
    )
    return Outcome.APPLIED


# -- 3. votes ------------------------------------------------------------------------------------


def process_votes(state: LedgerState, block: Block) -> None:
    pending = state.pending
    if len(block.votes) != len(pending):
        raise InvalidBlock(f"{len(block.votes)} votes for {len(pending)} pending events")
    if not pending:
        return
    weight = state.profile.vote_weight(block.round)
    for event_id, vote in zip(sorted(pending), block.votes, strict=True):
        p = pending[event_id]
        if vote:
            new = PendingEvent(
                event_id, p.item, p.included_height, p.index, p.confirmations + weight, p.denials
            )
        else:
            new = PendingEvent(
                event_id, p.item, p.included_height, p.index, p.confirmations, p.denials + weight
            )
        state.put(PENDING, event_id, new)


# -- 4. uptime decisions -------------------------------------------------------------------------


def process_decisions(
    state: LedgerState, decisions: tuple[UptimeDecision, ...], height: int
) -> list[Outcome]:
    outcomes = []
    seen: set[bytes] = set()
    deactivations = 0
    profile = state.profile
    for decision in decisions:
        key = decision.service_node_pubkey
        if key in seen:
            outcomes.append(Outcome.DUPLICATE_DECISION)
            continue
        seen.add(key)
        node = state.nodes.get(key)
        if node is None:
            outcomes.append(Outcome.UNKNOWN_NODE)
            continue
        kind = decision.kind
        if kind is DecisionKind.RECOMMISSION:
            if node.state is not NodeState.DECOMMISSIONED:
                outcomes.append(Outcome.NOT_DECOMMISSIONED)
                continue
            credit = compute_recommission_credit(node, height)
            state.put(
                NODES,
                key,
                replace(
                    node,
                    state=NodeState.ACTIVE,
                    active_since=height,
                    credit_base=credit,
                    decommission_height=0,
                    credit_at_decommission=0,
                ),
            )
            outcomes.append(Outcome.APPLIED)
            continue
        credit = compute_credit(node, height, profile)
        if kind is DecisionKind.DECOMMISSION:
            if node.state is not NodeState.ACTIVE:
                outcome = Outcome.NOT_ACTIVE
            elif credit < profile.decommission_min_credit_blocks:
                outcome = Outcome.CREDIT_TOO_LOW
            else:
                outcome = Outcome.APPLIED
        else:
            if profile.in_deregistration_grace(height):
                outcome = Outcome.HARDFORK_GRACE
            elif node.state is NodeState.ACTIVE:
                too_much = credit >= profile.decommission_min_credit_blocks
                outcome = Outcome.CREDIT_REMAINING if too_much else Outcome.APPLIED
            else:
                outcome = Outcome.CREDIT_REMAINING if credit >= 0 else Outcome.APPLIED
        if outcome is Outcome.APPLIED and deactivations >= profile.max_deactivations_per_block:
            outcome = Outcome.DEACTIVATION_LIMIT
        outcomes.append(outcome)
        if outcome is not Outcome.APPLIED:
            continue
        deactivations += 1
        if kind is DecisionKind.DECOMMISSION:
            earned = state.leave(node)
            state.put(
                NODES,
                key,
                replace(
                    node,
                    payable=False,
                    snapshot=0,
                    earned=earned,
                    state=NodeState.DECOMMISSIONED,
                    decommission_height=height,
                    credit_at_decommission=credit,
                    decommission_count=node.decommission_count + 1,
                ),
            )
        else:
            remove_node(state, node, RemovalKind.DEREGISTER, height)
    return outcomes


def remove_node(state: LedgerState, node: ServiceNode, kind: RemovalKind, height: int) -> None:
    """Move a registered node to the recently removed list (rewards settled)."""
    earned = state.leave(node)
    node = replace(node, payable=False, snapshot=0, earned=earned)
    state.put(NODES, node.pubkey, None)  # before REMOVED: the indexes move with the key
    grace = state.profile.liquidation_grace_blocks
    state.put(REMOVED, node.pubkey, RemovedNode(node, kind, height, height + grace))


# -- 5. what falls due ---------------------------------------------------------------------------


def process_due(state: LedgerState, height: int) -> None:
    due = state.unlock_due.get(height)
    if due:
        for key in sorted(due):
            remove_node(state, state.nodes[key], RemovalKind.EXIT, height)
    due = state.maturity_due.get(height)
    if due:
        for key in sorted(due):
            state.put(NODES, key, replace(state.nodes[key], payable=True, snapshot=state.join()))
    payments = state.payments_due.get(height)
    if payments:
        for pkey in sorted(payments):
            payment = state.payments[pkey]
            state.put(PAYMENTS, pkey, None)
            state.credit_stake(payment.address, payment.amount)


# -- 6. reward -----------------------------------------------------------------------------------


def process_reward(state: LedgerState, block: Block, height: int) -> int:
    profile = state.profile
    rate = paid_rate(state.reward_window, height - state.genesis_height, state.initial_reward_rate)
    amount, state.reward_carry = block_amount(rate, profile.block_time, state.reward_carry)
    issued = state.distribute(amount)
    state.reward_window = (*state.reward_window[1:], block.l2_reward)
    return issued


# -- 7. proposals --------------------------------------------------------------------------------


def process_proposals(state: LedgerState, block: Block, height: int) -> list[Outcome]:
    outcomes = []
    weight = state.profile.vote_weight(block.round)
    chain_id = state.profile.l2_chain_id
    for index, item in enumerate(block.events):
        if not isinstance(item, ACTED_ON):
            outcomes.append(Outcome.IGNORED_KIND)
            continue
        if item_chain_id(item) != chain_id:
            outcomes.append(Outcome.WRONG_CHAIN)
            continue
        if item_l2_height(item) > block.l2_height:
            outcomes.append(Outcome.FUTURE_L2_HEIGHT)
            continue
        event_id = item_id(item)
        if event_id in state.pending or event_id in state.confirmed:
            outcomes.append(Outcome.DUPLICATE_EVENT)
            continue
        state.put(PENDING, event_id, PendingEvent(event_id, item, height, index, weight))
        outcomes.append(Outcome.PENDING)
    return outcomes
