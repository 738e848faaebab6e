"""A small JSON-RPC client over HTTP(S), with the standard library only.

The tracker reads tens of thousands of blocks, logs and calls, and the anvil launcher asks a
handful of questions at start; neither needs web3's provider machinery, and the tracker's
speed depends on not having it: one kept-alive connection, a timeout per request, and batches
for many requests at once (with single requests for a server that refuses batches).

Failures are typed, so callers can tell them apart without parsing messages: ``TransportError``
(the server could not be reached or answered HTTP errors), ``MalformedResponse`` (not a JSON-RPC
answer) and ``RemoteError`` (the server answered with a JSON-RPC error object).
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

log = logging.getLogger("sesh.evm.jsonrpc")


class JsonRpcError(Exception):
    """Base class of what the client raises."""


class TransportError(JsonRpcError, ConnectionError):
    """The request did not get an answer: connection refused or lost, timeout, HTTP error (an
    ``OSError``, as a failed connection is)."""


class MalformedResponse(JsonRpcError, ValueError):
    """The answer is not JSON, or not a JSON-RPC response (a ``ValueError``)."""


class RemoteError(JsonRpcError):
    """The server answered with an error object."""

    def __init__(self, method: str, code: object, message: str) -> None:
        super().__init__(f"{method}: error {code}: {message}")
        self.method = method
        self.code = code
        self.message = message


def redact(url: str) -> str:
    """``url`` without what may be a secret (user, password, path, query): hosted providers
    put API keys in the path."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{hidden}"


class JsonRpcClient:
    """One JSON-RPC endpoint over HTTP or HTTPS."""

    def __init__(self, url: str, *, timeout: float = 10.0, batch_size: int = 100) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a JSON-RPC endpoint is an http(s) URL, got {redact(url)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.url = url
        self.timeout = timeout
        self.batch_size = batch_size
        self._parts = parts
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._connection: http.client.HTTPConnection | None = None
        self._next_id = 1
        self.supports_batches = True
        """False once the server refused a batch: then every request goes alone."""

    @property
    def name(self) -> str:
        """How logs and errors name this endpoint (no credentials)."""
        return redact(self.url)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = (
                http.client.HTTPSConnection
                if self._parts.scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = kind(
                self._parts.hostname or "", self._parts.port, timeout=self.timeout
            )
        return self._connection

    def _post(self, body: bytes, timeout: float | None = None) -> Any:
        """POST ``body``; the decoded JSON answer. A kept-alive connection the server closed
        since the last request is reopened once (reads are safe to resend). ``timeout``
        replaces the client's for this request (a state dump takes longer than a poll)."""
        for attempt in (1, 2):
            connection = self._connect()
            wait = self.timeout if timeout is None else timeout
            connection.timeout = wait
            if connection.sock is not None:
                connection.sock.settimeout(wait)
            try:
                connection.request("POST", self._path, body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt == 2:
                    raise TransportError(f"{self.name}: connection lost ({e})") from None
                continue
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise TransportError(f"{self.name}: {type(error).__name__}: {error}") from None
            if response.status != 200:
                raise TransportError(f"{self.name}: HTTP {response.status} {response.reason}")
            try:
                return json.loads(payload)
            except ValueError:
                raise MalformedResponse(f"{self.name}: the answer is not JSON") from None
        raise AssertionError("unreachable")

    def _envelope(self, method: str, params: Sequence[Any] | Mapping[str, Any]) -> dict[str, Any]:
        """Positional params (Ethereum's) or named ones (the network node's)."""
        request_id = self._next_id
        self._next_id += 1
        named = isinstance(params, Mapping)
        body = dict(params) if named else list(params)
        return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": body}

    @staticmethod
    def _result(method: str, answer: Any) -> Any:
        if not isinstance(answer, dict):
            raise MalformedResponse(f"{method}: the answer is not a JSON-RPC response")
        if "error" in answer:
            error = answer["error"]
            if isinstance(error, dict):
                raise RemoteError(method, error.get("code"), str(error.get("message", error))[:300])
            raise RemoteError(method, None, str(error)[:300])
        if "result" not in answer:
            raise MalformedResponse(f"{method}: a response with neither result nor error")
        return answer["result"]

    def request(
        self,
        method: str,
        params: Sequence[Any] | Mapping[str, Any] = (),
        *,
        timeout: float | None = None,
    ) -> Any:
        """One call; its result."""
        envelope = self._envelope(method, params)
        return self._result(method, self._post(json.dumps(envelope).encode(), timeout))

    def batch(self, requests: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several calls, in batches of ``batch_size``; their results in order. Raises for
        the first one that failed."""
        results: list[Any] = []
        for start in range(0, len(requests), self.batch_size):
            chunk = requests[start : start + self.batch_size]
            if len(chunk) == 1 or not self.supports_batches:
                results.extend(self.request(method, params) for method, params in chunk)
                continue
            envelopes = [self._envelope(method, params) for method, params in chunk]
            answer = self._post(json.dumps(envelopes).encode())
            if not isinstance(answer, list):
                # A server without batches answers with one error object: go one by one.
                log.warning("%s refuses JSON-RPC batches; sending requests one by one", self.name)
                self.supports_batches = False
                results.extend(self.request(method, params) for method, params in chunk)
                continue
            by_id = {a.get("id"): a for a in answer if isinstance(a, dict)}
            for envelope in envelopes:
                if envelope["id"] not in by_id:
                    raise MalformedResponse(f"{self.name}: a batch answer lacks a response")
                results.append(self._result(envelope["method"], by_id[envelope["id"]]))
        return results


def call_once(
    url: str,
    method: str,
    params: Sequence[Any] | Mapping[str, Any] | None = None,
    *,
    timeout: float = 5.0,
) -> Any:
    """One request on a connection of its own, closed after it: for a verb or a test asking a
    node or two a question, where a kept-alive client would outlive its use. No `params`: an
    empty object (the network node's methods take named parameters)."""
    client = JsonRpcClient(url, timeout=timeout)
    try:
        return client.request(method, {} if params is None else params)
    finally:
        client.close()
