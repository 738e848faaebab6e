"""The contract set on anvil with a small network model that produces every event the tracker
decodes: seeding, solo and multi-contributor registrations (with real proofs of possession),
exit requests, exits after the wait and with the network's signature, liquidations, and
requirement changes.

The network's signature is one signature by the sum of the live nodes' secret keys, which is
what aggregating every node's share gives (as in tests/contracts/service_node_rewards).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from web3.types import TxReceipt

from sesh.bls import DomainTags, SecretKey, exit_message, liquidate_message
from sesh.bls import proof_of_possession_message as pop_message
from sesh.bls.params import R as CURVE_ORDER
from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.deploy import ContractArtifacts, Deployment, Profile, deploy, load_artifacts

SESH = 10**9
STAKE = 120 * SESH
WAIT = 30 * 86_400 + 1
"""exitBLSPublicKeyAfterWaitTime's wait after the leave request, and a second."""

PROFILE = Profile(
    name="l2-tests",
    staking_requirement=STAKE,
    max_contributors=10,
    liquidator_reward_ratio=1,
    pool_share_of_liquidation_ratio=1,
    recipient_ratio=8,
    minimum_exit_age=0,
)


@pytest.fixture(scope="session")
def artifacts(request: pytest.FixtureRequest) -> ContractArtifacts:
    """Compiled once per source change: kept in pytest's cache directory (when pytest runs
    with its cache)."""
    cache = getattr(request.config, "cache", None)
    return load_artifacts(cache_dir=cache.mkdir("sesh-contracts") if cache else None)


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil(port=0) as node:
        yield node


@pytest.fixture(scope="module")
def chain(anvil: Anvil) -> Chain:
    return Chain(anvil.rpc_url)


@dataclass
class Node:
    secret: SecretKey
    ed25519: int
    id: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return self.secret.public_key().to_contract()


_counter = itertools.count(1)


def fresh_node() -> Node:
    n = next(_counter)
    return Node(SecretKey.from_int(0x12_0000 + 7_919 * n), ed25519=0xED_1000 + n)


@dataclass
class Network:
    """The deployed set and the nodes registered on it."""

    chain: Chain
    deployment: Deployment
    rewards: Any
    token: Any
    pool: Any
    tags: DomainTags
    owner: str
    nodes: dict[int, Node] = field(default_factory=dict)

    def fund(self, stakers: Sequence[str]) -> None:
        for staker in stakers:
            self.chain.transact(self.token.functions.transfer(staker, 10_000 * SESH), self.owner)
            self.chain.transact(
                self.token.functions.approve(self.rewards.address, 2**256 - 1), staker
            )

    def seed(self, contributors: Sequence[tuple[str, str, int]]) -> tuple[Node, TxReceipt]:
        node = fresh_node()
        entry = (node.key, node.ed25519, 1_700_000_000, [((a, b), n) for a, b, n in contributors])
        receipt = self.chain.transact(self.rewards.functions.seedPublicKeyList([entry]), self.owner)
        node.id = int(self.rewards.functions.nextServiceNodeID().call()) - 1
        self.nodes[node.id] = node
        return node, receipt

    def start(self) -> None:
        self.chain.transact(self.rewards.functions.start(), self.owner)

    def register(
        self, sender: str, contributors: Sequence[tuple[str, str, int]] = (), fee: int = 0
    ) -> tuple[Node, TxReceipt]:
        node = fresh_node()
        operator = contributors[0][0] if contributors else sender
        message = pop_message(self.tags, node.secret.public_key(), operator, node.ed25519)
        pop = node.secret.sign(message, self.tags.hash_to_g2).to_contract()
        call = self.rewards.functions.addBLSPublicKey(
            node.key,
            pop,
            (node.ed25519, 0xAA, 0xBB, fee),
            [((a, b), n) for a, b, n in contributors],
        )
        receipt = self.chain.transact(call, sender)
        node.id = int(self.rewards.functions.nextServiceNodeID().call()) - 1
        self.nodes[node.id] = node
        return node, receipt

    def request_exit(self, node: Node, sender: str) -> TxReceipt:
        return self.chain.transact(self.rewards.functions.initiateExitBLSPublicKey(node.id), sender)

    def exit_after_wait(self, node: Node, sender: str) -> TxReceipt:
        self.chain.mine(self.chain.timestamp() + WAIT)  # gas is estimated at the latest block
        call = self.rewards.functions.exitBLSPublicKeyAfterWaitTime(node.id)
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def _network_signature(self, message: bytes) -> tuple[int, int, int, int]:
        total = sum(n.secret.scalar for n in self.nodes.values()) % CURVE_ORDER
        return SecretKey.from_int(total).sign(message, self.tags.hash_to_g2).to_contract()

    def exit_with_signature(self, node: Node, sender: str) -> TxReceipt:
        timestamp = self.chain.timestamp()
        message = exit_message(self.tags, node.secret.public_key(), timestamp)
        signature = self._network_signature(message)
        call = self.rewards.functions.exitBLSPublicKeyWithSignature(
            node.key, timestamp, signature, []
        )
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def liquidate(self, node: Node, sender: str) -> TxReceipt:
        timestamp = self.chain.timestamp()
        message = liquidate_message(self.tags, node.secret.public_key(), timestamp)
        signature = self._network_signature(message)
        call = self.rewards.functions.liquidateBLSPublicKeyWithSignature(
            node.key, timestamp, signature, []
        )
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def set_requirement(self, requirement: int) -> TxReceipt:
        call = self.rewards.functions.setStakingRequirement(requirement)
        return self.chain.transact(call, self.owner)


@pytest.fixture(scope="module")
def network(chain: Chain, artifacts: ContractArtifacts) -> Network:
    deployment = deploy(chain, PROFILE, artifacts)
    w3 = chain.w3
    rewards = w3.eth.contract(
        address=deployment.service_node_rewards, abi=artifacts.service_node_rewards.abi
    )
    token = w3.eth.contract(address=deployment.sesh, abi=artifacts.sesh.abi)
    pool = w3.eth.contract(address=deployment.reward_rate_pool, abi=artifacts.reward_rate_pool.abi)
    tags = DomainTags.for_contract(int(w3.eth.chain_id), rewards.address)
    net = Network(chain, deployment, rewards, token, pool, tags, chain.accounts[0])
    net.fund(chain.accounts[1:6])
    return net


@pytest.fixture
def isolated(chain: Chain, network: Network) -> Iterator[Network]:
    """The network, rolled back (chain and model) after the test."""
    snapshot = chain.snapshot()
    known = dict(network.nodes)
    yield network
    chain.revert(snapshot)
    network.nodes = known
