"""Deploying the Session contract set from a named profile, and the `sesh deploy` command.

The set, in the reference's order:

1. SESH, the token, unless the profile names an existing one (on Arbitrum the staked token is
   the bridged one, deployed by the bridge, not by us); the deployer receives the whole supply;
2. RewardRatePool behind its proxy, with the deployer as beneficiary for now (the rewards
   contract does not exist yet, and the pool's initialiser takes any address);
3. BLSVerifier, stateless;
4. ServiceNodeRewards: the implementation (which names the verifier and the minimum exit age in
   immutables) and its proxy, initialised with the profile's parameters and the pool as
   foundation pool;
5. the pool's beneficiary becomes the rewards proxy;
6. the pool is funded with 40,000,000 SESH, when the token is ours (the deployer holds it);
7. ``start()`` only if asked: a new network is usually seeded by the owner first.

A ``Profile`` is the data of a deployment (a frozen value, like the ledger's presets); ``deploy``
is the one function that talks to a chain, and reports each step through a callback so that
the command, the devnet and tests each decide what to show. The result, ``Deployment``, is the
JSON record the command writes and the devnet keeps in its data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesh.evm.compiler import CONTRACTS_DIR, Artifact, CompileError

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

    from sesh.evm.chain import Chain

# web3 (and eth_utils) are imported inside the functions that need them: every `sesh` command
# builds its parser from this module (``register``), and none of them should pay web3's import,
# most of a second, for it.

SESH_UNIT = 10**9
"""One SESH in the token's smallest unit (9 decimals)."""
SESH_DECIMALS = 9
TOTAL_SUPPLY = 240_000_000 * SESH_UNIT
"""The whole supply, minted to the deployer when we deploy the token."""
POOL_FUNDING = 40_000_000 * SESH_UNIT
"""What the reference's deployment moves into the reward rate pool from the deployer."""

DEV_CHAIN_ID = 31337
"""anvil's (and Hardhat's) chain id: the only chain a development profile may be deployed to."""


# -- profiles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """The parameters of one deployment of the set."""

    name: str
    staking_requirement: int
    """The stake of a node, in units of 10**-9 SESH."""
    max_contributors: int
    """The most contributors a node may have (the contract caps it at 10)."""
    liquidator_reward_ratio: int
    """A liquidated stake's parts: the liquidator's..."""
    pool_share_of_liquidation_ratio: int
    """...the pool's..."""
    recipient_ratio: int
    """...and the stakers' (the first two together at most a quarter of this)."""
    minimum_exit_age: int
    """Seconds a node must live before a signed exit or liquidation; 0 only on a local chain,
    where tests and the devnet cannot wait two hours."""
    pool_funding: int = POOL_FUNDING
    """Moved into the pool when we deploy the token (none when the token is someone else's)."""
    token: ChecksumAddress | None = None
    """An existing token to stake instead of deploying SESH."""
    dev_chain_only: bool = False
    """Refuse every chain but ``DEV_CHAIN_ID`` (a zero exit age is unsafe on a public one)."""

    def with_token(self, token: str) -> Profile:
        """This profile, staking the existing token at ``token``."""
        return replace(self, token=_checksum(token))

    def initialize_args(self, token: str, pool: str) -> list[Any]:
        """The arguments of ServiceNodeRewards.initialize, in its order."""
        return [
            token,
            pool,
            self.staking_requirement,
            self.max_contributors,
            self.liquidator_reward_ratio,
            self.pool_share_of_liquidation_ratio,
            self.recipient_ratio,
        ]


PROFILES: Mapping[str, Profile] = {
    profile.name: profile
    for profile in (
        # The reference's local devnet build: a small stake and no exit wait.
        Profile("local", 120 * SESH_UNIT, 10, 3, 17, 9_980, 0, dev_chain_only=True),
        Profile("testnet", 20_000 * SESH_UNIT, 10, 3, 17, 9_980, 7_200),
        Profile("mainnet", 25_000 * SESH_UNIT, 10, 3, 17, 9_980, 7_200),
    )
}


def check_chain(profile: Profile, chain_id: int) -> None:
    """ValueError if ``profile`` must not be deployed to chain ``chain_id``."""
    if profile.dev_chain_only and chain_id != DEV_CHAIN_ID:
        raise ValueError(
            f"profile {profile.name} is for a local chain (id {DEV_CHAIN_ID}), not chain {chain_id}"
        )


def _checksum(address: str) -> ChecksumAddress:
    from eth_utils.address import to_checksum_address

    return to_checksum_address(address)


# -- the contract set ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractArtifacts:
    """The compiled set."""

    sesh: Artifact
    reward_rate_pool: Artifact
    bls_verifier: Artifact
    service_node_rewards: Artifact


def load_artifacts(
    cache_dir: Path | None = None, contracts_dir: Path = CONTRACTS_DIR
) -> ContractArtifacts:
    """Compile the set; through the on-disk cache in ``cache_dir`` when given."""
    if cache_dir is None:
        from sesh.evm.artifacts import compile_contract

        def build(name: str) -> Artifact:
            return compile_contract(contracts_dir / f"{name}.vy")

    else:
        from sesh.evm.build_cache import build_key, cached_contract

        key = build_key(contracts_dir)

        def build(name: str) -> Artifact:
            return cached_contract(contracts_dir / f"{name}.vy", cache_dir, key)

    return ContractArtifacts(
        build("SESH"), build("RewardRatePool"), build("BLSVerifier"), build("ServiceNodeRewards")
    )


@dataclass(frozen=True)
class Deployment:
    """Where a deployment put the set: the record `sesh deploy` writes."""

    chain_id: int
    profile: str
    sesh: ChecksumAddress
    reward_rate_pool: ChecksumAddress
    """The proxy: the address everyone uses."""
    service_node_rewards: ChecksumAddress
    """The proxy: the address everyone uses."""
    bls_verifier: ChecksumAddress
    reward_rate_pool_implementation: ChecksumAddress
    service_node_rewards_implementation: ChecksumAddress

    @property
    def contracts(self) -> dict[str, ChecksumAddress]:
        """Name → address, proxies for the upgradeable contracts."""
        return {
            "SESH": self.sesh,
            "RewardRatePool": self.reward_rate_pool,
            "ServiceNodeRewards": self.service_node_rewards,
            "BLSVerifier": self.bls_verifier,
        }

    @property
    def implementations(self) -> dict[str, ChecksumAddress]:
        return {
            "RewardRatePool": self.reward_rate_pool_implementation,
            "ServiceNodeRewards": self.service_node_rewards_implementation,
        }

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object: chainId, contracts, implementations, profile."""
        return {
            "chainId": self.chain_id,
            "contracts": dict(self.contracts),
            "implementations": dict(self.implementations),
            "profile": self.profile,
        }

    @classmethod
    def from_json(cls, data: Any) -> Deployment:
        """Read a record back; ValueError says what is missing or malformed."""
        try:
            contracts, implementations = data["contracts"], data["implementations"]

            def address(table: Mapping[str, Any], name: str) -> ChecksumAddress:
                return _checksum(str(table[name]))

            return cls(
                chain_id=int(data["chainId"]),
                profile=str(data["profile"]),
                sesh=address(contracts, "SESH"),
                reward_rate_pool=address(contracts, "RewardRatePool"),
                service_node_rewards=address(contracts, "ServiceNodeRewards"),
                bls_verifier=address(contracts, "BLSVerifier"),
                reward_rate_pool_implementation=address(implementations, "RewardRatePool"),
                service_node_rewards_implementation=address(implementations, "ServiceNodeRewards"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a deployment record ({type(exc).__name__}: {exc})") from None

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"


def read_deployment(path: Path) -> Deployment:
    """The record in ``path``; OSError or ValueError if it cannot be read."""
    return Deployment.from_json(json.loads(path.read_text()))


def write_deployment(path: Path, deployment: Deployment) -> None:
    """Write the record atomically (a crash leaves the old record or the new, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(deployment.dumps())
    os.replace(partial, path)


def missing_contracts(chain: Chain, deployment: Deployment) -> list[str]:
    """The names in ``deployment`` with no code on ``chain`` (all of them after a reset)."""
    addresses = {**deployment.contracts}
    for name, address in deployment.implementations.items():
        addresses[f"{name} implementation"] = address
    return [name for name, address in addresses.items() if not chain.has_code(address)]


# -- deploying ----------------------------------------------------------------------------------


class DeployError(Exception):
    """A step of the deployment failed; the message names the step and what is already on
    chain, so that nothing deployed is lost from sight."""

    def __init__(self, step: str, cause: object, deployed: Mapping[str, str]) -> None:
        message = f"{step}: {cause}"
        if deployed:
            message += " (already deployed: "
            message += ", ".join(f"{name} {address}" for name, address in deployed.items()) + ")"
        super().__init__(message)
        self.step = step
        self.cause = cause
        self.deployed = dict(deployed)


def _ignore(message: str) -> None:
    pass


def format_sesh(units: int) -> str:
    """``120000000000`` → ``"120 SESH"``; fractions keep their digits."""
    whole, fraction = divmod(units, SESH_UNIT)
    text = f"{whole:,}"
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return f"{text} SESH"


def deploy(
    chain: Chain,
    profile: Profile,
    artifacts: ContractArtifacts | None = None,
    *,
    start: bool = False,
    progress: Callable[[str], None] = _ignore,
) -> Deployment:
    """Deploy the set with ``profile`` from ``chain``'s default sender; see the module docstring.

    ``start`` calls ``start()`` on the rewards contract at the end. ``progress`` gets one line
    per step done. Raises ``DeployError`` for a refused step (its cause names the contract's
    error) and for a profile this chain must not get.
    """
    from web3.exceptions import Web3Exception

    chain_id = int(chain.w3.eth.chain_id)
    deployed: dict[str, str] = {}
    try:
        check_chain(profile, chain_id)
    except ValueError as exc:
        raise DeployError("checking the chain", exc, deployed) from None
    artifacts = artifacts or load_artifacts()
    deployer = chain.sender

    @contextmanager
    def step(what: str) -> Iterator[None]:
        try:
            yield
        except (Web3Exception, ValueError) as exc:
            raise DeployError(what, exc, deployed) from exc

    if profile.token is None:
        with step("deploying SESH"):
            token = chain.deploy(artifacts.sesh, TOTAL_SUPPLY, deployer, deployer, deployer)
        deployed["SESH"] = token.address
        progress(
            f"SESH                {token.address}  {format_sesh(TOTAL_SUPPLY)} minted to the "
            "deployer (Arbitrum gateway and router: the deployer)"
        )
    else:
        with step("checking the token"):
            token = _existing_token(chain, profile.token, artifacts.sesh)
        progress(f"SESH                {token.address}  existing token, not deployed by us")

    with step("deploying RewardRatePool"):
        pool, pool_impl = chain.deploy_upgradeable(
            artifacts.reward_rate_pool, "initialize", [deployer, token.address]
        )
    deployed["RewardRatePool"] = pool.address
    progress(
        f"RewardRatePool      {pool.address}  proxy (implementation {pool_impl.address}); "
        "beneficiary: the deployer until the rewards contract exists"
    )

    with step("deploying BLSVerifier"):
        verifier = chain.deploy(artifacts.bls_verifier)
    deployed["BLSVerifier"] = verifier.address
    progress(f"BLSVerifier         {verifier.address}")

    with step("deploying ServiceNodeRewards"):
        rewards, rewards_impl = chain.deploy_upgradeable(
            artifacts.service_node_rewards,
            "initialize",
            profile.initialize_args(token.address, pool.address),
            constructor_args=[verifier.address, profile.minimum_exit_age],
        )
    deployed["ServiceNodeRewards"] = rewards.address
    progress(
        f"ServiceNodeRewards  {rewards.address}  proxy (implementation {rewards_impl.address}); "
        f"stake {format_sesh(profile.staking_requirement)}, "
        f"up to {profile.max_contributors} contributors, "
        f"liquidation ratios {profile.liquidator_reward_ratio}/"
        f"{profile.pool_share_of_liquidation_ratio}/{profile.recipient_ratio}, "
        f"minimum exit age {profile.minimum_exit_age} s"
    )

    with step("setting the pool's beneficiary"):
        chain.transact(pool.functions.setBeneficiary(rewards.address))
    progress("RewardRatePool      beneficiary is now ServiceNodeRewards")

    if profile.token is not None:
        progress(
            "RewardRatePool      not funded: the token is not ours; its holder funds the pool "
            f"with a transfer to {pool.address}"
        )
    elif profile.pool_funding:
        with step("funding the pool"):
            chain.transact(token.functions.transfer(pool.address, profile.pool_funding))
        progress(f"RewardRatePool      funded with {format_sesh(profile.pool_funding)}")

    if start:
        with step("starting ServiceNodeRewards"):
            chain.transact(rewards.functions.start())
        progress("ServiceNodeRewards  started: registrations are open")
    else:
        progress("ServiceNodeRewards  not started: the owner seeds it, then calls start()")

    return Deployment(
        chain_id=chain_id,
        profile=profile.name,
        sesh=token.address,
        reward_rate_pool=pool.address,
        service_node_rewards=rewards.address,
        bls_verifier=verifier.address,
        reward_rate_pool_implementation=pool_impl.address,
        service_node_rewards_implementation=rewards_impl.address,
    )


def _existing_token(chain: Chain, address: str, abi_source: Artifact) -> Any:
    """The token at ``address``, checked: a contract is there, and it has SESH's 9 decimals
    (the staking requirement is in 10**-9 units, so any other would misprice every stake)."""
    from web3.exceptions import Web3Exception

    if not chain.has_code(address):
        raise ValueError(f"no contract at {address} on this chain")
    token = chain.contract(address, abi_source)
    try:
        decimals = int(token.functions.decimals().call())
    except (Web3Exception, ValueError):
        raise ValueError(f"the contract at {address} has no decimals(): not an ERC-20") from None
    if decimals != SESH_DECIMALS:
        raise ValueError(f"the token at {address} has {decimals} decimals, not {SESH_DECIMALS}")
    return token


# -- the `sesh deploy` command -------------------------------------------------------------------

_DESCRIPTION = "\n\n".join(
    textwrap.fill(paragraph, 92)
    for paragraph in (
        "Deploy the Session contract set (SESH, RewardRatePool, BLSVerifier, "
        "ServiceNodeRewards) to a chain, with the parameters of a named profile, and write "
        "where everything went to a JSON file. The upgradeable contracts (RewardRatePool, "
        "ServiceNodeRewards) go behind ERC-1967 proxies, initialised in the same transaction.",
        "Profiles: local (stake 120 SESH, no minimum exit age; only on a local chain, id "
        "31337), testnet (20,000 SESH) and mainnet (25,000 SESH); all allow 10 contributors, "
        "liquidation ratios 3/17/9980, and a 2-hour minimum exit age outside local. Unless "
        "--token names an existing token, SESH is deployed too (240,000,000 SESH to the "
        "deployer) and 40,000,000 of it funds the reward pool.",
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
  sesh deploy --rpc URL --profile mainnet --out mainnet.json --keystore deployer.json
                                    (asks for the keystore password on the terminal)"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh deploy` to the command tree."""
    parser = subparsers.add_parser(
        "deploy",
        help="deploy the contract set to a chain from a named profile",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        "--start",
        action="store_true",
        help="call start() on ServiceNodeRewards at the end (default: leave it unstarted so "
        "the owner can seed it first)",
    )
    signing = parser.add_argument_group("signing (one of --keystore, --key-env, --unlocked)")
    how = signing.add_mutually_exclusive_group(required=True)
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


class CommandError(Exception):
    """A failure to report as one line, with the exit code to return."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _run(args: argparse.Namespace) -> int:
    from web3 import Web3
    from web3.exceptions import Web3Exception

    from sesh.evm.artifacts import SourceError
    from sesh.evm.chain import Chain
    from sesh.evm.signing import (
        Signer,
        SignerError,
        first_unlocked_account,
        from_env,
        from_keystore,
        read_password,
    )

    if args.password_env and args.keystore is None:
        raise CommandError("--password-env goes with --keystore", 2)
    profile = PROFILES[args.profile]
    if args.token is not None:
        if not Web3.is_address(args.token):
            raise CommandError(f"--token {args.token} is not an address (0x and 40 hex digits)", 2)
        profile = profile.with_token(args.token)
    out: Path = args.out
    if out.exists():
        raise CommandError(f"{out} already exists: a deployment record is never overwritten", 2)

    chain = Chain(args.rpc)
    signer: Signer
    try:
        if args.keystore is not None:
            password = read_password(args.password_env)
            signer = from_keystore(args.keystore, password)
            how = f"key from keystore {args.keystore}"
        elif args.key_env is not None:
            signer = from_env(args.key_env)
            how = f"key from ${args.key_env}"
        if not chain.w3.is_connected():
            raise CommandError(f"cannot reach a node at {args.rpc}")
        chain_id = int(chain.w3.eth.chain_id)
        if args.unlocked:
            signer = first_unlocked_account(chain.w3)
            how = "the node's unlocked account"
        chain.add_signer(signer, default=True)
        balance = int(chain.w3.eth.get_balance(signer.address))
    except SignerError as error:
        raise CommandError(str(error)) from None
    except (OSError, Web3Exception) as error:
        raise CommandError(f"cannot use the node at {args.rpc}: {_one_line(error)}") from None
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
        f"  deployer {signer.address} ({how}), balance {Web3.from_wei(balance, 'ether')} ETH",
        flush=True,
    )
    # Claim the output file before spending gas: a deployment whose record cannot be written
    # would leave contracts on chain that nobody wrote down.
    try:
        reserved = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        raise CommandError(f"cannot create {out}: {error.strerror}") from None
    try:
        print("compiling the contracts…", flush=True)
        artifacts = load_artifacts()
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
            raise CommandError(f"the contracts do not compile: {_one_line(error)}") from None
        if isinstance(error, DeployError):
            raise CommandError(_one_line(error)) from None
        if isinstance(error, OSError | Web3Exception):
            raise CommandError(f"the node at {args.rpc} failed: {_one_line(error)}") from None
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


def _one_line(error: BaseException) -> str:
    """An exception's message on one line (some web3 and requests messages span several)."""
    return " ".join(str(error).split()) or type(error).__name__
