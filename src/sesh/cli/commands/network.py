"""`sesh network`: the network as its nodes see it, one line per node and a summary.

It asks each node's JSON-RPC (`get_info`, and the first answering node's `get_quorum_state` and
`get_checkpoints`): the nodes of a running devnet by default (its ``network.json``), or the
nodes named with ``--node``. A node that does not answer is a line that says so, not an error:
a stopped node is part of what an operator wants to see.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sesh.cli.shell.defaults import DEVNET_DATA_DIR, DEVNET_DEPLOYMENT
from sesh.cli.shell.errors import CommandError, run_verb
from sesh.cli.shell.options import add_command, add_json_option
from sesh.cli.shell.output import table
from sesh.devnet.layout import NETWORK_FILE

_DESCRIPTION = (
    "Show the quorum network as its nodes see it: each node's height, finalised (immutable) "
    "height, top block and state hash, and whether it is active; then the next block's quorum "
    "and the newest checkpoints. Asks the nodes of the running devnet (DATA_DIR/network.json) "
    "unless --node names others."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(subparsers, "network", "show the network: every node's view", _DESCRIPTION)
    parser.add_argument(
        "--node",
        action="append",
        default=[],
        metavar="URL",
        help="a node's JSON-RPC URL (http://HOST:PORT/json_rpc); repeat",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEVNET_DATA_DIR,
        help=f"the devnet whose nodes to ask (default {DEVNET_DATA_DIR})",
    )
    add_json_option(parser)
    parser.set_defaults(run=lambda args: run_verb("network", lambda: _network(args)))


def node_urls(args: argparse.Namespace) -> list[str]:
    if args.node:
        return list(args.node)
    return devnet_node_urls(args.data_dir)


def claim_node(args: argparse.Namespace) -> str:
    """The node `sesh claim` asks: --node, else the first node of the devnet whose deployment
    record it uses (its network.json sits beside contracts.json)."""
    if args.node:
        return str(args.node)
    record: Path = args.deployment or DEVNET_DEPLOYMENT
    return devnet_node_urls(record.parent)[0]


def devnet_node_urls(data_dir: Path) -> list[str]:
    """The JSON-RPC URLs of the running devnet in `data_dir` (its network.json)."""
    path = data_dir / NETWORK_FILE
    try:
        record = json.loads(path.read_text())
        return [str(node["rpc"]) for node in record["nodes"]]
    except FileNotFoundError:
        raise CommandError(
            f"no running devnet in {data_dir} ({path} is missing): start `sesh devnet`, "
            "or name a node with --node URL"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise CommandError(f"{path} is not a devnet's node list") from None


def ask(url: str, method: str, params: dict[str, Any] | None = None) -> Any:
    """One call to a node (None when it does not answer)."""
    from sesh.evm.jsonrpc import JsonRpcError, call_once

    try:
        return call_once(url, method, params or {}, timeout=3.0)
    except (JsonRpcError, OSError):
        return None


def _network(args: argparse.Namespace) -> int:
    views: list[dict[str, Any]] = []
    for url in node_urls(args):
        info = ask(url, "get_info")
        views.append({"rpc": url, "info": info if isinstance(info, dict) else None})
    answering = [v for v in views if v["info"] is not None]
    summary: dict[str, Any] = {}
    if answering:
        first = answering[0]["rpc"]
        summary = {
            "quorum": ask(first, "get_quorum_state"),
            "checkpoints": ask(first, "get_checkpoints"),
        }
    if args.json:
        print(json.dumps({"nodes": views, **summary}))
        return 0
    rows = []
    for view in views:
        info = view["info"]
        if info is None:
            rows.append(["-", view["rpc"], "not answering", "", "", "", ""])
            continue
        rows.append(
            [
                str(info.get("pubkey", ""))[:12],
                view["rpc"],
                str(int(info["height"]) - 1),
                str(info.get("immutable_height", "")),
                str(info.get("top_block_hash", ""))[:12],
                str(info.get("state_hash", ""))[:12],
                _state(info),
            ]
        )
    print(
        table(
            rows,
            ("node", "rpc", "height", "finalised", "top block", "state", "state of node"),
            right=(2, 3),
        )
    )
    if answering:
        info = answering[0]["info"]
        heights = {int(v["info"]["height"]) - 1 for v in answering}
        agree = len({v["info"].get("top_block_hash") for v in answering}) == 1
        print(
            f"{info.get('active_node_count')} active of {info.get('node_count')} nodes; "
            f"{len(answering)} of {len(views)} answering; heights "
            f"{min(heights)}–{max(heights)}; "
            + ("all on one tip" if agree else "not all on one tip (blocks in flight, or a fork)")
        )
        if info.get("stalled"):
            print("the network is STALLED: too few active nodes for a quorum")
    return 0


def _state(info: dict[str, Any]) -> str:
    if info.get("stalled"):
        return "stalled"
    if not info.get("service_node"):
        return "not registered"
    return "active" if info.get("service_node_active") else "registered, not active"
