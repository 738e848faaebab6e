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


def test_transfer_ownership_logs_ownership_transfer_started(
    chain: Chain, pool: Any, owner: str, new_owner: str
) -> None:
    receipt = chain.transact(pool.functions.transferOwnership(new_owner), owner)
    (event,) = pool.events.OwnershipTransferStarted().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, new_owner)


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
    assert pool.functions.beneficiary().call() == stranger
    data = revert_data(lambda: pool.functions.setBeneficiary(owner).call({"from": owner}))
    assert data == encode_error(UNAUTHORIZED, owner)


Step = tuple[str, tuple[str, ...], str]
"""(function, its arguments, its sender), the roles by fixture name."""


def bind(pool: Any, roles: dict[str, str], step: Step) -> tuple[Any, str]:
    """(the call, its sender) of ``step``."""
    function, args, sender = step
    return pool.functions[function](*(roles[a] for a in args)), roles[sender]


TRANSFER = ("transferOwnership", ("new_owner",), "owner")

OUTCOMES: dict[str, tuple[list[Step], str, str]] = {
    "transfer ownership only names a pending owner": ([TRANSFER], "owner", "new_owner"),
    "the pending owner accepts and becomes owner": (
        [TRANSFER, ("acceptOwnership", (), "new_owner")],
        "new_owner",
        "ZERO",
    ),
    "transferring to the zero address cancels a pending transfer": (
        [TRANSFER, ("transferOwnership", ("ZERO",), "owner")],
        "owner",
        "ZERO",
    ),
    "renouncing cancels a pending transfer": (
        [TRANSFER, ("renounceOwnership", (), "owner")],
        "ZERO",
        "ZERO",
    ),
}
"""(steps, owner, pending owner after them)."""


@pytest.mark.parametrize(
    ("steps", "owner_after", "pending_after"), OUTCOMES.values(), ids=OUTCOMES.keys()
)
def test_owner_and_pending_owner_after(
    chain: Chain,
    pool: Any,
    owner: str,
    new_owner: str,
    steps: list[Step],
    owner_after: str,
    pending_after: str,
) -> None:
    roles = {"owner": owner, "new_owner": new_owner, "ZERO": ZERO}
    for step in steps:
        chain.transact(*bind(pool, roles, step))
    assert pool.functions.owner().call() == roles[owner_after]
    assert pool.functions.pendingOwner().call() == roles[pending_after]


REFUSALS: dict[str, tuple[list[Step], Step]] = {
    "only the pending owner may accept": (
        [("transferOwnership", ("new_owner",), "owner")],
        ("acceptOwnership", (), "stranger"),
    ),
    "the owner cannot accept on behalf of the pending owner": (
        [("transferOwnership", ("new_owner",), "owner")],
        ("acceptOwnership", (), "owner"),
    ),
    "accept without a pending transfer": ([], ("acceptOwnership", (), "stranger")),
    "a non-owner cannot transfer ownership": ([], ("transferOwnership", ("stranger",), "stranger")),
    "a newer transfer replaces the pending owner": (
        [
            ("transferOwnership", ("new_owner",), "owner"),
            ("transferOwnership", ("stranger",), "owner"),
        ],
        ("acceptOwnership", (), "new_owner"),
    ),
    "after renouncing owner-only functions revert": (
        [("renounceOwnership", (), "owner")],
        ("setBeneficiary", ("owner",), "owner"),
    ),
    "a non-owner cannot renounce": ([], ("renounceOwnership", (), "stranger")),
    "renouncing cancels a pending transfer": (
        [TRANSFER, ("renounceOwnership", (), "owner")],
        ("acceptOwnership", (), "new_owner"),
    ),
}
"""Calls refused with OwnableUnauthorizedAccount(caller), after the steps before them."""


@pytest.mark.parametrize(("steps", "refused"), REFUSALS.values(), ids=REFUSALS.keys())
def test_unauthorized_calls_revert(
    chain: Chain,
    pool: Any,
    owner: str,
    new_owner: str,
    stranger: str,
    steps: list[Step],
    refused: Step,
) -> None:
    roles = {"owner": owner, "new_owner": new_owner, "stranger": stranger, "ZERO": ZERO}
    for step in steps:
        chain.transact(*bind(pool, roles, step))
    refused_call, caller = bind(pool, roles, refused)
    data = revert_data(lambda: refused_call.call({"from": caller}))
    assert data == encode_error(UNAUTHORIZED, caller)


def test_renounce_ownership_leaves_no_owner(chain: Chain, pool: Any, owner: str) -> None:
    receipt = chain.transact(pool.functions.renounceOwnership(), owner)
    assert pool.functions.owner().call() == ZERO
    (event,) = pool.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (owner, ZERO)
