"""Start and stop anvil, the local Ethereum node under the devnet and the integration tests.

The chain is a real node (Foundry's anvil, pinned through package.json), but its life cycle is
ours: this module picks the binary, pins every flag that changes behaviour (hardfork, gas limit,
code-size limit), waits until the node really serves *this* process's RPC, persists its state in a
file that survives a stop, and makes sure the child never outlives the Python process that
started it. Everything above this layer gets an ``rpc_url`` and never spawns anvil itself.

The state file: anvil loads it at start (``--load-state``); while it runs, a saver thread here
writes it after new blocks, from ``anvil_dumpState``, atomically (a ``.partial`` file renamed over
it), so a kill -9 of anvil, or of us and anvil together, loses at most the blocks made in the last
few milliseconds. anvil's own dump on exit (SIGTERM: a clean stop, or the kernel's signal when our
process dies) goes to ``<state>.exit``, because anvil writes it in place (truncate, then write; no
rename), and a kill -9 in the middle of it would otherwise break the one good file; the next
start uses it when it is complete and at least as new. A state file written in place by an older
sesh can still be broken, so ``<state>.bak``, a copy of the last file that parsed, is taken at
every start and used when the file does not parse. A ``<state>.lock`` (flock) stops two anvils
from writing one state file. A resumed chain's clock never runs back: anvil restarts it at the
wall clock, so a chain whose clock was ahead (moved on by a test or the devnet's time verb) is
set back to its last block's time.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from sesh.evm.children import die_with_parent_hook, terminate
from sesh.evm.jsonrpc import JsonRpcClient, JsonRpcError, RemoteError

HOST = "127.0.0.1"
"""Loopback only: the dev accounts' keys are public, so nothing outside may reach the node."""

DEFAULT_PORT = 8545
DEFAULT_CHAIN_ID = 31337

HARDFORK = "cancun"
"""Pinned because gas depends on the fork and the reference gas table was measured on cancun;
anvil's own default is "latest" (Osaka rules), which reprices modexp and would skew every
comparison. cancun is also what Arbitrum runs and what our contracts are compiled for."""

BLOCK_GAS_LIMIT = 1_000_000_000
"""Far above mainnet's limit on purpose: seeding the contracts with thousands of service nodes in
few transactions, and big view calls such as ``allServiceNodeIDs`` (``eth_call`` is capped by the
block gas limit), must not hit it. Per-transaction gas is still what we measure."""

SAVE_POLL_SECONDS = 0.01
"""How often the saver asks anvil for its latest block: a new block is seen (and handed to
``on_blocks``) within this, plus one local round trip."""
SAVE_IDLE_SECONDS = 1.0
"""The least time between two saves that carry only empty blocks."""
SAVE_DUTY = 20
"""A save costs time in proportion to the whole chain (``anvil_dumpState`` serialises every block:
about 25 ms for a new devnet, 0.3 s at 10,000 blocks). A block with transactions is saved as soon
as the previous save is as old as it took (at most half of one core, however busy the chain); a
run of empty blocks only when the last save is ``SAVE_DUTY`` times as old as it took (about 5 %),
so that a long idle chain does not spend its time rewriting itself."""

STARTUP_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 15.0
"""Generous: on SIGTERM anvil writes the whole state before it exits, and killing it then would
leave a truncated file."""

DEV_MNEMONIC = "test test test test test test test test test test test junk"
"""anvil's default mnemonic: the funded dev accounts are the same on every machine and every run."""
DEV_ACCOUNT_COUNT = 10
DEV_DERIVATION_PATH = "m/44'/60'/0'/0/{index}"

WEI_PER_ETH = 10**18

_LISTENING = re.compile(rb"Listening on ([0-9.]+):(\d+)")
"""What anvil prints once its socket is bound. Waiting for this line in *our* log, not only for an
RPC answer, is what tells us the node on the port is ours and not one that was already there."""
_ADDRESS_IN_USE = b"Address already in use"

# Foundry's npm platform packages, by (sys.platform, machine).
_NPM_PLATFORM = {
    ("linux", "x86_64"): "linux-amd64",
    ("linux", "aarch64"): "linux-arm64",
    ("linux", "arm64"): "linux-arm64",
    ("darwin", "x86_64"): "darwin-amd64",
    ("darwin", "arm64"): "darwin-arm64",
}


class AnvilError(Exception):
    """Base class of everything this module raises on purpose."""


class AnvilNotFoundError(AnvilError):
    """No anvil binary: the set-up script has not been run, or $SESH_ANVIL is wrong."""


class AnvilStartError(AnvilError):
    """anvil exited or did not answer in time; the message ends with the tail of its log."""


class PortInUseError(AnvilStartError):
    """Something else already listens on the requested port."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"port {port} on {host} is already in use (another sesh devnet or anvil?); "
            "stop it or choose another port"
        )
        self.host = host
        self.port = port


class StateFileInUseError(AnvilError):
    """Another anvil (ours or another process's) is running on the same state file."""


class StateFileCorruptError(AnvilError):
    """The state file does not parse and there is no usable backup to fall back to."""


class RpcError(AnvilError):
    """The node answered a JSON-RPC call with an error object."""

    def __init__(self, method: str, error: Any) -> None:
        message = error.get("message", error) if isinstance(error, dict) else error
        super().__init__(f"{method}: {message}")
        self.method = method
        self.error = error


@dataclass(frozen=True)
class DevKey:
    """One of anvil's well-known dev accounts: public test keys, never for real funds."""

    index: int
    address: str
    """EIP-55 checksummed."""
    private_key: str
    """0x-prefixed hex."""


@cache
def dev_keys(count: int = DEV_ACCOUNT_COUNT) -> tuple[DevKey, ...]:
    """The dev accounts anvil funds at genesis, derived from its default mnemonic.

    Derived here rather than read from anvil so that code and tests can name them without a node
    running. Cached: each derivation runs PBKDF2 and takes tens of milliseconds.
    """
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    keys = []
    for index in range(count):
        account = Account.from_mnemonic(
            DEV_MNEMONIC, account_path=DEV_DERIVATION_PATH.format(index=index)
        )
        keys.append(DevKey(index, account.address, "0x" + bytes(account.key).hex()))
    return tuple(keys)


@dataclass(frozen=True)
class DevAccount(DevKey):
    """A dev account together with its balance on a running node."""

    balance_wei: int

    @property
    def balance_eth(self) -> Decimal:
        return Decimal(self.balance_wei) / WEI_PER_ETH


def project_root(start: Path | None = None) -> Path | None:
    """The directory holding package.json above ``start`` (this file by default), if any.

    That is where ``npm ci`` put node_modules; an installed (non-editable) sesh has none.
    """
    here = (start or Path(__file__)).resolve()
    for directory in (here, *here.parents):
        if (directory / "package.json").is_file():
            return directory
    return None


def find_anvil() -> Path:
    """The anvil binary to run: $SESH_ANVIL, else the project's node_modules, else PATH.

    From node_modules we run the native binary in Foundry's platform package rather than the
    ``node_modules/.bin/anvil`` Node wrapper: on SIGTERM the wrapper forwards the signal and exits
    at once, before anvil has finished writing its state, so "stopped" would not mean "state
    saved"; and a SIGKILL to the wrapper would orphan anvil on its port. The wrapper is only used
    when no platform package is found.
    """
    override = os.environ.get("SESH_ANVIL")
    if override:
        path = Path(override).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise AnvilNotFoundError(f"$SESH_ANVIL is {override!r}, which is not an executable file")
    root = project_root()
    if root is not None:
        modules = root / "node_modules"
        platform = _NPM_PLATFORM.get((sys.platform, os.uname().machine))
        candidates = [modules / ".bin" / "anvil"]
        if platform:
            candidates.insert(0, modules / "@foundry-rs" / f"anvil-{platform}" / "bin" / "anvil")
        for candidate in candidates:
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise AnvilNotFoundError(
        "anvil not found: run scripts/setup.sh (it installs the pinned anvil into node_modules), "
        "or point $SESH_ANVIL at an anvil binary"
    )


def json_rpc(url: str, method: str, params: Sequence[Any] = (), timeout: float = 10.0) -> Any:
    """One JSON-RPC call (``sesh.evm.jsonrpc``): for the launcher's handful of questions
    (readiness, balances, dumps), web3's provider machinery would only add start-up time.
    ``RpcError`` for an error answer; an ``OSError`` when nothing answers."""
    client = JsonRpcClient(url, timeout=timeout)
    try:
        return client.request(method, params)
    except RemoteError as error:
        raise RpcError(method, {"code": error.code, "message": error.message}) from None
    finally:
        client.close()


@dataclass(frozen=True)
class _StateSummary:
    best_block: int
    genesis_timestamp: int | None


def _read_state(path: Path) -> _StateSummary | None:
    """The latest block and block 0's time of an anvil state file; None when it is missing or
    does not parse.

    anvil makes its own block 0 at every start and a dump keeps it beside the loaded one, so
    after a resume a state file holds two blocks 0 and the next load picks either: block 0's hash
    changes at random. The first one made is the real one; the others are dropped here, and the
    next start is given its time (``--timestamp``), which makes anvil's own block 0 that very
    block.
    """
    try:
        with path.open("rb") as file:
            state = json.load(file)
        number = state["best_block_number"]
        best = int(number, 16) if isinstance(number, str) else int(number)
        blocks = state.get("blocks") or []
        genesis = [block for block in blocks if int(block["header"]["number"], 16) == 0]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not genesis:
        return _StateSummary(best, None)
    first = min(genesis, key=lambda block: int(block["header"]["timestamp"], 16))
    if len(genesis) > 1:
        extra = {id(block) for block in genesis if block is not first}
        state["blocks"] = [block for block in blocks if id(block) not in extra]
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(state))
        os.replace(partial, path)
    return _StateSummary(best, int(first["header"]["timestamp"], 16))


def _exit_dump(state_file: Path) -> Path:
    """Where anvil writes its own dump when it exits."""
    return state_file.with_name(state_file.name + ".exit")


def _copy_atomically(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


@dataclass(frozen=True)
class BlockHead:
    """What the saver tells ``on_blocks`` about each new block."""

    number: int
    hash: str
    timestamp: int
    transactions: int
    """How many transactions the block carries (0: an empty, interval-mined block)."""

    @classmethod
    def from_rpc(cls, block: dict[str, Any]) -> BlockHead:
        return cls(
            int(block["number"], 16),
            str(block["hash"]),
            int(block["timestamp"], 16),
            len(block["transactions"]),
        )


class StateSaver:
    """The thread that sees every new block within milliseconds and keeps the state file current.

    For each new block it first calls ``on_blocks`` (the devnet records its tip there, so that a
    loss can be told), then saves the chain when a save is due (see ``SAVE_DUTY``).
    """

    def __init__(
        self,
        host: str,
        port: int,
        state_file: Path,
        head: BlockHead,
        on_blocks: Callable[[list[BlockHead]], None] | None = None,
    ) -> None:
        self.state_file = state_file
        self.latest = head
        """The newest block seen."""
        self.saved: BlockHead | None = None
        """The newest block the state file is known to hold."""
        self.saves = 0
        self.last_duration = 0.0
        """Seconds the last save took (dump, unpack, write, rename)."""
        self.last_size = 0
        """Bytes of the last state file written."""
        self.error: str | None = None
        """The last failure to read or save, if the last attempt failed."""
        self._on_blocks = on_blocks
        self._connection = JsonRpcClient(f"http://{host}:{port}")
        self._stopping = threading.Event()
        self._saved_changed = threading.Condition()
        self._last_save_end = 0.0
        self._thread = threading.Thread(target=self._run, name="anvil-state-saver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the save in progress, if any (a half-written ``.partial`` is never used)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        self._connection.close()

    def wait_saved(self, number: int, timeout: float) -> bool:
        """Wait until the state file holds block ``number``; False on timeout."""
        with self._saved_changed:
            return self._saved_changed.wait_for(
                lambda: self.saved is not None and self.saved.number >= number, timeout
            )

    def _run(self) -> None:
        pending = pending_transactions = True  # save at once: a state file from the first block on
        while True:
            stopping = self._stopping.is_set()
            try:
                latest = BlockHead.from_rpc(
                    self._connection.request("eth_getBlockByNumber", ["latest", False])
                )
                if latest.hash != self.latest.hash:
                    heads = self._new_heads(latest)
                    self.latest = latest
                    if self._on_blocks is not None:
                        self._on_blocks(heads)
                    pending = True
                    pending_transactions |= any(head.transactions for head in heads)
                # On the way out, the blocks are only recorded: anvil's dump on exit saves them.
                if pending and not stopping and self._due(pending_transactions):
                    self._save(latest)
                    pending = pending_transactions = False
                self.error = None
            except (OSError, ValueError, KeyError, JsonRpcError) as error:
                self.error = " ".join(str(error).split()) or type(error).__name__
            if stopping:
                return
            self._stopping.wait(SAVE_POLL_SECONDS)

    def _new_heads(self, latest: BlockHead) -> list[BlockHead]:
        """The blocks after the last one seen, up to ``latest`` (the last 256 at most)."""
        first = max(self.latest.number + 1, latest.number - 255)
        if latest.number <= self.latest.number:  # the chain went back (evm_revert): a new tip
            return [latest]
        heads = [
            BlockHead.from_rpc(
                self._connection.request("eth_getBlockByNumber", [hex(number), False])
            )
            for number in range(first, latest.number)
        ]
        return [*heads, latest]

    def _due(self, transactions: bool) -> bool:
        since = time.monotonic() - self._last_save_end
        if transactions:
            return since >= self.last_duration
        return since >= max(SAVE_IDLE_SECONDS, SAVE_DUTY * self.last_duration)

    def _save(self, head: BlockHead) -> None:
        started = time.monotonic()
        dump = self._connection.request("anvil_dumpState", timeout=120.0)
        data = gzip.decompress(bytes.fromhex(dump.removeprefix("0x")))
        partial = self.state_file.with_name(self.state_file.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, self.state_file)
        self._last_save_end = time.monotonic()
        self.last_duration = self._last_save_end - started
        self.last_size = len(data)
        with self._saved_changed:
            self.saved = head
            self.saves += 1
            self._saved_changed.notify_all()


class Anvil:
    """One anvil process: ``with Anvil(port=0) as node: node.rpc_url``.

    ``port=0`` (or None) lets the kernel pick a free port, which tests use to run in parallel.
    With ``state_file`` the chain survives a stop and a kill -9: anvil keeps blocks, receipts and
    the latest state (not the state at older blocks). Without it the chain lives in memory and the
    log goes to a temporary directory removed at stop.
    """

    def __init__(
        self,
        *,
        port: int | None = DEFAULT_PORT,
        chain_id: int = DEFAULT_CHAIN_ID,
        state_file: Path | None = None,
        fresh: bool = False,
        save_every_block: bool = True,
        on_blocks: Callable[[list[BlockHead]], None] | None = None,
        block_time: float | None = None,
        block_interval: float | None = None,
        genesis_timestamp: int | None = None,
        prune_history: bool = False,
        log_file: Path | None = None,
        binary: Path | None = None,
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
        host: str = HOST,
        launcher: Sequence[str] = (),
    ) -> None:
        """Configure; nothing runs until ``start()`` (or ``with``).

        ``fresh`` deletes the state file and its backup first (under the lock, so never from
        under a running node). ``save_every_block`` False leaves the saving to anvil's dump on
        exit (a kill -9 of anvil then loses everything since the start). ``on_blocks`` is called
        from the saver's thread with every new block, before the block is saved.
        ``block_time`` None keeps automine: one block per transaction, mined at once; a number
        mines on that interval only. ``block_interval`` keeps automine and also mines a block
        every so many seconds (anvil's mixed mining), so that an idle chain's clock and height
        still move. ``genesis_timestamp`` fixes block 0's time, and with it block 0's hash, when
        no state is loaded.
        ``prune_history`` keeps only the latest state (anvil's ``--prune-history``), as many
        providers do: calls at older blocks fail, and a long chain costs far less memory.
        """
        self.host = host
        """The address anvil listens on (127.0.0.1, or a network namespace's address)."""
        self.launcher = tuple(launcher)
        """A command anvil runs under (``ip netns exec NAME``), or nothing."""
        self.requested_port = port or 0
        self.chain_id = chain_id
        self.hardfork = HARDFORK
        self.gas_limit = BLOCK_GAS_LIMIT
        self.state_file = state_file.resolve() if state_file else None
        self.fresh = fresh
        if block_time is not None and block_interval is not None:
            raise ValueError("block_time and block_interval exclude each other")
        self.save_every_block = save_every_block
        self.on_blocks = on_blocks
        self.block_time = block_time
        self.block_interval = block_interval
        self.genesis_timestamp = genesis_timestamp
        self.prune_history = prune_history
        self._log_file_option = log_file.resolve() if log_file else None
        self.log_file: Path | None = None
        """Where anvil's output goes: ``log_file``, else ``anvil.log`` beside the state file,
        else a temporary directory. The previous run's log is kept as ``anvil.log.1``."""
        self.binary = binary
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.resumed = False
        """True when the chain was loaded from an existing state file."""
        self.recovered_from_backup = False
        """True when the state file was broken and ``<state>.bak`` was loaded instead."""
        self.restored_block: int | None = None
        """The latest block of the loaded state (None when nothing was loaded)."""
        self.saver: StateSaver | None = None
        self._loaded_genesis_timestamp: int | None = None
        """The thread keeping the state file current, while running with a state file."""
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._lock: IO[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> Self:
        """Launch anvil and return once it serves RPC on our port; raises an ``AnvilError``."""
        if self._process is not None:
            raise AnvilError("anvil is already running")
        binary = self.binary or find_anvil()
        self.port = None
        self.resumed = self.recovered_from_backup = False
        self.restored_block = self._loaded_genesis_timestamp = None
        try:
            if self.state_file is not None:
                self._lock_state_file(self.state_file)
                self._prepare_state_file(self.state_file)
            log_file = self._open_log()
            command = self.command(binary)
            self._process = subprocess.Popen(
                [*self.launcher, *command],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                # Own session: a Ctrl-C in the terminal reaches only us, and we stop anvil in
                # order (SIGTERM, wait for the state dump) instead of racing it.
                start_new_session=True,
                preexec_fn=die_with_parent_hook(),
                # anvil inherits the flock, so the state file stays locked until anvil is gone,
                # even if we die first.
                pass_fds=(self._lock.fileno(),) if self._lock else (),
            )
            self._finalizer = weakref.finalize(self, terminate, self._process, self.stop_timeout)
            self._wait_until_ready(log_file)
            head = BlockHead.from_rpc(self.rpc("eth_getBlockByNumber", "latest", False))
            now = int(time.time())
            if self.resumed or self.genesis_timestamp is not None:
                # Given --timestamp, anvil starts its clock at block 0's time (it would run in
                # the past); without, at the wall clock (a clock that was ahead would run back).
                # From here on: the later of the wall clock and the last block's time.
                self.rpc("evm_setTime", max(head.timestamp, now))
            if self.state_file is not None and self.save_every_block:
                assert self.port is not None
                self.saver = StateSaver(
                    self.host, self.port, self.state_file, head, on_blocks=self.on_blocks
                )
                self.saver.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> int | None:
        """Stop anvil and let it write its state; returns its exit code (None if not running).

        Safe to call twice, and on a node that already died.
        """
        code = None
        if self.saver is not None:
            self.saver.stop()
            self.saver = None
        if self._process is not None:
            code = terminate(self._process, self.stop_timeout)
            self._process = None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        for handle in (self._log, self._lock):
            if handle is not None:
                handle.close()
        self._log = self._lock = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None
        return code

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def command(self, binary: Path) -> list[str]:
        """The exact command line; public so that logs and docs can show it."""
        command = [
            str(binary),
            "--host", self.host,
            "--port", str(self.requested_port),
            "--hardfork", self.hardfork,
            "--chain-id", str(self.chain_id),
            "--gas-limit", str(self.gas_limit),
            # No --disable-code-size-limit: contracts must fit EIP-170 as they will on Arbitrum.
        ]  # fmt: skip
        if self.state_file is not None:
            if self.state_file.exists():
                command += ["--load-state", str(self.state_file)]
            # In place, so beside the state file rather than over it (see the module's docstring).
            command += ["--dump-state", str(_exit_dump(self.state_file))]
        genesis_timestamp = self._loaded_genesis_timestamp or self.genesis_timestamp
        if genesis_timestamp is not None:
            command += ["--timestamp", str(genesis_timestamp)]
        if self.block_time is not None:
            command += ["--block-time", f"{self.block_time:g}"]
        if self.block_interval is not None:
            command += ["--block-time", f"{self.block_interval:g}", "--mixed-mining"]
        if self.prune_history:
            command.append("--prune-history")
        return command

    # -- what callers use ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def rpc_url(self) -> str:
        if self.port is None:
            raise AnvilError("anvil is not running")
        return f"http://{self.host}:{self.port}"

    def rpc(self, method: str, *params: Any, timeout: float = 10.0) -> Any:
        """A raw JSON-RPC call to this node, e.g. ``node.rpc("eth_getBalance", addr, "latest")``."""
        return json_rpc(self.rpc_url, method, params, timeout)

    def dev_accounts(self) -> list[DevAccount]:
        """The funded dev accounts with their current balances on this node."""
        return [
            DevAccount(
                key.index,
                key.address,
                key.private_key,
                int(self.rpc("eth_getBalance", key.address, "latest"), 16),
            )
            for key in dev_keys()
        ]

    def log_tail(self, lines: int = 20) -> str:
        """The end of anvil's output, for error messages."""
        if self.log_file is None or not self.log_file.exists():
            return ""
        text = self.log_file.read_bytes().decode(errors="replace")
        return "\n".join(text.rstrip().splitlines()[-lines:])

    # -- internals -------------------------------------------------------------------------------

    def _lock_state_file(self, state_file: Path) -> None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        lock = state_file.with_name(state_file.name + ".lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise StateFileInUseError(
                f"{state_file} is in use by another running anvil (another sesh devnet?)"
            ) from None
        self._lock = lock

    def _prepare_state_file(self, state_file: Path) -> None:
        """Apply ``fresh``, take anvil's exit dump when it is complete and at least as new, check
        the file parses, refresh the backup, or fall back to it."""
        backup = state_file.with_name(state_file.name + ".bak")
        exit_dump = _exit_dump(state_file)
        if self.fresh:
            for path in (state_file, backup, exit_dump):
                path.unlink(missing_ok=True)
        state = _read_state(state_file)
        if exit_dump.exists():
            exit_state = _read_state(exit_dump)
            if exit_state is not None and (
                state is None or exit_state.best_block >= state.best_block
            ):
                os.replace(exit_dump, state_file)
                state = exit_state
            else:  # torn (anvil killed while dumping) or older than the saver's last save
                exit_dump.unlink()
        if not state_file.exists():
            return
        if state is None:
            state = _read_state(backup)
            if state is None:
                raise StateFileCorruptError(
                    f"{state_file} is not a readable anvil state (was anvil killed while "
                    "writing it?) and there is no usable backup; move it away, or start fresh"
                )
            os.replace(state_file, state_file.with_name(state_file.name + ".corrupt"))
            _copy_atomically(backup, state_file)
            self.recovered_from_backup = True
        else:
            _copy_atomically(state_file, backup)
        self.resumed = True
        self.restored_block = state.best_block
        self._loaded_genesis_timestamp = state.genesis_timestamp

    def _open_log(self) -> Path:
        if self._log_file_option is not None:
            log_file = self._log_file_option
        elif self.state_file is not None:
            log_file = self.state_file.with_name("anvil.log")
        else:
            self._tempdir = tempfile.TemporaryDirectory(prefix="sesh-anvil-")
            log_file = Path(self._tempdir.name) / "anvil.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        if log_file.exists():  # keep one previous run's log for post-mortems
            os.replace(log_file, log_file.with_name(log_file.name + ".1"))
        self._log = log_file.open("wb")
        self.log_file = log_file
        return log_file

    def _wait_until_ready(self, log_file: Path) -> None:
        """Wait for our anvil to bind (its log says so), then for ``eth_chainId`` to answer."""
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                output = log_file.read_bytes()
                if _ADDRESS_IN_USE in output:
                    raise PortInUseError(self.host, self.requested_port)
                raise AnvilStartError(
                    f"anvil exited with code {self._process.returncode} during start-up:\n"
                    + self.log_tail()
                )
            if self.port is None:
                match = _LISTENING.search(log_file.read_bytes())
                if match:
                    self.port = int(match.group(2))
            if self.port is not None:
                try:
                    answer = int(self.rpc("eth_chainId", timeout=1.0), 16)
                except (OSError, ValueError, JsonRpcError, RpcError):
                    pass
                else:
                    if answer != self.chain_id:
                        raise AnvilStartError(f"anvil reports chain {answer}, not {self.chain_id}")
                    return
            time.sleep(0.02)
        raise AnvilStartError(
            f"anvil did not answer within {self.startup_timeout:g} s:\n" + self.log_tail()
        )
