"""The tracker's only door to the chain: a small reader interface, JSON-RPC behind it, and
failover across several providers.

``L2Reader`` is everything the tracker asks of a chain (seven methods). ``JsonRpcProvider``
implements it over ``sesh.evm.jsonrpc``, the project's one JSON-RPC client (one kept-alive
connection, a timeout per request, batches for many block headers or calls at once), with
every answer checked and every failure a ``ProviderError``. Tests implement it with a fake
chain.

``Providers`` holds several readers, the primary first, and runs each piece of tracker work
against one of them (a poll never mixes two providers' views of the chain). On a
``ProviderError`` it tries the next; a provider that failed moves to the back until the next
height check. Every ``check_interval`` seconds it asks every provider for its height and
prefers, in the configured order, those within ``lag_threshold`` blocks of the best (the
reference node's rule: 170 s, 120 blocks). Each provider's chain id is checked against the
expected one before its first use; a mismatch is a configuration error and stops everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sesh.evm.jsonrpc import (
    JsonRpcClient,
    MalformedResponse,
    RemoteError,
    TransportError,
)
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

    def block_timestamp(self, block_hash: bytes) -> int | None:
        """The timestamp of the block with hash ``block_hash`` (None if the provider does not
        know that block)."""
        ...


@dataclass(frozen=True, slots=True)
class Transaction:
    """What the tracker needs of a mined transaction: where it went and what it said."""

    block_hash: bytes
    to: str | None
    """Lowercase 0x hex; None for a contract creation."""
    input: bytes


# -- JSON-RPC over HTTP ---------------------------------------------------------------------------


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
    """One JSON-RPC endpoint over HTTP or HTTPS (``sesh.evm.jsonrpc``), as an ``L2Reader``:
    every failure a ``ProviderError``."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        try:
            self.client = JsonRpcClient(url, timeout=timeout, batch_size=batch_size)
        except ValueError as error:
            raise ValueError(str(error).replace("a JSON-RPC endpoint", "an L2 provider")) from None
        self.url = url

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def supports_batches(self) -> bool:
        """False once the provider refused a batch: then every request goes alone."""
        return self.client.supports_batches

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call; its result."""
        with self._as_provider_errors():
            return self.client.request(method, params)

    def batch(self, requests: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several calls, in batches; their results in order. Raises for the first one that
        failed."""
        with self._as_provider_errors():
            return self.client.batch(requests)

    @contextmanager
    def _as_provider_errors(self) -> Iterator[None]:
        try:
            yield
        except RemoteError as error:
            raise RpcError(error.method, error.code, error.message) from None
        except MalformedResponse as error:
            raise MalformedAnswer(str(error)) from None
        except TransportError as error:
            raise ProviderError(str(error)) from None

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

    def block_timestamp(self, block_hash: bytes) -> int | None:
        block = self.request("eth_getBlockByHash", ["0x" + block_hash.hex(), False])
        if block is None:
            return None
        if not isinstance(block, dict):
            raise MalformedAnswer("eth_getBlockByHash: not a block")
        if _hex_bytes(block.get("hash"), "block hash", 32) != block_hash:
            raise MalformedAnswer("eth_getBlockByHash returned another block")
        return _hex_quantity(block.get("timestamp"), "block timestamp")

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
