"""`sesh devnet`: the whole Session Network on one machine, from one command.

For now the devnet is its foundation, the local L2 chain (anvil, through ``sesh.evm.anvil``);
later layers add the contracts, the nodes and the portal on top of the same data directory. The
chain's state lives in ``<data dir>/chain/``, so Ctrl-C keeps it and the next run resumes it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import textwrap
import threading
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from sesh.evm.anvil import (
    DEFAULT_PORT,
    DEV_MNEMONIC,
    Anvil,
    AnvilError,
    DevAccount,
    PortInUseError,
    StateFileInUseError,
)

DEFAULT_DATA_DIR = Path("devnet-data")
CHAIN_DIR = "chain"
STATE_FILE = "state.json"

HISTORY_NOTE = (
    "anvil restores blocks, receipts and the latest state after a restart, "
    "but not the state at older blocks"
)

_PARAGRAPHS = (
    "Run a local Session Network devnet. Today that is its L2 chain: anvil (pinned, hardfork "
    "cancun, chain id 31337) on 127.0.0.1, with ten funded dev accounts whose private keys are "
    "printed (they are the public anvil test keys: never send real funds to them).",
    "The chain's state is kept in DATA_DIR/chain/ and written on exit (and every few seconds "
    "while running), so Ctrl-C stops the chain cleanly and the next `sesh devnet` resumes where "
    "it left off: same balances, same contracts, same blocks. Use --fresh to start over. "
    f"Note: {HISTORY_NOTE}.",
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
        help="run the local network (the L2 chain for now); Ctrl-C stops it, state is kept",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="where the devnet keeps its state (chain state and logs in DIR/chain/); created if "
        "missing (default: ./devnet-data, relative to the current directory)",
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
        help="delete the saved chain state in the data directory first and start a new chain",
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
        accounts = chain.dev_accounts()
        info = _describe(chain, data_dir, accounts)
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


def _describe(chain: Anvil, data_dir: Path, accounts: list[DevAccount]) -> dict[str, Any]:
    """Everything a user or a script needs to use the devnet; the --json output as is."""
    assert chain.state_file is not None
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
        "accounts": [
            {
                "index": account.index,
                "address": account.address,
                "private_key": account.private_key,
                # Strings: 10,000 ETH in wei does not fit a JavaScript number.
                "balance_wei": str(account.balance_wei),
                "balance_eth": format(account.balance_eth.normalize(), "f"),
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

    print(f'\nFunded dev accounts (public test keys, mnemonic "{info["mnemonic"]}"):\n', file=out)
    print(f"  {'#':>2}  {'address':<42}  {'balance (ETH)':>16}  private key", file=out)
    for account in accounts:
        balance = f"{account.balance_eth:,.4f}"
        print(
            f"  {account.index:>2}  {account.address:<42}  {balance:>16}  {account.private_key}",
            file=out,
        )
    print("\nPress Ctrl-C to stop; the chain state is kept for the next `sesh devnet`.", file=out)
    out.flush()
