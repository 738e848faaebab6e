"""RewardRatePool.payoutReleased: pays the beneficiary what accrued, exactly by the formula."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain

pytestmark = pytest.mark.anvil

HOUR = 3_600
DAY = 86_400
YEAR = 365 * DAY
Payout = Callable[[int, int], int]


def pay_out_after(chain: Chain, pool: Any, seconds: int, sender: str | None = None) -> Any:
    """Call payoutReleased exactly ``seconds`` after the last payout; the receipt."""
    chain.set_next_timestamp(pool.functions.lastPaidOutTime().call() + seconds)
    return chain.transact(pool.functions.payoutReleased(), sender)


def test_payout_after_an_hour_pays_the_formula_exactly(
    chain: Chain, pool: Any, token: Any, beneficiary: str, deposit: int, payout: Payout
) -> None:
    pay_out_after(chain, pool, HOUR)
    assert token.functions.balanceOf(beneficiary).call() == payout(deposit, HOUR)


def test_payout_takes_the_amount_from_the_pool(
    chain: Chain, pool: Any, token: Any, deposit: int, payout: Payout
) -> None:
    pay_out_after(chain, pool, HOUR)
    assert token.functions.balanceOf(pool.address).call() == deposit - payout(deposit, HOUR)


def test_payout_logs_funds_released_with_the_amount(
    chain: Chain, pool: Any, deposit: int, payout: Payout
) -> None:
    receipt = pay_out_after(chain, pool, DAY)
    (event,) = pool.events.FundsReleased().process_receipt(receipt, errors=DISCARD)
    assert event.args.amount == payout(deposit, DAY)


def test_payout_logs_funds_released_before_the_transfer(
    chain: Chain, pool: Any, token: Any
) -> None:
    receipt = pay_out_after(chain, pool, DAY)
    (released,) = pool.events.FundsReleased().process_receipt(receipt, errors=DISCARD)
    (transfer,) = token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert released.logIndex < transfer.logIndex


def test_payout_records_the_time_and_the_total(
    chain: Chain, pool: Any, deposit: int, payout: Payout
) -> None:
    receipt = pay_out_after(chain, pool, HOUR)
    timestamp = chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert pool.functions.lastPaidOutTime().call() == timestamp
    assert pool.functions.totalPaidOut().call() == payout(deposit, HOUR)


def test_a_second_payout_is_computed_on_the_reduced_balance(
    chain: Chain, pool: Any, token: Any, beneficiary: str, deposit: int, payout: Payout
) -> None:
    first = payout(deposit, DAY)
    pay_out_after(chain, pool, DAY)
    pay_out_after(chain, pool, DAY)
    second = payout(deposit - first, DAY)
    assert token.functions.balanceOf(beneficiary).call() == first + second
    assert pool.functions.totalPaidOut().call() == first + second


def test_payout_over_a_year_pays_fifteen_point_one_percent(
    chain: Chain, pool: Any, token: Any, beneficiary: str, deposit: int
) -> None:
    pay_out_after(chain, pool, YEAR)
    assert token.functions.balanceOf(beneficiary).call() == deposit * 151 // 1_000


def test_monthly_payouts_for_a_year_release_about_fourteen_percent(
    chain: Chain, pool: Any, token: Any, beneficiary: str, deposit: int
) -> None:
    # The reference's own check: simple 15.1 % paid monthly compounds to about 14.098 %.
    for _ in range(12):
        pay_out_after(chain, pool, YEAR // 12)
    share = token.functions.balanceOf(beneficiary).call() / deposit
    assert share == pytest.approx(0.14098, abs=0.00001)


def test_anyone_may_trigger_a_payout(
    chain: Chain, pool: Any, token: Any, beneficiary: str, stranger: str, deposit: int,
    payout: Payout,
) -> None:  # fmt: skip
    pay_out_after(chain, pool, HOUR, sender=stranger)
    assert token.functions.balanceOf(beneficiary).call() == payout(deposit, HOUR)
    assert token.functions.balanceOf(stranger).call() == 0


def test_a_deposit_counts_only_from_the_next_payout_on_its_whole_period(
    chain: Chain, pool: Any, token: Any, owner: str, beneficiary: str, deposit: int,
    payout: Payout,
) -> None:  # fmt: skip
    # The formula uses the balance at payout time for the whole period since the last one.
    chain.transact(token.functions.transfer(pool.address, deposit), owner)
    pay_out_after(chain, pool, HOUR)
    assert token.functions.balanceOf(beneficiary).call() == payout(2 * deposit, HOUR)


def test_an_empty_pool_pays_out_zero(
    chain: Chain, pool_artifact: Any, token: Any, owner: str, beneficiary: str
) -> None:
    empty, _ = chain.deploy_upgradeable(pool_artifact, args=[beneficiary, token.address])
    receipt = pay_out_after(chain, empty, DAY)
    (event,) = empty.events.FundsReleased().process_receipt(receipt, errors=DISCARD)
    assert event.args.amount == 0
    assert token.functions.balanceOf(beneficiary).call() == 0
