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

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.bls import DomainTags
from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import Profile
from sesh.evm.record import Deployment

from ...support.contracts import artifact, isolated, reason_of, roles
from ...support.nodes import Node, node_maker, pop

SESH = 10**9
STAKE = 120 * SESH
DAY = 86_400
YEAR = 365 * DAY
ZERO = "0x" + "00" * 20
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


staking_artifact = artifact("staking_artifact", "TokenVestingStaking.vy")
no_staking_artifact = artifact("no_staking_artifact", "TokenVestingNoStaking.vy")
false_token_artifact = artifact("false_token_artifact", "false_token.vy", TEST_CONTRACTS)
owner, beneficiary, revoker, stranger, new_beneficiary, reward_beneficiary = roles(
    "owner", "beneficiary", "revoker", "stranger", "new_beneficiary", "reward_beneficiary"
)


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
    with isolated(chain):
        yield


# -- nodes and signatures ----------------------------------------------------------------------


fresh_node = node_maker(0x7E57_0000, 7_919, 0xED_7000)


def new_node_id(rewards: Any, receipt: Any) -> int:
    (event,) = rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
    return int(event.args.serviceNodeID)


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


@pytest.fixture(scope="module")
def factory_address(chain: Chain) -> str:
    """The contribution factory a staking lock names: any address, unless a module overrides
    this with a real factory."""
    return chain.accounts[6]


@pytest.fixture(scope="module")
def lock_arguments(
    rewards: Any,
    token: Any,
    factory_address: str,
    beneficiary: str,
    revoker: str,
    opens: int,
    ends: int,
) -> dict[str, Any]:
    """A staking lock's constructor arguments by name, as the module deploys it."""
    return {
        "beneficiary": beneficiary,
        "revoker": revoker,
        "start": opens,
        "end": ends,
        "rewards": rewards.address,
        "factory": factory_address,
        "sesh": token.address,
    }


@pytest.fixture(scope="module")
def make_lock(
    chain: Chain, staking_artifact: Artifact, lock_arguments: dict[str, Any]
) -> Callable[..., Any]:
    """Deploy a staking lock with the module's arguments but for ``changes`` (by name)."""
    return lambda **changes: deploy_staking_lock(
        chain, staking_artifact, **{**lock_arguments, **changes}
    )


@pytest.fixture(scope="module")
def lock(chain: Chain, make_lock: Callable[..., Any], token: Any, owner: str) -> Any:
    """A revocable, transferable staking lock holding GRANT."""
    lock = make_lock()
    chain.transact(token.functions.transfer(lock.address, GRANT), owner)
    return lock


def not_started_lock(chain: Chain, make_lock: Callable[..., Any], **changes: Any) -> Any:
    """An irrevocable staking lock that starts 1,000 seconds from now."""
    now = chain.timestamp()
    return make_lock(revoker=ZERO, start=now + 1_000, end=now + 2_000, **changes)


def transfer_role(chain: Chain, lock: Any, role: str, old: str, new: str) -> dict[str, Any]:
    """``old`` hands ``role`` ("Beneficiary" or "Revoker") of ``lock`` to ``new``; the arguments
    of the event that logs it."""
    receipt = chain.transact(lock.functions[f"transfer{role}"](new), old)
    (event,) = lock.events[f"{role}Transferred"]().process_receipt(receipt, errors=DISCARD)
    return dict(event.args)


def refusals(lock: Any, function: str, cases: Sequence[tuple[str, str]]) -> list[str]:
    """The revert string of ``lock.function(to)`` sent by ``caller``, for each (to, caller)."""
    return [
        reason_of(
            lambda to=to, caller=caller: getattr(lock.functions, function)(to).call(
                {"from": caller}
            )
        )
        for to, caller in cases
    ]


@pytest.fixture
def register(
    chain: Chain, lock: Any, tags: DomainTags, beneficiary: str, reward_beneficiary: str
) -> Callable[..., Any]:
    """addBLSPublicKey through the module's lock, for ``node`` with the PoP signed over the
    lock's address and rewards to the reward beneficiary, sent by the beneficiary unless
    ``sender`` is given; the receipt."""

    def send(node: Node, sender: str | None = None) -> Any:
        call = lock.functions.addBLSPublicKey(
            node.xy, pop(tags, node, lock.address), node.params(), reward_beneficiary
        )
        return chain.transact(call, sender or beneficiary)

    return send
