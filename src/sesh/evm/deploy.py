"""Deploying the Session contract set from a named profile, and the `sesh deploy` command.

The set, in the reference's order, then what stakers and token holders use around it:

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
7. the ServiceNodeContribution implementation (it serves this rewards contract) and the
   ServiceNodeContributionFactory behind its proxy, which makes clones of it for
   multi-contributor nodes;
8. the TokenConverter (old wOXEN in, SESH out), when the profile names the old token or asks
   for a stand-in (``contracts/WrappedOxen.vy``, devnet and testnet only), funded with SESH
   when the token is ours and the profile says how much;
9. ``start()`` only if asked: a new network is usually seeded by the owner first.

A ``Profile`` is the data of a deployment (a frozen value, like the ledger's presets); ``deploy``
is the one function that talks to a chain, and reports each step through a callback so that
the command, the devnet and tests each decide what to show. The result, ``Deployment``, is the
JSON record the command writes and the devnet keeps in its data directory. A record written
before steps 7 and 8 existed still reads; ``Deployment.missing_parts`` names what it lacks and
``complete`` deploys just that, next to the contracts already there.
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

CONVERSION_RATE = (1, 2)
"""SESH out per wOXEN in, as (numerator, denominator): the reference's deploy script converts
two wOXEN into one SESH."""
LATE_RATE_DELAY = 180 * 86_400
"""The TokenConverter switches to its late rate this long after the TGE (its constant)."""
OLD_TOKEN_STAND_IN_SUPPLY = 100_000_000 * SESH_UNIT
"""What the wOXEN stand-in mints to the deployer (9 decimals, as the real wOXEN)."""
CONVERTER_FUNDING = 10_000_000 * SESH_UNIT
"""SESH the development profiles put into the converter, so that conversions work at once."""


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
    old_token: ChecksumAddress | None = None
    """The token the TokenConverter takes in (wOXEN). None: a stand-in if
    ``old_token_stand_in``, else no converter at all."""
    old_token_stand_in: bool = False
    """Deploy ``contracts/WrappedOxen.vy`` as the old token when none is named: for chains where
    the real wOXEN does not exist (devnet, test chains)."""
    conversion_rate: tuple[int, int] = CONVERSION_RATE
    """The converter's initial rate, SESH out per old token in, until TGE + 180 days."""
    late_conversion_rate: tuple[int, int] = CONVERSION_RATE
    """The converter's rate from TGE + 180 days on."""
    tge: int | None = None
    """The token generation event (unix time) the late rate counts from; None: the time of
    deployment (the latest block's)."""
    converter_funding: int = 0
    """SESH moved into the converter from the deployer, when the token is ours."""

    def with_token(self, token: str) -> Profile:
        """This profile, staking the existing token at ``token``."""
        return replace(self, token=_checksum(token))

    def with_old_token(self, old_token: str) -> Profile:
        """This profile, converting from the existing token at ``old_token`` (no stand-in)."""
        return replace(self, old_token=_checksum(old_token), old_token_stand_in=False)

    def with_tge(self, tge: int) -> Profile:
        """This profile with the TGE at unix time ``tge``."""
        return replace(self, tge=tge)

    @property
    def deploys_converter(self) -> bool:
        """Whether the set includes a TokenConverter (it needs an old token to convert)."""
        return self.old_token is not None or self.old_token_stand_in

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


def _with_test_converter(profile: Profile) -> Profile:
    """Test chains have no wOXEN: they get the stand-in, a converter stocked with SESH, and a
    late rate half the initial one, so that both rates can be tried. The reference documents
    no late rate (its converter has one rate, which the owner changes), so mainnet keeps the
    initial rate, and converts only from a wOXEN it is given (`sesh deploy --old-token`)."""
    return replace(
        profile,
        old_token_stand_in=True,
        late_conversion_rate=(1, 4),
        converter_funding=CONVERTER_FUNDING,
    )


PROFILES: Mapping[str, Profile] = {
    profile.name: profile
    for profile in (
        # The reference's local devnet build: a small stake and no exit wait.
        _with_test_converter(
            Profile("local", 120 * SESH_UNIT, 10, 3, 17, 9_980, 0, dev_chain_only=True)
        ),
        _with_test_converter(Profile("testnet", 20_000 * SESH_UNIT, 10, 3, 17, 9_980, 7_200)),
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
    service_node_contribution: Artifact
    contribution_factory: Artifact
    token_converter: Artifact
    wrapped_oxen: Artifact


CONTRACT_SOURCES = {
    "sesh": "SESH",
    "reward_rate_pool": "RewardRatePool",
    "bls_verifier": "BLSVerifier",
    "service_node_rewards": "ServiceNodeRewards",
    "service_node_contribution": "ServiceNodeContribution",
    "contribution_factory": "ServiceNodeContributionFactory",
    "token_converter": "TokenConverter",
    "wrapped_oxen": "WrappedOxen",
}
"""ContractArtifacts field → contract (file stem in ``contracts/``)."""


def contract_loader(
    cache_dir: Path | None = None, contracts_dir: Path = CONTRACTS_DIR
) -> Callable[[str], Artifact]:
    """A function from a contract's name (``"TokenVestingStaking"``) to its artifact: compiled,
    through the on-disk cache in ``cache_dir`` when given."""
    if cache_dir is None:
        from sesh.evm.artifacts import compile_contract

        def build(name: str) -> Artifact:
            return compile_contract(contracts_dir / f"{name}.vy")

        return build

    from sesh.evm.build_cache import build_key, cached_contract

    key = build_key(contracts_dir)

    def build_cached(name: str) -> Artifact:
        return cached_contract(contracts_dir / f"{name}.vy", cache_dir, key)

    return build_cached


def load_artifacts(
    cache_dir: Path | None = None, contracts_dir: Path = CONTRACTS_DIR
) -> ContractArtifacts:
    """Compile the set; through the on-disk cache in ``cache_dir`` when given."""
    build = contract_loader(cache_dir, contracts_dir)
    return ContractArtifacts(**{field: build(name) for field, name in CONTRACT_SOURCES.items()})


@dataclass(frozen=True)
class Deployment:
    """Where a deployment put the set: the record `sesh deploy` writes.

    The fields after the first seven are None in a record written before those contracts were
    part of the set (and the converter's are None for a profile without one).
    """

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
    contribution_factory: ChecksumAddress | None = None
    """The proxy: the address operators call to make a contribution contract."""
    contribution_factory_implementation: ChecksumAddress | None = None
    service_node_contribution_implementation: ChecksumAddress | None = None
    """What every contribution contract (an EIP-1167 clone) runs."""
    old_token: ChecksumAddress | None = None
    """wOXEN (or its stand-in): what the converter takes in."""
    token_converter: ChecksumAddress | None = None

    @property
    def contracts(self) -> dict[str, ChecksumAddress]:
        """Name → address, proxies for the upgradeable contracts."""
        named: dict[str, ChecksumAddress | None] = {
            "SESH": self.sesh,
            "RewardRatePool": self.reward_rate_pool,
            "ServiceNodeRewards": self.service_node_rewards,
            "BLSVerifier": self.bls_verifier,
            "ServiceNodeContributionFactory": self.contribution_factory,
            "wOXEN": self.old_token,
            "TokenConverter": self.token_converter,
        }
        return {name: address for name, address in named.items() if address is not None}

    @property
    def implementations(self) -> dict[str, ChecksumAddress]:
        """Name → the code behind a proxy (or, for ServiceNodeContribution, behind every
        factory-made clone)."""
        named: dict[str, ChecksumAddress | None] = {
            "RewardRatePool": self.reward_rate_pool_implementation,
            "ServiceNodeRewards": self.service_node_rewards_implementation,
            "ServiceNodeContributionFactory": self.contribution_factory_implementation,
            "ServiceNodeContribution": self.service_node_contribution_implementation,
        }
        return {name: address for name, address in named.items() if address is not None}

    def missing_parts(self) -> list[str]:
        """What a complete deployment with this record's profile has and this record lacks
        (a record written by an older sesh); empty when complete. Unknown profiles are only
        checked for the factory."""
        missing = []
        factory = (self.contribution_factory, self.service_node_contribution_implementation)
        if None in factory:
            missing.append("ServiceNodeContributionFactory")
        profile = PROFILES.get(self.profile)
        if profile is not None and profile.deploys_converter and self.token_converter is None:
            missing.append("TokenConverter")
        return missing

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

            def optional(table: Mapping[str, Any], name: str) -> ChecksumAddress | None:
                return _checksum(str(table[name])) if table.get(name) is not None else None

            return cls(
                chain_id=int(data["chainId"]),
                profile=str(data["profile"]),
                sesh=address(contracts, "SESH"),
                reward_rate_pool=address(contracts, "RewardRatePool"),
                service_node_rewards=address(contracts, "ServiceNodeRewards"),
                bls_verifier=address(contracts, "BLSVerifier"),
                reward_rate_pool_implementation=address(implementations, "RewardRatePool"),
                service_node_rewards_implementation=address(implementations, "ServiceNodeRewards"),
                contribution_factory=optional(contracts, "ServiceNodeContributionFactory"),
                contribution_factory_implementation=optional(
                    implementations, "ServiceNodeContributionFactory"
                ),
                service_node_contribution_implementation=optional(
                    implementations, "ServiceNodeContribution"
                ),
                old_token=optional(contracts, "wOXEN"),
                token_converter=optional(contracts, "TokenConverter"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
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
    return format_units(units, "SESH")


def format_units(units: int, symbol: str, decimals: int = SESH_DECIMALS) -> str:
    """``1500000000`` → ``"1.5 wOXEN"``: a token amount in whole tokens, digits grouped."""
    whole, fraction = divmod(units, 10**decimals)
    text = f"{whole:,}"
    if fraction:
        text += "." + f"{fraction:0{decimals}d}".rstrip("0")
    return f"{text} {symbol}"


def format_rate(rate: tuple[int, int], old: str = "wOXEN") -> str:
    """``(1, 2)`` → ``"1 SESH per 2 wOXEN"``: a converter rate in words."""
    numerator, denominator = rate
    return f"{numerator:,} SESH per {denominator:,} {old}"


class _Steps:
    """Runs the steps of a deployment: a failure becomes a ``DeployError`` naming the step and
    everything deployed so far."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.deployed: dict[str, str] = {}
        self.progress = progress

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        from web3.exceptions import Web3Exception

        try:
            yield
        except (Web3Exception, ValueError) as exc:
            raise DeployError(what, exc, self.deployed) from exc


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
    chain_id = int(chain.w3.eth.chain_id)
    steps = _Steps(progress)
    try:
        check_chain(profile, chain_id)
    except ValueError as exc:
        raise DeployError("checking the chain", exc, steps.deployed) from None
    artifacts = artifacts or load_artifacts()
    deployer = chain.sender
    step = steps.step

    if profile.token is None:
        with step("deploying SESH"):
            token = chain.deploy(artifacts.sesh, TOTAL_SUPPLY, deployer, deployer, deployer)
        steps.deployed["SESH"] = token.address
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
    steps.deployed["RewardRatePool"] = pool.address
    progress(
        f"RewardRatePool      {pool.address}  proxy (implementation {pool_impl.address}); "
        "beneficiary: the deployer until the rewards contract exists"
    )

    with step("deploying BLSVerifier"):
        verifier = chain.deploy(artifacts.bls_verifier)
    steps.deployed["BLSVerifier"] = verifier.address
    progress(f"BLSVerifier         {verifier.address}")

    with step("deploying ServiceNodeRewards"):
        rewards, rewards_impl = chain.deploy_upgradeable(
            artifacts.service_node_rewards,
            "initialize",
            profile.initialize_args(token.address, pool.address),
            constructor_args=[verifier.address, profile.minimum_exit_age],
        )
    steps.deployed["ServiceNodeRewards"] = rewards.address
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

    additions = _deploy_additions(chain, profile, artifacts, token, rewards.address, steps)

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
        contribution_factory=additions.contribution_factory,
        contribution_factory_implementation=additions.contribution_factory_implementation,
        service_node_contribution_implementation=additions.contribution_implementation,
        old_token=additions.old_token,
        token_converter=additions.token_converter,
    )


def complete(
    chain: Chain,
    deployment: Deployment,
    artifacts: ContractArtifacts | None = None,
    *,
    profile: Profile | None = None,
    progress: Callable[[str], None] = _ignore,
) -> Deployment:
    """Deploy what ``deployment`` lacks (``missing_parts``: the contribution factory, the
    converter) beside its contracts, from ``chain``'s default sender; the completed record.

    For a record written before those contracts were part of the set: the token, the rewards
    contract and everything staked in it stay where they are. ``profile`` defaults to the
    record's own; the converter is funded only when the deployer holds the SESH to do it.
    """
    missing = deployment.missing_parts()
    if not missing:
        return deployment
    steps = _Steps(progress)
    steps.deployed.update(deployment.contracts)
    profile = profile or PROFILES.get(deployment.profile)
    if profile is None:
        raise DeployError(
            "completing the deployment", f"no profile named {deployment.profile}", steps.deployed
        )
    artifacts = artifacts or load_artifacts()
    token = chain.contract(deployment.sesh, artifacts.sesh)
    funding = profile.converter_funding
    with steps.step("reading the deployer's SESH"):
        if int(token.functions.balanceOf(chain.sender).call()) < funding:
            funding = 0
    profile = replace(profile, converter_funding=funding)
    additions = _deploy_additions(
        chain,
        profile,
        artifacts,
        token,
        deployment.service_node_rewards,
        steps,
        factory="ServiceNodeContributionFactory" in missing,
        converter="TokenConverter" in missing,
    )
    return replace(
        deployment,
        contribution_factory=additions.contribution_factory or deployment.contribution_factory,
        contribution_factory_implementation=(
            additions.contribution_factory_implementation
            or deployment.contribution_factory_implementation
        ),
        service_node_contribution_implementation=(
            additions.contribution_implementation
            or deployment.service_node_contribution_implementation
        ),
        old_token=additions.old_token or deployment.old_token,
        token_converter=additions.token_converter or deployment.token_converter,
    )


@dataclass
class _Additions:
    """What ``_deploy_additions`` deployed (None: not deployed by that call)."""

    contribution_factory: ChecksumAddress | None = None
    contribution_factory_implementation: ChecksumAddress | None = None
    contribution_implementation: ChecksumAddress | None = None
    old_token: ChecksumAddress | None = None
    token_converter: ChecksumAddress | None = None


def _deploy_additions(
    chain: Chain,
    profile: Profile,
    artifacts: ContractArtifacts,
    token: Any,
    rewards: str,
    steps: _Steps,
    *,
    factory: bool = True,
    converter: bool = True,
) -> _Additions:
    """Steps 7 and 8 of the module docstring."""
    step, progress, deployer = steps.step, steps.progress, chain.sender
    added = _Additions()

    if factory:
        with step("deploying ServiceNodeContribution"):
            contribution = chain.deploy(artifacts.service_node_contribution, rewards)
        steps.deployed["ServiceNodeContribution implementation"] = contribution.address
        with step("deploying ServiceNodeContributionFactory"):
            factory_proxy, factory_impl = chain.deploy_upgradeable(
                artifacts.contribution_factory,
                "initialize",
                [rewards],
                constructor_args=[contribution.address],
            )
        steps.deployed["ServiceNodeContributionFactory"] = factory_proxy.address
        added.contribution_implementation = contribution.address
        added.contribution_factory = factory_proxy.address
        added.contribution_factory_implementation = factory_impl.address
        progress(
            f"ContributionFactory {factory_proxy.address}  proxy (implementation "
            f"{factory_impl.address}); contribution contracts are clones of "
            f"{contribution.address}"
        )

    if not converter:
        return added
    if not profile.deploys_converter:
        progress(
            "TokenConverter      not deployed: the profile names no old token "
            "(`sesh deploy --old-token ADDR` names wOXEN)"
        )
        return added
    if profile.old_token is None:
        with step("deploying the wOXEN stand-in"):
            old = chain.deploy(artifacts.wrapped_oxen, OLD_TOKEN_STAND_IN_SUPPLY, deployer)
        steps.deployed["wOXEN"] = old.address
        progress(
            f"wOXEN               {old.address}  stand-in (contracts/WrappedOxen.vy), "
            f"{format_units(OLD_TOKEN_STAND_IN_SUPPLY, 'wOXEN')} minted to the deployer"
        )
    else:
        with step("checking the old token"):
            old = _existing_token(chain, profile.old_token, artifacts.wrapped_oxen, "wOXEN")
        progress(f"wOXEN               {old.address}  existing token, not deployed by us")
    added.old_token = old.address

    with step("reading the time of the TGE"):
        tge = profile.tge if profile.tge is not None else chain.timestamp()
    with step("deploying TokenConverter"):
        converter_contract = chain.deploy(
            artifacts.token_converter,
            old.address,
            token.address,
            *profile.conversion_rate,
            tge,
            *profile.late_conversion_rate,
        )
    steps.deployed["TokenConverter"] = converter_contract.address
    added.token_converter = converter_contract.address
    switch = _utc(tge + LATE_RATE_DELAY)
    if profile.late_conversion_rate == profile.conversion_rate:
        rates = f"{format_rate(profile.conversion_rate)}, also after TGE + 180 days ({switch})"
    else:
        rates = (
            f"{format_rate(profile.conversion_rate)} until TGE + 180 days ({switch}), then "
            f"{format_rate(profile.late_conversion_rate)}"
        )
    progress(f"TokenConverter      {converter_contract.address}  {rates}")
    if profile.token is None and profile.converter_funding:
        with step("funding TokenConverter"):
            amount = profile.converter_funding
            chain.transact(token.functions.approve(converter_contract.address, amount))
            chain.transact(converter_contract.functions.depositTokenB(amount))
        progress(f"TokenConverter      funded with {format_sesh(profile.converter_funding)}")
    else:
        progress(
            "TokenConverter      not funded: its owner (the deployer) deposits SESH with "
            "depositTokenB"
        )
    return added


def _utc(timestamp: int) -> str:
    """A unix time as ``2025-05-21 00:00 UTC``."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _existing_token(chain: Chain, address: str, abi_source: Artifact, what: str = "SESH") -> Any:
    """The token at ``address``, checked: a contract is there, and it has 9 decimals (SESH's
    and wOXEN's: the staking requirement and the conversion rate are in 10**-9 units, so any
    other would misprice every stake or conversion)."""
    from web3.exceptions import Web3Exception

    if not chain.has_code(address):
        raise ValueError(f"no contract at {address} on this chain")
    token = chain.contract(address, abi_source)
    try:
        decimals = int(token.functions.decimals().call())
    except (Web3Exception, ValueError):
        raise ValueError(f"the contract at {address} has no decimals(): not an ERC-20") from None
    if decimals != SESH_DECIMALS:
        raise ValueError(
            f"the token at {address} has {decimals} decimals, not {SESH_DECIMALS} as {what}"
        )
    return token


# -- the `sesh deploy` command -------------------------------------------------------------------

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
    from sesh.evm.signer_options import add_signer_options

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
    from sesh.evm.signer_options import CommandError

    try:
        return _run(args)
    except CommandError as error:
        print(f"sesh deploy: error: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:  # at the password prompt, or between two transactions
        print("\nsesh deploy: interrupted (what was deployed is listed above)", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from web3 import Web3
    from web3.exceptions import Web3Exception

    from sesh.evm.artifacts import SourceError
    from sesh.evm.chain import Chain
    from sesh.evm.signer_options import CommandError, check_signer_options, one_line, open_signer

    check_signer_options(args)
    profile = PROFILES[args.profile]
    for option, value in (("--token", args.token), ("--old-token", args.old_token)):
        if value is not None and not Web3.is_address(value):
            raise CommandError(f"{option} {value} is not an address (0x and 40 hex digits)", 2)
    if args.token is not None:
        profile = profile.with_token(args.token)
    if args.old_token is not None:
        profile = profile.with_old_token(args.old_token)
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
    except (OSError, Web3Exception) as error:
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
            raise CommandError(f"the contracts do not compile: {one_line(error)}") from None
        if isinstance(error, DeployError):
            raise CommandError(one_line(error)) from None
        if isinstance(error, OSError | Web3Exception):
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
