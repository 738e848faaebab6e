"""Deploying the Session contract set from a named profile.

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

A ``Profile`` (``sesh.evm.profiles``) is the data of a deployment; ``deploy`` is the one
function that talks to a chain, and reports each step through a callback so that the command,
the devnet and tests each decide what to show. The result, ``Deployment``
(``sesh.evm.record``), is the JSON record `sesh deploy` writes and the devnet keeps in its data
directory. A record written before steps 7 and 8 existed still reads;
``Deployment.missing_parts`` names what it lacks and ``complete`` deploys just that, next to the
contracts already there. The command itself is ``sesh.cli.commands.deploy``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypedDict

from sesh.evm.contract_set import ContractArtifacts, load_artifacts
from sesh.evm.profiles import (
    LATE_RATE_DELAY,
    OLD_TOKEN_STAND_IN_SUPPLY,
    TOTAL_SUPPLY,
    Profile,
    check_chain,
    profile_named,
)
from sesh.evm.record import Deployment
from sesh.units import SESH_DECIMALS, format_amount, format_time

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

    from sesh.evm.chain import Chain
    from sesh.evm.compiler import Artifact

# web3 is imported inside the functions that need it: every `sesh` command builds its parser
# from modules that import this one, and none of them should pay web3's import for it.


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


def format_rate(rate: tuple[int, int], old: str = "wOXEN") -> str:
    """``(1, 2)`` → ``"1 SESH per 2 wOXEN"``: a converter rate in words."""
    numerator, denominator = rate
    return f"{numerator:,} SESH per {denominator:,} {old}"


Journal = dict[str, Any]
"""What a deployment has done so far, step by step: a key per step (``"SESH"``,
``"pool beneficiary set"``), the address it deployed (proxy and implementation for an
upgradeable contract) or what it read. JSON, so that `sesh deploy` can keep it on disk after
every step and resume an interrupted deployment without deploying anything twice."""


class _Steps:
    """Runs the steps of a deployment: a failure becomes a ``DeployError`` naming the step and
    everything deployed so far. A step already in the journal is not run again: its contract
    is bound where it was deployed, and ``save`` gets the journal after every new step."""

    def __init__(
        self,
        chain: Chain,
        progress: Callable[[str], None],
        journal: Journal | None = None,
        save: Callable[[Journal], None] = lambda journal: None,
    ) -> None:
        self.chain = chain
        self.deployed: dict[str, str] = {}
        self.progress = progress
        self.journal: Journal = journal if journal is not None else {}
        self.save = save

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        from web3.exceptions import Web3Exception

        try:
            yield
        except (Web3Exception, ValueError) as exc:
            raise DeployError(what, exc, self.deployed) from exc

    def _record(self, key: str, value: Any) -> None:
        self.journal[key] = value
        self.save(dict(self.journal))

    def contract(self, key: str, artifact: Artifact, deploy: Callable[[], Any]) -> Any:
        """The contract step ``key`` deploys (``deploy()``), or deployed before."""
        address = self.journal.get(key)
        if address is None:
            with self.step(f"deploying {key}"):
                address = deploy().address
            self._record(key, address)
        self.deployed[key] = address
        return self.chain.contract(address, artifact)

    def upgradeable(self, key: str, artifact: Artifact, deploy: Callable[[], Any]) -> Any:
        """The (proxy, implementation) step ``key`` deploys, or deployed before."""
        done = self.journal.get(key)
        if done is None:
            with self.step(f"deploying {key}"):
                proxy, implementation = deploy()
            done = [proxy.address, implementation.address]
            self._record(key, done)
        self.deployed[key] = done[0]
        return self.chain.contract(done[0], artifact), self.chain.contract(done[1], artifact)

    def once(self, key: str, what: str, act: Callable[[], object]) -> None:
        """Run ``act`` (a transaction) unless the journal says step ``key`` was done."""
        if key not in self.journal:
            with self.step(what):
                act()
            self._record(key, True)

    def reading(self, key: str, what: str, read: Callable[[], int]) -> int:
        """``read()``, or what it gave when the journal recorded step ``key``: a value later
        steps depend on (the TGE) must be the same on a resumed run."""
        if key not in self.journal:
            with self.step(what):
                value = read()
            self._record(key, value)
        return int(self.journal[key])


def deploy(
    chain: Chain,
    profile: Profile,
    artifacts: ContractArtifacts | None = None,
    *,
    start: bool = False,
    progress: Callable[[str], None] = _ignore,
    journal: Journal | None = None,
    save: Callable[[Journal], None] = lambda journal: None,
) -> Deployment:
    """Deploy the set with ``profile`` from ``chain``'s default sender; see the module docstring.

    ``start`` calls ``start()`` on the rewards contract at the end. ``progress`` gets one line
    per step done. ``journal`` is what an interrupted deployment of the same profile to the
    same chain did (its steps are not done again); ``save`` gets the journal after every
    step. Raises ``DeployError`` for a refused step (its cause names the contract's error) and
    for a profile this chain must not get.
    """
    chain_id = int(chain.w3.eth.chain_id)
    steps = _Steps(chain, progress, journal, save)
    try:
        check_chain(profile, chain_id)
    except ValueError as exc:
        raise DeployError("checking the chain", exc, steps.deployed) from None
    artifacts = artifacts or load_artifacts()
    deployer = chain.sender
    step = steps.step

    if profile.token is None:
        token = steps.contract(
            "SESH",
            artifacts.sesh,
            lambda: chain.deploy(artifacts.sesh, TOTAL_SUPPLY, deployer, deployer, deployer),
        )
        progress(
            f"SESH                {token.address}  {format_amount(TOTAL_SUPPLY)} minted to the "
            "deployer (Arbitrum gateway and router: the deployer)"
        )
    else:
        with step("checking the token"):
            token = _existing_token(chain, profile.token, artifacts.sesh)
        progress(f"SESH                {token.address}  existing token, not deployed by us")

    pool, pool_impl = steps.upgradeable(
        "RewardRatePool",
        artifacts.reward_rate_pool,
        lambda: chain.deploy_upgradeable(
            artifacts.reward_rate_pool, "initialize", [deployer, token.address]
        ),
    )
    progress(
        f"RewardRatePool      {pool.address}  proxy (implementation {pool_impl.address}); "
        "beneficiary: the deployer until the rewards contract exists"
    )

    verifier = steps.contract(
        "BLSVerifier", artifacts.bls_verifier, lambda: chain.deploy(artifacts.bls_verifier)
    )
    progress(f"BLSVerifier         {verifier.address}")

    rewards, rewards_impl = steps.upgradeable(
        "ServiceNodeRewards",
        artifacts.service_node_rewards,
        lambda: chain.deploy_upgradeable(
            artifacts.service_node_rewards,
            "initialize",
            profile.initialize_args(token.address, pool.address),
            constructor_args=[verifier.address, profile.minimum_exit_age],
        ),
    )
    progress(
        f"ServiceNodeRewards  {rewards.address}  proxy (implementation {rewards_impl.address}); "
        f"stake {format_amount(profile.staking_requirement)}, "
        f"up to {profile.max_contributors} contributors, "
        f"liquidation ratios {profile.liquidator_reward_ratio}/"
        f"{profile.pool_share_of_liquidation_ratio}/{profile.recipient_ratio}, "
        f"minimum exit age {profile.minimum_exit_age} s"
    )

    steps.once(
        "pool beneficiary set",
        "setting the pool's beneficiary",
        lambda: chain.transact(pool.functions.setBeneficiary(rewards.address)),
    )
    progress("RewardRatePool      beneficiary is now ServiceNodeRewards")

    if profile.token is not None:
        progress(
            "RewardRatePool      not funded: the token is not ours; its holder funds the pool "
            f"with a transfer to {pool.address}"
        )
    elif profile.pool_funding:
        steps.once(
            "pool funded",
            "funding the pool",
            lambda: chain.transact(token.functions.transfer(pool.address, profile.pool_funding)),
        )
        progress(f"RewardRatePool      funded with {format_amount(profile.pool_funding)}")

    additions = _deploy_additions(chain, profile, artifacts, token, rewards.address, steps)

    if start:
        steps.once(
            "rewards started",
            "starting ServiceNodeRewards",
            lambda: chain.transact(rewards.functions.start()),
        )
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
        **additions,
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
    steps = _Steps(chain, progress)
    steps.deployed.update(deployment.contracts)
    profile = profile or profile_named(deployment.profile)
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
    return replace(deployment, **additions)


class _Additions(TypedDict, total=False):
    """What ``_deploy_additions`` deployed, each under the ``Deployment`` field it fills (a
    contract it did not deploy is absent)."""

    contribution_factory: ChecksumAddress
    contribution_factory_implementation: ChecksumAddress
    service_node_contribution_implementation: ChecksumAddress
    old_token: ChecksumAddress
    token_converter: ChecksumAddress


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
    added: _Additions = {}

    if factory:
        contribution = steps.contract(
            "ServiceNodeContribution implementation",
            artifacts.service_node_contribution,
            lambda: chain.deploy(artifacts.service_node_contribution, rewards),
        )
        factory_proxy, factory_impl = steps.upgradeable(
            "ServiceNodeContributionFactory",
            artifacts.contribution_factory,
            lambda: chain.deploy_upgradeable(
                artifacts.contribution_factory,
                "initialize",
                [rewards],
                constructor_args=[contribution.address],
            ),
        )
        added["service_node_contribution_implementation"] = contribution.address
        added["contribution_factory"] = factory_proxy.address
        added["contribution_factory_implementation"] = factory_impl.address
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
        old = steps.contract(
            "wOXEN",
            artifacts.wrapped_oxen,
            lambda: chain.deploy(artifacts.wrapped_oxen, OLD_TOKEN_STAND_IN_SUPPLY, deployer),
        )
        progress(
            f"wOXEN               {old.address}  stand-in (contracts/WrappedOxen.vy), "
            f"{format_amount(OLD_TOKEN_STAND_IN_SUPPLY, 'wOXEN')} minted to the deployer"
        )
    else:
        with step("checking the old token"):
            old = _existing_token(chain, profile.old_token, artifacts.wrapped_oxen, "wOXEN")
        progress(f"wOXEN               {old.address}  existing token, not deployed by us")
    added["old_token"] = old.address

    tge = steps.reading(
        "TGE",
        "reading the time of the TGE",
        lambda: profile.tge if profile.tge is not None else chain.timestamp(),
    )
    converter_contract = steps.contract(
        "TokenConverter",
        artifacts.token_converter,
        lambda: chain.deploy(
            artifacts.token_converter,
            old.address,
            token.address,
            *profile.conversion_rate,
            tge,
            *profile.late_conversion_rate,
        ),
    )
    added["token_converter"] = converter_contract.address
    switch = format_time(tge + LATE_RATE_DELAY)
    if profile.late_conversion_rate == profile.conversion_rate:
        rates = f"{format_rate(profile.conversion_rate)}, also after TGE + 180 days ({switch})"
    else:
        rates = (
            f"{format_rate(profile.conversion_rate)} until TGE + 180 days ({switch}), then "
            f"{format_rate(profile.late_conversion_rate)}"
        )
    progress(f"TokenConverter      {converter_contract.address}  {rates}")
    if profile.token is None and profile.converter_funding:
        amount = profile.converter_funding
        steps.once(
            "converter approved",
            "funding TokenConverter",
            lambda: chain.transact(token.functions.approve(converter_contract.address, amount)),
        )
        steps.once(
            "converter funded",
            "funding TokenConverter",
            lambda: chain.transact(converter_contract.functions.depositTokenB(amount)),
        )
        progress(f"TokenConverter      funded with {format_amount(profile.converter_funding)}")
    else:
        progress(
            "TokenConverter      not funded: its owner (the deployer) deposits SESH with "
            "depositTokenB"
        )
    return added


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
