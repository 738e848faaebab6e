"""`sesh deploy` end to end: a real chain, every way of signing, and one-line errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from sesh.cli import main
from sesh.cli.commands import deploy as deploy_command
from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts, load_artifacts
from sesh.evm.profiles import Profile
from sesh.units import SESH

pytestmark = pytest.mark.anvil

KEY = dev_keys()[6].private_key
PASSWORD = "deployer password"


@pytest.fixture(scope="module")
def node() -> Iterator[Anvil]:
    with Anvil(port=0) as anvil:
        yield anvil


@pytest.fixture(scope="module")
def artifacts() -> ContractArtifacts:
    return load_artifacts()  # compiled once here; the command then finds them in the process


Capture = pytest.CaptureFixture[str]
MP = pytest.MonkeyPatch


def sesh_deploy(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["deploy", *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sesh deploy: error: ")
    assert "Traceback" not in err
    return lines[0]


def rewards_of(node: Anvil, artifacts: ContractArtifacts, record: dict[str, Any]) -> Any:
    """The functions of the record's ServiceNodeRewards proxy."""
    address = record["contracts"]["ServiceNodeRewards"]
    return Chain(node.rpc_url).contract(address, artifacts.service_node_rewards).functions


def rewards_state(
    node: Anvil, artifacts: ContractArtifacts, record: dict[str, Any]
) -> tuple[bool, str, int]:
    """(started, owner, staking requirement) of the record's ServiceNodeRewards."""
    rewards = rewards_of(node, artifacts, record)
    return (
        rewards.isStarted().call(),
        rewards.owner().call(),
        rewards.stakingRequirement().call(),
    )


def test_an_unlocked_deployment_writes_the_record_and_leaves_rewards_unstarted(
    node: Anvil, artifacts: ContractArtifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "local.json"
    code, out, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "local", "--out", str(out_file), "--unlocked"
    )
    assert code == 0, err
    record = json.loads(out_file.read_text())
    assert list(record) == ["chainId", "contracts", "implementations", "profile"]
    assert (record["chainId"], record["profile"]) == (31337, "devnet")  # local: the older name
    assert list(record["contracts"]) == [
        "SESH", "RewardRatePool", "ServiceNodeRewards", "BLSVerifier",
        "ServiceNodeContributionFactory", "wOXEN", "TokenConverter",
    ]  # fmt: skip
    assert list(record["implementations"]) == [
        "RewardRatePool", "ServiceNodeRewards", "ServiceNodeContributionFactory",
        "ServiceNodeContribution",
    ]  # fmt: skip
    for address in [*record["contracts"].values(), *record["implementations"].values()]:
        assert address in out
    assert "40,000,000 SESH" in out and "not started" in out
    assert "1 SESH per 2 wOXEN until TGE + 180 days" in out
    assert "TokenConverter      funded with 10,000,000 SESH" in out
    assert rewards_state(node, artifacts, record) == (False, dev_keys()[0].address, 120 * SESH)


def test_a_key_from_the_environment_deploys_and_starts(
    node: Anvil, artifacts: ContractArtifacts, tmp_path: Path, capsys: Capture, monkeypatch: MP
) -> None:
    monkeypatch.setenv("SESH_TEST_DEPLOYER", KEY)
    out_file = tmp_path / "testnet.json"
    code, out, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(out_file),
        "--key-env", "SESH_TEST_DEPLOYER", "--start",
    )  # fmt: skip
    assert code == 0, err
    assert KEY[2:] not in out + err
    assert dev_keys()[6].address in out
    record = json.loads(out_file.read_text())
    assert rewards_state(node, artifacts, record) == (True, dev_keys()[6].address, 20_000 * SESH)


def test_a_keystore_deploys_around_an_existing_token(
    node: Anvil, artifacts: ContractArtifacts, tmp_path: Path, capsys: Capture, monkeypatch: MP
) -> None:
    holder = dev_keys()[8].address
    token = Chain(node.rpc_url).deploy(artifacts.sesh, 10**18, holder, holder, holder)
    keystore = tmp_path / "deployer.json"
    keystore.write_text(json.dumps(Account.encrypt(KEY, PASSWORD, kdf="pbkdf2", iterations=1_000)))
    monkeypatch.setenv("SESH_TEST_PASSWORD", PASSWORD)
    out_file = tmp_path / "mainnet.json"
    code, out, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "mainnet", "--out", str(out_file),
        "--keystore", str(keystore), "--password-env", "SESH_TEST_PASSWORD",
        "--token", token.address,
    )  # fmt: skip
    assert code == 0, err
    assert "not funded" in out
    assert "TokenConverter      not deployed: the profile names no old token" in out
    record = json.loads(out_file.read_text())
    assert record["contracts"]["SESH"] == token.address
    assert "TokenConverter" not in record["contracts"] and "wOXEN" not in record["contracts"]
    assert "ServiceNodeContributionFactory" in record["contracts"]
    rewards = rewards_of(node, artifacts, record)
    assert rewards.designatedToken().call() == token.address
    assert rewards.stakingRequirement().call() == 25_000 * SESH
    assert token.functions.balanceOf(record["contracts"]["RewardRatePool"]).call() == 0


def test_an_old_token_and_a_tge_name_the_converters_input_and_its_late_rate(
    node: Anvil,
    artifacts: ContractArtifacts,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    chain = Chain(node.rpc_url)
    holder = dev_keys()[8].address
    woxen = chain.deploy(artifacts.wrapped_oxen, 10**18, holder, sender=holder)
    tge = chain.timestamp() - 181 * 86_400  # the late rate is in force already
    out_file = tmp_path / "testnet.json"
    code, out, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(out_file),
        "--unlocked", "--old-token", woxen.address, "--tge", str(tge),
    )  # fmt: skip
    assert code == 0, err
    assert f"wOXEN               {woxen.address}  existing token" in out
    record = json.loads(out_file.read_text())
    assert record["contracts"]["wOXEN"] == woxen.address
    converter = chain.contract(record["contracts"]["TokenConverter"], artifacts.token_converter)
    assert converter.functions.tokenA().call() == woxen.address
    assert converter.functions.conversionRateDenominator().call() == 4


@pytest.mark.parametrize(
    "value,complaint",
    [
        ("0x1234", "is not a private key"),
        ("0x" + "22" * 32, "has no ETH on chain 31337"),  # a valid key nobody funded
    ],
    ids=["malformed", "unfunded"],
)
def test_a_bad_key_is_one_line(
    node: Anvil,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    complaint: str,
) -> None:
    monkeypatch.setenv("SESH_TEST_DEPLOYER", value)
    code, _, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(tmp_path / "x.json"),
        "--key-env", "SESH_TEST_DEPLOYER",
    )  # fmt: skip
    assert code == 1
    assert complaint in one_line_error(err)
    assert value[2:] not in err
    assert not (tmp_path / "x.json").exists()


def test_a_wrong_keystore_password_is_one_line(
    node: Anvil, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keystore = tmp_path / "deployer.json"
    keystore.write_text(json.dumps(Account.encrypt(KEY, PASSWORD, kdf="pbkdf2", iterations=1_000)))
    monkeypatch.setenv("SESH_TEST_PASSWORD", "not it")
    code, _, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(tmp_path / "x.json"),
        "--keystore", str(keystore), "--password-env", "SESH_TEST_PASSWORD",
    )  # fmt: skip
    assert code == 1
    assert "wrong password" in one_line_error(err)
    # Without --password-env and without a terminal there is no one to ask.
    code, _, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(tmp_path / "x.json"),
        "--keystore", str(keystore),
    )  # fmt: skip
    assert code == 1
    assert "--password-env" in one_line_error(err)


def refuse_the_rewards_step(patch: pytest.MonkeyPatch) -> None:
    """Make `--profile testnet` one whose liquidation penalties exceed a quarter: SESH, the pool
    and the verifier deploy, then ServiceNodeRewards.initialize refuses."""
    greedy = Profile("testnet", 120 * SESH, 10, 1_000, 1_000, 10, 0)
    patch.setitem(deploy_command.PROFILES, "testnet", greedy)  # type: ignore[index]


def test_a_refused_transaction_is_one_line_naming_the_error(
    node: Anvil, artifacts: ContractArtifacts, tmp_path: Path, capsys: Capture, monkeypatch: MP
) -> None:
    """A profile whose liquidation penalties exceed a quarter: initialize refuses it."""
    refuse_the_rewards_step(monkeypatch)
    out_file = tmp_path / "x.json"
    code, _, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(out_file), "--unlocked"
    )
    assert code == 1
    line = one_line_error(err)
    assert "ServiceNodeRewards refused: LiquidatorPenaltyTooHigh()" in line
    assert "already deployed: SESH 0x" in line
    assert f"kept in {out_file}.partial: run the same command again to resume" in line
    assert not out_file.exists()


def test_an_interrupted_deployment_resumes_without_deploying_anything_twice(
    node: Anvil, artifacts: ContractArtifacts, tmp_path: Path, capsys: Capture, monkeypatch: MP
) -> None:
    out_file = tmp_path / "resumed.json"
    args = ["--rpc", node.rpc_url, "--profile", "testnet", "--out", str(out_file), "--unlocked"]
    with monkeypatch.context() as patch:
        refuse_the_rewards_step(patch)
        code, _, err = sesh_deploy(capsys, *args)
    assert code == 1
    journal = json.loads((tmp_path / "resumed.json.partial").read_text())
    assert (journal["profile"], journal["chainId"]) == ("testnet", 31337)
    done = journal["steps"]
    assert set(done) == {"SESH", "RewardRatePool", "BLSVerifier"}
    chain = Chain(node.rpc_url)
    nonce = chain.w3.eth.get_transaction_count(chain.accounts[0])

    code, out, err = sesh_deploy(capsys, *args)
    assert code == 0, err
    assert "resuming the deployment kept in" in out and "3 step(s) done" in out
    record = json.loads(out_file.read_text())
    assert record["contracts"]["SESH"] == done["SESH"]
    assert record["contracts"]["RewardRatePool"] == done["RewardRatePool"][0]
    assert record["contracts"]["BLSVerifier"] == done["BLSVerifier"]
    assert not (tmp_path / "resumed.json.partial").exists()
    # Nothing was deployed again: the pool still has the token it was made with, and the
    # resumed run sent only the remaining steps' transactions.
    pool = chain.contract(record["contracts"]["RewardRatePool"], artifacts.reward_rate_pool)
    assert pool.functions.beneficiary().call() == record["contracts"]["ServiceNodeRewards"]
    sent = chain.w3.eth.get_transaction_count(chain.accounts[0]) - nonce
    # ServiceNodeRewards (implementation, proxy), the pool's beneficiary and funding, the
    # contribution implementation and factory (2), wOXEN, the converter, its approval and
    # deposit; not SESH (1), the pool (2) or the verifier (1) again.
    assert sent == 11


def test_a_journal_for_another_profile_is_refused(
    node: Anvil, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "other.json"
    (tmp_path / "other.json.partial").write_text(
        json.dumps({"profile": "mainnet", "chainId": 42161, "steps": {"SESH": "0x" + "1" * 40}})
    )
    code, _, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--profile", "testnet", "--out", str(out_file), "--unlocked"
    )
    assert code == 2
    assert "holds an unfinished deployment of profile mainnet to chain 42161" in one_line_error(err)


def test_usage_mistakes_are_refused_before_anything_is_sent(
    node: Anvil, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "taken.json"
    existing.write_text("{}")
    base = ["--rpc", node.rpc_url, "--profile", "testnet"]
    cases = [
        ([*base, "--out", str(existing), "--unlocked"], "never overwritten"),
        ([*base, "--out", str(tmp_path / "a.json"), "--unlocked", "--password-env", "X"],
         "--password-env goes with --keystore"),
        ([*base, "--out", str(tmp_path / "a.json"), "--unlocked", "--token", "0x12"],
         "is not an address"),
        ([*base, "--out", str(tmp_path / "a.json"), "--unlocked", "--old-token", "wOXEN"],
         "--old-token 'wOXEN' is not an address"),
        ([*base, "--out", str(tmp_path / "a.json"), "--unlocked", "--tge", "-5"],
         "--tge -5 is not a unix time"),
    ]  # fmt: skip
    for args, complaint in cases:
        code, _, err = sesh_deploy(capsys, *args)
        assert code == 2
        assert complaint in one_line_error(err)
    assert existing.read_text() == "{}"
    with pytest.raises(SystemExit) as usage:  # no way to sign named: argparse's own message
        main(["deploy", *base, "--out", str(tmp_path / "a.json")])
    assert usage.value.code == 2
    assert "--keystore --key-env --unlocked" in capsys.readouterr().err


def test_the_local_profile_is_refused_on_another_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Anvil(port=0, chain_id=421614) as other:
        code, _, err = sesh_deploy(
            capsys, "--rpc", other.rpc_url, "--profile", "local", "--out",
            str(tmp_path / "x.json"), "--unlocked",
        )  # fmt: skip
    assert code == 2
    assert "profile devnet is for a local chain (id 31337), not chain 421614" in one_line_error(err)


def test_an_unreachable_node_is_one_line_from_the_real_command(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [
            sys.executable, "-m", "sesh.cli", "deploy", "--rpc", f"http://127.0.0.1:{port}",
            "--profile", "local", "--out", str(tmp_path / "x.json"), "--unlocked",
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert one_line_error(result.stderr) == (
        f"sesh deploy: error: cannot reach a node at http://127.0.0.1:{port}"
    )
    assert not (tmp_path / "x.json").exists()


def test_on_a_local_chain_the_profile_defaults_to_local_and_json_prints_the_record(
    node: Anvil, artifacts: ContractArtifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "default.json"
    code, out, err = sesh_deploy(
        capsys, "--rpc", node.rpc_url, "--out", str(out_file), "--unlocked", "--json"
    )
    assert code == 0, err
    printed = json.loads(out)  # stdout is the record alone; progress went to stderr
    assert printed == json.loads(out_file.read_text())
    assert printed["profile"] == "devnet"
    assert "deploying profile devnet to chain 31337" in err
