"""A node as the staking verbs see it: its key files, whether the contract knows it, its id.

Shared by `sesh stake`, `sesh contribution` and `sesh vesting stake`, which all register a node
one way or another; kept apart so that those verbs build on this and not on each other.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesh.cli.shell.errors import CommandError
from sesh.keys import NodeKeys, Registration, default_key_dir
from sesh.units import parse_positive_amount

FINALIZED = 3
"""ServiceNodeContribution's status once it registered its node."""

if TYPE_CHECKING:
    from sesh.staking.connection import Connection


@dataclass(frozen=True)
class StakeChoice:
    """What `sesh stake` and `sesh vesting stake` were asked for: a solo node from key files
    (``amount`` None: the whole requirement), or a contribution of ``amount`` to a contract."""

    beneficiary: str | None
    amount: int | None


def read_stake_choice(args: argparse.Namespace) -> StakeChoice:
    """``--beneficiary``, and ``--contract``/``--amount``/``--keys`` checked against each other
    (usage errors, before anything is read from the chain)."""
    from sesh.staking.connection import address_option, parse_option

    beneficiary = address_option("--beneficiary", args.beneficiary)
    if args.contract is None:
        if args.amount is not None:
            raise CommandError(
                "--amount goes with --contract (a solo node stakes the whole requirement)", 2
            )
        return StakeChoice(beneficiary, None)
    if args.keys is not None:
        raise CommandError("--keys is for a solo node; a contribution needs no node keys", 2)
    if args.amount is None:
        raise CommandError("--contract needs --amount (how much SESH to contribute)", 2)
    return StakeChoice(beneficiary, parse_option("--amount", args.amount, parse_positive_amount))


def load_keys(directory: Path | None) -> tuple[NodeKeys, Path]:
    """The node keys in ``directory`` (default: ``sesh keys``' directory)."""
    path = directory or default_key_dir()
    return NodeKeys.load(path), path


def add_keys_option(parser: argparse.ArgumentParser, what: str) -> None:
    """--keys DIR, the node's key directory for ``load_keys``; ``what`` begins its help."""
    parser.add_argument(
        "--keys", type=Path, metavar="DIR", help=f"{what} (default: {default_key_dir()})"
    )


def describe_node(keys: NodeKeys | Registration) -> str:
    """A node's keys, for the line that says it was registered."""
    return f"BLS key {keys.bls_public_key.to_hex()}, Ed25519 key 0x{keys.ed25519_public_key.hex()}"


def registered_id(conn: Connection, bls_public_key: tuple[int, int]) -> int:
    """ServiceNodeRewards' id of the node with this BLS key (X, Y); 0 when none is registered
    (ids start at 1)."""
    x, y = bls_public_key
    encoded = x.to_bytes(32, "big") + y.to_bytes(32, "big")
    return int(conn.rewards.view("serviceNodeIDs", encoded))


def refuse_registered(conn: Connection, bls_public_key: tuple[int, int], what: str) -> None:
    """A CommandError when a node with this BLS key is already registered: ``what`` (a
    contribution contract, a registration) could never complete, and the contributors' SESH
    would wait in it for nothing."""
    node_id = registered_id(conn, bls_public_key)
    if node_id:
        x, y = bls_public_key
        raise CommandError(
            f"the BLS key 0x{x:064x}{y:064x} is already registered in ServiceNodeRewards as "
            f"node {node_id}: {what} could never complete (make new keys with `sesh keys new`)"
        )


def open_contracts_for(conn: Connection, bls_public_key: tuple[int, int]) -> list[str]:
    """The factory-made contribution contracts for this BLS key that have not registered their
    node (their contributors' SESH waits in them for it)."""
    factory = conn.deployment.contribution_factory
    if factory is None:
        return []
    made = conn.bind("ServiceNodeContributionFactory", factory)
    found: list[str] = []
    for event in conn.chain.logs(made, "NewServiceNodeContributionContract"):
        contract = conn.bind("ServiceNodeContribution", event["contributorContract"])
        if int(contract.view("status")) == FINALIZED:
            continue
        if tuple(int(v) for v in contract.view("blsPubkey")) == tuple(bls_public_key):
            found.append(contract.address)
    return found


def solo_stake(args: argparse.Namespace) -> tuple[NodeKeys, Path, Connection]:
    """What a solo stake starts from, wherever it is paid from (the wallet, a vesting lock):
    the node's keys (``--keys``) and the signer's connection, refused in one line when an open
    contribution contract already collects the stake for these keys."""
    from sesh.staking.connection import connect

    keys, key_dir = load_keys(args.keys)
    conn = connect(args, signs=True)
    refuse_open_contract(conn, keys.bls_public_key.to_contract(), "a solo stake")
    return keys, key_dir, conn


def refuse_open_contract(conn: Connection, bls_public_key: tuple[int, int], what: str) -> None:
    """A CommandError when an open contribution contract already collects the stake for this
    BLS key: ``what`` (a solo registration, another contract) would leave its contributors'
    SESH in a contract that can never finalize."""
    open_ = open_contracts_for(conn, bls_public_key)
    if open_:
        raise CommandError(
            f"the contribution contract {open_[0]} already collects the stake for this node's "
            f"BLS key: {what} would strand its contributors (its operator resets it first, or "
            "use new keys from `sesh keys new`)"
        )


def new_node_id(conn: Connection, receipt: Any) -> int:
    """The id of the node ``receipt`` registered (its NewServiceNodeV2 event); -1 if none."""
    events = conn.chain.events(conn.rewards, "NewServiceNodeV2", receipt)
    return int(events[0]["serviceNodeID"]) if events else -1
