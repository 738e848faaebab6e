"""Where a devnet keeps what it keeps: the names inside its data directory, in one place.

Every part of the devnet (the chain, the contracts, the examples, the chain guard) reads or
writes files under one ``--data-dir``; naming them here lets each module find the others' files
without importing the others' code, and gives the docs one list to match.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sesh.cli.shell.defaults import CONTRACTS_FILE as CONTRACTS_FILE
from sesh.cli.shell.defaults import DEVNET_DATA_DIR

DEFAULT_DATA_DIR = DEVNET_DATA_DIR
"""``./devnet-data``: where every verb looks for the devnet's record by default."""
CHAIN_DIR = "chain"
STATE_FILE = "state.json"
# CONTRACTS_FILE: the deployment record (``sesh.evm.record.Deployment``), as `sesh deploy
# --out` writes it; named in sesh.cli.shell.defaults, where every verb's default comes from.
BUILD_DIR = "build"
"""The compiled-contract cache (``sesh.evm.build_cache``); kept by --fresh."""

EXAMPLES_FILE = "examples.json"
"""The examples' addresses (``DevnetExamples``)."""
NODES_DIR = "nodes"
"""The nodes the devnet made: ``nodes/<i>/`` for seeded node i (from 1; its keys in
``nodes/<i>/keys/``, the node's own data beside them), ``nodes/open-node/`` for the open example
node's keys."""
NODE_KEYS_DIR = "keys"
NETWORK_FILE = "network.json"
"""Written by a running devnet: its node processes (key, JSON-RPC URL, pid, data dir), for
`sesh network` and `sesh devnet node`."""
GENESIS_FILE = "genesis.json"
"""The network chain's genesis (``sesh.node.genesis``): the seeded nodes and the L2 block the
chain starts at."""


def node_dir(data_dir: Path, index: int) -> Path:
    """Seeded node ``index``'s directory (``index`` from 1)."""
    return data_dir / NODES_DIR / str(index)


def node_keys_dir(data_dir: Path, index: int) -> Path:
    """Where seeded node ``index``'s key files are."""
    return node_dir(data_dir, index) / NODE_KEYS_DIR


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (a ``.partial`` file renamed over ``path``)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` atomically, as ``write_deployment`` does."""
    write_text(path, json.dumps(data, indent=2) + "\n")
