"""ServiceNodeContribution clones from the factory, against a real, started ServiceNodeRewards.

The set is deployed by ``sesh.evm.deploy`` with a small unit-test profile (staking requirement
120 SESH, at most 10 contributors, as the reference's unit tests), then started; the
contribution implementation and the factory (behind its proxy) are deployed here. Proofs of
possession are real BLS signatures from ``sesh.bls``, so every finalize really registers the
node. Roles (anvil's dev accounts): the owner (0), the operator (1), contributors 2-6, a
stranger (7). More contributors are impersonated addresses (``System.extra_account``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import pytest
from web3 import Web3
from web3.logs import DISCARD

from sesh.bls import DomainTags
from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import Profile

from ...support.contracts import account, accounts, artifact, isolated, reason_of, roles
from ...support.nodes import Node, node_maker, pop

SESH = 10**9
STAKE = 120 * SESH
MAX_CONTRIBUTORS = 10
ZERO = "0x0000000000000000000000000000000000000000"
DAY = 86_400
FUNDS = 10_000 * SESH
SETUP_EVENTS = [
    "UpdateReservedContributors",
    "Reset",
    "UpdatePubkeys",
    "UpdateFee",
    "UpdateReservedContributors",
    "UpdateManualFinalize",
]
"""The events a contribution contract's set-up logs, in order: the factory's deploy and
resetUpdateAndContribute log the same."""


class Status(IntEnum):
    """The reference's status values."""

    WAIT_FOR_OPERATOR = 0
    OPEN = 1
    WAIT_FOR_FINALIZED = 2
    FINALIZED = 3


UNIT_TESTS = Profile(
    name="contribution-unit-tests",
    staking_requirement=STAKE,
    max_contributors=MAX_CONTRIBUTORS,
    liquidator_reward_ratio=1,
    pool_share_of_liquidation_ratio=1,
    recipient_ratio=8,
    minimum_exit_age=0,
    dev_chain_only=True,
)
"""The reference's unit-test stake and contributor limit; exits play no part here."""


contribution_artifact = artifact("contribution_artifact", "ServiceNodeContribution.vy")
factory_artifact = artifact("factory_artifact", "ServiceNodeContributionFactory.vy")


fresh_node = node_maker(0xC0_0000, 104_729, 0xC0ED_0000)


@dataclass
class System:
    """The deployed set with the factory, and the actions the tests repeat."""

    chain: Chain
    rewards: Any
    token: Any
    factory: Any
    factory_implementation: Any
    implementation: Any
    contribution_artifact: Artifact
    tags: DomainTags
    owner: str
    extra: list[str] = field(default_factory=list)

    # -- keys --------------------------------------------------------------------------------

    def pop(self, node: Node, operator: str) -> tuple[int, int, int, int]:
        return pop(self.tags, node, operator)

    @staticmethod
    def params(node: Node, fee: int = 0) -> tuple[int, int, int, int]:
        return (node.ed25519, 0xE5_1, 0xE5_2, fee)

    # -- contracts ---------------------------------------------------------------------------

    def deploy_call(
        self,
        operator: str,
        node: Node | None = None,
        reserved: Sequence[tuple[str, int]] = (),
        manual: bool = False,
        fee: int = 0,
        pop: Any = None,
    ) -> Any:
        node = node or fresh_node()
        return self.factory.functions.deploy(
            node.xy,
            pop or self.pop(node, operator),
            self.params(node, fee),
            [list(r) for r in reserved],
            manual,
        )

    def create(
        self, operator: str, node: Node | None = None, **options: Any
    ) -> tuple[Any, Node, Any]:
        """factory.deploy from ``operator``, ``options`` as ``deploy_call`` takes them (but
        ``pop``): (the contract, its node, the receipt)."""
        node = node or fresh_node()
        receipt = self.chain.transact(self.deploy_call(operator, node, **options), operator)
        (event,) = self.factory.events.NewServiceNodeContributionContract().process_receipt(
            receipt, errors=DISCARD
        )
        return self.at(event["args"]["contributorContract"]), node, receipt

    def at(self, address: str) -> Any:
        return self.chain.contract(address, self.contribution_artifact)

    def contribute(self, contract: Any, sender: str, amount: int, beneficiary: str = ZERO) -> Any:
        """approve + contributeFunds from ``sender``; the contribution's receipt."""
        self.approve(contract, sender, amount)
        return self.chain.transact(contract.functions.contributeFunds(amount, beneficiary), sender)

    def approve(self, contract: Any, sender: str, amount: int) -> None:
        self.chain.transact(self.token.functions.approve(contract.address, amount), sender)

    def balance(self, account: str) -> int:
        return int(self.token.functions.balanceOf(account).call())

    def extra_account(self, i: int) -> str:
        """The i-th extra staker: an impersonated address with ether and SESH."""
        while len(self.extra) <= i:
            address = Web3.to_checksum_address(f"0x{0xC0_17_1B00 + len(self.extra):040x}")
            self.chain.rpc("anvil_impersonateAccount", address)
            self.chain.rpc("anvil_setBalance", address, hex(10**20))
            self.chain.transact(self.token.functions.transfer(address, FUNDS), self.owner)
            self.extra.append(address)
        return self.extra[i]

    def node_contributors(self, node_id: int) -> list[tuple[str, str, int]]:
        """(address, beneficiary, stake) of a registered node, from rewards.serviceNodes."""
        contributors = self.rewards.functions.serviceNodes(node_id).call()[8]
        return [
            (Web3.to_checksum_address(a), Web3.to_checksum_address(b), amount)
            for (a, b), amount in contributors
        ]

    def registered_id(self, receipt: Any) -> int:
        """The id of the node a receipt registered (NewServiceNodeV2)."""
        (event,) = self.rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
        return int(event["args"]["serviceNodeID"])


@pytest.fixture(scope="module")
def system(
    chain: Chain,
    artifacts: ContractArtifacts,
    contribution_artifact: Artifact,
    factory_artifact: Artifact,
) -> System:
    owner = chain.accounts[0]
    deployment = deploy(chain, UNIT_TESTS, artifacts, start=True)
    rewards = chain.contract(deployment.service_node_rewards, artifacts.service_node_rewards)
    token = chain.contract(deployment.sesh, artifacts.sesh)
    implementation = chain.deploy(contribution_artifact, rewards.address)
    factory, factory_implementation = chain.deploy_upgradeable(
        factory_artifact,
        "initialize",
        [rewards.address],
        constructor_args=[implementation.address],
    )
    for holder in chain.accounts[1:8]:
        chain.transact(token.functions.transfer(holder, FUNDS), owner)
    tags = DomainTags.for_contract(chain.w3.eth.chain_id, rewards.address)
    return System(
        chain,
        rewards,
        token,
        factory,
        factory_implementation,
        implementation,
        contribution_artifact,
        tags,
        owner,
    )


owner, operator = roles("owner", "operator")
contributors = accounts("contributors", 2, 7)
stranger = account("stranger", 7)


@pytest.fixture(autouse=True)
def _isolated(chain: Chain, system: System) -> Iterator[None]:
    """Every test starts from the module's deployment."""
    extra = list(system.extra)
    with isolated(chain):
        yield
    system.extra = extra


def reverts_with_string(action: Any) -> str:
    """The reason of an ``Error(string)`` revert."""
    return reason_of(action)


def events(contract: Any, receipt: Any) -> list[str]:
    """The names of ``contract``'s events in ``receipt``, in order."""
    names = []
    for log in receipt["logs"]:
        if log["address"] != contract.address:
            continue
        for event in contract.events:
            try:
                event().process_log(log)
            except Exception:  # not this event
                continue
            names.append(event.event_name)
            break
    return names


def logs(event: Any, receipt: Any) -> list[dict[str, Any]]:
    """The decoded ``args`` of every ``event`` in ``receipt``."""
    return [dict(log["args"]) for log in event().process_receipt(receipt, errors=DISCARD)]
