"""The anvil launcher: the chain it starts is the one we pinned, and its state outlives it."""

from __future__ import annotations

import json
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


def block(node: Anvil, number: int | str) -> dict[str, Any]:
    tag = hex(number) if isinstance(number, int) else number
    found: dict[str, Any] = node.rpc("eth_getBlockByNumber", tag, False)
    return found


def test_a_kill_9_of_anvil_right_after_a_receipt_keeps_the_transaction(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    node = make_anvil(state_file=state).start()
    receipt = send_eth(node, RECIPIENT, WEI_PER_ETH)
    assert node.saver is not None
    assert node.saver.wait_saved(int(receipt["blockNumber"], 16), timeout=2.0)
    assert node.pid is not None
    os.kill(node.pid, signal.SIGKILL)  # no dump on exit: only what the saver wrote counts
    node.stop()
    assert not (tmp_path / "state.json.exit").exists()

    with make_anvil(state_file=state) as again:
        assert again.restored_block == int(receipt["blockNumber"], 16)
        assert balance(again, RECIPIENT) == WEI_PER_ETH
        assert again.rpc("eth_getTransactionReceipt", receipt["transactionHash"]) is not None


def test_the_saver_hands_every_new_block_to_on_blocks_in_order(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    seen: list[int] = []
    node = make_anvil(
        state_file=tmp_path / "state.json",
        on_blocks=lambda heads: seen.extend(head.number for head in heads),
    ).start()
    node.rpc("anvil_mine", "0x3")  # three at once: the ones in between are fetched too
    last = int(send_eth(node, RECIPIENT, 1)["blockNumber"], 16)
    assert node.saver is not None and node.saver.wait_saved(last, timeout=2.0)
    assert seen == [1, 2, 3, 4]


def test_a_torn_exit_dump_is_ignored_and_a_complete_one_is_used(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    state, exit_dump = tmp_path / "state.json", tmp_path / "state.json.exit"
    with make_anvil(state_file=state) as node:
        tip = int(send_eth(node, RECIPIENT, WEI_PER_ETH)["blockNumber"], 16)
    assert exit_dump.exists()  # anvil's own dump on SIGTERM, beside the saver's file
    with make_anvil(state_file=state) as node:  # the complete exit dump is taken
        assert node.restored_block == tip
        assert not exit_dump.exists()
    exit_dump.write_text(state.read_text()[:100])  # what a kill -9 in the middle of it leaves
    with make_anvil(state_file=state) as node:
        assert node.restored_block == tip and not node.recovered_from_backup
        assert balance(node, RECIPIENT) == WEI_PER_ETH


def test_block_0_keeps_its_hash_across_restarts_and_a_kill_9(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    genesis = int(time.time()) - 3600
    with make_anvil(genesis_timestamp=genesis) as node:
        first = block(node, 0)
        assert int(first["timestamp"], 16) == genesis
        # The clock starts at the wall clock, not an hour back at the genesis time.
        assert (
            int(block(node, int(send_eth(node, RECIPIENT, 1)["blockNumber"], 16))["timestamp"], 16)
            >= genesis + 3600
        )
    state = tmp_path / "state.json"
    node = make_anvil(state_file=state, genesis_timestamp=genesis).start()
    assert block(node, 0)["hash"] == first["hash"]  # the same genesis, made again
    node.rpc("anvil_mine", "0x2")
    assert node.saver is not None and node.saver.wait_saved(2, timeout=2.0)
    assert node.pid is not None
    os.kill(node.pid, signal.SIGKILL)
    node.stop()
    for _ in range(3):  # anvil makes a block 0 of its own at every start: it must be this one
        with make_anvil(state_file=state, genesis_timestamp=genesis + 1) as node:
            assert block(node, 0)["hash"] == first["hash"]  # loaded: the argument is not used
            node.rpc("evm_mine")
    blocks = json.loads(state.read_text())["blocks"]
    assert [b["header"]["number"] for b in blocks].count("0x0") == 1


def test_a_state_file_with_two_blocks_0_keeps_the_first(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    """What an older sesh left: anvil kept its own block 0 of each resume beside the real one."""
    state = tmp_path / "state.json"
    with make_anvil(state_file=state) as node:
        first = block(node, 0)
    data = json.loads(state.read_text())
    zero = next(b for b in data["blocks"] if b["header"]["number"] == "0x0")
    later = json.loads(json.dumps(zero))
    later["header"]["timestamp"] = hex(int(zero["header"]["timestamp"], 16) + 60)
    data["blocks"].append(later)
    state.write_text(json.dumps(data))
    with make_anvil(state_file=state) as node:
        assert block(node, 0)["hash"] == first["hash"]


def test_a_resumed_chain_whose_clock_was_ahead_does_not_run_back(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    with make_anvil(state_file=state) as node:
        node.rpc("evm_increaseTime", 86_400)
        node.rpc("evm_mine")
        ahead = int(block(node, "latest")["timestamp"], 16)
    with make_anvil(state_file=state) as node:
        node.rpc("evm_mine")
        assert int(block(node, "latest")["timestamp"], 16) >= ahead


def test_an_idle_chain_with_a_block_interval_still_makes_blocks_and_mines_at_once(
    make_anvil: MakeAnvil,
) -> None:
    with make_anvil(block_interval=0.5) as node:
        started = time.monotonic()
        receipt = send_eth(node, RECIPIENT, 1)
        assert time.monotonic() - started < 0.4  # automine: no wait for the interval
        deadline = time.monotonic() + 5
        while int(node.rpc("eth_blockNumber"), 16) < int(receipt["blockNumber"], 16) + 2:
            assert time.monotonic() < deadline, "no blocks on an idle chain"
            time.sleep(0.05)


def test_a_damaged_state_file_falls_back_to_the_last_good_one(
    make_anvil: MakeAnvil, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    with make_anvil(state_file=state) as node:
        send_eth(node, RECIPIENT, WEI_PER_ETH)
    with make_anvil(state_file=state):  # starting from a good file backs it up
        pass
    # What a kill -9 in the middle of an in-place dump left (anvil's own, as an older sesh let
    # it write the state file), with no newer exit dump beside it.
    state.write_text(state.read_text()[:100])
    (tmp_path / "state.json.exit").unlink()

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
        node = Anvil(port=0, state_file=Path({str(state)!r}), save_every_block=False).start()
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
        # It got SIGTERM, not SIGKILL, so it dumped its state (beside the state file).
        assert (tmp_path / "state.json.exit").exists()
    finally:
        if is_alive(pid):
            os.kill(pid, signal.SIGKILL)
