"""The network across real interfaces: `sesh devnet --netns` puts anvil and every node in a
network namespace of its own, joined by veth pairs to a bridge, so every message between nodes
and every L2 poll crosses interfaces. Needs Linux and root (CI has both); elsewhere it skips and
says why."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sesh.devnet.netns import available
from sesh.evm.jsonrpc import JsonRpcError, call_once

from ..support.devnet import warm_data_dir

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

REASON = available()


def height(url: str) -> int:
    try:
        return int(call_once(url, "get_info", {}, timeout=3.0)["height"]) - 1
    except (JsonRpcError, OSError):
        return -1


def bridge_bytes(hub: str) -> int:
    out = subprocess.run(
        ["ip", "-n", hub, "-s", "-o", "link", "show", "type", "veth"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = 0
    for line in out.splitlines():
        words = line.split()
        total += int(next(w for w in words[words.index("TX:") :] if w.isdigit()))
    return total


@pytest.mark.skipif(REASON is not None, reason=f"no network namespaces here: {REASON}")
def test_nodes_in_their_own_namespaces_make_blocks_over_real_interfaces(
    tmp_path: Path, build_cache: Path
) -> None:
    data_dir = warm_data_dir(tmp_path / "devnet", build_cache)
    devnet = subprocess.Popen(
        [sys.executable, "-m", "sesh", "devnet", "--nodes", "4", "--netns", "--port", "0",
         "--json", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert devnet.stdout is not None
        line = devnet.stdout.readline()
        assert line, devnet.stderr.read() if devnet.stderr else ""
        info: dict[str, Any] = json.loads(line)
        hub, subnet = info["netns"]["hub"], info["netns"]["subnet"].rsplit(".", 1)[0]
        urls = [node["rpc"] for node in info["nodes"]]
        assert info["rpc_url"].startswith(f"http://{subnet}.")
        assert all(url.startswith(f"http://{subnet}.") for url in urls)
        before = bridge_bytes(hub)
        end = time.monotonic() + 90
        while time.monotonic() < end and min(height(u) for u in urls) < 6:
            time.sleep(0.5)
        assert min(height(u) for u in urls) >= 6
        assert bridge_bytes(hub) > before + 10_000  # the blocks crossed the bridge
    finally:
        devnet.send_signal(signal.SIGTERM)
        devnet.wait(60)
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert hub not in listed, "the devnet removes its namespaces when it stops"
