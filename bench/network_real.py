"""The quorum network in real processes: `sesh devnet --nodes N` on 127.0.0.1.

Part of `bench/network.py` (``--only real``); runs alone too:
.venv/bin/python bench/network_real.py [--nodes 6,16] [--blocks 300]

For each size: a fresh devnet in a temporary directory; block arrival times at one node (its
`get_info` polled every 50 ms) over ``--blocks`` blocks give the interval's mean and p95; then
three times, right after a block, the next block's round-0 producer is killed with SIGKILL and
the time to the next block is measured; CPU seconds and resident memory of every node process
come from /proc over the measured window.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sesh.evm.jsonrpc import JsonRpcError
from sesh.evm.jsonrpc import call_once as call

BLOCK_TIME = 2.0
"""The devnet profile's block time."""
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_devnet(
    data_dir: Path, nodes: int, *extra: str
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """`sesh devnet --nodes N` (and `extra` options) until its JSON line: the process and the
    line. Stop it with SIGTERM (`stop_devnet`)."""
    devnet = subprocess.Popen(
        [sys.executable, "-m", "sesh", "devnet", "--data-dir", str(data_dir), "--nodes",
         str(nodes), "--port", "0", "--json", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert devnet.stdout is not None
    line = devnet.stdout.readline()
    if not line:
        raise RuntimeError("the devnet stopped before it was ready")
    return devnet, json.loads(line)


def stop_devnet(devnet: subprocess.Popen[str]) -> None:
    devnet.send_signal(signal.SIGTERM)
    devnet.wait(120)


def height(url: str) -> int | None:
    try:
        return int(call(url, "get_info")["height"]) - 1
    except (JsonRpcError, OSError, KeyError, TypeError):
        return None


def arrivals(url: str, blocks: int) -> list[float]:
    """Wall times at which `url`'s node reached each of the next `blocks` heights."""
    seen = height(url) or 0
    times: list[float] = []
    while len(times) < blocks:
        now = height(url)
        if now is not None and now > seen:
            times.extend([time.monotonic()] * (now - seen))
            seen = now
        time.sleep(0.05)
    return times[:blocks]


def leader_deaths(info: dict[str, Any], data_dir: Path, rounds: int = 3) -> list[float]:
    """Kill the next block's round-0 producer right after a block, time the next block, then
    start it again (`sesh devnet node start`) and let it catch up; `rounds` times."""
    index_of = {node["key"]: i for i, node in enumerate(info["nodes"], start=1)}
    watcher = info["nodes"][-1]["rpc"]
    gaps = []
    for _ in range(rounds):
        arrivals(watcher, 1)
        producer = call(watcher, "get_quorum_state")["quorums"][0]["producer"]
        index = index_of.get(producer)
        if index is None or index == len(info["nodes"]):
            continue
        killed_at = time.monotonic()
        os.kill(info["nodes"][index - 1]["pid"], signal.SIGKILL)
        arrivals(watcher, 1)
        gaps.append(time.monotonic() - killed_at)
        started = subprocess.run(
            [sys.executable, "-m", "sesh", "devnet", "node", "start", str(index), "--json",
             "--data-dir", str(data_dir)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        info["nodes"][index - 1].update(json.loads(started.stdout))
        arrivals(info["nodes"][index - 1]["rpc"], 1)
    return gaps


def measure(nodes: int, blocks: int) -> tuple[object, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "devnet"
        devnet, info = start_devnet(data_dir, nodes, "--fresh")
        try:
            url = info["nodes"][0]["rpc"]
            pids = [node["pid"] for node in info["nodes"]]
            cpu_before = [cpu_seconds(p) for p in pids]
            started = time.monotonic()
            times = arrivals(url, blocks + 1)
            elapsed = time.monotonic() - started
            cpu = [(cpu_seconds(p) - c) / elapsed for p, c in zip(pids, cpu_before, strict=True)]
            memory = [rss_mb(p) for p in pids]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            deaths = leader_deaths(info, data_dir)
        finally:
            devnet.send_signal(signal.SIGTERM)
            devnet.wait(60)
    p95 = statistics.quantiles(gaps, n=20)[-1]
    return (
        nodes,
        len(gaps),
        f"{statistics.mean(gaps):.2f}",
        f"{p95:.2f}",
        ", ".join(f"{d:.1f}" for d in deaths),
        f"{100 * statistics.mean(cpu):.0f} %",
        f"{max(memory):.0f}",
    )


def real_network(sizes: list[int], blocks: int) -> None:
    rows = []
    for n in sizes:
        rows.append(measure(n, blocks))
        print(f"  {n} nodes measured", flush=True)
    headers = (
        "nodes",
        "intervals",
        "mean s (target: 2.2 at 6, 2.5 at 16)",
        "p95 s",
        "leader killed → next block (s)",
        "CPU per node",
        "max RSS MB (≤ 150)",
    )
    print("\n| " + " | ".join(headers) + " |\n|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="6,16")
    parser.add_argument("--blocks", type=int, default=300)
    args = parser.parse_args()
    real_network([int(n) for n in args.nodes.split(",")], args.blocks)
