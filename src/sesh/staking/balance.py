"""`sesh balance`: what an address holds, in every unit the network uses.

A staker's first question after any verb is "what do I have now?": SESH, wOXEN (what the
converter takes in), ETH (what pays for gas), and what ServiceNodeRewards owes the address (its
recorded reward balance, less what it already claimed: claimable with `claimRewards`). Read-only,
so it needs no signer; the address defaults to the signer's when signing options are given.
"""

from __future__ import annotations

import argparse
from typing import Any

from sesh.cli.shell.errors import CommandError
from sesh.cli.shell.options import add_command
from sesh.cli.shell.output import table
from sesh.staking.connection import add_verb, address_option, connect
from sesh.units import format_amount

_DESCRIPTION = """\
Show what an address holds: SESH, wOXEN (when the deployment has a converter), ETH, and its
rewards in ServiceNodeRewards (recorded by the network's signed updates, claimed, and claimable
now). Nothing is sent."""


_HELP = "show an address's SESH, wOXEN, ETH and claimable rewards"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh balance` to the command tree."""
    parser = add_command(subparsers, "balance", _HELP, _DESCRIPTION)
    parser.add_argument("address", metavar="ADDRESS", help="the address to show")
    add_verb(parser, _run, signs=False)


def read_balance(conn: Any, address: str) -> dict[str, Any]:
    """``address``'s holdings as the verb reports them (atoms; ETH in wei)."""
    sesh = int(conn.token.view("balanceOf", address))
    woxen = None
    if conn.deployment.old_token is not None:
        old = conn.bind("WrappedOxen", conn.deployment.old_token)
        woxen = int(old.view("balanceOf", address))
    rewards, claimed = (int(v) for v in conn.rewards.view("recipients", address))
    return {
        "address": address,
        "sesh": sesh,
        "woxen": woxen,
        "eth_wei": conn.chain.eth_balance(address),
        "rewards_recorded": rewards,
        "rewards_claimed": claimed,
        "rewards_claimable": rewards - claimed,
    }


def _run(args: argparse.Namespace) -> dict[str, Any]:
    address = address_option("ADDRESS", args.address, allow_zero=True)
    if address is None:
        raise CommandError("ADDRESS is required", 2)
    conn = connect(args, signs=False)
    held = read_balance(conn, address)
    rows = [["SESH", format_amount(held["sesh"])]]
    if held["woxen"] is not None:
        rows.append(["wOXEN", format_amount(held["woxen"], "wOXEN")])
    rows += [
        ["ETH", format_amount(held["eth_wei"], "ETH", 18)],
        ["rewards", f"{format_amount(held['rewards_claimable'])} claimable"],
        ["", f"{format_amount(held['rewards_recorded'])} recorded by the network"],
        ["", f"{format_amount(held['rewards_claimed'])} claimed"],
    ]
    print(f"{address} on chain {conn.chain_id}")
    print(table(rows))
    return held
