"""The devnet's contract set: found on a resumed chain, deployed (and seeded) on a new one,
completed when an older sesh's record lacks newer parts, and the dev accounts funded.

A devnet is only useful if the contracts are there the moment it says "running", and if a
resumed devnet does not deploy a second set beside the first (every address a user saved would
change). The deployment record, ``<data dir>/contracts.json``, is what tells a resumed devnet
that its contracts are already there: it checks that their code is, and deploys again only if
the chain was reset; a record from an older sesh, without the contribution factory or the
converter, is completed: those are deployed beside the contracts already there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sesh.devnet.examples import DevnetExamples, make_examples, saved_examples
from sesh.devnet.layout import BUILD_DIR, CONTRACTS_FILE, EXAMPLES_FILE, write_json
from sesh.devnet.seeding import (
    DEFAULT_NODES,
    DevnetGenesis,
    node_identities,
    saved_genesis,
    seed_and_start,
    write_genesis,
)
from sesh.evm.addresses import to_checksum
from sesh.evm.anvil import dev_keys
from sesh.evm.contract_set import (
    CONTRACT_SOURCES,
    ContractArtifacts,
    contract_loader,
    load_artifacts,
)
from sesh.evm.deploy import DeployError, complete, deploy
from sesh.evm.profiles import PROFILES
from sesh.evm.record import Deployment, missing_contracts, read_deployment, write_deployment
from sesh.keys import KeyFileError
from sesh.ledger.params import DEVNET
from sesh.node.genesis import GenesisError
from sesh.units import SESH

if TYPE_CHECKING:
    from sesh.evm.chain import Chain

DEVNET_PROFILE = "devnet"
DEV_ACCOUNT_SESH = 1_000_000 * SESH
"""What each dev account but the deployer (account 0, which keeps the rest) gets: enough for
thousands of local stakes at 120 SESH."""
DEV_ACCOUNT_WOXEN = 100_000 * SESH
"""wOXEN (the stand-in, 9 decimals) each dev account but the deployer gets, to convert."""


"""The two views the summary reads; no need to load artifacts on a resumed devnet for them."""


class DevnetContractsError(Exception):
    """The contracts could not be deployed or read; the message is one line."""


@dataclass(frozen=True)
class DevnetContracts:
    """The devnet's contract set, as this run found or made it."""

    deployment: Deployment
    path: Path
    """Where the deployment record is kept."""
    deployed: bool
    """True when this run deployed them (a new or reset chain), False when it found them."""
    sesh_balances: dict[str, int]
    """Dev account address → its SESH, in 10**-9 units."""
    started: bool
    """Whether ServiceNodeRewards is started (registrations open)."""
    examples: DevnetExamples
    completed: bool = False
    """True when this run deployed what a record from an older sesh lacked."""
    woxen_balances: dict[str, int] = field(default_factory=dict)
    """Dev account address → its wOXEN, in 10**-9 units."""
    genesis: DevnetGenesis | None = None
    """The genesis file and the seeded nodes' keys (None: a devnet without seeded nodes)."""


def devnet_contract_names() -> tuple[str, ...]:
    """Every contract the devnet deploys or uses, for warming a build cache."""
    return (*CONTRACT_SOURCES.values(), "TokenVestingStaking")


def ensure_contracts(
    rpc_url: str,
    data_dir: Path,
    messages: TextIO,
    nodes: int | None = None,
    network: str = DEVNET.name,
) -> DevnetContracts:
    """The contracts on the devnet's chain: the saved ones when their code is there (completed
    if the record lacks newer parts), with the saved genesis; else a new deployment (``devnet``
    profile, from dev account 0, seeded with ``nodes`` nodes (None: ``DEFAULT_NODES``),
    started, the seeded stakes moved in, dev accounts funded) with its genesis, saved; and the
    examples, made if missing.

    The chain is imported here, not at the top: building the `sesh` parser imports this module,
    and the other commands should not pay most of a second for web3.
    """
    from sesh.evm.artifacts import SourceError
    from sesh.evm.chain import Chain
    from sesh.evm.compiler import CompileError
    from sesh.evm.failures import node_unreachable
    from sesh.evm.signing import UnlockedAccount

    path = data_dir / CONTRACTS_FILE
    chain = Chain(rpc_url)
    # anvil signs for its dev accounts: no key handling needed, and the node fills the nonces.
    chain.add_signer(UnlockedAccount(to_checksum(dev_keys()[0].address)), default=True)
    try:
        deployment = _saved_deployment(path, messages)
        if deployment is not None and (
            deployment.chain_id != chain.chain_id() or missing_contracts(chain, deployment)
        ):
            print(
                f"the contracts in {path} are not on this chain (it was reset): deploying again",
                file=messages,
                flush=True,
            )
            deployment = None
        deployed = deployment is None
        completed = False
        load = contract_loader(data_dir / BUILD_DIR)
        genesis: DevnetGenesis | None
        if deployment is None:
            count = DEFAULT_NODES if nodes is None else nodes
            deployment, genesis = _deploy(chain, rpc_url, data_dir, messages, count, network)
            write_deployment(path, deployment)
        else:
            if deployment.missing_parts():
                deployment = _complete(chain, data_dir, deployment, messages)
                write_deployment(path, deployment)
                completed = True
            genesis = saved_genesis(chain, data_dir, messages, nodes)
            if genesis is not None and genesis.genesis.network != network:
                print(
                    f"this devnet keeps its timers (the {genesis.genesis.network} profile); "
                    f"{'--fast-timers takes' if network != DEVNET.name else 'normal timers take'}"
                    " effect with --fresh",
                    file=messages,
                    flush=True,
                )
        if deployment.rpc_url != rpc_url:
            # The record says where the devnet answers, so that verbs find it on any port.
            deployment = replace(deployment, rpc_url=rpc_url)
            write_deployment(path, deployment)
        examples = saved_examples(chain, data_dir, messages)
        if examples is None or deployed or completed:
            examples = make_examples(chain, deployment, data_dir, load)
            write_json(data_dir / EXAMPLES_FILE, examples.to_json())
        token = chain.bind(deployment.sesh, load("SESH"))
        rewards = chain.bind(deployment.service_node_rewards, load("ServiceNodeRewards"))
        balances = {key.address: int(token.view("balanceOf", key.address)) for key in dev_keys()}
        woxen: dict[str, int] = {}
        if deployment.old_token is not None:
            old = chain.bind(deployment.old_token, load("WrappedOxen"))
            woxen = {key.address: int(old.view("balanceOf", key.address)) for key in dev_keys()}
        started = bool(rewards.view("isStarted"))
    except (CompileError, SourceError) as error:  # a contract being edited, most likely
        raise DevnetContractsError(f"the contracts do not compile: {error}") from None
    except DeployError as error:
        raise DevnetContractsError(f"deploying the contracts failed: {error}") from None
    except GenesisError as error:
        raise DevnetContractsError(str(error)) from None
    except KeyFileError as error:
        raise DevnetContractsError(f"setting up the contracts failed: {error}") from None
    except node_unreachable() as error:
        message = " ".join(str(error).split())
        raise DevnetContractsError(f"setting up the contracts failed: {message}") from None
    return DevnetContracts(
        deployment, path, deployed, balances, started, examples, completed, woxen, genesis
    )


def _saved_deployment(path: Path, messages: TextIO) -> Deployment | None:
    """The record a previous run saved, if there is a readable one."""
    try:
        return read_deployment(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        print(f"ignoring {path}: {error}", file=messages, flush=True)
        return None


def _deploy(
    chain: Chain, rpc_url: str, data_dir: Path, messages: TextIO, nodes: int, network: str
) -> tuple[Deployment, DevnetGenesis | None]:
    """Deploy the set from dev account 0, seed it with ``nodes`` nodes, start it, move the
    seeded stakes in and write the genesis (none without nodes), and give every other dev
    account SESH and wOXEN."""
    started_at = time.monotonic()
    print(f"deploying the contracts (profile {DEVNET_PROFILE})…", file=messages, flush=True)
    artifacts = load_artifacts(cache_dir=data_dir / BUILD_DIR)
    deployment = deploy(chain, PROFILES[DEVNET_PROFILE], artifacts, start=False)
    identities = node_identities(data_dir, nodes)
    first_block, genesis_block = seed_and_start(chain, deployment, artifacts, identities)
    genesis = None
    if identities:
        genesis = write_genesis(
            rpc_url, deployment, data_dir, identities, first_block, genesis_block, network
        )
    _fund_dev_accounts(chain, artifacts, deployment, sesh=True)
    seeded = f", {nodes} node(s) seeded (genesis at L2 block {genesis_block})" if genesis else ""
    print(
        f"deployed in {time.monotonic() - started_at:.1f} s{seeded}; saved to "
        f"{data_dir / CONTRACTS_FILE}",
        file=messages,
        flush=True,
    )
    return deployment, genesis


def _complete(chain: Chain, data_dir: Path, deployment: Deployment, messages: TextIO) -> Deployment:
    """Deploy what an older sesh's record lacks beside its contracts, and hand out the wOXEN."""
    missing = ", ".join(deployment.missing_parts())
    print(
        f"the record in {data_dir / CONTRACTS_FILE} has no {missing} (an older sesh wrote it): "
        "deploying them beside the contracts already there",
        file=messages,
        flush=True,
    )
    artifacts = load_artifacts(cache_dir=data_dir / BUILD_DIR)
    completed = complete(chain, deployment, artifacts, profile=PROFILES[DEVNET_PROFILE])
    if completed.old_token != deployment.old_token:
        _fund_dev_accounts(chain, artifacts, completed, sesh=False)
    return completed


def _fund_dev_accounts(
    chain: Chain, artifacts: ContractArtifacts, deployment: Deployment, *, sesh: bool
) -> None:
    """Every dev account but the deployer gets SESH (if ``sesh``) and wOXEN (if there is a
    stand-in: the deployer holds it)."""
    from sesh.evm.chain import TransactionRefused

    tokens = []
    if sesh:
        tokens.append((chain.bind(deployment.sesh, artifacts.sesh), DEV_ACCOUNT_SESH))
    if deployment.old_token is not None:
        old = chain.bind(deployment.old_token, artifacts.wrapped_oxen)
        tokens.append((old, DEV_ACCOUNT_WOXEN))
    for key in dev_keys()[1:]:
        for token, amount in tokens:
            try:
                chain.transact(token.call("transfer", key.address, amount))
            except TransactionRefused as error:
                raise DeployError(f"funding {key.address}", error, deployment.contracts) from None
