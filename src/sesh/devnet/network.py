"""The devnet's network: its node processes started from the genesis, watched, and stopped.

`start_network` makes a `Supervisor` for the seeded nodes (and any added with `sesh devnet node
add` on an earlier run), starts them, and waits until every node answers `get_info` and lists
the seeded set in `get_service_nodes`, saying how many are ready as they come. `NetworkWatch`
runs in the devnet's loop: it carries out `sesh devnet node …` requests and keeps a one-line
summary of the network (height, finalised height, nodes running, last block) for the live
status. The node processes stop with the devnet (`Supervisor.stop_all`, and the kernel's
parent-death signal when the devnet is killed).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sesh.devnet.control import serve as serve_requests
from sesh.devnet.layout import NODE_KEYS_DIR, NODES_DIR, node_dir
from sesh.devnet.nodes import DATA_SUBDIR, NodeProcess, Supervisor, wait_until_ready
from sesh.devnet.seeding import DevnetGenesis
from sesh.keys import ED25519_FILE, NodeKeys

READY_TIMEOUT = 180.0
"""How long the devnet waits for its nodes to answer before it gives up (a cold start of many
node processes on two cores takes tens of seconds)."""


def _key(keys: NodeKeys) -> str:
    """A node's Ed25519 key as its peers name it (hex)."""
    return keys.ed25519_public_key.hex()


class NetworkError(Exception):
    """The devnet's nodes did not come up; the message is one line."""


def _added_nodes(data_dir: Path, seeded: int) -> list[NodeProcess]:
    """Nodes made by `sesh devnet node add` on earlier runs: ``nodes/<i>/`` above the seeded."""
    added = []
    root = data_dir / NODES_DIR
    indexes = sorted(
        int(p.name) for p in root.glob("*") if p.name.isdigit() and int(p.name) > seeded
    )
    for index in indexes:
        keys_dir = node_dir(data_dir, index) / NODE_KEYS_DIR
        if (keys_dir / ED25519_FILE).exists():
            key = _key(NodeKeys.load(keys_dir))
            added.append(NodeProcess(index, key, node_dir(data_dir, index), keys_dir))
    return added


def start_network(
    data_dir: Path,
    genesis: DevnetGenesis,
    deployment: Path,
    rpc_url: str,
    network_file: Path,
    messages: TextIO,
    *,
    new_genesis: bool = False,
    place: Callable[[int], tuple[str, tuple[str, ...]]] | None = None,
) -> Supervisor:
    """Start every node of the devnet and wait until they all answer (`NetworkError`).
    `new_genesis`: the contracts were deployed again (the chain was reset), so the nodes' stores
    belong to a network that is gone: they are emptied (the keys stay) and the nodes sync the
    new one from its genesis."""
    if new_genesis:
        for directory in (data_dir / NODES_DIR).glob("*/" + DATA_SUBDIR):
            shutil.rmtree(directory)
    nodes = [
        NodeProcess(
            n.index, n.keys.ed25519_public_key.hex(), node_dir(data_dir, n.index), n.keys_dir
        )
        for n in genesis.nodes
    ]
    nodes += _added_nodes(data_dir, len(genesis.nodes))
    if place is not None:
        for node in nodes:
            node.host, node.launcher = place(node.index)
    supervisor = Supervisor(nodes, genesis.path, deployment, rpc_url, network_file)
    print(f"starting {len(nodes)} node processes…", file=messages, flush=True)
    supervisor.start_all()
    said = -1

    def progress(ready: int, total: int) -> None:
        nonlocal said
        if ready != said:
            said = ready
            print(f"  {ready} of {total} nodes ready", file=messages, flush=True)

    problems = wait_until_ready(nodes, len(genesis.nodes), READY_TIMEOUT, progress)
    if problems:
        supervisor.stop_all()
        raise NetworkError("; ".join(problems[:3]) + (" …" if len(problems) > 3 else ""))
    return supervisor


class NetworkWatch:
    """The devnet loop's view of its network (see the module docstring)."""

    def __init__(
        self,
        supervisor: Supervisor,
        data_dir: Path,
        place: Callable[[int], tuple[str, tuple[str, ...]]] | None = None,
    ) -> None:
        self.supervisor = supervisor
        self.data_dir = data_dir
        self.place = place
        self.summary = ""
        self._next = 0.0
        self._last_height = -1
        self._last_block_at = time.monotonic()

    def step(self) -> None:
        serve_requests(self.data_dir, self._handle)
        now = time.monotonic()
        if now >= self._next:
            self._next = now + 1.0
            self.summary = self._summarise(now)

    def _handle(self, verb: str, index: int | None) -> dict[str, Any]:
        if verb == "add":
            return self._add()
        if verb not in ("stop", "start") or not isinstance(index, int):
            raise ValueError(f"unknown request {verb!r}")
        return self.supervisor.stop(index) if verb == "stop" else self.supervisor.start(index)

    def _add(self) -> dict[str, Any]:
        index = max((n.index for n in self.supervisor.nodes), default=0) + 1
        directory = node_dir(self.data_dir, index)
        keys = NodeKeys.generate()
        keys.save(directory / NODE_KEYS_DIR)
        return self.supervisor.add(
            directory, directory / NODE_KEYS_DIR, keys.ed25519_public_key.hex()
        )

    def _summarise(self, now: float) -> str:
        running = [n for n in self.supervisor.nodes if n.running]
        info = next((i for n in running if (i := n.info(timeout=0.5)) is not None), None)
        parts = [f"nodes {len(running)}/{len(self.supervisor.nodes)} running"]
        if info is None:
            return parts[0] + ", none answering"
        height = int(info["height"]) - 1
        if height != self._last_height:
            self._last_height, self._last_block_at = height, now
        parts.insert(0, f"network block {height:,} (finalised {info.get('immutable_height'):,})")
        parts.append(f"last block {now - self._last_block_at:.0f} s ago")
        if info.get("stalled"):
            parts.append("STALLED: too few active nodes")
        return " · ".join(parts)
