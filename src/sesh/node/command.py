"""`sesh node run` and `sesh node status`."""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sesh.cli.shell.defaults import DEFAULT_RPC, DEVNET_DEPLOYMENT
from sesh.cli.shell.errors import CommandError, run_verb
from sesh.cli.shell.options import add_command, add_signer_options, check_signer_options
from sesh.cli.shell.output import snake_case_keys
from sesh.cli.shell.records import read_record

if TYPE_CHECKING:
    from sesh.evm.record import Deployment
    from sesh.keys import NodeKeys
    from sesh.l2.tracker import Tracker
    from sesh.ledger import NetworkProfile
    from sesh.node.funding import Funding
    from sesh.node.signing import Signer
    from sesh.node.store import Store

DEFAULT_DATA_DIR = Path("node-data")
KEYS_DIR = "keys"
GENESIS_FILE = "genesis.json"
"""Looked for beside the deployment record when --genesis is not given."""

CRASH_AT_ENV = "SESH_NODE_CRASH_AT"
"""Test hook: with ``SESH_NODE_CRASH_AT=H`` the node sends itself SIGKILL while writing block
H, after the block row is written and before the transaction commits. The kill is real
(kill -9); only its timing is chosen. Never set outside tests."""

WRONG_SHARES_ENV = "SESH_NODE_WRONG_SHARES"
"""Test hook: with ``SESH_NODE_WRONG_SHARES=1`` the node answers every signing request it
would sign with a share over another message (a lying or broken node, which a real node cannot
be made into on demand). Never set outside tests."""

_RUN_DESCRIPTION = """\
Run a node of the network: follow the rewards contract on L2, and make the network chain's
blocks with the other nodes, by rotating quorums of the active nodes, over authenticated
connections to its peers; checkpoints finalise the chain. Every block the node accepts is stored
in DATA_DIR/node.sqlite; a stopped or killed node resumes where its store left off and catches up
from its peers. Ctrl-C (SIGINT) or SIGTERM stops it.

The network starts from its genesis file (`sesh devnet` writes DATA_DIR/genesis.json beside
contracts.json), checked against L2 before the node joins. A genesis with one seeded node is a
network of one: that node is its own quorum (`sesh devnet --nodes 1`).

With a signer (--keystore, --key-env or --unlocked) the node also calls the RewardRatePool's
payoutReleased() every --fund-interval seconds, so the rewards contract holds what the network
signs for. With or without one it compares what the ledger has issued with what the pool has
released, and warns (log and `sesh node status`) when the ledger is ahead."""

_RUN_EPILOG = """\
examples:
  sesh node run --keys devnet-data/nodes/1/keys --peer KEY@127.0.0.1:PORT
                        join the devnet (genesis beside devnet-data/contracts.json)
  sesh node run --unlocked --fund-interval 60    ... and fund the rewards contract every minute
  sesh node run --deployment testnet.json --genesis testnet-genesis.json \\
      --rpc https://a.example --rpc https://b.example --data-dir ~/.sesh/testnet-node
  sesh node status --json"""


_HELP = "run a node of the network chain, or show a node's status"
_DESCRIPTION = "Run a node of the network chain (`run`), or show what a node has stored (`status`)."


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh node` (run, status) to the command tree."""
    parser = add_command(subparsers, "node", _HELP, _DESCRIPTION)
    sub = parser.add_subparsers(dest="node_command", metavar="SUBCOMMAND")
    sub.required = True

    run = sub.add_parser(
        "run",
        help="follow L2, make and store a block every block time",
        description=_RUN_DESCRIPTION,
        epilog=_RUN_EPILOG,
    )
    _data_dir_option(run)
    run.add_argument(
        "--rpc",
        metavar="URL",
        action="append",
        help="an L2 JSON-RPC endpoint; repeat for failover, the first is preferred "
        f"(default: the devnet's, {DEFAULT_RPC})",
    )
    run.add_argument(
        "--deployment",
        type=Path,
        metavar="FILE",
        help=f"the deployment record `sesh deploy` wrote (default: {DEVNET_DEPLOYMENT})",
    )
    run.add_argument(
        "--profile",
        choices=("devnet", "devnet-fast", "testnet", "mainnet"),
        help="the network's parameters (block time, waits, rewards); default: the one the "
        "genesis names, else the one for the deployment's chain id",
    )
    run.add_argument(
        "--confirmations",
        type=int,
        metavar="N",
        help="L2 blocks behind the tip before an event counts (default: the profile's, 10 on "
        "the devnet, more than a devnet restart can lose; 280 elsewhere, the reference's 70 s "
        "of Arbitrum)",
    )
    run.add_argument(
        "--halt-height",
        type=int,
        metavar="N",
        help="stop once block N is stored (for scripts and tests)",
    )
    run.add_argument(
        "--snapshot-interval",
        type=int,
        default=1_000,
        metavar="N",
        help="blocks between ledger snapshots in the store (default 1000)",
    )
    run.add_argument(
        "--keys",
        type=Path,
        metavar="DIR",
        help="the node's keys (`sesh keys new`); its Ed25519 key is its identity on the network "
        "(default: DATA_DIR/keys, made on first start)",
    )
    run.add_argument(
        "--fresh",
        action="store_true",
        help="delete the node's store first (its keys are kept) and sync from the start",
    )
    run.add_argument(
        "--fund-interval",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="with a signer: seconds between payoutReleased() calls, sent through the first "
        "--rpc (default 600)",
    )
    network = run.add_argument_group("the network")
    network.add_argument(
        "--genesis",
        type=Path,
        metavar="FILE",
        help="the network's genesis file, checked against L2 before the node joins (default: "
        "genesis.json beside the deployment record, where `sesh devnet` writes it)",
    )
    network.add_argument(
        "--listen",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="where peers reach this node (default 127.0.0.1:0, a free port)",
    )
    network.add_argument(
        "--rpc-listen",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="the node's JSON-RPC (POST /json_rpc; default 127.0.0.1:0, a free port)",
    )
    network.add_argument(
        "--peer",
        action="append",
        default=[],
        metavar="KEY@HOST:PORT",
        help="a node to connect to first (its Ed25519 key in hex); repeat; after that the "
        "network's own address announcements say where nodes are",
    )
    # A signer is optional here: without one the node only checks the funding.
    add_signer_options(run, required=False)
    run.set_defaults(run=_run_command)

    status = sub.add_parser(
        "status",
        help="what a node has stored: height, state hash, L2 height, nodes, rewards, funding",
        description="Show a node's status from its store alone (it works while the node runs, "
        "and without any RPC endpoint).",
    )
    _data_dir_option(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(run=_status_command)


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"the node's directory: its store and keys (default: ./{DEFAULT_DATA_DIR})",
    )


# -- sesh node status ------------------------------------------------------------------------------


def _status_command(args: argparse.Namespace) -> int:
    from sesh.node.store import StoreError

    return run_verb("node status", lambda: _status(args), also=(StoreError, sqlite3.Error))


def _status(args: argparse.Namespace) -> int:
    from sesh.node.status import format_status, read_status
    from sesh.node.store import DB_FILE

    data_dir: Path = args.data_dir
    if not (data_dir / DB_FILE).exists():
        raise CommandError(
            f"no node store in {data_dir} (start a node with `sesh node run --data-dir {data_dir}`)"
        )
    info = read_status(data_dir)
    print(json.dumps(snake_case_keys(info)) if args.json else format_status(info))
    sys.stdout.flush()  # a closed pipe (`| head`) shows here, where run_verb ends it quietly
    return 0


# -- sesh node run ---------------------------------------------------------------------------------


def _run_command(args: argparse.Namespace) -> int:
    from sesh.l2.errors import L2Error
    from sesh.node.follower import NodeError
    from sesh.node.store import StoreError

    node_failures = (NodeError, StoreError, L2Error, sqlite3.Error)
    return run_verb("node run", lambda: _run(args), also=node_failures)


def _profile(args: argparse.Namespace, deployment: Deployment, path: Path) -> NetworkProfile:
    from sesh.ledger import PROFILES

    if args.profile is not None:
        profile = PROFILES[args.profile]
        if profile.l2_chain_id != deployment.chain_id:
            raise CommandError(
                f"profile {profile.name} is for L2 chain {profile.l2_chain_id}, but the "
                f"deployment in {path} is on chain {deployment.chain_id}",
                2,
            )
        return profile
    named = _genesis_network(args.genesis)
    if named in PROFILES and PROFILES[named].l2_chain_id == deployment.chain_id:
        return PROFILES[named]  # the devnet's --fast-timers, say
    for profile in PROFILES.values():
        if profile.l2_chain_id == deployment.chain_id:
            return profile
    raise CommandError(
        f"no profile for chain {deployment.chain_id} (the deployment in {path}); name one with "
        "--profile",
        2,
    )


def _genesis_network(path: Path) -> str | None:
    """The network the genesis file names, if there is a readable one (else the checks of
    `read_network_genesis` say what is wrong, later)."""
    from sesh.node.genesis import GenesisError, load_genesis

    try:
        return load_genesis(path).network
    except (OSError, GenesisError):
        return None


def _check_numbers(args: argparse.Namespace) -> None:
    for option, value, least in (
        ("--confirmations", args.confirmations, 0),
        ("--halt-height", args.halt_height, 1),
        ("--snapshot-interval", args.snapshot_interval, 1),
        ("--fund-interval", args.fund_interval, 0),
    ):
        if value is not None and value < least:
            raise CommandError(f"{option} must be at least {least}, got {value}", 2)


@contextmanager
def _locked(data_dir: Path) -> Iterator[IO[bytes]]:
    """Hold DATA_DIR/node.lock: one node per data dir."""
    from sesh.node.status import LOCK_FILE

    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CommandError(f"another node is running in {data_dir}") from None
        yield handle


def _node_keys(args: argparse.Namespace, data_dir: Path) -> tuple[NodeKeys, Path, bool]:
    """(the node's keys, their directory, whether they were made just now)."""
    from sesh.keys import BLS_FILE, ED25519_FILE, KeyFileError, NodeKeys

    directory: Path = args.keys if args.keys is not None else data_dir / KEYS_DIR
    made = False
    try:
        if args.keys is None and not (directory / ED25519_FILE).exists():
            if (directory / BLS_FILE).exists():
                raise CommandError(f"{directory} has a BLS key but no Ed25519 key")
            NodeKeys.generate().save(directory)
            made = True
        return NodeKeys.load(directory), directory, made
    except KeyFileError as error:
        raise CommandError(str(error)) from None


def _key_registration(
    tracker: Tracker, keys: NodeKeys, directory: Path, made: bool
) -> dict[str, Any]:
    """Whether the node's BLS key is registered in the rewards contract now (logged, and
    stored for `sesh node status`): a node started with keys of its own is not the node an
    operator registered, and should say so."""
    from sesh.l2.errors import L2Error

    node_log = logging.getLogger("sesh.node")
    key = keys.bls_public_key.to_contract()
    record: dict[str, Any] = {
        "directory": str(directory.resolve()),
        "made": made,
        "blsPubkey": [hex(key[0]), hex(key[1])],
        "registered": None,
        "serviceNodeId": None,
    }
    try:
        head = tracker.head()
        nodes = tracker.contract_nodes(head)
    except L2Error as error:
        node_log.warning(
            "cannot tell whether the node's keys in %s are registered: %s", directory, error
        )
        return record
    found = [node_id for node_id, bls in nodes.items() if tuple(bls) == tuple(key)]
    record["registered"] = bool(found)
    record["serviceNodeId"] = found[0] if found else None
    record["l2Height"] = head.number
    if found:
        node_log.info(
            "the node's keys in %s are registered in the rewards contract: node %d",
            directory,
            found[0],
        )
    else:
        node_log.warning(
            "the node's keys in %s%s are NOT registered in the rewards contract: this node "
            "follows the network, but no registered service node is this one (register these keys, "
            "or start with --keys DIR holding the registered node's keys)",
            directory,
            " (made just now)" if made else "",
        )
    return record


def _funding(
    args: argparse.Namespace, deployment: Deployment, tracker: Tracker, store: Store
) -> tuple[Funding, str]:
    from sesh.node.funding import Funding, evm_payer

    payer = None
    how = "no signer: funding is checked, not paid"
    if args.keystore is not None or args.key_env is not None or args.unlocked:
        from sesh.cli.shell.options import open_signer
        from sesh.evm.chain import Chain

        chain = Chain(args.rpc[0])
        signer, how = open_signer(args, chain)
        how = f"payoutReleased() every {args.fund_interval:g} s from {signer.address} ({how})"
        payer = evm_payer(chain, deployment.reward_rate_pool)
    funding = Funding(
        pool=deployment.reward_rate_pool,
        token=deployment.sesh,
        rewards=deployment.service_node_rewards,
        calls_at=tracker.calls_at,
        record=store.set_status,
        payer=payer,
        payout_interval=args.fund_interval,
    )
    return funding, how


def _run(args: argparse.Namespace) -> int:
    from sesh.l2.providers import Providers
    from sesh.l2.tracker import Tracker, TrackerConfig
    from sesh.node.launch import run_network_node
    from sesh.node.store import DB_FILE

    check_signer_options(args)
    _check_numbers(args)
    deployment, path = read_record(args.deployment)
    args.rpc = args.rpc or [deployment.rpc_url or DEFAULT_RPC]
    args.genesis = args.genesis or path.parent / GENESIS_FILE
    profile = _profile(args, deployment, path)
    confirmations = args.confirmations
    if confirmations is None:
        confirmations = profile.l2_confirmations
    data_dir: Path = args.data_dir
    _configure_logging()

    with _locked(data_dir):
        if args.fresh:
            for suffix in ("", "-wal", "-shm"):
                (data_dir / (DB_FILE + suffix)).unlink(missing_ok=True)
        keys, keys_dir, made = _node_keys(args, data_dir)
        try:
            providers = Providers.from_urls(args.rpc, deployment.chain_id)
        except ValueError as error:
            raise CommandError(f"--rpc: {error}", 2) from None
        tracker = Tracker(
            providers,
            TrackerConfig(
                chain_id=deployment.chain_id,
                rewards_contract=deployment.service_node_rewards,
                reward_rate_pool=deployment.reward_rate_pool,
                confirmations=confirmations,
            ),
        )
        return run_network_node(
            args,
            data_dir,
            keys,
            profile,
            tracker,
            funding=lambda store: _funding(args, deployment, tracker, store),
            key_status=lambda: _key_registration(tracker, keys, keys_dir, made),
            before_commit=_crash_hook(),
            signer_type=_wrong_shares_hook(),
        )


def _wrong_shares_hook() -> type[Signer] | None:
    """The signer ``WRONG_SHARES_ENV`` asks for, if it does."""
    if os.environ.get(WRONG_SHARES_ENV) != "1":
        return None
    from sesh.node.signing import WrongShares

    return WrongShares


def _crash_hook() -> Callable[[int], None] | None:
    """The store's before-commit hook that ``CRASH_AT_ENV`` asks for, if it does."""
    value = os.environ.get(CRASH_AT_ENV)
    if not value:
        return None
    try:
        crash_at = int(value)
    except ValueError:
        raise CommandError(f"{CRASH_AT_ENV} must be a block height, got {value!r}", 2) from None

    def crash(height: int) -> None:
        if height == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)

    return crash


class _StderrHandler(logging.Handler):
    """Log lines to whatever ``sys.stderr`` is when they are written."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def _configure_logging() -> None:
    root = logging.getLogger("sesh")
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
