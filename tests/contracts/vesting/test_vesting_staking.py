"""TokenVestingStaking as a lock: everything at `end`, revoke in two steps, roles.

The schedule is checked at its boundaries (at start, midway, the last second before the end,
at the end, after it, after a revoke). Regression test of audit finding B 2 (timestamp games
around `end`): the revoker can stop the lock until `end` but receives nothing before it, and at
exactly `end` both a release and a first (sweeping) revoke go through.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from ...support.contracts import at, error_of, reason_of, send_at
from .conftest import GRANT, SESH, YEAR, refusals, transfer_role

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def release_call(lock: Any, token: Any) -> Any:
    return lock.functions.release(token.address)


# -- construction ------------------------------------------------------------------------------


def test_getters(lock: Any, lock_arguments: dict[str, Any]) -> None:
    args = lock_arguments
    assert lock.functions.beneficiary().call() == args["beneficiary"]
    assert lock.functions.revoker().call() == args["revoker"]
    assert lock.functions.start().call() == args["start"]
    assert lock.functions.end().call() == args["end"]
    assert lock.functions.transferableBeneficiary().call() is True
    assert lock.functions.SESH().call() == args["sesh"]
    assert lock.functions.rewardsContract().call() == args["rewards"]
    assert lock.functions.snContribFactory().call() == args["factory"]
    assert lock.functions.revoked().call() is False


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"beneficiary": ZERO}, "Shared: Zero-address is not permitted"),
        ({"rewards": ZERO}, "Shared: Zero-address is not permitted"),
        ({"sesh": ZERO}, "Shared: Zero-address is not permitted"),
        ({"end": "start - 1"}, "Vesting: start_ after end_"),
        ({"start": "now", "end": "now"}, "Vesting: start before current time"),
    ],
    ids=["beneficiary", "rewards", "sesh", "start after end", "start not in the future"],
)
def test_constructor_refuses(
    chain: Chain, make_lock: Any, opens: int, changes: dict[str, Any], expected: str
) -> None:
    now = chain.timestamp()
    values = {"start - 1": opens - 1, "now": now}
    resolved = {k: values.get(v, v) for k, v in changes.items()}
    assert reason_of(lambda: make_lock(**resolved)) == expected


def test_start_equal_to_end_and_no_revoker_or_factory_are_allowed(
    chain: Chain, make_lock: Any
) -> None:
    t = chain.timestamp() + 100
    lock = make_lock(start=t, end=t, revoker=ZERO, factory=ZERO)
    assert (lock.functions.start().call(), lock.functions.end().call()) == (t, t)


# -- the schedule: everything at `end` ---------------------------------------------------------


@pytest.mark.parametrize("when", ["start", "midway", "end - 1"])
def test_nothing_is_released_before_the_end(
    chain: Chain, lock: Any, token: Any, beneficiary: str, opens: int, ends: int, when: str
) -> None:
    at(chain, {"start": opens, "midway": (opens + ends) // 2, "end - 1": ends - 1}[when])
    call = release_call(lock, token)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"


def test_everything_at_the_end(
    chain: Chain, lock: Any, token: Any, beneficiary: str, ends: int
) -> None:
    receipt = send_at(chain, release_call(lock, token), beneficiary, ends)
    (event,) = lock.events.TokensReleased().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"token": token.address, "amount": GRANT}
    assert token.functions.balanceOf(beneficiary).call() == GRANT
    assert token.functions.balanceOf(lock.address).call() == 0


def test_after_the_end_later_arrivals_are_released_too(
    chain: Chain, lock: Any, token: Any, owner: str, beneficiary: str, ends: int
) -> None:
    send_at(chain, release_call(lock, token), beneficiary, ends + YEAR)
    call = release_call(lock, token)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"
    chain.transact(token.functions.transfer(lock.address, 3 * SESH), owner)
    chain.transact(release_call(lock, token), beneficiary)
    assert token.functions.balanceOf(beneficiary).call() == GRANT + 3 * SESH


def test_only_the_beneficiary_releases(
    chain: Chain, lock: Any, token: Any, revoker: str, stranger: str, ends: int
) -> None:
    at(chain, ends)
    for caller in (stranger, revoker):
        call = release_call(lock, token)
        assert reason_of(lambda call=call, c=caller: call.call({"from": c})) == (
            "Vesting: Caller must be beneficiary"
        )


# -- revoke (audit B 2) ------------------------------------------------------------------------


def test_b2_revoke_before_the_end_pays_nothing_and_stops_release(
    chain: Chain, lock: Any, token: Any, revoker: str, beneficiary: str, ends: int
) -> None:
    receipt = send_at(chain, lock.functions.revoke(token.address), revoker, ends - 1)
    (event,) = lock.events.TokenVestingRevoked().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"token": token.address}
    assert lock.events.TokensRevokedReleased().process_receipt(receipt, errors=DISCARD) == ()
    assert token.functions.balanceOf(revoker).call() == 0
    assert token.functions.balanceOf(lock.address).call() == GRANT
    assert lock.functions.revoked().call() is True
    at(chain, ends)
    call = release_call(lock, token)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: token revoked"


def test_b2_the_revoker_collects_from_the_end_on(
    chain: Chain, lock: Any, token: Any, owner: str, revoker: str, opens: int, ends: int
) -> None:
    send_at(chain, lock.functions.revoke(token.address), revoker, opens)
    receipt = send_at(chain, lock.functions.revoke(token.address), revoker, ends)
    assert lock.events.TokenVestingRevoked().process_receipt(receipt, errors=DISCARD) == ()
    (event,) = lock.events.TokensRevokedReleased().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"token": token.address, "amount": GRANT}
    assert token.functions.balanceOf(revoker).call() == GRANT
    # Later arrivals (stake coming back) are collected by calling again.
    chain.transact(token.functions.transfer(lock.address, 2 * SESH), owner)
    chain.transact(lock.functions.revoke(token.address), revoker)
    assert token.functions.balanceOf(revoker).call() == GRANT + 2 * SESH


def test_b2_a_first_revoke_at_the_end_second_sweeps_at_once(
    chain: Chain, lock: Any, token: Any, revoker: str, ends: int
) -> None:
    receipt = send_at(chain, lock.functions.revoke(token.address), revoker, ends)
    (revoked,) = lock.events.TokenVestingRevoked().process_receipt(receipt, errors=DISCARD)
    (swept,) = lock.events.TokensRevokedReleased().process_receipt(receipt, errors=DISCARD)
    assert revoked.args.token == token.address
    assert swept.args.amount == GRANT
    assert token.functions.balanceOf(revoker).call() == GRANT


def test_b2_the_tie_at_the_end_second_goes_to_whoever_calls_first(
    chain: Chain, lock: Any, token: Any, beneficiary: str, revoker: str, ends: int
) -> None:
    # At t == end both a release and a first revoke are allowed: the beneficiary released
    # first here, so the revoke (in the same second) finds nothing to sweep.
    chain.rpc("evm_setAutomine", False)
    try:
        release_call(lock, token).transact({"from": beneficiary, "gas": 300_000})
        revoke_hash = lock.functions.revoke(token.address).transact(
            {"from": revoker, "gas": 300_000}
        )
        chain.mine(ends)
    finally:
        chain.rpc("evm_setAutomine", True)
    receipt = chain.wait(revoke_hash)
    assert chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"] == ends
    assert token.functions.balanceOf(beneficiary).call() == GRANT
    assert token.functions.balanceOf(revoker).call() == 0
    assert lock.functions.revoked().call() is True


def test_b2_a_first_revoke_after_the_end_is_refused(
    chain: Chain, lock: Any, token: Any, revoker: str, ends: int
) -> None:
    at(chain, ends + 1)
    call = lock.functions.revoke(token.address)
    assert reason_of(lambda: call.call({"from": revoker})) == "Vesting: vesting expired"


@pytest.mark.parametrize("irrevocable", [False, True])
def test_only_the_revoker_revokes(
    make_lock: Any, lock: Any, token: Any, beneficiary: str, stranger: str, irrevocable: bool
) -> None:
    if irrevocable:
        lock = make_lock(revoker=ZERO)
    for caller in (stranger, beneficiary):
        call = lock.functions.revoke(token.address)
        assert reason_of(lambda call=call, c=caller: call.call({"from": c})) == (
            "Vesting: Caller must be revoker"
        )


# -- roles -------------------------------------------------------------------------------------


ROLES = {
    "beneficiary": ("Beneficiary", "beneficiary", "new_beneficiary", "release"),
    "revoker": ("Revoker", "revoker", "stranger", "revoke"),
}
"""(role, its holder, who it goes to, what the new holder calls with the token at the end)."""


@pytest.mark.parametrize(("role", "old", "new", "collect"), ROLES.values(), ids=ROLES.keys())
def test_transfer_role(
    request: pytest.FixtureRequest,
    chain: Chain,
    lock: Any,
    token: Any,
    ends: int,
    role: str,
    old: str,
    new: str,
    collect: str,
) -> None:
    """The holder hands the role on; the new holder has it and collects the grant at the end."""
    holder, successor = request.getfixturevalue(old), request.getfixturevalue(new)
    assert transfer_role(chain, lock, role, holder, successor) == {
        f"old{role}": holder,
        f"new{role}": successor,
    }
    assert lock.functions[role.lower()]().call() == successor
    send_at(chain, lock.functions[collect](token.address), successor, ends)
    assert token.functions.balanceOf(successor).call() == GRANT


def test_transfer_beneficiary_refusals(
    make_lock: Any, lock: Any, beneficiary: str, stranger: str
) -> None:
    cases = [(stranger, stranger), (ZERO, beneficiary)]
    assert refusals(lock, "transferBeneficiary", cases) == [
        "Vesting: Caller must be beneficiary",
        "Shared: Zero-address is not permitted",
    ]
    fixed = make_lock(transferable=False)
    assert refusals(fixed, "transferBeneficiary", [(stranger, beneficiary)]) == [
        "Vesting: beneficiary not transferable"
    ]


def test_transfer_revoker_refusals(lock: Any, revoker: str, stranger: str) -> None:
    assert refusals(lock, "transferRevoker", [(stranger, stranger), (ZERO, revoker)]) == [
        "Vesting: Caller must be revoker",
        "Shared: Zero-address is not permitted",
    ]


def test_a_token_answering_false_is_refused(
    chain: Chain,
    lock: Any,
    false_token_artifact: Artifact,
    beneficiary: str,
    revoker: str,
    ends: int,
) -> None:
    odd = chain.deploy(false_token_artifact, GRANT)
    at(chain, ends)
    for call, caller in (
        (lock.functions.release(odd.address), beneficiary),
        (lock.functions.revoke(odd.address), revoker),
    ):
        assert error_of(lambda call=call, c=caller: call.call({"from": c}), lock.abi) == (
            "SafeERC20FailedOperation",
            (odd.address,),
        )
