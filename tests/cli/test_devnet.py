"""`sesh devnet` end to end, as a user runs it: a real process, real signals, a real chain.

Every devnet here starts from a data directory holding a copy of one compiled-contract cache,
built once per session, so each start deploys in a second instead of compiling for ten.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from sesh.cli import main
from sesh.evm.anvil import WEI_PER_ETH, dev_keys, json_rpc
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts, contract_loader, load_artifacts
from sesh.keys import NodeKeys

from ..support.devnet import warm_data_dir

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

RECIPIENT = "0x000000000000000000000000000000000000bEEF"
STARTUP_TIMEOUT = 60.0
SESH = 10**9
CONTRACT_NAMES = [
    "SESH", "RewardRatePool", "ServiceNodeRewards", "BLSVerifier",
    "ServiceNodeContributionFactory", "wOXEN", "TokenConverter",
]  # fmt: skip
CORE = CONTRACT_NAMES[:4]
"""What a devnet recorded before the factory and the converter were part of the set."""


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
def data_dir(tmp_path: Path, build_cache: Path) -> Callable[[str], Path]:
    """A fresh data directory (named ``name`` under tmp_path) with the warm cache in it."""
    return lambda name="devnet-data": warm_data_dir(tmp_path / name, build_cache)


@dataclass
class Runs:
    """Successive `sesh devnet --json` runs on one data directory: every start after the first
    resumes it (``start("--fresh")`` starts over)."""

    data: Path
    start: Callable[..., Devnet]


@pytest.fixture
def runs(devnet: Callable[..., Devnet], data_dir: Callable[[str], Path]) -> Runs:
    data = data_dir("devnet-data")

    def start(*extra: str) -> Devnet:
        # The chain and contracts alone unless a test asks for nodes: node processes are
        # tests/network's subject, and would only slow these down.
        nodes = () if "--nodes" in extra else ("--nodes", "0")
        return devnet("--port", "0", "--data-dir", str(data), "--json", *nodes, *extra)

    return Runs(data, start)


@pytest.fixture(scope="session")
def artifacts(build_cache: Path) -> ContractArtifacts:
    return load_artifacts(cache_dir=build_cache)


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


def nonce(rpc_url: str, address: str) -> int:
    return int(json_rpc(rpc_url, "eth_getTransactionCount", [address, "latest"]), 16)


def test_help_explains_the_command_and_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["devnet", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    options = ("--data-dir", "--port", "--fresh", "--nodes", "--json")
    for needle in (*options, "Ctrl-C", "cancun", "not the state at older blocks"):
        assert needle in text
    for needle in ("`devnet` profile", "1,000,000 SESH", "contracts.json", "is started"):
        assert needle in text
    for needle in ("ServiceNodeContributionFactory", "TokenConverter", "examples.json"):
        assert needle in text
    for needle in ("seedPublicKeyList", "genesis.json", "DATA_DIR/nodes/I/keys/", "default: 5"):
        assert needle in text


def test_the_chain_survives_ctrl_c_until_fresh(runs: Runs) -> None:
    data = runs.data
    deployer = dev_keys()[0].address

    first = runs.start("--nodes", "5")
    info = first.info()
    assert info["resumed"] is False
    assert len(info["nodes"]) == 5  # the node processes run, and answer
    assert (info["chain_id"], info["hardfork"]) == (31337, "cancun")
    assert int(json_rpc(info["rpc_url"], "eth_chainId"), 16) == 31337
    assert len(info["accounts"]) == 10
    assert info["accounts"][2]["balance_eth"] == "10000"  # 1 paid gas for the example node
    assert info["contracts_deployed"] is True
    addresses = info["contracts"]
    assert info["genesis"] == str(data / "genesis.json")
    genesis = (data / "genesis.json").read_text()
    node_keys = info["node_keys"]
    assert [Path(node["dir"]) for node in node_keys] == [
        data / "nodes" / str(i) / "keys" for i in range(1, 6)
    ]
    send_eth(info["rpc_url"], deployer, RECIPIENT, WEI_PER_ETH)
    sent = nonce(info["rpc_url"], deployer)
    assert first.interrupt() == 0
    assert first.rest_of_stdout() == ""  # --json: stdout is the one JSON line
    assert "state is kept" in first.stderr
    assert (data / "chain" / "state.json").exists()
    assert json.loads((data / "contracts.json").read_text())["contracts"] == addresses

    second = runs.start("--nodes", "3")
    info = second.info()
    assert info["resumed"] is True
    assert balance(info["rpc_url"], RECIPIENT) == WEI_PER_ETH
    # Resumed: the same contracts, found rather than deployed (the deployer sent nothing more).
    assert info["contracts_deployed"] is False
    assert info["contracts"] == addresses
    assert nonce(info["rpc_url"], deployer) == sent
    assert "deploying" not in second.stderr
    assert (info["node_keys"], (data / "genesis.json").read_text()) == (node_keys, genesis)
    assert "keeps its 5 seeded node(s)" in second.stderr
    assert "--nodes 3 takes effect with --fresh" in second.stderr
    assert second.interrupt() == 0

    third = runs.start("--fresh", "--nodes", "5")
    info = third.info()
    assert info["resumed"] is False
    assert balance(info["rpc_url"], RECIPIENT) == 0
    assert info["contracts_deployed"] is True  # a new chain: deployed again
    assert info["contracts"] == addresses  # same deployer, same nonces, same addresses
    assert len(info["node_keys"]) == 5
    new_keys = {node["ed25519"] for node in info["node_keys"]}
    assert not new_keys & {node["ed25519"] for node in node_keys}  # new nodes...
    assert (data / "genesis.json").read_text() != genesis  # ...and a new genesis
    assert third.interrupt() == 0


def test_the_contracts_are_deployed_started_and_the_accounts_hold_sesh(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path], artifacts: ContractArtifacts
) -> None:
    run = devnet(
        "--port", "0", "--data-dir", str(data_dir("devnet-data")), "--json",
        "--claim-limit", "250/10m",
    )  # fmt: skip
    info = run.info()
    assert list(info["contracts"]) == CONTRACT_NAMES
    assert list(info["implementations"]) == [
        "RewardRatePool", "ServiceNodeRewards", "ServiceNodeContributionFactory",
        "ServiceNodeContribution",
    ]  # fmt: skip
    assert (info["profile"], info["rewards_started"]) == ("devnet", True)
    chain = Chain(info["rpc_url"])
    for address in [*info["contracts"].values(), *info["implementations"].values()]:
        assert chain.has_code(address)
    token = chain.contract(info["contracts"]["SESH"], artifacts.sesh).functions
    rewards = chain.contract(
        info["contracts"]["ServiceNodeRewards"], artifacts.service_node_rewards
    ).functions
    pool = chain.contract(info["contracts"]["RewardRatePool"], artifacts.reward_rate_pool).functions
    assert rewards.isStarted().call() is True
    assert rewards.stakingRequirement().call() == 120 * SESH
    assert (rewards.claimThreshold().call(), rewards.claimCycle().call()) == (250 * SESH, 600)
    assert rewards.owner().call() == dev_keys()[0].address
    assert pool.beneficiary().call() == info["contracts"]["ServiceNodeRewards"]
    assert token.balanceOf(info["contracts"]["RewardRatePool"]).call() == 40_000_000 * SESH
    assert token.balanceOf(info["contracts"]["TokenConverter"]).call() == 10_000_000 * SESH
    # The five seeded nodes' stakes, moved in from account 0 (seeding itself moves no tokens),
    # and what the devnet's payouts have brought from the pool (one at start, then every 10 s).
    assert rewards.totalNodes().call() == 5
    block = chain.w3.eth.block_number
    paid = pool.totalPaidOut().call(block_identifier=block)
    held = token.balanceOf(info["contracts"]["ServiceNodeRewards"]).call(block_identifier=block)
    assert held == 5 * 120 * SESH + paid
    # The payouts come from an account of the devnet's own: no dev account's nonce moves.
    nonces = [nonce(info["rpc_url"], a["address"]) for a in info["accounts"]]
    deadline = time.monotonic() + 30
    while pool.totalPaidOut().call() <= paid:
        assert time.monotonic() < deadline, "no payout within 30 s"
        time.sleep(0.2)
    assert [nonce(info["rpc_url"], a["address"]) for a in info["accounts"]] == nonces
    for account in info["accounts"][2:]:
        assert token.balanceOf(account["address"]).call() == 1_000_000 * SESH
        assert account["balance_sesh"] == "1000000"
    for account in info["accounts"][1:]:
        assert account["balance_woxen"] == "100000"
    # Account 1 operates the open example node (30 SESH in); account 0 funded the example lock
    # and moved the seeded stakes in.
    assert info["accounts"][1]["balance_sesh"] == "999970"
    assert info["accounts"][0]["balance_sesh"] == "180998400"
    assert run.interrupt() == 0


def test_no_nodes_seeded_is_the_devnet_without_a_genesis(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path], artifacts: ContractArtifacts
) -> None:
    data = data_dir("devnet-data")
    run = devnet("--port", "0", "--data-dir", str(data), "--json", "--nodes", "0")
    info = run.info()
    assert (info["genesis"], info["genesis_l2_block"], info["node_keys"]) == (None, None, [])
    assert not (data / "genesis.json").exists()
    assert [p.name for p in (data / "nodes").iterdir()] == ["open-node"]
    chain = Chain(info["rpc_url"])
    rewards = chain.contract(
        info["contracts"]["ServiceNodeRewards"], artifacts.service_node_rewards
    ).functions
    assert rewards.isStarted().call() is True
    assert rewards.totalNodes().call() == 0
    assert info["accounts"][0]["balance_sesh"] == "180999000"  # no seeded stakes moved
    # The same transactions as before there were seeded nodes: the same addresses.
    assert info["examples"]["vesting_lock"]["address"] == (
        "0xa82fF9aFd8f496c3d6ac40E2a0F282E47488CFc9"
    )
    assert run.interrupt() == 0


def test_the_examples_are_an_open_node_and_a_lock_that_stakes_now(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path], artifacts: ContractArtifacts
) -> None:
    data = data_dir("devnet-data")
    run = devnet("--port", "0", "--data-dir", str(data), "--json")
    info = run.info()
    examples = info["examples"]
    assert examples == json.loads((data / "examples.json").read_text())
    chain = Chain(info["rpc_url"])
    load = contract_loader(data / "build")
    node = examples["open_contribution"]
    contribution = chain.contract(node["address"], load("ServiceNodeContribution")).functions
    accounts = [account["address"] for account in info["accounts"]]
    assert (node["operator"], node["reserved_for"]) == (accounts[1], accounts[2])
    assert contribution.status().call() == 1  # open for contributions
    assert contribution.operator().call() == accounts[1]
    assert contribution.operatorContribution().call() == 30 * SESH
    assert contribution.getReserved().call() == [
        [accounts[1], accounts[2]],
        [30 * SESH, 20 * SESH],
        [True, False],
    ]
    assert contribution.minimumContribution().call() == 8_750_000_000  # 70 SESH over 8 slots
    factory = chain.contract(
        info["contracts"]["ServiceNodeContributionFactory"], artifacts.contribution_factory
    )
    assert factory.functions.owns(node["address"]).call() is True
    assert (Path(node["node_keys"]) / "key_bls").exists()

    lock = examples["vesting_lock"]
    vesting = chain.contract(lock["address"], load("TokenVestingStaking")).functions
    assert vesting.beneficiary().call() == lock["beneficiary"] == accounts[3]
    assert vesting.revoker().call() == accounts[0]
    assert vesting.start().call() == lock["start"] <= chain.timestamp()  # it can stake now
    assert vesting.end().call() == lock["end"] == lock["start"] + 30 * 86_400
    token = chain.contract(info["contracts"]["SESH"], artifacts.sesh).functions
    assert token.balanceOf(lock["address"]).call() == 1_000 * SESH
    assert run.interrupt() == 0

    again = devnet("--port", "0", "--data-dir", str(data), "--json")
    assert again.info()["examples"] == examples  # resumed: found, not made again
    assert again.interrupt() == 0


def test_a_record_from_an_older_sesh_is_completed_beside_its_contracts(runs: Runs) -> None:
    data = runs.data
    first = runs.start()
    before = first.info()
    assert first.interrupt() == 0
    record = json.loads((data / "contracts.json").read_text())
    record["contracts"] = {name: record["contracts"][name] for name in CORE}
    record["implementations"] = {
        name: record["implementations"][name] for name in ("RewardRatePool", "ServiceNodeRewards")
    }
    (data / "contracts.json").write_text(json.dumps(record))
    (data / "examples.json").unlink()

    second = runs.start()
    info = second.info()
    assert "has no ServiceNodeContributionFactory, TokenConverter" in second.stderr
    assert (info["contracts_deployed"], info["contracts_completed"]) == (False, True)
    for name in CORE:  # the chain's contracts, and what is staked in them, stay
        assert info["contracts"][name] == before["contracts"][name]
    assert list(info["contracts"]) == CONTRACT_NAMES
    factory = "ServiceNodeContributionFactory"
    assert info["contracts"][factory] != before["contracts"][factory]  # a new one, beside
    saved = json.loads((data / "contracts.json").read_text())
    assert saved["contracts"] == info["contracts"]
    new_node, old_node = (i["examples"]["open_contribution"] for i in (info, before))
    assert new_node["address"] != old_node["address"]  # made again, with the new factory
    assert info["accounts"][1]["balance_woxen"] == "100000"  # of the new stand-in
    assert second.interrupt() == 0


def test_a_chain_reset_behind_the_devnets_back_is_deployed_again(runs: Runs) -> None:
    data = runs.data
    first = runs.start()
    addresses = first.info()["contracts"]
    assert first.interrupt() == 0
    for saved in (data / "chain").glob("state.json*"):  # the chain is lost, the record is not
        saved.unlink()

    second = runs.start()
    info = second.info()
    assert (info["resumed"], info["contracts_deployed"]) == (False, True)
    assert info["contracts"] == addresses
    assert "not on this chain (it was reset): deploying again" in second.stderr
    assert second.interrupt() == 0


def test_the_human_output_lists_the_chain_the_contracts_and_the_accounts(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path]
) -> None:
    data = data_dir("devnet-data")
    run = devnet("--port", "0", "--data-dir", str(data))
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        lines.append(run.next_line())
    text = "".join(lines)
    for needle in ("RPC URL", "http://127.0.0.1:", "31337", "cancun", "started fresh"):
        assert needle in text
    assert str(data) in text
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in text
    assert "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" in text
    assert "10,000.0000" in text
    record = json.loads((data / "contracts.json").read_text())
    assert "Contracts (profile devnet, deployed now" in text
    width = len("ServiceNodeContributionFactory")
    for name, address in record["contracts"].items():
        assert f"{name:<{width}} {address}" in text
    assert "started)" in text
    assert "1,000,000" in text and "180,998,400" in text
    genesis = json.loads((data / "genesis.json").read_text())
    assert f"Seeded nodes (genesis {data / 'genesis.json'}, L2 block " in text
    for index, node in enumerate(genesis["seeded"], start=1):
        keys = data / "nodes" / str(index) / "keys"
        assert f"{index}  {node['ed25519_pubkey']}  account {3 + index}  {keys}" in text
    examples = json.loads((data / "examples.json").read_text())
    assert "Examples to play with" in text
    assert f"open node     {examples['open_contribution']['address']}" in text
    assert f"vesting lock  {examples['vesting_lock']['address']}" in text
    assert "100,000 wOXEN each" in text
    assert "deploying the contracts" in text  # the progress note, before the summary
    assert run.interrupt() == 0
    assert "sesh devnet --data-dir" in run.rest_of_stdout()


def test_a_second_devnet_on_a_taken_port_fails_clearly(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path]
) -> None:
    first = devnet("--port", "0", "--data-dir", str(data_dir("a")), "--json")
    port = first.info()["rpc_url"].rsplit(":", 1)[1]

    second = devnet("--port", port, "--data-dir", str(data_dir("b")), "--json")
    assert second.wait() != 0
    assert f"port {port} on 127.0.0.1 is already in use" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.process.poll() is None  # the first one is untouched


def test_a_second_devnet_on_the_same_data_dir_fails_clearly(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path]
) -> None:
    data = data_dir("devnet-data")
    first = devnet("--port", "0", "--data-dir", str(data), "--json")
    first.info()

    second = devnet("--port", "0", "--data-dir", str(data), "--json", "--fresh")
    assert second.wait() != 0
    assert "in use by another running anvil" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.interrupt() == 0  # and the first one still stops cleanly with its state
    assert (data / "chain" / "state.json").exists()


def _is_alive(pid: int) -> bool:
    """True while the process runs; a zombie (exited, not yet reaped) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while _is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _block(rpc_url: str, number: int | str) -> dict[str, Any]:
    tag = hex(number) if isinstance(number, int) else number
    found: dict[str, Any] = json_rpc(rpc_url, "eth_getBlockByNumber", [tag, False])
    return found


def _send(rpc_url: str, sender: str) -> dict[str, Any]:
    """A transfer of 1 wei to RECIPIENT; returns its receipt the moment there is one."""
    tx = json_rpc(
        rpc_url, "eth_sendTransaction", [{"from": sender, "to": RECIPIENT, "value": "0x1"}]
    )
    deadline = time.monotonic() + 10
    while (receipt := json_rpc(rpc_url, "eth_getTransactionReceipt", [tx])) is None:
        assert time.monotonic() < deadline, "transaction not mined"
        time.sleep(0.002)
    found: dict[str, Any] = receipt
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_a_kill_9_of_the_devnet_right_after_a_receipt_keeps_the_transaction_and_stops_anvil(
    runs: Runs,
) -> None:
    first = runs.start()
    info = first.info()
    assert info["lost_blocks"] == []
    genesis = _block(info["rpc_url"], 0)["hash"]
    idle_from = int(json_rpc(info["rpc_url"], "eth_blockNumber"), 16)
    deadline = time.monotonic() + 5  # an idle devnet still makes a block every second
    while int(json_rpc(info["rpc_url"], "eth_blockNumber"), 16) < idle_from + 2:
        assert time.monotonic() < deadline, "the idle devnet made no blocks"
        time.sleep(0.1)
    receipt = _send(info["rpc_url"], dev_keys()[0].address)
    first.process.kill()
    first.wait()
    assert _wait_until_gone(info["anvil_pid"]), "anvil outlived the devnet"

    second = runs.start()
    again = second.info()
    assert again["resumed"] is True
    assert again["lost_blocks"] == []
    assert "lost" not in second.stderr
    assert _block(again["rpc_url"], 0)["hash"] == genesis
    assert json_rpc(again["rpc_url"], "eth_getTransactionReceipt", [receipt["transactionHash"]])
    assert balance(again["rpc_url"], RECIPIENT) == 1
    assert second.interrupt() == 0


def test_a_kill_9_of_the_devnet_and_anvil_keeps_a_recorded_block_or_says_it_was_lost(
    runs: Runs,
) -> None:
    data = runs.data
    first = runs.start()
    info = first.info()
    genesis = _block(info["rpc_url"], 0)["hash"]
    receipt = _send(info["rpc_url"], dev_keys()[0].address)
    # The devnet records each block within one poll of the saver (10 ms), before saving it; a
    # kill in that first poll could still take a block it never saw (see the operator guide).
    tip = data / "chain" / "tip.json"
    deadline = time.monotonic() + 2
    while json.loads(tip.read_text())["number"] < int(receipt["blockNumber"], 16):
        assert time.monotonic() < deadline, "the block was not recorded"
        time.sleep(0.001)
    os.kill(info["anvil_pid"], signal.SIGKILL)  # no dump on exit from either
    first.process.kill()
    first.wait()

    second = runs.start()
    again = second.info()
    assert _block(again["rpc_url"], 0)["hash"] == genesis
    kept = json_rpc(again["rpc_url"], "eth_getTransactionReceipt", [receipt["transactionHash"]])
    if kept:
        assert kept["blockHash"] == receipt["blockHash"]
        assert again["lost_blocks"] == []
    else:
        assert int(receipt["blockNumber"], 16) in again["lost_blocks"]
        assert "block(s) lost" in second.stderr and "must resync" in second.stderr
    assert second.interrupt() == 0


def test_blocks_seen_but_not_restored_are_said_lost_and_recorded(
    devnet: Callable[..., Devnet], data_dir: Callable[[str], Path]
) -> None:
    data = data_dir("devnet-data")
    chain = data / "chain"
    args = ("--port", "0", "--data-dir", str(data), "--json", "--nodes", "0")
    first = devnet(*args)
    first.info()
    assert first.interrupt() == 0
    second = devnet(*args)
    info = second.info()
    older = chain / "older-state.json"
    shutil.copyfile(chain / "state.json", older)  # the state as loaded, saved again at start
    restored = json.loads(older.read_text())["best_block_number"]
    for _ in range(2):
        _send(info["rpc_url"], dev_keys()[0].address)
    assert second.interrupt() == 0
    seen = json.loads((chain / "tip.json").read_text())["number"]
    os.replace(older, chain / "state.json")  # as if the last saves had never happened
    (chain / "state.json.exit").unlink()

    third = devnet(*args)
    again = third.info()
    lost = list(range(restored + 1, seen + 1))
    assert len(lost) >= 2
    assert again["lost_blocks"] == lost
    assert again["restored_block"] == restored
    warning = third.stderr
    assert f"{len(lost)} block(s) lost: {restored + 1}" in warning
    assert "Nodes following this devnet must resync" in warning
    assert warning.index("block(s) lost") >= 0 and balance(again["rpc_url"], RECIPIENT) == 0
    events = json.loads((chain / "lost-blocks.json").read_text())
    assert events[-1]["first_lost"] == restored + 1 and events[-1]["last_lost"] == seen
    assert third.interrupt() == 0

    fourth = devnet(*args)  # the loss was said once; the next resume is clean
    assert fourth.info()["lost_blocks"] == []
    assert fourth.interrupt() == 0


def test_advance_moves_the_l2_clock_and_says_what_became_possible(
    devnet: Callable[..., Devnet],
    data_dir: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = data_dir("devnet-data")
    run = devnet("--port", "0", "--data-dir", str(data), "--json")
    info = run.info()
    rpc = info["rpc_url"]
    before = int(_block(rpc, "latest")["timestamp"], 16)
    node = info["examples"]["open_contribution"]
    lock = info["examples"]["vesting_lock"]

    assert main(["devnet", "advance", "+25h", "--rpc", rpc, "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    now = int(_block(rpc, "latest")["timestamp"], 16)
    assert now >= before + 25 * 3600
    assert "L2 clock moved" in out and f"now {time.strftime('%Y-%m-%d', time.gmtime(now))}" in out
    assert f"{node['operator'].lower()} is past the 24 h withdrawal delay" in out.lower()
    assert f"vesting lock {lock['address']}: ends in" in out

    # A solo node asks to leave: anyone may remove it 30 days later.
    keys = data / "leaver"
    NodeKeys.generate().save(keys)
    assert main(["stake", "--keys", str(keys), "--deployment", str(data / "contracts.json"),
                 "--rpc", rpc, "--unlocked"]) == 0  # fmt: skip
    capsys.readouterr()
    chain = Chain(rpc)
    artifact = contract_loader(data / "build")("ServiceNodeRewards")
    rewards = chain.contract(info["contracts"]["ServiceNodeRewards"], artifact)
    solo = 6  # after the five seeded nodes
    chain.transact(rewards.functions.initiateExitBLSPublicKey(solo), dev_keys()[0].address)
    assert main(["devnet", "advance", "1d", "--data-dir", str(data)]) == 0  # the record's RPC
    assert f"node {solo}: asked to leave; anyone may remove it from" in capsys.readouterr().out

    assert main(["devnet", "advance", "30d", "--rpc", rpc, "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"vesting lock {lock['address']}: ended" in out
    assert f"node {solo}: asked to leave" in out and "anyone may now remove it" in out

    assert main(["devnet", "advance", "soon", "--rpc", rpc]) == 2
    assert "not a duration" in capsys.readouterr().err
    assert run.interrupt() == 0


def test_advance_without_a_devnet_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devnet", "advance", "1h", "--rpc", "http://127.0.0.1:9"]) == 1
    assert "is `sesh devnet` running" in capsys.readouterr().err


def test_a_devnet_from_before_the_quorum_network_is_refused_with_fresh_named(runs: Runs) -> None:
    first = runs.start()
    first.info()
    assert first.interrupt() == 0
    # A data dir without a genesis, as every devnet had before the network: refused, not
    # silently run without nodes.
    again = runs.start("--nodes", "5")
    assert again.wait(120) == 1
    assert "start over with --fresh" in again.stderr
    assert "genesis.json is missing" in again.stderr
