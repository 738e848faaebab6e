"""The compiled contract set: which contracts a deployment needs, and how they are built.

``load_artifacts`` compiles the set (through the on-disk build cache when given one, which is
what makes a second `sesh deploy` or devnet start take no compiling); ``contract_loader`` is the
same for one contract by name, for verbs that need a single ABI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sesh.evm.compiler import CONTRACTS_DIR, Artifact


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
