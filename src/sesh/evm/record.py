"""The deployment record: where a deployment put the contract set, as `sesh deploy` writes it.

The JSON object {chainId, contracts, implementations, profile} that `sesh deploy --out` and the
devnet write and every verb, the node and the portal read. A record written by an older sesh
(before the contribution factory or the converter were part of the set) still reads;
``Deployment.missing_parts`` names what it lacks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_typing import ChecksumAddress

from sesh.evm.addresses import to_checksum
from sesh.evm.profiles import profile_named

if TYPE_CHECKING:
    from sesh.evm.chain import Chain


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
    rpc_url: str | None = None
    """Where the chain answers, when the writer knew one worth keeping (the devnet writes its
    own, so that verbs find a devnet on another port without ``--rpc``)."""

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
        profile = profile_named(self.profile)
        if profile is not None and profile.deploys_converter and self.token_converter is None:
            missing.append("TokenConverter")
        return missing

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object: chainId, contracts, implementations, profile, and rpc
        when known."""
        return {
            "chainId": self.chain_id,
            "contracts": dict(self.contracts),
            "implementations": dict(self.implementations),
            "profile": self.profile,
            **({"rpc": self.rpc_url} if self.rpc_url else {}),
        }

    @classmethod
    def from_json(cls, data: Any) -> Deployment:
        """Read a record back; ValueError says what is missing or malformed."""
        try:
            contracts, implementations = data["contracts"], data["implementations"]

            def address(table: Mapping[str, Any], name: str) -> ChecksumAddress:
                return to_checksum(str(table[name]))

            def optional(table: Mapping[str, Any], name: str) -> ChecksumAddress | None:
                return to_checksum(str(table[name])) if table.get(name) is not None else None

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
                rpc_url=str(data["rpc"]) if data.get("rpc") else None,
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
