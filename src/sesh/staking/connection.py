"""What every staking verb needs before it acts: the deployment, the chain, a signer, the ABIs.

``connect`` turns the shared options (``sesh.cli.shell.options``: ``--deployment``, ``--rpc``,
the signer options) into a ``Connection`` and checks them against each other (a record for
another chain is refused before anything is sent). Contract ABIs and bytecode come from the
compiled-contract cache (``sesh.evm.build_cache``): beside the deployment record when it is a
devnet's (its ``build/``, already warm), else in ``$SESH_HOME/build``; the first verb on a cold
cache compiles what it needs, once, and says so.

``Connection.pay`` is how every verb that moves the signer's tokens sends its call
(``sesh.evm.payment``: approve only when the call needs it and would succeed). ``add_verb``
gives a verb's parser the options and runs its action inside ``run_verb``
(``sesh.cli.shell.errors``): whatever goes wrong becomes one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sesh.cli.shell.errors import CommandError, one_line, run_verb
from sesh.cli.shell.options import add_connection_options, add_json_option, open_signer
from sesh.cli.shell.output import working
from sesh.cli.shell.records import read_record, rpc_url
from sesh.evm.addresses import checksum

if TYPE_CHECKING:
    from web3.types import TxReceipt

    from sesh.evm.chain import Chain
    from sesh.evm.compiler import Artifact
    from sesh.evm.contract import Bound
    from sesh.evm.record import Deployment

BUILD_DIR = "build"

_PROBES = {"ServiceNodeContribution": "stakingRewardsContract"}
"""A view each kind of contract a verb takes by address answers with this deployment's
ServiceNodeRewards: calling it tells the right contract from any other."""

T = TypeVar("T")


def add_actions(
    parser: argparse.ArgumentParser, dest: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The actions of a command that has several (`sesh contribution create`, …); one is
    required."""
    sub = parser.add_subparsers(dest=dest, metavar="ACTION")
    sub.required = True
    return sub


Outcome = dict[str, Any]
"""What a verb did, as the JSON object ``--json`` prints: snake_case keys, amounts as integers
in atoms, times in unix seconds, addresses checksummed (docs/cli.md lists each verb's keys)."""


def add_verb(
    parser: argparse.ArgumentParser,
    action: Callable[[argparse.Namespace], Outcome],
    *,
    signs: bool,
) -> None:
    """Make ``parser`` a verb: the connection options (``add_connection_options``), ``--json``,
    and its ``run`` calls ``action(args)`` inside ``run_verb``, under the verb's name as typed (the
    parser's prog without the program: ``stake``, ``contribution create``)."""
    add_connection_options(parser, signs=signs)
    add_json_option(parser)
    verb = " ".join(parser.prog.split()[1:])
    parser.set_defaults(run=lambda args: run_verb(verb, lambda: _report(action, args)))


def _report(action: Callable[[argparse.Namespace], Outcome], args: argparse.Namespace) -> int:
    """Run the verb; with ``--json``, its lines for people go to stderr and its outcome is the
    one JSON object on stdout (so a script reads stdout and a person still sees progress)."""
    if not args.json:
        _explained(action, args)
        return 0
    with contextlib.redirect_stdout(sys.stderr):
        outcome = _explained(action, args)
    print(json.dumps(outcome, indent=2))
    return 0


def _explained(
    action: Callable[[argparse.Namespace], Outcome], args: argparse.Namespace
) -> Outcome:
    """``action(args)``, with a contract's refusal followed by what it means and what to do,
    where the error alone only gives a code (``FinalizeNotPossible(status=1)``)."""
    from sesh.evm.chain import TransactionRefused
    from sesh.staking.rules import explain_refusal

    try:
        return action(args)
    except TransactionRefused as refused:
        hint = explain_refusal(refused.error.name, refused.error.args) if refused.error else None
        if hint is None:
            raise
        raise CommandError(f"{one_line(refused)}: {hint}") from None


def add_action(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    action: Callable[[argparse.Namespace], Outcome],
    *,
    signs: bool,
    help: str,
    description: str,
    target: tuple[str, str] | None = None,
) -> argparse.ArgumentParser:
    """One action of a command (`sesh vesting release`) made a verb (``add_verb``), with its
    ``target`` positional argument when it acts on one contract: (metavar, help). Its own
    options are added to the parser it returns."""
    parser = sub.add_parser(name, help=help, description=description)
    if target is not None:
        metavar, what = target
        parser.add_argument(metavar.lower(), metavar=metavar, help=what)
    add_verb(parser, action, signs=signs)
    return parser


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

    def bind(self, name: str, address: str) -> Bound:
        """The contract ``name`` (a contract in ``contracts/``) at ``address``; the chain then
        names it so in refusals."""
        return self.chain.bind(address, self.load(name))

    @property
    def token(self) -> Bound:
        return self.bind("SESH", self.deployment.sesh)

    @property
    def rewards(self) -> Bound:
        return self.bind("ServiceNodeRewards", self.deployment.service_node_rewards)

    @property
    def factory(self) -> Bound:
        address = self.require("ServiceNodeContributionFactory", "contribution_factory")
        return self.bind("ServiceNodeContributionFactory", address)

    @property
    def converter(self) -> Bound:
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
        """The contract ``name`` at the address the user typed, checked: code is there
        (``code_at``), and it answers as a ``name`` serving this deployment does (a call to
        another kind of contract would otherwise fail later with a bare "execution reverted")."""
        from sesh.evm.failures import chain_errors

        contract = self.bind(name, self.code_at(text, option))
        probe = _PROBES.get(name)
        if probe is not None:
            try:
                answer = str(contract.view(probe))
            except chain_errors():
                raise CommandError(
                    f"{option} {contract.address} is not a {name} (it does not answer {probe}())"
                ) from None
            rewards = self.deployment.service_node_rewards
            if answer.lower() != rewards.lower():
                raise CommandError(
                    f"{option} {contract.address} is a {name} of another deployment (its "
                    f"rewards contract is {answer}, this deployment's {rewards})"
                )
        return contract

    def code_at(self, text: str, option: str = "the address") -> str:
        """The address the user typed, checksummed: a usage error for a malformed address, an
        error if no contract is there."""
        address = address_option(option, text)
        assert address is not None
        if not self.chain.has_code(address):
            raise CommandError(f"there is no contract at {address} on chain {self.chain_id}")
        return address

    def pay(self, token: Any, spender: Any, amount: int, call: Any, what: str) -> TxReceipt:
        """Send ``call``, in which ``spender`` (a bound contract named ``what``) takes
        ``amount`` of ``token`` from the signer (``sesh.evm.payment.pay``: the balance checked,
        the approval only when the call needs it and would succeed); its receipt."""
        from sesh.evm.payment import InsufficientBalance, pay

        report = lambda line: print(f"  {line}", flush=True)  # noqa: E731
        try:
            return pay(self.chain, token, spender, amount, call, what=what, report=report)
        except InsufficientBalance as error:
            raise CommandError(str(error)) from None

    def check_balance(self, token: Any, amount: int) -> None:
        """A CommandError unless the signer holds ``amount`` of ``token``."""
        from sesh.evm.payment import InsufficientBalance, check_balance

        assert self.sender is not None
        try:
            check_balance(token, self.sender, amount)
        except InsufficientBalance as error:
            raise CommandError(str(error)) from None

    def allow(self, token: Any, spender: Any, amount: int, what: str) -> str | None:
        """Let ``spender`` (a bound contract named ``what``) take ``amount`` of ``token`` from
        the signer, unless its allowance already covers it; the line to print, or None. No
        check of the call that will spend it: a verb uses ``pay``."""
        from sesh.evm.payment import approve

        if int(token.view("allowance", self.sender, spender.address)) >= amount:
            return None
        return approve(self.chain, token, spender, amount, what)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    def timestamp(self) -> int:
        """The latest block's time: "now" for the contracts."""
        return self.chain.timestamp()


def connect(args: argparse.Namespace, *, signs: bool) -> Connection:
    """Read the deployment, reach the chain, check they match, and (with ``signs``) open the
    signer. CommandError says what is wrong."""
    from sesh.evm.chain import Chain
    from sesh.evm.failures import node_unreachable

    deployment, path = read_record(args.deployment)
    url = rpc_url(args.rpc, deployment)
    chain = Chain(url)
    sender, how = None, ""
    if signs:
        signer, how = open_signer(args, chain)
        sender = signer.address
    try:
        if not signs and not chain.reachable():
            raise CommandError(f"cannot reach a node at {url}")
        chain_id = chain.chain_id()
    except node_unreachable() as error:
        raise CommandError(f"cannot use the node at {url}: {one_line(error)}") from None
    if chain_id != deployment.chain_id:
        raise CommandError(
            f"the deployment in {path} is on chain {deployment.chain_id}, but the node at "
            f"{url} is chain {chain_id}",
            2,
        )
    if not chain.has_code(deployment.service_node_rewards):
        raise CommandError(
            f"the node at {url} has no ServiceNodeRewards at {deployment.service_node_rewards}, "
            f"where {path} says it is: a chain started afresh since the record was written? "
            "(the devnet deploys again at its next start)"
        )
    conn = Connection(chain, deployment, path, _artifact_loader(path), sender, how)
    if signs:
        # Errors the token or the rewards contract raise inside another contract's call (a
        # contribution contract registering its node) then decode by name too.
        conn.bind("SESH", deployment.sesh)
        conn.bind("ServiceNodeRewards", deployment.service_node_rewards)
    return conn


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
            path = CONTRACTS_DIR / f"{name}.vy"
            if (cache_dir / key / f"{name}.json").exists():
                loaded[name] = cached_contract(path, cache_dir, key)
            else:
                with working(f"compiling {name} (once: cached in {cache_dir})"):
                    loaded[name] = cached_contract(path, cache_dir, key)
        return loaded[name]

    return load


def parse_option(option: str, text: str, parse: Callable[[str], T]) -> T:
    """``parse(text)``, with a ValueError turned into a usage error naming ``option``."""
    try:
        return parse(text)
    except ValueError as error:
        raise CommandError(f"{option}: {error}", 2) from None


def address_option(option: str, text: str | None, *, allow_zero: bool = False) -> str | None:
    """An address option's value, checksummed (None stays None); a usage error if malformed,
    mixed-case with a wrong checksum, or (unless ``allow_zero``) the zero address, which the
    contracts read as "nobody"."""
    from sesh.evm.addresses import nonzero

    if text is None:
        return None
    try:
        return (checksum if allow_zero else nonzero)(text, option)
    except ValueError as error:
        raise CommandError(str(error), 2) from None
