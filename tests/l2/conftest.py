"""The contract set on anvil with a small network model that produces every event the tracker
decodes: seeding, solo and multi-contributor registrations (with real proofs of possession),
exit requests, exits after the wait and with the network's signature, liquidations, and
requirement changes.

The network's signature is one signature by the sum of the live nodes' secret keys, which is
what aggregating every node's share gives (as in tests/contracts/service_node_rewards).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from web3.types import TxReceipt

from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.profiles import Profile

from ..support.anvil import anvil as anvil
from ..support.anvil import artifacts as artifacts
from ..support.anvil import chain as chain
from ..support.network import RewardsNetwork
from ..support.nodes import Node, node_maker, pop

SESH = 10**9
STAKE = 120 * SESH

PROFILE = Profile(
    name="l2-tests",
    staking_requirement=STAKE,
    max_contributors=10,
    liquidator_reward_ratio=1,
    pool_share_of_liquidation_ratio=1,
    recipient_ratio=8,
    minimum_exit_age=0,
)


fresh_node = node_maker(0x12_0000, 7_919, 0xED_1000)


class Network(RewardsNetwork[Node]):
    """The deployed set and the nodes registered on it."""

    def seed(self, contributors: Sequence[tuple[str, str, int]]) -> tuple[Node, TxReceipt]:
        node = fresh_node()
        entry = (node.xy, node.ed25519, 1_700_000_000, [((a, b), n) for a, b, n in contributors])
        receipt = self.chain.transact(self.rewards.functions.seedPublicKeyList([entry]), self.owner)
        node.id = self._new_id()
        self.nodes[node.id] = node
        return node, receipt

    def register(
        self, sender: str, contributors: Sequence[tuple[str, str, int]] = (), fee: int = 0
    ) -> tuple[Node, TxReceipt]:
        node = fresh_node()
        operator = contributors[0][0] if contributors else sender
        call = self.rewards.functions.addBLSPublicKey(
            node.xy,
            pop(self.tags, node, operator),
            (node.ed25519, 0xAA, 0xBB, fee),
            [((a, b), n) for a, b, n in contributors],
        )
        receipt = self.chain.transact(call, sender)
        node.id = self._new_id()
        self.nodes[node.id] = node
        return node, receipt


@pytest.fixture(scope="module")
def network(chain: Chain, artifacts: ContractArtifacts) -> Network:
    return Network.deployed(chain, PROFILE, artifacts)


@pytest.fixture
def isolated(chain: Chain, network: Network) -> Iterator[Network]:
    """The network, rolled back (chain and model) after the test."""
    snapshot = chain.snapshot()
    known = dict(network.nodes)
    yield network
    chain.revert(snapshot)
    network.nodes = known
