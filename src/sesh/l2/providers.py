"""The tracker's only door to the chain: a small reader interface, JSON-RPC behind it, and
failover across several providers.

``L2Reader`` is everything the tracker asks of a chain (six methods). ``JsonRpcProvider``
implements it over HTTP(S) with the standard library: one kept-alive connection, a timeout
per request, JSON-RPC batches for many block headers or calls at once (and single requests
for a provider that refuses batches). Tests implement it with a fake chain.

``Providers`` holds several readers, the primary first, and runs each piece of tracker work
against one of them (a poll never mixes two providers' views of the chain). On a
``ProviderError`` it tries the next; a provider that failed moves to the back until the next
height check. Every ``check_interval`` seconds it asks every provider for its height and
prefers, in the configured order, those within ``lag_threshold`` blocks of the best (the
reference node's rule: 170 s, 120 blocks). Each provider's chain id is checked against the
expected one before its first use; a mismatch is a configuration error and stops everything.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sesh.l2.errors import (
    AllProvidersFailed,
    ChainIdMismatch,
    MalformedAnswer,
    ProviderError,
    RpcError,
)
from sesh.l2.position import BlockRef

log = logging.getLogger("sesh.l2")

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
"""Seconds per request before the next provider is tried (the reference's ``l2-timeout``)."""
DEFAULT_LAG_THRESHOLD = 120
"""Blocks behind the best provider that still count as in sync (``l2-check-threshold``;
120 Arbitrum blocks are about 30 s)."""
DEFAULT_CHECK_INTERVAL = 170.0
"""Seconds between two height checks of every provider (``l2-check-interval``)."""
DEFAULT_BATCH_SIZE = 100
"""Requests per JSON-RPC batch: hosted providers cap batches (often at 100 to 1,000)."""


class L2Reader(Protocol):
    """What the tracker reads from a chain. Every method raises ``ProviderError`` (or a
    subclass) for any failure, never anything else."""

    @property
    def name(self) -> str:
        """How logs and errors name this provider (no credentials)."""
        ...

    def chain_id(self) -> int: ...

    def block_number(self) -> int:
        """The latest block's number."""
        ...

    def blocks(self, numbers: Sequence[int]) -> list[BlockRef | None]:
        """The canonical block at each number (None where the chain has none yet)."""
        ...

    def logs(self, address: str, from_block: int, to_block: int) -> list[Any]:
        """``eth_getLogs`` of ``address`` over the blocks, inclusive: the raw JSON objects
        (``sesh.l2.decode.parse_log`` checks them)."""
        ...

    def calls(self, calls: Sequence[tuple[str, bytes]], block_hash: bytes) -> list[bytes]:
        """``eth_call`` of each (contract, call data) on the state after block ``block_hash``
        (EIP-1898); the return data, in order."""
        ...

    def transaction(self, tx_hash: bytes) -> Transaction | None:
        """A mined transaction (None if the provider does not know it)."""
        ...


@dataclass(frozen=True, slots=True)
class Transaction:
    """What the tracker needs of a mined transaction: where it went and what it said."""

    block_hash: bytes
    to: str | None
    """Lowercase 0x hex; None for a contract creation."""
    input: bytes


# -- JSON-RPC over HTTP ---------------------------------------------------------------------------


def redact(url: str) -> str:
    """``url`` without what may be a secret (user, password, path, query): hosted providers
    put API keys in the path."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{hidden}"


def _hex_quantity(value: Any, what: str) -> int:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X") or len(value) > 66:
        raise MalformedAnswer(f"{what}: not a hex quantity: {value!r:.80}")
    try:
        return int(value, 16)
    except ValueError:
        raise MalformedAnswer(f"{what}: not a hex quantity: {value!r:.80}") from None


def _hex_bytes(value: Any, what: str, length: int | None = None) -> bytes:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        raise MalformedAnswer(f"{what}: not 0x hex: {value!r:.80}")
    try:
        data = bytes.fromhex(value[2:])
    except ValueError:
        raise MalformedAnswer(f"{what}: not hex: {value!r:.80}") from None
    if length is not None and len(data) != length:
        raise MalformedAnswer(f"{what}: {len(data)} bytes, not {length}")
    return data


class JsonRpcProvider:
    """One JSON-RPC endpoint over HTTP or HTTPS."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"an L2 provider is an http(s) URL, got {redact(url)}")
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
        """False once the provider refused a batch: then every request goes alone."""

    @property
    def name(self) -> str:
        return redact(self.url)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- transport ------------------------------------------------------------------------------

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

    def _post(self, body: bytes) -> Any:
        """POST ``body``; the decoded JSON answer. A kept-alive connection the server closed
        since the last request is reopened once (reads are safe to resend)."""
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request("POST", self._path, body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt == 2:
                    raise ProviderError(f"{self.name}: connection lost ({e})") from None
                continue
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise ProviderError(f"{self.name}: {type(error).__name__}: {error}") from None
            if response.status != 200:
                raise ProviderError(f"{self.name}: HTTP {response.status} {response.reason}")
            try:
                return json.loads(payload)
            except ValueError:
                raise MalformedAnswer(f"{self.name}: the answer is not JSON") from None
        raise AssertionError("unreachable")

    def _envelope(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        request_id = self._next_id
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}

    @staticmethod
    def _result(method: str, answer: Any) -> Any:
        if not isinstance(answer, dict):
            raise MalformedAnswer(f"{method}: the answer is not a JSON-RPC response")
        if "error" in answer:
            error = answer["error"]
            if isinstance(error, dict):
                raise RpcError(method, error.get("code"), str(error.get("message", error))[:300])
            raise RpcError(method, None, str(error)[:300])
        if "result" not in answer:
            raise MalformedAnswer(f"{method}: a response with neither result nor error")
        return answer["result"]

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call; its result."""
        envelope = self._envelope(method, params)
        return self._result(method, self._post(json.dumps(envelope).encode()))

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
                # A provider without batches answers with one error object: go one by one.
                log.warning("%s refuses JSON-RPC batches; sending requests one by one", self.name)
                self.supports_batches = False
                results.extend(self.request(method, params) for method, params in chunk)
                continue
            by_id = {a.get("id"): a for a in answer if isinstance(a, dict)}
            for envelope in envelopes:
                if envelope["id"] not in by_id:
                    raise MalformedAnswer(f"{self.name}: a batch answer lacks a response")
                results.append(self._result(envelope["method"], by_id[envelope["id"]]))
        return results

    # -- L2Reader -------------------------------------------------------------------------------

    def chain_id(self) -> int:
        return _hex_quantity(self.request("eth_chainId"), "eth_chainId")

    def block_number(self) -> int:
        return _hex_quantity(self.request("eth_blockNumber"), "eth_blockNumber")

    def blocks(self, numbers: Sequence[int]) -> list[BlockRef | None]:
        answers = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        blocks: list[BlockRef | None] = []
        for number, block in zip(numbers, answers, strict=True):
            if block is None:
                blocks.append(None)
                continue
            if not isinstance(block, dict):
                raise MalformedAnswer(f"eth_getBlockByNumber({number}): not a block")
            got = _hex_quantity(block.get("number"), "block number")
            if got != number:
                raise MalformedAnswer(f"eth_getBlockByNumber({number}) returned block {got}")
            blocks.append(BlockRef(number, _hex_bytes(block.get("hash"), "block hash", 32)))
        return blocks

    def logs(self, address: str, from_block: int, to_block: int) -> list[Any]:
        query = {"address": address, "fromBlock": hex(from_block), "toBlock": hex(to_block)}
        result = self.request("eth_getLogs", [query])
        if not isinstance(result, list):
            raise MalformedAnswer(f"eth_getLogs: not a list: {result!r:.80}")
        return result

    def transaction(self, tx_hash: bytes) -> Transaction | None:
        answer = self.request("eth_getTransactionByHash", ["0x" + tx_hash.hex()])
        if answer is None:
            return None
        if not isinstance(answer, dict):
            raise MalformedAnswer("eth_getTransactionByHash: not a transaction")
        to = answer.get("to")
        return Transaction(
            block_hash=_hex_bytes(answer.get("blockHash"), "transaction block hash", 32),
            to=None if to is None else "0x" + _hex_bytes(to, "transaction to", 20).hex(),
            input=_hex_bytes(answer.get("input"), "transaction input"),
        )

    def calls(self, calls: Sequence[tuple[str, bytes]], block_hash: bytes) -> list[bytes]:
        at = {"blockHash": "0x" + block_hash.hex(), "requireCanonical": True}
        answers = self.batch(
            [("eth_call", [{"to": to, "data": "0x" + data.hex()}, at]) for to, data in calls]
        )
        return [_hex_bytes(answer, "eth_call") for answer in answers]


# -- failover -------------------------------------------------------------------------------------


class Providers:
    """Several readers, the primary first; see the module docstring."""

    def __init__(
        self,
        readers: Sequence[L2Reader],
        chain_id: int,
        *,
        lag_threshold: int = DEFAULT_LAG_THRESHOLD,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not readers:
            raise ValueError("at least one L2 provider is needed")
        self.configured = tuple(readers)
        self.chain_id = chain_id
        self.lag_threshold = lag_threshold
        self.check_interval = check_interval
        self.clock = clock
        self._order = list(readers)
        self._verified: set[int] = set()
        self._last_check: float | None = None
        self._last_used: L2Reader | None = None
        self._failing: set[int] = set()
        """Readers whose last piece of work failed: logged once per failure, not per request."""

    @classmethod
    def from_urls(
        cls,
        urls: Sequence[str],
        chain_id: int,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        **options: Any,
    ) -> Providers:
        """Providers for JSON-RPC ``urls``, the first the primary."""
        readers = [JsonRpcProvider(u, timeout=timeout, batch_size=batch_size) for u in urls]
        return cls(readers, chain_id, **options)

    @property
    def order(self) -> tuple[L2Reader, ...]:
        """The readers in the order the next piece of work tries them."""
        return tuple(self._order)

    def check_chain_id(self) -> None:
        """Ask every provider for its chain id now: ``ChainIdMismatch`` for one on another
        chain. A provider that cannot answer now is checked before its first use;
        ``AllProvidersFailed`` if none can."""
        failures: list[tuple[str, Exception]] = []
        for reader in self.configured:
            try:
                self._verify(reader)
            except ProviderError as error:
                failures.append((reader.name, error))
        if len(failures) == len(self.configured):
            raise AllProvidersFailed(failures)

    def _verify(self, reader: L2Reader) -> None:
        if id(reader) in self._verified:
            return
        actual = reader.chain_id()
        if actual != self.chain_id:
            raise ChainIdMismatch(reader.name, self.chain_id, actual)
        self._verified.add(id(reader))

    def run(self, action: Callable[[L2Reader], T]) -> T:
        """``action(reader)`` with the first reader in order that gets through it.

        Logging is per change, not per request: a provider's failure is logged when it starts
        (and another provider takes over), its recovery when it ends. When every provider
        fails, ``AllProvidersFailed`` carries every error and the caller says what it means.
        """
        self._check_heights()
        failures: list[tuple[L2Reader, ProviderError]] = []
        for reader in list(self._order):
            try:
                self._verify(reader)
                result = action(reader)
            except ProviderError as error:
                failures.append((reader, error))
                self._order.remove(reader)
                self._order.append(reader)  # to the back until the next height check
                continue
            self._note_failures(failures)
            if id(reader) in self._failing:
                self._failing.discard(id(reader))
                if len(self.configured) > 1:
                    log.info("L2 provider %s answers again", reader.name)
            if reader is not self._last_used:
                if reader is not self.configured[0]:
                    log.warning("using L2 provider %s (failover)", reader.name)
                self._last_used = reader
            return result
        self._failing.update(id(r) for r, _ in failures)
        raise AllProvidersFailed([(r.name, error) for r, error in failures])

    def _note_failures(self, failures: Sequence[tuple[L2Reader, ProviderError]]) -> None:
        """Log the providers that failed before one answered, once per failure."""
        for reader, error in failures:
            if id(reader) not in self._failing:
                self._failing.add(id(reader))
                log.warning("L2 provider %s failed: %s", reader.name, error)

    def _check_heights(self) -> None:
        """Every ``check_interval``: the order of preference by height (see the module
        docstring). Only with more than one provider."""
        now = self.clock()
        if len(self.configured) < 2:
            return
        if self._last_check is not None and now - self._last_check < self.check_interval:
            return
        self._last_check = now
        heights: dict[int, int] = {}
        for reader in self.configured:
            try:
                heights[id(reader)] = reader.block_number()
            except ProviderError as error:
                log.warning("L2 provider %s did not give its height: %s", reader.name, error)
        if not heights:
            return
        best = max(heights.values())
        answered = [r for r in self.configured if id(r) in heights]
        good = [r for r in answered if heights[id(r)] >= best - self.lag_threshold]
        lagging = sorted(
            (r for r in answered if heights[id(r)] < best - self.lag_threshold),
            key=lambda r: -heights[id(r)],
        )
        silent = [r for r in self.configured if id(r) not in heights]
        for reader in lagging:
            log.warning(
                "L2 provider %s is %d blocks behind the best; not preferred",
                reader.name,
                best - heights[id(reader)],
            )
        self._order = good + lagging + silent
