"""The contract set on anvil (the devnet's `local` profile) and a network model that makes every
event a node acts on, with registrations the ledger accepts: each node has real keys, so its
registration carries a proof of possession and the Ed25519 signature the network checks.

The network's signature (for exits and liquidations) is one signature by the sum of the live
nodes' secret keys, which is what aggregating every node's share gives.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey
from web3.types import TxReceipt

from sesh.bls import DomainTags, SecretKey, exit_message, liquidate_message
from sesh.bls.params import R as CURVE_ORDER
from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.deploy import PROFILES, ContractArtifacts, Deployment, deploy, load_artifacts
from sesh.keys import NodeKeys
from sesh.l2.providers import Providers
from sesh.l2.tracker import Tracker, TrackerConfig
from sesh.ledger import DEVNET, NetworkProfile
from sesh.node.node import Node, NodeConfig
from sesh.node.store import Store

SESH = 10**9
STAKE = 120 * SESH
CHAIN_ID = 31337
WAIT = 30 * 86_400 + 1
"""exitBLSPublicKeyAfterWaitTime's wait after the leave request, and a second."""
PRODUCER = b"\x42" * 32

TEST_PROFILE: NetworkProfile = replace(
    DEVNET,
    name="node-tests",
    maturity=4,
    unlock_delay=12,
    liquidation_grace=6,
    stake_lock=30,
    purge_min_age=40,
    initial_credit=4,
    decommission_min_credit=4,
)
"""The devnet's chain and stake with waits of a few blocks (1-second blocks): maturity 4,
unlock 12, liquidation grace 6, stake lock 30, purge age 40, and credits short enough that a
decommissioned node can be deregistered 5 blocks later."""


@pytest.fixture(scope="session")
def artifacts(request: pytest.FixtureRequest) -> ContractArtifacts:
    """Compiled once per source change: kept in pytest's cache directory."""
    return load_artifacts(cache_dir=request.config.cache.mkdir("sesh-contracts"))


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil(port=0) as node:
        yield node


@pytest.fixture(scope="module")
def chain(anvil: Anvil) -> Chain:
    return Chain(anvil.rpc_url)


_counter = itertools.count(1)


def fresh_keys() -> NodeKeys:
    n = next(_counter)
    seed = hashlib.sha256(b"sesh node tests " + n.to_bytes(4, "big")).digest()
    return NodeKeys(SecretKey.from_int(0x77_0000 + 7_919 * n), SigningKey(seed))


@dataclass
class Member:
    keys: NodeKeys
    id: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return self.keys.bls_public_key.to_contract()

    @property
    def pubkey(self) -> bytes:
        return self.keys.ed25519_public_key


@dataclass
class Network:
    """The deployed set and the nodes registered on it (see the module docstring)."""

    chain: Chain
    deployment: Deployment
    rewards: Any
    token: Any
    pool: Any
    tags: DomainTags
    owner: str
    nodes: dict[int, Member] = field(default_factory=dict)

    def fund(self, stakers: Sequence[str]) -> None:
        for staker in stakers:
            self.chain.transact(self.token.functions.transfer(staker, 10_000 * SESH), self.owner)
            self.chain.transact(
                self.token.functions.approve(self.rewards.address, 2**256 - 1), staker
            )

    def _new_id(self) -> int:
        return int(self.rewards.functions.nextServiceNodeID().call()) - 1

    def seed(self, contributors: Sequence[tuple[str, str, int]]) -> Member:
        node = Member(fresh_keys())
        entry = (
            node.key,
            int.from_bytes(node.pubkey, "big"),
            self.chain.timestamp(),
            [((a, b), n) for a, b, n in contributors],
        )
        self.chain.transact(self.rewards.functions.seedPublicKeyList([entry]), self.owner)
        node.id = self._new_id()
        self.nodes[node.id] = node
        return node

    def start(self) -> None:
        self.chain.transact(self.rewards.functions.start(), self.owner)

    def register(
        self,
        sender: str,
        contributors: Sequence[tuple[str, str, int]] = (),
        fee: int = 0,
    ) -> Member:
        """addBLSPublicKey with valid proofs; a solo node stakes the current requirement."""
        node = Member(fresh_keys())
        operator = contributors[0][0] if contributors else sender
        signed = node.keys.sign_registration(operator, CHAIN_ID, self.rewards.address)
        call = self.rewards.functions.addBLSPublicKey(
            node.key,
            signed.proof_of_possession.to_contract(),
            signed.service_node_params(fee),
            [((a, b), n) for a, b, n in contributors],
        )
        self.chain.transact(call, sender)
        node.id = self._new_id()
        self.nodes[node.id] = node
        return node

    def request_exit(self, node: Member, sender: str) -> TxReceipt:
        return self.chain.transact(self.rewards.functions.initiateExitBLSPublicKey(node.id), sender)

    def exit_after_wait(self, node: Member, sender: str) -> TxReceipt:
        self.chain.mine(self.chain.timestamp() + WAIT)  # estimates run at the latest block
        call = self.rewards.functions.exitBLSPublicKeyAfterWaitTime(node.id)
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def _network_signature(self, message: bytes) -> tuple[int, int, int, int]:
        total = sum(n.keys.bls.scalar for n in self.nodes.values()) % CURVE_ORDER
        return SecretKey.from_int(total).sign(message, self.tags.hash_to_g2).to_contract()

    def exit_with_signature(self, node: Member, sender: str) -> TxReceipt:
        timestamp = self.chain.timestamp()
        message = exit_message(self.tags, node.keys.bls_public_key, timestamp)
        call = self.rewards.functions.exitBLSPublicKeyWithSignature(
            node.key, timestamp, self._network_signature(message), []
        )
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def liquidate(self, node: Member, sender: str) -> TxReceipt:
        timestamp = self.chain.timestamp()
        message = liquidate_message(self.tags, node.keys.bls_public_key, timestamp)
        call = self.rewards.functions.liquidateBLSPublicKeyWithSignature(
            node.key, timestamp, self._network_signature(message), []
        )
        receipt = self.chain.transact(call, sender)
        del self.nodes[node.id]
        return receipt

    def set_requirement(self, requirement: int) -> TxReceipt:
        call = self.rewards.functions.setStakingRequirement(requirement)
        return self.chain.transact(call, self.owner)

    def contract_keys(self) -> set[tuple[int, int]]:
        _, keys = self.rewards.functions.allServiceNodeIDs().call()
        return {(k[0], k[1]) if not isinstance(k, dict) else (k["X"], k["Y"]) for k in keys}


@pytest.fixture(scope="module")
def network(chain: Chain, artifacts: ContractArtifacts) -> Network:
    """The `local` set, not started, stakers 1-5 funded."""
    deployment = deploy(chain, PROFILES["local"], artifacts)
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


def make_tracker(net: Network, urls: Sequence[str] = ()) -> Tracker:
    config = TrackerConfig(
        CHAIN_ID,
        net.deployment.service_node_rewards,
        reward_rate_pool=net.deployment.reward_rate_pool,
        confirmations=0,
    )
    return Tracker(Providers.from_urls(urls or [net.chain.rpc_url], CHAIN_ID), config)


def make_node(
    net: Network, data_dir: Path, profile: NetworkProfile = TEST_PROFILE, **options: Any
) -> Node:
    """A node on ``data_dir`` following ``net`` with blocks back to back."""
    config = NodeConfig(profile, PRODUCER, block_time=0, **options)
    return Node(Store.open(data_dir), make_tracker(net), config)


def write_deployment(net: Network, path: Path) -> Path:
    path.write_text(net.deployment.dumps())
    return path
