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

``Connection.pay`` is how every verb that moves the signer's tokens sends its call: it checks
the balance, and before approving anything it runs the call as an ``eth_call`` without the
allowance, so that a refusal the approval would not cure (a contribution below the signer's
reservation, a node already registered) is reported before anything is sent. Only a call that
fails where the token pulls the payment (``pull_failure``, or a revert traced to the token:
``reverted_in``) gets the approval, then the call.

``run_verb`` is the shell around each verb: whatever goes wrong becomes one line on stderr and
a non-zero exit code; a contract's refusal reads as its custom error in words. ``add_verb``
gives a verb's parser the options above and runs its action inside ``run_verb``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sesh.evm.anvil import DEFAULT_PORT
from sesh.evm.signer_options import CommandError, add_signer_options, one_line, open_signer

if TYPE_CHECKING:
    from web3.types import TxParams, TxReceipt

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

_PULL_ERRORS: list[dict[str, Any]] = [
    {"type": "error", "name": name, "inputs": [{"type": kind} for kind in kinds]}
    for name, kinds in (
        ("ERC20InsufficientAllowance", ("address", "uint256", "uint256")),  # spender, …
        ("ERC20InsufficientBalance", ("address", "uint256", "uint256")),  # sender, …
        ("SafeERC20FailedOperation", ("address",)),  # token
    )
]
"""The errors a token pull fails with, whoever the token: OpenZeppelin 5's (IERC6093), which
SESH and the wOXEN stand-in raise, and SafeERC20's for a token that answers false."""
_PULL_REASONS = frozenset(
    {"ERC20: insufficient allowance", "ERC20: transfer amount exceeds allowance"}
)
"""The allowance error as a revert string, from OpenZeppelin 4 tokens (as an existing wOXEN may
be): 4.5 and later, and before. Not their balance error, which names nobody: ``pay`` has read
the signer's balance already, so a short balance there is someone else's."""

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


def add_actions(
    parser: argparse.ArgumentParser, dest: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The actions of a command that has several (`sesh contribution create`, …); one is
    required."""
    sub = parser.add_subparsers(dest=dest, metavar="ACTION")
    sub.required = True
    return sub


def add_verb(
    parser: argparse.ArgumentParser, action: Callable[[argparse.Namespace], int], *, signs: bool
) -> None:
    """Make ``parser`` a verb: the connection options (``add_connection_options``), and its
    ``run`` calls ``action(args)`` inside ``run_verb``, under the verb's name as typed (the
    parser's prog without the program: ``stake``, ``contribution create``)."""
    add_connection_options(parser, signs=signs)
    verb = " ".join(parser.prog.split()[1:])
    parser.set_defaults(run=lambda args: run_verb(verb, lambda: action(args)))


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

    def pay(self, token: Any, spender: Any, amount: int, call: Any, what: str) -> TxReceipt:
        """Send ``call`` (a contract function, bound), in which ``spender`` (a bound contract
        named ``what``) takes ``amount`` of ``token`` from the signer; its receipt.

        The signer must hold ``amount`` (``check_balance``). When the allowance falls short,
        the call is first run as an ``eth_call`` from the signer on the latest block: if it
        fails only where the token pulls the payment, ``spender`` is approved (printing a line)
        and the call sent; any other revert is raised as the chain raises a refusal
        (``TransactionRefused``, the contract's error in words) and nothing is sent, neither
        the approval nor the call. With the allowance already there (a retry) the call goes
        straight out: its gas estimate reports a refusal before anything is sent."""
        self.check_balance(token, amount)
        if self._allowance(token, spender) < amount and self._needs_allowance(token, spender, call):
            print(f"  {self._approve(token, spender, amount, what)}", flush=True)
        return self.chain.transact(call)

    def check_balance(self, token: Any, amount: int) -> None:
        """A CommandError unless the signer holds ``amount`` of ``token``: said up front, as
        the token would only say it once the allowance is there (it checks that first)."""
        from sesh.staking.units import format_amount

        balance = int(token.functions.balanceOf(self.sender).call())
        if balance < amount:
            symbol = str(token.functions.symbol().call())
            decimals = int(token.functions.decimals().call())
            raise CommandError(
                f"{self.sender} holds {format_amount(balance, symbol, decimals)}, "
                f"{format_amount(amount, symbol, decimals)} needed"
            )

    def allow(self, token: Any, spender: Any, amount: int, what: str) -> str | None:
        """Let ``spender`` (a bound contract named ``what``) take ``amount`` of ``token`` from
        the signer, unless its allowance already covers it; the line to print, or None. No
        check of the call that will spend it: a verb uses ``pay``."""
        if self._allowance(token, spender) >= amount:
            return None
        return self._approve(token, spender, amount, what)

    def _allowance(self, token: Any, spender: Any) -> int:
        return int(token.functions.allowance(self.sender, spender.address).call())

    def _approve(self, token: Any, spender: Any, amount: int, what: str) -> str:
        """Send the approval; the line saying so."""
        from sesh.staking.units import format_amount

        self.chain.transact(token.functions.approve(spender.address, amount))
        symbol = str(token.functions.symbol().call())
        decimals = int(token.functions.decimals().call())
        return (
            f"approved {what} {spender.address} to take {format_amount(amount, symbol, decimals)}"
        )

    def _needs_allowance(self, token: Any, spender: Any, call: Any) -> bool:
        """Run ``call`` from the signer on the latest block, without the allowance. True: it
        fails where the token pulls the payment, which the approval cures; False: it goes
        through as it is, so there is nothing to approve. Any other revert is the contract's
        refusal: raised, in the chain's words."""
        from sesh.evm.chain import NoRevert, revert_data

        assert self.sender is not None
        # As Chain.transact encodes a call (web3's public build_transaction estimates gas).
        tx: TxParams = {
            "from": self.sender,
            "to": call.address,
            "data": call._encode_transaction_data(),
        }
        try:
            data = revert_data(lambda: self.chain.w3.eth.call(tx, "latest"))
        except NoRevert:
            return False
        if pull_failure(data, token=token.address, spender=spender.address, owner=self.sender):
            return True
        traced = reverted_in(self.chain, tx, token.address, data)
        if traced or (traced is None and not data):
            # From the token; or a revert without a word, which a node that cannot trace
            # leaves unexplained: approve and send, as without the check.
            return True
        # The chain's own reading of a refusal (every ABI it knows, the target's last), so
        # that it reads exactly as the refused transaction would; Chain has no public way to
        # build one from revert data.
        raise self.chain.refusal(tx, None, call.contract_abi, data)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    def timestamp(self) -> int:
        """The latest block's time: "now" for the contracts."""
        return self.chain.timestamp()


def pull_failure(data: bytes, *, token: str, spender: str, owner: str) -> bool:
    """Whether revert ``data`` is ``token`` refusing to let ``spender`` pull ``owner``'s tokens:
    an allowance or balance error naming them, a token answering false, or an OpenZeppelin 4
    token's allowance error."""
    from sesh.evm.artifacts import decode_revert

    try:
        error = decode_revert(_PULL_ERRORS, data)
    except ValueError:  # no data, or another error
        return False
    if error.name == "Error":
        return error.args[0] in _PULL_REASONS
    named = {
        "ERC20InsufficientAllowance": spender,
        "ERC20InsufficientBalance": owner,
        "SafeERC20FailedOperation": token,
    }.get(error.name)  # None for a Panic
    return named is not None and str(error.args[0]).lower() == named.lower()


def reverted_in(chain: Chain, tx: Mapping[str, Any], address: str, data: bytes) -> bool | None:
    """Whether ``tx``, run on the latest block, reverts with ``data`` raised by a call to
    ``address`` and passed up unchanged (``debug_traceCall``'s call tree); None when the node
    cannot trace (public endpoints seldom can)."""
    from web3.exceptions import Web3Exception

    try:
        tree = chain.rpc("debug_traceCall", tx, "latest", {"tracer": "callTracer"})
    except (RuntimeError, OSError, Web3Exception, ValueError):
        return None
    if not isinstance(tree, dict):
        return None
    wanted = "0x" + data.hex()
    frames = [tree]
    while frames:
        frame = frames.pop()
        if (
            frame.get("error")
            and str(frame.get("to", "")).lower() == address.lower()
            and str(frame.get("output") or "0x").lower() == wanted
        ):
            return True
        frames.extend(frame.get("calls") or [])
    return False


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
