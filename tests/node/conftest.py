"""The contract set on anvil (the devnet's `local` profile) and a network model that makes every
event a node acts on, with registrations the ledger accepts: each node has real keys, so its
registration carries a proof of possession and the Ed25519 signature the network checks.

The network's signature (for exits and liquidations) is one signature by the sum of the live
nodes' secret keys, which is what aggregating every node's share gives.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from sesh.bls import SecretKey
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.profiles import PROFILES
from sesh.keys import NodeKeys
from sesh.l2.providers import Providers
from sesh.l2.tracker import Tracker, TrackerConfig
from sesh.ledger import DEVNET, NetworkProfile
from sesh.node.genesis import Genesis

from ..support.anvil import anvil as anvil
from ..support.anvil import artifacts as artifacts
from ..support.anvil import chain as chain
from ..support.network import RewardsNetwork
from .cluster import Cluster, genesis_at

SESH = 10**9
STAKE = 120 * SESH
CHAIN_ID = 31337

TEST_TIMERS: dict[str, Any] = {
    "block_time": 1,
    "maturity": 4,
    "unlock_delay": 12,
    "liquidation_grace": 6,
    "stake_lock": 30,
    "purge_min_age": 40,
    "initial_credit": 4,
    "decommission_min_credit": 4,
}
TEST_PROFILE: NetworkProfile = replace(DEVNET, name="node-tests", **TEST_TIMERS)
"""The devnet's chain and stake with waits of a few blocks (1-second blocks): maturity 4,
unlock 12, liquidation grace 6, stake lock 30, purge age 40, and credits short enough that a
decommissioned node can be deregistered 5 blocks later."""


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
    def xy(self) -> tuple[int, int]:
        return self.keys.bls_public_key.to_contract()

    @property
    def secret(self) -> SecretKey:
        return self.keys.bls

    @property
    def pubkey(self) -> bytes:
        return self.keys.ed25519_public_key


class Network(RewardsNetwork[Member]):
    """The deployed set and the nodes registered on it (see the module docstring)."""

    def seed(self, contributors: Sequence[tuple[str, str, int]]) -> Member:
        node = Member(fresh_keys())
        entry = (
            node.xy,
            int.from_bytes(node.pubkey, "big"),
            self.chain.timestamp(),
            [((a, b), n) for a, b, n in contributors],
        )
        self.chain.transact(self.rewards.functions.seedPublicKeyList([entry]), self.owner)
        node.id = self._new_id()
        self.nodes[node.id] = node
        return node

    def register(
        self,
        sender: str,
        contributors: Sequence[tuple[str, str, int]] = (),
        fee: int = 0,
        *,
        forged: bool = False,
    ) -> Member:
        """addBLSPublicKey with valid proofs; a solo node stakes the current requirement.
        `forged`: the Ed25519 signature is wrong, which the contract does not check and the
        network refuses (the node is in the contract only)."""
        node = Member(fresh_keys())
        operator = contributors[0][0] if contributors else sender
        signed = node.keys.sign_registration(operator, CHAIN_ID, self.rewards.address)
        call = self.rewards.functions.addBLSPublicKey(
            node.xy,
            signed.proof_of_possession.to_contract(),
            _forge(signed.service_node_params(fee)) if forged else signed.service_node_params(fee),
            [((a, b), n) for a, b, n in contributors],
        )
        self.chain.transact(call, sender)
        node.id = self._new_id()
        self.nodes[node.id] = node
        return node

    def contract_keys(self) -> set[tuple[int, int]]:
        _, keys = self.rewards.functions.allServiceNodeIDs().call()
        return {(k[0], k[1]) if not isinstance(k, dict) else (k["X"], k["Y"]) for k in keys}


def _forge(params: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    ed25519, first, second, fee = params
    return ed25519, first ^ 1, second, fee


@pytest.fixture(scope="module")
def network(chain: Chain, artifacts: ContractArtifacts) -> Network:
    """The `local` set, not started, stakers 1-5 funded."""
    return Network.deployed(chain, PROFILES["devnet"], artifacts)


def make_tracker(net: Network, urls: Sequence[str] = ()) -> Tracker:
    config = TrackerConfig(
        CHAIN_ID,
        net.deployment.service_node_rewards,
        reward_rate_pool=net.deployment.reward_rate_pool,
        confirmations=0,
    )
    return Tracker(Providers.from_urls(urls or [net.chain.rpc_url], CHAIN_ID), config)


def seed_genesis(
    net: Network, staker: str, profile: NetworkProfile = TEST_PROFILE
) -> tuple[Member, Genesis]:
    """Seed the first node a test runs (staked by `staker`) and take the genesis at that L2
    block: a network of one. Nodes seeded or registered later are events the network confirms
    (and must run in the test's cluster: `Cluster.add`)."""
    member = net.seed([(staker, staker, STAKE)])
    block = net.chain.w3.eth.block_number
    return member, genesis_at(make_tracker(net), profile, block)


def make_cluster(
    net: Network, directory: Path, member: Member, genesis: Genesis, **options: Any
) -> Cluster:
    """The network that starts with `member` alone, its stores under `directory`."""
    return Cluster(
        directory,
        lambda: make_tracker(net),
        genesis,
        [member.keys],
        TEST_PROFILE,
        **options,
    )


def running_cluster(
    net: Network, directory: Path, stakers: Sequence[str], steps: int
) -> tuple[Cluster, list[Member]]:
    """A node for each of `stakers` (the first in the genesis, the others seeded after it), the
    contract started, all of them running as a cluster for `steps` blocks: the cluster and the
    members in the stakers' order."""
    first, genesis = seed_genesis(net, stakers[0])
    others = [net.seed([(s, s, STAKE)]) for s in stakers[1:]]
    net.start()
    node = make_cluster(net, directory, first, genesis)
    for member in others:
        node.add(member.keys)
    node.steps(steps)
    assert len(node.ledger.nodes) == len(stakers)
    return node, [first, *others]


def write_deployment(net: Network, path: Path) -> Path:
    path.write_text(net.deployment.dumps())
    return path


def node_run_command(data_dir: Path, rpc_url: str, deployment: Path, *options: str) -> list[str]:
    """``sesh node run`` on this interpreter, as a command line for a subprocess."""
    return [
        sys.executable,
        "-m",
        "sesh.cli",
        "node",
        "run",
        "--data-dir",
        str(data_dir),
        "--rpc",
        rpc_url,
        "--deployment",
        str(deployment),
        *options,
    ]
