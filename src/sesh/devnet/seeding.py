"""The devnet's seeded nodes and its genesis file: the quorum its network chain starts from.

A network chain made by quorums needs a quorum at its first block. The Session Network got one
at the Landing hardfork: the foundation seeded the rewards contract with the running nodes
(``seedPublicKeyList``, before ``start()``) and they went on producing. A new devnet does the
same, right after deploying the contracts (``sesh.devnet.contracts``):

1. ``--nodes N`` node identities (Ed25519 and BLS keys, ``sesh.keys``), node i's in
   ``nodes/<i>/keys/``; keys already there are kept, so a chain made again seeds the same
   nodes;
2. ``seedPublicKeyList`` from the owner (dev account 0): node i staked in full by one dev
   account, its operator: account 4 + (i − 1) mod 6, the accounts 4–9 that the examples do not
   use (past six nodes they repeat; seeding moves no tokens, so no balance changes);
3. ``start()``: registrations open;
4. the seeded stakes, N × the requirement, moved from the deployer to the rewards contract, as
   the foundation did at Landing: seeding moves no tokens, and the contract must hold the stakes
   it returns when seeded nodes leave;
5. the genesis of the block of that transfer (``sesh.node.genesis.genesis_from_l2``: read back
   through the tracker, so its events are exactly the ones a node's tracker reports), written
   to ``genesis.json``.

A resumed devnet keeps both; ``--fresh`` forgets them (``forget_nodes``) and makes new ones.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sesh.devnet.layout import GENESIS_FILE, NODES_DIR, node_keys_dir, write_text
from sesh.evm.anvil import dev_keys
from sesh.evm.deploy import DeployError
from sesh.evm.record import Deployment
from sesh.keys import BLS_FILE, ED25519_FILE, KeyFileError, NodeKeys
from sesh.ledger import DEVNET
from sesh.node.genesis import Genesis, GenesisError, genesis_from_l2, load_genesis

if TYPE_CHECKING:
    from sesh.evm.chain import Chain
    from sesh.evm.contract_set import ContractArtifacts

DEFAULT_NODES = 5
"""Seeded nodes on a new devnet: enough for a quorum of several."""
FIRST_STAKER = 4
"""The dev account that stakes seeded node 1..."""
STAKERS = 6
"""...and the next ones, up to account 9, in turn."""
SEED_BATCH = 500
"""Nodes per ``seedPublicKeyList`` transaction (about 300,000 gas each)."""


def staker_of(index: int) -> int:
    """The dev account that stakes (and operates) seeded node ``index`` (from 1)."""
    return FIRST_STAKER + (index - 1) % STAKERS


@dataclass(frozen=True)
class DevnetNode:
    """One seeded node's identity: its keys and where they are kept."""

    index: int
    keys: NodeKeys
    keys_dir: Path

    def to_json(self) -> dict[str, str]:
        """Its entry in ``--json``'s ``node_keys``."""
        return {
            "ed25519": "0x" + self.keys.ed25519_public_key.hex(),
            "bls": self.keys.bls_public_key.to_hex(),
            "dir": str(self.keys_dir),
        }


@dataclass(frozen=True)
class DevnetGenesis:
    """The genesis file and the seeded nodes' identities."""

    path: Path
    genesis: Genesis
    nodes: tuple[DevnetNode, ...]


def node_identities(data_dir: Path, count: int) -> tuple[DevnetNode, ...]:
    """Seeded nodes 1…``count``: the keys in ``nodes/<i>/keys/``, made there if missing."""
    nodes = []
    for index in range(1, count + 1):
        directory = node_keys_dir(data_dir, index)
        if (directory / BLS_FILE).exists() or (directory / ED25519_FILE).exists():
            keys = NodeKeys.load(directory)
        else:
            keys = NodeKeys.generate()
            keys.save(directory)
        nodes.append(DevnetNode(index, keys, directory))
    return tuple(nodes)


def seed_and_start(
    chain: Chain,
    deployment: Deployment,
    artifacts: ContractArtifacts,
    nodes: Sequence[DevnetNode],
) -> tuple[int, int]:
    """Steps 2–4 of the module docstring, from the chain's default sender (the owner): (the
    block of the first seeding, the block of the last transaction: the genesis block)."""
    from sesh.evm.chain import TransactionRefused

    rewards = chain.bind(deployment.service_node_rewards, artifacts.service_node_rewards)
    accounts = dev_keys()

    def send(step: str, call: Any) -> int:
        try:
            return int(chain.transact(call)["blockNumber"])
        except TransactionRefused as error:
            raise DeployError(step, error, deployment.contracts) from None

    requirement = int(rewards.view("stakingRequirement"))
    added = chain.timestamp()
    entries = [
        (
            node.keys.bls_public_key.to_contract(),
            int.from_bytes(node.keys.ed25519_public_key, "big"),
            added,
            [((staker, staker), requirement)],
        )
        for node in nodes
        for staker in [accounts[staker_of(node.index)].address]
    ]
    blocks = [
        send("seeding the nodes", rewards.call("seedPublicKeyList", entries[i : i + SEED_BATCH]))
        for i in range(0, len(entries), SEED_BATCH)
    ]
    last = send("starting ServiceNodeRewards", rewards.call("start"))
    if nodes:
        token = chain.bind(deployment.sesh, artifacts.sesh)
        stakes = token.call("transfer", rewards.address, requirement * len(nodes))
        last = send("moving the seeded stakes into ServiceNodeRewards", stakes)
    return (blocks[0] if blocks else last), last


def write_genesis(
    rpc_url: str,
    deployment: Deployment,
    data_dir: Path,
    nodes: tuple[DevnetNode, ...],
    first_block: int,
    block: int,
    network: str = DEVNET.name,
) -> DevnetGenesis:
    """Step 5: the genesis at ``block``, its seeded nodes registered from ``first_block`` on,
    written to ``genesis.json``."""
    from sesh.l2.providers import JsonRpcProvider

    provider = JsonRpcProvider(rpc_url)
    try:
        genesis = genesis_from_l2(
            provider,
            network=network,
            chain_id=deployment.chain_id,
            rewards_contract=deployment.service_node_rewards,
            block=block,
            first_block=first_block,
        )
    finally:
        provider.close()
    seeded = [node.ed25519_pubkey for node in genesis.seeded]
    if seeded != [node.keys.ed25519_public_key for node in nodes]:
        raise GenesisError(f"the contract at block {block} does not hold the nodes just seeded")
    path = data_dir / GENESIS_FILE
    write_text(path, genesis.to_json())
    return DevnetGenesis(path, genesis, nodes)


def saved_genesis(
    chain: Chain, data_dir: Path, messages: TextIO, nodes: int | None
) -> DevnetGenesis | None:
    """The genesis and keys a previous run made; None for a devnet made with ``--nodes 0``
    resumed with ``--nodes 0``. `GenesisError` (one line, naming --fresh) when the devnet has no
    genesis (made before the quorum network), an unreadable one, or one whose L2 block the chain
    no longer has; a missing or foreign key file is said, not fatal. ``nodes``: the ``--nodes``
    asked for, which only a new chain takes."""
    path = data_dir / GENESIS_FILE
    if not path.exists():
        if nodes != 0:
            raise GenesisError(
                f"this devnet has no network ({path} is missing: it was made before the quorum "
                "network, or with --nodes 0): start over with --fresh, or run its chain and "
                "contracts alone with --nodes 0"
            )
        return None
    try:
        genesis = load_genesis(path)
    except GenesisError as error:
        raise GenesisError(f"{error}; start over with --fresh") from None
    if nodes is not None and nodes != len(genesis.seeded):
        _say(
            messages,
            f"this devnet keeps its {len(genesis.seeded)} seeded node(s) ({path}); "
            f"--nodes {nodes} takes effect with --fresh",
        )
    block = chain.rpc("eth_getBlockByNumber", hex(genesis.l2_block.number), False)
    if block is None or bytes.fromhex(block["hash"][2:]) != genesis.l2_block.hash:
        raise GenesisError(
            f"{path} starts at L2 block {genesis.l2_block.number}, which this chain no longer "
            "has as it was (the chain was made again): start over with --fresh"
        )
    found = []
    for index, node in enumerate(genesis.seeded, start=1):
        directory = node_keys_dir(data_dir, index)
        try:
            keys = NodeKeys.load(directory)
        except KeyFileError as error:
            _say(messages, f"warning: seeded node {index}: {error}")
            continue
        if keys.ed25519_public_key != node.ed25519_pubkey:
            _say(messages, f"warning: the keys in {directory} are not seeded node {index}'s")
            continue
        found.append(DevnetNode(index, keys, directory))
    return DevnetGenesis(path, genesis, tuple(found))


def forget_nodes(data_dir: Path) -> None:
    """For ``--fresh``: remove the genesis and the seeded nodes' directories (their keys and
    data); the example node's keys (a fixed key, ``nodes/open-node/``) stay."""
    (data_dir / GENESIS_FILE).unlink(missing_ok=True)
    nodes = data_dir / NODES_DIR
    if nodes.is_dir():
        for directory in nodes.iterdir():
            if directory.name.isdigit() and directory.is_dir():
                shutil.rmtree(directory)


def _say(messages: TextIO, text: str) -> None:
    print(text, file=messages, flush=True)
