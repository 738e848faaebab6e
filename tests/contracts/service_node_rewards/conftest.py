"""ServiceNodeRewards behind its proxy, with a test network that signs like the real one.

Deployed as the reference's unit tests set it up: staking requirement 120 SESH, at most 10
contributors, liquidation ratios 1/1/8, and the reference's 2-hour minimum exit age. Roles
(anvil's dev accounts): the owner (0), stakers 1-5, a stranger (6), the new owner (7).

``Network`` is the test's model of the registered nodes: it holds every node's secret key, so
a "network signature" by all nodes but some non-signers is one signature by the sum of the
signers' secret keys, which is what aggregating their shares gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.bls import (
    DomainTags,
    exit_message,
    liquidate_message,
    reward_message,
)
from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import Profile
from sesh.evm.record import Deployment

from ...support.contracts import account, accounts, isolated, roles
from ...support.nodes import Node, network_signature, node_maker, pop

SESH = 10**9
STAKE = 120 * SESH
RATIOS = (1, 1, 8)
MINIMUM_EXIT_AGE = 2 * 3_600
STAKER_FUNDS = 100_000 * SESH


UNIT_TESTS = Profile(
    name="unit-tests",
    staking_requirement=STAKE,
    max_contributors=10,
    liquidator_reward_ratio=RATIOS[0],
    pool_share_of_liquidation_ratio=RATIOS[1],
    recipient_ratio=RATIOS[2],
    minimum_exit_age=MINIMUM_EXIT_AGE,
)
"""The reference's unit-test parameters, with its 2-hour minimum exit age."""


@pytest.fixture(scope="session")
def rewards_artifact(artifacts: ContractArtifacts) -> Artifact:
    return artifacts.service_node_rewards


owner = account("owner", 0)
stakers = accounts("stakers", 1, 6)
stranger, new_owner = roles("stranger", "new_owner", first=6)


@pytest.fixture(scope="module")
def deployed(
    chain: Chain, artifacts: ContractArtifacts, owner: str, stakers: list[str]
) -> Deployment:
    """The set as `sesh deploy` makes it (not started); the stakers get SESH to stake."""
    deployment = deploy(chain, UNIT_TESTS, artifacts)
    sesh = chain.w3.eth.contract(address=deployment.sesh, abi=artifacts.sesh.abi)
    for staker in stakers:
        chain.transact(sesh.functions.transfer(staker, STAKER_FUNDS), owner)
    return deployment


@pytest.fixture(scope="module")
def token(chain: Chain, artifacts: ContractArtifacts, deployed: Deployment) -> Any:
    return chain.w3.eth.contract(address=deployed.sesh, abi=artifacts.sesh.abi)


@pytest.fixture(scope="module")
def pool(chain: Chain, artifacts: ContractArtifacts, deployed: Deployment) -> Any:
    return chain.w3.eth.contract(
        address=deployed.reward_rate_pool, abi=artifacts.reward_rate_pool.abi
    )


@pytest.fixture(scope="module")
def verifier(chain: Chain, artifacts: ContractArtifacts, deployed: Deployment) -> Any:
    return chain.w3.eth.contract(address=deployed.bls_verifier, abi=artifacts.bls_verifier.abi)


@pytest.fixture(scope="module")
def deployment(chain: Chain, rewards_artifact: Artifact, deployed: Deployment) -> tuple[Any, Any]:
    """(proxy, implementation) of ServiceNodeRewards, initialised, not started."""
    return tuple(  # type: ignore[return-value]
        chain.w3.eth.contract(address=address, abi=rewards_artifact.abi)
        for address in (deployed.service_node_rewards, deployed.service_node_rewards_implementation)
    )


@pytest.fixture(scope="module")
def rewards(deployment: tuple[Any, Any]) -> Any:
    return deployment[0]


@pytest.fixture(scope="module")
def tags(chain: Chain, rewards: Any) -> DomainTags:
    return DomainTags.for_contract(chain.w3.eth.chain_id, rewards.address)


fresh_node = node_maker(0x5E55_0000, 7919, 0xED_0000)


@dataclass
class Network:
    """The registered nodes, able to register more and to sign as the network."""

    chain: Chain
    rewards: Any
    token: Any
    tags: DomainTags
    owner: str
    nodes: dict[int, Node] = field(default_factory=dict)

    # -- keys and proofs ---------------------------------------------------------------------

    def pop(self, node: Node, operator: str) -> tuple[int, int, int, int]:
        return pop(self.tags, node, operator)

    def params(self, node: Node, fee: int = 0) -> tuple[int, int, int, int]:
        return node.params(fee)

    # -- registration ------------------------------------------------------------------------

    def register(
        self,
        sender: str,
        contributors: Sequence[tuple[tuple[str, str], int]] = (),
        node: Node | None = None,
        operator: str | None = None,
    ) -> Node:
        """approve + addBLSPublicKey from ``sender``; the PoP names the operator the contract
        will use (the first contributor, or the sender for a solo node)."""
        node = node or fresh_node()
        operator = operator or (contributors[0][0][0] if contributors else sender)
        self.approve(sender)
        receipt = self.chain.transact(
            self.rewards.functions.addBLSPublicKey(
                node.xy, self.pop(node, operator), self.params(node), list(contributors)
            ),
            sender,
        )
        (event,) = self.rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
        node.id = event["args"]["serviceNodeID"]
        self.nodes[node.id] = node
        return node

    def add_call(
        self, node: Node, operator: str, contributors: Sequence[Any] = (), pop: Any = None
    ) -> Any:
        return self.rewards.functions.addBLSPublicKey(
            node.xy, pop or self.pop(node, operator), self.params(node), list(contributors)
        )

    def approve(self, sender: str, amount: int = 2**256 - 1) -> None:
        self.chain.transact(self.token.functions.approve(self.rewards.address, amount), sender)

    def seed(self, count: int, contributor: str | None = None, added: int = 1) -> list[Node]:
        """Seed ``count`` nodes with one contributor each (owner, before start)."""
        contributor = contributor or self.owner
        new = [fresh_node() for _ in range(count)]
        entries = [
            (n.xy, n.ed25519, added, [((contributor, contributor), self.stake())]) for n in new
        ]
        receipt = self.chain.transact(self.rewards.functions.seedPublicKeyList(entries), self.owner)
        events = self.rewards.events.NewSeededServiceNode().process_receipt(receipt, errors=DISCARD)
        for node, event in zip(new, events, strict=True):
            node.id = event["args"]["serviceNodeID"]
            self.nodes[node.id] = node
        return new

    def stake(self) -> int:
        return int(self.rewards.functions.stakingRequirement().call())

    def forget(self, node: Node) -> None:
        self.nodes.pop(node.id, None)

    # -- network signatures ------------------------------------------------------------------

    def sign(self, message: bytes, non_signers: Sequence[int] = ()) -> tuple[int, int, int, int]:
        """The aggregate signature of every live node except ``non_signers`` (ids)."""
        signers = (n for i, n in self.nodes.items() if i not in set(non_signers))
        return network_signature(self.tags, signers, message)

    def reward_signature(
        self, recipient: str, amount: int, non_signers: Sequence[int] = ()
    ) -> tuple[int, int, int, int]:
        return self.sign(reward_message(self.tags, recipient, amount), non_signers)

    def exit_signature(
        self, node: Node, timestamp: int, non_signers: Sequence[int] = ()
    ) -> tuple[int, int, int, int]:
        return self.sign(exit_message(self.tags, node.pubkey, timestamp), non_signers)

    def liquidate_signature(
        self, node: Node, timestamp: int, non_signers: Sequence[int] = ()
    ) -> tuple[int, int, int, int]:
        return self.sign(liquidate_message(self.tags, node.pubkey, timestamp), non_signers)


@pytest.fixture(scope="module")
def network(chain: Chain, rewards: Any, token: Any, tags: DomainTags, owner: str) -> Network:
    return Network(chain, rewards, token, tags, owner)


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, deployment: Any, network: Network) -> Iterator[None]:
    """Every test starts from the module's state; the network model is rolled back with it."""
    known = dict(network.nodes)
    with isolated(chain):
        yield
    network.nodes = known
