"""The quorum network: how fast and how cheaply blocks come, in simulation and in real processes.

Run: .venv/bin/python bench/network.py [--only sim,real] [--sim-nodes 100,1000,2000]
     [--sim-blocks 40] [--real-nodes 6,16] [--real-blocks 300] [--catch-up 2000]

* ``sim``: the consensus code in one process over a simulated transport and clock
  (`sesh.consensus.sim`, shared ledger): CPU seconds per block at each network size, and the
  consensus messages and wire bytes each quorum member sends per block (pulse stages: Ready,
  Template, Reveal, Final, Endorse), with the gossip (blocks, checkpoint votes) reported apart;
  and catch-up: a node down for ``--catch-up`` blocks syncing back, in blocks per CPU second.
* ``real``: `sesh devnet --nodes N` (real node processes on 127.0.0.1): block interval mean and
  p95 over ``--real-blocks`` blocks against the devnet profile's block time, the time from a
  leader's kill -9 to the next block, and CPU and resident memory per node.

The reference figures are the reference network's design values (pulse.md): 120 s blocks on
mainnet, a failed round costing 60 s there.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from sesh.consensus.sim import Simulation

PULSE = ("Ready", "Template", "Reveal", "Final", "Endorse")
GOSSIP = ("NewBlock", "CheckpointVote")


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def sim_network(sizes: list[int], blocks: int) -> None:
    rows = []
    for n in sizes:
        sim = Simulation(n, seed=1, measure_bytes=True)
        start = time.process_time()
        assert sim.run_until_height(blocks, limit=blocks * 20), "the network stalled"
        cpu = time.process_time() - start
        made = min(node.chain.height for node in sim.nodes)
        quorum = 1 + min(11, n - 1)
        pulse_messages = sum(sim.sent_by_kind.get(k, 0) for k in PULSE)
        pulse_bytes = sum(sim.bytes_by_kind.get(k, 0) for k in PULSE)
        gossip_messages = sum(sim.sent_by_kind.get(k, 0) for k in GOSSIP)
        gossip_bytes = sum(sim.bytes_by_kind.get(k, 0) for k in GOSSIP)
        rows.append(
            (
                f"{n:,}",
                f"{cpu / made:.3f}",
                f"{pulse_messages / made / quorum:.1f}",
                f"{pulse_bytes / made / quorum:,.0f}",
                f"{gossip_messages / made:,.0f}",
                f"{gossip_bytes / made / 1024:,.0f}",
            )
        )
        print(f"  {n} nodes: {made} blocks, {cpu:.1f} s CPU", flush=True)
    print()
    print(
        table(
            rows,
            (
                "nodes",
                "CPU s / block (whole network)",
                "pulse messages / member / block",
                "pulse bytes / member / block",
                "gossip messages / block",
                "gossip KiB / block",
            ),
        )
    )


def sim_catch_up(blocks: int) -> None:
    sim = Simulation(4, seed=4)
    sim.stop(3)
    assert sim.run_until_height(blocks, limit=blocks * 20)
    sim.start(3)
    start = time.process_time()
    before = sim.nodes[3].chain.height
    assert sim.run_until_height(sim.nodes[0].chain.height, limit=600)
    cpu = time.process_time() - start
    synced = sim.nodes[3].chain.height - before
    print()
    print(
        table(
            [(f"{synced:,}", f"{cpu:.2f}", f"{synced / cpu:,.0f}", "≥ 500")],
            ("blocks synced", "CPU s (whole simulation)", "blocks / s", "target"),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="sim,real")
    parser.add_argument("--sim-nodes", default="100,1000,2000")
    parser.add_argument("--sim-blocks", type=int, default=40)
    parser.add_argument("--catch-up", type=int, default=2000)
    parser.add_argument("--real-nodes", default="6,16")
    parser.add_argument("--real-blocks", type=int, default=300)
    args = parser.parse_args()
    only = set(args.only.split(","))
    if "sim" in only:
        print("## simulation", flush=True)
        sim_network([int(n) for n in args.sim_nodes.split(",")], args.sim_blocks)
        sim_catch_up(args.catch_up)
    if "real" in only:
        from network_real import real_network  # needs anvil and the devnet (a sibling module)

        real_network([int(n) for n in args.real_nodes.split(",")], args.real_blocks)


if __name__ == "__main__":
    main()
