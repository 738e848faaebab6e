"""`sesh devnet`: the whole Session Network on one machine, from one command.

For now the devnet is its foundation: the local L2 chain (anvil, through ``sesh.evm.anvil``)
with the contract set deployed on it (``contracts``), seeded with the devnet's nodes and then
started, with the genesis of the network chain written for them (``seeding``), every dev
account holding SESH and wOXEN, so that a node or a test can register at once, and two examples
to play with (``examples``). Later layers run the nodes and the portal on top of the same data
directory (``layout`` names its files). The chain's state lives in
``<data dir>/chain/``, so Ctrl-C keeps it and the next run resumes it. Compiled contracts are
cached in ``<data dir>/build/``: compiling takes about ten seconds, which would otherwise be most
of every fresh start. What the user sees is built in ``report``.

This module is the command itself: its parser, and the run loop that starts the parts, prints
where they are, and stops them in order on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sesh.cli.shell.signals import stop_on_signals
from sesh.devnet import clock, control
from sesh.devnet.chain_guard import (
    TipRecord,
    TipRecorder,
    find_lost_blocks,
    loss_message,
    read_tip,
    record_loss,
)
from sesh.devnet.contracts import (
    DevnetContracts,
    DevnetContractsError,
    devnet_contract_names,
    ensure_contracts,
)
from sesh.devnet.layout import (
    CHAIN_DIR,
    CONTRACTS_FILE,
    DEFAULT_DATA_DIR,
    NETWORK_FILE,
    STATE_FILE,
)
from sesh.devnet.live import live_status, refresh
from sesh.devnet.netns import Namespaces, NetnsError
from sesh.devnet.netns import available as netns_available
from sesh.devnet.netns import remove_stale as remove_stale_namespaces
from sesh.devnet.network import NetworkError, NetworkWatch, start_network
from sesh.devnet.nodes import Supervisor
from sesh.devnet.payout import Payer, describe_claim_limit, set_claim_limit
from sesh.devnet.report import HISTORY_NOTE, describe, print_human
from sesh.devnet.seeding import DEFAULT_NODES, forget_nodes
from sesh.evm.anvil import (
    DEFAULT_PORT,
    Anvil,
    AnvilError,
    BlockHead,
    PortInUseError,
    StateFileInUseError,
)
from sesh.ledger.params import DEVNET, DEVNET_FAST

if TYPE_CHECKING:
    from rich.live import Live

IDLE_BLOCK_SECONDS = 1.0
"""An idle devnet still makes a block this often (anvil's mixed mining), so that its clock moves
and an event is past any small number of confirmations within seconds. Transactions are still
mined at once (automine), not on this beat: interval mining alone would make every transaction
wait up to a second for its block, and `sesh stake` (approve, then register) twice as long."""

__all__ = [
    "CONTRACTS_FILE",
    "DEFAULT_DATA_DIR",
    "DEFAULT_PORT",
    "DevnetContracts",
    "devnet_contract_names",
    "ensure_contracts",
    "register",
    "run",
]

_PARAGRAPHS = (
    "Run a local Session Network devnet. Today that is its L2 chain: anvil (pinned, hardfork "
    "cancun, chain id 31337) on 127.0.0.1, with ten funded dev accounts whose private keys are "
    "printed (they are the public anvil test keys: never send real funds to them).",
    "On a new chain the contract set is deployed from dev account 0 with the `devnet` profile "
    "of `sesh deploy` (stake 120 SESH, no minimum exit age): SESH, RewardRatePool (funded with "
    "40,000,000 SESH), BLSVerifier, ServiceNodeRewards, the ServiceNodeContributionFactory, a "
    "wOXEN stand-in and the TokenConverter (stocked with 10,000,000 SESH). Every other dev "
    "account gets 1,000,000 SESH and 100,000 wOXEN. The addresses are printed and saved in "
    "DATA_DIR/contracts.json; compiled contracts are cached in DATA_DIR/build/.",
    "Before ServiceNodeRewards is started, it is seeded (seedPublicKeyList) with --nodes new "
    "nodes, as the Session Network's was at its Landing hardfork: each gets its own keys in "
    "DATA_DIR/nodes/I/keys/ and is staked by one dev account (accounts 4 to 9 in turn). Then "
    "the contract is started, the seeded stakes are moved into it from dev account 0 (seeding "
    "moves no tokens), and the network chain's genesis, the seeded nodes and the L2 block the "
    "chain starts at, is written to DATA_DIR/genesis.json, for the network's nodes to start "
    "from.",
    "Two examples are made to play with (DATA_DIR/examples.json): an open multi-contributor "
    "node, whose operator (dev account 1) has put in 30 SESH with 20 SESH reserved for dev "
    "account 2 and the rest open to anyone, and a vesting lock holding 1,000 SESH for dev "
    "account 3, which can stake at once (see `sesh contribution`, `sesh vesting`).",
    "The chain's state is kept in DATA_DIR/chain/, saved within milliseconds of every block "
    "with transactions (and on exit), so Ctrl-C, or even a kill -9, stops the chain and the "
    "next `sesh devnet` resumes where it left off: same balances, same contracts, same blocks, "
    "nothing deployed again, the same genesis and node keys. If blocks were made but not saved "
    "(the devnet and anvil killed together), the resume says which were lost. Use --fresh to "
    "start over (new node keys, a new genesis). Note: "
    f"{HISTORY_NOTE}.",
    "Transactions are mined at once, and an idle chain still makes a block every second, so its "
    "clock moves and events become safe with confirmations above zero. `sesh devnet advance` "
    "moves the running chain's clock forward.",
    "The command runs until it gets Ctrl-C (SIGINT) or SIGTERM.",
)
# Wrapped here because the epilog's example table needs the raw formatter, which wraps nothing.
DESCRIPTION = "\n\n".join(textwrap.fill(paragraph, 92) for paragraph in _PARAGRAPHS)

EPILOG = """\
examples:
  sesh devnet                       start, or resume the chain in ./devnet-data
  sesh devnet --fresh               throw the saved chain away and start a new one
  sesh devnet --fresh --nodes 0     a new chain without seeded nodes (no genesis.json)
  sesh devnet --port 0 --json       pick a free port; print one JSON object for scripts
  sesh devnet advance +24h          move the running devnet's L2 clock a day on"""


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
        "(the contracts are deployed again, the nodes seeded with new keys)",
    )
    parser.add_argument(
        "--nodes",
        type=_node_count,
        metavar="N",
        help="seed a new chain's rewards contract with N nodes, each with its own keys in "
        "DIR/nodes/I/keys/, and write the network chain's genesis to DIR/genesis.json; 0 seeds "
        f"none and writes no genesis (default: {DEFAULT_NODES}). A resumed chain keeps its "
        "nodes: use it with --fresh",
    )
    parser.add_argument(
        "--fast-timers",
        action="store_true",
        help="a new chain's network waits seconds where the devnet waits minutes (first reward "
        "10 s after staking, exit 20 s after its request, liquidation 10 s after that): for "
        "tests and quick demos; a resumed chain keeps its timers",
    )
    parser.add_argument(
        "--claim-limit",
        type=_claim_limit,
        metavar="SESH[/DURATION]",
        help="set the rewards contract's network-wide claim limit (claimThreshold), and "
        "optionally its cycle (claimCycle, e.g. 10m), at start: to show the limit at work "
        "(the contract's default: 1,000,000 SESH per 12 hours)",
    )
    parser.add_argument(
        "--netns",
        action="store_true",
        help="run the chain and each node in a network namespace of its own, joined by veth "
        "pairs to a bridge, so that their traffic crosses real interfaces (Linux, root); the "
        "namespaces go with the devnet",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the devnet's details as one JSON object on one line of stdout (other messages "
        "go to stderr), then keep running",
    )
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(
        dest="devnet_action", title="verbs for a running devnet", metavar="{advance}"
    )
    clock.add_parser(actions)
    control.add_parser(actions)


def _node_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"not a number of nodes (0 or more): {text!r}")
    return count


def run(args: argparse.Namespace) -> int:
    """Start the chain, print how to reach it, run until SIGINT/SIGTERM, stop it keeping state."""
    data_dir: Path = args.data_dir.resolve()
    messages = sys.stderr if args.json else sys.stdout
    with stop_on_signals(threading.Event()) as stop_requested:
        return _run(args, data_dir, messages, stop_requested)


def _run(
    args: argparse.Namespace, data_dir: Path, messages: TextIO, stop_requested: threading.Event
) -> int:
    chain_dir = data_dir / CHAIN_DIR
    previous = None if args.fresh else read_tip(chain_dir)
    recorder = TipRecorder(chain_dir)
    spaces: Namespaces | None = None
    if args.netns:
        reason = netns_available()
        if reason is not None:
            print(f"sesh devnet: error: --netns: {reason}", file=sys.stderr)
            return 2
        remove_stale_namespaces()
        spaces = Namespaces(os.getpid(), 1)
        try:
            spaces.create()
        except NetnsError as error:
            print(f"sesh devnet: error: --netns: {error}", file=sys.stderr)
            return 1
    try:
        return _run_chain(args, data_dir, messages, stop_requested, previous, recorder, spaces)
    finally:
        if spaces is not None:
            spaces.destroy()


def _run_chain(
    args: argparse.Namespace,
    data_dir: Path,
    messages: TextIO,
    stop_requested: threading.Event,
    previous: TipRecord | None,
    recorder: TipRecorder,
    spaces: Namespaces | None,
) -> int:
    chain_dir = data_dir / CHAIN_DIR
    where: dict[str, Any] = {}
    if spaces is not None:
        where = {"host": spaces.address(0), "launcher": spaces.launcher(0)}
    chain = Anvil(
        **where,
        port=args.port,
        state_file=chain_dir / STATE_FILE,
        fresh=args.fresh,
        block_interval=IDLE_BLOCK_SECONDS,
        # A chain made again (its state lost) gets the same block 0 as before.
        genesis_timestamp=previous.genesis_timestamp if previous else int(time.time()),
        on_blocks=recorder,
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

    supervisor: Supervisor | None = None
    try:
        lost = _check_the_restored_chain(chain, chain_dir, previous, recorder)
        if args.fresh:  # only now: a failed start must not touch a running devnet's nodes
            forget_nodes(data_dir)
        try:
            contracts = ensure_contracts(
                chain.rpc_url,
                data_dir,
                messages,
                args.nodes,
                DEVNET_FAST.name if args.fast_timers else DEVNET.name,
            )
        except DevnetContractsError as error:
            print(f"sesh devnet: error: {error}", file=sys.stderr)
            return 1
        place = _placer(spaces)
        if contracts.genesis is not None:
            try:
                supervisor = start_network(
                    data_dir,
                    contracts.genesis,
                    contracts.path,
                    chain.rpc_url,
                    data_dir / NETWORK_FILE,
                    messages,
                    new_genesis=contracts.deployed,
                    place=place,
                )
            except NetworkError as error:
                print(f"sesh devnet: error: the nodes did not start: {error}", file=sys.stderr)
                return 1
        accounts = chain.dev_accounts()
        info = describe(chain, data_dir, accounts, contracts, lost)
        info["nodes"] = [n.describe() for n in supervisor.nodes] if supervisor else []
        if spaces is not None:
            info["netns"] = {"hub": spaces.hub, "subnet": spaces.subnet + ".0/24"}
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            print_human(info, accounts, sys.stdout)
        watch = NetworkWatch(supervisor, data_dir, place) if supervisor else None
        if args.claim_limit is not None:
            set_claim_limit(chain.rpc, contracts.deployment.service_node_rewards, *args.claim_limit)
            print(f"claim limit: {describe_claim_limit(*args.claim_limit)}", file=messages)
        payer = Payer(chain.rpc, contracts.deployment.reward_rate_pool)
        try:
            payer.start()
        except (AnvilError, OSError) as error:
            print(f"sesh devnet: warning: no pool payouts: {error}", file=sys.stderr)
        with live_status(not args.json) as live:
            if _watch(chain, stop_requested, live, watch, payer):
                return 1
    finally:
        if supervisor is not None:
            supervisor.stop_all()
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


def _claim_limit(text: str) -> tuple[int, int | None]:
    """``--claim-limit 500`` or ``500/10m``: (atoms, cycle seconds or None)."""
    from sesh.units import parse_positive_amount, parse_span

    amount, _, cycle = text.partition("/")
    try:
        return parse_positive_amount(amount), parse_span(cycle) if cycle else None
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _placer(spaces: Namespaces | None) -> Callable[[int], tuple[str, tuple[str, ...]]] | None:
    """Where node i runs: its own namespace (made on first use) with `--netns`; else None."""
    if spaces is None:
        return None

    def place(index: int) -> tuple[str, tuple[str, ...]]:
        spaces.add(index)
        return spaces.address(index), tuple(spaces.launcher(index))

    return place


def _watch(
    chain: Anvil,
    stop_requested: threading.Event,
    live: Live | None,
    network: NetworkWatch | None,
    payer: Payer,
) -> int:
    """Until a stop is asked: carry out `sesh devnet node` requests, pay the pool out, keep the
    live status current, say when saving starts or stops failing, and end with 1 if anvil dies
    (0 on a stop)."""
    save_error: str | None = None
    while not stop_requested.wait(0.5):
        if network is not None:
            network.step()
        payer.step(time.monotonic())
        refresh(live, chain.saver, network.summary if network else "")
        if chain.saver is not None and chain.saver.error != save_error:
            save_error = chain.saver.error
            if save_error is not None:
                print(f"sesh devnet: warning: saving the chain: {save_error}", file=sys.stderr)
        if not chain.running:
            print(
                "sesh devnet: error: the chain (anvil) exited unexpectedly; its log ends:\n"
                + chain.log_tail(),
                file=sys.stderr,
            )
            return 1
    return 0


def _check_the_restored_chain(
    chain: Anvil, chain_dir: Path, previous: TipRecord | None, recorder: TipRecorder
) -> list[int]:
    """Compare the restored chain with the tip the last run recorded; say and record any loss,
    then start recording this run's blocks. Returns the lost block numbers."""

    def block_at(number: int | str) -> BlockHead | None:
        tag = hex(number) if isinstance(number, int) else number
        block = chain.rpc("eth_getBlockByNumber", tag, False)
        return BlockHead.from_rpc(block) if block else None

    restored = chain.restored_block or 0
    lost: list[int] = []
    if previous is not None:
        lost = find_lost_blocks(previous, restored, block_at)
        if lost:
            print(f"sesh devnet: warning: {loss_message(lost, restored)}", file=sys.stderr)
            record_loss(chain_dir, previous, restored, lost)
    genesis, latest = block_at(0), block_at("latest")
    assert genesis is not None and latest is not None
    recorder.prime(genesis, latest)
    return lost
