"""The options every `sesh` verb shares: the deployment and chain, who signs, and ``--json``.

Defined once here, so that the options read and behave the same everywhere, and a fix to one
is a fix to all:

* ``--deployment FILE`` and ``--rpc URL`` (``add_connection_options``): the record `sesh deploy`
  wrote (default: the devnet's) and the chain (default: the one the record names, else the
  devnet's);
* the signing options of every verb that sends (``add_signer_options``), exactly one of
  ``--keystore FILE`` (with ``--password-env VAR``, or the password asked on the terminal),
  ``--key-env VAR`` (the private key in an environment variable) or ``--unlocked`` (the node
  signs for its first unlocked account: anvil's dev account 0). The key is read before the node
  is contacted (a bad key is reported even when the node is down), the unlocked account after
  (only the node knows it). Every failure is a ``CommandError``: one line, never a key;
* ``--json`` (``add_json_option``): one JSON object on stdout instead of lines for people.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sesh.cli.shell.defaults import DEFAULT_RPC, DEVNET_DEPLOYMENT
from sesh.cli.shell.errors import CommandError, one_line

if TYPE_CHECKING:
    from sesh.evm.chain import Chain
    from sesh.evm.signing import Signer


def add_connection_options(parser: argparse.ArgumentParser, *, signs: bool) -> None:
    """--deployment and --rpc; with ``signs``, the signing options too (required)."""
    chain = parser.add_argument_group("the deployment and the chain")
    chain.add_argument(
        "--deployment",
        type=Path,
        metavar="FILE",
        default=None,
        help="the deployment record `sesh deploy --out` wrote (default: the devnet's, "
        f"{DEVNET_DEPLOYMENT})",
    )
    chain.add_argument(
        "--rpc",
        metavar="URL",
        default=None,
        help="the chain's JSON-RPC endpoint (default: the one the deployment record names, "
        f"else the devnet's, {DEFAULT_RPC})",
    )
    if signs:
        add_signer_options(parser)


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    description: str,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """A command (or an action of one) in the tree, its description and examples printed as
    written: every verb's help keeps its paragraphs and its example lines."""
    return subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """--json: print one JSON object (amounts in atoms, times in unix seconds) instead of text."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object for scripts (amounts in atoms, times in unix seconds)",
    )


def add_signer_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add the signing group: one of --keystore, --key-env, --unlocked (required unless
    ``required`` is False, for a command that can also run without sending), and
    --password-env."""
    signing = parser.add_argument_group("signing (one of --keystore, --key-env, --unlocked)")
    how = signing.add_mutually_exclusive_group(required=required)
    how.add_argument(
        "--keystore",
        type=Path,
        metavar="FILE",
        help="sign with the key in this encrypted JSON keystore (geth, clef and "
        "`cast wallet` write them)",
    )
    how.add_argument(
        "--key-env",
        metavar="VAR",
        help="sign with the private key (0x and 64 hex digits) in environment variable VAR",
    )
    how.add_argument(
        "--unlocked",
        action="store_true",
        help="let the node sign, from its first unlocked account (anvil's dev account 0)",
    )
    signing.add_argument(
        "--password-env",
        metavar="VAR",
        help="with --keystore: read its password from environment variable VAR (default: ask "
        "on the terminal)",
    )


def check_signer_options(args: argparse.Namespace) -> None:
    """The usage mistakes argparse cannot see (exit code 2, before anything is read or sent)."""
    if args.password_env and args.keystore is None:
        raise CommandError("--password-env goes with --keystore", 2)


def open_signer(args: argparse.Namespace, chain: Chain) -> tuple[Signer, str]:
    """The signer the options name, made ``chain``'s default sender; and how it signs, in words
    ("key from $VAR"), for the command's first line.

    Also checks that the node answers: ``CommandError`` if it does not, or if the key cannot be
    used.
    """
    from sesh.evm.failures import node_unreachable
    from sesh.evm.signing import (
        SignerError,
        first_unlocked_account,
        from_env,
        from_keystore,
        read_password,
    )

    check_signer_options(args)
    signer: Signer | None = None
    how = "the node's unlocked account"
    try:
        if args.keystore is not None:
            if not args.keystore.is_file():  # before asking for its password
                raise CommandError(f"no keystore file at {args.keystore}", 2)
            signer = from_keystore(args.keystore, read_password(args.password_env))
            how = f"key from keystore {args.keystore}"
        elif args.key_env is not None:
            signer = from_env(args.key_env)
            how = f"key from ${args.key_env}"
        if not chain.w3.is_connected():
            raise CommandError(f"cannot reach a node at {chain.rpc_url}")
        if signer is None:
            signer = first_unlocked_account(chain.w3)
    except SignerError as error:
        raise CommandError(str(error)) from None
    except node_unreachable() as error:
        raise CommandError(f"cannot use the node at {chain.rpc_url}: {one_line(error)}") from None
    chain.add_signer(signer, default=True)
    return signer, how
