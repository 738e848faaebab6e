"""`sesh deploy`: the contract set to any chain, from a named profile, with a record of it.

The deploying itself is ``sesh.evm.deploy``; this is its command line: the options, the checks
that need no chain (before anything is compiled or sent), the deployer's balance, the output
file claimed before any gas is spent, and progress as each contract lands.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from sesh.cli.shell.errors import CommandError, one_line
from sesh.cli.shell.options import (
    add_command,
    add_signer_options,
    check_signer_options,
    open_signer,
)
from sesh.evm.addresses import nonzero
from sesh.evm.compiler import CompileError
from sesh.evm.contract_set import load_artifacts
from sesh.evm.deploy import DeployError, deploy
from sesh.evm.profiles import PROFILES, check_chain
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
        "Profiles: local (stake 120 SESH, no minimum exit age; only on a local chain, id "
        "31337), testnet (20,000 SESH) and mainnet (25,000 SESH); all allow 10 contributors, "
        "liquidation ratios 3/17/9980, and a 2-hour minimum exit age outside local. Unless "
        "--token names an existing token, SESH is deployed too (240,000,000 SESH to the "
        "deployer) and 40,000,000 of it funds the reward pool.",
        "The converter pays 1 SESH per 2 wOXEN (the reference's rate) until TGE + 180 days. "
        "local and testnet deploy a wOXEN stand-in (100,000,000 wOXEN to the deployer), a late "
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
  sesh deploy --rpc http://127.0.0.1:8545 --profile local --out contracts.json --unlocked --start
  SESH_DEPLOYER_KEY=0x... sesh deploy --rpc URL --profile testnet --out testnet.json \\
      --key-env SESH_DEPLOYER_KEY --token 0x...
  sesh deploy --rpc URL --profile mainnet --out mainnet.json --keystore deployer.json \\
      --old-token 0x... --tge 1747785600
                                    (asks for the keystore password on the terminal)"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh deploy` to the command tree."""
    parser = add_command(
        subparsers,
        "deploy",
        help="deploy the contract set to a chain from a named profile",
        description=_DESCRIPTION,
        epilog=_EPILOG,
    )
    parser.add_argument(
        "--rpc", required=True, metavar="URL", help="the chain's JSON-RPC endpoint (HTTP)"
    )
    parser.add_argument(
        "--profile",
        required=True,
        choices=sorted(PROFILES),
        help="the deployment's parameters (see above)",
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `sesh deploy`; every failure is one line on stderr and a non-zero exit."""
    try:
        return _run(args)
    except CommandError as error:
        print(f"sesh deploy: error: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:  # at the password prompt, or between two transactions
        print("\nsesh deploy: interrupted (what was deployed is listed above)", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from sesh.evm.artifacts import SourceError
    from sesh.evm.chain import Chain
    from sesh.evm.failures import node_unreachable

    check_signer_options(args)
    profile = PROFILES[args.profile]
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

    chain = Chain(args.rpc)
    signer, how = open_signer(args, chain)
    try:
        chain_id = int(chain.w3.eth.chain_id)
        balance = int(chain.w3.eth.get_balance(signer.address))
    except node_unreachable() as error:
        raise CommandError(f"cannot use the node at {args.rpc}: {one_line(error)}") from None
    try:
        check_chain(profile, chain_id)
    except ValueError as error:
        raise CommandError(str(error), 2) from None
    if balance == 0:
        raise CommandError(
            f"the deployer {signer.address} has no ETH on chain {chain_id} to pay for gas "
            "(wrong key, or not funded yet?)"
        )

    print(
        f"deploying profile {profile.name} to chain {chain_id} at {args.rpc}\n"
        f"  deployer {signer.address} ({how}), balance {plain_amount(balance, 18)} ETH",
        flush=True,
    )
    # Claim the output file before spending gas: a deployment whose record cannot be written
    # would leave contracts on chain that nobody wrote down.
    try:
        reserved = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        raise CommandError(f"cannot create {out}: {error.strerror}") from None
    try:
        cache = sesh_home() / "build"
        print(f"compiling the contracts (once: cached in {cache})…", flush=True)
        artifacts = load_artifacts(cache)
        deployment = deploy(
            chain,
            profile,
            artifacts,
            start=args.start,
            progress=lambda line: print("  " + line, flush=True),
        )
    except BaseException as error:
        os.close(reserved)
        out.unlink(missing_ok=True)  # nothing to record: leave no empty file behind
        if isinstance(error, CompileError | SourceError):
            raise CommandError(f"the contracts do not compile: {one_line(error)}") from None
        if isinstance(error, DeployError):
            raise CommandError(one_line(error)) from None
        if isinstance(error, node_unreachable()):
            raise CommandError(f"the node at {args.rpc} failed: {one_line(error)}") from None
        raise
    try:
        with os.fdopen(reserved, "w") as file:
            file.write(deployment.dumps())
    except OSError as error:
        print(deployment.dumps(), end="")  # the record is not lost: it is on stdout
        message = f"writing {out} failed ({error.strerror}); the record is printed above"
        raise CommandError(message) from None
    print(f"deployment record written to {out}")
    return 0
