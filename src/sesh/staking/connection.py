"""What every staking verb needs before it acts: the deployment, the chain, a signer, the ABIs.

Every verb (`sesh stake`, `sesh contribution …`, `sesh vesting …`, `sesh convert`) takes the
same options, defined here once:

* ``--deployment FILE``: the record `sesh deploy` writes; by default the devnet's, in
  ``./devnet-data/contracts.json``, so that on a devnet no option is needed;
* ``--rpc URL``: the chain (default: the devnet's ``http://127.0.0.1:8545``);
* the signing options of `sesh deploy` (``sesh.evm.signer_options``), for verbs that send.

``connect`` turns them into a ``Connection`` and checks them against each other (a record for
another chain is refused before anything is sent). Contract ABIs and bytecode come from the
compiled-contract cache (``sesh.evm.build_cache``): beside the deployment record when it is a
devnet's (its ``build/``, already warm), else in ``$SESH_HOME/build``; the first verb on a cold
cache compiles what it needs, once, and says so.

``run_verb`` is the shell around each verb: whatever goes wrong becomes one line on stderr and
a non-zero exit code; a contract's refusal reads as its custom error in words.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sesh.evm.anvil import DEFAULT_PORT
from sesh.evm.signer_options import CommandError, add_signer_options, one_line, open_signer

if TYPE_CHECKING:
    from sesh.evm.chain import Chain
    from sesh.evm.compiler import Artifact
    from sesh.evm.deploy import Deployment

DEFAULT_RPC = f"http://127.0.0.1:{DEFAULT_PORT}"
"""The devnet's RPC URL when it runs on its default port."""
DEVNET_DEPLOYMENT = Path("devnet-data") / "contracts.json"
"""The devnet's record, relative to where `sesh devnet` runs by default (its DEFAULT_DATA_DIR /
CONTRACTS_FILE; `sesh.devnet` builds on this package, so the path is repeated, and a test keeps
the two equal)."""
BUILD_DIR = "build"

T = TypeVar("T")


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
        default=DEFAULT_RPC,
        help=f"the chain's JSON-RPC endpoint (default: the devnet's, {DEFAULT_RPC})",
    )
    if signs:
        add_signer_options(parser)


@dataclass
class Connection:
    """A deployment on a reachable chain, the contracts bound to their ABIs, and (for verbs
    that send) the signer, which is the chain's default sender."""

    chain: Chain
    deployment: Deployment
    deployment_path: Path
    load: Callable[[str], Artifact]
    """Contract name → artifact, from the build cache."""
    sender: str | None = None
    """The signer's address (None for a verb that only reads)."""
    how: str = ""
    """How the signer signs, in words."""

    def bind(self, name: str, address: str) -> Any:
        """The contract ``name`` (a contract in ``contracts/``) at ``address``; the chain then
        names it so in refusals."""
        return self.chain.contract(address, self.load(name))

    @property
    def token(self) -> Any:
        return self.bind("SESH", self.deployment.sesh)

    @property
    def rewards(self) -> Any:
        return self.bind("ServiceNodeRewards", self.deployment.service_node_rewards)

    @property
    def factory(self) -> Any:
        address = self.require("ServiceNodeContributionFactory", "contribution_factory")
        return self.bind("ServiceNodeContributionFactory", address)

    @property
    def converter(self) -> Any:
        return self.bind("TokenConverter", self.require("TokenConverter", "token_converter"))

    def require(self, name: str, attribute: str) -> str:
        """The deployment's address of ``name``, or a CommandError saying it has none."""
        address: str | None = getattr(self.deployment, attribute)
        if address is None:
            raise CommandError(
                f"the deployment in {self.deployment_path} has no {name} (a record from an "
                "older sesh, or a profile without one): deploy it, or start the devnet again, "
                "which completes its record"
            )
        return address

    def contract_at(self, name: str, text: str, option: str = "the address") -> Any:
        """The contract ``name`` at the address the user typed, checked (``code_at``)."""
        return self.bind(name, self.code_at(text, option))

    def code_at(self, text: str, option: str = "the address") -> str:
        """The address the user typed, checksummed: a usage error for a malformed address, an
        error if no contract is there."""
        from web3 import Web3

        if not Web3.is_address(text):
            raise CommandError(f"{option} {text!r} is not an address (0x and 40 hex digits)", 2)
        if not self.chain.has_code(text):
            raise CommandError(f"there is no contract at {text} on chain {self.chain_id}")
        return str(Web3.to_checksum_address(text))

    def allow(self, token: Any, spender: Any, amount: int, what: str) -> str | None:
        """Let ``spender`` (a bound contract named ``what``) take ``amount`` of ``token`` from
        the signer, unless its allowance already covers it (a retry after a refusal then sends
        one transaction, not two); the line to print, or None."""
        from sesh.staking.units import format_amount

        current = int(token.functions.allowance(self.sender, spender.address).call())
        if current >= amount:
            return None
        self.chain.transact(token.functions.approve(spender.address, amount))
        symbol = str(token.functions.symbol().call())
        return f"approved {what} {spender.address} to take {format_amount(amount, symbol)}"

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    def timestamp(self) -> int:
        """The latest block's time: "now" for the contracts."""
        return self.chain.timestamp()


def connect(args: argparse.Namespace, *, signs: bool) -> Connection:
    """Read the deployment, reach the chain, check they match, and (with ``signs``) open the
    signer. CommandError says what is wrong."""
    from web3.exceptions import Web3Exception

    from sesh.evm.chain import Chain
    from sesh.evm.deploy import read_deployment

    path: Path = args.deployment or DEVNET_DEPLOYMENT
    try:
        deployment = read_deployment(path)
    except FileNotFoundError:
        if args.deployment is None:
            raise CommandError(
                f"no deployment record at {path}: run `sesh devnet` in this directory, or name "
                "a record with --deployment FILE",
                2,
            ) from None
        raise CommandError(f"no deployment record at {path}", 2) from None
    except (OSError, ValueError) as error:
        raise CommandError(f"{path}: {one_line(error)}", 2) from None

    chain = Chain(args.rpc)
    sender, how = None, ""
    if signs:
        signer, how = open_signer(args, chain)
        sender = signer.address
    try:
        if not signs and not chain.w3.is_connected():
            raise CommandError(f"cannot reach a node at {args.rpc}")
        chain_id = int(chain.w3.eth.chain_id)
    except (OSError, Web3Exception) as error:
        raise CommandError(f"cannot use the node at {args.rpc}: {one_line(error)}") from None
    if chain_id != deployment.chain_id:
        raise CommandError(
            f"the deployment in {path} is on chain {deployment.chain_id}, but the node at "
            f"{args.rpc} is chain {chain_id}"
        )
    return Connection(chain, deployment, path, _artifact_loader(path), sender, how)


def _artifact_loader(deployment_path: Path) -> Callable[[str], Artifact]:
    """Artifacts from the build cache beside a devnet's record, else in $SESH_HOME/build;
    a line on stderr before compiling (it takes seconds per contract)."""
    from sesh.evm.build_cache import build_key, cached_contract
    from sesh.evm.compiler import CONTRACTS_DIR
    from sesh.keys import sesh_home

    beside = deployment_path.parent / BUILD_DIR
    cache_dir = beside if beside.is_dir() else sesh_home() / BUILD_DIR
    key = build_key(CONTRACTS_DIR)

    loaded: dict[str, Artifact] = {}

    def load(name: str) -> Artifact:
        if name not in loaded:
            if not (cache_dir / key / f"{name}.json").exists():
                print(f"compiling {name} (once: cached in {cache_dir})…", file=sys.stderr)
            loaded[name] = cached_contract(CONTRACTS_DIR / f"{name}.vy", cache_dir, key)
        return loaded[name]

    return load


def parse_option(option: str, text: str, parse: Callable[[str], T]) -> T:
    """``parse(text)``, with a ValueError turned into a usage error naming ``option``."""
    try:
        return parse(text)
    except ValueError as error:
        raise CommandError(f"{option}: {error}", 2) from None


def address_option(option: str, text: str | None) -> str | None:
    """An address option's value, checksummed (None stays None); a usage error if malformed."""
    from web3 import Web3

    if text is None:
        return None
    if not Web3.is_address(text):
        raise CommandError(f"{option} {text!r} is not an address (0x and 40 hex digits)", 2)
    return str(Web3.to_checksum_address(text))


def run_verb(verb: str, action: Callable[[], int]) -> int:
    """Run ``action``; every failure becomes one line on stderr, ``sesh VERB: error: …``, and
    a non-zero exit code (2 for usage mistakes, 130 for Ctrl-C, 1 otherwise)."""
    from web3.exceptions import Web3Exception

    from sesh.evm.artifacts import SourceError
    from sesh.evm.compiler import CompileError
    from sesh.keys import KeyFileError

    try:
        return action()
    except CommandError as error:
        message, code = str(error), error.code
    except KeyFileError as error:
        message, code = str(error), 1
    except (CompileError, SourceError) as error:
        message, code = f"the contracts do not compile: {one_line(error)}", 1
    except (OSError, Web3Exception, ValueError) as error:
        # A refusal (TransactionRefused) already reads "Contract refused: Error(args)".
        message, code = one_line(error), 1
    except KeyboardInterrupt:
        message, code = "interrupted", 130
    print(f"sesh {verb}: error: {message}", file=sys.stderr)
    return code
