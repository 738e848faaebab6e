"""`sesh devnet`: the whole Session Network on one machine, from one command.

For now the devnet is its foundation: the local L2 chain (anvil, through ``sesh.evm.anvil``)
with the contract set deployed on it (``sesh.evm.deploy``, profile ``local``, from dev account
0), every dev account holding SESH and wOXEN and the rewards contract started, so that a node or
a test can register at once. Later layers add the nodes and the portal on top of the same data
directory. The chain's state lives in ``<data dir>/chain/``, so Ctrl-C keeps it and the next run
resumes it; the deployment record, ``<data dir>/contracts.json``, is what tells a resumed devnet
that its contracts are already there (it checks that their code is, and deploys again only if
the chain was reset; a record from an older sesh, without the contribution factory or the
converter, is completed: those are deployed beside the contracts already there). Compiled
contracts are cached in ``<data dir>/build/``: compiling takes about ten seconds, which would
otherwise be most of every fresh start.

Besides the contracts, a new devnet makes two examples to play with, with the staking verbs
(``sesh.staking``) themselves, and keeps their addresses in ``<data dir>/examples.json``: an
open multi-contributor node (a factory-made contribution contract, the operator's stake in,
one slot reserved, public slots open) and a vesting lock that can stake at once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from sesh.bls import SecretKey
from sesh.evm.anvil import (
    DEFAULT_PORT,
    DEV_MNEMONIC,
    Anvil,
    AnvilError,
    DevAccount,
    PortInUseError,
    StateFileInUseError,
    dev_keys,
)
from sesh.evm.contract_set import (
    CONTRACT_SOURCES,
    ContractArtifacts,
    contract_loader,
    load_artifacts,
)
from sesh.evm.deploy import DeployError, complete, deploy
from sesh.evm.profiles import PROFILES
from sesh.evm.record import Deployment, missing_contracts, read_deployment, write_deployment
from sesh.keys import BLS_FILE, ED25519_FILE, KeyFileError, NodeKeys
from sesh.units import SESH, format_amount, format_time, plain_amount

if TYPE_CHECKING:
    from sesh.evm.chain import Chain
    from sesh.evm.compiler import Artifact

DEFAULT_DATA_DIR = Path("devnet-data")
CHAIN_DIR = "chain"
STATE_FILE = "state.json"
CONTRACTS_FILE = "contracts.json"
"""The deployment record (``sesh.evm.deploy.Deployment``), as `sesh deploy --out` writes it."""
BUILD_DIR = "build"
"""The compiled-contract cache (``sesh.evm.build_cache``); kept by --fresh."""

EXAMPLES_FILE = "examples.json"
"""The examples' addresses (``DevnetExamples``)."""
NODES_DIR = "nodes"
"""Node keys the devnet made (``nodes/open-node/``: the open example node's)."""

DEVNET_PROFILE = "local"
DEV_ACCOUNT_SESH = 1_000_000 * SESH
"""What each dev account but the deployer (account 0, which keeps the rest) gets: enough for
thousands of local stakes at 120 SESH."""
DEV_ACCOUNT_WOXEN = 100_000 * SESH
"""wOXEN (the stand-in, 9 decimals) each dev account but the deployer gets, to convert."""

OPEN_NODE_OPERATOR = 1
"""The dev account that operates the open example node..."""
OPEN_NODE_RESERVED_FOR = 2
"""...and the one its reserved slot is for."""
OPEN_NODE_FEE = 500
"""Its operator's fee: 5 %, in the contract's 1/100 of a percent."""
OPEN_NODE_OPERATOR_STAKE = 30 * SESH
"""The operator's stake in it: a quarter of the local 120 SESH, the least allowed..."""
OPEN_NODE_RESERVED_STAKE = 20 * SESH
"""...and the reserved slot's (at least 90/9 = 10 SESH, the slot's minimum)."""
VESTING_BENEFICIARY = 3
"""The dev account the example lock is for; dev account 0 funds it and may revoke it."""
VESTING_AMOUNT = 1_000 * SESH
"""What the example lock holds: eight local stakes."""
VESTING_START_DELAY = 60
"""Seconds from now to the lock's start (its constructor wants a start in the future); the
devnet then moves its clock there, so that the lock can stake at once."""
VESTING_DURATION = 30 * 86_400
"""From the lock's start to its end (when it releases everything)."""

_BALANCE_OF_ABI = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]
_IS_STARTED_ABI = [
    {
        "type": "function",
        "name": "isStarted",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "bool"}],
    }
]
"""The two views the summary reads; no need to load artifacts on a resumed devnet for them."""

HISTORY_NOTE = (
    "anvil restores blocks, receipts and the latest state after a restart, "
    "but not the state at older blocks"
)

_PARAGRAPHS = (
    "Run a local Session Network devnet. Today that is its L2 chain: anvil (pinned, hardfork "
    "cancun, chain id 31337) on 127.0.0.1, with ten funded dev accounts whose private keys are "
    "printed (they are the public anvil test keys: never send real funds to them).",
    "On a new chain the contract set is deployed from dev account 0 with the `local` profile "
    "of `sesh deploy` (stake 120 SESH, no minimum exit age): SESH, RewardRatePool (funded with "
    "40,000,000 SESH), BLSVerifier, ServiceNodeRewards, which is started, the "
    "ServiceNodeContributionFactory, a wOXEN stand-in and the TokenConverter (stocked with "
    "10,000,000 SESH). Every other dev account gets 1,000,000 SESH and 100,000 wOXEN. The "
    "addresses are printed and saved in DATA_DIR/contracts.json; compiled contracts are cached "
    "in DATA_DIR/build/.",
    "Two examples are made to play with (DATA_DIR/examples.json): an open multi-contributor "
    "node, whose operator (dev account 1) has put in 30 SESH with 20 SESH reserved for dev "
    "account 2 and the rest open to anyone, and a vesting lock holding 1,000 SESH for dev "
    "account 3, which can stake at once (see `sesh contribution`, `sesh vesting`).",
    "The chain's state is kept in DATA_DIR/chain/ and written on exit (and every few seconds "
    "while running), so Ctrl-C stops the chain cleanly and the next `sesh devnet` resumes where "
    "it left off: same balances, same contracts, same blocks, nothing deployed again. Use "
    f"--fresh to start over. Note: {HISTORY_NOTE}.",
    "The command runs until it gets Ctrl-C (SIGINT) or SIGTERM.",
)
# Wrapped here because the epilog's example table needs the raw formatter, which wraps nothing.
DESCRIPTION = "\n\n".join(textwrap.fill(paragraph, 92) for paragraph in _PARAGRAPHS)

EPILOG = """\
examples:
  sesh devnet                       start, or resume the chain in ./devnet-data
  sesh devnet --fresh               throw the saved chain away and start a new one
  sesh devnet --port 0 --json       pick a free port; print one JSON object for scripts"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh devnet` to the command tree."""
    parser = subparsers.add_parser(
        "devnet",
        help="run the local network (the L2 chain and the contracts for now); Ctrl-C stops "
        "it, state is kept",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="where the devnet keeps its state (chain state and logs in DIR/chain/, contract "
        "addresses in DIR/contracts.json, compiled contracts in DIR/build/); created if missing "
        "(default: ./devnet-data, relative to the current directory)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="TCP port of the chain's JSON-RPC on 127.0.0.1; 0 picks a free one "
        f"(default: {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete the saved chain state in the data directory first and start a new chain "
        "(the contracts are deployed again)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the devnet's details as one JSON object on one line of stdout (other messages "
        "go to stderr), then keep running",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Start the chain, print how to reach it, run until SIGINT/SIGTERM, stop it keeping state."""
    data_dir: Path = args.data_dir.resolve()
    messages = sys.stderr if args.json else sys.stdout
    stop_requested = threading.Event()
    previous_handlers = _install_stop_handlers(stop_requested)
    try:
        return _run(args, data_dir, messages, stop_requested)
    finally:
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)


def _run(
    args: argparse.Namespace, data_dir: Path, messages: TextIO, stop_requested: threading.Event
) -> int:
    chain = Anvil(
        port=args.port,
        state_file=data_dir / CHAIN_DIR / STATE_FILE,
        fresh=args.fresh,
    )
    try:
        chain.start()
    except AnvilError as error:
        hint = ""
        if isinstance(error, PortInUseError):
            hint = " (--port)"
        elif isinstance(error, StateFileInUseError):
            hint = "; stop it, or use another --data-dir"
        print(f"sesh devnet: error: {error}{hint}", file=sys.stderr)
        return 1

    try:
        try:
            contracts = ensure_contracts(chain.rpc_url, data_dir, messages)
        except DevnetContractsError as error:
            print(f"sesh devnet: error: {error}", file=sys.stderr)
            return 1
        accounts = chain.dev_accounts()
        info = _describe(chain, data_dir, accounts, contracts)
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            _print_human(info, accounts, sys.stdout)
        while not stop_requested.wait(0.5):
            if not chain.running:
                print(
                    "sesh devnet: error: the chain (anvil) exited unexpectedly; its log ends:\n"
                    + chain.log_tail(),
                    file=sys.stderr,
                )
                chain.stop()
                return 1
    finally:
        code = chain.stop()

    if code != 0:
        print(f"sesh devnet: warning: anvil exited with code {code}", file=sys.stderr)
    print(f"\nchain stopped; its state is kept in {data_dir / CHAIN_DIR}.", file=messages)
    resume = f"sesh devnet --data-dir {data_dir}"
    if args.port not in (0, DEFAULT_PORT):
        resume += f" --port {args.port}"
    print(
        f"Resume with `{resume}`, or add --fresh to start over.",
        file=messages,
        flush=True,
    )
    return 0


def _install_stop_handlers(stop_requested: threading.Event) -> dict[int, Any]:
    """SIGINT, SIGTERM and SIGHUP (terminal closed) all mean "stop cleanly and keep the state".

    SIGHUP is left alone when it is ignored, so that `nohup sesh devnet &` outlives the terminal.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signum == signal.SIGHUP and signal.getsignal(signum) == signal.SIG_IGN:
            continue
        previous[signum] = signal.signal(signum, handle)
    return previous


# -- the contracts ---------------------------------------------------------------------------


class DevnetContractsError(Exception):
    """The contracts could not be deployed or read; the message is one line."""


@dataclass(frozen=True)
class DevnetExamples:
    """The examples a new devnet makes to play with; kept in ``EXAMPLES_FILE``."""

    open_contribution: str
    """A factory-made ServiceNodeContribution, open for contributions."""
    operator: str
    reserved_for: str
    node_keys: str
    """The directory with the open node's keys."""
    vesting_lock: str
    """A TokenVestingStaking holding SESH for ``beneficiary``."""
    beneficiary: str
    revoker: str
    vesting_start: int
    vesting_end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "open_contribution": {
                "address": self.open_contribution,
                "operator": self.operator,
                "reserved_for": self.reserved_for,
                "node_keys": self.node_keys,
            },
            "vesting_lock": {
                "address": self.vesting_lock,
                "beneficiary": self.beneficiary,
                "revoker": self.revoker,
                "start": self.vesting_start,
                "end": self.vesting_end,
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> DevnetExamples:
        """ValueError (or KeyError/TypeError) for anything but what ``to_json`` writes."""
        node, lock = data["open_contribution"], data["vesting_lock"]
        return cls(
            str(node["address"]),
            str(node["operator"]),
            str(node["reserved_for"]),
            str(node["node_keys"]),
            str(lock["address"]),
            str(lock["beneficiary"]),
            str(lock["revoker"]),
            int(lock["start"]),
            int(lock["end"]),
        )


@dataclass(frozen=True)
class DevnetContracts:
    """The devnet's contract set, as this run found or made it."""

    deployment: Deployment
    path: Path
    """Where the deployment record is kept."""
    deployed: bool
    """True when this run deployed them (a new or reset chain), False when it found them."""
    sesh_balances: dict[str, int]
    """Dev account address → its SESH, in 10**-9 units."""
    started: bool
    """Whether ServiceNodeRewards is started (registrations open)."""
    examples: DevnetExamples
    completed: bool = False
    """True when this run deployed what a record from an older sesh lacked."""
    woxen_balances: dict[str, int] = field(default_factory=dict)
    """Dev account address → its wOXEN, in 10**-9 units."""


def devnet_contract_names() -> tuple[str, ...]:
    """Every contract the devnet deploys or uses, for warming a build cache."""
    return (*CONTRACT_SOURCES.values(), "TokenVestingStaking")


def ensure_contracts(rpc_url: str, data_dir: Path, messages: TextIO) -> DevnetContracts:
    """The contracts on the devnet's chain: the saved ones when their code is there (completed
    if the record lacks newer parts), else a new deployment (``local`` profile, from dev account
    0, started, dev accounts funded), saved; and the examples, made if missing.

    web3 is imported here, not at the top: building the `sesh` parser imports this module, and
    the other commands should not pay most of a second for it.
    """
    from web3 import Web3
    from web3.exceptions import Web3Exception

    from sesh.evm.artifacts import SourceError
    from sesh.evm.chain import Chain
    from sesh.evm.compiler import CompileError
    from sesh.evm.signing import UnlockedAccount

    path = data_dir / CONTRACTS_FILE
    chain = Chain(rpc_url)
    # anvil signs for its dev accounts: no key handling needed, and the node fills the nonces.
    chain.add_signer(UnlockedAccount(Web3.to_checksum_address(dev_keys()[0].address)), default=True)
    try:
        deployment = _saved_deployment(path, messages)
        if deployment is not None and (
            deployment.chain_id != chain.w3.eth.chain_id or missing_contracts(chain, deployment)
        ):
            print(
                f"the contracts in {path} are not on this chain (it was reset): deploying again",
                file=messages,
                flush=True,
            )
            deployment = None
        deployed = deployment is None
        completed = False
        load = contract_loader(data_dir / BUILD_DIR)
        if deployment is None:
            deployment = _deploy(chain, data_dir, messages)
            write_deployment(path, deployment)
        elif deployment.missing_parts():
            deployment = _complete(chain, data_dir, deployment, messages)
            write_deployment(path, deployment)
            completed = True
        examples = _saved_examples(chain, data_dir, messages)
        if examples is None or deployed or completed:
            examples = make_examples(chain, deployment, data_dir, load)
            _write_json(data_dir / EXAMPLES_FILE, examples.to_json())
        token = chain.w3.eth.contract(address=deployment.sesh, abi=_BALANCE_OF_ABI)
        rewards = chain.w3.eth.contract(
            address=deployment.service_node_rewards, abi=_IS_STARTED_ABI
        )
        balances = {
            key.address: int(token.functions.balanceOf(key.address).call()) for key in dev_keys()
        }
        woxen: dict[str, int] = {}
        if deployment.old_token is not None:
            old = chain.w3.eth.contract(address=deployment.old_token, abi=_BALANCE_OF_ABI)
            woxen = {
                key.address: int(old.functions.balanceOf(key.address).call()) for key in dev_keys()
            }
        started = bool(rewards.functions.isStarted().call())
    except (CompileError, SourceError) as error:  # a contract being edited, most likely
        raise DevnetContractsError(f"the contracts do not compile: {error}") from None
    except DeployError as error:
        raise DevnetContractsError(f"deploying the contracts failed: {error}") from None
    except (OSError, Web3Exception, KeyFileError) as error:
        message = " ".join(str(error).split())
        raise DevnetContractsError(f"setting up the contracts failed: {message}") from None
    return DevnetContracts(
        deployment, path, deployed, balances, started, examples, completed, woxen
    )


def _saved_deployment(path: Path, messages: TextIO) -> Deployment | None:
    """The record a previous run saved, if there is a readable one."""
    try:
        return read_deployment(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        print(f"ignoring {path}: {error}", file=messages, flush=True)
        return None


def _saved_examples(chain: Chain, data_dir: Path, messages: TextIO) -> DevnetExamples | None:
    """The examples a previous run saved, if readable and still on the chain."""
    path = data_dir / EXAMPLES_FILE
    try:
        examples = DevnetExamples.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"ignoring {path}: {error}", file=messages, flush=True)
        return None
    if not (chain.has_code(examples.open_contribution) and chain.has_code(examples.vesting_lock)):
        return None
    return examples


def _write_json(path: Path, data: Any) -> None:
    """Write ``data`` atomically, as ``write_deployment`` does."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(partial, path)


def _deploy(chain: Chain, data_dir: Path, messages: TextIO) -> Deployment:
    """Deploy the set from dev account 0, start it, and give every other dev account SESH and
    wOXEN."""
    started_at = time.monotonic()
    print(f"deploying the contracts (profile {DEVNET_PROFILE})…", file=messages, flush=True)
    artifacts = load_artifacts(cache_dir=data_dir / BUILD_DIR)
    deployment = deploy(chain, PROFILES[DEVNET_PROFILE], artifacts, start=True)
    _fund_dev_accounts(chain, artifacts, deployment, sesh=True)
    print(
        f"deployed in {time.monotonic() - started_at:.1f} s; saved to {data_dir / CONTRACTS_FILE}",
        file=messages,
        flush=True,
    )
    return deployment


def _complete(chain: Chain, data_dir: Path, deployment: Deployment, messages: TextIO) -> Deployment:
    """Deploy what an older sesh's record lacks beside its contracts, and hand out the wOXEN."""
    missing = ", ".join(deployment.missing_parts())
    print(
        f"the record in {data_dir / CONTRACTS_FILE} has no {missing} (an older sesh wrote it): "
        "deploying them beside the contracts already there",
        file=messages,
        flush=True,
    )
    artifacts = load_artifacts(cache_dir=data_dir / BUILD_DIR)
    completed = complete(chain, deployment, artifacts, profile=PROFILES[DEVNET_PROFILE])
    if completed.old_token != deployment.old_token:
        _fund_dev_accounts(chain, artifacts, completed, sesh=False)
    return completed


def _fund_dev_accounts(
    chain: Chain, artifacts: ContractArtifacts, deployment: Deployment, *, sesh: bool
) -> None:
    """Every dev account but the deployer gets SESH (if ``sesh``) and wOXEN (if there is a
    stand-in: the deployer holds it)."""
    from sesh.evm.chain import TransactionRefused

    tokens = []
    if sesh:
        tokens.append((chain.contract(deployment.sesh, artifacts.sesh), DEV_ACCOUNT_SESH))
    if deployment.old_token is not None:
        old = chain.contract(deployment.old_token, artifacts.wrapped_oxen)
        tokens.append((old, DEV_ACCOUNT_WOXEN))
    for key in dev_keys()[1:]:
        for token, amount in tokens:
            try:
                chain.transact(token.functions.transfer(key.address, amount))
            except TransactionRefused as error:
                raise DeployError(f"funding {key.address}", error, deployment.contracts) from None


# -- the examples ----------------------------------------------------------------------------


def open_node_keys(data_dir: Path) -> tuple[NodeKeys, Path]:
    """The open example node's keys, in DATA_DIR/nodes/open-node/: derived from a fixed label
    (so a fresh devnet makes the same node every time) and saved there the first time, for a
    node process to run it later."""
    from eth_utils.crypto import keccak
    from nacl.signing import SigningKey

    directory = data_dir / NODES_DIR / "open-node"
    if (directory / BLS_FILE).exists() and (directory / ED25519_FILE).exists():
        return NodeKeys.load(directory), directory
    bls = SecretKey.from_int(int.from_bytes(keccak(b"sesh devnet open node: BLS"), "big"))
    ed25519 = SigningKey(keccak(b"sesh devnet open node: Ed25519"))
    keys = NodeKeys(bls, ed25519)
    keys.save(directory)
    return keys, directory


def make_examples(
    chain: Chain, deployment: Deployment, data_dir: Path, load: Callable[[str], Artifact]
) -> DevnetExamples:
    """Make the examples with the staking verbs' own functions: the open contribution contract
    (dev account 1 operates it, has put in a quarter of the stake, reserved a slot for dev
    account 2; the rest is open), and the vesting lock for dev account 3 (funded and revocable
    by dev account 0), whose start the chain's clock is then moved to."""
    from web3 import Web3

    from sesh.evm.addresses import ZERO_ADDRESS
    from sesh.evm.chain import Chain as ChainType
    from sesh.evm.signing import UnlockedAccount
    from sesh.staking.connection import Connection
    from sesh.staking.contribution import create_contribution
    from sesh.staking.vesting import create_lock

    accounts = [Web3.to_checksum_address(key.address) for key in dev_keys()]

    def as_account(index: int) -> Connection:
        signed = ChainType(chain.rpc_url)
        signed.add_signer(UnlockedAccount(accounts[index]), default=True)
        path = data_dir / CONTRACTS_FILE
        return Connection(signed, deployment, path, load, accounts[index], "unlocked")

    operator = as_account(OPEN_NODE_OPERATOR)
    keys, keys_dir = open_node_keys(data_dir)
    reserved = [
        (accounts[OPEN_NODE_OPERATOR], OPEN_NODE_OPERATOR_STAKE),
        (accounts[OPEN_NODE_RESERVED_FOR], OPEN_NODE_RESERVED_STAKE),
    ]
    contract = create_contribution(operator, keys, fee=OPEN_NODE_FEE, reserved=reserved)
    operator.allow(operator.token, contract, OPEN_NODE_OPERATOR_STAKE, "ServiceNodeContribution")
    operator.chain.transact(
        contract.call("contributeFunds", OPEN_NODE_OPERATOR_STAKE, ZERO_ADDRESS)
    )

    funder = as_account(0)
    start = chain.timestamp() + VESTING_START_DELAY
    lock = create_lock(
        funder,
        beneficiary=accounts[VESTING_BENEFICIARY],
        amount=VESTING_AMOUNT,
        opens=start,
        end=start + VESTING_DURATION,
        revoker=accounts[0],
    )
    if chain.timestamp() < start:
        chain.mine(start)  # staking from the lock works at once
    return DevnetExamples(
        open_contribution=contract.address,
        operator=accounts[OPEN_NODE_OPERATOR],
        reserved_for=accounts[OPEN_NODE_RESERVED_FOR],
        node_keys=str(keys_dir),
        vesting_lock=lock.address,
        beneficiary=accounts[VESTING_BENEFICIARY],
        revoker=accounts[0],
        vesting_start=start,
        vesting_end=start + VESTING_DURATION,
    )


def _describe(
    chain: Anvil, data_dir: Path, accounts: list[DevAccount], contracts: DevnetContracts
) -> dict[str, Any]:
    """Everything a user or a script needs to use the devnet; the --json output as is."""
    assert chain.state_file is not None
    deployment = contracts.deployment
    return {
        "rpc_url": chain.rpc_url,
        "chain_id": chain.chain_id,
        "hardfork": chain.hardfork,
        "data_dir": str(data_dir),
        "state_file": str(chain.state_file),
        "log_file": str(chain.log_file),
        "resumed": chain.resumed,
        "recovered_from_backup": chain.recovered_from_backup,
        "anvil_pid": chain.pid,
        "note": HISTORY_NOTE,
        "mnemonic": DEV_MNEMONIC,
        "profile": deployment.profile,
        "contracts": deployment.contracts,
        "implementations": deployment.implementations,
        "contracts_file": str(contracts.path),
        "contracts_deployed": contracts.deployed,
        "contracts_completed": contracts.completed,
        "rewards_started": contracts.started,
        "examples": contracts.examples.to_json(),
        "examples_file": str(data_dir / EXAMPLES_FILE),
        "accounts": [
            {
                "index": account.index,
                "address": account.address,
                "private_key": account.private_key,
                # Strings: 10,000 ETH in wei does not fit a JavaScript number.
                "balance_wei": str(account.balance_wei),
                "balance_eth": format(account.balance_eth.normalize(), "f"),
                "balance_sesh": plain_amount(contracts.sesh_balances.get(account.address, 0)),
                "balance_woxen": plain_amount(contracts.woxen_balances.get(account.address, 0)),
            }
            for account in accounts
        ],
    }


def _print_human(info: dict[str, Any], accounts: list[DevAccount], out: TextIO) -> None:
    if info["recovered_from_backup"]:
        state = "resumed from the backup (the state file was damaged; see chain/*.corrupt)"
    elif info["resumed"]:
        state = "resumed from the saved state"
    else:
        state = "started fresh"
    rows = [
        ("RPC URL", info["rpc_url"]),
        ("chain id", str(info["chain_id"])),
        ("hardfork", info["hardfork"]),
        ("data dir", info["data_dir"]),
        ("chain", state),
        ("anvil log", info["log_file"]),
    ]
    print("sesh devnet is running\n", file=out)
    for label, value in rows:
        print(f"  {label:<10} {value}", file=out)
    print(f"  {'':<10} ({info['note']})", file=out)

    how = "deployed now" if info["contracts_deployed"] else "deployed by an earlier run"
    if info["contracts_completed"]:
        how += ", completed now"
    print(f"\nContracts (profile {info['profile']}, {how}; {info['contracts_file']}):\n", file=out)
    width = max(len(name) for name in info["contracts"])
    for name, address in info["contracts"].items():
        notes = []
        if name in info["implementations"]:
            notes.append(f"proxy; implementation {info['implementations'][name]}")
        if name == "ServiceNodeRewards":
            notes.append("started" if info["rewards_started"] else "not started")
        if name == "ServiceNodeContributionFactory":
            clones = info["implementations"].get("ServiceNodeContribution")
            notes.append(f"contribution contracts run {clones}")
        if name == "wOXEN":
            notes.append("stand-in for the old token")
        note = f"  ({'; '.join(notes)})" if notes else ""
        print(f"  {name:<{width}} {address}{note}", file=out)

    node, lock = info["examples"]["open_contribution"], info["examples"]["vesting_lock"]
    indent = " " * 16
    print(f"\nExamples to play with ({info['examples_file']}):\n", file=out)
    print(
        f"  open node     {node['address']}  ServiceNodeContribution, open for contributions\n"
        f"{indent}operator {node['operator']} (account {OPEN_NODE_OPERATOR}) has put in "
        f"{format_amount(OPEN_NODE_OPERATOR_STAKE)}\n"
        f"{indent}{format_amount(OPEN_NODE_RESERVED_STAKE)} reserved for {node['reserved_for']} "
        f"(account {OPEN_NODE_RESERVED_FOR})\n"
        f"{indent}sesh contribution show {node['address']}",
        file=out,
    )
    print(
        f"  vesting lock  {lock['address']}  TokenVestingStaking, "
        f"{format_amount(VESTING_AMOUNT)} for {lock['beneficiary']} (account "
        f"{VESTING_BENEFICIARY})\n"
        f"{indent}staking open now; everything released at its end, {format_time(lock['end'])}\n"
        f"{indent}sesh vesting show {lock['address']}",
        file=out,
    )
    print(
        f"  wOXEN         accounts 1 to 9 hold {format_amount(DEV_ACCOUNT_WOXEN, 'wOXEN')} each: "
        "sesh convert --amount 1000 --key-env VAR",
        file=out,
    )

    print(f'\nFunded dev accounts (public test keys, mnemonic "{info["mnemonic"]}"):\n', file=out)
    print(
        f"  {'#':>2}  {'address':<42}  {'balance (ETH)':>16}  {'SESH':>16}  private key", file=out
    )
    for account, shown in zip(accounts, info["accounts"], strict=True):
        balance = f"{account.balance_eth:,.4f}"
        sesh = f"{Decimal(shown['balance_sesh']):,}"
        print(
            f"  {account.index:>2}  {account.address:<42}  {balance:>16}  {sesh:>16}  "
            f"{account.private_key}",
            file=out,
        )
    print("\nPress Ctrl-C to stop; the chain state is kept for the next `sesh devnet`.", file=out)
    out.flush()
