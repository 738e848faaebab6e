"""`sesh devnet advance`: move a running devnet's L2 clock forward, and say what that made possible.

Much of staking waits on time: a contributor may withdraw 24 hours after contributing, a vesting
lock releases everything at its end, a node that asked to leave may be removed by anyone 30 days
later. On a devnet nobody wants to wait a day, so this verb moves the chain's clock
(``evm_increaseTime``, then ``evm_mine``, so that a block carries the new time at once) and reads
back what the jump opened: the devnet's example contribution contract and vesting lock, and every
registered node's leave request. It moves L2 time only: nodes keep their own clocks, and the
network's own waits are counted in its blocks. The jump is kept across a restart of the devnet
(``sesh.evm.anvil`` never lets a resumed chain's clock run back).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sesh.cli.shell.defaults import DEFAULT_RPC
from sesh.cli.shell.options import add_json_option
from sesh.devnet.layout import BUILD_DIR, CONTRACTS_FILE, DEFAULT_DATA_DIR, EXAMPLES_FILE
from sesh.evm.contract_set import contract_loader
from sesh.evm.record import Deployment, read_deployment
from sesh.units import format_duration, format_moment, format_time, parse_span

if TYPE_CHECKING:
    from sesh.evm.chain import Chain
    from sesh.evm.compiler import Artifact

WITHDRAWAL_DELAY = 86_400
"""ServiceNodeContribution's WITHDRAWAL_DELAY: how long after contributing a contributor may
withdraw."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh devnet advance`."""
    parser = subparsers.add_parser(
        "advance",
        help="move the running devnet's L2 clock forward and say what became possible",
        description="Move the L2 clock of a running devnet forward (evm_increaseTime, then one "
        "block is mined at the new time) and say what that made possible: contributions of the "
        "example node past the 24 h withdrawal delay, the example vesting lock past its end, "
        "nodes whose leave request is old enough for anyone to remove them. Only the L2's "
        "clock moves; the jump is kept when the devnet restarts.",
    )
    parser.add_argument(
        "duration",
        help="how far: +24h, 1d12h, 90m, 2w, or seconds (3600)",
    )
    parser.add_argument(
        "--rpc",
        metavar="URL",
        help="the devnet's RPC URL (default: the one its deployment record names, else "
        f"{DEFAULT_RPC})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="the devnet's data directory, for its contracts and examples (default: ./devnet-data)",
    )
    add_json_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from sesh.evm.chain import Chain
    from sesh.evm.failures import chain_errors

    try:
        seconds = parse_span(args.duration)
    except ValueError as error:
        print(f"sesh devnet advance: error: {error}", file=sys.stderr)
        return 2
    deployment = _recorded(args.data_dir)
    rpc = args.rpc or (deployment.rpc_url if deployment else None) or DEFAULT_RPC
    chain = Chain(rpc)
    # RuntimeError: an RPC error from anvil.
    failures: tuple[type[Exception], ...] = (*chain_errors(), RuntimeError)
    try:
        before = chain.timestamp()
        chain.rpc("evm_increaseTime", seconds)
        chain.mine()
        now = chain.timestamp()
        block = int(chain.w3.eth.block_number)
        notes = possibilities(chain, deployment, args.data_dir, now) if deployment else []
    except failures as error:
        message = " ".join(str(error).split())
        print(
            f"sesh devnet advance: error: no devnet answers at {rpc} ({message}); "
            "is `sesh devnet` running (--rpc)?",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps({"moved": now - before, "now": now, "block": block, "notes": notes}))
        return 0
    moved = format_duration(now - before)
    print(f"L2 clock moved {moved} forward: now {format_time(now)} (block {block})")
    if deployment is None:
        print(f"  (no deployment record in {args.data_dir} to look at)")
    for note in notes:
        print(f"  {note}")
    return 0


def possibilities(chain: Chain, deployment: Deployment, data_dir: Path, now: int) -> list[str]:
    """What the devnet's contracts allow at chain time ``now``, one line each."""
    load = contract_loader(data_dir / BUILD_DIR)
    notes = _examples(chain, load, data_dir, now)
    rewards = chain.bind(deployment.service_node_rewards, load("ServiceNodeRewards"))
    wait = int(rewards.view("MAX_SERVICE_NODE_EXIT_WAIT_TIME"))
    start = 0
    while True:
        ids, _, start = rewards.view("serviceNodeIDsPage", start, 1_000)
        for node_id in ids:
            requested = int(rewards.view("serviceNodes", node_id)[5])  # leaveRequestTimestamp
            if not requested:
                continue
            allowed = requested + wait
            if now >= allowed:
                notes.append(
                    f"node {node_id}: asked to leave {format_time(requested)}; anyone may now "
                    "remove it (exitBLSPublicKeyAfterWaitTime)"
                )
            else:
                notes.append(
                    f"node {node_id}: asked to leave; anyone may remove it from "
                    f"{format_moment(allowed, now)}, the network's signed exit before"
                )
        if not start:
            return notes


def _examples(chain: Chain, load: Callable[[str], Artifact], data_dir: Path, now: int) -> list[str]:
    """What the devnet's example contribution contract and vesting lock allow at ``now``."""
    try:
        examples = json.loads((data_dir / EXAMPLES_FILE).read_text())
        node, lock = examples["open_contribution"], examples["vesting_lock"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"(no examples in {data_dir / EXAMPLES_FILE} to look at)"]
    notes = []
    contract = chain.bind(node["address"], load("ServiceNodeContribution"))
    for index in range(int(contract.view("contributorAddressesLength"))):
        contributor = contract.view("contributorAddresses", index)[0]  # (addr, beneficiary)
        since = int(contract.view("contributionTimestamp", contributor))
        if since and now - since >= WITHDRAWAL_DELAY:
            notes.append(
                f"open node {contract.address}: {contributor} is past the 24 h withdrawal delay "
                "(sesh contribution withdraw)"
            )
        elif since:
            notes.append(
                f"open node {contract.address}: {contributor} may withdraw from "
                f"{format_moment(since + WITHDRAWAL_DELAY, now)}"
            )
    end = int(lock["end"])
    if now >= end:
        notes.append(
            f"vesting lock {lock['address']}: ended {format_time(end)}; everything can be "
            "released (sesh vesting release)"
        )
    else:
        notes.append(
            f"vesting lock {lock['address']}: ends in {format_duration(end - now)} "
            f"({format_time(end)})"
        )
    return notes


def _recorded(data_dir: Path) -> Deployment | None:
    """The devnet's deployment record in ``data_dir``, if there is one."""
    try:
        return read_deployment(data_dir / CONTRACTS_FILE)
    except (OSError, ValueError):
        return None
