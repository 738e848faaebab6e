"""JSON-RPC over HTTP: what a provider can do wrong, and what the tracker makes of it.

A small local HTTP server plays the provider (anvil cannot refuse batches, time out or answer
garbage on demand); test_tracker_anvil.py runs the real thing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sesh.evm.jsonrpc import redact
from sesh.l2.errors import MalformedAnswer, ProviderError, RpcError
from sesh.l2.position import BlockRef
from sesh.l2.providers import JsonRpcProvider

Answer = Callable[[Any], tuple[int, bytes]]


def rpc_result(request: dict[str, Any]) -> dict[str, Any]:
    method = request["method"]
    if method == "eth_chainId":
        result: Any = "0x7a69"
    elif method == "eth_getBlockByNumber":
        number = int(request["params"][0], 16)
        result = None if number > 10 else {"number": hex(number), "hash": "0x" + "ab" * 32}
    elif method == "eth_getBlockByHash":
        block_hash = request["params"][0]
        known = block_hash in ("0x" + "ab" * 32, "0x" + "cd" * 32)
        # The "cd" block is answered as another block: a provider that lies.
        answer = {"hash": "0x" + "ab" * 32, "timestamp": "0x6553f100"}
        result = answer if known else None
    else:
        return {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32601, "message": "no"}}
    return {"jsonrpc": "2.0", "id": request["id"], "result": result}


def ordinary(body: Any) -> tuple[int, bytes]:
    if isinstance(body, list):
        return 200, json.dumps([rpc_result(r) for r in reversed(body)]).encode()
    return 200, json.dumps(rpc_result(body)).encode()


class Server:
    def __init__(self) -> None:
        self.answer: Answer = ordinary
        self.requests: list[Any] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                status, payload = server.answer(body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        Handler.protocol_version = "HTTP/1.1"  # keep-alive, as real providers
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.http.block_on_close = False
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v2/SECRET"
        self.thread = threading.Thread(
            target=self.http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def test_a_provider_is_named_without_its_key() -> None:
    assert (
        redact("https://arb-mainnet.example.com/v2/SECRET") == "https://arb-mainnet.example.com/…"
    )
    assert redact("http://user:pw@127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert "SECRET" not in JsonRpcProvider("https://h.example/v2/SECRET?key=1").name


def test_calls_and_batches_are_answered(server: Server) -> None:
    provider = JsonRpcProvider(server.url)
    assert provider.chain_id() == 31337
    blocks = provider.blocks([1, 2, 11])
    assert blocks == [BlockRef(1, b"\xab" * 32), BlockRef(2, b"\xab" * 32), None]
    assert isinstance(server.requests[-1], list)  # one batch, answered out of order
    with pytest.raises(RpcError, match="eth_blockNumber: error -32601"):
        provider.block_number()


def test_a_blocks_timestamp_is_read_by_its_hash(server: Server) -> None:
    provider = JsonRpcProvider(server.url)
    assert provider.block_timestamp(b"\xab" * 32) == 1_700_000_000
    assert provider.block_timestamp(b"\x01" * 32) is None  # not a block of this chain
    with pytest.raises(MalformedAnswer, match="another block"):
        provider.block_timestamp(b"\xcd" * 32)


def test_a_provider_without_batches_is_asked_one_by_one(server: Server) -> None:
    def no_batches(body: Any) -> tuple[int, bytes]:
        if isinstance(body, list):
            error = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no"}}
            return 200, json.dumps(error).encode()
        return ordinary(body)

    server.answer = no_batches
    provider = JsonRpcProvider(server.url)
    assert len(provider.blocks([1, 2, 3])) == 3
    assert not provider.supports_batches
    provider.blocks([4, 5])
    assert all(isinstance(r, dict) for r in server.requests[-2:])


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (lambda body: (503, b"busy"), ProviderError, "HTTP 503"),
        (lambda body: (200, b"<html>"), MalformedAnswer, "not JSON"),
        (lambda body: (200, b"[1]"), MalformedAnswer, "not a JSON-RPC response"),
        (lambda body: (200, b'{"id": 1}'), MalformedAnswer, "neither result nor error"),
        (lambda body: (200, b'{"id": 1, "result": "0xzz"}'), MalformedAnswer, "hex quantity"),
    ],
)
def test_a_bad_answer_is_a_provider_error(
    server: Server, answer: Answer, error: type[Exception], message: str
) -> None:
    server.answer = answer
    with pytest.raises(error, match=message):
        JsonRpcProvider(server.url).chain_id()


def test_a_block_of_another_number_is_refused(server: Server) -> None:
    def wrong(body: Any) -> tuple[int, bytes]:
        answer = {"jsonrpc": "2.0", "id": body["id"], "result": {"number": "0x5", "hash": "0x"}}
        return 200, json.dumps(answer).encode()

    server.answer = wrong
    with pytest.raises(MalformedAnswer, match="returned block 5"):
        JsonRpcProvider(server.url).blocks([4])


def test_a_silent_provider_times_out(server: Server) -> None:
    """The provider holds its answer back until the test ends: the call can only end by the
    client's own timeout (no clock is read: the wait is bounded by the fixture, not timed)."""
    release = threading.Event()

    def silent(body: Any) -> tuple[int, bytes]:
        release.wait(30)
        return ordinary(body)

    server.answer = silent
    try:
        with pytest.raises(ProviderError, match="timed out"):
            JsonRpcProvider(server.url, timeout=0.2).chain_id()
    finally:
        release.set()


def test_a_dead_provider_is_a_provider_error() -> None:
    with pytest.raises(ProviderError, match=r"127\.0\.0\.1:9"):
        JsonRpcProvider("http://127.0.0.1:9").chain_id()


def test_only_http_urls_are_providers() -> None:
    with pytest.raises(ValueError, match="http"):
        JsonRpcProvider("ws://127.0.0.1:8545")
