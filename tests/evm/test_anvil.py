"""The anvil launcher: the chain it starts is the one we pinned, and its state outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sesh.evm.anvil import (
    BLOCK_GAS_LIMIT,
    DEFAULT_CHAIN_ID,
    WEI_PER_ETH,
    Anvil,
    AnvilNotFoundError,
    PortInUseError,
    StateFileCorruptError,
    StateFileInUseError,
    dev_keys,
    find_anvil,
    json_rpc,
)

pytestmark = pytest.mark.anvil

RECIPIENT = "0x000000000000000000000000000000000000bEEF"
MakeAnvil = Callable[..., Anvil]


def send_eth(node: Anvil, to: str, wei: int) -> dict[str, Any]:
    """An unsigned transfer from dev account 0 (anvil's dev accounts are unlocked), mined."""
    tx = node.rpc(
        "eth_sendTransaction", {"from": dev_keys()[0].address, "to": to, "value": hex(wei)}
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        receipt = node.rpc("eth_getTransactionReceipt", tx)
        if receipt is not None:
            assert receipt["status"] == "0x1"
            return dict(receipt)
        time.sleep(0.01)
    raise AssertionError("transaction not mined")


def balance(node: Anvil, address: str) -> int:
    return int(node.rpc("eth_getBalance", address, "latest"), 16)


def is_alive(pid: int) -> bool:
    """True while the process runs; a zombie (exited, not yet reaped by init) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_starts_on_a_free_port_and_answers_its_chain_id(anvil: Anvil) -> None:
    assert anvil.port and anvil.port > 0
    assert anvil.rpc_url == f"http://127.0.0.1:{anvil.port}"
    assert int(json_rpc(anvil.rpc_url, "eth_chainId"), 16) == DEFAULT_CHAIN_ID == 31337


def test_runs_the_cancun_hardfork(anvil: Anvil) -> None:
    assert anvil.rpc("anvil_nodeInfo")["hardFork"] == "Cancun"
    latest = anvil.rpc("eth_getBlockByNumber", "latest", False)
    assert "blobGasUsed" in latest and "excessBlobGas" in latest  # cancun (EIP-4844) is on
    assert "requestsHash" not in latest  # prague (EIP-7685) is not
    # Prague's BLS12-381 G1ADD precompile (EIP-2537) would answer 128 bytes; on cancun 0x0b is
    # an empty account.
    assert (
        anvil.rpc("eth_call", {"to": "0x" + "0b".rjust(40, "0"), "data": "0x" + "00" * 256}) == "0x"
    )


def test_the_block_gas_limit_is_the_high_one(anvil: Anvil) -> None:
    latest = anvil.rpc("eth_getBlockByNumber", "latest", False)
    assert int(latest["gasLimit"], 16) == BLOCK_GAS_LIMIT == 1_000_000_000


def test_ten_dev_accounts_are_funded_and_are_anvils_own(anvil: Anvil) -> None:
    accounts = anvil.dev_accounts()
    assert len(accounts) == 10
    assert [a.address.lower() for a in accounts] == [a.lower() for a in anvil.rpc("eth_accounts")]
    assert all(a.balance_wei == 10_000 * WEI_PER_ETH for a in accounts)
    assert all(a.balance_eth == 10_000 for a in accounts)


def test_a_pruned_chain_answers_at_the_latest_block_only(make_anvil: MakeAnvil) -> None:
    """prune_history keeps only the latest state, like many providers: a call at an older
    block fails, which is why the tracker reads at its safe block and never deeper."""
    account = dev_keys()[0].address
    with make_anvil(prune_history=True) as node:
        node.rpc("anvil_mine", "0x5")
        assert int(node.rpc("eth_getBalance", account, "latest"), 16) > 0
        with pytest.raises(Exception):  # noqa: B017 - the error's wording is anvil's
            node.rpc("eth_getBalance", account, "0x1")
    with make_anvil() as node:
        node.rpc("anvil_mine", "0x5")
        assert int(node.rpc("eth_getBalance", account, "0x1"), 16) > 0


def test_dev_keys_are_the_well_known_anvil_keys() -> None:
    first = dev_keys()[0]
    assert first.address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert first.private_key == (
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    )
    assert dev_keys()[9].address == "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"


def test_stop_ends_the_process(make_anvil: MakeAnvil) -> None:
    node = make_anvil().start()
    pid = node.pid
    assert pid is not None and is_alive(pid)
    assert node.stop() == 0
    assert not is_alive(pid)
    assert not node.running
    assert node.stop() is None  # a second stop is harmless


def test_the_chain_survives_a_stop_and_a_restart(make_anvil: MakeAnvil, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with make_anvil(state_file=state) as node:
        assert not node.resumed
        receipt = send_eth(node, RECIPIENT, WEI_PER_ETH)
    assert state.exists()

    with make_anvil(state_file=state) as node:
        assert node.resumed
        assert balance(node, RECIPIENT) == WEI_PER_ETH
        assert int(node.rpc("eth_blockNumber"), 16) == int(receipt["blockNumber"], 16)
        assert node.rpc("eth_getTransactionReceipt", receipt["transactionHash"]) is not None


def test_the_same_node_object_can_be_started_again(make_anvil: MakeAnvil, tmp_path: Path) -> None:
    node = make_anvil(state_file=tmp_path / "state.json")
    with node:
        send_eth(node, RECIPIENT, WEI_PER_ETH)
    with node:
        assert node.resumed
        assert balance(node, RECIPIENT) == WEI_PER_ETH
    assert (tmp_path / "anvil.log.1").exists()  # the first run's log is kept for post-mortems


def test_a_kill_9_loses_at_most_the_state_interval(make_anvil: MakeAnvil, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    node = make_anvil(state_file=state, state_interval=1).start()
    send_eth(node, RECIPIENT, WEI_PER_ETH)
    deadline = time.monotonic() + 5  # the next periodic dump carries the transfer
    while RECIPIENT[2:].lower() not in (state.read_text() if state.exists() else ""):
        assert time.monotonic() < deadline, "the state was not dumped within the interval"
        time.sleep(0.1)
    assert node.pid is not None
    os.kill(node.pid, signal.SIGKILL)
    node.stop()

    with make_anvil(state_file=state) as again:
        assert balance(again, RECIPIENT) == WEI_PER_ETH


def test_a_damaged_state_file_falls_back_to_the_last_good_one(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    with make_anvil(state_file=state) as node:
        send_eth(node, RECIPIENT, WEI_PER_ETH)
    with make_anvil(state_file=state):  # starting from a good file backs it up
        pass
    state.write_text(state.read_text()[:100])  # what a kill -9 in the middle of a dump leaves

    with make_anvil(state_file=state) as node:
        assert node.resumed and node.recovered_from_backup
        assert balance(node, RECIPIENT) == WEI_PER_ETH
    assert (tmp_path / "state.json.corrupt").exists()


def test_a_damaged_state_file_without_backup_is_a_clear_error(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"block": {')
    with pytest.raises(StateFileCorruptError, match="not a readable anvil state"):
        make_anvil(state_file=state).start()


def test_fresh_discards_the_saved_chain(make_anvil: MakeAnvil, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with make_anvil(state_file=state) as node:
        send_eth(node, RECIPIENT, WEI_PER_ETH)
    with make_anvil(state_file=state, fresh=True) as node:
        assert not node.resumed
        assert balance(node, RECIPIENT) == 0


def test_two_nodes_cannot_share_a_state_file(make_anvil: MakeAnvil, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with make_anvil(state_file=state):
        with pytest.raises(StateFileInUseError):
            make_anvil(state_file=state).start()
        with pytest.raises(StateFileInUseError):  # --fresh must not wipe a running chain either
            make_anvil(state_file=state, fresh=True).start()


def test_a_taken_port_is_reported_and_the_running_node_is_untouched(
    anvil: Anvil, make_anvil: MakeAnvil
) -> None:
    second = make_anvil(port=anvil.port)
    with pytest.raises(PortInUseError, match=f"port {anvil.port} .* already in use"):
        second.start()
    assert not second.running
    assert int(anvil.rpc("eth_chainId"), 16) == DEFAULT_CHAIN_ID


def test_a_missing_binary_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESH_ANVIL", "/nonexistent/anvil")
    with pytest.raises(AnvilNotFoundError, match="SESH_ANVIL"):
        find_anvil()


def test_the_default_binary_is_the_native_one_not_the_node_wrapper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SESH_ANVIL", raising=False)
    binary = find_anvil()
    assert binary.name == "anvil"
    with binary.open("rb") as file:
        assert file.read(2) != b"#!"  # a real executable, not the bin.mjs script


def _python(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
    )


def test_anvil_does_not_outlive_a_python_that_forgets_to_stop_it() -> None:
    child = _python(
        """
        from sesh.evm.anvil import Anvil
        node = Anvil(port=0).start()
        print(node.pid, flush=True)
        """
    )
    out, _ = child.communicate(timeout=60)
    pid = int(out)
    try:
        assert child.returncode == 0
        assert wait_until_gone(pid)
    finally:
        if is_alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_anvil_stops_cleanly_when_its_python_is_killed(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    child = _python(
        f"""
        import time
        from pathlib import Path
        from sesh.evm.anvil import Anvil
        node = Anvil(port=0, state_file=Path({str(state)!r}), state_interval=None).start()
        print(node.pid, flush=True)
        time.sleep(600)
        """
    )
    assert child.stdout is not None
    pid = int(child.stdout.readline())
    try:
        child.kill()
        child.wait()
        assert wait_until_gone(pid)
        assert state.exists()  # it got SIGTERM, not SIGKILL, so it dumped its state
    finally:
        if is_alive(pid):
            os.kill(pid, signal.SIGKILL)
