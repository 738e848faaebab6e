"""The genesis against a real devnet chain: the contracts deployed, seeded and started exactly as
`sesh devnet` does it (``ensure_contracts``), its genesis.json checked against the chain, and
refused, naming what differs, once edited; the tracker reporting the seeded nodes with the very
event ids of the genesis; the genesis ledger holding them active and payable."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sesh.devnet import DevnetContracts, devnet_contract_names, ensure_contracts
from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.chain import Chain
from sesh.evm.contract_set import contract_loader
from sesh.keys import NodeKeys
from sesh.l2.events import NewServiceNode, event_id
from sesh.l2.providers import JsonRpcProvider
from sesh.l2.tracker import Tracker, TrackerConfig
from sesh.ledger import DEVNET, active_count
from sesh.node.genesis import Genesis, GenesisError, load_genesis, verify_genesis
from sesh.units import SESH

pytestmark = pytest.mark.anvil

NODES = 5
CHAIN_ID = 31337


@dataclass
class Devnet:
    rpc_url: str
    data_dir: Path
    contracts: DevnetContracts

    @property
    def genesis_path(self) -> Path:
        return self.data_dir / "genesis.json"

    def genesis(self) -> Genesis:
        return load_genesis(self.genesis_path)

    def tracker(self) -> Tracker:
        config = TrackerConfig(
            CHAIN_ID, self.contracts.deployment.service_node_rewards, confirmations=0
        )
        return Tracker(JsonRpcProvider(self.rpc_url), config)


@pytest.fixture(scope="module")
def devnet(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Devnet]:
    """A devnet's chain and data directory, its compiled contracts taken from pytest's cache
    (compiled there once, while the sources stay the same)."""
    data = tmp_path_factory.mktemp("devnet-data")
    cache = request.config.cache
    if cache is not None:
        build = cache.mkdir("sesh-devnet-build")
        load = contract_loader(build)
        for name in devnet_contract_names():
            load(name)
        shutil.copytree(build, data / "build")
    with Anvil(port=0) as node:
        yield Devnet(node.rpc_url, data, ensure_contracts(node.rpc_url, data, io.StringIO()))


def test_the_devnet_seeds_its_nodes_and_writes_a_genesis_the_l2_confirms(devnet: Devnet) -> None:
    genesis = devnet.genesis()
    assert devnet.contracts.genesis is not None
    assert devnet.contracts.genesis.genesis == genesis
    assert genesis.network == "devnet" and genesis.l2_chain_id == CHAIN_ID
    assert genesis.rewards_contract == devnet.contracts.deployment.service_node_rewards
    assert [node.service_node_id for node in genesis.seeded] == list(range(1, NODES + 1))
    assert genesis.staking_requirement == 120 * SESH
    verify_genesis(genesis, JsonRpcProvider(devnet.rpc_url))
    verify_genesis(genesis, devnet.tracker())


def test_each_seeded_node_has_its_keys_and_one_dev_account_staking_it(devnet: Devnet) -> None:
    genesis = devnet.genesis()
    accounts = [key.address for key in dev_keys()]
    for index, node in enumerate(genesis.seeded, start=1):
        keys = NodeKeys.load(devnet.data_dir / "nodes" / str(index) / "keys")
        assert node.ed25519_pubkey == keys.ed25519_public_key
        assert node.bls_pubkey == keys.bls_public_key.to_contract()
        (contributor,) = node.contributors
        staker = accounts[4 + index - 1]  # accounts 4…9: the examples use 0…3
        assert contributor.address == contributor.beneficiary == staker.lower()
        assert contributor.amount == genesis.staking_requirement
    assert devnet.contracts.genesis is not None
    listed = [node.to_json() for node in devnet.contracts.genesis.nodes]
    assert [n["dir"] for n in listed] == [
        str(devnet.data_dir / "nodes" / str(i) / "keys") for i in range(1, NODES + 1)
    ]


def test_the_seeded_stakes_are_moved_into_the_rewards_contract(devnet: Devnet) -> None:
    deployment = devnet.contracts.deployment
    chain = Chain(devnet.rpc_url)
    token = chain.bind(deployment.sesh, contract_loader(devnet.data_dir / "build")("SESH"))
    assert token.view("balanceOf", deployment.service_node_rewards) == NODES * 120 * SESH


def test_the_tracker_reports_the_seeded_nodes_with_the_genesis_event_ids(devnet: Devnet) -> None:
    genesis = devnet.genesis()
    tracker = devnet.tracker()
    position = tracker.initial_position()
    reported = []
    while True:
        result = tracker.poll(position)
        reported += result.events
        position = result.position
        if result.caught_up:
            break
    seeded = [e for e in reported if isinstance(e, NewServiceNode) and e.seeded]
    assert seeded == list(genesis.events())
    assert [event_id(e) for e in seeded] == [event_id(e) for e in genesis.events()]


def test_the_genesis_ledger_holds_every_seeded_node_active_and_payable(devnet: Devnet) -> None:
    genesis = devnet.genesis()
    ledger = genesis.ledger(DEVNET)
    assert active_count(ledger) == NODES
    assert all(node.payable for node in ledger.nodes.values())
    assert set(ledger.nodes) == {node.ed25519_pubkey for node in genesis.seeded}
    assert (ledger.height, ledger.l2_height) == (0, genesis.l2_block.number)
    assert ledger.timestamp == genesis.timestamp
    assert set(ledger.confirmed) == {event_id(e) for e in genesis.events()}


Edit = Callable[[dict[str, Any]], None]


def _another_ed25519_key(data: dict[str, Any]) -> None:
    data["seeded"][1]["ed25519_pubkey"] = "0x" + "33" * 32


def _other_log_indexes(data: dict[str, Any]) -> None:
    for node, index in zip(data["seeded"][2:], (7, 8, 9), strict=True):
        node["origin"]["log_index"] = index


def _another_hash(data: dict[str, Any]) -> None:
    data["l2_block"]["hash"] = "0x" + "ab" * 32


def _without_the_last_node(data: dict[str, Any]) -> None:
    data["seeded"].pop()


def _another_contributor(data: dict[str, Any]) -> None:
    data["seeded"][0]["contributors"][0]["address"] = dev_keys()[9].address


def _another_rate(data: dict[str, Any]) -> None:
    data["initial_reward_rate"] = str(int(data["initial_reward_rate"]) + 1)


def _an_extra_node(data: dict[str, Any]) -> None:
    extra = json.loads(json.dumps(data["seeded"][-1]))
    extra["service_node_id"] += 1
    extra["ed25519_pubkey"] = "0x" + "11" * 32
    extra["bls_pubkey"] = "0x" + "22" * 64
    extra["origin"]["log_index"] += 1
    data["seeded"].append(extra)


def _another_chain(data: dict[str, Any]) -> None:
    data["l2_chain_id"] = 42161


EDITS: list[tuple[str, Edit, str]] = [
    ("another block hash", _another_hash, "l2_block: block {block} on the L2 is 0x"),
    ("a node missing", _without_the_last_node,
     "seeded: node 5 is on the contract at block {block} but not in the genesis"),
    ("a node the contract lacks", _an_extra_node,
     "seeded: node 6 of the genesis is not on the contract at block {block}"),
    ("another contributor", _another_contributor,
     "seeded[0] (node 1): the L2 registration at block {origin}, log 0 has contributors "
     "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 120 SESH, the genesis "
     "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720 120 SESH (rewards to "
     "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65)"),
    ("another Ed25519 key", _another_ed25519_key,
     "seeded[1] (node 2): the L2 registration at block {origin}, log 1 has Ed25519 key 0x"),
    ("another log index", _other_log_indexes,
     "seeded[2] (node 3): the L2 has no seeded registration at block {origin}, log 7"),
    ("another rate", _another_rate,
     "initial_reward_rate: the L2 has rewardRate() = {rate} at the genesis block, the genesis "
     "says {rate_plus_1}"),
    ("another requirement", lambda data: data.update(staking_requirement="1"),
     "staking_requirement: the L2 has stakingRequirement() = 120000000000 at the genesis "
     "block, the genesis says 1"),
    ("another time", lambda data: data.update(timestamp=data["timestamp"] + 1),
     "timestamp: the L2 has block {block}'s time = {time} at the genesis block"),
    ("another chain", _another_chain,
     "l2_chain_id: the genesis is on chain 42161, but the L2 provider http://127.0.0.1:"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "message"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_an_edited_genesis_is_refused_naming_what_the_l2_says(
    devnet: Devnet, edit: Edit, message: str
) -> None:
    genesis = devnet.genesis()
    data = json.loads(genesis.to_json())
    edit(data)
    expected = message.format(
        block=genesis.l2_block.number,
        origin=genesis.seeded[0].origin.block_number,
        rate=genesis.initial_reward_rate,
        rate_plus_1=genesis.initial_reward_rate + 1,
        time=genesis.timestamp,
    )
    with pytest.raises(GenesisError) as refused:
        verify_genesis(Genesis.from_json(json.dumps(data)), JsonRpcProvider(devnet.rpc_url))
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_tracker_of_another_contract_is_refused(devnet: Devnet) -> None:
    genesis = devnet.genesis()
    config = TrackerConfig(CHAIN_ID, devnet.contracts.deployment.sesh, confirmations=0)
    with pytest.raises(GenesisError, match=r"^rewards_contract: the genesis names 0x5FC8"):
        verify_genesis(genesis, Tracker(JsonRpcProvider(devnet.rpc_url), config))
