"""RewardRatePool's views: rewardRate, calculateReleasedAmount, calculateTotalDeposited and
calculatePayoutAmount, each against the formula at a known block time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sesh.evm.chain import Chain, revert_data

pytestmark = pytest.mark.anvil

HOUR = 3_600
DAY = 86_400
YEAR = 365 * DAY
BLOCK = 120
Payout = Callable[[int, int], int]


def advance(chain: Chain, pool: Any, seconds: int) -> None:
    """Mine a block ``seconds`` after the last payout; views then run at that time."""
    chain.mine(pool.functions.lastPaidOutTime().call() + seconds)


def pay_out_after(chain: Chain, pool: Any, seconds: int) -> None:
    chain.set_next_timestamp(pool.functions.lastPaidOutTime().call() + seconds)
    chain.transact(pool.functions.payoutReleased())


def test_calculate_payout_amount_is_the_simple_annual_rate(pool: Any) -> None:
    assert pool.functions.calculatePayoutAmount(1_000 * 10**9, YEAR).call() == 151 * 10**9


def test_calculate_payout_amount_floors_the_result(pool: Any, payout: Payout) -> None:
    assert pool.functions.calculatePayoutAmount(1_000, HOUR).call() == 0
    assert (
        pool.functions.calculatePayoutAmount(10**12, 7).call() == payout(10**12, 7) == 33_517
    )  # 33,517.25


def test_calculate_payout_amount_of_nothing_is_zero(pool: Any) -> None:
    assert pool.functions.calculatePayoutAmount(0, YEAR).call() == 0
    assert pool.functions.calculatePayoutAmount(10**18, 0).call() == 0


def test_calculate_payout_amount_reverts_on_overflow(pool: Any) -> None:
    assert revert_data(lambda: pool.functions.calculatePayoutAmount(2**255, 2).call()) == b""


def test_reward_rate_is_two_minutes_of_payout_on_the_balance_left_after_a_payout_now(
    chain: Chain, pool: Any, deposit: int, payout: Payout
) -> None:
    advance(chain, pool, DAY)
    expected = payout(deposit - payout(deposit, DAY), BLOCK)
    assert pool.functions.rewardRate().call() == expected


def test_reward_rate_right_after_a_payout_uses_the_whole_balance(
    chain: Chain, pool: Any, token: Any, payout: Payout
) -> None:
    pay_out_after(chain, pool, DAY)
    balance = token.functions.balanceOf(pool.address).call()
    assert pool.functions.rewardRate().call() == payout(balance, BLOCK)


def test_calculate_released_amount_adds_the_pending_payout_to_the_total(
    chain: Chain, pool: Any, deposit: int, payout: Payout
) -> None:
    pay_out_after(chain, pool, DAY)
    paid = payout(deposit, DAY)
    advance(chain, pool, HOUR)
    expected = paid + payout(deposit - paid, HOUR)
    assert pool.functions.calculateReleasedAmount().call() == expected


def test_calculate_total_deposited_is_balance_plus_payouts(
    chain: Chain, pool: Any, token: Any, owner: str, deposit: int
) -> None:
    pay_out_after(chain, pool, DAY)
    assert pool.functions.calculateTotalDeposited().call() == deposit
    chain.transact(token.functions.transfer(pool.address, 5), owner)
    assert pool.functions.calculateTotalDeposited().call() == deposit + 5
