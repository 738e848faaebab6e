"""RewardRatePool's two-step ownership (OpenZeppelin Ownable2Step)."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20
UNAUTHORIZED = "OwnableUnauthorizedAccount(address)"


def test_transfer_ownership_only_names_a_pending_owner(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    assert pool.functions.pendingOwner().call() == new_owner
    assert pool.functions.owner().call() == owner


def test_transfer_ownership_logs_ownership_transfer_started(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    receipt = chain.transact(pool.functions.transferOwnership(new_owner), owner)
    (event,) = pool.events.OwnershipTransferStarted().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, new_owner)


def test_the_pending_owner_accepts_and_becomes_owner(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    chain.transact(pool.functions.acceptOwnership(), new_owner)
    assert pool.functions.owner().call() == new_owner
    assert pool.functions.pendingOwner().call() == ZERO


def test_accept_ownership_logs_ownership_transferred(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    receipt = chain.transact(pool.functions.acceptOwnership(), new_owner)
    (event,) = pool.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, new_owner)


def test_the_new_owner_has_the_owners_rights_and_the_old_one_loses_them(
    chain: Chain, pool: Any, owner: str, new_owner: str, stranger: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    chain.transact(pool.functions.acceptOwnership(), new_owner)
    chain.transact(pool.functions.setBeneficiary(stranger), new_owner)
    data = revert_data(lambda: pool.functions.setBeneficiary(owner).call({"from": owner}))
    assert data == encode_error(UNAUTHORIZED, owner)


def test_only_the_pending_owner_may_accept(
    chain: Chain, pool: Any, owner: str, new_owner: str, stranger: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    data = revert_data(lambda: pool.functions.acceptOwnership().call({"from": stranger}))
    assert data == encode_error(UNAUTHORIZED, stranger)


def test_the_owner_cannot_accept_on_behalf_of_the_pending_owner(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    data = revert_data(lambda: pool.functions.acceptOwnership().call({"from": owner}))
    assert data == encode_error(UNAUTHORIZED, owner)


def test_accept_without_a_pending_transfer_reverts(pool: Any, stranger: str) -> None:
    data = revert_data(lambda: pool.functions.acceptOwnership().call({"from": stranger}))
    assert data == encode_error(UNAUTHORIZED, stranger)


def test_a_non_owner_cannot_transfer_ownership(pool: Any, stranger: str) -> None:
    data = revert_data(lambda: pool.functions.transferOwnership(stranger).call({"from": stranger}))
    assert data == encode_error(UNAUTHORIZED, stranger)


def test_a_newer_transfer_replaces_the_pending_owner(
    chain: Chain, pool: Any, owner: str, new_owner: str, stranger: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    chain.transact(pool.functions.transferOwnership(stranger), owner)
    data = revert_data(lambda: pool.functions.acceptOwnership().call({"from": new_owner}))
    assert data == encode_error(UNAUTHORIZED, new_owner)


def test_transferring_to_the_zero_address_cancels_a_pending_transfer(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    chain.transact(pool.functions.transferOwnership(ZERO), owner)
    assert pool.functions.pendingOwner().call() == ZERO
    assert pool.functions.owner().call() == owner


def test_renounce_ownership_leaves_no_owner(chain: Chain, pool: Any, owner: str) -> None:
    receipt = chain.transact(pool.functions.renounceOwnership(), owner)
    assert pool.functions.owner().call() == ZERO
    (event,) = pool.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, ZERO)


def test_after_renouncing_owner_only_functions_revert(chain: Chain, pool: Any, owner: str) -> None:
    chain.transact(pool.functions.renounceOwnership(), owner)
    data = revert_data(lambda: pool.functions.setBeneficiary(owner).call({"from": owner}))
    assert data == encode_error(UNAUTHORIZED, owner)


def test_renouncing_cancels_a_pending_transfer(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    chain.transact(pool.functions.renounceOwnership(), owner)
    assert pool.functions.pendingOwner().call() == ZERO
    data = revert_data(lambda: pool.functions.acceptOwnership().call({"from": new_owner}))
    assert data == encode_error(UNAUTHORIZED, new_owner)


def test_a_non_owner_cannot_renounce(pool: Any, stranger: str) -> None:
    data = revert_data(lambda: pool.functions.renounceOwnership().call({"from": stranger}))
    assert data == encode_error(UNAUTHORIZED, stranger)
