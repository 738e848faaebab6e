"""The network in real processes on 127.0.0.1: `sesh devnet --nodes 16`, as a user runs it.

Sixteen node processes make blocks and agree on every block and state hash; five are killed
with SIGKILL and blocks and checkpoints go on; started again they catch up and take part; a
node killed while it writes a block loses no block it accepted; a registration made on L2
during the run shows in `get_pending_events`, is confirmed by quorum votes and appears in
every node's `get_service_nodes`; a staker claims what the network signed; a node exits with
the network's signature and another is liquidated by `sesh liquidator run`; and stopping the
devnet leaves no node process behind. (The devnet runs with --fast-timers: seconds-long waits.)
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sesh.evm.anvil import dev_keys
from sesh.evm.jsonrpc import JsonRpcError
from sesh.evm.jsonrpc import call_once as call

from ..support.devnet import warm_data_dir

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

NODES = 16
STOPPED = (12, 13, 14, 15, 16)
CRASH_ENV = "SESH_NODE_CRASH_AT"
WRONG_SHARES_ENV = "SESH_NODE_WRONG_SHARES"


def answer(url: str, method: str, params: dict[str, Any] | None = None) -> Any:
    """The call's result, or None while the node does not answer."""
    try:
        return call(url, method, params)
    except (JsonRpcError, OSError):
        return None


def wait_for(what: str, predicate: Callable[[], bool], seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds:g} s: {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


@dataclass
class Devnet:
    process: subprocess.Popen[str]
    info: dict[str, Any]
    data_dir: Path

    def node(self, index: int) -> dict[str, Any]:
        return self.info["nodes"][index - 1]

    def rpc(self, index: int) -> str:
        return str(self.node(index)["rpc"])

    def height(self, index: int) -> int | None:
        info = answer(self.rpc(index), "get_info")
        return None if info is None else int(info["height"]) - 1

    def sesh(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sesh", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **(env or {})},
            check=False,
        )

    def signed(self, key: str, *args: str) -> subprocess.CompletedProcess[str]:
        """`sesh ARGS --json`, signed with the private key `key`, on this devnet's record."""
        record = str(self.data_dir / "contracts.json")
        return self.sesh(
            *args, "--key-env", "KEY", "--deployment", record, "--json", env={"KEY": key}
        )

    def done(self, key: str, *args: str) -> dict[str, Any]:
        """`signed`, which must succeed: its JSON outcome."""
        finished = self.signed(key, *args)
        assert finished.returncode == 0, finished.stderr
        return dict(json.loads(finished.stdout))

    def staker_key(self, seeded: int) -> str:
        """The private key of the dev account that staked seeded node `seeded` (from 1)."""
        genesis = json.loads((self.data_dir / "genesis.json").read_text())
        address = genesis["seeded"][seeded - 1]["contributors"][0]["address"].lower()
        (key,) = [k for k in dev_keys() if k.address.lower() == address]
        return key.private_key

    def everywhere(self, method: str, holds: Callable[[Any], bool]) -> bool:
        """Whether every node answers `method` (no parameters) with a reply that `holds`."""
        for index in range(1, NODES + 1):
            reply = answer(self.rpc(index), method)
            if reply is None or not holds(reply):
                return False
        return True

    def control(self, *args: str) -> dict[str, Any]:
        done = self.sesh("devnet", "node", *args, "--data-dir", str(self.data_dir), "--json")
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory, build_cache: Path) -> Iterator[Devnet]:
    data_dir = warm_data_dir(tmp_path_factory.mktemp("network") / "devnet", build_cache)
    log = open(data_dir.parent / "devnet.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "sesh", "devnet", "--nodes", str(NODES), "--port", "0", "--json",
         "--fast-timers", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, (data_dir.parent / "devnet.log").read_text()[-3000:]
    info = json.loads(line)
    devnet = Devnet(process, info, data_dir)
    try:
        yield devnet
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(120)
        log.close()


def test_stopping_the_devnet_stops_every_node(
    tmp_path_factory: pytest.TempPathFactory, build_cache: Path
) -> None:
    """Its own small devnet, killed with SIGKILL: the kernel takes the nodes with it. First in
    the module, before the 16-node devnet loads the machine."""
    data_dir = warm_data_dir(tmp_path_factory.mktemp("killed") / "devnet", build_cache)
    process = subprocess.Popen(
        [sys.executable, "-m", "sesh", "devnet", "--nodes", "4", "--port", "0", "--json",
         "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    pids = [node["pid"] for node in info["nodes"]]
    assert all(alive(pid) for pid in pids)
    process.kill()
    process.wait(30)
    wait_for("every node process gone", lambda: not any(alive(pid) for pid in pids), 30)


def test_the_json_line_names_every_node_and_they_all_answer(devnet: Devnet) -> None:
    nodes = devnet.info["nodes"]
    assert len(nodes) == NODES
    for node in nodes:
        assert set(node) >= {"key", "rpc", "pid", "data_dir"}
        assert len(node["key"]) == 64 and alive(node["pid"])
        listed = call(node["rpc"], "get_service_nodes")["service_node_states"]
        assert len(listed) == NODES


def test_sixteen_processes_agree_on_every_block_and_state(devnet: Devnet) -> None:
    everywhere = range(1, NODES + 1)
    wait_for(
        "height 8 everywhere", lambda: all((devnet.height(i) or 0) >= 8 for i in everywhere), 120
    )
    for height in range(1, 9):
        headers = {
            (h["hash"], h["state_hash"])
            for i in range(1, NODES + 1)
            for h in [call(devnet.rpc(i), "get_block", {"height": height})["block_header"]]
        }
        assert len(headers) == 1, f"nodes disagree at height {height}"


def immutable(devnet: Devnet, index: int) -> int:
    info = answer(devnet.rpc(index), "get_info")
    return -1 if info is None else int(info["immutable_height"])


def test_five_killed_blocks_and_checkpoints_go_on_and_back_they_take_part(devnet: Devnet) -> None:
    watcher = 1
    for index in STOPPED:
        os.kill(devnet.node(index)["pid"], signal.SIGKILL)
    height, final = devnet.height(watcher) or 0, immutable(devnet, watcher)
    wait_for("10 more blocks", lambda: (devnet.height(watcher) or 0) >= height + 10, 120)
    wait_for("finality moves on", lambda: immutable(devnet, watcher) >= final + 8, 120)
    for index in STOPPED:
        assert not alive(devnet.node(index)["pid"]), "a stopped node must stay stopped"
        started = devnet.control("start", str(index))
        devnet.info["nodes"][index - 1] = {**devnet.node(index), **started}
    top = devnet.height(watcher) or 0
    wait_for(
        "the restarted nodes caught up",
        lambda: all((devnet.height(i) or 0) >= top for i in STOPPED),
        120,
    )
    keys = {devnet.node(i)["key"] for i in STOPPED}

    def took_part() -> bool:
        now = devnet.height(watcher) or 0
        for h in range(top + 1, now + 1):
            header = call(devnet.rpc(watcher), "get_block", {"height": h})["block_header"]
            if keys & ({header["producer"]} | set(header["validators"])):
                return True
        return False

    wait_for("a restarted node produces or validates", took_part, 120)


def test_a_node_killed_while_writing_a_block_loses_nothing_it_accepted(devnet: Devnet) -> None:
    """The node is started again by hand with the crash hook, which kills it (SIGKILL) inside the
    transaction that writes block `crash_at`. A batch caught up is one transaction, so the blocks
    just below it may go with it; what was committed before stays, and nothing is half-written."""
    index = 2
    pid = devnet.node(index)["pid"]
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    devnet.control("stop", str(index))
    store = Path(devnet.node(index)["data_dir"]) / "node.sqlite"
    before = _stored(store)
    crash_at = max(before) + 3
    try:
        crashed = subprocess.run(
            [c.decode() for c in command],
            env={**os.environ, CRASH_ENV: str(crash_at)},
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert crashed.returncode == -signal.SIGKILL
        after = _stored(store)
        assert max(before) <= max(after) < crash_at
        assert sorted(after) == list(range(min(after), max(after) + 1)), "a gap in the store"
        assert all(after[h] == hash_ for h, hash_ in before.items())
    finally:
        started = devnet.control("start", str(index))
        devnet.info["nodes"][index - 1] = {**devnet.node(index), **started}
    top = devnet.height(1) or 0
    wait_for("it catches up", lambda: (devnet.height(index) or 0) >= top, 120)
    for height in range(max(before), max(after) + 1):
        block = call(devnet.rpc(index), "get_block", {"height": height})["block_header"]
        assert bytes.fromhex(block["hash"]) == after[height]


def _stored(store: Path) -> dict[int, bytes]:
    with sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True) as db:
        return {int(h): bytes(b) for h, b in db.execute("SELECT height, hash FROM blocks")}


def test_a_registration_is_confirmed_by_quorum_votes(devnet: Devnet) -> None:
    added = devnet.control("add")
    keys_dir = added["keys"]
    operator = dev_keys()[2]
    staked = devnet.sesh(
        "stake", "--keys", keys_dir, "--key-env", "OPERATOR_KEY", "--json",
        "--deployment", str(devnet.data_dir / "contracts.json"),
        env={"OPERATOR_KEY": operator.private_key},
    )  # fmt: skip
    assert staked.returncode == 0, staked.stderr
    key = added["key"]

    def pending() -> bool:
        events = (answer(devnet.rpc(1), "get_pending_events") or {}).get("pending_events", [])
        return any(key in json.dumps(event) for event in events)

    wait_for("the registration is pending", pending, 90)

    def listed(reply: dict[str, Any]) -> bool:
        states = reply.get("service_node_states", [])
        return key in {s.get("service_node_pubkey") for s in states}

    wait_for(
        "every node lists the new node",
        lambda: devnet.everywhere("get_service_nodes", listed),
        120,
    )


def test_a_staker_claims_what_the_network_signed_and_later_only_the_difference(
    devnet: Devnet,
) -> None:
    """`sesh claim`: the node's `bls_rewards_request`, the aggregate checked by the verb, then
    updateRewardsBalance and claimRewards; a second claim pays exactly what was earned since.
    (The stopped and restarted nodes of the tests above sign again.)"""
    genesis = json.loads((devnet.data_dir / "genesis.json").read_text())
    address = genesis["seeded"][0]["contributors"][0]["address"]
    key = devnet.staker_key(1)
    deployment = str(devnet.data_dir / "contracts.json")

    def claim() -> dict[str, Any]:
        return devnet.done(key, "claim")

    first = claim()
    assert first["claimed"] > 0 and first["address"].lower() == address.lower()
    final = immutable(devnet, 1)
    wait_for("finality moves on", lambda: immutable(devnet, 1) >= final + 4, 120)
    second = claim()
    assert second["height"] > first["height"]
    assert second["claimed"] == second["signed_amount"] - first["signed_amount"] > 0

    shown = devnet.sesh("rewards", address, "--deployment", deployment, "--json")
    assert shown.returncode == 0, shown.stderr
    rewards = json.loads(shown.stdout)
    assert rewards["recorded"] == rewards["claimed"] == second["signed_amount"]
    assert rewards["earned"] >= rewards["recorded"] and rewards["claimable"] >= 0
    assert rewards["limit_available"] > 0 and rewards["limit_resets_at"] > time.time() - 60

    unreachable = devnet.sesh(
        "claim", "--key-env", "STAKER_KEY", "--deployment", deployment,
        "--node", "http://127.0.0.1:9/json_rpc", env={"STAKER_KEY": key},
    )  # fmt: skip
    assert unreachable.returncode == 1
    assert unreachable.stderr.strip().startswith("sesh claim: error: cannot reach the node")


def test_a_node_that_signs_wrong_shares_is_named_and_the_claim_still_passes(
    devnet: Devnet,
) -> None:
    """Node 8 started again by hand with the wrong-shares hook: every share it sends is over
    another message. `sesh claim` still passes, with node 8 as the one non-signer, and the node
    that aggregated names it in its log."""
    index = 8
    genesis = json.loads((devnet.data_dir / "genesis.json").read_text())
    key = devnet.staker_key(3)
    pid = devnet.node(index)["pid"]
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    devnet.control("stop", str(index))
    liar = subprocess.Popen(
        [c.decode() for c in command],
        env={**os.environ, WRONG_SHARES_ENV: "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        rpc = devnet.rpc(index)
        wait_for("the liar answers", lambda: answer(rpc, "get_info") is not None, 60)
        final = immutable(devnet, 1)
        wait_for("finality moves on", lambda: immutable(devnet, 1) >= final + 2, 120)
        assert devnet.done(key, "claim")["non_signer_ids"] == [
            genesis["seeded"][index - 1]["service_node_id"]
        ]
        log = (Path(devnet.node(1)["data_dir"]).parent / "node.log").read_text()
        assert f"dropped the bad share(s) of {devnet.node(index)['key']}" in log
    finally:
        liar.send_signal(signal.SIGTERM)
        liar.wait(60)
        started = devnet.control("start", str(index))
        devnet.info["nodes"][index - 1] = {**devnet.node(index), **started}


def test_a_multi_contributor_node_pays_fee_and_shares_and_the_claims_are_exact(
    devnet: Devnet,
) -> None:
    """A node made with `sesh devnet node add`, staked through a contribution contract by an
    operator (10 % fee, 60 SESH) and a contributor (60 SESH): once it is paid, the network's
    balances split 55:45, and each one's `sesh claim` moves exactly the balance the ledger
    gives at the signed height (`get_accrued_rewards`) into the wallet."""
    added = devnet.control("add")
    operator, contributor = dev_keys()[3], dev_keys()[1]
    sesh = devnet.done
    made = sesh(
        operator.private_key, "contribution", "create", "--keys", added["keys"], "--fee", "10",
        "--amount", "60",
    )  # fmt: skip
    joined = sesh(contributor.private_key, "contribution", "contribute", made["contract"],
                  "--amount", "60")  # fmt: skip
    assert joined["node_id"] is not None  # the completing contribution registered the node
    assert call(devnet.rpc(1), "get_info")["nettype"] == "devnet"  # of the devnet-fast profile
    addresses = [operator.address.lower(), contributor.address.lower()]

    def balances(height: int) -> list[int]:
        reply = call(
            devnet.rpc(1), "get_accrued_rewards", {"addresses": addresses, "height": height}
        )
        return [int(reply["balances"][a]) for a in addresses]

    def paid() -> bool:
        final = immutable(devnet, 1)
        return min(balances(final)) > 0

    wait_for("the node is paid, and final", paid, 180)
    height = immutable(devnet, 1)
    fee_side, share_side = balances(height)
    # 10 % fee, then half each: 55 % and 45 % (each block's remainder carried, not lost).
    assert abs(fee_side * 45 - share_side * 55) <= 55 * 45 * 4, (fee_side, share_side)

    for key, address in zip((operator, contributor), addresses, strict=True):
        claimed = sesh(key.private_key, "claim")
        signed_at = int(claimed["height"])
        (expected,) = [
            b for a, b in zip(addresses, balances(signed_at), strict=True) if a == address
        ]
        assert claimed["signed_amount"] == expected
        assert claimed["claimed"] == expected  # the first claim: everything the ledger gives


def test_a_node_exits_with_the_networks_signature_and_another_is_liquidated(
    devnet: Devnet,
) -> None:
    """`sesh exit request` for two seeded nodes (named by their Ed25519 keys); `sesh exit`
    refused while the node unlocks, then accepted once the network lists it; the other node
    left to its grace period is liquidated by `sesh liquidator run --once`, which is paid the
    contract's share."""
    genesis = json.loads((devnet.data_dir / "genesis.json").read_text())
    leaving, dropped = genesis["seeded"][9], genesis["seeded"][10]

    def key_of(entry: dict[str, Any]) -> str:
        return devnet.staker_key(genesis["seeded"].index(entry) + 1)

    def sesh(*args: str, key: str) -> subprocess.CompletedProcess[str]:
        return devnet.signed(key, *args)

    for entry in (leaving, dropped):
        done = sesh("exit", "request", entry["ed25519_pubkey"], key=key_of(entry))
        assert done.returncode == 0, done.stderr
        assert "unlock period (20 s on the devnet-fast network" in done.stderr
        assert json.loads(done.stdout)["node_id"] == entry["service_node_id"]
    early = sesh("exit", str(leaving["service_node_id"]), key=key_of(leaving))
    assert early.returncode == 1
    assert "it cannot be removed" in early.stderr, early.stderr  # registered, or unlocking

    def listed() -> dict[str, dict[str, Any]]:
        entries = answer(devnet.rpc(1), "bls_exit_liquidation_list") or []
        return {"0x" + e["service_node_pubkey"]: e for e in entries}

    wanted = {leaving["ed25519_pubkey"], dropped["ed25519_pubkey"]}
    wait_for("both nodes unlocked", lambda: listed().keys() >= wanted, 120)
    staker = leaving["contributors"][0]["address"].lower()

    def balance() -> int:
        return int(
            call(devnet.rpc(1), "get_accrued_rewards", {"addresses": [staker]})["balances"][staker]
        )

    before = balance()
    done = sesh("exit", str(leaving["service_node_id"]), key=key_of(leaving))
    assert done.returncode == 0, done.stderr
    exited = json.loads(done.stdout)
    assert exited["signed"] and exited["deposit"] == int(leaving["contributors"][0]["amount"])
    # The network confirms the exit: the stake comes back in the staker's signed balance.
    wait_for("the stake is back", lambda: balance() >= before + exited["deposit"], 120)

    due = listed()[dropped["ed25519_pubkey"]]["liquidation_height"]
    wait_for("the grace period over", lambda: (devnet.height(1) or 0) >= due, 120)
    liquidator = dev_keys()[7]
    done = sesh("liquidator", "run", "--once", key=liquidator.private_key)
    assert done.returncode == 0, done.stderr
    (liquidation,) = json.loads(done.stdout)["liquidations"]
    assert liquidation["node_id"] == dropped["service_node_id"]
    assert liquidation["reward"] == liquidation["deposit"] * 3 // 10_000  # ratios 3/17/9980

    def gone(entries: list[dict[str, Any]]) -> bool:
        return not {"0x" + e["service_node_pubkey"] for e in entries} & wanted

    wait_for(
        "both exits confirmed by every node",
        lambda: devnet.everywhere("bls_exit_liquidation_list", gone),
        120,
    )


def test_a_claim_passes_with_a_third_of_the_nodes_stopped_and_more_is_refused(
    devnet: Devnet,
) -> None:
    """A third of the registered nodes (rounded down: 5 when the tests before leave 16) stopped:
    `sesh claim` passes with them as non-signers. One more stopped: the claim is refused, saying
    why, before any transaction."""
    states = call(devnet.rpc(1), "get_service_nodes")["service_node_states"]
    registered = {s["service_node_pubkey"] for s in states}
    limit = len(registered) // 3
    candidates = [i for i in range(NODES, 1, -1) if devnet.node(i)["key"] in registered]
    stopped: list[int] = []
    try:
        for index in candidates[:limit]:
            devnet.control("stop", str(index))
            stopped.append(index)
        final = immutable(devnet, 1)
        wait_for("finality moves on", lambda: immutable(devnet, 1) >= final + 4, 120)
        assert len(devnet.done(devnet.staker_key(1), "claim")["non_signer_ids"]) == limit

        one_more = candidates[limit]
        devnet.control("stop", str(one_more))
        stopped.append(one_more)
        before = call(devnet.rpc(1), "get_info")["height"]
        wait_for(
            "a block with one more stopped", lambda: (devnet.height(1) or 0) >= before + 1, 120
        )
        refused = devnet.signed(devnet.staker_key(2), "claim")
        assert refused.returncode == 1
        assert (
            f"the contract accepts at most {limit} non-signers, and {limit + 1} did not sign"
            in refused.stderr
        ), refused.stderr
        assert "recorded the signed balance" not in refused.stderr
    finally:
        for index in stopped:
            started = devnet.control("start", str(index))
            devnet.info["nodes"][index - 1] = {**devnet.node(index), **started}
