"""The network's signatures as a verb receives them: asked of a node, checked before use.

A node's RPC aggregates the network's shares (`bls_rewards_request`,
`bls_exit_liquidation_request`); a verb never sends what it has not checked itself. The check is
the contract's own: the message is the one the contract will build from this deployment's tags,
and the aggregate verifies against the contract's `aggregatePubkey` minus the keys of the nodes
the answer names as non-signers. So a node that lies, or answers for another network, costs an
error and no gas.
"""

from __future__ import annotations

from typing import Any

from sesh.bls import DomainTags, G1Point, G2Point, InvalidEncoding, verify_aggregate
from sesh.cli.shell.errors import CommandError
from sesh.staking.connection import Connection

TIMEOUT = 25.0
"""Seconds a verb waits for a node's signature (the node waits at most 5 s for the network)."""


def ask_node(node: str, method: str, params: dict[str, Any] | None = None) -> Any:
    """A node's reply to one JSON-RPC call; a CommandError in words if there is none."""
    from sesh.evm.jsonrpc import JsonRpcError, RemoteError, TransportError, call_once

    try:
        return call_once(node, method, params or {}, timeout=TIMEOUT)
    except RemoteError as error:
        raise CommandError(f"the node refused: {error.message}") from None
    except TransportError as error:
        raise CommandError(f"cannot reach the node {node}: {error}") from None
    except JsonRpcError as error:
        raise CommandError(f"the node's answer is malformed: {error}") from None


def send_signed(conn: Connection, call: Any) -> tuple[Any, int]:
    """Send a call that carries the network's signature, with an access list of the storage it
    reads when the node estimates that cheaper (many non-signers: each one's key is a cold
    read); (receipt, gas saved)."""
    choice = conn.chain.access_list_for(call)
    receipt = conn.chain.transact(call, access_list=choice.access_list)
    if choice.saving:
        slots = sum(len(entry["storageKeys"]) for entry in choice.access_list or ())
        print(f"  sent with an access list of {slots} storage slots: {choice.saving} gas saved")
    return receipt, choice.saving


def tags_of(conn: Connection) -> DomainTags:
    return DomainTags.for_contract(conn.chain_id, conn.deployment.service_node_rewards)


def check_aggregate(conn: Connection, message: bytes, reply: Any) -> tuple[G2Point, list[int]]:
    """(signature, non-signer ids) of a node's signing reply over `message`, checked as the
    contract will check them; a CommandError naming what is wrong otherwise."""
    try:
        ids = [int(i) for i in reply["non_signer_indices"]]
        signature = G2Point.from_bytes(bytes.fromhex(reply["signature"]))
        signed = bytes.fromhex(reply["msg_to_sign"])
    except (KeyError, TypeError, ValueError, InvalidEncoding) as error:
        raise CommandError(f"the node's answer is malformed ({error})") from None
    if signed != message:
        raise CommandError("the node signed another message than the contract will check")
    aggregate = G1Point.from_contract(tuple(conn.rewards.view("aggregatePubkey")))
    non_signers = [
        G1Point.from_contract(tuple(conn.rewards.view("serviceNodes", i)[3])) for i in ids
    ]
    if not verify_aggregate(aggregate, non_signers, message, tags_of(conn).hash_to_g2, signature):
        raise CommandError(
            "the network's signature does not verify against the rewards contract's keys "
            "(a node answering for another network, or a lying one): nothing was sent"
        )
    return signature, ids
