"""calculatePayoutAmount against a Python model, over generated balances and periods.

The model is the formula written out independently (conftest.payout_model). Inputs range over
realistic amounts (up to the whole supply, up to decades) and over the uint256 edge, where the
contract must revert exactly when the reference's checked arithmetic would overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesh.evm.chain import revert_data

pytestmark = pytest.mark.anvil

UINT256_MAX = 2**256 - 1
SUPPLY = 240_000_000 * 10**9
CENTURY = 100 * 365 * 86_400

# One eth_call per example, and the fixtures are read-only: the function-scoped snapshot
# fixture need not be re-run between examples.
calls = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@calls
@given(balance=st.integers(0, SUPPLY), seconds=st.integers(0, CENTURY))
def test_payout_matches_the_model_for_realistic_inputs(
    pool: Any, payout: Callable[[int, int], int], balance: int, seconds: int
) -> None:
    assert pool.functions.calculatePayoutAmount(balance, seconds).call() == payout(balance, seconds)


@calls
@given(balance=st.integers(0, UINT256_MAX), seconds=st.integers(0, UINT256_MAX))
def test_payout_matches_the_model_or_reverts_on_overflow(
    pool: Any, payout: Callable[[int, int], int], balance: int, seconds: int
) -> None:
    call = pool.functions.calculatePayoutAmount(balance, seconds)
    # Checked left to right, as the reference: balance · 151, then · seconds.
    overflows = balance * 151 > UINT256_MAX or balance * 151 * seconds > UINT256_MAX
    if overflows:
        assert revert_data(call.call) == b""
    else:
        assert call.call() == payout(balance, seconds)
