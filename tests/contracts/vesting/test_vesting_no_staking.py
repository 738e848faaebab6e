"""TokenVestingNoStaking: a fifth at the cliff, the rest linearly to the end; revoke once.

The schedule is checked at its boundaries (before the cliff, at it, midway, the last second
before the end, at the end, after it) and after a revoke at each stage.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import Artifact

from ...support.contracts import at, error_of, reason_of, send_at
from .conftest import GRANT, YEAR, refusals, transfer_role

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def vested(grant: int, t: int, cliff: int, end: int) -> int:
    """The reference's schedule, in Python."""
    if t < cliff:
        return 0
    if t >= end:
        return grant
    first = grant // 5
    return first + (grant - first) * (t - cliff) // (end - cliff)


def deploy_lock(
    chain: Chain,
    artifact: Artifact,
    beneficiary: str,
    revoker: str,
    cliff: int,
    end: int,
    transferable: bool = True,
) -> Any:
    return chain.deploy(artifact, beneficiary, revoker, cliff, end, transferable)


@pytest.fixture(scope="module")
def lock(
    chain: Chain,
    no_staking_artifact: Artifact,
    token: Any,
    owner: str,
    beneficiary: str,
    revoker: str,
    opens: int,
    ends: int,
) -> Any:
    """A revocable, transferable lock holding GRANT."""
    lock = deploy_lock(chain, no_staking_artifact, beneficiary, revoker, opens, ends)
    chain.transact(token.functions.transfer(lock.address, GRANT), owner)
    return lock


def release_at(chain: Chain, lock: Any, token: Any, beneficiary: str, t: int) -> int:
    """Release in a block at ``t``; what the beneficiary received."""
    before = token.functions.balanceOf(beneficiary).call()
    send_at(chain, lock.functions.release(token.address), beneficiary, t)
    return int(token.functions.balanceOf(beneficiary).call() - before)


# -- construction ------------------------------------------------------------------------------


def test_getters(lock: Any, beneficiary: str, revoker: str, opens: int, ends: int) -> None:
    assert lock.functions.getBeneficiary().call() == beneficiary
    assert lock.functions.getRevoker().call() == revoker
    assert lock.functions.cliff().call() == opens
    assert lock.functions.end().call() == ends
    assert lock.functions.transferableBeneficiary().call() is True
    assert lock.functions.CLIFF_DENOMINATOR().call() == 5
    assert lock.functions.revoked().call() is False


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("zero beneficiary", "Shared: Zero-address is not permitted"),
        ("cliff after end", "Vesting: cliff_ after end_"),
        ("cliff not in the future", "Vesting: cliff before current time"),
    ],
)
def test_constructor_refuses(
    chain: Chain,
    no_staking_artifact: Artifact,
    beneficiary: str,
    revoker: str,
    case: str,
    expected: str,
) -> None:
    now = chain.timestamp()
    who, cliff, end = beneficiary, now + 100, now + 200
    if case == "zero beneficiary":
        who = ZERO
    elif case == "cliff after end":
        cliff, end = now + 200, now + 199
    else:
        cliff = now
    assert (
        reason_of(lambda: deploy_lock(chain, no_staking_artifact, who, revoker, cliff, end))
        == expected
    )


def test_cliff_equal_to_end_vests_everything_at_once(
    chain: Chain, no_staking_artifact: Artifact, token: Any, owner: str, beneficiary: str
) -> None:
    t = chain.timestamp() + 100
    lock = deploy_lock(chain, no_staking_artifact, beneficiary, ZERO, t, t)
    chain.transact(token.functions.transfer(lock.address, GRANT), owner)
    at(chain, t - 1)
    assert reason_of(lambda: lock.functions.release(token.address).call({"from": beneficiary})) == (
        "Vesting: no tokens are due"
    )
    assert release_at(chain, lock, token, beneficiary, t) == GRANT


# -- the schedule ------------------------------------------------------------------------------


def test_nothing_before_the_cliff(chain: Chain, lock: Any, token: Any, beneficiary: str) -> None:
    at(chain, lock.functions.cliff().call() - 1)
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"


def test_a_fifth_at_the_cliff_then_linear_then_the_rest_at_the_end(
    chain: Chain, lock: Any, token: Any, beneficiary: str, opens: int, ends: int
) -> None:
    received = 0
    for t in (opens, opens + (ends - opens) // 2, ends - 1, ends):
        got = release_at(chain, lock, token, beneficiary, t)
        assert got == vested(GRANT, t, opens, ends) - received, t
        received += got
        assert lock.functions.released(token.address).call() == received
    assert received == GRANT
    assert token.functions.balanceOf(lock.address).call() == 0
    assert vested(GRANT, opens, opens, ends) == GRANT // 5


def test_release_logs_and_nothing_is_due_twice_in_a_second(
    chain: Chain, lock: Any, token: Any, beneficiary: str, opens: int
) -> None:
    receipt = send_at(chain, lock.functions.release(token.address), beneficiary, opens)
    (event,) = lock.events.TokensReleased().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"token": token.address, "amount": GRANT // 5}
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"


def test_after_the_end_everything_and_then_nothing(
    chain: Chain, lock: Any, token: Any, beneficiary: str, ends: int
) -> None:
    assert release_at(chain, lock, token, beneficiary, ends + YEAR) == GRANT
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"


def test_tokens_sent_later_vest_on_the_same_schedule(
    chain: Chain, lock: Any, token: Any, owner: str, beneficiary: str, opens: int, ends: int
) -> None:
    midway = opens + (ends - opens) // 2
    first = release_at(chain, lock, token, beneficiary, midway)
    chain.transact(token.functions.transfer(lock.address, GRANT), owner)
    t = midway + 10 * 86_400
    got = release_at(chain, lock, token, beneficiary, t)
    assert got == vested(2 * GRANT, t, opens, ends) - first


def test_only_the_beneficiary_releases(lock: Any, token: Any, stranger: str) -> None:
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": stranger})) == "Vesting: not the beneficiary"


# -- revoke ------------------------------------------------------------------------------------


def test_revoke_before_the_cliff_refunds_everything(
    chain: Chain, lock: Any, token: Any, revoker: str, beneficiary: str, opens: int, ends: int
) -> None:
    receipt = send_at(chain, lock.functions.revoke(token.address), revoker, opens - 1)
    (event,) = lock.events.TokenVestingRevoked().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"token": token.address, "refund": GRANT}
    assert token.functions.balanceOf(revoker).call() == GRANT
    assert lock.functions.revoked().call() is True
    at(chain, ends)
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"


def test_revoke_midway_keeps_the_vested_part_for_the_beneficiary(
    chain: Chain, lock: Any, token: Any, revoker: str, beneficiary: str, opens: int, ends: int
) -> None:
    early = release_at(chain, lock, token, beneficiary, opens)  # the cliff's fifth
    midway = opens + (ends - opens) // 2
    send_at(chain, lock.functions.revoke(token.address), revoker, midway)
    kept = vested(GRANT, midway, opens, ends) - early
    assert token.functions.balanceOf(revoker).call() == GRANT - early - kept
    assert token.functions.balanceOf(lock.address).call() == kept
    # Revoked: what is left counts as vested at once, and nothing more.
    assert release_at(chain, lock, token, beneficiary, midway + 1) == kept
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"


def test_revoke_at_the_end_second_refunds_nothing(
    chain: Chain, lock: Any, token: Any, revoker: str, beneficiary: str, ends: int
) -> None:
    receipt = send_at(chain, lock.functions.revoke(token.address), revoker, ends)
    (event,) = lock.events.TokenVestingRevoked().process_receipt(receipt, errors=DISCARD)
    assert event.args.refund == 0
    assert release_at(chain, lock, token, beneficiary, ends + 1) == GRANT


def test_revoke_after_the_end_is_refused(chain: Chain, lock: Any, token: Any, revoker: str) -> None:
    at(chain, lock.functions.end().call() + 1)
    call = lock.functions.revoke(token.address)
    assert reason_of(lambda: call.call({"from": revoker})) == "Vesting: vesting expired"


def test_revoke_only_once_for_any_token(
    chain: Chain, lock: Any, token: Any, revoker: str, deployed: Any
) -> None:
    chain.transact(lock.functions.revoke(token.address), revoker)
    for other in (token.address, deployed.reward_rate_pool):
        call = lock.functions.revoke(other)
        assert reason_of(lambda call=call: call.call({"from": revoker})) == (
            "Vesting: token revoked"
        )


@pytest.mark.parametrize("irrevocable", [False, True])
def test_only_the_revoker_revokes(
    chain: Chain,
    no_staking_artifact: Artifact,
    lock: Any,
    token: Any,
    beneficiary: str,
    stranger: str,
    opens: int,
    ends: int,
    irrevocable: bool,
) -> None:
    if irrevocable:
        lock = deploy_lock(chain, no_staking_artifact, beneficiary, ZERO, opens, ends)
    for caller in (stranger, beneficiary):
        call = lock.functions.revoke(token.address)
        assert reason_of(lambda call=call, c=caller: call.call({"from": c})) == (
            "Vesting: not the revoker"
        )


# -- roles -------------------------------------------------------------------------------------


def test_transfer_beneficiary(
    chain: Chain,
    lock: Any,
    token: Any,
    beneficiary: str,
    new_beneficiary: str,
    opens: int,
) -> None:
    assert transfer_role(chain, lock, "Beneficiary", beneficiary, new_beneficiary) == {
        "oldBeneficiary": beneficiary,
        "newBeneficiary": new_beneficiary,
    }
    assert lock.functions.getBeneficiary().call() == new_beneficiary
    assert release_at(chain, lock, token, new_beneficiary, opens) == GRANT // 5
    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: not the beneficiary"


def test_transfer_beneficiary_refusals(
    chain: Chain,
    no_staking_artifact: Artifact,
    lock: Any,
    beneficiary: str,
    revoker: str,
    stranger: str,
    opens: int,
    ends: int,
) -> None:
    cases = [(stranger, stranger), (ZERO, beneficiary)]
    assert refusals(lock, "transferBeneficiary", cases) == [
        "Vesting: not the beneficiary",
        "Shared: Zero-address is not permitted",
    ]
    fixed = deploy_lock(chain, no_staking_artifact, beneficiary, revoker, opens, ends, False)
    assert refusals(fixed, "transferBeneficiary", [(stranger, beneficiary)]) == [
        "Vesting: beneficiary not transferrable"
    ]


def test_transfer_revoker(chain: Chain, lock: Any, token: Any, revoker: str, stranger: str) -> None:
    assert transfer_role(chain, lock, "Revoker", revoker, stranger) == {
        "oldRevoker": revoker,
        "newRevoker": stranger,
    }
    assert lock.functions.getRevoker().call() == stranger
    chain.transact(lock.functions.revoke(token.address), stranger)
    assert token.functions.balanceOf(stranger).call() == GRANT


def test_transfer_revoker_refusals(lock: Any, revoker: str, stranger: str) -> None:
    assert refusals(lock, "transferRevoker", [(stranger, stranger), (ZERO, revoker)]) == [
        "Vesting: not the revoker",
        "Shared: Zero-address is not permitted",
    ]


def test_a_token_answering_false_is_refused(
    chain: Chain, lock: Any, false_token_artifact: Artifact, beneficiary: str, ends: int
) -> None:
    odd = chain.deploy(false_token_artifact, GRANT)
    at(chain, ends)
    call = lock.functions.release(odd.address)
    assert error_of(lambda: call.call({"from": beneficiary}), lock.abi) == (
        "SafeERC20FailedOperation",
        (odd.address,),
    )


def test_a_token_without_code_reverts_without_data(
    chain: Chain, lock: Any, stranger: str, beneficiary: str, ends: int
) -> None:
    # balanceOf comes first and fails there, so AddressEmptyCode is never reached.
    at(chain, ends)
    call = lock.functions.release(stranger)
    assert revert_data(lambda: call.call({"from": beneficiary})) == b""
