"""Gas of the contracts from transaction receipts on anvil (hardfork cancun), reference beside ours.

Run: .venv/bin/python bench/gas.py [--only SECTION,...] [--nodes 100,1000,2000,12000]
                                   [--samples N] [--check]

Sections (each a module beside this one, each on its own fresh anvil):
  bn254         hash to G2, cofactor clearing and the pairing, through a test harness
  tokens        SESH transfer/approve/permit and RewardRatePool payoutReleased
  rewards       ServiceNodeRewards at 100 to 12,000 registered nodes (minutes at 12,000)
  contribution  the contribution factory and ServiceNodeContribution
  vesting       TokenConverter and the vesting contracts

Every figure is ``receipt.gasUsed`` of a real transaction unless a row says otherwise, so it
includes the 21,000 base and the calldata. The reference figures are reference/gas.md's
(Solidity, Hardhat, cancun). ``--check`` exits 1 if any row costs more than the reference.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from gas_table import Section

SECTIONS = {
    "bn254": "gas_bn254",
    "tokens": "gas_tokens",
    "rewards": "gas_rewards",
    "contribution": "gas_contribution",
    "vesting": "gas_vesting",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--nodes", default="100,1000,2000,12000", help="network sizes (rewards)")
    parser.add_argument("--samples", type=int, default=20, help="messages hashed (bn254)")
    parser.add_argument("--check", action="store_true", help="fail if a row is above the reference")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    over: list[str] = []
    for name in names:
        module = importlib.import_module(SECTIONS[name])
        section: Section = module.section(args)
        print(f"## {section.title}\n\n{section.table}\n", flush=True)
        over += [f"{section.title}: {row}" for row in section.over]
    if over:
        print("above the reference:\n  " + "\n  ".join(over))
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
