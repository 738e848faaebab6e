"""The contract set on anvil as a network model: the deployed contracts, the nodes registered
on them, and the calls the tracker and node tests make to produce every event they act on.

The network's signature (for exits and liquidations) is one signature by the sum of the live
nodes' secret keys, which is what aggregating every node's share gives. Each test package
subclasses ``RewardsNetwork`` with its own kind of node and its own registrations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from web3.types import TxReceipt

from sesh.bls import DomainTags, exit_message, liquidate_message
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import Profile
from sesh.evm.record import Deployment

from .nodes import Keyed, network_signature

SESH = 10**9
WAIT = 30 * 86_400 + 1
"""exitBLSPublicKeyAfterWaitTime's wait after the leave request, and a second."""

N = TypeVar("N", bound=Keyed)
Net = TypeVar("Net", bound="RewardsNetwork[Any]")


@dataclass
class RewardsNetwork(Generic[N]):
    """The deployed set and the nodes registered on it."""

    chain: Chain
    deployment: Deployment
    rewards: Any
    token: Any
    pool: Any
    tags: DomainTags
    owner: str
    nodes: dict[int, N] = field(default_factory=dict)

    @classmethod
    def deployed(
        cls: type[Net], chain: Chain, profile: Profile, artifacts: ContractArtifacts
    ) -> Net:
        """``profile``'s set, deployed and not started, stakers 1-5 funded."""
        deployment = deploy(chain, profile, artifacts)
        w3 = chain.w3
        rewards = w3.eth.contract(
            address=deployment.service_node_rewards, abi=artifacts.service_node_rewards.abi
        )
        token = w3.eth.contract(address=deployment.sesh, abi=artifacts.sesh.abi)
        pool = w3.eth.contract(
            address=deployment.reward_rate_pool, abi=artifacts.reward_rate_pool.abi
        )
        tags = DomainTags.for_contract(int(w3.eth.chain_id), rewards.address)
        net = cls(chain, deployment, rewards, token, pool, tags, chain.accounts[0])
        net.fund(chain.accounts[1:6])
        return net

    def fund(self, stakers: Sequence[str]) -> None:
        for staker in stakers:
            self.chain.transact(self.token.functions.transfer(staker, 10_000 * SESH), self.owner)
            self.chain.transact(
                self.token.functions.approve(self.rewards.address, 2**256 - 1), staker
            )

    def _new_id(self) -> int:
        return int(self.rewards.functions.nextServiceNodeID().call()) - 1

    def start(self) -> None:
        self.chain.transact(self.rewards.functions.start(), self.owner)

    def request_exit(self, node: N, sender: str) -> TxReceipt:
        return self.chain.transact(self.rewards.functions.initiateExitBLSPublicKey(node.id), sender)

    def exit_after_wait(self, node: N, sender: str) -> TxReceipt:
        self.chain.mine(self.chain.timestamp() + WAIT)  # gas is estimated at the latest block
        call = self.rewards.functions.exitBLSPublicKeyAfterWaitTime(node.id)
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def _network_signature(self, message: bytes) -> tuple[int, int, int, int]:
        return network_signature(self.tags, self.nodes.values(), message)

    def exit_with_signature(self, node: N, sender: str) -> TxReceipt:
        timestamp = self.chain.timestamp()
        message = exit_message(self.tags, node.secret.public_key(), timestamp)
        call = self.rewards.functions.exitBLSPublicKeyWithSignature(
            node.xy, timestamp, self._network_signature(message), []
        )
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def liquidate(self, node: N, sender: str) -> TxReceipt:
        timestamp = self.chain.timestamp()
        message = liquidate_message(self.tags, node.secret.public_key(), timestamp)
        call = self.rewards.functions.liquidateBLSPublicKeyWithSignature(
            node.xy, timestamp, self._network_signature(message), []
        )
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def set_requirement(self, requirement: int) -> TxReceipt:
        call = self.rewards.functions.setStakingRequirement(requirement)
        return self.chain.transact(call, self.owner)
