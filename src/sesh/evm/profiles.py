"""The named deployment profiles: what `sesh deploy`, the devnet and the benches deploy.

A ``Profile`` is the data of a deployment (a frozen value, like the ledger's presets): the
rewards contract's parameters, what the token and the converter get, which chains may take it.
Kept apart from the code that deploys (``sesh.evm.deploy``) and from the record of a deployment
(``sesh.evm.record``), so that reading a record or listing the profiles costs no web3 import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from eth_typing import ChecksumAddress

from sesh.evm.addresses import to_checksum
from sesh.units import SESH

TOTAL_SUPPLY = 240_000_000 * SESH
"""The whole supply, minted to the deployer when we deploy the token."""
POOL_FUNDING = 40_000_000 * SESH
"""What the reference's deployment moves into the reward rate pool from the deployer."""

DEV_CHAIN_ID = 31337
"""anvil's (and Hardhat's) chain id: the only chain a development profile may be deployed to."""

CONVERSION_RATE = (1, 2)
"""SESH out per wOXEN in, as (numerator, denominator): the reference's deploy script converts
two wOXEN into one SESH."""
LATE_RATE_DELAY = 180 * 86_400
"""The TokenConverter switches to its late rate this long after the TGE (its constant)."""
OLD_TOKEN_STAND_IN_SUPPLY = 100_000_000 * SESH
"""What the wOXEN stand-in mints to the deployer (9 decimals, as the real wOXEN)."""
CONVERTER_FUNDING = 10_000_000 * SESH
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
        return replace(self, token=to_checksum(token))

    def with_old_token(self, old_token: str) -> Profile:
        """This profile, converting from the existing token at ``old_token`` (no stand-in)."""
        return replace(self, old_token=to_checksum(old_token), old_token_stand_in=False)

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
        # The reference's local devnet build: a small stake and no exit wait. Named as the
        # node's ledger profile for the same network (sesh.ledger.DEVNET), so `sesh deploy`
        # and `sesh node run` agree.
        _with_test_converter(
            Profile("devnet", 120 * SESH, 10, 3, 17, 9_980, 0, dev_chain_only=True)
        ),
        _with_test_converter(Profile("testnet", 20_000 * SESH, 10, 3, 17, 9_980, 7_200)),
        Profile("mainnet", 25_000 * SESH, 10, 3, 17, 9_980, 7_200),
    )
}


PROFILE_ALIASES: Mapping[str, str] = {"local": "devnet"}
"""Older names still read: records written before the devnet profile had its node's name."""


def profile_named(name: str) -> Profile | None:
    """The profile called ``name`` (or by an older name); None for an unknown one."""
    return PROFILES.get(PROFILE_ALIASES.get(name, name))


def check_chain(profile: Profile, chain_id: int) -> None:
    """ValueError if ``profile`` must not be deployed to chain ``chain_id``."""
    if profile.dev_chain_only and chain_id != DEV_CHAIN_ID:
        raise ValueError(
            f"profile {profile.name} is for a local chain (id {DEV_CHAIN_ID}), not chain {chain_id}"
        )
