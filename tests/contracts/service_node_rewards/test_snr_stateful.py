"""A hypothesis state machine against the real contract on anvil.

Random registrations, leave requests, exits (signed and after the wait), liquidations, reward
updates and claims; after every step the contract must agree with a plain model:

- the aggregate key is the sum of the live nodes' keys, and totalNodes the list's length;
- ids are never reused;
- the claims of the current cycle stay within claimThreshold;
- as long as the test signs no more rewards than came in (stakes plus funds the pool
  released), the contract's token balance covers every unclaimed balance.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from web3.exceptions import ContractCustomError

from sesh.bls import aggregate_public_keys
from sesh.evm.chain import Chain

from ...support.contracts import Rewind, run_against_chain, send_at
from .conftest import MINIMUM_EXIT_AGE, STAKE, Network, Node

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

SESH = 10**9
POOL_RELEASE = 1_000 * SESH
CLAIM_THRESHOLD = 400 * SESH


def run_machine(chain: Chain, network: Network, rewards: Any, token: Any, owner: str,
                stakers: list[str]) -> None:  # fmt: skip
    network.seed(6)
    chain.transact(rewards.functions.start(), owner)
    chain.transact(rewards.functions.setClaimThreshold(CLAIM_THRESHOLD), owner)
    chain.transact(token.functions.transfer(rewards.address, POOL_RELEASE), owner)
    for staker in stakers:
        network.approve(staker)
    rewind = Rewind(chain)
    base_nodes = dict(network.nodes)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            rewind()
            network.nodes = dict(base_nodes)
            self.budget = POOL_RELEASE  # what may still be signed as rewards
            self.rewards: dict[str, int] = {}
            self.claimed: dict[str, int] = {}
            self.highest_id = max(network.nodes)
            self.requested: dict[int, int] = {}

        # -- rules -----------------------------------------------------------------------

        @rule(who=st.integers(0, 4))
        def register(self, who: int) -> None:
            node = network.register(stakers[who])
            assert node.id > self.highest_id
            self.highest_id = node.id
            self.budget += STAKE

        @precondition(lambda self: len(network.nodes) > 1)
        @rule(pick=st.integers(0, 10**6))
        def request_exit(self, pick: int) -> None:
            node = self._pick(pick)
            operator = rewards.functions.serviceNodes(node.id).call()[2]
            try:
                chain.transact(rewards.functions.initiateExitBLSPublicKey(node.id), operator)
            except ContractCustomError:
                assert node.id in self.requested  # only a repeat within the hour fails
                return
            self.requested.setdefault(node.id, chain.timestamp())

        @precondition(lambda self: len(network.nodes) > 1)
        @rule(pick=st.integers(0, 10**6), absent=st.integers(0, 3), liquidate=st.booleans())
        def remove_with_signature(self, pick: int, absent: int, liquidate: bool) -> None:
            node = self._pick(pick)
            ts = chain.timestamp() + MINIMUM_EXIT_AGE
            chain.mine(ts)
            threshold = rewards.functions.blsNonSignerThreshold().call()
            others = sorted(i for i in network.nodes if i != node.id)
            non_signers = others[: min(absent, threshold)]
            if liquidate:
                sig = network.liquidate_signature(node, ts, non_signers)
                call = rewards.functions.liquidateBLSPublicKeyWithSignature
                deposit = rewards.functions.serviceNodes(node.id).call()[7]
                penalty = deposit * 1 // 10 + (deposit * 1 + 9) // 10
                self.budget -= penalty
            else:
                sig = network.exit_signature(node, ts, non_signers)
                call = rewards.functions.exitBLSPublicKeyWithSignature
            chain.transact(call(node.xy, ts, sig, non_signers), owner)
            self._gone(node)

        @precondition(lambda self: any(i in network.nodes for i in self.requested))
        @rule()
        def exit_after_wait(self) -> None:
            node_id = next(i for i in self.requested if i in network.nodes)
            ts = self.requested[node_id] + 30 * 86_400
            ts = max(ts, chain.timestamp() + 1)
            send_at(chain, rewards.functions.exitBLSPublicKeyAfterWaitTime(node_id), owner, ts)
            self._gone(network.nodes[node_id])

        # With every node gone there is nobody to sign (the sum of no keys is no key).
        @precondition(lambda self: bool(network.nodes))
        @rule(who=st.integers(0, 4), amount=st.integers(1, 300 * SESH), absent=st.integers(0, 2))
        def update_balance(self, who: int, amount: int, absent: int) -> None:
            amount = min(amount, self.budget)
            if amount == 0:
                return
            recipient = stakers[who]
            total = self.rewards.get(recipient, 0) + amount
            threshold = rewards.functions.blsNonSignerThreshold().call()
            non_signers = sorted(network.nodes)[: min(absent, threshold)]
            sig = network.reward_signature(recipient, total, non_signers)
            chain.transact(
                rewards.functions.updateRewardsBalance(recipient, total, sig, non_signers)
            )
            self.rewards[recipient] = total
            self.budget -= amount

        @rule(who=st.integers(0, 4), part=st.integers(0, 4))
        def claim(self, who: int, part: int) -> None:
            recipient = stakers[who]
            unclaimed = self.rewards.get(recipient, 0) - self.claimed.get(recipient, 0)
            amount = unclaimed * part // 4
            cycle_total = rewards.functions.currentClaimTotal().call()
            same_cycle = (
                chain.timestamp() // rewards.functions.claimCycle().call()
                <= rewards.functions.currentClaimCycle().call()
            )
            try:
                chain.transact(rewards.functions.claimRewards(amount), recipient)
            except ContractCustomError:
                assert same_cycle and cycle_total + amount > CLAIM_THRESHOLD
                return
            self.claimed[recipient] = self.claimed.get(recipient, 0) + amount

        @rule(hours=st.integers(1, 48))
        def wait(self, hours: int) -> None:
            chain.mine(chain.timestamp() + hours * 3_600)

        # -- invariants --------------------------------------------------------------------

        @invariant()
        def aggregate_is_the_sum_of_live_keys(self) -> None:
            expected = aggregate_public_keys([n.pubkey for n in network.nodes.values()])
            assert tuple(rewards.functions.aggregatePubkey().call()) == expected.to_contract()

        @invariant()
        def total_nodes_is_the_list_length(self) -> None:
            ids, _ = rewards.functions.allServiceNodeIDs().call()
            assert rewards.functions.totalNodes().call() == len(ids) == len(network.nodes)
            assert sorted(ids) == sorted(network.nodes)

        @invariant()
        def claims_stay_within_the_cycle_cap(self) -> None:
            assert rewards.functions.currentClaimTotal().call() <= CLAIM_THRESHOLD

        @invariant()
        def the_contract_covers_every_unclaimed_balance(self) -> None:
            owed = sum(self.rewards.values()) - sum(self.claimed.values())
            assert token.functions.balanceOf(rewards.address).call() >= owed
            for recipient, total in self.rewards.items():
                assert tuple(rewards.functions.recipients(recipient).call()) == (
                    total,
                    self.claimed.get(recipient, 0),
                )

        # -- helpers -----------------------------------------------------------------------

        def _pick(self, pick: int) -> Node:
            ids = sorted(network.nodes)
            return network.nodes[ids[pick % len(ids)]]

        def _gone(self, node: Node) -> None:
            network.forget(node)
            self.requested.pop(node.id, None)

    run_against_chain(Machine, examples=12, steps=12)


def test_the_contract_agrees_with_the_model(
    chain: Chain, network: Network, rewards: Any, token: Any, owner: str, stakers: list[str]
) -> None:
    run_machine(chain, network, rewards, token, owner, stakers)
