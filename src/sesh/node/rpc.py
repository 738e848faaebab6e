"""The node's JSON-RPC 2.0 over HTTP: ``POST /json_rpc``, the reference's method names.

```python
server = RpcServer(source, host="127.0.0.1", port=0)   # binds now; port 0 picks a free port
server.start()                                         # serves in a daemon thread
server.port
server.close()                                         # stops and joins
```

A request is a JSON-RPC object or a batch (an array, at most `MAX_BATCH`) in a body of at most
`MAX_BODY` bytes. Every failure is a JSON body, never an HTML page or a traceback: JSON-RPC
errors in a 200 reply (parse error, invalid request, method not found, invalid params, the
methods' own errors), and for what is not JSON-RPC at all an HTTP status with a JSON-RPC error
body (404 for another path, 405 for another verb, 411/413 for a missing or oversized body). An
exception inside a method is logged with its traceback and answered "internal error". A
notification (a request without ``id``) gets no reply, a body of notifications only a 204.

The methods and their replies are in `sesh.node.rpc_methods` and `sesh.node.rpc_format`;
docs/api.md, "Node JSON-RPC", describes them.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sesh.node.rpc_methods import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    METHODS,
    PARSE_ERROR,
    RpcError,
    RpcSource,
    run,
)

__all__ = ["MAX_BATCH", "MAX_BODY", "METHODS", "RpcError", "RpcServer", "RpcSource", "handle_body"]

log = logging.getLogger("sesh.node.rpc")

PATH = "/json_rpc"
MAX_BODY = 64 * 1024
"""Bytes of one request body; a longer one is refused (413)."""
MAX_BATCH = 100
"""Requests in one batch."""
DISCARD_LIMIT = 1024 * 1024
"""Bytes of an oversized body read and dropped before the 413 (beyond: the connection is cut)."""
MAX_TRAILER_LINES = 64
IDLE_TIMEOUT = 30.0
"""Seconds a connection may stay silent (keep-alive, or a body that does not come)."""


# -- JSON-RPC ------------------------------------------------------------------------------------


def error_reply(request_id: Any, code: int, message: str) -> str:
    return json.dumps(
        {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    )


def _valid_id(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str) or type(value) is int


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def handle_request(source: RpcSource, request: Any) -> str | None:
    """The reply to one request object (None for a notification), serialised."""
    if not isinstance(request, dict):
        return error_reply(None, INVALID_REQUEST, "a request is a JSON object")
    request_id = request.get("id")
    if not _valid_id(request_id):
        return error_reply(None, INVALID_REQUEST, "'id' must be a string, a number or null")
    if request.get("jsonrpc") != "2.0":
        return error_reply(request_id, INVALID_REQUEST, "'jsonrpc' must be \"2.0\"")
    method = request.get("method")
    if not isinstance(method, str):
        return error_reply(request_id, INVALID_REQUEST, "'method' must be a string")
    params = request.get("params")
    if params is not None and not isinstance(params, dict | list):
        return error_reply(request_id, INVALID_REQUEST, "'params' must be an object")
    if "id" not in request:
        return None  # a notification: every method only reads, so there is nothing to do
    try:
        result = run(source, method, params)
        return json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result})
    except RpcError as error:
        return error_reply(request_id, error.code, error.message)
    except Exception:
        log.exception("RPC method %s failed", method)
        return error_reply(request_id, INTERNAL_ERROR, "internal error")


def handle_body(source: RpcSource, body: bytes) -> str | None:
    """The reply to a request body (a request or a batch), or None when nothing is due."""
    try:
        request = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        return error_reply(None, PARSE_ERROR, f"parse error: {str(error)[:200]}")
    if not isinstance(request, list):
        return handle_request(source, request)
    if not request:
        return error_reply(None, INVALID_REQUEST, "an empty batch")
    if len(request) > MAX_BATCH:
        return error_reply(None, INVALID_REQUEST, f"a batch of more than {MAX_BATCH} requests")
    replies = [r for item in request if (r := handle_request(source, item)) is not None]
    return "[" + ",".join(replies) + "]" if replies else None


# -- HTTP ------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "sesh-rpc"
    timeout = IDLE_TIMEOUT

    def _send(self, status: int, body: str | None, *, close: bool = False) -> None:
        self.send_response(status)
        if status == 405:
            self.send_header("Allow", "POST")
        data = b"" if body is None else body.encode()
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every HTTP-level error as a JSON body (http.server's own ones included: a bad
        request line, an unsupported verb), and the connection closed."""
        text = message or self.responses.get(code, ("error",))[0]
        self._send(code, error_reply(None, INVALID_REQUEST, text), close=True)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _body(self) -> bytes | None:
        """The request body, or None after answering why there is none to read."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked()
        if "Transfer-Encoding" in self.headers:
            self.send_error(501, "a body is sent with a Content-Length or chunked")
            return None
        if "Content-Length" not in self.headers:
            self.send_error(411, "a request needs a Content-Length")
            return None
        size = self._length()
        if size < 0:
            self.send_error(400, "a bad Content-Length")
            return None
        if size > MAX_BODY:
            self._discard(size)
            self._too_large()
            return None
        return self.rfile.read(size)

    def _length(self) -> int:
        """The Content-Length (0 when there is none, -1 when it is not a number)."""
        try:
            return int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return -1

    def _too_large(self) -> None:
        self.send_error(413, f"a request body is at most {MAX_BODY} bytes")

    def _chunked(self) -> bytes | None:
        """A chunked body (RFC 9112 §7.1) of at most `MAX_BODY` bytes; trailers are dropped.
        A longer one is read on (up to `DISCARD_LIMIT`) and refused."""
        body = bytearray()
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                size = -1
            if size < 0 or not line.endswith(b"\n"):
                self.send_error(400, "a bad chunk")
                return None
            if size == 0:
                break
            total += size
            if total > DISCARD_LIMIT:
                self._too_large()
                return None
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                self.send_error(400, "a bad chunk")
                return None
            if total <= MAX_BODY:
                body += chunk
        for _ in range(MAX_TRAILER_LINES):
            if self.rfile.readline(1024) in (b"\r\n", b"\n", b""):
                break
        else:
            self.send_error(400, "too many trailer lines")
            return None
        if total > MAX_BODY:
            self._too_large()
            return None
        return bytes(body)

    def _discard(self, size: int) -> None:
        """Read and drop up to `DISCARD_LIMIT` bytes of a refused body, so that the client,
        still sending, reads the refusal instead of a reset connection."""
        left = min(size, DISCARD_LIMIT)
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                return
            left -= len(chunk)

    def do_POST(self) -> None:
        if self.path != PATH:
            self._discard(self._length())
            self._not_allowed()
            return
        body = self._body()
        if body is None:
            return
        reply = handle_body(self.server.source, body)
        self._send(200 if reply is not None else 204, reply)

    def _not_allowed(self) -> None:
        if self.path == PATH:
            self.send_error(405, f"JSON-RPC requests are POST {PATH}")
        else:
            self.send_error(404, f"not found: the JSON-RPC endpoint is POST {PATH}")

    # http.server calls do_<VERB>; every verb but POST gets the same answer
    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed  # noqa: N815


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    """`close` does not wait for idle keep-alive connections."""

    def __init__(self, address: tuple[str, int], source: RpcSource) -> None:
        self.source = source
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside any method (a client gone, a timeout): logged,
        not printed."""
        log.debug("RPC connection from %s failed", client_address, exc_info=True)


class RpcServer:
    """The node's JSON-RPC server on `host`:`port` (bound at once; port 0 picks a free port)."""

    def __init__(self, source: RpcSource, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = _HttpServer((host, port), source)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        """Serve in a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("the RPC server is already started")
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="sesh-rpc"
        )
        self._thread.daemon = True
        self._thread.start()

    def close(self) -> None:
        """Stop serving, close the socket and join the serving thread (idempotent)."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> RpcServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
