"""kill -9 while a block is being written, reopen, go on: the chain is the one an uninterrupted
node makes from the same L2 history.

`sesh node run` runs as a real process against anvil. The kill is a real SIGKILL that the
process sends itself; only its timing is injected, through the test-only hook
``SESH_NODE_CRASH_AT=H`` (``sesh.node.command.CRASH_AT_ENV``, which the command turns into the
store's before-commit callback), which fires inside block H's
transaction, after the block row is written and before the commit. The L2 chain does not move
while the nodes run, so both nodes see the same history.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from sesh.node.command import CRASH_AT_ENV
from sesh.node.store import Store

from .conftest import SESH, STAKE, Network, fresh_keys, node_run_command, write_deployment

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

HALT = 330
"""Past the devnet's 300-block maturity, so that the last blocks pay rewards."""
SNAPSHOT_INTERVAL = 100


def run_node(
    net: Network, data_dir: Path, deployment: Path, keys: Path, crash_at: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop(CRASH_AT_ENV, None)
    if crash_at is not None:
        env[CRASH_AT_ENV] = str(crash_at)
    command = node_run_command(
        data_dir,
        net.chain.rpc_url,
        deployment,
        "--profile",
        "devnet",
        "--confirmations",
        "0",
        "--block-time",
        "0",
        "--snapshot-interval",
        str(SNAPSHOT_INTERVAL),
        "--halt-height",
        str(HALT),
        "--keys",
        str(keys),
    )
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def chain_of(data_dir: Path) -> list[tuple[int, bytes, bytes]]:
    with Store.open(data_dir, readonly=True) as store:
        return [(b.height, b.hash, b.state_hash) for b in store.blocks(1, store.height())]


def test_a_node_killed_while_writing_blocks_ends_where_an_uninterrupted_one_does(
    network: Network, tmp_path: Path
) -> None:
    net = network
    _, s1, s2, s3, s4, s5 = net.chain.accounts[:6]
    net.seed([(s1, s1, STAKE)])
    net.start()
    net.register(s2, [(s2, s2, 60 * SESH), (s3, s4, 30 * SESH), (s5, s5, 30 * SESH)], 1_000)
    solo = net.register(s3)
    net.register(s4)
    net.request_exit(solo, s3)
    deployment = write_deployment(net, tmp_path / "contracts.json")
    keys = tmp_path / "keys"
    fresh_keys().save(keys)

    whole_dir = tmp_path / "whole"
    whole = run_node(net, whole_dir, deployment, keys)
    assert whole.returncode == 0, whole.stderr
    expected = chain_of(whole_dir)
    assert len(expected) == HALT
    with Store.open(whole_dir, readonly=True) as store:
        assert store.summary()["issued"] > 0  # type: ignore[index]

    crashed = tmp_path / "crashed"
    # Killed inside block 150's transaction: blocks up to 149 and their position survive.
    first = run_node(net, crashed, deployment, keys, crash_at=150)
    assert first.returncode == -signal.SIGKILL, first.stderr
    assert chain_of(crashed) == expected[:149]
    with Store.open(crashed, readonly=True) as store, Store.open(whole_dir, readonly=True) as ref:
        assert store.position() == ref.position()  # the L2 chain did not move
        assert store.summary()["height"] == 149  # type: ignore[index]

    # Killed while writing block 300, which carries a snapshot: the snapshot goes with it.
    second = run_node(net, crashed, deployment, keys, crash_at=300)
    assert second.returncode == -signal.SIGKILL, second.stderr
    assert chain_of(crashed) == expected[:299]
    with Store.open(crashed, readonly=True) as store:
        assert store.snapshot_heights() == [100, 200]

    third = run_node(net, crashed, deployment, keys)
    assert third.returncode == 0, third.stderr
    assert chain_of(crashed) == expected
    assert "restored block 299" in third.stderr
