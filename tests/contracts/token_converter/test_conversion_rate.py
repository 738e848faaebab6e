"""The two rates: the initial one until TGE + 180 days, the late one from that second on; the
getters and updateConversionRate act on the rate in force."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain

from ...support.contracts import call_at, error_of, reason_of, send_at
from .conftest import INITIAL_RATE, LATE_RATE, SESH

pytestmark = pytest.mark.anvil

AMOUNT_A = 1_000 * SESH


def rate_at(chain: Chain, converter: Any, timestamp: int) -> tuple[int, int]:
    numerator = call_at(chain, converter.functions.conversionRateNumerator(), timestamp)
    denominator = converter.functions.conversionRateDenominator().call()
    return numerator, denominator


def paid_at(chain: Chain, converter: Any, token_b: Any, holder: str, timestamp: int) -> int:
    """Convert AMOUNT_A in a block at ``timestamp``; the token B paid."""
    before = token_b.functions.balanceOf(holder).call()
    send_at(chain, converter.functions.convertTokens(AMOUNT_A), holder, timestamp)
    return int(token_b.functions.balanceOf(holder).call() - before)


def test_before_the_tge_the_initial_rate_applies(
    chain: Chain, converter: Any, token_b: Any, holder: str, tge: int
) -> None:
    assert paid_at(chain, converter, token_b, holder, tge - 60) == AMOUNT_A // 2


def test_the_last_second_of_the_initial_rate(
    chain: Chain, converter: Any, token_b: Any, holder: str, late_rate_from: int
) -> None:
    assert rate_at(chain, converter, late_rate_from - 2) == INITIAL_RATE
    assert paid_at(chain, converter, token_b, holder, late_rate_from - 1) == AMOUNT_A // 2


def test_the_late_rate_applies_from_its_first_second(
    chain: Chain, converter: Any, token_b: Any, holder: str, late_rate_from: int
) -> None:
    assert paid_at(chain, converter, token_b, holder, late_rate_from) == AMOUNT_A // 4
    assert converter.functions.conversionRateNumerator().call() == LATE_RATE[0]
    assert converter.functions.conversionRateDenominator().call() == LATE_RATE[1]


def test_the_getters_switch_at_the_exact_second(
    chain: Chain, converter: Any, late_rate_from: int
) -> None:
    assert rate_at(chain, converter, late_rate_from - 1) == INITIAL_RATE
    assert rate_at(chain, converter, late_rate_from) == LATE_RATE
    assert rate_at(chain, converter, late_rate_from + 365 * 86_400) == LATE_RATE


def test_an_update_before_the_switch_changes_only_the_initial_rate(
    chain: Chain, converter: Any, token_b: Any, owner: str, holder: str, late_rate_from: int
) -> None:
    receipt = chain.transact(converter.functions.updateConversionRate(3, 5), owner)
    (event,) = converter.events.RateUpdated().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"numerator": 3, "denominator": 5}
    assert converter.functions.conversionRateNumerator().call() == 3
    assert converter.functions.conversionRateDenominator().call() == 5
    assert paid_at(chain, converter, token_b, holder, late_rate_from - 1) == AMOUNT_A * 3 // 5
    assert paid_at(chain, converter, token_b, holder, late_rate_from) == AMOUNT_A // 4


def test_an_update_after_the_switch_changes_the_late_rate(
    chain: Chain, converter: Any, token_b: Any, owner: str, holder: str, late_rate_from: int
) -> None:
    send_at(chain, converter.functions.updateConversionRate(1, 8), owner, late_rate_from)
    assert converter.functions.conversionRateNumerator().call() == 1
    assert converter.functions.conversionRateDenominator().call() == 8
    assert paid_at(chain, converter, token_b, holder, late_rate_from + 1) == AMOUNT_A // 8


@pytest.mark.parametrize(("numerator", "denominator"), [(0, 1), (1, 0), (0, 0)])
def test_refuses_a_zero_component(
    converter: Any, owner: str, numerator: int, denominator: int
) -> None:
    call = converter.functions.updateConversionRate(numerator, denominator)
    assert reason_of(lambda: call.call({"from": owner})) == (
        "Conversion rate components must be greater than 0"
    )


def test_only_the_owner_updates(converter: Any, stranger: str) -> None:
    call = converter.functions.updateConversionRate(1, 3)
    assert error_of(lambda: call.call({"from": stranger}), converter.abi) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )
