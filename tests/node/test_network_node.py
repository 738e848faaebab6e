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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from sesh.aggregator.messages import (
    ANSWER_KIND,
    REQUEST_KIND,
    Kind,
    MessageError,
    SignAnswer,
    SignRequest,
    Status,
)
from sesh.bls import DomainTags, SecretKey
from sesh.consensus.messages import NewBlock, Ready, sign
from sesh.consensus.sim import SIM_PROFILE, seeded_registrations
from sesh.consensus.wire import KINDS, MAX_PAYLOAD, encode
from sesh.ledger import Ledger, genesis_ledger
from sesh.net.announce import AddressBook, PeerAddress
from sesh.net.codec import Codec
from sesh.net.ports import free_ports
from sesh.net.transport import Incoming, Transport
from sesh.node.network import NetworkConfig, NetworkNode, Peer
from sesh.node.signing import L2Now, Signer
from sesh.node.store import Store

GENESIS_TIME = 1_700_000_000
KEYS = [bytes(SecretKey.from_int(n).public_key().to_bytes()) for n in (1, 2, 3)]
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
            Peer(bytes(k.verify_key), PeerAddress("127.0.0.1", p))
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


def hostile_messages(
    network: Network, node: NetworkNode, attacker: SigningKey
) -> list[tuple[str, bytes]]:
    """Garbage, oversized, replayed, wrongly signed and out-of-quorum messages for `node`."""
    with node.lock:
        chain = node.chain
        height, tip = chain.height, chain.tip
        old = chain.block_at(max(1, height - 1))
    assert old is not None
    rng = random.Random(3)
    ready = Ready(height + 1, 0, tip, bytes(attacker.verify_key), bytes(32))
    signed_by_outsider = replace(ready, signature=sign(attacker, ready.statement()))
    member = network.keys[1]
    forged = replace(
        Ready(height + 1, 0, tip, bytes(member.verify_key), bytes(32)), signature=bytes(64)
    )
    out = [(kind, rng.randbytes(rng.randrange(0, 300))) for kind in KINDS.values()]
    out.append(("chain.block", bytes(MAX_PAYLOAD["chain.block"] + 1)))
    out.append(("no.such.kind", b"x"))
    out.append(encode(NewBlock(old)))  # replayed
    out.append(encode(signed_by_outsider))  # out of quorum
    out.append(encode(forged))  # wrongly signed, and not from its sender
    return out


def test_a_hostile_peer_is_dropped_and_the_network_keeps_producing(network: Network) -> None:
    nodes = [network.start(i) for i in range(4)]
    assert wait_for(lambda: all(n.chain.height >= 3 for n in nodes))
    attacker = SigningKey(bytes(range(32)))
    codec = Codec()
    for kind in (*KINDS.values(), "no.such.kind"):
        codec.register(kind)
    book = AddressBook(bootstrap={nodes[0].pubkey: PeerAddress("127.0.0.1", nodes[0].port)})
    with Transport(attacker, codec, book) as transport:
        for _ in range(20):
            for kind, payload in hostile_messages(network, nodes[0], attacker):
                transport.send(nodes[0].pubkey, kind, payload)
            transport.poll(20)
        before = nodes[0].chain.height
        assert wait_for(lambda: all(n.chain.height >= before + 4 for n in nodes))
    assert nodes[0].dropped.get("malformed", 0) > 0
    assert sum(nodes[0].transport.stats.dropped.values()) > 0
    with nodes[0].lock:
        assert not nodes[0].chain.evidence


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from([*KINDS.values(), "net.announce", "other"]),
    payload=st.binary(max_size=2000),
)
def test_any_bytes_under_any_kind_never_raise_out_of_the_node(
    idle_node: NetworkNode, kind: str, payload: bytes
) -> None:
    height = idle_node.chain.height
    idle_node._handle(Incoming(b"\x07" * 32, kind, payload, on_server=True), time.time())
    assert idle_node.chain.height == height


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.integers(0, 4),
    address=st.binary(min_size=20, max_size=20),
    height=st.integers(0, 2**64 - 1),
    key=st.one_of(st.binary(min_size=64, max_size=64), st.sampled_from(KEYS)),
    timestamp=st.integers(0, 2**64 - 1),
    raw=st.binary(max_size=120),
)
def test_signing_requests_of_any_fields_get_a_refusal_and_never_raise(
    idle_node: NetworkNode,
    kind: int,
    address: bytes,
    height: int,
    key: bytes,
    timestamp: int,
    raw: bytes,
) -> None:
    """A signer asked anything: an answer that encodes, a refusal unless the request is one it
    may sign (none here: no key is removable, and no address has rewards); raw bytes under the
    signing kinds are dropped."""
    signer = idle_node.signer
    assert signer is not None
    now = int(time.time())
    try:
        request = SignRequest(1, Kind(kind), address, height, key, now + timestamp % 400 - 200)
        payload = request.encode()
    except (ValueError, MessageError):
        payload = raw
    else:
        answer = signer.answer(request, idle_node.chain, L2Now(now, frozenset()))
        assert answer.status is not Status.SIGNED and answer.reason
        assert SignAnswer.decode(answer.encode()) == replace(
            answer, reason=answer.reason.encode()[:200].decode(errors="ignore")
        )
    for kind_name in (REQUEST_KIND, ANSWER_KIND):
        for body in (payload, raw):
            idle_node._handle(Incoming(b"\x09" * 32, kind_name, body, on_server=True), now)


@pytest.fixture(scope="module")
def idle_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkNode]:
    """One node of a network whose peers never start: it only takes messages."""
    network = Network(tmp_path_factory.mktemp("idle"), 4)
    store = Store.open(network.tmp / "node0")
    config = NetworkConfig(profile=PROFILE, port=network.ports[0])
    signer = Signer(SecretKey.from_int(5), DomainTags.for_contract(31337, "0x" + "11" * 20))
    node = NetworkNode(store, network.keys[0], network._genesis, config, signer=signer)
    yield node
    node.transport.close()
    store.close()
