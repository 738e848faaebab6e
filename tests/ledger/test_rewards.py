"""Rewards against hand-computed cases (node.md §4): maturity, the operator fee, the pro-rata
split, beneficiaries, decommissioned nodes, stake returns, slashes, the rate rules, and the
block-time scaling. RATE = 1,000,000 atoms a block on the test profile."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sesh.l2.events import event_id
from sesh.ledger import (
    DEVNET,
    DEVNET_FAST,
    MAINNET,
    HeightUnavailable,
    InvalidBlock,
    Ledger,
    Outcome,
    account_summary,
    conservation,
)
from sesh.ledger.block import DecisionKind

from .conftest import (
    GRACE,
    LOCK,
    MATURITY,
    PROFILE,
    RATE,
    SESH,
    STAKE,
    UNLOCK,
    Net,
    addr,
)


def confirm_together(net: Net, events: list) -> int:
    """Emit several events at once; return the height they all took effect."""
    ids = {event_id(e) for e in events}
    net.seen.extend(events)
    while ids:
        receipt = net.step()
        for r in receipt.resolved:
            assert r.outcome is Outcome.APPLIED, r
            ids.discard(r.event_id)
    return net.ledger.height


def test_a_node_is_paid_from_maturity_on() -> None:
    net = Net()
    confirmed = net.register(1)
    net.until(confirmed + MATURITY - 1)
    assert net.balance(addr(1)) == 0
    net.step()
    assert net.balance(addr(1)) == RATE
    net.steps(9)
    assert net.balance(addr(1)) == 10 * RATE


def test_operator_fee_first_then_pro_rata_by_stake() -> None:
    net = Net()
    confirmed = net.register(1, [(addr(1), 60 * SESH), (addr(2), 40 * SESH)], fee=1_000)
    net.until(confirmed + MATURITY + 9)  # ten paid blocks: 10,000,000 atoms
    # fee 10 %: 1,000,000 to the operator; 9,000,000 split 60 / 40
    assert net.balance(addr(1)) == 1_000_000 + 5_400_000
    assert net.balance(addr(2)) == 3_600_000


def test_rewards_go_to_beneficiaries_and_stakes_to_stakers() -> None:
    net = Net()
    stakes = [(addr(1), addr(11), 25 * SESH), (addr(2), addr(12), 75 * SESH)]
    confirmed = net.register(1, stakes, fee=2_000)
    net.until(confirmed + MATURITY + 9)  # 10,000,000 atoms
    # fee 20 % = 2,000,000 to the operator's beneficiary; 8,000,000 split 25 / 75
    assert net.balance(addr(11)) == 2_000_000 + 2_000_000
    assert net.balance(addr(12)) == 6_000_000
    assert net.balance(addr(1)) == net.balance(addr(2)) == 0

    net.confirm(net.exit(1))  # the contract let it go unslashed: stakes come back at once
    assert net.balance(addr(1)) == 25 * SESH
    assert net.balance(addr(2)) == 75 * SESH
    assert net.balance(addr(11)) + net.balance(addr(12)) >= 10_000_000


def test_payable_nodes_share_each_block_equally() -> None:
    net = Net()
    first = net.register(1)
    second = net.register(2)
    net.until(second + MATURITY - 1)
    alone = net.ledger.height - (first + MATURITY) + 1  # blocks node 1 was paid alone
    assert net.balance(addr(1)) == alone * RATE
    net.steps(4)
    assert net.balance(addr(1)) == alone * RATE + 4 * RATE // 2
    assert net.balance(addr(2)) == 4 * RATE // 2


def test_a_share_that_does_not_divide_is_carried_not_lost() -> None:
    net = Net()
    confirmed = confirm_together(net, [net.registration(i) for i in (1, 2, 3)])
    net.until(confirmed + MATURITY - 1)
    net.step()
    # one block: 1,000,000 / 3 each, floored; the third of a unit waits for the next block
    assert [net.balance(addr(i)) for i in (1, 2, 3)] == [333_333] * 3
    net.steps(2)
    assert [net.balance(addr(i)) for i in (1, 2, 3)] == [1_000_000] * 3
    c = conservation(net.ledger)
    assert c.issued == c.paid + c.dust and c.dust == 0


def test_a_decommissioned_node_earns_nothing() -> None:
    net = Net()
    confirmed = confirm_together(net, [net.registration(i) for i in (1, 2)])
    net.until(confirmed + MATURITY)  # one paid block each: 500,000
    assert net.decide(DecisionKind.DECOMMISSION, 2) is Outcome.APPLIED
    net.steps(4)
    assert net.balance(addr(2)) == RATE // 2
    assert net.balance(addr(1)) == RATE // 2 + 5 * RATE

    # recommissioned, it matures again before it is paid
    assert net.decide(DecisionKind.RECOMMISSION, 2) is Outcome.APPLIED
    back = net.ledger.height
    net.until(back + MATURITY - 1)
    assert net.balance(addr(2)) == RATE // 2
    net.step()
    assert net.balance(addr(2)) == RATE // 2 + RATE // 2


def test_stake_comes_back_after_an_exit() -> None:
    net = Net()
    confirmed = net.register(1, [(addr(1), 60 * SESH), (addr(2), 40 * SESH)])
    net.until(confirmed + MATURITY + 4)  # 5 paid blocks
    requested, outcome = net.confirm(net.exit_request(1))
    assert outcome is Outcome.APPLIED
    net.until(requested + UNLOCK - 1)
    paid_blocks = net.ledger.height - (confirmed + MATURITY) + 1
    net.step()  # the unlock height: the node leaves, unpaid in this block
    assert net.ledger.removed and not net.ledger.nodes
    rewards = [net.balance(addr(1)), net.balance(addr(2))]
    assert rewards == [paid_blocks * RATE * 60 // 100, paid_blocks * RATE * 40 // 100]
    net.steps(3)
    assert [net.balance(addr(1)), net.balance(addr(2))] == rewards

    _, outcome = net.confirm(net.exit(1))
    assert outcome is Outcome.APPLIED
    assert net.balance(addr(1)) == rewards[0] + 60 * SESH
    assert net.balance(addr(2)) == rewards[1] + 40 * SESH
    assert not net.ledger.removed


def deregistered(net: Net, i: int) -> int:
    """Decommission node i, let its 60 blocks of credit run out, deregister it: the height."""
    assert net.decide(DecisionKind.DECOMMISSION, i) is Outcome.APPLIED
    net.steps(60)
    assert net.decide(DecisionKind.DEREGISTER, i) is Outcome.APPLIED
    return net.ledger.height


def test_a_slashed_stake_is_paid_after_the_lock() -> None:
    net = Net()
    net.register(1, [(addr(1), 50 * SESH), (addr(2), 50 * SESH)])
    removed_at = deregistered(net, 1)
    before = [net.balance(addr(1)), net.balance(addr(2))]
    slash = 3 * SESH

    # a liquidation seen before the grace period ends is refused
    early = net.exit(1, STAKE - slash)
    height, outcome = net.confirm(early)
    assert height < removed_at + GRACE
    assert outcome is Outcome.SLASH_BEFORE_LIQUIDATION_HEIGHT
    assert net.ledger.removed

    net.until(removed_at + GRACE)
    _, outcome = net.confirm(net.exit(1, STAKE - slash))
    assert outcome is Outcome.APPLIED
    # nothing yet: a slashed stake waits 30 days (here 30 blocks) from the removal
    assert [net.balance(addr(1)), net.balance(addr(2))] == before
    summary = account_summary(net.ledger, addr(1))
    assert summary.timelocked_stakes == 50 * SESH - slash
    net.until(removed_at + LOCK - 1)
    assert net.balance(addr(2)) == before[1]
    net.step()
    assert net.balance(addr(1)) == before[0] + 50 * SESH - slash  # the slash: the operator's
    assert net.balance(addr(2)) == before[1] + 50 * SESH


def test_a_slash_above_the_operator_stake_is_refused() -> None:
    net = Net()
    net.register(1, [(addr(1), 25 * SESH), (addr(2), 75 * SESH)])
    removed_at = deregistered(net, 1)
    net.until(removed_at + GRACE)
    _, outcome = net.confirm(net.exit(1, STAKE - 26 * SESH))
    assert outcome is Outcome.SLASH_ABOVE_OPERATOR_STAKE
    assert net.ledger.removed


# -- the rate ------------------------------------------------------------------------------------


def quick_profile(**changes: object) -> Net:
    """A network whose nodes are payable as soon as registered, without invariant checks."""
    return Net(profile=replace(PROFILE, maturity=0, **changes), check=False)  # type: ignore[arg-type]


def test_the_first_blocks_pay_the_genesis_rate_then_the_minimum_of_the_last_15() -> None:
    net = quick_profile()
    net.pool_rate = RATE // 2  # the pool falls: every block's rate is clamped at prev − prev/25000
    confirmed = net.register(1)
    net.until(20)
    receipts = net.receipts
    for height in range(confirmed, 16):  # the first 15 blocks pay the genesis rate
        assert receipts[height - 1].reward == RATE
    l2_rewards = []
    previous = RATE
    for _ in range(20):
        previous -= previous // 25_000
        l2_rewards.append(previous)
    for height in range(16, 21):
        assert receipts[height - 1].reward == min(l2_rewards[height - 16 : height - 1])


def test_a_rising_rate_is_paid_from_the_oldest_of_the_window() -> None:
    net = quick_profile()
    net.pool_rate = 2 * RATE
    net.register(1)
    net.until(40)
    rates = [RATE]
    for _ in range(40):
        rates.append(rates[-1] + rates[-1] // 50_000)
    l2_rewards = rates[1:]  # block h carries l2_rewards[h-1]
    for height in range(16, 41):
        assert net.receipts[height - 1].reward == l2_rewards[height - 16]


def test_a_reward_outside_the_clamp_makes_the_block_invalid() -> None:
    net = Net()
    net.steps(2)
    before = net.ledger.state_hash
    block = net.make_block()
    too_high = replace(block, l2_reward=block.l2_reward + block.l2_reward // 50_000 + 1)
    with pytest.raises(InvalidBlock, match="clamp"):
        net.ledger.apply(too_high)
    assert net.ledger.state_hash == before
    net.apply(block)


def test_a_devnet_issues_the_same_sesh_per_hour_as_mainnet() -> None:
    issued = {}
    for block_time in (120, 2, 1):
        net = quick_profile(block_time=block_time)
        net.register(1)
        start = net.ledger.issued
        net.steps(3_600 // block_time)
        issued[block_time] = net.ledger.issued - start
    assert issued == {120: 30 * RATE, 2: 30 * RATE, 1: 30 * RATE}


def test_profiles_convert_durations_to_blocks() -> None:
    assert MAINNET.maturity_blocks == 720
    assert MAINNET.unlock_blocks == 10_800
    assert MAINNET.liquidation_grace_blocks == 5_040
    assert MAINNET.stake_lock_blocks == 21_600
    assert MAINNET.initial_credit_blocks == 60
    assert MAINNET.credit_per_day_blocks == 24
    assert MAINNET.max_credit_blocks == 1_440
    assert DEVNET.initial_credit_blocks == 3_600
    assert DEVNET.maturity_blocks == 30
    assert DEVNET_FAST.maturity_blocks == 5 and DEVNET_FAST.unlock_blocks == 10


def test_a_block_with_no_payable_node_issues_nothing() -> None:
    net = Net()
    receipts = net.steps(5)
    assert [r.reward for r in receipts] == [0] * 5
    assert net.ledger.issued == 0


# -- balances at past heights --------------------------------------------------------------------


def test_balances_are_answered_for_the_last_360_heights() -> None:
    net = Net(check=False)
    confirmed = net.register(1, [(addr(1), 60 * SESH), (addr(2), 40 * SESH)], fee=500)
    net.register(2)
    history: dict[int, tuple[int, int]] = {}
    for step in range(400):
        if step == 100:
            assert net.decide(DecisionKind.DECOMMISSION, 1) is Outcome.APPLIED
        elif step == 150:
            assert net.decide(DecisionKind.RECOMMISSION, 1) is Outcome.APPLIED
        else:
            net.step()
        history[net.ledger.height] = (net.balance(addr(1)), net.balance(addr(2)))
    top = net.ledger.height
    assert top > confirmed + 400
    for height in range(top - 360, top + 1):
        assert (net.balance(addr(1), height), net.balance(addr(2), height)) == history[height]
    with pytest.raises(HeightUnavailable):
        net.balance(addr(1), top - 361)
    with pytest.raises(HeightUnavailable):
        net.balance(addr(1), top + 1)


def test_genesis_can_start_from_the_pools_rate() -> None:
    ledger = Ledger(PROFILE, initial_reward_rate=7, height=100, l2_height=5)
    assert ledger.reward_window == (7,) * 15
    assert ledger.height == 100
