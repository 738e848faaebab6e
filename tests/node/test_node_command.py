"""`sesh node run` and `sesh node status` from the command line: a short run against anvil, and a
one-line error (never a traceback) for every bad input."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from sesh.cli import main
from sesh.node.status import LOCK_FILE

from .conftest import Network, write_deployment

pytestmark = pytest.mark.anvil


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["node", *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, command: str = "sesh node run") -> str:
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith(f"{command}: error: ")
    return lines[0]


@pytest.fixture
def deployment(network: Network, tmp_path: Path) -> Path:
    return write_deployment(network, tmp_path / "contracts.json")


def node_args(network: Network, data_dir: Path, deployment: Path, *more: str) -> list[str]:
    return [
        "run",
        "--data-dir",
        str(data_dir),
        "--rpc",
        network.chain.rpc_url,
        "--deployment",
        str(deployment),
        "--block-time",
        "0",
        *more,
    ]


def test_a_node_runs_to_its_halt_height_and_reports_its_status(
    network: Network, deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "node"
    code, out, err = run(
        node_args(network, data_dir, deployment, "--halt-height", "5", "--unlocked"), capsys
    )
    assert code == 0, err
    assert "devnet profile" in out and "stopped at block 5" in out
    assert "(10 confirmations)" in out  # the devnet profile's
    assert (data_dir / "keys" / "key_ed25519").exists()

    code, out, _ = run(["status", "--data-dir", str(data_dir), "--json"], capsys)
    assert code == 0
    status = json.loads(out)
    assert status["chain"]["height"] == 5 and status["running"] is False
    assert status["chain_id"] == 31337 and status["profile"] == "devnet"
    assert status["payout"]["tx"].startswith("0x")
    assert status["funding"]["height"] >= 1

    code, out, _ = run(["status", "--data-dir", str(data_dir)], capsys)
    assert code == 0
    assert "height         5" in out and "not running" in out

    # Resumes where it stopped.
    code, out, err = run(node_args(network, data_dir, deployment, "--halt-height", "8"), capsys)
    assert code == 0, err
    assert "at block 5" in out and "stopped at block 8" in out


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
    [("--block-time", "-1"), ("--halt-height", "0"), ("--rpc", "ftp://x")],
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
    network: Network, deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
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
        code, _, err = run(node_args(network, data_dir, deployment, "--halt-height", "400"), capsys)
    finally:
        done.set()
        watcher.join()
    assert code == 0, err
    assert seen and seen[0]["running"] is True


def test_the_node_says_whether_its_keys_are_registered_and_where_they_are(
    network: Network, deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    network.start()
    data_dir = tmp_path / "node"
    code, out, err = run(node_args(network, data_dir, deployment, "--halt-height", "1"), capsys)
    assert code == 0, err
    keys_dir = data_dir / "keys"
    assert f"keys {keys_dir}" in out
    assert f"the node's keys in {keys_dir} (made just now) are NOT registered" in err
    code, out, _ = run(["status", "--data-dir", str(data_dir)], capsys)
    assert "NOT registered in the rewards contract (checked at start)" in out
    code, out, _ = run(["status", "--data-dir", str(data_dir), "--json"], capsys)
    assert json.loads(out)["keys"]["registered"] is False

    # Started with the keys of a registered node.
    member = network.register(network.chain.accounts[3])
    registered = tmp_path / "registered-keys"
    member.keys.save(registered)
    other = tmp_path / "other"
    code, out, err = run(
        node_args(network, other, deployment, "--halt-height", "1", "--keys", str(registered)),
        capsys,
    )
    assert code == 0, err
    assert f"keys {registered}" in out
    assert f"are registered in the rewards contract: node {member.id}" in err
    code, out, _ = run(["status", "--data-dir", str(other)], capsys)
    assert f"registered in the rewards contract as node {member.id}" in out
    assert "WARNING" not in out
