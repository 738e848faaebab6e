"""`sesh devnet` end to end, as a user runs it: a real process, real signals, a real chain."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from sesh.cli import main
from sesh.evm.anvil import WEI_PER_ETH, json_rpc

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

RECIPIENT = "0x000000000000000000000000000000000000bEEF"
STARTUP_TIMEOUT = 60.0


class Devnet:
    """One `sesh devnet` subprocess with its output collected line by line."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sesh.cli", "devnet", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: queue.Queue[str] = queue.Queue()
        self.stderr_lines: list[str] = []
        self.anvil_pid: int | None = None
        assert self.process.stdout and self.process.stderr
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.stdout.put)),
            threading.Thread(
                target=self._read, args=(self.process.stderr, self.stderr_lines.append)
            ),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: IO[str], sink: Callable[[str], Any]) -> None:
        for line in stream:
            sink(line)

    def next_line(self, timeout: float = STARTUP_TIMEOUT) -> str:
        try:
            return self.stdout.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output; stderr: {self.stderr}") from None

    def info(self) -> dict[str, Any]:
        """The --json line."""
        data: dict[str, Any] = json.loads(self.next_line())
        self.anvil_pid = data["anvil_pid"]
        return data

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal would send it; returns the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.wait()

    def wait(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def rest_of_stdout(self) -> str:
        lines = []
        while not self.stdout.empty():
            lines.append(self.stdout.get_nowait())
        return "".join(lines)

    def kill(self) -> None:
        """Teardown for a failed test: no sesh and no anvil may survive it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.wait()
        if self.anvil_pid is not None and _is_anvil(self.anvil_pid):
            os.kill(self.anvil_pid, signal.SIGKILL)


def _is_anvil(pid: int) -> bool:
    try:
        return b"anvil" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.fixture
def devnet() -> Iterator[Callable[..., Devnet]]:
    """Start `sesh devnet` processes; every one is stopped at teardown, pass or fail."""
    started: list[Devnet] = []

    def start(*args: str) -> Devnet:
        process = Devnet(*args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def send_eth(rpc_url: str, sender: str, to: str, wei: int) -> None:
    tx = json_rpc(rpc_url, "eth_sendTransaction", [{"from": sender, "to": to, "value": hex(wei)}])
    deadline = time.monotonic() + 10
    while json_rpc(rpc_url, "eth_getTransactionReceipt", [tx]) is None:
        assert time.monotonic() < deadline, "transaction not mined"
        time.sleep(0.01)


def balance(rpc_url: str, address: str) -> int:
    return int(json_rpc(rpc_url, "eth_getBalance", [address, "latest"]), 16)


def test_help_explains_the_command_and_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["devnet", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    options = ("--data-dir", "--port", "--fresh", "--json")
    for needle in (*options, "Ctrl-C", "cancun", "not the state at older blocks"):
        assert needle in text


def test_the_chain_survives_ctrl_c_until_fresh(
    devnet: Callable[..., Devnet], tmp_path: Path
) -> None:
    data_dir = tmp_path / "devnet-data"
    args = ("--port", "0", "--data-dir", str(data_dir), "--json")

    first = devnet(*args)
    info = first.info()
    assert info["resumed"] is False
    assert (info["chain_id"], info["hardfork"]) == (31337, "cancun")
    assert int(json_rpc(info["rpc_url"], "eth_chainId"), 16) == 31337
    assert len(info["accounts"]) == 10
    assert info["accounts"][0]["balance_eth"] == "10000"
    send_eth(info["rpc_url"], info["accounts"][0]["address"], RECIPIENT, WEI_PER_ETH)
    assert first.interrupt() == 0
    assert first.rest_of_stdout() == ""  # --json: stdout is the one JSON line
    assert "state is kept" in first.stderr
    assert (data_dir / "chain" / "state.json").exists()

    second = devnet(*args)
    info = second.info()
    assert info["resumed"] is True
    assert balance(info["rpc_url"], RECIPIENT) == WEI_PER_ETH
    assert second.interrupt() == 0

    third = devnet(*args, "--fresh")
    info = third.info()
    assert info["resumed"] is False
    assert balance(info["rpc_url"], RECIPIENT) == 0
    assert third.interrupt() == 0


def test_the_human_output_lists_the_chain_and_the_accounts(
    devnet: Callable[..., Devnet], tmp_path: Path
) -> None:
    run = devnet("--port", "0", "--data-dir", str(tmp_path))
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        lines.append(run.next_line())
    text = "".join(lines)
    for needle in ("RPC URL", "http://127.0.0.1:", "31337", "cancun", "started fresh"):
        assert needle in text
    assert str(tmp_path) in text
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in text
    assert "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" in text
    assert "10,000.0000" in text
    assert run.interrupt() == 0
    assert "sesh devnet --data-dir" in run.rest_of_stdout()


def test_a_second_devnet_on_a_taken_port_fails_clearly(
    devnet: Callable[..., Devnet], tmp_path: Path
) -> None:
    first = devnet("--port", "0", "--data-dir", str(tmp_path / "a"), "--json")
    port = first.info()["rpc_url"].rsplit(":", 1)[1]

    second = devnet("--port", port, "--data-dir", str(tmp_path / "b"), "--json")
    assert second.wait() != 0
    assert f"port {port} on 127.0.0.1 is already in use" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.process.poll() is None  # the first one is untouched


def test_a_second_devnet_on_the_same_data_dir_fails_clearly(
    devnet: Callable[..., Devnet], tmp_path: Path
) -> None:
    first = devnet("--port", "0", "--data-dir", str(tmp_path), "--json")
    first.info()

    second = devnet("--port", "0", "--data-dir", str(tmp_path), "--json", "--fresh")
    assert second.wait() != 0
    assert "in use by another running anvil" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.interrupt() == 0  # and the first one still stops cleanly with its state
    assert (tmp_path / "chain" / "state.json").exists()
