"""The vesting contracts on anvil, beside a real, started ServiceNodeRewards.

The set is deployed through ``sesh.evm.deploy`` with the reference's unit-test parameters
(stake 120 SESH, 10 contributors, ratios 1/1/8, the 2-hour minimum exit age) and started.
Proofs of possession and network signatures are real BLS signatures (``sesh.bls``); a network
signature here is signed by the sum of the registered nodes' secret keys, which is what
aggregating every node's share gives.

Roles (anvil's dev accounts): the owner of the set, who funds the locks (0); the beneficiary
(1); the revoker (2); a stranger (3); a second beneficiary (4); the address a node's rewards are
signed to (5).

Clock: locks open (``start``, ``cliff``) a day after the module's set-up and end a year later;
every test starts from the module's state and clock (snapshots).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.logs import DISCARD

from sesh.bls import DomainTags
from sesh.evm.artifacts import compile_contract, decode_revert
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import CONTRACTS_DIR, Artifact
from sesh.evm.contract_set import ContractArtifacts, load_artifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import Profile
from sesh.evm.record import Deployment

from ...support.nodes import Node, node_maker, pop

SESH = 10**9
STAKE = 120 * SESH
DAY = 86_400
YEAR = 365 * DAY
GRANT = 1_000 * SESH + 7
"""What the owner locks up in each vesting contract (odd, so that roundings show)."""
TEST_CONTRACTS = Path(__file__).parent / "contracts"

UNIT_TESTS = Profile(
    name="unit-tests",
    staking_requirement=STAKE,
    max_contributors=10,
    liquidator_reward_ratio=1,
    pool_share_of_liquidation_ratio=1,
    recipient_ratio=8,
    minimum_exit_age=2 * 3_600,
)
"""The reference's unit-test parameters."""


# -- artifacts and roles -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts() -> ContractArtifacts:
    return load_artifacts()


@pytest.fixture(scope="session")
def staking_artifact() -> Artifact:
    return compile_contract(CONTRACTS_DIR / "TokenVestingStaking.vy")


@pytest.fixture(scope="session")
def no_staking_artifact() -> Artifact:
    return compile_contract(CONTRACTS_DIR / "TokenVestingNoStaking.vy")


@pytest.fixture(scope="module")
def owner(chain: Chain) -> str:
    return chain.accounts[0]


@pytest.fixture(scope="module")
def beneficiary(chain: Chain) -> str:
    return chain.accounts[1]


@pytest.fixture(scope="module")
def revoker(chain: Chain) -> str:
    return chain.accounts[2]


@pytest.fixture(scope="module")
def stranger(chain: Chain) -> str:
    return chain.accounts[3]


@pytest.fixture(scope="module")
def new_beneficiary(chain: Chain) -> str:
    return chain.accounts[4]


@pytest.fixture(scope="module")
def reward_beneficiary(chain: Chain) -> str:
    return chain.accounts[5]


# -- the set -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deployed(chain: Chain, artifacts: ContractArtifacts) -> Deployment:
    """The set as `sesh deploy` makes it, started."""
    return deploy(chain, UNIT_TESTS, artifacts, start=True)


@pytest.fixture(scope="module")
def token(chain: Chain, artifacts: ContractArtifacts, deployed: Deployment) -> Any:
    return chain.contract(deployed.sesh, artifacts.sesh)


@pytest.fixture(scope="module")
def rewards(chain: Chain, artifacts: ContractArtifacts, deployed: Deployment) -> Any:
    return chain.contract(deployed.service_node_rewards, artifacts.service_node_rewards)


@pytest.fixture(scope="module")
def tags(chain: Chain, rewards: Any) -> DomainTags:
    return DomainTags.for_contract(chain.w3.eth.chain_id, rewards.address)


@pytest.fixture(scope="module")
def opens(chain: Chain, deployed: Deployment) -> int:
    """When the module's locks open: `start` of the staking lock, `cliff` of the other."""
    return chain.timestamp() + DAY


@pytest.fixture(scope="module")
def ends(opens: int) -> int:
    return opens + YEAR


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, deployed: Deployment) -> Iterator[None]:
    """Every test starts from the module's state and clock."""
    snapshot = chain.snapshot()
    yield
    chain.revert(snapshot)


# -- nodes and signatures ----------------------------------------------------------------------


fresh_node = node_maker(0x7E57_0000, 7_919, 0xED_7000)


def new_node_id(rewards: Any, receipt: Any) -> int:
    (event,) = rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
    return int(event.args.serviceNodeID)


# -- transactions at chosen seconds, and errors -------------------------------------------------


def send_at(chain: Chain, call: Any, sender: str, timestamp: int) -> Any:
    """Send ``call`` in a block with exactly ``timestamp``; the receipt. Gas is given, so that no
    estimate runs first at another second."""
    chain.set_next_timestamp(timestamp)
    return chain.wait(call.transact({"from": sender, "gas": 3_000_000}))


def at(chain: Chain, timestamp: int) -> None:
    """Mine a block at ``timestamp``: calls (and revert checks) then run at that second."""
    chain.mine(timestamp)


def error_of(action: Any, abi: list[dict[str, Any]]) -> tuple[str, tuple[Any, ...]]:
    """(name, arguments) of the error ``action`` reverts with; ("Error", (text,)) for a
    revert string."""
    decoded = decode_revert(abi, revert_data(action))
    return decoded.name, tuple(
        Web3.to_checksum_address(a) if isinstance(a, str) and Web3.is_address(a) else a
        for a in decoded.args
    )


def reason_of(action: Any) -> str:
    """The revert string of ``action``."""
    name, args = error_of(action, [])
    assert name == "Error", name
    return str(args[0])


# -- the staking lock --------------------------------------------------------------------------


def deploy_staking_lock(
    chain: Chain,
    artifact: Artifact,
    *,
    beneficiary: str,
    revoker: str,
    start: int,
    end: int,
    rewards: str,
    factory: str,
    sesh: str,
    transferable: bool = True,
) -> Any:
    """TokenVestingStaking with its constructor's arguments by name."""
    return chain.deploy(
        artifact, beneficiary, revoker, start, end, transferable, rewards, factory, sesh
    )


def register_through(
    chain: Chain, lock: Any, tags: DomainTags, node: Node, sender: str, sn_beneficiary: str
) -> Any:
    """addBLSPublicKey through the lock, with the PoP signed over the lock's address; the
    receipt."""
    call = lock.functions.addBLSPublicKey(
        node.xy, pop(tags, node, lock.address), node.params(), sn_beneficiary
    )
    return chain.transact(call, sender)


@pytest.fixture(scope="session")
def false_token_artifact() -> Artifact:
    return compile_contract(TEST_CONTRACTS / "false_token.vy")
