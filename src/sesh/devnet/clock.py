"""`sesh devnet advance`: move a running devnet's L2 clock forward, and say what that made possible.

Much of staking waits on time: a contributor may withdraw 24 hours after contributing, a vesting
lock releases everything at its end, an exit request must reach the contract's exit age. On a
devnet nobody wants to wait a day, so this verb moves the chain's clock (``evm_increaseTime``,
then ``evm_mine``, so that a block carries the new time at once) and reads back, cheaply, from
the devnet's own examples what the jump opened. It moves L2 time only: nodes keep their own
clocks. The jump is kept across a restart of the devnet (``sesh.evm.anvil`` never lets a resumed
chain's clock run back).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from sesh.devnet.layout import CONTRACTS_FILE, DEFAULT_DATA_DIR, EXAMPLES_FILE
from sesh.evm.anvil import DEFAULT_PORT, HOST, RpcError, json_rpc
from sesh.evm.record import read_deployment
from sesh.units import format_time

WITHDRAWAL_DELAY = 86_400
"""ServiceNodeContribution's WITHDRAWAL_DELAY: how long after contributing a contributor may
withdraw."""

_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 7 * 86_400}
_DURATION = re.compile(r"(\d+)([smhdw])")


def parse_duration(text: str) -> int:
    """``+24h``, ``1d12h``, ``90m``, ``3600`` (seconds) → seconds; ValueError otherwise."""
    body = text.strip().removeprefix("+")
    if body.isdigit():
        seconds = int(body)
    else:
        parts = _DURATION.findall(body)
        if not parts or "".join(number + unit for number, unit in parts) != body:
            raise ValueError(f"{text!r} is not a duration such as +24h, 1d12h, 90m or 3600")
        seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError("the clock only moves forward: give a duration above zero")
    return seconds


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh devnet advance`."""
    parser = subparsers.add_parser(
        "advance",
        help="move the running devnet's L2 clock forward and say what became possible",
        description="Move the L2 clock of a running devnet forward (evm_increaseTime, then one "
        "block is mined at the new time) and say what that made possible on the devnet's "
        "examples: contributions past the 24 h withdrawal delay, a vesting lock past its end. "
        "Only the L2's clock moves; the jump is kept when the devnet restarts.",
    )
    parser.add_argument(
        "duration",
        help="how far: +24h, 1d12h, 90m, 2w, or seconds (3600)",
    )
    parser.add_argument(
        "--rpc",
        metavar="URL",
        help="the devnet's RPC URL (default: the one its deployment record names, else "
        f"http://{HOST}:{DEFAULT_PORT})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="the devnet's data directory, for its examples (default: ./devnet-data)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        seconds = parse_duration(args.duration)
    except ValueError as error:
        print(f"sesh devnet advance: error: {error}", file=sys.stderr)
        return 2
    if args.rpc is None:
        args.rpc = _recorded_rpc(args.data_dir) or f"http://{HOST}:{DEFAULT_PORT}"
    try:
        before = _latest(args.rpc)
        json_rpc(args.rpc, "evm_increaseTime", [seconds])
        json_rpc(args.rpc, "evm_mine")
        after = _latest(args.rpc)
        notes = possibilities(args.rpc, args.data_dir, after["timestamp"])
    except (OSError, RpcError, ValueError) as error:
        message = " ".join(str(error).split())
        print(
            f"sesh devnet advance: error: no devnet answers at {args.rpc} ({message}); "
            "is `sesh devnet` running (--rpc)?",
            file=sys.stderr,
        )
        return 1
    print(
        f"L2 clock moved {after['timestamp'] - before['timestamp']} s forward: now "
        f"{format_time(after['timestamp'])} (block {after['number']})"
    )
    for note in notes:
        print(f"  {note}")
    return 0


def possibilities(rpc_url: str, data_dir: Path, now: int) -> list[str]:
    """What the devnet's examples allow at chain time ``now``, one line each."""
    try:
        examples = json.loads((data_dir / EXAMPLES_FILE).read_text())
        node, lock = examples["open_contribution"], examples["vesting_lock"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"(no examples in {data_dir / EXAMPLES_FILE} to look at)"]
    notes = []
    address = node["address"]
    count = _call_uint(rpc_url, address, "contributorAddressesLength()")
    for index in range(count):
        staker = _call(rpc_url, address, "contributorAddresses(uint256)", index.to_bytes(32))
        contributor = "0x" + staker[12:32].hex()
        since = _call_uint(
            rpc_url, address, "contributionTimestamp(address)", bytes(12) + staker[12:32]
        )
        if since and now - since >= WITHDRAWAL_DELAY:
            notes.append(
                f"open node {address}: {contributor} is past the 24 h withdrawal delay "
                "(sesh contribution withdraw)"
            )
        elif since:
            wait = WITHDRAWAL_DELAY - (now - since)
            notes.append(
                f"open node {address}: {contributor} may withdraw in {_hours(wait)} "
                f"({format_time(since + WITHDRAWAL_DELAY)})"
            )
    end = int(lock["end"])
    if now >= end:
        notes.append(
            f"vesting lock {lock['address']}: ended {format_time(end)}; everything can be released "
            "(sesh vesting release)"
        )
    else:
        notes.append(
            f"vesting lock {lock['address']}: ends in {_hours(end - now)} ({format_time(end)})"
        )
    return notes


def _latest(rpc_url: str) -> dict[str, int]:
    block = json_rpc(rpc_url, "eth_getBlockByNumber", ["latest", False])
    return {"number": int(block["number"], 16), "timestamp": int(block["timestamp"], 16)}


def _call(rpc_url: str, address: str, signature: str, arguments: bytes = b"") -> bytes:
    from eth_utils.crypto import keccak

    data = keccak(signature.encode())[:4] + arguments
    answer: Any = json_rpc(rpc_url, "eth_call", [{"to": address, "data": "0x" + data.hex()}])
    return bytes.fromhex(str(answer).removeprefix("0x"))


def _call_uint(rpc_url: str, address: str, signature: str, arguments: bytes = b"") -> int:
    return int.from_bytes(_call(rpc_url, address, signature, arguments)[:32] or bytes(32))


def _hours(seconds: int) -> str:
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:.1f} days"
    return f"{seconds / 3_600:.1f} h"


def _recorded_rpc(data_dir: Path) -> str | None:
    """The RPC URL the devnet in ``data_dir`` wrote into its deployment record, if any."""
    try:
        return read_deployment(data_dir / CONTRACTS_FILE).rpc_url
    except (OSError, ValueError):
        return None
