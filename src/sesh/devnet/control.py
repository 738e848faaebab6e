"""`sesh devnet node stop|start|add`: ask the running devnet to stop, start or add one node.

The devnet owns its node processes (they stop with it, however it is stopped), so another
`sesh` process cannot start one itself: it leaves a request in ``<data dir>/control/`` and the
running devnet, which looks there twice a second, carries it out and leaves the answer beside
it. No devnet running (``network.json`` missing, or naming a process that is gone) is said at
once, in one line.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sesh.cli.shell.errors import CommandError, run_verb
from sesh.cli.shell.options import add_json_option
from sesh.devnet.layout import DEFAULT_DATA_DIR, NETWORK_FILE, write_json

CONTROL_DIR = "control"
ANSWER_TIMEOUT = 60.0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh devnet node stop|start|add`."""
    parser = subparsers.add_parser(
        "node",
        help="stop, start or add one node of the running devnet",
        description="Stop, start or add one node of a running `sesh devnet`. A stopped node "
        "stays stopped (nothing restarts it) until `start`; `add` makes new keys and runs a "
        "node that is not registered: register its keys (`sesh stake --keys DIR`) and the "
        "network confirms it by quorum votes.",
    )
    verbs = parser.add_subparsers(dest="node_verb", metavar="{stop,start,add}")
    verbs.required = True
    for verb, text, description in (
        (
            "stop",
            "stop node I (SIGTERM)",
            "Stop node I of the running devnet (SIGTERM: it finishes its block); it stays "
            "stopped until `sesh devnet node start I`.",
        ),
        (
            "start",
            "start node I again",
            "Start node I of the running devnet again: it catches up from its peers and takes "
            "part.",
        ),
    ):
        sub = verbs.add_parser(verb, help=text, description=description)
        sub.add_argument("index", type=int, metavar="I", help="the node's number (from 1)")
        _common(sub)
    add = verbs.add_parser(
        "add",
        help="make keys and run a new, unregistered node",
        description="Make new node "
        "keys and run a node with them; it follows the chain until its keys are registered.",
    )
    _common(add)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"the running devnet's data directory (default {DEFAULT_DATA_DIR})",
    )
    add_json_option(parser)
    parser.set_defaults(run=lambda args: run_verb("devnet node", lambda: _ask(args)))


def _ask(args: argparse.Namespace) -> int:
    answer = request(args.data_dir, args.node_verb, getattr(args, "index", None))
    if args.json:
        print(json.dumps(answer))
    else:
        print(answer.get("message") or _describe(args.node_verb, answer))
    return 0 if answer.get("ok") else 1


def _describe(verb: str, answer: dict[str, Any]) -> str:
    index = answer.get("index")
    if verb == "stop":
        return f"node {index} stopped"
    where = f"JSON-RPC {answer.get('rpc')}, pid {answer.get('pid')}"
    if verb == "add":
        return f"node {index} added ({where}); its keys: {answer.get('keys')} (not registered)"
    return f"node {index} started ({where})"


def running_devnet(data_dir: Path) -> dict[str, Any]:
    """The running devnet's ``network.json``; `CommandError` when no devnet runs there."""
    path = data_dir / NETWORK_FILE
    try:
        record = json.loads(path.read_text())
        pid = int(record["pid"])
        os.kill(pid, 0)
    except (FileNotFoundError, ProcessLookupError):
        raise CommandError(f"no devnet is running in {data_dir} (start `sesh devnet`)") from None
    except (ValueError, KeyError, TypeError):
        raise CommandError(f"{path} is not a running devnet's record") from None
    return dict(record)


def request(data_dir: Path, verb: str, index: int | None) -> dict[str, Any]:
    """Leave a request for the running devnet and wait for its answer."""
    running_devnet(data_dir)
    directory = data_dir / CONTROL_DIR
    directory.mkdir(exist_ok=True)
    nonce = secrets.token_hex(8)
    write_json(directory / f"{nonce}.request", {"verb": verb, "index": index})
    answer_path = directory / f"{nonce}.answer"
    end = time.monotonic() + ANSWER_TIMEOUT
    while time.monotonic() < end:
        if answer_path.exists():
            answer = json.loads(answer_path.read_text())
            answer_path.unlink(missing_ok=True)
            return dict(answer)
        time.sleep(0.1)
    (directory / f"{nonce}.request").unlink(missing_ok=True)
    raise CommandError(f"the devnet in {data_dir} did not answer within {ANSWER_TIMEOUT:g} s")


def serve(data_dir: Path, handle: Callable[[str, int | None], dict[str, Any]]) -> None:
    """Carry out every request waiting (the devnet's side): `handle(verb, index)` gives the
    answer, or raises KeyError/ValueError with a message for the caller."""
    directory = data_dir / CONTROL_DIR
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.request")):
        try:
            asked = json.loads(path.read_text())
            verb, index = str(asked["verb"]), asked.get("index")
            answer = {"ok": True, **handle(verb, index)}
        except (KeyError, ValueError, TypeError) as error:
            answer = {"ok": False, "message": str(error).strip("'\"")}
        path.unlink(missing_ok=True)
        write_json(path.with_suffix(".answer"), answer)
