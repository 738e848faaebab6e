"""How long `sesh devnet --nodes N` takes to be ready: fresh (with a warm build cache) and resumed.

Run: .venv/bin/python bench/devnet_start.py [--nodes 5] [--data-dir DIR]

Ready means the one JSON line on stdout: every node answers `get_info` and lists the seeded set.
The first run compiles the contracts into DIR/build if the cache is cold (not timed); then a
`--fresh` start and a resume of the same data directory are timed, each stopped with SIGTERM.
Targets (the network issue): fresh ≤ 120 s, resume ≤ 60 s. The reference has no devnet.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from network_real import start_devnet, stop_devnet


def ready_after(data_dir: Path, nodes: int, *extra: str) -> float:
    """Seconds until the devnet prints its JSON line; the devnet is stopped after."""
    start = time.monotonic()
    process, _ = start_devnet(data_dir, nodes, *extra)
    elapsed = time.monotonic() - start
    stop_devnet(process)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "devnet"
        ready_after(data_dir, args.nodes, "--fresh")  # warms the build cache
        fresh = ready_after(data_dir, args.nodes, "--fresh")
        resumed = ready_after(data_dir, args.nodes)
    print("| nodes | fresh, warm build cache (target ≤ 120 s) | resume (target ≤ 60 s) |")
    print("|---|---|---|")
    print(f"| {args.nodes} | {fresh:.1f} s | {resumed:.1f} s |")


if __name__ == "__main__":
    main()
