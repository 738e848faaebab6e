#!/usr/bin/env python3
"""Rewrite src/sesh/evm/abi_names.json, the reference's parameter names our published ABIs
carry, from the reference contracts' full ABIs.

    .venv/bin/python scripts/abi-names.py [path/to/abi-names.json]

The default reference is reference/abi-names.json in the shared folder beside the project
(../shared, or $SESH_SHARED). Run it when the reference changes; tests/evm/test_abi_names.py
fails until the committed table is what this script writes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from sesh.evm.abi_names import NAMES_FILE, render

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    shared = Path(os.environ.get("SESH_SHARED", ROOT.parent / "shared"))
    reference = Path(argv[0]) if argv else shared / "reference" / "abi-names.json"
    contracts = json.loads(reference.read_text())["contracts"]
    NAMES_FILE.write_text(render(contracts))
    members = sum(len(abi) for abi in contracts.values())
    print(f"{NAMES_FILE.relative_to(ROOT)}: {len(contracts)} contracts, {members} members read")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
