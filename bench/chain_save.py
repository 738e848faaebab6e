"""How soon a block is recorded and saved after its receipt, as the chain grows.

Run: .venv/bin/python bench/chain_save.py [--transfers N] [--lengths 0,1000,10000]

For each chain length (empty blocks mined first, as an idle devnet makes one a second) it sends
transfers one at a time and times, from the moment the receipt is in hand: when the saver handed
the block to ``on_blocks`` (the devnet records its tip there) and when the state file held it.
Also shown: how long one save takes (``anvil_dumpState``, unpack, write, rename) and the state
file's size. Medians over the transfers; the save time grows with the chain, which is why a run
of empty blocks is saved less often than a block with transactions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sesh.evm.anvil import Anvil, BlockHead, dev_keys

RECIPIENT = "0x000000000000000000000000000000000000bEEF"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=20)
    parser.add_argument("--lengths", default="0,1000,10000")
    args = parser.parse_args()
    lengths = [int(length) for length in args.lengths.split(",")]

    seen_at: dict[int, float] = {}
    changed = threading.Condition()

    def record(heads: list[BlockHead]) -> None:
        with changed:
            for head in heads:
                seen_at[head.number] = time.monotonic()
            changed.notify_all()

    print(
        f"{'blocks':>8}  {'receipt ms':>10}  {'recorded ms':>11}  {'saved ms':>9}  "
        f"{'one save ms':>11}  {'state MB':>8}"
    )
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory) / "state.json"
        with Anvil(port=0, state_file=state, on_blocks=record) as node:
            assert node.saver is not None
            for length in lengths:
                current = int(node.rpc("eth_blockNumber"), 16)
                if length > current:
                    node.rpc("anvil_mine", hex(length - current), timeout=600)
                    node.saver.wait_saved(length, timeout=600)
                receipts, recorded, saved = [], [], []
                for _ in range(args.transfers):
                    started = time.monotonic()
                    tx = node.rpc(
                        "eth_sendTransaction",
                        {"from": dev_keys()[0].address, "to": RECIPIENT, "value": "0x1"},
                    )
                    while (receipt := node.rpc("eth_getTransactionReceipt", tx)) is None:
                        time.sleep(0.001)
                    have = time.monotonic()
                    number = int(receipt["blockNumber"], 16)
                    with changed:
                        changed.wait_for(lambda n=number: n in seen_at, timeout=10)
                    node.saver.wait_saved(number, timeout=60)
                    done = time.monotonic()
                    receipts.append(have - started)
                    recorded.append(max(0.0, seen_at[number] - have))
                    saved.append(done - have)
                print(
                    f"{int(node.rpc('eth_blockNumber'), 16):>8}  "
                    f"{1000 * statistics.median(receipts):>10.1f}  "
                    f"{1000 * statistics.median(recorded):>11.1f}  "
                    f"{1000 * statistics.median(saved):>9.1f}  "
                    f"{1000 * node.saver.last_duration:>11.1f}  "
                    f"{node.saver.last_size / 1e6:>8.2f}"
                )


if __name__ == "__main__":
    main()
