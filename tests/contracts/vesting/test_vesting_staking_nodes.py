"""TokenVestingStaking in ServiceNodeRewards: solo nodes staked from the lock, exit requests,
rewards claimed into the lock. Real proofs of possession and network signatures.

Regression test of audit finding C M-01 (a proof of possession bound to its operator): the
lock's node needs a PoP signed over the lock's own address; one signed over the beneficiary's
(or anyone else's) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.bls import DomainTags, exit_message, reward_message
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts

from ...support.contracts import at, error_of, reason_of, send_at
from ...support.nodes import Node, network_signature, pop
from .conftest import (
    GRANT,
    SESH,
    STAKE,
    fresh_node,
    new_node_id,
    not_started_lock,
)

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20
EXIT_AGE = 2 * 3_600


@pytest.fixture(scope="module")
def lock(lock: Any, chain: Chain, opens: int) -> Any:
    """The conftest's lock, with the clock at its start."""
    at(chain, opens)
    return lock


@pytest.fixture(autouse=True)
def _module_state(lock: Any) -> None:
    """The lock exists (and the clock is at its start) before each test's snapshot."""


@pytest.fixture
def owners_node(
    chain: Chain, rewards: Any, token: Any, tags: DomainTags, owner: str
) -> Callable[[], Node]:
    """Registers a second node on the network, directly by the owner; the node."""

    def register() -> Node:
        node = fresh_node()
        chain.transact(token.functions.approve(rewards.address, STAKE), owner)
        call = rewards.functions.addBLSPublicKey(node.xy, pop(tags, node, owner), node.params(), [])
        chain.transact(call, owner)
        return node

    return register


# -- addBLSPublicKey ---------------------------------------------------------------------------


def test_registers_a_solo_node_staked_from_the_lock(
    register: Callable[..., Any],
    lock: Any,
    rewards: Any,
    token: Any,
    reward_beneficiary: str,
) -> None:
    node = fresh_node()
    receipt = register(node)
    node_id = new_node_id(rewards, receipt)
    stored = rewards.functions.serviceNodes(node_id).call()
    assert stored[2] == lock.address  # operator
    assert tuple(stored[3]) == node.xy
    assert stored[7] == STAKE  # deposit
    assert [(tuple(c[0]), c[1]) for c in stored[8]] == [((lock.address, reward_beneficiary), STAKE)]
    (event,) = rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
    assert event.args.initiator == lock.address
    assert token.functions.balanceOf(lock.address).call() == GRANT - STAKE
    assert token.functions.allowance(lock.address, rewards.address).call() == 0


def test_c_m01_a_pop_bound_to_another_address_is_refused(
    chain: Chain,
    lock: Any,
    rewards: Any,
    tags: DomainTags,
    beneficiary: str,
    reward_beneficiary: str,
) -> None:
    node = fresh_node()
    for operator in (beneficiary, reward_beneficiary):
        call = lock.functions.addBLSPublicKey(
            node.xy, pop(tags, node, operator), node.params(), reward_beneficiary
        )
        assert error_of(lambda call=call: call.call({"from": beneficiary}), rewards.abi) == (
            "InvalidBLSProofOfPossession",
            (),
        )


def test_refuses_before_start(
    chain: Chain,
    make_lock: Callable[..., Any],
    tags: DomainTags,
    beneficiary: str,
    reward_beneficiary: str,
) -> None:
    later = not_started_lock(chain, make_lock, factory=ZERO)
    node = fresh_node()
    calls = [
        later.functions.addBLSPublicKey(
            node.xy, pop(tags, node, later.address), node.params(), reward_beneficiary
        ),
        later.functions.initiateExitBLSPublicKey(1),
        later.functions.claimRewards(),
        later.functions.claimRewards(1),
    ]
    for call in calls:
        assert reason_of(lambda call=call: call.call({"from": beneficiary})) == (
            "Vesting: not started"
        )


def test_refuses_a_zero_reward_beneficiary(lock: Any, tags: DomainTags, beneficiary: str) -> None:
    node = fresh_node()
    call = lock.functions.addBLSPublicKey(
        node.xy, pop(tags, node, lock.address), node.params(), ZERO
    )
    assert reason_of(lambda: call.call({"from": beneficiary})) == (
        "Shared: Zero-address is not permitted"
    )


def test_a_lock_holding_too_little_cannot_stake(
    register: Callable[..., Any],
    lock: Any,
    token: Any,
    tags: DomainTags,
    beneficiary: str,
    reward_beneficiary: str,
    artifacts: ContractArtifacts,
) -> None:
    register(fresh_node())
    left = GRANT - STAKE
    for _ in range(left // STAKE):
        register(fresh_node())
    node = fresh_node()
    call = lock.functions.addBLSPublicKey(
        node.xy, pop(tags, node, lock.address), node.params(), reward_beneficiary
    )
    held = token.functions.balanceOf(lock.address).call()
    assert held < STAKE
    assert error_of(lambda: call.call({"from": beneficiary}), artifacts.sesh.abi) == (
        "ERC20InsufficientBalance",
        (lock.address, held, STAKE),
    )


def test_staking_calls_belong_to_the_beneficiary_then_to_the_revoker(
    register: Callable[..., Any],
    chain: Chain,
    lock: Any,
    rewards: Any,
    token: Any,
    tags: DomainTags,
    beneficiary: str,
    revoker: str,
    stranger: str,
    reward_beneficiary: str,
) -> None:
    node = fresh_node()

    def add() -> Any:
        return lock.functions.addBLSPublicKey(
            node.xy, pop(tags, node, lock.address), node.params(), reward_beneficiary
        )

    for caller in (stranger, revoker):
        assert reason_of(lambda c=caller: add().call({"from": c})) == (
            "Vesting: Caller must be beneficiary"
        )
    chain.transact(lock.functions.revoke(token.address), revoker)
    for caller in (stranger, beneficiary):
        for call in (
            add(),
            lock.functions.initiateExitBLSPublicKey(1),
            lock.functions.claimRewards(),
        ):
            assert reason_of(lambda call=call, c=caller: call.call({"from": c})) == (
                "Vesting: Caller must be revoker"
            )
    receipt = register(node, revoker)
    assert rewards.functions.serviceNodes(new_node_id(rewards, receipt)).call()[2] == lock.address


# -- exits and rewards -------------------------------------------------------------------------


def test_initiate_exit_of_the_locks_node(
    register: Callable[..., Any],
    chain: Chain,
    lock: Any,
    rewards: Any,
    beneficiary: str,
    stranger: str,
) -> None:
    receipt = register(fresh_node())
    node_id = new_node_id(rewards, receipt)
    call = lock.functions.initiateExitBLSPublicKey(node_id)
    assert reason_of(lambda: call.call({"from": stranger})) == (
        "Vesting: Caller must be beneficiary"
    )
    receipt = chain.transact(call, beneficiary)
    (event,) = rewards.events.ServiceNodeExitRequest().process_receipt(receipt, errors=DISCARD)
    assert (event.args.serviceNodeID, event.args.initiator) == (node_id, lock.address)
    assert rewards.functions.serviceNodes(node_id).call()[5] == chain.timestamp()


def test_initiate_exit_of_a_node_without_the_lock_is_refused(
    owners_node: Callable[[], Node], lock: Any, rewards: Any, beneficiary: str
) -> None:
    owners_node()
    call = lock.functions.initiateExitBLSPublicKey(1)
    assert error_of(lambda: call.call({"from": beneficiary}), rewards.abi) == (
        "CallerNotContributor",
        (1, lock.address),
    )


def test_stake_and_rewards_come_back_into_the_lock_and_vest(
    register: Callable[..., Any],
    chain: Chain,
    owners_node: Callable[[], Node],
    lock: Any,
    rewards: Any,
    token: Any,
    tags: DomainTags,
    beneficiary: str,
    ends: int,
) -> None:
    # Register from the lock, exit on the network's word, have the stake (and a reward) signed
    # to the lock, claim it back in, and release it all at the end.
    node = fresh_node()
    receipt = register(node)
    other = owners_node()
    exit_at = chain.timestamp() + EXIT_AGE + 10
    at(chain, exit_at)
    exit_sig = network_signature(tags, [node, other], exit_message(tags, node.pubkey, exit_at))
    chain.transact(rewards.functions.exitBLSPublicKeyWithSignature(node.xy, exit_at, exit_sig, []))
    assert tuple(rewards.functions.serviceNodes(new_node_id(rewards, receipt)).call()[3]) == (0, 0)
    owed = STAKE + 5 * SESH
    reward_sig = network_signature(tags, [other], reward_message(tags, lock.address, owed))
    chain.transact(rewards.functions.updateRewardsBalance(lock.address, owed, reward_sig, []))

    receipt = chain.transact(lock.functions.claimRewards(4 * SESH), beneficiary)
    (event,) = rewards.events.RewardsClaimed().process_receipt(receipt, errors=DISCARD)
    assert (event.args.recipientAddress, event.args.amount) == (lock.address, 4 * SESH)
    receipt = chain.transact(lock.functions.claimRewards(), beneficiary)
    (event,) = rewards.events.RewardsClaimed().process_receipt(receipt, errors=DISCARD)
    assert event.args.amount == owed - 4 * SESH
    assert tuple(rewards.functions.recipients(lock.address).call()) == (owed, owed)
    assert token.functions.balanceOf(lock.address).call() == GRANT + 5 * SESH

    call = lock.functions.release(token.address)
    assert reason_of(lambda: call.call({"from": beneficiary})) == "Vesting: no tokens are due"
    send_at(chain, call, beneficiary, ends)
    assert token.functions.balanceOf(beneficiary).call() == GRANT + 5 * SESH


def test_claims_above_what_is_owed_are_refused(
    chain: Chain, lock: Any, rewards: Any, beneficiary: str
) -> None:
    call = lock.functions.claimRewards(1)
    assert error_of(lambda: call.call({"from": beneficiary}), rewards.abi) == (
        "MaxClaimExceeded",
        (),
    )
    # claimRewards() claims everything owed, here nothing, and succeeds as in the reference.
    receipt = chain.transact(lock.functions.claimRewards(), beneficiary)
    (event,) = rewards.events.RewardsClaimed().process_receipt(receipt, errors=DISCARD)
    assert (event.args.recipientAddress, event.args.amount) == (lock.address, 0)


def test_after_revoke_the_revoker_claims_into_the_lock_and_collects_at_the_end(
    chain: Chain,
    owners_node: Callable[[], Node],
    lock: Any,
    rewards: Any,
    token: Any,
    tags: DomainTags,
    revoker: str,
    ends: int,
) -> None:
    other = owners_node()
    owed = 7 * SESH
    sig = network_signature(tags, [other], reward_message(tags, lock.address, owed))
    chain.transact(rewards.functions.updateRewardsBalance(lock.address, owed, sig, []))
    chain.transact(lock.functions.revoke(token.address), revoker)
    chain.transact(lock.functions.claimRewards(), revoker)
    assert token.functions.balanceOf(lock.address).call() == GRANT + owed
    assert token.functions.balanceOf(revoker).call() == 0
    send_at(chain, lock.functions.revoke(token.address), revoker, ends)
    assert token.functions.balanceOf(revoker).call() == GRANT + owed
