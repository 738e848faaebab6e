"""Quorum nodes over real sockets in one process (a thread each): they make blocks together,
store them, and a node restarted from its store goes on where it stopped."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from sesh.consensus.sim import SIM_PROFILE, seeded_registrations
from sesh.ledger import Ledger, genesis_ledger
from sesh.net.ports import free_ports
from sesh.node.network import NetworkConfig, NetworkNode, Peer
from sesh.node.store import Store

GENESIS_TIME = 1_700_000_000
PROFILE = replace(SIM_PROFILE, block_time=1)


class Running:
    """A node in a thread, stopped and joined by `stop`."""

    def __init__(self, node: NetworkNode) -> None:
        self.node = node
        self.halt = threading.Event()
        self.thread = threading.Thread(target=node.run, args=(self.halt,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.halt.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


class Network:
    def __init__(self, tmp: Path, n: int) -> None:
        rng = random.Random(7)
        self.keys = [SigningKey(rng.randbytes(32)) for _ in range(n)]
        self.registrations = seeded_registrations(self.keys, PROFILE)
        self.ports = free_ports(n)
        self.tmp = tmp
        self.stores: list[Store] = []
        self.running: dict[int, Running] = {}
        self.genesis_time = int(time.time())
        """The genesis is "now": the first block is due a block time later."""

    def start(self, i: int) -> NetworkNode:
        peers = tuple(
            Peer(bytes(k.verify_key), "127.0.0.1", p)
            for j, (k, p) in enumerate(zip(self.keys, self.ports, strict=True))
            if j != i
        )
        config = NetworkConfig(profile=PROFILE, port=self.ports[i], bootstrap=peers)
        store = Store.open(self.tmp / f"node{i}")
        self.stores.append(store)
        node = NetworkNode(store, self.keys[i], self._genesis, config)
        self.running[i] = Running(node)
        return node

    def _genesis(self) -> Ledger:
        return genesis_ledger(PROFILE, self.registrations, timestamp=self.genesis_time)

    def stop(self, i: int) -> None:
        self.running.pop(i).stop()

    def close(self) -> None:
        for i in list(self.running):
            self.stop(i)
        for store in self.stores:
            store.close()


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    net = Network(tmp_path, 4)
    yield net
    net.close()


def wait_for(predicate: Callable[[], bool], seconds: float = 30.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_four_nodes_make_blocks_together_and_store_them(network: Network) -> None:
    nodes = [network.start(i) for i in range(4)]
    assert wait_for(lambda: all(n.chain.height >= 8 for n in nodes))
    for node in nodes:
        with node.lock:
            assert node.chain.hash_at(8) == nodes[0].chain.hash_at(8)
    network.stop(0)
    assert network.stores[0].height() >= 8
    assert network.stores[0].block(8).hash == nodes[1].chain.hash_at(8)  # type: ignore[union-attr]


def test_a_restarted_node_replays_its_store_and_catches_up(network: Network) -> None:
    nodes = [network.start(i) for i in range(4)]
    assert wait_for(lambda: all(n.chain.height >= 5 for n in nodes))
    network.stop(3)
    stopped_at = nodes[3].chain.height
    assert wait_for(lambda: nodes[0].chain.height >= stopped_at + 5)
    again = network.start(3)
    assert again.chain.height >= stopped_at
    assert wait_for(lambda: again.chain.height >= nodes[0].chain.height - 1 >= stopped_at + 5)
    assert again.chain.hash_at(stopped_at + 4) == nodes[0].chain.hash_at(stopped_at + 4)
