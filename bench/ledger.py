"""The ledger and L2 sync benchmarks of the node issue: both tables of docs/benchmarks.md's
section "Ledger and L2 sync".

Run: .venv/bin/python bench/ledger.py [--only blocks,sync] [--nodes 2000,10000] [--blocks 2000]
                                      [--l2-blocks 100000] [--events 10000] [--rounds 3]

Sections (each a module beside this one):
  blocks  blocks per second `Ledger.apply` takes at 2,000 and 10,000 nodes, with an unchanged
          node set and with 1 % of the nodes changing per block (bench/ledger_blocks.py)
  sync    the tracker syncing 100,000 anvil blocks that hold 10,000 events, end to end, in
          events per second (bench/l2_sync.py; building the chain takes minutes)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import l2_sync
import ledger_blocks

SECTIONS = ("blocks", "sync")


def blocks_table(results: Sequence[ledger_blocks.Result]) -> str:
    lines = ["| nodes | node set | blocks/s (sesh) | target |", "|---|---|---|---|"]
    for r in results:
        target = f"≥ {ledger_blocks.TARGET_UNCHANGED:,.0f}" if r.case == "unchanged" else "—"
        lines.append(f"| {r.nodes:,} | {r.case} | {r.blocks_per_second:,.0f} | {target} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--nodes", default="2000,10000", help="network sizes (blocks)")
    parser.add_argument("--blocks", type=int, default=2_000, help="blocks timed per case (blocks)")
    parser.add_argument("--l2-blocks", type=int, default=100_000, help="L2 blocks (sync)")
    parser.add_argument("--events", type=int, default=10_000, help="L2 events (sync)")
    parser.add_argument("--rounds", type=int, default=3, help="syncs, median taken (sync)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")

    def progress(line: str) -> None:
        print(f"# {line}", file=sys.stderr, flush=True)

    if "blocks" in names:
        sizes = [int(n) for n in args.nodes.split(",")]
        results = ledger_blocks.run(sizes, args.blocks)
        print(f"## Ledger blocks per second\n\n{blocks_table(results)}\n", flush=True)
    if "sync" in names:
        result = l2_sync.run(args.l2_blocks, args.events, args.rounds, progress=progress)
        print(f"## L2 sync\n\n{l2_sync.table(result)}\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
