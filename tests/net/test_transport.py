"""The transport on real sockets: messages between authenticated nodes, and everything else
refused, dropped and counted without ever raising or blocking."""

from __future__ import annotations

import time

import pytest
import zmq
from nacl.signing import SigningKey

from sesh.net import AddressBook, DropReason, RateLimit, Transport
from sesh.net.codec import envelope_size
from sesh.net.curve import curve_public_key

from .conftest import Network, make_codec


def test_two_nodes_exchange_messages_both_ways(net: Network) -> None:
    a, b = net.mesh(2)
    assert a.transport.send(b.public_key, "ping", b"from a")
    assert b.transport.send(a.public_key, "ping", b"from b")
    net.pump(lambda: bool(a.inbox and b.inbox))
    assert b.received() == [(a.public_key, "ping", b"from a")]
    assert a.received() == [(b.public_key, "ping", b"from b")]
    assert b.inbox[0].on_server
    assert b.transport.stats.messages_in == {"ping": 1}
    assert b.transport.stats.bytes_in == {"ping": envelope_size("ping", 6)}
    assert a.transport.stats.messages_out == {"ping": 1}


def test_three_nodes_broadcast_to_each_other(net: Network) -> None:
    nodes = net.mesh(3)
    for node in nodes:
        others = [n.public_key for n in nodes if n is not node]
        assert node.transport.broadcast(others, "ping", node.public_key) == 2
    net.pump(lambda: all(len(n.inbox) == 2 for n in nodes))
    for node in nodes:
        senders = {sender for sender, _, payload in node.received() if sender == payload}
        assert senders == {n.public_key for n in nodes if n is not node}


def test_a_reply_returns_on_the_connection_the_request_came_on(net: Network) -> None:
    a, b = net.node(), net.node()
    a.knows(b)  # b does not know where a listens: the reply cannot go any other way
    a.transport.send(b.public_key, "sync.request", b"blocks from 7")
    net.pump(lambda: bool(b.inbox))
    assert b.transport.reply(b.inbox[0], "sync.response", b"block 7")
    net.pump(lambda: bool(a.inbox))
    assert a.received() == [(b.public_key, "sync.response", b"block 7")]
    assert not a.inbox[0].on_server
    assert a.transport.reply(a.inbox[0], "ping", b"thanks")  # back over a's own connection
    net.pump(lambda: len(b.inbox) == 2)
    assert b.received("ping") == [(a.public_key, "ping", b"thanks")]


def test_a_client_whose_key_is_not_allowed_is_refused_at_the_handshake(net: Network) -> None:
    refused, allowed = net.node(), net.node()
    server = net.node()
    server.transport.allow = lambda key: key == allowed.public_key
    refused.knows(server)
    allowed.knows(server)
    refused.transport.send(server.public_key, "ping", b"let me in")
    allowed.transport.send(server.public_key, "ping", b"hello")
    net.pump(lambda: server.transport.stats.refused_connections >= 1 and bool(server.inbox))
    assert server.received() == [(allowed.public_key, "ping", b"hello")]


def test_a_plain_zeromq_client_cannot_talk_to_the_server(net: Network) -> None:
    server = net.node()
    socket, monitor = net.raw_client(server, key=None)
    socket.send_multipart([bytes(32), b"plain text"])
    failed = (zmq.Event.HANDSHAKE_FAILED_NO_DETAIL, zmq.Event.HANDSHAKE_FAILED_PROTOCOL)
    net.wait_for_event(monitor, *failed)
    assert server.inbox == [] and server.transport.stats.messages_in == {}


def test_only_a_client_holding_the_servers_key_gets_through(net: Network) -> None:
    server = net.node()
    client = SigningKey.generate()
    impostor = curve_public_key(bytes(SigningKey.generate().verify_key))
    wrong, wrong_monitor = net.raw_client(server, client, server_key=impostor)
    wrong.send_multipart([bytes(client.verify_key), make_codec().encode("ping", b"wrong key")])
    net.wait_for_event(wrong_monitor, zmq.Event.HANDSHAKE_FAILED_NO_DETAIL)
    right, _ = net.raw_client(server, client)
    right.send_multipart([bytes(client.verify_key), make_codec().encode("ping", b"right key")])
    net.pump(lambda: bool(server.inbox))
    assert server.received() == [(bytes(client.verify_key), "ping", b"right key")]


def test_garbage_from_an_authenticated_peer_is_dropped_and_its_good_messages_still_arrive(
    net: Network,
) -> None:
    server = net.node()
    peer = SigningKey.generate()
    socket, _ = net.raw_client(server, peer)
    good = make_codec().encode("ping", b"good")
    key = bytes(peer.verify_key)
    for frames in ([b"garbage"], [key, b"\x01garbage"], [key, good]):
        socket.send_multipart(frames)
    net.pump(lambda: bool(server.inbox))
    assert server.received() == [(key, "ping", b"good")]
    assert server.transport.stats.dropped == {DropReason.MALFORMED: 2}


def test_a_sender_key_other_than_the_connections_is_dropped(net: Network) -> None:
    server, victim = net.node(), net.node()
    peer = SigningKey.generate()
    socket, _ = net.raw_client(server, peer)
    socket.send_multipart([victim.public_key, make_codec().encode("ping", b"forged")])
    socket.send_multipart([bytes(peer.verify_key), make_codec().encode("ping", b"honest")])
    net.pump(lambda: bool(server.inbox))
    assert server.received() == [(bytes(peer.verify_key), "ping", b"honest")]
    assert server.transport.stats.dropped == {DropReason.UNKNOWN_PEER: 1}


def test_messages_of_a_peer_no_longer_allowed_are_dropped(net: Network) -> None:
    a, b = net.mesh(2)
    a.transport.send(b.public_key, "ping", b"1")
    net.pump(lambda: bool(b.inbox))
    b.transport.allow = lambda key: key != a.public_key
    a.transport.send(b.public_key, "ping", b"2")
    net.pump(lambda: b.transport.stats.dropped[DropReason.UNKNOWN_PEER] == 1)
    assert len(b.inbox) == 1


def test_a_payload_over_its_kinds_limit_is_dropped(net: Network) -> None:
    a = net.node(codec=make_codec(ping=2000))
    b = net.node()  # ping: 1024 bytes at most
    a.knows(b)
    a.transport.send(b.public_key, "ping", bytes(1025))
    a.transport.send(b.public_key, "ping", b"small")
    net.pump(lambda: bool(b.inbox))
    assert b.received() == [(a.public_key, "ping", b"small")]
    assert b.transport.stats.dropped == {DropReason.OVERSIZED: 1}


def test_a_message_over_the_global_limit_is_cut_off_by_libzmq_and_the_peer_reconnects(
    net: Network,
) -> None:
    a = net.node(codec=make_codec(max_message_size=1 << 16, ping=5000))
    b = net.node()  # envelopes of 4096 bytes at most
    a.knows(b)
    a.transport.send(b.public_key, "ping", bytes(5000))

    def a_later_message_arrived() -> bool:
        if not b.inbox:  # resent: what followed the big one on the cut connection is lost
            a.transport.send(b.public_key, "ping", b"after")
        return bool(b.inbox)

    net.pump(a_later_message_arrived)
    assert {payload for _, _, payload in b.received()} == {b"after"}


def test_a_kind_the_receiver_does_not_speak_is_dropped(net: Network) -> None:
    codec = make_codec()
    codec.register("gossip.rumour")
    a, b = net.node(codec=codec), net.node()
    a.knows(b)
    a.transport.send(b.public_key, "gossip.rumour", b"psst")
    a.transport.send(b.public_key, "ping", b"hi")
    net.pump(lambda: bool(b.inbox))
    assert b.transport.stats.dropped == {DropReason.UNKNOWN_KIND: 1}


def test_a_peer_over_its_rate_limit_has_the_excess_dropped_and_others_are_unaffected(
    net: Network,
) -> None:
    server = net.node(rate_limit=RateLimit(rate=1.0, burst=3.0), clock=lambda: 0.0)
    flooder, other = net.node(), net.node()
    flooder.knows(server)
    other.knows(server)
    for i in range(5):
        flooder.transport.send(server.public_key, "ping", bytes([i]))
    net.pump(lambda: server.transport.stats.dropped[DropReason.RATE_LIMITED] == 2)
    other.transport.send(server.public_key, "ping", b"other")
    net.pump(lambda: len(server.inbox) == 4)
    assert [p for s, _, p in server.received() if s == flooder.public_key] == [b"\0", b"\1", b"\2"]
    assert server.received()[-1] == (other.public_key, "ping", b"other")


def test_a_peer_that_is_down_never_blocks_sends_to_it_or_to_others(net: Network) -> None:
    a, b, gone = net.node(send_queue=4), net.node(), net.node()
    a.knows(b)
    a.knows(gone)
    gone.transport.close()  # announced, but nothing listens there any more
    results = [a.transport.send(gone.public_key, "ping", bytes([i])) for i in range(20)]
    assert results == [True] * 4 + [False] * 16  # its queue holds 4; the rest are dropped
    assert a.transport.stats.dropped == {DropReason.QUEUE_FULL: 16}
    assert a.transport.send(b.public_key, "ping", b"still here")
    net.pump(lambda: bool(b.inbox))
    assert b.received() == [(a.public_key, "ping", b"still here")]


def test_a_peer_without_an_address_is_dropped_as_unknown(net: Network) -> None:
    a = net.node()
    assert not a.transport.send(bytes(SigningKey.generate().verify_key), "ping", b"?")
    assert a.transport.stats.dropped == {DropReason.UNKNOWN_PEER: 1}


def test_a_peer_announcing_a_new_address_is_reached_there(net: Network) -> None:
    a, b = net.mesh(2)
    a.transport.send(b.public_key, "ping", b"old")
    net.pump(lambda: bool(b.inbox))
    b.transport.close()
    moved = net.node(key=b.key)
    a.knows(moved, timestamp=int(time.time()) + 1)  # newer than the first
    a.transport.send(b.public_key, "ping", b"new")
    net.pump(lambda: bool(moved.inbox))
    assert moved.received() == [(a.public_key, "ping", b"new")]


def test_close_stops_everything_and_frees_the_port(net: Network) -> None:
    a, b = net.mesh(2)
    a.transport.send(b.public_key, "ping", b"x")
    port = a.transport.port
    a.transport.close()
    a.transport.close()
    with Transport(SigningKey.generate(), make_codec(), a.book, port=port) as again:
        assert again.port == port


def test_a_port_already_taken_is_refused(net: Network) -> None:
    taken = net.node().transport.port
    with pytest.raises(zmq.ZMQError):
        Transport(SigningKey.generate(), make_codec(), AddressBook(), port=taken)
