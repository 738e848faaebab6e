"""`sesh node run` and `sesh node status` from the command line: a short run against anvil, and a
one-line error (never a traceback) for every bad input."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from sesh.cli import main
from sesh.ledger import DEVNET
from sesh.node.genesis import Genesis
from sesh.node.status import LOCK_FILE

from .conftest import Network, node_run_command, seed_genesis, write_deployment

pytestmark = pytest.mark.anvil


Capture = pytest.CaptureFixture[str]


def run(args: list[str], capsys: Capture) -> tuple[int, str, str]:
    code = main(["node", *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, command: str = "sesh node run") -> str:
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith(f"{command}: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def solo(network: Network, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Genesis]:
    """A network of one on the devnet profile: the seeded node's keys and the genesis."""
    member, genesis = seed_genesis(network, network.chain.accounts[1], DEVNET)
    network.start()
    keys = tmp_path_factory.mktemp("solo") / "keys"
    member.keys.save(keys)
    return keys, genesis


@pytest.fixture
def deployment(network: Network, solo: tuple[Path, Genesis], tmp_path: Path) -> Path:
    """The deployment record, with the genesis beside it (where `sesh devnet` writes it)."""
    (tmp_path / "genesis.json").write_text(solo[1].to_json())
    return write_deployment(network, tmp_path / "contracts.json")


@pytest.fixture
def keys(solo: tuple[Path, Genesis]) -> Path:
    """The keys of the network of one's seeded node: a node with them makes the blocks."""
    return solo[0]


def node_args(network: Network, data_dir: Path, deployment: Path, *more: str) -> list[str]:
    return [
        "run",
        "--data-dir",
        str(data_dir),
        "--rpc",
        network.chain.rpc_url,
        "--deployment",
        str(deployment),
        *more,
    ]


def test_a_node_runs_to_its_halt_height_and_reports_its_status(
    network: Network, deployment: Path, keys: Path, tmp_path: Path, capsys: Capture
) -> None:
    """The network of one makes its blocks with the seeded node's keys (real time: 2 s)."""
    data_dir = tmp_path / "node"
    args = node_args(network, data_dir, deployment, "--halt-height", "4", "--unlocked")
    code, out, err = run([*args, "--keys", str(keys)], capsys)
    assert code == 0, err
    assert "devnet network of 1 seeded node(s)" in out and "stopped at block 4" in out
    assert "(10 confirmations)" in out  # the devnet profile's

    code, out, _ = run(["status", "--data-dir", str(data_dir), "--json"], capsys)
    assert code == 0
    status = json.loads(out)
    assert status["chain"]["height"] == 4 and status["running"] is False
    assert status["chain_id"] == 31337 and status["profile"] == "devnet"
    assert status["payout"]["tx"].startswith("0x")
    assert status["funding"]["height"] >= 1

    code, out, _ = run(["status", "--data-dir", str(data_dir)], capsys)
    assert code == 0
    assert "height         4" in out and "not running" in out

    # Resumes where it stopped.
    args = node_args(network, data_dir, deployment, "--halt-height", "6", "--keys", str(keys))
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "at block 4" in out and "stopped at block 6" in out


def test_a_missing_deployment_is_one_line(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(node_args(network, tmp_path, tmp_path / "none.json"), capsys)
    assert code == 2
    assert "no deployment record at" in one_error_line(err)


def test_a_provider_on_another_chain_is_one_line(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = json.loads(network.deployment.dumps())
    record["chainId"] = 421614
    wrong = tmp_path / "testnet.json"
    wrong.write_text(json.dumps(record))
    code, _, err = run(node_args(network, tmp_path / "node", wrong), capsys)
    assert code == 1
    assert "serves chain 31337, not chain 421614" in one_error_line(err)


def test_a_profile_for_another_chain_is_one_line(
    network: Network, deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(node_args(network, tmp_path, deployment, "--profile", "mainnet"), capsys)
    assert code == 2
    assert "profile mainnet is for L2 chain 42161" in one_error_line(err)


def test_an_unreachable_provider_is_one_line(
    network: Network, deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = node_args(network, tmp_path, deployment)
    args[args.index("--rpc") + 1] = "http://127.0.0.1:9"
    code, _, err = run(args, capsys)
    assert code == 1
    assert "cannot reach an L2 provider" in one_error_line(err)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--snapshot-interval", "0"), ("--halt-height", "0"), ("--rpc", "ftp://x")],
)
def test_bad_options_are_one_line(
    network: Network,
    deployment: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
) -> None:
    args = node_args(network, tmp_path, deployment)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    code, _, err = run(args, capsys)
    assert code == 2
    assert option in one_error_line(err)


def test_a_second_node_on_the_same_data_dir_is_refused(
    network: Network, deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import fcntl

    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / LOCK_FILE, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, _, err = run(node_args(network, tmp_path, deployment), capsys)
        assert code == 1
        assert "another node is running" in one_error_line(err)
        code, _, _ = run(["status", "--data-dir", str(tmp_path)], capsys)
    assert code == 1  # no store yet


def test_status_without_a_store_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["status", "--data-dir", str(tmp_path)], capsys)
    assert code == 1
    assert "no node store in" in one_error_line(err, "sesh node status")


def test_status_works_while_the_node_runs(
    network: Network, deployment: Path, keys: Path, tmp_path: Path, capsys: Capture
) -> None:
    from sesh.node.status import read_status

    data_dir = tmp_path / "node"
    done = threading.Event()
    seen: list[dict[str, object]] = []

    def watch() -> None:
        while not done.is_set():
            if (data_dir / "node.sqlite").exists():
                try:
                    info = read_status(data_dir)
                except Exception:  # the store is being created
                    continue
                if info["chain"] is not None:
                    seen.append(info)
                    return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        args = node_args(network, data_dir, deployment, "--halt-height", "2", "--keys", str(keys))
        code, _, err = run(args, capsys)
    finally:
        done.set()
        watcher.join()
    assert code == 0, err
    assert seen and seen[0]["running"] is True


def test_the_node_says_whether_its_keys_are_registered_and_where_they_are(
    network: Network, deployment: Path, keys: Path, tmp_path: Path, capsys: Capture
) -> None:
    # Keys made at the first start: no registered node is this one. It joins the network and
    # waits for blocks (it has no peer here); the keys' status is written at start.
    data_dir = tmp_path / "node"
    command = node_run_command(data_dir, network.chain.rpc_url, deployment)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        warning = ""
        deadline = time.monotonic() + 60
        while "NOT registered" not in warning and time.monotonic() < deadline:
            warning = process.stderr.readline()
        assert process.stdout is not None
        assert "sesh node:" in process.stdout.readline()  # running: SIGTERM stops it cleanly
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    keys_dir = data_dir / "keys"
    assert f"the node's keys in {keys_dir} (made just now) are NOT registered" in warning
    assert process.returncode == 0
    code, out, _ = run(["status", "--data-dir", str(data_dir)], capsys)
    assert "NOT registered in the rewards contract (checked at start)" in out
    code, out, _ = run(["status", "--data-dir", str(data_dir), "--json"], capsys)
    assert json.loads(out)["keys"]["registered"] is False

    # Started with the keys of a registered node: the seeded one.
    other = tmp_path / "other"
    code, out, err = run(
        node_args(network, other, deployment, "--halt-height", "1", "--keys", str(keys)),
        capsys,
    )
    assert code == 0, err
    assert f"keys {keys}" in out
    assert "are registered in the rewards contract: node 1" in err
    code, out, _ = run(["status", "--data-dir", str(other)], capsys)
    assert "registered in the rewards contract as node 1" in out
    assert "WARNING" not in out
