"""A node leaving the rewards contract: `sesh exit request`, `sesh exit`, `sesh liquidate` and
`sesh liquidator run`.

Leaving takes two steps. A contributor asks (`initiateExitBLSPublicKey`); the network unlocks
the node after its unlock period and then signs its exit, which anyone may send
(`exitBLSPublicKeyWithSignature`); the stake goes back to the contributors through their reward
balances once the network confirms the exit. Without the network, the contract lets anyone
remove the node 30 days after the request (`exitBLSPublicKeyAfterWaitTime`). A node the network
removed (deregistered, or unlocked and not exited) can be liquidated once its grace period is
over: the caller gets the liquidator's share of the stake.

The signatures come from a node's RPC and are checked against the contract before anything is
sent (`sesh.staking.signed`); the node refuses, in words and with a date, what the network will
not sign yet. Every wait is measured against the L2's latest block time, which is what the
contract checks.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sesh.bls import G1Point, exit_message, liquidate_message
from sesh.cli.shell.errors import CommandError
from sesh.cli.shell.options import add_command
from sesh.cli.shell.signals import run_until_stopped
from sesh.staking.connection import Connection, Outcome, add_verb, connect
from sesh.staking.signed import ask_node, check_aggregate, send_signed, tags_of
from sesh.units import format_amount, format_moment

EXIT_WAIT = 30 * 86_400
"""ServiceNodeRewards' MAX_SERVICE_NODE_EXIT_WAIT_TIME: a leave request's wait without the
network."""

NodeUrl = Callable[[argparse.Namespace], str]

_EXIT_HELP = "ask for a node's exit, or remove it once the network has unlocked it"
_EXIT_DESCRIPTION = """\
`sesh exit request NODE` asks for the exit of a node you contributed to
(initiateExitBLSPublicKey). The network unlocks the node after its unlock period; then
`sesh exit NODE` asks a node of the network for its signature over the exit, checks it against
the rewards contract, and removes the node (exitBLSPublicKeyWithSignature). The stake goes back
to the contributors' reward balances once the network confirms the exit: `sesh claim` pays it
out. Without the network, `sesh exit NODE --after-wait` removes the node 30 days after the
request (exitBLSPublicKeyAfterWaitTime). NODE is the contract's id of the node, its BLS key
(128 hex digits) or its Ed25519 key (64 hex digits)."""
_EXIT_EPILOG = """\
examples:
  sesh exit request 3 --key-env STAKER_KEY
  sesh exit 3 --key-env STAKER_KEY            once the network has unlocked node 3
  sesh exit 3 --after-wait --key-env KEY      30 days after the request, without the network"""

_LIQUIDATE_HELP = "liquidate a node the network removed, for the liquidator's reward"
_LIQUIDATE_DESCRIPTION = """\
Liquidate a node the network no longer has (deregistered, or unlocked and not exited before its
grace period ended): ask a node of the network for its signature over the liquidation, check it
against the rewards contract and send liquidateBLSPublicKeyWithSignature. The signer receives
the liquidator's share of the node's stake (the contract's liquidation ratios); the rest goes
back to the contributors, less the pool's share. NODE is as for `sesh exit`."""

_LIQUIDATOR_HELP = "watch the network and liquidate every node it allows, for the reward"
_LIQUIDATOR_DESCRIPTION = """\
Run until stopped (Ctrl-C): every --interval seconds, read the network's list of removed nodes
(bls_exit_liquidation_list) and liquidate each one still in the rewards contract whose grace
period is over, as `sesh liquidate` does. With --once, one pass and stop."""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], node_url: NodeUrl
) -> None:
    """Add `sesh exit`, `sesh liquidate` and `sesh liquidator`; `node_url` picks the node to
    ask (the command layer knows the devnet)."""
    parser = add_command(subparsers, "exit", _EXIT_HELP, _EXIT_DESCRIPTION, _EXIT_EPILOG)
    parser.usage = "%(prog)s [request] NODE [--after-wait] [--node URL] [options]"
    parser.add_argument(
        "words", nargs="+", metavar="NODE", help="the node; after `request`: ask for its exit"
    )
    parser.add_argument(
        "--after-wait",
        action="store_true",
        help="exit without the network's signature, 30 days after the leave request",
    )
    _node_option(parser)
    add_verb(parser, lambda args: _exit_verb(args, node_url), signs=True)

    parser = add_command(subparsers, "liquidate", _LIQUIDATE_HELP, _LIQUIDATE_DESCRIPTION)
    parser.add_argument("target", metavar="NODE", help="the node's id, BLS or Ed25519 key")
    _node_option(parser)
    add_verb(parser, lambda args: _liquidate_verb(args, node_url), signs=True)

    parser = add_command(subparsers, "liquidator", _LIQUIDATOR_HELP, _LIQUIDATOR_DESCRIPTION)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    run = sub.add_parser("run", help=_LIQUIDATOR_HELP, description=_LIQUIDATOR_DESCRIPTION)
    run.add_argument(
        "--interval", type=float, default=10.0, metavar="SECONDS", help="between passes (10)"
    )
    run.add_argument("--once", action="store_true", help="one pass, then stop")
    run.add_argument(
        "--dry-run", action="store_true", help="say what would be liquidated; send nothing"
    )
    _node_option(run)
    add_verb(run, lambda args: liquidator(args, node_url(args)), signs=True)


def _node_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--node",
        metavar="URL",
        help="a node's JSON-RPC (http://HOST:PORT/json_rpc; default: the devnet's first node)",
    )


# -- which node --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractNode:
    """A node as the rewards contract has it."""

    id: int
    key: tuple[int, int]
    leave_requested: int
    """The first leave request's time (0: none)."""
    deposit: int

    @property
    def key_hex(self) -> str:
        return G1Point.from_contract(self.key).to_bytes().hex()


def contract_node(conn: Connection, node_id: int) -> ContractNode | None:
    record = conn.rewards.view("serviceNodes", node_id)
    key = (int(record[3][0]), int(record[3][1]))
    if key == (0, 0):
        return None
    return ContractNode(node_id, key, int(record[5]), int(record[7]))


def find_node(conn: Connection, node: Callable[[], str], text: str) -> ContractNode:
    """The node NODE names: a contract id, a BLS key, or an Ed25519 key (looked up on the
    network at `node()`'s URL, which knows both keys; asked only then). A CommandError when the
    contract does not have it."""
    digits = text[2:] if text[:2] in ("0x", "0X") else text
    if text.isdigit():
        node_id = int(text)
    elif len(digits) in (64, 128) and all(c in "0123456789abcdefABCDEF" for c in digits):
        key = bytes.fromhex(digits) if len(digits) == 128 else _bls_of(node(), digits.lower())
        node_id = int(conn.rewards.view("serviceNodeIDs", key))
    else:
        raise CommandError(
            f"NODE must be a node id, a BLS key (128 hex digits) or an Ed25519 key (64), "
            f"not {text[:80]!r}",
            2,
        )
    found = contract_node(conn, node_id) if node_id else None
    if found is None:
        raise CommandError(
            f"the rewards contract has no node {text[:80]} (never registered, or it left already)"
        )
    return found


def _bls_of(node: str, ed25519: str) -> bytes:
    """The BLS key of the node whose Ed25519 key is `ed25519`, as the network knows it."""
    states = ask_node(node, "get_service_nodes", {"service_node_pubkeys": [ed25519]})
    for state in states.get("service_node_states", []):
        return bytes.fromhex(state["pubkey_bls"])
    for entry in ask_node(node, "bls_exit_liquidation_list"):
        if entry.get("service_node_pubkey") == ed25519:
            return bytes.fromhex(entry["info"]["bls_public_key"])
    raise CommandError(f"the network knows no node with Ed25519 key {ed25519}")


# -- the verbs ---------------------------------------------------------------------------------


def _exit_verb(args: argparse.Namespace, node_url: NodeUrl) -> Outcome:
    words = list(args.words)
    asking = words[0] == "request"
    if asking:
        words.pop(0)
    if len(words) != 1:
        raise CommandError("usage: sesh exit [request] NODE (one node)", 2)
    if asking and args.after_wait:
        raise CommandError("--after-wait removes a node; `sesh exit request` only asks", 2)
    conn = connect(args, signs=True)
    target = find_node(conn, lambda: node_url(args), words[0])
    if asking:
        return request_exit(conn, target)
    if args.after_wait:
        return exit_after_wait(conn, target)
    return remove(conn, node_url(args), target, liquidate=False)


def _liquidate_verb(args: argparse.Namespace, node_url: NodeUrl) -> Outcome:
    conn = connect(args, signs=True)
    node = node_url(args)
    return remove(conn, node, find_node(conn, lambda: node, args.target), liquidate=True)


def request_exit(conn: Connection, target: ContractNode) -> Outcome:
    receipt = conn.chain.transact(conn.rewards.call("initiateExitBLSPublicKey", target.id))
    tx = "0x" + bytes(receipt["transactionHash"]).hex()
    now = conn.timestamp()
    first = contract_node(conn, target.id)
    requested = first.leave_requested if first is not None else now
    print(f"asked for the exit of node {target.id} (BLS key {target.key_hex[:16]}…): {tx}")
    print(
        f"  the network unlocks it after its unlock period{_unlock_period(conn)}; then "
        f"`sesh exit {target.id}` removes it with the network's signature, or without it "
        f"`sesh exit {target.id} --after-wait` {format_moment(requested + EXIT_WAIT, now)}"
    )
    return {
        "node_id": target.id,
        "tx": tx,
        "requested_at": requested,
        "exit_without_network_at": requested + EXIT_WAIT,
    }


def _unlock_period(conn: Connection) -> str:
    """ " (3 min on the devnet network)", from the genesis beside the deployment record (where
    `sesh devnet` writes it), counted from when the network confirms the request; "" when
    there is no readable genesis there."""
    from sesh.ledger import PROFILES
    from sesh.node.command import GENESIS_FILE
    from sesh.node.genesis import GenesisError, load_genesis
    from sesh.units import format_duration

    try:
        network = load_genesis(conn.deployment_path.parent / GENESIS_FILE).network
    except (OSError, GenesisError):
        return ""
    profile = PROFILES.get(network)
    if profile is None:
        return ""
    return (
        f" ({format_duration(profile.unlock_delay)} on the {network} network, from when it "
        "confirms the request)"
    )


def exit_after_wait(conn: Connection, target: ContractNode) -> Outcome:
    now = conn.timestamp()
    if not target.leave_requested:
        raise CommandError(
            f"node {target.id} has no leave request: `sesh exit request {target.id}` first"
        )
    allowed = target.leave_requested + EXIT_WAIT
    if now < allowed:
        raise CommandError(
            f"node {target.id} may be removed without the network only 30 days after its "
            f"leave request: {format_moment(allowed, now)}"
        )
    call = conn.rewards.call("exitBLSPublicKeyAfterWaitTime", target.id)
    tx = "0x" + bytes(conn.chain.transact(call)["transactionHash"]).hex()
    _say_exited(target, tx)
    return {"node_id": target.id, "tx": tx, "deposit": target.deposit, "signed": False}


def remove(conn: Connection, node: str, target: ContractNode, *, liquidate: bool) -> Outcome:
    """Exit or liquidate `target` with the network's signature, asked of `node`."""
    try:
        reply = ask_node(
            node,
            "bls_exit_liquidation_request",
            {"bls_pubkey": target.key_hex, "liquidate": liquidate},
        )
    except CommandError as refused:
        if liquidate or not target.leave_requested:
            raise
        allowed = target.leave_requested + EXIT_WAIT
        pending = (
            " (the network has not confirmed the leave request yet: it counts an L2 event "
            "once it is a few blocks deep)"
            if "is registered:" in str(refused)
            else ""
        )
        raise CommandError(
            f"{refused}{pending}; without the network, `sesh exit {target.id} --after-wait` "
            f"works {format_moment(allowed, conn.timestamp())}"
        ) from None
    try:
        timestamp = int(reply["timestamp"])
    except (KeyError, TypeError, ValueError) as error:
        raise CommandError(f"the node's answer is malformed ({error})") from None
    build = liquidate_message if liquidate else exit_message
    message = build(tags_of(conn), G1Point.from_contract(target.key), timestamp)
    signature, ids = check_aggregate(conn, message, reply)
    expiry = int(conn.rewards.view("signatureExpiry"))
    now = conn.timestamp()
    if now > timestamp + expiry:
        raise CommandError(
            f"the network's signature expired {format_moment(timestamp + expiry, now)}: ask again"
        )
    function = (
        "liquidateBLSPublicKeyWithSignature" if liquidate else "exitBLSPublicKeyWithSignature"
    )
    call = conn.rewards.call(function, target.key, timestamp, signature.to_contract(), ids)
    sender = conn.sender
    assert sender is not None
    before = int(conn.token.view("balanceOf", sender))
    receipt, saving = send_signed(conn, call)
    tx = "0x" + bytes(receipt["transactionHash"]).hex()
    outcome: Outcome = {
        "node_id": target.id,
        "tx": tx,
        "deposit": target.deposit,
        "signed": True,
        "non_signer_ids": ids,
        "access_list_saving": saving,
    }
    if liquidate:
        reward = int(conn.token.view("balanceOf", sender)) - before
        print(
            f"liquidated node {target.id} (stake {format_amount(target.deposit)}, "
            f"{len(ids)} non-signer(s)): {tx}"
        )
        print(f"  the liquidator's reward: {format_amount(reward)} to {sender}")
        outcome["reward"] = reward
    else:
        _say_exited(target, tx)
    return outcome


def _say_exited(target: ContractNode, tx: str) -> None:
    print(f"node {target.id} left the rewards contract: {tx}")
    print(
        f"  its stake ({format_amount(target.deposit)}) goes back to its contributors' reward "
        "balances once the network confirms the exit; `sesh claim` pays it out"
    )


# -- the liquidator ----------------------------------------------------------------------------


def liquidator(args: argparse.Namespace, node: str) -> Outcome:
    conn = connect(args, signs=True)
    done: list[Outcome] = []
    failed: dict[str, str] = {}

    def run(stop: threading.Event) -> None:
        while not stop.is_set():
            for target in due(conn, node):
                if stop.is_set():
                    return
                if args.dry_run:
                    print(f"would liquidate node {target.id} (BLS key {target.key_hex[:16]}…)")
                    done.append({"node_id": target.id, "tx": None})
                    continue
                try:
                    done.append(remove(conn, node, target, liquidate=True))
                except CommandError as error:
                    if failed.get(target.key_hex) != str(error):
                        print(f"node {target.id} not liquidated: {error}", flush=True)
                    failed[target.key_hex] = str(error)
            if args.once:
                return
            stop.wait(args.interval)

    run_until_stopped(
        f"sesh liquidator: watching {node} every {args.interval:g} s for nodes to liquidate "
        f"(as {conn.sender}){'; dry run' if args.dry_run else ''}",
        run,
        lambda: f"sesh liquidator: stopped after {len(done)} liquidation(s)",
    )
    return {"liquidations": done}


def due(conn: Connection, node: str) -> list[ContractNode]:
    """What the network would let anyone liquidate now: the removed nodes it lists whose grace
    is over and that the contract still has (the calls and the rule of the reference's
    liquidator script), and the contract's nodes the network does not know at all (whose
    registration it refused; the node that is asked refuses a registration on its way)."""
    try:
        top = int(ask_node(node, "get_height")["height"]) - 1  # it counts blocks: top + 1
        listed: list[Any] = ask_node(node, "bls_exit_liquidation_list")
        states = ask_node(node, "get_service_nodes", {"fields": ["pubkey_bls"]})
        known = {s["pubkey_bls"] for s in states["service_node_states"]}
        known |= {e["info"]["bls_public_key"] for e in listed}
    except (CommandError, KeyError, TypeError, ValueError) as error:
        print(f"cannot read the network's lists: {error}", flush=True)
        return []
    wanted: list[bytes] = []
    for entry in listed:
        try:
            if int(entry["liquidation_height"]) <= top:
                wanted.append(bytes.fromhex(entry["info"]["bls_public_key"]))
        except (KeyError, TypeError, ValueError):
            continue
    ids, keys = conn.rewards.view("allServiceNodeIDs")
    by_key = {
        bytes(G1Point.from_contract((int(k[0]), int(k[1]))).to_bytes()): int(i)
        for i, k in zip(ids, keys, strict=True)
    }
    wanted += [key for key in by_key if key.hex() not in known]
    found = []
    for key in wanted:
        target = contract_node(conn, by_key[key]) if key in by_key else None
        if target is not None:
            found.append(target)
    return found
