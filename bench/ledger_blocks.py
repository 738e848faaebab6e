"""Blocks per second the ledger applies, at 2,000 and 10,000 nodes (the blocks part of
bench/ledger.py).

Run: .venv/bin/python bench/ledger_blocks.py [--nodes 2000,10000] [--blocks 2000]

Two cases per size, on the mainnet profile (120-second blocks, 720-block maturity):

* unchanged: every node mature and payable, blocks carry nothing but the reward rate; the
  ledger's cost must not grow with the number of nodes;
* 1 % changing: every block decommissions 1 % of the nodes and recommissions the 1 % it
  decommissioned the block before, so each block settles 2 % of the nodes' rewards into their
  contributors' accounts and changes their records (the mainnet cap of 10 deactivations per
  block is lifted for this case, or 1 % of 10,000 nodes could not change).

Nodes are seeded (no Ed25519 check) with 4 contributors each, distinct beneficiaries. Only
`Ledger.apply` is timed; building each block (the producer) is not. Target (the issue):
≥ 1,000 blocks/s at 10,000 unchanged nodes.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace

from sesh.l2.events import Contributor, L2Origin, NewServiceNode
from sesh.ledger import (
    MAINNET,
    Block,
    DecisionKind,
    Ledger,
    NetworkProfile,
    UptimeDecision,
    produce_block,
)

PRODUCER = b"\x99" * 32
TARGET_UNCHANGED = 1_000.0


@dataclass(frozen=True)
class Result:
    nodes: int
    case: str
    blocks_per_second: float


def _seed_event(i: int, profile: NetworkProfile) -> NewServiceNode:
    stake = profile.staking_requirement
    parts = (stake // 2, stake // 4, stake // 8, stake - stake // 2 - stake // 4 - stake // 8)
    contributors = tuple(
        Contributor(f"0x{i:032x}{k:08x}", f"0x{i:032x}{k + 16:08x}", amount)
        for k, amount in enumerate(parts)
    )
    return NewServiceNode(
        origin=L2Origin(profile.l2_chain_id, 1, b"\x01" * 32, i),
        service_node_id=i + 1,
        initiator=contributors[0].address,
        bls_pubkey=(i + 1, 7),
        ed25519_pubkey=i + 1,
        ed25519_signature=b"",
        fee=500,
        contributors=contributors,
        seeded=True,
    )


def _next(ledger: Ledger, decisions: tuple[UptimeDecision, ...] = ()) -> Block:
    return produce_block(
        ledger,
        producer=PRODUCER,
        l2_height=ledger.l2_height,
        pool_reward_rate=ledger.reward_window[-1],
        decisions=decisions,
    )


def build_network(nodes: int, profile: NetworkProfile) -> Ledger:
    """A ledger with `nodes` seeded nodes, all confirmed and mature."""
    ledger = Ledger(profile)
    events = [_seed_event(i, profile) for i in range(nodes)]
    first = produce_block(
        ledger, producer=PRODUCER, l2_height=1, pool_reward_rate=profile.initial_reward_rate
    )
    ledger.apply(replace(first, events=tuple(events)))
    while ledger.pending:  # the producer's tracker saw every event: all votes are yes
        block = produce_block(
            ledger,
            producer=PRODUCER,
            l2_height=1,
            pool_reward_rate=profile.initial_reward_rate,
            tracker_events=events,
        )
        ledger.apply(block)
    while ledger.payable_count < nodes:
        ledger.apply(_next(ledger))
    return ledger


def measure_unchanged(ledger: Ledger, blocks: int) -> float:
    elapsed = 0.0
    for _ in range(blocks):
        block = _next(ledger)
        start = time.perf_counter()
        ledger.apply(block)
        elapsed += time.perf_counter() - start
    return blocks / elapsed


def measure_changing(ledger: Ledger, blocks: int, fraction: int = 100) -> float:
    keys = sorted(ledger.nodes)
    group = max(1, len(keys) // fraction)
    groups = [keys[i : i + group] for i in range(0, len(keys) - group + 1, group)]
    elapsed = 0.0
    previous: list[bytes] = []
    for b in range(blocks):
        current = groups[b % len(groups)]
        decisions = tuple(UptimeDecision(DecisionKind.DECOMMISSION, k) for k in current) + tuple(
            UptimeDecision(DecisionKind.RECOMMISSION, k) for k in previous
        )
        block = _next(ledger, decisions)
        start = time.perf_counter()
        receipt = ledger.apply(block)
        elapsed += time.perf_counter() - start
        if any(o != 0 for o in receipt.decisions):
            raise RuntimeError(f"a decision was refused: {set(receipt.decisions)}")
        previous = current
    return blocks / elapsed


def run(sizes: list[int], blocks: int) -> list[Result]:
    results = []
    for nodes in sizes:
        print(f"# building {nodes:,} nodes ...", file=sys.stderr)
        ledger = build_network(nodes, MAINNET)
        results.append(Result(nodes, "unchanged", measure_unchanged(ledger, blocks)))
        profile = replace(MAINNET, max_deactivations_per_block=nodes)
        ledger = build_network(nodes, profile)
        results.append(Result(nodes, "1 % changing", measure_changing(ledger, blocks // 4)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="2000,10000", help="comma-separated node counts")
    parser.add_argument("--blocks", type=int, default=2000, help="blocks timed per case")
    args = parser.parse_args()
    sizes = [int(n) for n in args.nodes.split(",")]
    results = run(sizes, args.blocks)
    print("| nodes | node set | blocks/s (sesh) | target |")
    print("|---|---|---|---|")
    for r in results:
        target = f"≥ {TARGET_UNCHANGED:,.0f}" if r.case == "unchanged" else "—"
        print(f"| {r.nodes:,} | {r.case} | {r.blocks_per_second:,.0f} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
