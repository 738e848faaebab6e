"""The genesis file's form: a round trip, and a one-line refusal naming the field for each way a
file can be wrong. The checks against a real chain are in test_genesis_devnet.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sesh.keccak import keccak256
from sesh.l2.events import Contributor, L2Origin, event_id
from sesh.l2.position import BlockRef
from sesh.ledger import DEVNET, MAINNET, active_count
from sesh.node.genesis import GENESIS_VERSION, Genesis, GenesisError, SeededNode, load_genesis

CHAIN = 31337
STAKE = 120 * 10**9
REWARDS = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707"
OPERATOR = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
BENEFICIARY = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"


def _hash(n: int) -> bytes:
    return keccak256(n.to_bytes(32, "big"))


def seeded_node(i: int, block: int = 20) -> SeededNode:
    return SeededNode(
        service_node_id=i,
        ed25519_pubkey=_hash(1_000 + i),
        bls_pubkey=(10_000 + i, 20_000 + i),
        contributors=(Contributor(OPERATOR, BENEFICIARY if i == 2 else OPERATOR, STAKE),),
        origin=L2Origin(CHAIN, block, _hash(block), i - 1),
    )


def genesis(nodes: int = 3) -> Genesis:
    return Genesis(
        network="devnet",
        l2_chain_id=CHAIN,
        rewards_contract=REWARDS,
        l2_block=BlockRef(22, _hash(22)),
        timestamp=1_760_000_000,
        initial_reward_rate=16_534_391_534,
        staking_requirement=STAKE,
        seeded=tuple(seeded_node(i) for i in range(1, nodes + 1)),
    )


def test_the_file_round_trips_and_reads_as_documented() -> None:
    original = genesis()
    text = original.to_json()
    assert Genesis.from_json(text) == original
    data = json.loads(text)
    assert data["version"] == GENESIS_VERSION
    assert data["rewards_contract"] == REWARDS
    assert data["initial_reward_rate"] == "16534391534"  # amounts: decimal strings
    node = data["seeded"][1]
    assert node["bls_pubkey"] == "0x" + f"{10_002:064x}" + f"{20_002:064x}"
    assert node["contributors"] == [
        {"address": OPERATOR, "beneficiary": BENEFICIARY, "amount": str(STAKE)}
    ]
    assert node["origin"] == {
        "block_number": 20,
        "block_hash": "0x" + _hash(20).hex(),
        "log_index": 1,
    }
    lower = text.replace(OPERATOR, OPERATOR.lower())  # lower-case addresses read too
    assert Genesis.from_json(lower) == original


def test_events_are_the_trackers_seeded_registrations() -> None:
    g = genesis()
    events = g.events()
    assert [e.service_node_id for e in events] == [1, 2, 3]
    first = events[0]
    assert first.seeded and first.fee == 0 and first.ed25519_signature == b""
    assert first.initiator == OPERATOR.lower() == first.contributors[0].address
    assert first.ed25519_pubkey == int.from_bytes(_hash(1_001), "big")
    assert [SeededNode.of(e) for e in events] == list(g.seeded)


def test_the_ledger_starts_with_the_seeded_nodes_active_payable_and_confirmed() -> None:
    g = genesis()
    ledger = g.ledger(DEVNET)
    assert (ledger.height, ledger.l2_height, ledger.timestamp) == (0, 22, 1_760_000_000)
    assert ledger.staking_requirement == STAKE
    assert active_count(ledger) == 3
    assert all(node.payable for node in ledger.nodes.values())
    assert set(ledger.confirmed) == {event_id(e) for e in g.events()}
    with pytest.raises(GenesisError, match="of network devnet, not mainnet"):
        g.ledger(MAINNET)
    with pytest.raises(GenesisError, match="on L2 chain 31337, network devnet on chain 1"):
        g.ledger(replace(DEVNET, l2_chain_id=1))


def test_a_file_is_read_from_disk_and_named_in_its_refusal(tmp_path: Path) -> None:
    path = tmp_path / "genesis.json"
    path.write_text(genesis().to_json())
    assert load_genesis(path) == genesis()
    path.write_text("{")
    with pytest.raises(GenesisError, match=f"^{path}: the genesis is not JSON"):
        load_genesis(path)
    with pytest.raises(GenesisError, match="cannot read the genesis"):
        load_genesis(tmp_path / "missing.json")


Edit = Callable[[dict[str, Any]], None]


def _parent(data: dict[str, Any], path: str) -> tuple[Any, Any]:
    """(the object or list holding the field at a dotted path, the field's key or index)."""
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target, int(last) if isinstance(target, list) else last


def _set(path: str, value: Any) -> Edit:
    """Set the field at a dotted path (list items by index) to ``value``."""

    def edit(data: dict[str, Any]) -> None:
        target, key = _parent(data, path)
        target[key] = value

    return edit


def _drop(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target, key = _parent(data, path)
        del target[key]

    return edit


REFUSALS: list[tuple[str, Edit, str]] = [
    ("unknown field", _set("comment", "hi"), "unknown field comment"),
    ("unknown nested field", _set("seeded.0.origin.tx", "0x"), "unknown field seeded[0].origin.tx"),
    ("missing field", _drop("timestamp"), "field timestamp is missing"),
    ("missing nested field", _drop("seeded.1.contributors.0.beneficiary"),
     "field seeded[1].contributors[0].beneficiary is missing"),
    ("another version", _set("version", 2), "genesis version 2: this sesh reads 1"),
    ("version as a string", _set("version", "1"), "field version is not a whole number"),
    ("no network", _set("network", ""), "field network is not a name"),
    ("chain id as a string", _set("l2_chain_id", "31337"),
     "field l2_chain_id is not a whole number"),
    ("negative timestamp", _set("timestamp", -1), "field timestamp is not a whole number"),
    ("boolean log index", _set("seeded.0.origin.log_index", True),
     "field seeded[0].origin.log_index is not a whole number"),
    ("hash without 0x", _set("l2_block.hash", _hash(22).hex()),
     "field l2_block.hash is not 0x and 64 hex digits"),
    ("short hash", _set("l2_block.hash", "0x" + _hash(22).hex()[2:]),
     "field l2_block.hash is not 0x and 64 hex digits"),
    ("bad hex", _set("seeded.2.ed25519_pubkey", "0x" + "zz" * 32),
     "field seeded[2].ed25519_pubkey is not 0x and 64 hex digits"),
    ("short BLS key", _set("seeded.0.bls_pubkey", "0x" + "11" * 32),
     "field seeded[0].bls_pubkey is not 0x and 128 hex digits"),
    ("amount as a number", _set("staking_requirement", STAKE),
     "field staking_requirement is not an amount in atoms as a decimal string"),
    ("amount with a sign", _set("seeded.0.contributors.0.amount", "+1"),
     "field seeded[0].contributors[0].amount is not an amount"),
    ("amount with a leading zero", _set("initial_reward_rate", "01"),
     "field initial_reward_rate is not an amount"),
    ("bad address", _set("rewards_contract", "0x1234"),
     "field rewards_contract '0x1234' is not an address"),
    ("wrong checksum", _set("seeded.0.contributors.0.address", OPERATOR.replace("d3", "D3")),
     "wrong checksum"),
    ("seeded not a list", _set("seeded", {}), "field seeded is not a list"),
    ("block not an object", _set("l2_block", 22), "field l2_block is not a JSON object"),
    ("zero requirement", _set("staking_requirement", "0"),
     "the staking requirement is not a stake"),
    ("a node without contributors", _set("seeded.0.contributors", []),
     "seeded node 1: no contributors"),
    ("a node after the genesis block", _set("seeded.2.origin.block_number", 23),
     "seeded node 3: registered after the genesis block"),
    ("nodes out of L2 order", _set("seeded.2.origin.log_index", 0),
     "seeded node 3: not in L2 order"),
    ("an id twice", _set("seeded.2.service_node_id", 1), "seeded node 1: listed twice"),
    ("a key twice", _set("seeded.2.bls_pubkey", "0x" + f"{10_001:064x}{20_001:064x}"),
     "seeded node 3: a key another seeded node has"),
    ("id zero", _set("seeded.0.service_node_id", 0), "seeded node 0: not a uint64 id above 0"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_each_malformed_file_is_refused_in_one_line_naming_the_field(
    edit: Edit, message: str
) -> None:
    data = json.loads(genesis().to_json())
    edit(data)
    with pytest.raises(GenesisError) as refused:
        Genesis.from_json(json.dumps(data))
    text = str(refused.value)
    assert message in text
    assert "\n" not in text


def test_what_is_not_json_or_not_an_object_is_refused() -> None:
    with pytest.raises(GenesisError, match="not JSON"):
        Genesis.from_json("genesis")
    with pytest.raises(GenesisError, match="the genesis is not a JSON object"):
        Genesis.from_json("[]")
