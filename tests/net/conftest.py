"""Transports on real sockets on 127.0.0.1, and the raw ZeroMQ clients the refusal tests need.

``Network`` makes transports that know each other's addresses through real signed
announcements, pumps their polls until something has happened (a deadline only guards against a
hang), and closes everything it made, whatever the test did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import zmq
from nacl.signing import SigningKey
from zmq.utils.monitor import recv_monitor_message

from sesh.net import AddressBook, Codec, Incoming, Transport, curve_keypair, sign_announcement

DEADLINE = 5.0
KINDS = {"ping": 1024, "sync.request": 64, "sync.response": 1024}


def make_codec(max_message_size: int = 4096, **limits: int) -> Codec:
    codec = Codec(max_message_size)
    for kind, limit in {**KINDS, **limits}.items():
        codec.register(kind, limit)
    return codec


@dataclass
class Node:
    """A transport with its signing key, its address book and what it has received."""

    key: SigningKey
    transport: Transport
    book: AddressBook
    inbox: list[Incoming] = field(default_factory=list)

    @property
    def public_key(self) -> bytes:
        return self.transport.public_key

    def knows(self, other: Node, timestamp: int | None = None) -> None:
        """Accept ``other``'s signed announcement of where it listens."""
        when = int(time.time()) if timestamp is None else timestamp
        announcement = sign_announcement(other.key, "127.0.0.1", other.transport.port, 1, when)
        assert self.book.offer(announcement, time.time()) == "accepted"

    def received(self, kind: str | None = None) -> list[tuple[bytes, str, bytes]]:
        return [(m.sender, m.kind, m.payload) for m in self.inbox if kind in (None, m.kind)]


class Network:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self._context: zmq.Context[zmq.Socket[bytes]] | None = None
        self._raw: list[tuple[zmq.Socket[bytes], zmq.Socket[bytes]]] = []

    def node(self, key: SigningKey | None = None, **options: Any) -> Node:
        key = key or SigningKey.generate()
        book = AddressBook()
        options.setdefault("codec", make_codec())
        node = Node(key, Transport(key, addresses=book, **options), book)
        self.nodes.append(node)
        return node

    def mesh(self, count: int, **options: Any) -> list[Node]:
        """``count`` transports, each knowing every other's address."""
        nodes = [self.node(**options) for _ in range(count)]
        for a in nodes:
            for b in nodes:
                if a is not b:
                    a.knows(b)
        return nodes

    def pump(self, until: Callable[[], bool], what: str = "the condition") -> None:
        """Poll every open transport, filling inboxes, until ``until()`` holds."""
        deadline = time.monotonic() + DEADLINE
        while not until():
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not happen within {DEADLINE} s")
            for node in self.nodes:
                if not node.transport._closed:
                    node.inbox.extend(node.transport.poll(2))

    def raw_client(
        self, server: Node, key: SigningKey | None, server_key: bytes | None = None
    ) -> tuple[zmq.Socket[bytes], zmq.Socket[bytes]]:
        """A bare DEALER connected to ``server``: CURVE with ``key`` (and the server's key unless
        another is given), or plain ZeroMQ without encryption when ``key`` is None. Returns the
        socket and a monitor socket reporting its connection events."""
        if self._context is None:
            self._context = zmq.Context()
        socket = self._context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        if key is not None:
            pair = curve_keypair(key)
            socket.curve_publickey = pair.public
            socket.curve_secretkey = pair.secret
            socket.curve_serverkey = server_key or curve_keypair(server.key).public
        monitor = socket.get_monitor_socket()
        self._raw.append((socket, monitor))
        socket.connect(server.transport.address.endpoint)
        return socket, monitor

    def wait_for_event(self, monitor: zmq.Socket[bytes], *events: zmq.Event) -> zmq.Event:
        """Pump the transports until the raw client's monitor reports one of ``events``."""
        seen: list[zmq.Event] = []

        def happened() -> bool:
            while monitor.poll(0):
                seen.append(recv_monitor_message(monitor)["event"])
            return any(e in events for e in seen)

        self.pump(happened, f"one of {events}")
        return next(e for e in seen if e in events)

    def close(self) -> None:
        for socket, monitor in self._raw:
            socket.disable_monitor()
            monitor.close(linger=0)
            socket.close(linger=0)
        if self._context is not None:
            self._context.term()
        for node in self.nodes:
            node.transport.close()


@pytest.fixture
def net() -> Iterator[Network]:
    network = Network()
    try:
        yield network
    finally:
        network.close()
