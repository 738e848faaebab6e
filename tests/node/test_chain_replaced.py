"""The L2 chain replaced or rolled back under a running node, on anvil: a devnet started afresh
on the same port (the genesis block is another block), and a rollback below an event the ledger has
confirmed. The node stops at once with the one-line error it gives at start; it never goes on
counting nodes that no longer exist."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from sesh.evm.anvil import SAVE_IDLE_SECONDS, Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.profiles import PROFILES
from sesh.ledger import DEVNET
from sesh.node.follower import NodeError
from sesh.node.status import read_status
from sesh.node.store import DB_FILE, StoreError

from .cluster import genesis_at
from .conftest import (
    STAKE,
    Network,
    make_cluster,
    make_tracker,
    node_run_command,
    seed_genesis,
    write_deployment,
)

pytestmark = pytest.mark.anvil


def test_the_devnet_waits_longer_than_a_devnet_restart_can_roll_back() -> None:
    """A kill -9 of an idle devnet loses the empty blocks since its last save (one a second, a
    save at least every SAVE_IDLE_SECONDS): far fewer than the devnet's confirmations."""
    assert DEVNET.l2_confirmations >= 5 * SAVE_IDLE_SECONDS


def stored_height(data_dir: Path) -> int:
    if not (data_dir / DB_FILE).exists():
        return 0
    try:
        chain = read_status(data_dir)["chain"]
    except StoreError:
        return 0  # being created
    return int(chain["height"]) if chain else 0


def wait_for(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_running_node_stops_when_the_devnet_is_started_afresh_under_it(
    artifacts: ContractArtifacts, tmp_path: Path
) -> None:
    data_dir = tmp_path / "node"
    with Anvil(port=0) as first:
        port = first.port
        net = Network.deployed(Chain(first.rpc_url), PROFILES["devnet"], artifacts)
        staker = net.chain.accounts[1]
        member = net.seed([(staker, staker, STAKE)])
        block = net.chain.w3.eth.block_number
        genesis = genesis_at(make_tracker(net), DEVNET, block)
        genesis_file = tmp_path / "genesis.json"
        genesis_file.write_text(genesis.to_json())
        member.keys.save(data_dir / "keys")
        net.start()
        deployment = write_deployment(net, tmp_path / "contracts.json")
        command = node_run_command(
            data_dir, first.rpc_url, deployment, "--genesis", str(genesis_file)
        )
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            wait_for(lambda: stored_height(data_dir) >= 3, "the network's third block")
        except BaseException:
            process.kill()
            raise
    try:
        # `sesh devnet --fresh`: a new chain on the same port, the same contracts deployed again.
        with Anvil(port=port) as second:
            Network.deployed(Chain(second.rpc_url), PROFILES["devnet"], artifacts)
            _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    assert errors[0].startswith(
        f"sesh node run: error: L2 block {block} is not the one this store was"
    )
    assert "reset or replaced" in errors[0]


def test_a_rollback_below_a_confirmed_event_stops_the_node(
    network: Network, tmp_path: Path
) -> None:
    net = network
    first, genesis = seed_genesis(net, net.chain.accounts[1])
    net.start()
    model = dict(net.nodes)
    node = make_cluster(net, tmp_path, first, genesis)
    node.steps(2)
    before = net.chain.snapshot()
    member = net.register(net.chain.accounts[2])
    node.add(member.keys)
    node.steps(10)
    assert member.pubkey in node.ledger.nodes  # confirmed
    height = node.height

    net.chain.revert(before)  # evm_revert below the block of the confirmed registration
    net.nodes = model
    for _ in range(4):
        net.chain.mine()
    with pytest.raises(NodeError, match="holds an event the ledger has confirmed"):
        node.step()
    assert node.store.height() == height
    node.close()
