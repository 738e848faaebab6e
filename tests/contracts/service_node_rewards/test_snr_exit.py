"""Leaving: leave requests, exit after the wait, signed exits and liquidations.

Regression tests of audit findings C M-02, C M-03, C L-03, C L-07 and B 3.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain

from ...support.contracts import refusal, send_at
from .conftest import MINIMUM_EXIT_AGE, STAKE, Network, Node

pytestmark = pytest.mark.anvil

DAY = 86_400
WAIT = 30 * DAY


@pytest.fixture(autouse=True)
def _started(chain: Chain, rewards: Any, owner: str, network: Network) -> None:
    network.seed(5)
    chain.transact(rewards.functions.start(), owner)


def later(chain: Chain, seconds: int) -> int:
    """Mine a block ``seconds`` on; its timestamp (the next transaction comes a second later)."""
    ts = chain.timestamp() + seconds
    chain.mine(ts)
    return ts


def shared_node(network: Network, stakers: list[str]) -> Node:
    """Operator 50 %, a 30 % contributor and a small (20 %) contributor."""
    return network.register(
        stakers[0],
        [
            ((stakers[0], stakers[0]), STAKE // 2),
            ((stakers[1], stakers[1]), STAKE * 3 // 10),
            ((stakers[2], stakers[2]), STAKE // 5),
        ],
    )


# -- leave requests ---------------------------------------------------------------------------


def test_a_contributor_requests_an_exit(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = shared_node(network, stakers)
    receipt = chain.transact(rewards.functions.initiateExitBLSPublicKey(node.id), stakers[1])
    (event,) = rewards.events.ServiceNodeExitRequest().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["serviceNodeID"] == node.id
    assert event["args"]["initiator"] == stakers[1]
    assert tuple(event["args"]["pubkey"].values()) == node.xy
    ts = chain.timestamp()
    record = rewards.functions.serviceNodes(node.id).call()
    assert (record[5], record[6]) == (ts, ts)


def test_a_non_contributor_or_unknown_id_is_refused(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    """C L-07: membership, not a zero-recipient check."""
    node = shared_node(network, stakers)
    call = rewards.functions.initiateExitBLSPublicKey(node.id)
    assert refusal(call, stranger) == ("CallerNotContributor", (node.id, stranger))
    call = rewards.functions.initiateExitBLSPublicKey(999)
    assert refusal(call, stakers[0]) == ("CallerNotContributor", (999, stakers[0]))


def test_a_small_contributor_waits_30_days(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = shared_node(network, stakers)
    added = rewards.functions.serviceNodes(node.id).call()[4]
    call = rewards.functions.initiateExitBLSPublicKey(node.id)
    assert refusal(call, stakers[2]) == ("SmallContributorLeaveTooEarly", (node.id, stakers[2]))
    chain.mine(added + 30 * DAY - 1)
    assert refusal(call, stakers[2])[0] == ("SmallContributorLeaveTooEarly")
    send_at(chain, call, stakers[2], added + 30 * DAY)
    record = rewards.functions.serviceNodes(node.id).call()
    assert (record[5], record[6]) == (added + 30 * DAY, added + 30 * DAY)


def test_a_repeated_request_waits_an_hour_and_keeps_the_first_time(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = shared_node(network, stakers)
    call = rewards.functions.initiateExitBLSPublicKey(node.id)
    chain.transact(call, stakers[0])
    first = chain.timestamp()
    later(chain, 60)
    assert refusal(call, stakers[1])[0] == ("LeaveRequestTooEarly")
    send_at(chain, call, stakers[1], first + 3_600)
    record = rewards.functions.serviceNodes(node.id).call()
    assert (record[5], record[6]) == (first, first + 3_600)


# -- exit after the wait -----------------------------------------------------------------------


def test_exit_after_the_wait_is_inclusive_of_the_last_second(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    """C M-03: at request + 30 days - 1 s refused, at exactly + 30 days allowed."""
    node = shared_node(network, stakers)
    call = rewards.functions.exitBLSPublicKeyAfterWaitTime(node.id)
    assert refusal(call, stranger) == ("LeaveRequestNotInitiatedYet", (node.id,))
    chain.transact(rewards.functions.initiateExitBLSPublicKey(node.id), stakers[0])
    requested = chain.timestamp()
    chain.mine(requested + WAIT - 1)
    assert refusal(call, stranger) == (
        "LeaveRequestTooEarly",
        (node.id, requested + WAIT, requested + WAIT - 1),
    )
    balance = network.token.functions.balanceOf(rewards.address).call()
    receipt = send_at(chain, call, stranger, requested + WAIT)
    (event,) = rewards.events.ServiceNodeExit().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["returnedAmount"] == STAKE
    assert event["args"]["initiator"] == stranger
    assert network.token.functions.balanceOf(rewards.address).call() == balance  # nothing moves
    assert rewards.functions.serviceNodes(node.id).call()[3] == (0, 0)


# -- signed exits ------------------------------------------------------------------------------


def test_a_signed_exit_needs_no_request_but_a_minimum_age(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    """C L-03: no leave request needed; younger than 2 hours is ExitTooEarly."""
    node = network.register(stakers[0])
    added = chain.timestamp()
    ts = later(chain, 10)
    sig = network.exit_signature(node, ts)
    call = rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, [])
    assert refusal(call, stranger) == ("ExitTooEarly", (node.id, added, ts))
    chain.mine(added + MINIMUM_EXIT_AGE - 1)
    ts = chain.timestamp()
    sig = network.exit_signature(node, ts)
    call = rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, [])
    assert refusal(call, stranger)[0] == "ExitTooEarly"
    chain.mine(added + MINIMUM_EXIT_AGE)
    ts = chain.timestamp()
    sig = network.exit_signature(node, ts)
    total = rewards.functions.totalNodes().call()
    receipt = chain.transact(
        rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, []), stranger
    )
    (event,) = rewards.events.ServiceNodeExit().process_receipt(receipt, errors=DISCARD)
    assert (event["args"]["serviceNodeID"], event["args"]["returnedAmount"]) == (node.id, STAKE)
    assert rewards.functions.totalNodes().call() == total - 1


def test_exit_signatures_expire_and_cannot_be_replayed(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    """B 3: valid up to timestamp + expiry, SignatureExpired a second later; a replay after the
    removal finds no key; re-registered inside the expiry, the replay is ExitTooEarly."""
    node = network.register(stakers[0])
    ts = later(chain, MINIMUM_EXIT_AGE)
    sig = network.exit_signature(node, ts)
    call = rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, [])
    chain.mine(ts + 600 + 1)
    assert refusal(call, stranger) == ("SignatureExpired", (node.id, ts, ts + 601))
    ts = later(chain, 1)
    sig = network.exit_signature(node, ts)
    call = rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, [])
    chain.set_next_timestamp(ts + 600)
    chain.wait(call.transact({"from": stranger, "gas": 1_000_000}))
    network.forget(node)
    assert refusal(call, stranger) == ("BLSPubkeyDoesNotExist", (node.xy,))
    chain.rpc("evm_setNextBlockTimestamp", ts + 600)
    again = network.register(stakers[0], node=Node(node.secret, node.ed25519))
    assert refusal(call, stranger)[0] in (
        "ExitTooEarly",
        "SignatureExpired",
    )
    assert again.id != node.id  # ids are never reused


def test_a_signature_of_the_wrong_kind_is_refused(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    node = network.register(stakers[0])
    ts = later(chain, MINIMUM_EXIT_AGE)
    sig = network.liquidate_signature(node, ts)  # a liquidation signature used for an exit
    call = rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, [])
    name, (key,) = refusal(call, stranger)
    assert name == "InvalidBLSSignature"
    assert tuple(key) == tuple(rewards.functions.aggregatePubkey().call())


# -- liquidation -------------------------------------------------------------------------------


def test_liquidation_pays_the_exact_split(
    chain: Chain, network: Network, rewards: Any, pool: Any, owner: str, stakers: list[str],
    stranger: str,
) -> None:  # fmt: skip
    """C M-02: deposit 1,000,000,001 with ratios 3/17/9980 → liquidator 300,000 (floor),
    pool 1,700,001 (ceil), 998,000,000 returned; the contract loses exactly liq + pool."""
    deposit = 1_000_000_001
    chain.transact(rewards.functions.setStakingRequirement(deposit), owner)
    chain.transact(rewards.functions.setLiquidationRatios(3, 17, 9_980), owner)
    node = network.register(stakers[0])
    token = network.token
    ts = later(chain, MINIMUM_EXIT_AGE)
    sig = network.liquidate_signature(node, ts)
    before = [
        token.functions.balanceOf(a).call() for a in (rewards.address, stranger, pool.address)
    ]
    receipt = chain.transact(
        rewards.functions.liquidateBLSPublicKeyWithSignature(node.xy, ts, sig, []), stranger
    )
    after = [token.functions.balanceOf(a).call() for a in (rewards.address, stranger, pool.address)]
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        -(300_000 + 1_700_001),
        300_000,
        1_700_001,
    ]
    (liquidated,) = rewards.events.ServiceNodeLiquidated().process_receipt(receipt, errors=DISCARD)
    (exited,) = rewards.events.ServiceNodeExit().process_receipt(receipt, errors=DISCARD)
    assert liquidated["args"]["initiator"] == stranger
    assert liquidated["logIndex"] < exited["logIndex"]
    assert exited["args"]["returnedAmount"] == 998_000_000


def test_a_zero_pool_ratio_sends_nothing_to_the_pool(
    chain: Chain, network: Network, rewards: Any, pool: Any, owner: str, stakers: list[str],
    stranger: str,
) -> None:  # fmt: skip
    chain.transact(rewards.functions.setLiquidationRatios(1, 0, 8), owner)
    node = network.register(stakers[0])
    ts = later(chain, MINIMUM_EXIT_AGE)
    sig = network.liquidate_signature(node, ts)
    pool_before = network.token.functions.balanceOf(pool.address).call()
    receipt = chain.transact(
        rewards.functions.liquidateBLSPublicKeyWithSignature(node.xy, ts, sig, []), stranger
    )
    assert network.token.functions.balanceOf(pool.address).call() == pool_before
    transfers = network.token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert [(t["args"]["to"], t["args"]["value"]) for t in transfers] == [(stranger, STAKE // 9)]
