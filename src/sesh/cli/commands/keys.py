"""`sesh keys new` and `sesh keys show`: make a node's keys, show them and what a registration
needs from them (the proof of possession and the Ed25519 signature). The key files themselves
are ``sesh.keys``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sesh.cli.shell.errors import CommandError, run_verb
from sesh.cli.shell.options import add_json_option
from sesh.evm.addresses import checksum
from sesh.keys import NodeKeys, default_key_dir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh keys new` and `sesh keys show` to the command tree."""
    keys = subparsers.add_parser(
        "keys",
        help="make and show a node's BLS and Ed25519 keys",
        description=(
            "A node has two keys: a BLS key, which signs rewards, exits and liquidations "
            "(the rewards contract knows the node by its public key), and an Ed25519 key, which "
            "identifies the node on the network. These commands make and show them."
        ),
    )
    sub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    sub.required = True

    new = sub.add_parser(
        "new",
        help="make a new pair of keys",
        description="Make a new BLS key and a new Ed25519 key and write them to the key "
        "directory (key_bls, key_ed25519, mode 0600). Never overwrites existing keys.",
    )
    _add_common(new)
    new.set_defaults(run=lambda args: run_verb("keys new", lambda: _run_new(args)))

    show = sub.add_parser(
        "show",
        help="show the public keys, and the proof of possession for a registration",
        description="Print both public keys. Given --operator, --chain-id and --contract, also "
        "print the BLS proof of possession and the Ed25519 signature that a registration "
        "(addBLSPublicKey) with that operator on that ServiceNodeRewards contract needs.",
    )
    _add_common(show)
    show.add_argument("--operator", help="the operator's Ethereum address (the first contributor)")
    show.add_argument("--chain-id", type=int, help="the chain id of the rewards contract")
    show.add_argument("--contract", help="the ServiceNodeRewards (proxy) address")
    show.set_defaults(run=lambda args: run_verb("keys show", lambda: _run_show(args)))


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"the key directory (default: {default_key_dir()}, or $SESH_HOME/keys)",
    )
    add_json_option(parser)


def _emit(args: argparse.Namespace, info: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print("\n".join(lines))


def _run_new(args: argparse.Namespace) -> int:
    directory = args.dir or default_key_dir()
    keys = NodeKeys.generate()
    keys.save(directory)
    info = {"directory": str(directory), **keys.describe()}
    _emit(
        args,
        info,
        [
            f"new keys written to {directory}",
            f"  BLS public key      {info['bls_public_key']}",
            f"  Ed25519 public key  {info['ed25519_public_key']}",
            "keep these files safe: they are the node",
        ],
    )
    return 0


def _run_show(args: argparse.Namespace) -> int:
    directory = args.dir or default_key_dir()
    keys = NodeKeys.load(directory)
    info = keys.describe()
    lines = [
        f"BLS public key      {info['bls_public_key']}",
        f"Ed25519 public key  {info['ed25519_public_key']}",
    ]
    wanted = (args.operator, args.chain_id, args.contract)
    if any(v is not None for v in wanted):
        if any(v is None for v in wanted):
            raise CommandError(
                "a proof of possession needs all of --operator, --chain-id and --contract", 2
            )
        try:
            operator = checksum(args.operator, "--operator")
            contract = checksum(args.contract, "--contract")
            reg = keys.registration(operator, args.chain_id, contract)
        except ValueError as exc:
            raise CommandError(str(exc), 2) from None
        info["registration"] = reg
        lines += [
            f"proof of possession for operator {args.operator} on chain {args.chain_id}, "
            f"contract {args.contract}:",
            f"  sigs0..3            {', '.join(reg['proof_of_possession']['sigs'])}",
            f"  128-byte form       {reg['proof_of_possession']['hex']}",
            f"  Ed25519 signature   {reg['ed25519_signature']['service_node_signature_1']}",
            f"                      {reg['ed25519_signature']['service_node_signature_2']}",
        ]
    _emit(args, info, lines)
    return 0
