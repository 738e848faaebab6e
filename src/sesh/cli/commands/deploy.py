"""`sesh deploy`: the contract set to any chain, from a named profile, with a record of it.

The deploying itself is ``sesh.evm.deploy``; this is its command line: the options, the checks
that need no chain (before anything is compiled or sent), the deployer's balance, the output
file claimed before any gas is spent, and progress as each contract lands.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import textwrap
from pathlib import Path

from sesh.cli.shell.defaults import DEFAULT_RPC
from sesh.cli.shell.errors import CommandError, one_line
from sesh.cli.shell.options import (
    add_command,
    add_json_option,
    add_signer_options,
    check_signer_options,
    open_signer,
)
from sesh.cli.shell.output import working
from sesh.evm.addresses import nonzero
from sesh.evm.compiler import CompileError
from sesh.evm.contract_set import load_artifacts
from sesh.evm.deploy import DeployError, Journal, deploy
from sesh.evm.profiles import DEV_CHAIN_ID, PROFILE_ALIASES, PROFILES, check_chain, profile_named
from sesh.keys import sesh_home
from sesh.units import plain_amount

_DESCRIPTION = "\n\n".join(
    textwrap.fill(paragraph, 92)
    for paragraph in (
        "Deploy the Session contract set (SESH, RewardRatePool, BLSVerifier, "
        "ServiceNodeRewards, the ServiceNodeContributionFactory with its contribution "
        "implementation, and a TokenConverter from wOXEN) to a chain, with the parameters of a "
        "named profile, and write where everything went to a JSON file. The upgradeable "
        "contracts (RewardRatePool, ServiceNodeRewards, the factory) go behind ERC-1967 "
        "proxies, initialised in the same transaction.",
        "Profiles: devnet (stake 120 SESH, no minimum exit age; only on a local chain, id "
        "31337), testnet (20,000 SESH) and mainnet (25,000 SESH); all allow 10 contributors, "
        "liquidation ratios 3/17/9980, and a 2-hour minimum exit age outside local. Unless "
        "--token names an existing token, SESH is deployed too (240,000,000 SESH to the "
        "deployer) and 40,000,000 of it funds the reward pool.",
        "The converter pays 1 SESH per 2 wOXEN (the reference's rate) until TGE + 180 days. "
        "devnet and testnet deploy a wOXEN stand-in (100,000,000 wOXEN to the deployer), a late "
        "rate of 1 SESH per 4 wOXEN, and stock the converter with 10,000,000 SESH; mainnet "
        "deploys a converter only for the wOXEN named by --old-token, keeps one rate, and "
        "leaves stocking it to its owner. The TGE is the time of deployment unless --tge says.",
        "Transactions are signed here with a key from an encrypted JSON keystore or an "
        "environment variable (type-2 EIP-1559 transactions), or by the node itself for its "
        "unlocked accounts (anvil). The key is never printed. The rewards contract is left "
        "unstarted, so that its owner can seed it first, unless --start is given.",
    )
)

_EPILOG = """\
examples:
  sesh deploy --rpc http://127.0.0.1:8545 --profile devnet --out contracts.json --unlocked --start
  SESH_DEPLOYER_KEY=0x... sesh deploy --rpc URL --profile testnet --out testnet.json \\
      --key-env SESH_DEPLOYER_KEY --token 0x...
  sesh deploy --rpc URL --profile mainnet --out mainnet.json --keystore deployer.json \\
      --old-token 0x... --tge 1747785600
                                    (asks for the keystore password on the terminal)"""


_HELP = "deploy the contract set to a chain from a named profile"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh deploy` to the command tree."""
    parser = add_command(subparsers, "deploy", _HELP, _DESCRIPTION, _EPILOG)
    parser.add_argument(
        "--rpc",
        metavar="URL",
        default=DEFAULT_RPC,
        help=f"the chain's JSON-RPC endpoint (HTTP; default: the devnet's, {DEFAULT_RPC})",
    )
    parser.add_argument(
        "--profile",
        choices=[*sorted(PROFILES), *PROFILE_ALIASES],
        help="the deployment's parameters (see above; local is devnet's older name; default: "
        "devnet on a local chain, id "
        f"{DEV_CHAIN_ID}; any other chain must name one)",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FILE",
        help="where to write the deployment record (JSON: chainId, contracts, "
        "implementations, profile); must not exist yet",
    )
    parser.add_argument(
        "--token",
        metavar="ADDR",
        help="stake this existing token instead of deploying SESH (on Arbitrum, the bridged "
        "SESH); the pool is then not funded by this command",
    )
    parser.add_argument(
        "--old-token",
        metavar="ADDR",
        help="the wOXEN the TokenConverter takes in (no stand-in is deployed then); mainnet "
        "deploys a converter only with it",
    )
    parser.add_argument(
        "--tge",
        type=int,
        metavar="UNIX_TIME",
        help="the token generation event, in unix seconds: the converter's late rate applies "
        "from 180 days after it (default: the time of deployment)",
    )
    parser.add_argument(
        "--start",
        action="store_true",
        help="call start() on ServiceNodeRewards at the end (default: leave it unstarted so "
        "the owner can seed it first)",
    )
    add_signer_options(parser)
    add_json_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `sesh deploy`; every failure is one line on stderr and a non-zero exit."""
    try:
        return _json_run(args) if args.json else _run(args)
    except CommandError as error:
        print(f"sesh deploy: error: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:  # at the password prompt, or between two transactions
        journal = _journal_path(args.out)
        kept = f"; what was done is kept in {journal}" if journal.exists() else ""
        print(
            f"\nsesh deploy: interrupted{kept}: run the same command again to resume",
            file=sys.stderr,
        )
        return 130


def _journal_path(out: Path) -> Path:
    """Where an unfinished deployment keeps its steps: beside the record it will write."""
    return out.with_name(out.name + ".partial")


def _read_journal(path: Path, profile: str, chain_id: int) -> Journal:
    """The steps an interrupted deployment to ``path``'s record did; empty when there is none.
    A usage error when it was for another profile or chain (resuming it would mix two)."""
    try:
        saved = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise CommandError(f"{path}: {one_line(error)}: remove it to start over", 2) from None
    if (saved.get("profile"), saved.get("chainId")) != (profile, chain_id):
        raise CommandError(
            f"{path} holds an unfinished deployment of profile {saved.get('profile')} to chain "
            f"{saved.get('chainId')}, not {profile} to {chain_id}: resume it with those, or "
            "remove it to start over",
            2,
        )
    steps: Journal = saved.get("steps", {})
    return steps


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    os.replace(partial, path)


def _run(args: argparse.Namespace) -> int:
    from sesh.evm.artifacts import SourceError
    from sesh.evm.chain import Chain
    from sesh.evm.failures import node_unreachable

    check_signer_options(args)
    profile = profile_named(args.profile or "devnet")
    assert profile is not None  # argparse checked the name
    try:
        if args.token is not None:
            profile = profile.with_token(nonzero(args.token, "--token"))
        if args.old_token is not None:
            profile = profile.with_old_token(nonzero(args.old_token, "--old-token"))
    except ValueError as error:
        raise CommandError(str(error), 2) from None
    if args.tge is not None:
        if args.tge < 0:
            raise CommandError(f"--tge {args.tge} is not a unix time", 2)
        profile = profile.with_tge(args.tge)
    out: Path = args.out
    if out.exists():
        raise CommandError(f"{out} already exists: a deployment record is never overwritten", 2)
    if not out.parent.is_dir():
        raise CommandError(f"cannot write {out}: {out.parent} is not a directory", 2)

    chain = Chain(args.rpc)
    signer, how = open_signer(args, chain)
    try:
        chain_id = chain.chain_id()
        balance = chain.eth_balance(signer.address)
    except node_unreachable() as error:
        raise CommandError(f"cannot use the node at {args.rpc}: {one_line(error)}") from None
    if args.profile is None and chain_id != DEV_CHAIN_ID:
        raise CommandError(
            f"chain {chain_id} is not a local chain: name the profile with --profile "
            "(testnet or mainnet)",
            2,
        )
    try:
        check_chain(profile, chain_id)
    except ValueError as error:
        raise CommandError(str(error), 2) from None
    if balance == 0:
        raise CommandError(
            f"the deployer {signer.address} has no ETH on chain {chain_id} to pay for gas "
            "(wrong key, or not funded yet?)"
        )
    journal_path = _journal_path(out)
    journal = _read_journal(journal_path, profile.name, chain_id)

    print(
        f"deploying profile {profile.name} to chain {chain_id} at {args.rpc}\n"
        f"  deployer {signer.address} ({how}), balance {plain_amount(balance, 18)} ETH",
        flush=True,
    )
    if journal:
        print(f"  resuming the deployment kept in {journal_path}: {len(journal)} step(s) done")

    def save(steps: Journal) -> None:
        # Before the next step spends gas: contracts on chain that nobody wrote down would be
        # lost, so a journal that cannot be written stops the deployment.
        document = {"profile": profile.name, "chainId": chain_id, "steps": steps}
        _write_atomically(journal_path, json.dumps(document, indent=2) + "\n")

    try:
        save(journal)
    except OSError as error:
        raise CommandError(f"cannot write {journal_path}: {error.strerror}") from None
    try:
        cache = sesh_home() / "build"
        with working(f"compiling the contracts (once: cached in {cache})"):
            artifacts = load_artifacts(cache)
        deployment = deploy(
            chain,
            profile,
            artifacts,
            start=args.start,
            progress=lambda line: print("  " + line, flush=True),
            journal=journal,
            save=save,
        )
    except (CompileError, SourceError) as error:
        message = f"the contracts do not compile: {one_line(error)}"
        raise CommandError(_kept(message, journal_path, journal)) from None
    except DeployError as error:
        raise CommandError(_kept(one_line(error), journal_path, journal)) from None
    except node_unreachable() as error:
        message = f"the node at {args.rpc} failed: {one_line(error)}"
        raise CommandError(_kept(message, journal_path, journal)) from None
    try:
        _write_atomically(out, deployment.dumps())
    except OSError as error:
        print(deployment.dumps(), end="")  # the record is not lost: it is on stdout
        message = f"writing {out} failed ({error.strerror}); the record is printed above"
        raise CommandError(message) from None
    journal_path.unlink(missing_ok=True)
    print(f"deployment record written to {out}")
    return 0


def _json_run(args: argparse.Namespace) -> int:
    """``--json``: the progress lines go to stderr, the record to stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        code = _run(args)
    print(Path(args.out).read_text(), end="")
    return code


def _kept(message: str, journal_path: Path, journal: Journal) -> str:
    """``message``, and where the steps done so far are kept for a resume; with none done,
    the journal is removed (there is nothing to resume)."""
    if not journal:
        journal_path.unlink(missing_ok=True)
        return message
    return (
        f"{message}; what was deployed is kept in {journal_path}: run the same command again "
        "to resume"
    )
