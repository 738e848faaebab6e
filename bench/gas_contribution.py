"""bench/gas.py section `contribution`: ServiceNodeContribution and its factory.

The scenario is the reference benchmark's (reference/gas.md §2): the contract set as the
testnet profile deploys it (requirement 20,000 SESH, 10 contributors, the contribution factory
behind its proxy), started; contribution contracts made by
the factory with a real proof of possession; the operator opens with 25 %, a public contributor
adds 25 %, a third fills the last 50 %, registering a node with three contributors. Every
figure is ``receipt.gasUsed`` on anvil, hardfork cancun, including the 21,000 base and calldata.

The reference's withdrawal and reset were measured only in its own suite against a mock
rewards contract (gas.md §3, the largest figure of each); they do not touch the rewards
contract, so they compare directly.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from web3.logs import DISCARD

from gas_table import Section, fmt, high
from sesh.bls import DomainTags, SecretKey, proof_of_possession_message
from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import load_artifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import PROFILES

SESH = 10**9
PROFILE = PROFILES["testnet"]
STAKE = PROFILE.staking_requirement
DAY = 86_400
ZERO = "0x0000000000000000000000000000000000000000"
DEPLOY_SAMPLES = 3
"""Factory deploys measured; they differ by the tries the proof's hash to G2 needs."""

Gas = int | tuple[int, int]
"""One figure, or the (lowest, highest) of several samples."""


@dataclass(frozen=True)
class Row:
    name: str
    case: str
    reference: Gas
    ours: Gas


# reference/gas.md: §2 (real ServiceNodeRewards, N = 100 column) and §3 (the suite's largest).
REFERENCE: dict[tuple[str, str], Gas] = {
    ("factory deploy", "new contract, incl. proof-of-possession check"): (4_127_364, 4_147_592),
    ("contributeFunds", "operator's first (25 %)"): (192_312, 209_412),
    ("contributeFunds", "public 25 %, not filling"): 159_752,
    ("contributeFunds", "filling 50 % + auto-finalize (3 contributors)"): 1_719_058,
    ("contributeFunds", "filling 50 %, manualFinalize"): 168_939,
    ("finalize", "operator, 3 contributors"): 1_608_333,
    ("withdrawContribution", "public contributor after a day (refund)"): 97_776,
    ("reset", "operator and one contributor refunded"): 94_995,
}


class Bench:
    """The deployed set and the factory on one chain, with keys to sign proofs."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.owner = chain.accounts[0]
        artifacts = load_artifacts()
        deployment = deploy(chain, PROFILE, artifacts, start=True)
        self.rewards = chain.contract(
            deployment.service_node_rewards, artifacts.service_node_rewards
        )
        self.token = chain.contract(deployment.sesh, artifacts.sesh)
        self.contribution = artifacts.service_node_contribution
        assert deployment.contribution_factory is not None
        self.factory = chain.contract(
            deployment.contribution_factory, artifacts.contribution_factory
        )
        self.tags = DomainTags.for_contract(chain.w3.eth.chain_id, self.rewards.address)
        self.keys = 0
        for account in chain.accounts[1:6]:
            chain.transact(self.token.functions.transfer(account, 10 * STAKE), self.owner)

    def gas(self, call: Any, sender: str) -> int:
        return int(self.chain.transact(call, sender)["gasUsed"])

    def create(self, operator: str, manual: bool = False) -> tuple[Any, int]:
        """factory.deploy with a fresh key; (the contract, gas)."""
        self.keys += 1
        secret = SecretKey.from_int(0xBE_0000_0000 + 1_000_003 * self.keys)
        ed25519 = 0xED_BE_0000 + self.keys
        pubkey = secret.public_key()
        message = proof_of_possession_message(self.tags, pubkey, operator, ed25519)
        pop = secret.sign(message, self.tags.hash_to_g2).to_contract()
        receipt = self.chain.transact(
            self.factory.functions.deploy(
                pubkey.to_contract(), pop, (ed25519, 2**255 + 1, 2**255 + 2, 500), [], manual
            ),
            operator,
        )
        (event,) = self.factory.events.NewServiceNodeContributionContract().process_receipt(
            receipt, errors=DISCARD
        )
        address = event["args"]["contributorContract"]
        return self.chain.contract(address, self.contribution), int(receipt["gasUsed"])

    def contribute(self, contract: Any, sender: str, amount: int) -> int:
        """approve, then contributeFunds; the contribution's gas."""
        self.chain.transact(self.token.functions.approve(contract.address, amount), sender)
        return self.gas(contract.functions.contributeFunds(amount, ZERO), sender)


def measure(chain: Chain) -> list[Row]:
    """Every row, on ``chain`` (a fresh anvil with cancun rules and unlocked dev accounts)."""
    bench = Bench(chain)
    operator, public, filler = chain.accounts[1:4]
    ours: dict[tuple[str, str], Gas] = {}
    names = list(REFERENCE)

    deploys = [bench.create(operator)[1] for _ in range(DEPLOY_SAMPLES)]
    ours[names[0]] = (min(deploys), max(deploys))

    auto, _ = bench.create(operator)
    ours[names[1]] = bench.contribute(auto, operator, STAKE // 4)
    ours[names[2]] = bench.contribute(auto, public, STAKE // 4)
    ours[names[3]] = bench.contribute(auto, filler, STAKE // 2)

    manual, _ = bench.create(operator, manual=True)
    bench.contribute(manual, operator, STAKE // 4)
    bench.contribute(manual, public, STAKE // 4)
    ours[names[4]] = bench.contribute(manual, filler, STAKE // 2)
    ours[names[5]] = bench.gas(manual.functions.finalize(), operator)

    leaving, _ = bench.create(operator)
    bench.contribute(leaving, operator, STAKE // 4)
    bench.contribute(leaving, public, STAKE // 4)
    chain.mine(chain.timestamp() + DAY)
    ours[names[6]] = bench.gas(leaving.functions.withdrawContribution(), public)

    restarting, _ = bench.create(operator)
    bench.contribute(restarting, operator, STAKE // 4)
    bench.contribute(restarting, public, STAKE // 4)
    ours[names[7]] = bench.gas(restarting.functions.reset(), operator)

    return [Row(name, case, REFERENCE[(name, case)], ours[(name, case)]) for name, case in names]


def table(rows: Sequence[Row]) -> tuple[str, list[str]]:
    """The markdown table, and the rows above the reference."""
    lines = ["| operation | case | reference | ours |", "|---|---|---|---|"]
    over = []
    for row in rows:
        lines.append(f"| `{row.name}` | {row.case} | {fmt(row.reference)} | **{fmt(row.ours)}** |")
        if high(row.ours) > high(row.reference):
            over.append(f"{row.name} ({row.case})")
    return "\n".join(lines), over


def section(options: argparse.Namespace) -> Section:
    with Anvil(port=0) as node:
        rows = measure(Chain(node.rpc_url))
    text, over = table(rows)
    return Section("ServiceNodeContribution and its factory", text, over)
