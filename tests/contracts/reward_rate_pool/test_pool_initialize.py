"""RewardRatePool.initialize: the proxy's one-time set-up, and the locked implementation."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import Artifact

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20
MAX_UINT64 = 2**64 - 1


def test_initialize_records_beneficiary_and_token(pool: Any, token: Any, beneficiary: str) -> None:
    assert pool.functions.beneficiary().call() == beneficiary
    assert pool.functions.SESH().call() == token.address


def test_initialize_makes_the_caller_the_owner(pool: Any, owner: str) -> None:
    assert pool.functions.owner().call() == owner
    assert pool.functions.pendingOwner().call() == ZERO


def test_initialize_starts_the_payout_clock(chain: Chain, pool: Any) -> None:
    (event,) = pool.events.Initialized.get_logs(from_block=0)
    started = chain.w3.eth.get_block(event.blockNumber)["timestamp"]
    assert pool.functions.lastPaidOutTime().call() == started
    assert pool.functions.totalPaidOut().call() == 0


def test_initialize_logs_ownership_then_initialized_one(
    chain: Chain, pool: Any, owner: str
) -> None:
    (initialized,) = pool.events.Initialized.get_logs(from_block=0)
    receipt = chain.w3.eth.get_transaction_receipt(initialized.transactionHash)
    (transferred,) = pool.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert initialized.args.version == 1
    assert (transferred.args.previousOwner, transferred.args.newOwner) == (ZERO, owner)
    assert transferred.logIndex < initialized.logIndex


def test_constants_match_the_reference(pool: Any) -> None:
    assert pool.functions.VERSION().call() == 1
    assert pool.functions.ANNUAL_SIMPLE_PAYOUT_RATE().call() == 151
    assert pool.functions.BASIS_POINTS().call() == 1_000


def test_a_second_initialize_reverts_with_invalid_initialization(
    pool: Any, token: Any, stranger: str
) -> None:
    data = revert_data(
        lambda: pool.functions.initialize(stranger, token.address).call({"from": stranger})
    )
    assert data == encode_error("InvalidInitialization()")


def test_the_implementation_cannot_be_initialized(
    implementation: Any, token: Any, stranger: str
) -> None:
    data = revert_data(
        lambda: implementation.functions.initialize(stranger, token.address).call(
            {"from": stranger}
        )
    )
    assert data == encode_error("InvalidInitialization()")


def test_the_implementation_has_no_owner(implementation: Any) -> None:
    assert implementation.functions.owner().call() == ZERO


def test_the_implementation_is_locked_by_its_constructor(implementation: Any) -> None:
    (event,) = implementation.events.Initialized.get_logs(from_block=0)
    assert event.args.version == MAX_UINT64


def test_a_proxy_whose_initialization_fails_is_not_deployed(
    chain: Chain, pool_artifact: Artifact, implementation: Any
) -> None:
    # Initialising a proxy with a call the implementation refuses reverts the deployment.
    bad = bytes.fromhex(implementation.encode_abi("acceptOwnership", args=[]).removeprefix("0x"))
    data = revert_data(lambda: chain.deploy_proxy(implementation.address, bad))
    assert data == encode_error("OwnableUnauthorizedAccount(address)", chain.accounts[0])
