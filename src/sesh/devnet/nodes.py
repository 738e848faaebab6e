"""The devnet's node processes: each seeded node runs as its own `sesh node run --genesis`
process, with its own data directory, log and ports, and stops with the devnet.

Why processes and not threads: the nodes must be what an operator runs, talking over real
sockets, and one of them killed must not take the others along. Each process gets the kernel's
parent-death signal (`sesh.evm.children`), so a devnet killed with SIGKILL takes its nodes with
it; a clean stop sends SIGTERM to each and waits for it to finish its block.

Ports: each node keeps the transport and RPC ports it had (``ports.json`` in its directory), so
a resumed devnet's nodes find each other where they were; a port taken since is replaced by a
free one, and the peers are told at start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sesh.devnet.layout import write_json
from sesh.evm.children import die_with_parent_hook, terminate
from sesh.evm.jsonrpc import JsonRpcError, call_once
from sesh.net.ports import free_ports

PORTS_FILE = "ports.json"
LOG_FILE = "node.log"
DATA_SUBDIR = "data"
STOP_TIMEOUT = 10.0


@dataclass
class NodeProcess:
    """One node of the devnet: its keys, its data, its ports, its process when running."""

    index: int
    key: str
    """The node's Ed25519 key (hex): how peers know it."""
    directory: Path
    """``<data dir>/nodes/<index>``: the keys, the node's data, its log, its ports."""
    keys_dir: Path
    port: int = 0
    rpc_port: int = 0
    host: str = "127.0.0.1"
    """Where the node listens (its network namespace's address with `--netns`)."""
    launcher: tuple[str, ...] = ()
    """The command the node runs under (``ip netns exec NAME``), or nothing."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.directory / DATA_SUBDIR

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.rpc_port}/json_rpc"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.running and self.process is not None else None

    def load_ports(self) -> None:
        """The ports this node had, if it ran before."""
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            saved = json.loads((self.directory / PORTS_FILE).read_text())
            self.port, self.rpc_port = int(saved["port"]), int(saved["rpc_port"])

    def save_ports(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        write_json(self.directory / PORTS_FILE, {"port": self.port, "rpc_port": self.rpc_port})

    def start(self, command: list[str]) -> None:
        """Start the node process (its output goes to ``node.log``, appended)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.directory / LOG_FILE, "ab") as log:
            self.process = subprocess.Popen(
                [*self.launcher, *command],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent_hook(),
            )

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then SIGKILL if it does not finish within `timeout`; the exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        return terminate(process, timeout)

    def info(self, timeout: float = 2.0) -> dict[str, Any] | None:
        """The node's `get_info`, or None while it does not answer."""
        if not self.running:
            return None
        try:
            answer = call_once(self.rpc_url, "get_info", {}, timeout=timeout)
        except (JsonRpcError, OSError):
            return None
        return answer if isinstance(answer, dict) else None

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return call_once(self.rpc_url, method, params or {})

    def describe(self) -> dict[str, Any]:
        """The node in the devnet's ``--json`` object."""
        return {
            "key": self.key,
            "rpc": self.rpc_url,
            "pid": self.pid,
            "data_dir": str(self.data_dir.resolve()),
        }


def assign_ports(nodes: list[NodeProcess]) -> None:
    """Give every node the ports it had, or free ones where it had none or they are taken."""
    for node in nodes:
        node.load_ports()
    wanted = [p for node in nodes for p in (node.port, node.rpc_port)]
    taken = set(wanted) - {0}
    busy = {p for p in taken if not _free(p)} | {p for p in taken if wanted.count(p) > 1}
    spare = iter(free_ports(2 * len(nodes) + 4))
    for node in nodes:
        if node.port == 0 or node.port in busy:
            node.port = _next(spare, taken)
        if node.rpc_port == 0 or node.rpc_port in busy:
            node.rpc_port = _next(spare, taken)
        node.save_ports()


def _next(spare: Any, taken: set[int]) -> int:
    for port in spare:
        if port not in taken:
            taken.add(port)
            return int(port)
    raise RuntimeError("no free port")


def _free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def node_command(
    node: NodeProcess, peers: list[NodeProcess], *, genesis: Path, deployment: Path, rpc_url: str
) -> list[str]:
    """The `sesh node run` command line of one devnet node."""
    command = [
        sys.executable,
        "-m",
        "sesh",
        "node",
        "run",
        "--data-dir",
        str(node.data_dir),
        "--keys",
        str(node.keys_dir),
        "--genesis",
        str(genesis),
        "--deployment",
        str(deployment),
        "--rpc",
        rpc_url,
        "--listen",
        f"{node.host}:{node.port}",
        "--rpc-listen",
        f"{node.host}:{node.rpc_port}",
    ]
    for peer in peers:
        if peer is not node:
            command += ["--peer", f"{peer.key}@{peer.host}:{peer.port}"]
    return command


def wait_until_ready(
    nodes: list[NodeProcess], seeded: int, timeout: float, on_progress: Any = None
) -> list[str]:
    """Wait until every running node answers `get_info` and lists the `seeded` nodes in
    `get_service_nodes`; the problems left when `timeout` runs out (empty: all ready)."""
    end = time.monotonic() + timeout
    problems: list[str] = []
    while True:
        problems = []
        ready = 0
        for node in nodes:
            if not node.running:
                problems.append(f"node {node.index} exited (see {node.directory / LOG_FILE})")
                continue
            info = node.info()
            if info is None:
                problems.append(f"node {node.index} does not answer on {node.rpc_url}")
                continue
            try:
                listed = node.call("get_service_nodes").get("service_node_states", [])
            except (JsonRpcError, OSError, AttributeError):
                listed = []
            if len(listed) < seeded:
                problems.append(f"node {node.index} lists {len(listed)} of {seeded} nodes")
                continue
            ready += 1
        if on_progress is not None:
            on_progress(ready, len(nodes))
        if not problems or time.monotonic() >= end or any("exited" in p for p in problems):
            return problems
        time.sleep(0.2)


@dataclass
class Supervisor:
    """The devnet's node processes: started together, stopped together, and one at a time on
    request (`sesh devnet node stop|start|add`). Nothing restarts a node by itself: a node that
    stops stays stopped until someone starts it."""

    nodes: list[NodeProcess]
    genesis: Path
    deployment: Path
    rpc_url: str
    network_file: Path
    """``network.json``: the running devnet's nodes, for `sesh network` and the control verbs."""

    def command(self, node: NodeProcess) -> list[str]:
        return node_command(
            node, self.nodes, genesis=self.genesis, deployment=self.deployment, rpc_url=self.rpc_url
        )

    def start_all(self) -> None:
        assign_ports(self.nodes)
        for node in self.nodes:
            node.start(self.command(node))
        self.publish()

    def stop_all(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                with contextlib.suppress(ProcessLookupError):
                    node.process.send_signal(signal.SIGTERM)
        for node in self.nodes:
            node.stop()
        self.network_file.unlink(missing_ok=True)

    def node(self, index: int) -> NodeProcess:
        for node in self.nodes:
            if node.index == index:
                return node
        known = ", ".join(str(n.index) for n in self.nodes)
        raise KeyError(f"no node {index} (the devnet's nodes: {known})")

    def stop(self, index: int) -> dict[str, Any]:
        node = self.node(index)
        if not node.running:
            return {"index": index, "stopped": False, "message": f"node {index} is not running"}
        code = node.stop()
        self.publish()
        return {"index": index, "stopped": True, "exit_code": code}

    def start(self, index: int) -> dict[str, Any]:
        node = self.node(index)
        if node.running:
            return {"index": index, "started": False, "message": f"node {index} is running"}
        node.start(self.command(node))
        self.publish()
        return {"index": index, "started": True, **node.describe()}

    def add(
        self,
        directory: Path,
        keys_dir: Path,
        key: str,
        place: Callable[[int], tuple[str, tuple[str, ...]]] | None = None,
    ) -> dict[str, Any]:
        """Run a new node (keys made by the caller, not registered): it follows the network
        and takes part once a registration of its keys is confirmed. `place(index)` gives its
        host and launcher (a network namespace); None: 127.0.0.1."""
        index = max((n.index for n in self.nodes), default=0) + 1
        node = NodeProcess(index, key, directory, keys_dir)
        if place is not None:
            node.host, node.launcher = place(index)
        self.nodes.append(node)
        node.port, node.rpc_port = free_ports(2)
        node.save_ports()
        node.start(self.command(node))
        self.publish()
        return {"index": index, "started": True, "keys": str(keys_dir), **node.describe()}

    def publish(self) -> None:
        write_json(
            self.network_file,
            {
                "pid": os.getpid(),
                "nodes": [{"index": n.index, **n.describe()} for n in self.nodes],
            },
        )
