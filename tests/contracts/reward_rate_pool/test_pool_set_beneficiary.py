"""RewardRatePool.setBeneficiary: owner only; future payouts go to the new beneficiary."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data

pytestmark = pytest.mark.anvil


def test_the_owner_sets_the_beneficiary(chain: Chain, pool: Any, owner: str, stranger: str) -> None:
    chain.transact(pool.functions.setBeneficiary(stranger), owner)
    assert pool.functions.beneficiary().call() == stranger


def test_set_beneficiary_logs_beneficiary_updated(
    chain: Chain, pool: Any, owner: str, stranger: str
) -> None:
    receipt = chain.transact(pool.functions.setBeneficiary(stranger), owner)
    (event,) = pool.events.BeneficiaryUpdated().process_receipt(receipt, errors=DISCARD)
    assert event.args.newBeneficiary == stranger


def test_payouts_follow_the_new_beneficiary(
    chain: Chain, pool: Any, token: Any, owner: str, beneficiary: str, stranger: str
) -> None:
    chain.transact(pool.functions.setBeneficiary(stranger), owner)
    chain.set_next_timestamp(pool.functions.lastPaidOutTime().call() + 3_600)
    chain.transact(pool.functions.payoutReleased())
    assert token.functions.balanceOf(stranger).call() > 0
    assert token.functions.balanceOf(beneficiary).call() == 0


def test_a_non_owner_cannot_set_the_beneficiary(pool: Any, stranger: str) -> None:
    data = revert_data(lambda: pool.functions.setBeneficiary(stranger).transact({"from": stranger}))
    assert data == encode_error("OwnableUnauthorizedAccount(address)", stranger)


def test_the_beneficiary_itself_cannot_set_the_beneficiary(
    pool: Any, beneficiary: str, stranger: str
) -> None:
    data = revert_data(lambda: pool.functions.setBeneficiary(stranger).call({"from": beneficiary}))
    assert data == encode_error("OwnableUnauthorizedAccount(address)", beneficiary)
