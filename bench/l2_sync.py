"""L2 sync: the tracker reading an anvil chain of 100,000 blocks that hold 10,000 events, from
block 0 to the tip, end to end (JSON-RPC, log checks, decoding, contract reads).

Run: .venv/bin/python bench/l2_sync.py [--blocks N] [--events N] [--rounds N]

The chain is built once, then synced ``--rounds`` times by fresh trackers; the table gives the
median. The events are a stress mix, not a forecast: mainnet sees a few dozen events a day
(100,000 Arbitrum blocks are about 7 hours), plus the one-time seeding of the network. Of
10,000 events:

* 4,000 ``NewSeededServiceNode``, 100 per ``seedPublicKeyList`` call as the reference's seeding
  scripts send them; each needs a ``serviceNodes(id)`` read (the event has no contributors),
  batched 100 per JSON-RPC request;
* 3,000 ``NewServiceNodeV2`` with real proofs of possession, every third one with three
  contributors;
* 1,500 ``ServiceNodeExitRequest``; 500 ``ServiceNodeExit`` after the 30-day wait; 500 signed
  by the network; 248 liquidations (a ``ServiceNodeLiquidated`` and a ``ServiceNodeExit``
  each); 4 ``StakingRequirementUpdated``.

Layout: the contracts are deployed at the start, then come the empty blocks, then the events,
ten transactions per block (seeding: one call of 100 per block). Not spread evenly, because
anvil recomputes its whole state for every block it mines: with the thousands of nodes the
contract holds once seeded, an empty block costs tens of milliseconds, and 100,000 of them
would take an hour; before seeding, a tenth of a millisecond. The tracker's work hardly depends
on where the events sit: it asks for the logs of every 1,000 blocks either way (100 requests),
and the rest is per event. anvil runs with ``--prune-history`` (only the latest state kept, as
many providers keep little); the tracker reads state only at the safe block, so it runs with 0
confirmations here (the tip is the only state anvil keeps). Every log is there.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sesh.bls import DomainTags, SecretKey, exit_message, liquidate_message
from sesh.bls import proof_of_possession_message as pop_message
from sesh.bls.params import R as CURVE_ORDER
from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import load_artifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import Profile
from sesh.evm.record import Deployment
from sesh.keys import sesh_home
from sesh.l2.decode import NEW_SEEDED_SERVICE_NODE, NEW_SERVICE_NODE_V2, decode_log, parse_log
from sesh.l2.events import L2Event
from sesh.l2.providers import JsonRpcProvider, Providers
from sesh.l2.tracker import Tracker, TrackerConfig

TARGET_EVENTS_PER_SECOND = 2_000
"""The issue's target for an L2 sync, end to end."""

SESH = 10**9
STAKE = 120 * SESH
CHAIN_ID = 31337
SEED_BATCH = 100
TXS_PER_BLOCK = 10
"""Transactions per block while building the chain (the contract allows 20 registrations per
block, more once the network is big)."""
WAIT = 30 * 86_400 + 1

PROFILE = Profile(
    name="l2-bench",
    staking_requirement=STAKE,
    max_contributors=10,
    liquidator_reward_ratio=3,
    pool_share_of_liquidation_ratio=17,
    recipient_ratio=9_980,
    minimum_exit_age=0,
)


@dataclass(frozen=True)
class Mix:
    """How many of each contract call the chain holds."""

    seeded: int = 4_000
    registered: int = 3_000
    exit_requests: int = 1_500
    exits_after_wait: int = 500
    signed_exits: int = 500
    liquidations: int = 248
    requirement_changes: int = 4

    @property
    def events(self) -> int:
        return (
            self.seeded
            + self.registered
            + self.exit_requests
            + self.exits_after_wait
            + self.signed_exits
            + 2 * self.liquidations
            + self.requirement_changes
        )

    @property
    def transactions(self) -> int:
        return self.events - self.liquidations - self.seeded + -(-self.seeded // SEED_BATCH)

    def scaled(self, events: int) -> Mix:
        """The same proportions for ``events`` events (at least one of each kind)."""
        f = events / self.events
        mix = Mix(
            *(max(1, round(getattr(self, k) * f)) for k in self.__dataclass_fields__)  # type: ignore[arg-type]
        )
        return replace(mix, requirement_changes=mix.requirement_changes + events - mix.events)


@dataclass
class Node:
    secret: SecretKey
    ed25519: int
    key: tuple[int, int]
    id: int = 0
    operator: str = ""


class Builder:
    """Sends the mix's transactions, ten to a block, in order, and keeps the network model."""

    def __init__(self, chain: Chain, deployment: Deployment, artifacts: Any) -> None:
        self.chain = chain
        self.rpc = JsonRpcProvider(chain.rpc_url, timeout=600.0, batch_size=100)
        self.rewards = chain.w3.eth.contract(
            address=deployment.service_node_rewards, abi=artifacts.service_node_rewards.abi
        )
        self.token = chain.w3.eth.contract(address=deployment.sesh, abi=artifacts.sesh.abi)
        self.owner = chain.accounts[0]
        self.stakers = chain.accounts[1:10]
        self.tags = DomainTags.for_contract(CHAIN_ID, self.rewards.address)
        self.nonces: dict[str, int] = {}
        self.live: dict[int, Node] = {}
        self.live_sum = 0
        self.key_counter = 0

    def new_node(self) -> Node:
        self.key_counter += 1
        secret = SecretKey.from_int(0xB0_0000_0000 + 104_729 * self.key_counter)
        return Node(secret, 0xED_0000 + self.key_counter, secret.public_key().to_contract())

    def tx(self, sender: str, function: Any, gas: int) -> dict[str, Any]:
        nonce = self.nonces.get(sender)
        if nonce is None:
            nonce = int(self.rpc.request("eth_getTransactionCount", [sender, "latest"]), 16)
        self.nonces[sender] = nonce + 1
        return {
            "from": sender,
            "to": function.address,
            "data": function._encode_transaction_data(),
            "gas": hex(gas),
            "nonce": hex(nonce),
        }

    def send(self, txs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send ``txs``, ``TXS_PER_BLOCK`` to a block, in order; their receipts, checked.

        One request at a time (anvil answers a JSON-RPC batch's requests concurrently, so a
        batch of transactions would land in no particular order), and blocks mined on demand
        (automine is off)."""
        hashes = []
        for start in range(0, len(txs), TXS_PER_BLOCK):
            for tx in txs[start : start + TXS_PER_BLOCK]:
                hashes.append(self.rpc.request("eth_sendTransaction", [tx]))
            self.rpc.request("evm_mine")
        receipts: list[dict[str, Any]] = self.rpc.batch(
            [("eth_getTransactionReceipt", [h]) for h in hashes]
        )
        for receipt in receipts:
            if receipt is None or receipt["status"] != "0x1":
                raise RuntimeError(f"a benchmark transaction failed: {receipt}")
        return receipts

    def add(self, node: Node, node_id: int) -> None:
        node.id = node_id
        self.live[node.id] = node
        self.live_sum = (self.live_sum + node.secret.scalar) % CURVE_ORDER

    def remove(self, node: Node) -> None:
        del self.live[node.id]
        self.live_sum = (self.live_sum - node.secret.scalar) % CURVE_ORDER

    def network_signature(self, message: bytes) -> tuple[int, int, int, int]:
        signer = SecretKey.from_int(self.live_sum)
        return signer.sign(message, self.tags.hash_to_g2).to_contract()

    # -- the calls of the mix -------------------------------------------------------------------

    def fund(self) -> None:
        txs = [
            self.tx(self.owner, self.token.functions.transfer(s, 1_000_000 * SESH), 100_000)
            for s in self.stakers
        ]
        txs += [
            self.tx(s, self.token.functions.approve(self.rewards.address, 2**256 - 1), 100_000)
            for s in self.stakers
        ]
        self.send(txs)

    def seed(self, count: int) -> list[Node]:
        nodes, txs = [], []
        for start in range(0, count, SEED_BATCH):
            batch = [self.new_node() for _ in range(min(SEED_BATCH, count - start))]
            entries = []
            for i, node in enumerate(batch):
                staker = self.stakers[i % len(self.stakers)]
                node.operator = staker
                entries.append((node.key, node.ed25519, 1, [((staker, staker), STAKE)]))
            function = self.rewards.functions.seedPublicKeyList(entries)
            txs.append(self.tx(self.owner, function, 40_000_000))
            nodes += batch
        ids = [i for r in self.send_one_per_block(txs) for i in node_ids(r)]
        for node, node_id in zip(nodes, ids, strict=True):
            self.add(node, node_id)
        return nodes

    def send_one_per_block(self, txs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        receipts = []
        for tx in txs:
            receipts += self.send([tx])
        return receipts

    def start(self) -> None:
        self.send([self.tx(self.owner, self.rewards.functions.start(), 200_000)])

    def register(self, count: int) -> list[Node]:
        nodes, txs = [], []
        for i in range(count):
            node = self.new_node()
            sender = self.stakers[i % len(self.stakers)]
            node.operator = sender
            contributors: list[Any] = []
            if i % 3 == 2:
                others = [self.stakers[(i + 1) % 9], self.stakers[(i + 2) % 9]]
                contributors = [
                    ((sender, sender), 60 * SESH),
                    ((others[0], others[1]), 30 * SESH),
                    ((others[1], others[1]), 30 * SESH),
                ]
            message = pop_message(self.tags, node.secret.public_key(), sender, node.ed25519)
            pop = node.secret.sign(message, self.tags.hash_to_g2).to_contract()
            function = self.rewards.functions.addBLSPublicKey(
                node.key, pop, (node.ed25519, 1, 2, 500 * (i % 3)), contributors
            )
            txs.append(self.tx(sender, function, 1_500_000))
            nodes.append(node)
        for node, receipt in zip(nodes, self.send(txs), strict=True):
            (node_id,) = node_ids(receipt)
            self.add(node, node_id)
        return nodes

    def request_exits(self, nodes: Sequence[Node]) -> None:
        function = self.rewards.functions.initiateExitBLSPublicKey
        self.send([self.tx(n.operator, function(n.id), 300_000) for n in nodes])

    def exits_after_wait(self, nodes: Sequence[Node]) -> None:
        self.rpc.request("evm_setNextBlockTimestamp", [self.timestamp() + WAIT])
        self.rpc.request("evm_mine")
        function = self.rewards.functions.exitBLSPublicKeyAfterWaitTime
        txs = [self.tx(self.stakers[0], function(n.id), 500_000) for n in nodes]
        for node in nodes:
            self.remove(node)
        self.send(txs)

    def signed_removals(self, nodes: Sequence[Node], liquidate: bool) -> None:
        """Signed exits or liquidations, a JSON-RPC batch at a time (each signature signs the
        network as it will be when its transaction runs)."""
        build = liquidate_message if liquidate else exit_message
        call = (
            self.rewards.functions.liquidateBLSPublicKeyWithSignature
            if liquidate
            else self.rewards.functions.exitBLSPublicKeyWithSignature
        )
        for start in range(0, len(nodes), TXS_PER_BLOCK):
            timestamp = self.timestamp()
            txs = []
            for node in nodes[start : start + TXS_PER_BLOCK]:
                signature = self.network_signature(
                    build(self.tags, node.secret.public_key(), timestamp)
                )
                function = call(node.key, timestamp, signature, [])
                txs.append(self.tx(self.stakers[1], function, 1_500_000))
                self.remove(node)
            self.send(txs)

    def set_requirements(self, count: int) -> None:
        function = self.rewards.functions.setStakingRequirement
        self.send([self.tx(self.owner, function(STAKE + i + 1), 100_000) for i in range(count)])

    def timestamp(self) -> int:
        block = self.rpc.request("eth_getBlockByNumber", ["latest", False])
        return int(block["timestamp"], 16)


def node_ids(receipt: dict[str, Any]) -> list[int]:
    """The ids of the nodes a receipt's registration or seeding events name, in order."""
    topics = {NEW_SERVICE_NODE_V2.topic0, NEW_SEEDED_SERVICE_NODE.topic0}
    return [
        int(log["topics"][1], 16)
        for log in receipt["logs"]
        if bytes.fromhex(log["topics"][0][2:]) in topics
    ]


def event_blocks(mix: Mix) -> int:
    """The blocks the mix's transactions take (``Builder.send`` packs them)."""

    def packed(n: int) -> int:
        return -(-n // TXS_PER_BLOCK)

    return (
        -(-mix.seeded // SEED_BATCH)
        + 1  # start
        + packed(mix.registered)
        + packed(mix.exit_requests)
        + 1  # the 30-day wait
        + packed(mix.exits_after_wait)
        + packed(mix.signed_exits)
        + packed(mix.liquidations)
        + packed(mix.requirement_changes)
    )


def build_chain(chain: Chain, blocks: int, mix: Mix, progress: Callable[[str], None]) -> Deployment:
    """Deploy the set, mine the empty blocks, run ``mix``: ``blocks`` blocks in all."""
    artifacts = load_artifacts(cache_dir=sesh_home() / "build")  # the CLI's cache
    deployment = deploy(chain, PROFILE, artifacts)
    builder = Builder(chain, deployment, artifacts)
    builder.rpc.request("evm_setAutomine", [False])  # blocks on demand, transactions in order
    builder.fund()
    tip = int(chain.w3.eth.block_number)
    empty = blocks - 1 - tip - event_blocks(mix)
    progress(f"mining {empty:,} empty blocks")
    if empty > 0:
        builder.rpc.request("anvil_mine", [hex(empty)])
    progress(f"seeding {mix.seeded:,} nodes")
    builder.seed(mix.seeded)
    builder.start()
    progress(f"registering {mix.registered:,} nodes")
    registered = builder.register(mix.registered)
    progress("exit requests, exits, liquidations, requirement changes")
    leaving = registered[: mix.exit_requests]
    builder.request_exits(leaving)
    builder.exits_after_wait(leaving[: mix.exits_after_wait])
    rest = registered[mix.exit_requests :]
    builder.signed_removals(rest[: mix.signed_exits], liquidate=False)
    liquidated = rest[mix.signed_exits : mix.signed_exits + mix.liquidations]
    builder.signed_removals(liquidated, liquidate=True)
    builder.set_requirements(mix.requirement_changes)
    tip = int(chain.w3.eth.block_number)
    if tip < blocks - 1:  # blocks 0 … blocks − 1
        builder.rpc.request("anvil_mine", [hex(blocks - 1 - tip)])
    return deployment


@dataclass(frozen=True)
class Sync:
    seconds: float
    events: int
    blocks: int
    polls: int
    position_bytes: int


def sync_once(rpc_url: str, rewards: str) -> tuple[Sync, list[L2Event]]:
    """A fresh tracker from block 0 to the tip; the time and what it reported."""
    config = TrackerConfig(CHAIN_ID, rewards, confirmations=0)
    tracker = Tracker(Providers.from_urls([rpc_url], CHAIN_ID), config)
    position = tracker.initial_position()
    events: list[L2Event] = []
    polls = 0
    started = time.perf_counter()
    while True:
        result = tracker.poll(position)
        polls += 1
        events.extend(result.events)
        position = result.position
        if result.caught_up:
            break
    seconds = time.perf_counter() - started
    assert position.safe is not None
    size = len(json.dumps(position.to_json()))
    return Sync(seconds, len(events), position.safe.number + 1, polls, size), events


def decode_only(rpc_url: str, rewards: str, tip: int) -> tuple[float, int]:
    """Seconds to parse and decode every log of the chain already in memory; the log count."""
    rpc = JsonRpcProvider(rpc_url, timeout=600.0)
    raw: list[Any] = []
    for start in range(0, tip + 1, 10_000):
        raw += rpc.logs(rewards, start, min(tip, start + 9_999))
    started = time.perf_counter()
    for item in raw:
        decode_log(parse_log(item), CHAIN_ID)
    return time.perf_counter() - started, len(raw)


def run(
    blocks: int = 100_000,
    events: int = 10_000,
    rounds: int = 3,
    progress: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """Build the chain, sync it ``rounds`` times; the measurements."""
    mix = Mix() if events == Mix().events else Mix().scaled(events)
    with Anvil(port=0, prune_history=True) as node:
        chain = Chain(node.rpc_url)
        started = time.perf_counter()
        deployment = build_chain(chain, blocks, mix, progress)
        built = time.perf_counter() - started
        # The builder's objects (contracts, receipts, keys) stay alive in this process; freeze
        # them so the collector's passes over them are not charged to the tracker, which in a
        # node runs without them.
        gc.collect()
        gc.freeze()
        rewards = deployment.service_node_rewards
        syncs = []
        for round_ in range(rounds):
            result, reported = sync_once(node.rpc_url, rewards)
            if result.events != mix.events:
                raise AssertionError(f"{result.events} events reported, {mix.events} expected")
            progress(f"sync {round_ + 1}: {result.seconds:.2f} s")
            syncs.append(result)
        seeded = sum(1 for e in reported if getattr(e, "seeded", False))
        decode_seconds, logs = decode_only(node.rpc_url, rewards, syncs[0].blocks - 1)
    seconds = statistics.median(s.seconds for s in syncs)
    return {
        "blocks": syncs[0].blocks,
        "events": mix.events,
        "seeded": seeded,
        "build_seconds": built,
        "sync_seconds": seconds,
        "events_per_second": mix.events / seconds,
        "blocks_per_second": syncs[0].blocks / seconds,
        "polls": syncs[0].polls,
        "position_bytes": syncs[0].position_bytes,
        "decode_events_per_second": logs / decode_seconds,
    }


def table(r: dict[str, Any]) -> str:
    lines = [
        "| measure | target | sesh |",
        "|---|---|---|",
        f"| L2 sync of {r['blocks']:,} anvil blocks holding {r['events']:,} events "
        f"(events/s, end to end) | ≥ {TARGET_EVENTS_PER_SECOND:,} | "
        f"{r['events_per_second']:,.0f} |",
        f"| same, blocks/s | — | {r['blocks_per_second']:,.0f} |",
        f"| same, wall time (s) | — | {r['sync_seconds']:.2f} |",
        f"| log parsing and decoding alone (events/s) | — | {r['decode_events_per_second']:,.0f} |",
    ]
    notes = (
        f"\n{r['polls']} poll(s); {r['seeded']:,} seeded nodes completed with serviceNodes(id) "
        f"reads; the stored position at the tip is {r['position_bytes'] / 1024:,.0f} KiB. "
        f"Building the chain took {r['build_seconds']:.0f} s (not measured)."
    )
    return "\n".join(lines) + notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = run(
        args.blocks,
        args.events,
        args.rounds,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
