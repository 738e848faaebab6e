"""bench/gas.py section `rewards`: ServiceNodeRewards at 100 to 12,000 nodes (``--nodes``).

The scenario is the reference's: a 9-decimal token, the pool, ServiceNodeRewards behind its
proxy as the deploy scripts set it up (requirement 20,000 SESH, 10 contributors, ratios
3/17/9980), N nodes seeded in batches of 100 with one contributor each, `start()`, then five
solo registrations, so signatures are checked against N + 5 nodes. Non-signers are the lowest
ids (cold storage). Every figure is ``receipt.gasUsed`` on anvil, hardfork cancun, including
the 21,000 base and calldata.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3.logs import DISCARD

from gas_table import Section, fmt, high
from sesh.bls import (
    DomainTags,
    SecretKey,
    map_to_twist,
    proof_of_possession_message,
    reward_message,
)
from sesh.bls.messages import exit_message, liquidate_message
from sesh.bls.params import R
from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import load_artifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[1]
SESH = 10**9
STAKE = PROFILES["testnet"].staking_requirement
SEED_BATCH = 100
MINIMUM_EXIT_AGE = PROFILES["testnet"].minimum_exit_age

# reference/gas.md §2, per network size: a number or a (low, high) range.
REFERENCE: dict[str, dict[int, Any]] = {
    "seedPublicKeyList, per node": {100: 301_795, 1000: 301_084, 2000: 301_046, 12000: 301_014},
    "start": dict.fromkeys((100, 1000, 2000, 12000), 34_413),
    "addBLSPublicKey, solo": {
        100: (1_414_039, 1_453_420),
        1000: (1_414_343, 1_450_816),
        2000: (1_416_410, 1_460_582),
        12000: (1_414_200, 1_453_199),
    },
    "addBLSPublicKey, 10 contributors": {
        100: 2_053_760,
        1000: 2_051_484,
        2000: 2_041_989,
        12000: 2_054_898,
    },
    "initiateExitBLSPublicKey, first": {100: 91_458, 1000: 91_470, 2000: 91_470, 12000: 91_470},
    "initiateExitBLSPublicKey, repeat after 1 h": {
        100: 54_419,
        1000: 54_431,
        2000: 54_431,
        12000: 54_431,
    },
    "updateRewardsBalance, 0 non-signers, new recipient": {
        100: (1_073_808, 1_080_503),
        1000: (1_074_019, 1_095_277),
        2000: (1_073_820, 1_075_909),
        12000: (1_076_355, 1_138_713),
    },
    "updateRewardsBalance, 0 non-signers, existing recipient": {
        100: 1_063_391,
        1000: 1_063_391,
        2000: 1_063_391,
        12000: 1_063_379,
    },
    "updateRewardsBalance, 1 non-signer": {
        100: 1_079_784,
        1000: 1_081_569,
        2000: 1_079_703,
        12000: 1_092_927,
    },
    "updateRewardsBalance, 5 non-signers": {
        100: 1_110_209,
        1000: 1_110_103,
        2000: 1_101_542,
        12000: 1_101_542,
    },
    "updateRewardsBalance, 10 non-signers": {
        100: 1_137_534,
        1000: 1_137_242,
        2000: 1_130_546,
        12000: 1_161_276,
    },
    "updateRewardsBalance, 50 non-signers": {1000: 1_346_703, 2000: 1_366_118, 12000: 1_368_523},
    "updateRewardsBalance, 100 non-signers": {1000: 1_622_109, 2000: 1_622_097, 12000: 1_620_324},
    "updateRewardsBalance, 500 non-signers": {2000: 3_840_313, 12000: 3_840_418},
    "updateRewardsBalance, 1000 non-signers": {12000: 6_700_134},
    "updateRewardsBalance, max non-signers": {
        100: 1_290_738,
        1000: 2_922_580,
        2000: 4_801_047,
        12000: 25_470_641,
    },
    "claimRewards(), full claim": dict.fromkeys((100, 1000, 2000, 12000), 138_003),
    "claimRewards(uint256), second claim": dict.fromkeys((100, 1000, 2000, 12000), 66_229),
    "exitBLSPublicKeyWithSignature, 0 non-signers": {
        100: 1_117_320,
        1000: 1_124_210,
        2000: 1_100_988,
        12000: 1_099_528,
    },
    "exitBLSPublicKeyWithSignature, max non-signers": {
        100: 1_295_074,
        1000: 2_940_521,
        2000: 4_810_893,
        12000: 25_494_484,
    },
    "liquidateBLSPublicKeyWithSignature, 0 non-signers": {
        100: 1_165_620,
        1000: 1_159_468,
        2000: 1_162_280,
        12000: 1_165_933,
    },
    "liquidateBLSPublicKeyWithSignature, max non-signers": {
        100: 1_327_697,
        1000: 2_986_271,
        2000: 4_850_282,
        12000: 25_536_653,
    },
    "exitBLSPublicKeyAfterWaitTime": {100: 117_451, 1000: 117_460, 2000: 115_220, 12000: 115_220},
}


@dataclass
class Bench:
    """One network of N nodes on anvil, with every secret key, ready to sign."""

    chain: Chain
    rewards: Any
    token: Any
    tags: DomainTags
    keys: dict[int, SecretKey] = field(default_factory=dict)
    next_key: int = 1

    def gas(self, call: Any, sender: str | None = None) -> int:
        return int(self.chain.transact(call, sender)["gasUsed"])

    def new_key(self) -> SecretKey:
        self.next_key += 1
        return SecretKey.from_int(0xB3_0000_0000 + self.next_key * 1_000_003)

    def signers_secret(self, non_signers: Sequence[int]) -> SecretKey:
        excluded = set(non_signers)
        total = sum(k.scalar for i, k in self.keys.items() if i not in excluded) % R
        return SecretKey.from_int(total)

    def sign(self, message: bytes, non_signers: Sequence[int] = ()) -> tuple[int, int, int, int]:
        secret = self.signers_secret(non_signers)
        return secret.sign(message, self.tags.hash_to_g2).to_contract()

    def register(self, sender: str, contributors: Sequence[Any] = ()) -> tuple[int, int]:
        """addBLSPublicKey; (gas, node id)."""
        key = self.new_key()
        ed = 0xED_0000_0000 + self.next_key
        operator = contributors[0][0][0] if contributors else sender
        pk = key.public_key()
        pop = key.sign(
            proof_of_possession_message(self.tags, pk, operator, ed), self.tags.hash_to_g2
        ).to_contract()
        receipt = self.chain.transact(
            self.rewards.functions.addBLSPublicKey(
                pk.to_contract(), pop, (ed, 0, 0, 0), list(contributors)
            ),
            sender,
        )
        (event,) = self.rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
        node_id = int(event["args"]["serviceNodeID"])
        self.keys[node_id] = key
        return int(receipt["gasUsed"]), node_id


def build(node: Anvil, nodes: int) -> tuple[Bench, list[int]]:
    """Deploy, seed ``nodes``, start; the per-node gas of each seeding transaction."""
    chain = Chain(node.rpc_url)
    owner = chain.accounts[0]
    # The reference benchmark's parameters are the testnet profile's: 20,000 SESH, 10
    # contributors, 3/17/9980, the 2-hour minimum exit age.
    artifacts = load_artifacts()
    deployment = deploy(chain, PROFILES["testnet"], artifacts)
    proxy = deployment.service_node_rewards
    rewards = chain.w3.eth.contract(address=proxy, abi=artifacts.service_node_rewards.abi)
    token = chain.w3.eth.contract(address=deployment.sesh, abi=artifacts.sesh.abi)
    tags = DomainTags.for_contract(chain.w3.eth.chain_id, proxy)
    bench = Bench(chain, rewards, token, tags)
    per_node: list[int] = []
    for first in range(0, nodes, SEED_BATCH):
        batch = []
        for _ in range(min(SEED_BATCH, nodes - first)):
            key = bench.new_key()
            batch.append(
                (
                    key.public_key().to_contract(),
                    0xED_0000_0000 + bench.next_key,
                    1,
                    [((owner, owner), STAKE)],
                )
            )
            bench.keys[len(bench.keys) + 1] = key
        gas = bench.gas(rewards.functions.seedPublicKeyList(batch))
        per_node.append(gas // len(batch))
    for account in chain.accounts[1:6]:
        chain.transact(token.functions.transfer(account, 1_000_000 * SESH), owner)
        chain.transact(token.functions.approve(proxy, 2**256 - 1), account)
    chain.transact(token.functions.approve(proxy, 2**256 - 1), owner)
    return bench, per_node


def measure(nodes: int) -> dict[str, Any]:
    """Every row for a network of ``nodes`` seeded nodes."""
    rows: dict[str, Any] = {}
    with Anvil(port=0) as node:
        bench, per_node = build(node, nodes)
        chain, rewards = bench.chain, bench.rewards
        accounts = chain.accounts
        rows["seedPublicKeyList, per node"] = int(statistics.mean(per_node))
        rows["start"] = bench.gas(rewards.functions.start())
        solo = [bench.register(accounts[1 + i % 5])[0] for i in range(5)]
        rows["addBLSPublicKey, solo"] = (min(solo), max(solo))
        ten = [((accounts[0], accounts[0]), STAKE // 4)] + [
            ((accounts[1 + i % 5], accounts[1 + i % 5]), STAKE * 3 // 4 // 9) for i in range(9)
        ]
        ten[-1] = (ten[-1][0], STAKE - sum(c[1] for c in ten[:-1]))
        gas_ten, shared_id = bench.register(accounts[0], ten)
        rows["addBLSPublicKey, 10 contributors"] = gas_ten

        rows["initiateExitBLSPublicKey, first"] = bench.gas(
            rewards.functions.initiateExitBLSPublicKey(shared_id), accounts[0]
        )
        chain.mine(chain.timestamp() + 3_600)
        rows["initiateExitBLSPublicKey, repeat after 1 h"] = bench.gas(
            rewards.functions.initiateExitBLSPublicKey(shared_id), accounts[0]
        )
        chain.mine(chain.timestamp() + 30 * 86_400)
        rows["exitBLSPublicKeyAfterWaitTime"] = bench.gas(
            rewards.functions.exitBLSPublicKeyAfterWaitTime(shared_id)
        )
        del bench.keys[shared_id]

        def update(recipient: str, amount: int, non_signers: Sequence[int] = ()) -> int:
            message = reward_message(bench.tags, recipient, amount)
            sig = bench.sign(message, non_signers)
            call = rewards.functions.updateRewardsBalance(recipient, amount, sig, list(non_signers))
            return bench.gas(call)

        fresh = [chain.w3.eth.account.create().address for _ in range(4)]
        news = [update(r, 1_000 * SESH + i) for i, r in enumerate(fresh)]
        rows["updateRewardsBalance, 0 non-signers, new recipient"] = (min(news), max(news))
        rows["updateRewardsBalance, 0 non-signers, existing recipient"] = update(
            fresh[0], 2_000 * SESH
        )
        threshold = int(rewards.functions.blsNonSignerThreshold().call())
        ids = sorted(bench.keys)
        # Amounts whose message hashes to G2 at the first try, so that the non-signer rows
        # differ only by the non-signers (each further try of the map costs about 7k).
        amount = 10_000 * SESH
        for count in (1, 5, 10, 50, 100, 500, 1000):
            if count <= threshold and REFERENCE[_nonsigner_row(count)].get(nodes) is not None:
                amount = _first_try_amount(bench, fresh[1], amount + 1)
                rows[_nonsigner_row(count)] = update(fresh[1], amount, ids[:count])
        amount = _first_try_amount(bench, fresh[1], amount + 1)
        # The same message with one non-signer, undone, then with the most: the difference is
        # the non-signers' alone (the hash's cost varies a little from message to message).
        snapshot = chain.snapshot()
        one = update(fresh[1], amount, ids[:1])
        chain.revert(snapshot)
        rows["updateRewardsBalance, max non-signers"] = update(fresh[1], amount, ids[:threshold])
        per = (rows["updateRewardsBalance, max non-signers"] - one) // max(1, threshold - 1)
        rows["  each further non-signer (max − 1, averaged)"] = per

        # Claims: fund the contract as the pool would, then a full and a partial claim.
        chain.transact(rewards.functions.setClaimThreshold(10**30))
        claimer = chain.w3.eth.account.create()
        update(claimer.address, 50 * SESH)
        # Waited for: the claimer's first transaction must see the funds.
        chain.wait(
            chain.w3.eth.send_transaction(
                {"from": accounts[0], "to": claimer.address, "value": 10**18}
            )
        )
        rows["claimRewards(), full claim"] = _gas_from(
            chain, rewards.functions.claimRewards(), claimer
        )
        update(claimer.address, 80 * SESH)
        _gas_from(chain, rewards.functions.claimRewards(10 * SESH), claimer)
        rows["claimRewards(uint256), second claim"] = _gas_from(
            chain, rewards.functions.claimRewards(10 * SESH), claimer
        )

        # Signed exits and liquidations of the solo nodes, with 0 and max non-signers.
        chain.mine(chain.timestamp() + MINIMUM_EXIT_AGE)
        solo_ids = sorted(bench.keys)[-5:]
        for kind, build_message, function in (
            ("exit", exit_message, rewards.functions.exitBLSPublicKeyWithSignature),
            ("liquidate", liquidate_message, rewards.functions.liquidateBLSPublicKeyWithSignature),
        ):
            name = (
                "exitBLSPublicKeyWithSignature"
                if kind == "exit"
                else "liquidateBLSPublicKeyWithSignature"
            )
            for label, count in (("0 non-signers", 0), ("max non-signers", None)):
                target = solo_ids.pop()
                key = bench.keys[target]
                ts = chain.timestamp()
                threshold = int(rewards.functions.blsNonSignerThreshold().call())
                non_signers = [] if count == 0 else sorted(bench.keys)[:threshold]
                sig = bench.sign(build_message(bench.tags, key.public_key(), ts), non_signers)
                rows[f"{name}, {label}"] = bench.gas(
                    function(key.public_key().to_contract(), ts, sig, non_signers)
                )
                del bench.keys[target]
    return rows


def _first_try_amount(bench: Bench, recipient: str, amount: int) -> int:
    """The first amount from ``amount`` on whose reward message maps at counter 0."""
    while map_to_twist(reward_message(bench.tags, recipient, amount), bench.tags.hash_to_g2)[1]:
        amount += 1
    return amount


def _nonsigner_row(count: int) -> str:
    return f"updateRewardsBalance, {count} non-signer{'s' if count > 1 else ''}"


def _gas_from(chain: Chain, call: Any, account: Any) -> int:
    """A transaction signed by a fresh local account (not one of anvil's)."""
    tx = call.build_transaction(
        {"from": account.address, "nonce": chain.w3.eth.get_transaction_count(account.address)}
    )
    signed = account.sign_transaction(tx)
    return int(chain.wait(chain.w3.eth.send_raw_transaction(signed.raw_transaction))["gasUsed"])


def table(results: dict[int, dict[str, Any]]) -> tuple[str, list[str]]:
    sizes = sorted(results)
    head = "| operation | " + " | ".join(f"N={n:,} ref / ours" for n in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    over: list[str] = []
    names = [*REFERENCE, "  each further non-signer (max − 1, averaged)"]
    for name in names:
        cells = []
        for n in sizes:
            ours = results[n].get(name)
            ref = REFERENCE.get(name, {}).get(n)
            if ours is None and ref is None:
                cells.append("–")
                continue
            cells.append(f"{fmt(ref)} / **{fmt(ours)}**")
            if ours is not None and ref is not None and high(ours) > high(ref):
                over.append(f"{name} at N={n}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines), over


def section(options: argparse.Namespace) -> Section:
    sizes = [int(x) for x in options.nodes.split(",")]
    text, over = table({n: measure(n) for n in sizes})
    return Section("ServiceNodeRewards", text, over)
