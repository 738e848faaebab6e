"""The ZAP handler: who may connect, answered in the transport's own poll loop.

libzmq asks a ZAP handler (RFC 27, a socket bound at ``inproc://zeromq.zap.01`` in the same
context) about every connection that completes a CURVE handshake, giving the client's X25519
public key. pyzmq's authenticators answer from a thread; here the handler is one more socket
polled by the transport, so nothing runs outside the node's loop and the admission rule can be
any callable of the node's state without locks. A handshake waits for the next ``poll``, which
the node calls continually anyway.

An accepted connection's User-Id (ZAP's name for who it is, attached by libzmq to every message
the connection delivers) is the client's X25519 key in hex: every message is tied to the key the
handshake authenticated.
"""

from __future__ import annotations

from collections.abc import Callable

import zmq

from sesh.net.curve import KEY_SIZE

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
_VERSION = b"1.0"


class ZapHandler:
    """Answers ZAP requests for one context: 200 for a CURVE client ``admit`` accepts, 400 for
    any other."""

    def __init__(self, context: zmq.Context[zmq.Socket[bytes]], admit: Callable[[bytes], bool]):
        self._admit = admit
        self.socket: zmq.Socket[bytes] = context.socket(zmq.REP)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.bind(ZAP_ENDPOINT)
        self.accepted = 0
        self.refused = 0

    def handle(self, max_requests: int = 256) -> None:
        """Answer the requests waiting now (at most ``max_requests``), without blocking."""
        for _ in range(max_requests):
            try:
                request = self.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            request_id = request[1] if len(request) > 1 else b""
            try:
                status, text, user_id = self._decide(request)
            except BaseException:  # a failing ``admit``: answer, so the socket stays usable
                self.socket.send_multipart(_reply(request_id, b"500", b"internal error"))
                raise
            self.socket.send_multipart(_reply(request_id, status, text, user_id))

    def _decide(self, request: list[bytes]) -> tuple[bytes, bytes, bytes]:
        """Status code, status text and User-Id for one request."""
        if len(request) < 6 or request[0] != _VERSION:
            self.refused += 1
            return b"500", b"malformed ZAP request", b""
        mechanism, credentials = request[5], request[6:]
        if mechanism != b"CURVE" or len(credentials) != 1 or len(credentials[0]) != KEY_SIZE:
            self.refused += 1
            return b"400", b"CURVE only", b""
        client_key = credentials[0]
        if not self._admit(client_key):
            self.refused += 1
            return b"400", b"key not allowed", b""
        self.accepted += 1
        return b"200", b"OK", client_key.hex().encode()

    def close(self) -> None:
        self.socket.close(linger=0)


def _reply(request_id: bytes, status: bytes, text: bytes, user_id: bytes = b"") -> list[bytes]:
    """A ZAP reply: version, request id, status code and text, User-Id, metadata (none)."""
    return [_VERSION, request_id, status, text, user_id, b""]
