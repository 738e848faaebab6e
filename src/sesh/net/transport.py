"""Node-to-node messages over CurveZMQ: authenticated, encrypted, and never in the caller's way.

A ``Transport`` owns one ZeroMQ context and every socket in it:

* a ROUTER bound on host:port, a CURVE server with this node's X25519 key (derived from its
  Ed25519 key, ``sesh.net.curve``); peers connect to it, and the node answers them on it;
* one DEALER per peer it sends to, made on the first send, a CURVE client that pins the peer's
  X25519 key as the server key: a listener without the peer's secret cannot complete the
  handshake, so it neither reads nor receives anything;
* the ZAP handler (``sesh.net.zap``) that admits or refuses each client key.

**Single-threaded, poll-driven.** ZeroMQ sockets must not be shared between threads, so nothing
here starts one: the node's loop calls ``poll`` (which also answers ZAP requests) and ``send``,
and libzmq's own I/O thread does the network work in between. Sends never block: each DEALER
queues at most ``send_queue`` messages (SNDHWM), and a send to a full queue (a slow, dead or
unreachable peer) is dropped and counted, so one peer can never stall the node.

**Who sent it.** A client sends two frames: its Ed25519 public key, then the envelope
(``sesh.net.codec``). The key frame is needed because X25519 keys forget the sign bit of the
Ed25519 key; it is believed only if it maps to the X25519 key the CURVE handshake authenticated
(ZAP's User-Id, which libzmq attaches to every message of the connection), and only if
``allow`` accepts it. A reply travels back on the same connection as the envelope alone; a
DEALER's peer is the one whose key it pinned.

**Dropped and counted, never raised** (``stats``): malformed frames or envelopes, unknown
kinds, payloads over their kind's limit, senders over their rate limit, sender keys that are
not the connection's or not allowed, and sends that find no address or a full queue. An
envelope over the global size limit never reaches Python: libzmq's MAXMSGSIZE disconnects the
peer that sent it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Self

import zmq
from nacl.signing import SigningKey

from sesh.net.announce import AddressBook, PeerAddress
from sesh.net.codec import Codec, MalformedMessage, MessageTooLarge, UnknownKind
from sesh.net.curve import curve_keypair, curve_public_key, ed25519_candidates
from sesh.net.limits import DEFAULT_RATE_LIMIT, PeerLimiter, RateLimit
from sesh.net.stats import DropReason, TransportStats
from sesh.net.zap import ZapHandler

DEFAULT_SEND_QUEUE = 1000
"""Messages queued per peer connection before sends to it are dropped."""

MAX_BATCH = 1000
"""Messages read from one socket per ``poll``, so one busy peer cannot starve the others."""

RECONNECT_MAX_MS = 5000
"""A DEALER retries a dead peer with backoff up to this interval (libzmq's default is 100 ms)."""

ZAP_DOMAIN = b"sesh"
_PRUNE_INTERVAL = 60.0

Allow = Callable[[bytes], bool]
"""Whether an Ed25519 public key may talk to this node."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One delivered message: its authenticated sender's Ed25519 key, kind and payload, and
    whether it came to this node's server socket (a peer's request or notice) rather than back
    on a connection this node opened (a reply)."""

    sender: bytes
    kind: str
    payload: bytes
    on_server: bool
    route: bytes | None = field(default=None, repr=False, compare=False)
    """The server connection it came on, for ``Transport.reply``."""


@dataclass(frozen=True, slots=True)
class _Link:
    """One outgoing connection: a DEALER to one peer at one address."""

    peer: bytes
    server_key: bytes
    address: PeerAddress
    socket: zmq.Socket[bytes]


class Transport:
    """This node's end of the network: see the module's description.

    ``addresses`` says where peers are (announcements, else bootstrap); ``allow`` (settable at
    any time; None allows every key that completes the CURVE handshake) decides who may connect
    and whose messages are delivered. ``clock`` (monotonic seconds) feeds the rate limits and
    ``wall_clock`` (Unix seconds) the address book's validity."""

    def __init__(
        self,
        signing_key: SigningKey,
        codec: Codec,
        addresses: AddressBook,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        allow: Allow | None = None,
        rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
        send_queue: int = DEFAULT_SEND_QUEUE,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.public_key = bytes(signing_key.verify_key)
        self.allow = allow
        self.stats = TransportStats()
        self._keys = curve_keypair(signing_key)
        self._codec = codec
        self._addresses = addresses
        self._limiter: PeerLimiter[bytes] = PeerLimiter(rate_limit)
        self._send_queue = send_queue
        self._clock = clock
        self._wall_clock = wall_clock
        self._links: dict[bytes, _Link] = {}
        self._link_of: dict[zmq.Socket[bytes], _Link] = {}
        self._poller = zmq.Poller()
        self._context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self._closed = False
        self._sockets: list[zmq.Socket[bytes]] = []  # the server's, closed last
        try:
            self._zap = ZapHandler(self._context, self._admit)
            self._sockets.append(self._zap.socket)
            self._poller.register(self._zap.socket, zmq.POLLIN)
            self._router = self._server(host, port)
            endpoint = self._router.getsockopt_string(zmq.LAST_ENDPOINT)
            self.address = PeerAddress(host, int(endpoint.rsplit(":", 1)[1]))
        except BaseException:
            self.close()
            raise
        self._next_prune = clock() + _PRUNE_INTERVAL

    @property
    def port(self) -> int:
        """The port the server socket is bound to (the one picked, when asked for 0)."""
        return self.address.port

    def send(self, peer: bytes, kind: str, payload: bytes) -> bool:
        """Queue a message to ``peer`` (its Ed25519 key) without blocking; False if it was
        dropped (no address for the peer, or its queue is full). ValueError if ``kind`` is not
        registered or ``payload`` is over its limit."""
        return self._send(peer, kind, self._codec.encode(kind, payload))

    def broadcast(self, peers: Iterable[bytes], kind: str, payload: bytes) -> int:
        """``send`` to each peer, encoding once; returns how many were queued."""
        data = self._codec.encode(kind, payload)
        return sum(self._send(peer, kind, data) for peer in peers)

    def reply(self, incoming: Incoming, kind: str, payload: bytes) -> bool:
        """Answer ``incoming`` on the connection it came on (a request's answer reaches the very
        socket that asked); False if dropped (the connection has gone, or its queue is full)."""
        self._check_open()
        data = self._codec.encode(kind, payload)
        if incoming.route is None:
            return self._send(incoming.sender, kind, data)
        return self._queue(self._router, [incoming.route, data], kind, len(data))

    def poll(self, timeout_ms: int = 0) -> list[Incoming]:
        """Wait up to ``timeout_ms`` for activity, answer pending ZAP requests, and return every
        message delivered meanwhile (possibly none: a handshake alone also ends the wait)."""
        self._check_open()
        ready = dict(self._poller.poll(timeout_ms))
        if self._zap.socket in ready:
            self._zap.handle()
            self.stats.refused_connections = self._zap.refused
        now = self._clock()
        received: list[Incoming] = []
        if self._router in ready:
            self._read_server(now, received)
        for socket in ready:
            link = self._link_of.get(socket)
            if link is not None:
                self._read_link(link, now, received)
        if now >= self._next_prune:
            self._limiter.prune(now)
            self._next_prune = now + _PRUNE_INTERVAL
        return received

    def disconnect(self, peer: bytes) -> None:
        """Close the connection to ``peer``, if any, dropping what is queued for it (a node
        that left the network); the next send to it connects afresh."""
        link = self._links.get(peer)
        if link is not None:
            self._close_link(link)

    def close(self) -> None:
        """Close every socket at once (linger 0: queued messages are dropped) and terminate the
        context. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for link in list(self._links.values()):
            self._close_link(link)
        for socket in reversed(self._sockets):
            socket.close(linger=0)
        self._context.term()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sockets

    def _socket(self, kind: int) -> zmq.Socket[bytes]:
        """A socket with what every socket here has: no linger, bounded queues, the size limit
        and this node's CURVE keys."""
        socket = self._context.socket(kind)
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.SNDHWM, self._send_queue)
        socket.setsockopt(zmq.MAXMSGSIZE, self._codec.max_message_size)
        socket.setsockopt(zmq.CURVE_PUBLICKEY, self._keys.public)
        socket.setsockopt(zmq.CURVE_SECRETKEY, self._keys.secret)
        return socket

    def _server(self, host: str, port: int) -> zmq.Socket[bytes]:
        router = self._socket(zmq.ROUTER)
        self._sockets.append(router)
        router.setsockopt(zmq.CURVE_SERVER, 1)
        router.setsockopt(zmq.ZAP_DOMAIN, ZAP_DOMAIN)
        router.setsockopt(zmq.ROUTER_MANDATORY, 1)  # a reply to a gone connection is an error
        router.bind(f"tcp://{host}:{port or '*'}")
        self._poller.register(router, zmq.POLLIN)
        return router

    def _link(self, peer: bytes) -> _Link | None:
        """The connection to ``peer``, made (or remade, when its address changed) as needed;
        None when the peer has no address or is not an Ed25519 key."""
        address = self._addresses.address(peer, self._wall_clock())
        if address is None:
            return None
        link = self._links.get(peer)
        if link is not None and link.address == address:
            return link
        if link is not None:
            self._close_link(link)
        try:
            server_key = curve_public_key(peer)
        except ValueError:
            return None
        socket = self._socket(zmq.DEALER)
        socket.setsockopt(zmq.CURVE_SERVERKEY, server_key)
        socket.setsockopt(zmq.RECONNECT_IVL_MAX, RECONNECT_MAX_MS)
        socket.connect(address.endpoint)
        link = _Link(peer, server_key, address, socket)
        self._links[peer] = link
        self._link_of[socket] = link
        self._poller.register(socket, zmq.POLLIN)
        return link

    def _close_link(self, link: _Link) -> None:
        self._poller.unregister(link.socket)
        del self._links[link.peer], self._link_of[link.socket]
        link.socket.close(linger=0)

    # -- sending

    def _send(self, peer: bytes, kind: str, data: bytes) -> bool:
        self._check_open()
        link = self._link(peer)
        if link is None:
            self.stats.dropped[DropReason.UNKNOWN_PEER] += 1
            return False
        return self._queue(link.socket, [self.public_key, data], kind, len(data))

    def _queue(self, socket: zmq.Socket[bytes], frames: list[bytes], kind: str, size: int) -> bool:
        try:
            socket.send_multipart(frames, zmq.NOBLOCK)
        except zmq.Again:
            self.stats.dropped[DropReason.QUEUE_FULL] += 1
            return False
        except zmq.ZMQError as e:
            if e.errno != zmq.EHOSTUNREACH:
                raise
            self.stats.dropped[DropReason.UNKNOWN_PEER] += 1
            return False
        self.stats.sent(kind, size)
        return True

    # -- receiving

    def _admit(self, client_key: bytes) -> bool:
        """ZAP: admit a client whose X25519 key is the image of an allowed Ed25519 key."""
        allow = self.allow
        return allow is None or any(allow(c) for c in ed25519_candidates(client_key))

    def _read_server(self, now: float, received: list[Incoming]) -> None:
        for _ in range(MAX_BATCH):
            try:
                frames = self._router.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            client_key = _authenticated_key(frames[-1])
            if client_key is None:
                self.stats.dropped[DropReason.UNKNOWN_PEER] += 1
            elif not self._limiter.allow(client_key, now):
                self.stats.dropped[DropReason.RATE_LIMITED] += 1
            elif len(frames) != 3:
                self.stats.dropped[DropReason.MALFORMED] += 1
            elif not self._is_sender(frames[1].bytes, client_key):
                self.stats.dropped[DropReason.UNKNOWN_PEER] += 1
            else:
                route, sender, body = (frame.bytes for frame in frames)
                self._deliver(sender, body, route, received)

    def _read_link(self, link: _Link, now: float, received: list[Incoming]) -> None:
        for _ in range(MAX_BATCH):
            try:
                frames = link.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if not self._limiter.allow(link.server_key, now):
                self.stats.dropped[DropReason.RATE_LIMITED] += 1
            elif len(frames) != 1:
                self.stats.dropped[DropReason.MALFORMED] += 1
            else:
                self._deliver(link.peer, frames[0], None, received)

    def _is_sender(self, claimed: bytes, client_key: bytes) -> bool:
        """Whether the claimed Ed25519 key is the connection's and is allowed."""
        try:
            if curve_public_key(claimed) != client_key:
                return False
        except ValueError:
            return False
        return self.allow is None or self.allow(claimed)

    def _deliver(
        self, sender: bytes, body: bytes, route: bytes | None, received: list[Incoming]
    ) -> None:
        try:
            envelope = self._codec.decode(body)
        except MalformedMessage as e:
            self.stats.dropped[_drop_reason(e)] += 1
            return
        self.stats.received(envelope.kind, len(body))
        received.append(Incoming(sender, envelope.kind, envelope.payload, route is not None, route))

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the transport is closed")


def _authenticated_key(frame: zmq.Frame) -> bytes | None:
    """The X25519 key ZAP authenticated for the frame's connection (its User-Id)."""
    try:
        user_id = frame.get("User-Id")
        return bytes.fromhex(user_id) if isinstance(user_id, str) else None
    except (zmq.ZMQError, ValueError):
        return None


def _drop_reason(error: MalformedMessage) -> DropReason:
    if isinstance(error, MessageTooLarge):
        return DropReason.OVERSIZED
    if isinstance(error, UnknownKind):
        return DropReason.UNKNOWN_KIND
    return DropReason.MALFORMED
