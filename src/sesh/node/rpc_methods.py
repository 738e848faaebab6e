"""The node RPC's methods: their parameters, checked, and their reads of the chain under the
node's lock.

A method is a `Method`: a parser per parameter name (anything else is refused) and a function of
the source and the parsed parameters. Every read of the chain happens inside `locked(source)`,
the lock the node's loop holds while it changes the chain; the replies are built by the pure
functions of `sesh.node.rpc_format`. The callbacks of the source (`l2`, `registered`) are called
before the lock is taken, so a callback that takes the node's lock itself cannot deadlock.
Errors are `RpcError`s with the JSON-RPC code and a message for the caller.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sesh.bls import BLSError, G1Point
from sesh.consensus.chain import BASES_KEPT, Chain
from sesh.consensus.engine import ConsensusNode
from sesh.ledger import Block, NetworkProfile, service_node, service_nodes
from sesh.ledger.queries import reward_balance
from sesh.node.rpc_format import (
    SERVICE_NODE_FIELDS,
    block_header,
    block_json,
    checkpoint_json,
    checkpoints_json,
    exit_list_json,
    hard_fork,
    immutable,
    info_json,
    pending_events_json,
    quorum_json,
    service_node_state,
)

log = logging.getLogger("sesh.node.rpc")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
NOT_FOUND = -32001
"""No such block or height (JSON-RPC's range for server errors is -32000 to -32099)."""
UNAVAILABLE = -32002
"""The node no longer keeps what was asked for (quorums of old heights)."""
BUSY = -32003
"""The node's loop held its lock longer than `LOCK_TIMEOUT`: try again."""

REFUSED = -32004
"""The network will not sign this (a node not removable yet, say): the message says why."""

LOCK_TIMEOUT = 10.0
"""Seconds a method waits for the node's lock before answering BUSY."""
MAX_ROUNDS = 16
"""Rounds one get_quorum_state may ask for."""


class RpcError(Exception):
    """A JSON-RPC error reply: `code` and a one-line `message`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RpcSource:
    """What the RPC reads, filled in by the node."""

    lock: threading.Lock
    """Held by the node's loop while it changes the chain; every method reads under it."""
    engine: ConsensusNode
    """`engine.chain` is the Chain; `engine.chain.ledger` the Ledger at the tip."""
    profile: NetworkProfile
    pubkey: bytes
    """This node's 32-byte Ed25519 key."""
    bls_pubkey: tuple[int, int] | None
    version: str
    """sesh's version (importlib.metadata)."""
    l2: Callable[[], dict[str, Any]] | None = None
    """The tracker's status (safe height etc.), shown in get_info; optional."""
    registered: Callable[[], bool] | None = None
    """Whether this node is registered; None: derive it from the ledger (key in ledger.nodes)."""
    rewards_signature: Callable[[bytes, int | None], dict[str, Any]] | None = None
    """`sesh.node.claims.Claims.rewards`: the network's signature over a reward balance."""
    removal_signature: Callable[[bytes | None, bytes | None, bool], dict[str, Any]] | None = None
    """`sesh.node.claims.Claims.removal`: the network's signature over an exit or a
    liquidation."""


@contextmanager
def locked(source: RpcSource) -> Iterator[Chain]:
    """The chain, with the node's lock held (`BUSY` after `LOCK_TIMEOUT` seconds)."""
    if not source.lock.acquire(timeout=LOCK_TIMEOUT):
        raise RpcError(BUSY, "the node is busy; try again")
    try:
        yield source.engine.chain
    finally:
        source.lock.release()


# -- parameters ----------------------------------------------------------------------------------

Parser = Callable[[str, Any], Any]


def _invalid(name: str, what: str) -> RpcError:
    return RpcError(INVALID_PARAMS, f"invalid parameter {name!r}: {what}")


def height_param(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid(name, "a height is a non-negative integer")
    return value


def _hex_bytes(name: str, value: Any, size: int, what: str) -> bytes:
    """`size` bytes as hex digits (either case, an optional 0x)."""
    if isinstance(value, str):
        digits = value[2:] if value[:2] in ("0x", "0X") else value
        if len(digits) == 2 * size:
            try:
                return bytes.fromhex(digits)
            except ValueError:
                pass
    raise _invalid(name, f"expected {what}")


def hash_param(name: str, value: Any) -> bytes:
    """32 bytes as 64 hex digits (either case, an optional 0x)."""
    return _hex_bytes(name, value, 32, "64 hex digits")


def address_param(name: str, value: Any) -> bytes:
    """An Ethereum address: 40 hex digits, any case, an optional 0x."""
    return _hex_bytes(name, value, 20, "an address (40 hex digits)")


def relative_height_param(name: str, value: Any) -> int:
    """A height, or ≤ 0 for one relative to the finalised height (the reference's form)."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
        raise _invalid(name, "a height is an integer (0 or less: back from the finalised one)")
    return value


def ed25519_param(name: str, value: Any) -> bytes:
    return _hex_bytes(name, value, 32, "an Ed25519 key (64 hex digits)")


def bls_key_param(name: str, value: Any) -> bytes:
    """A BLS public key: 128 hex digits (X then Y), a point of the curve."""
    data = _hex_bytes(name, value, 64, "a BLS key (128 hex digits)")
    try:
        G1Point.from_bytes(data)
    except BLSError:
        raise _invalid(name, "not a point of the BLS curve") from None
    return data


def address_list_param(name: str, value: Any) -> list[str]:
    """Addresses as the ledger keys them: lowercase with 0x (at most 1,000)."""
    if not isinstance(value, list) or len(value) > 1_000:
        raise _invalid(name, "a list of at most 1000 addresses")
    return ["0x" + address_param(name, item).hex() for item in value]


def hash_list_param(name: str, value: Any) -> list[bytes]:
    if not isinstance(value, list):
        raise _invalid(name, "expected a list of 64-hex-digit keys")
    return [hash_param(name, item) for item in value]


def bool_param(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _invalid(name, "expected true or false")
    return value


def rounds_param(name: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ROUNDS:
        raise _invalid(name, f"expected a list of 1 to {MAX_ROUNDS} rounds")
    rounds = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 255:
            raise _invalid(name, "a round is an integer from 0 to 255")
        rounds.append(item)
    return tuple(rounds)


def fields_param(name: str, value: Any) -> frozenset[str]:
    """A list of field names, or the reference's object form {name: true, ...}."""
    if isinstance(value, dict):
        if not all(isinstance(v, bool) for v in value.values()):
            raise _invalid(name, "the object form maps field names to true or false")
        value = [k for k, v in value.items() if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(name, "expected a list of field names")
    unknown = sorted(set(value) - SERVICE_NODE_FIELDS)
    if unknown:
        raise _invalid(name, f"no field {unknown[0][:64]!r}")
    return frozenset(value)


@dataclass(frozen=True)
class Method:
    call: Callable[[RpcSource, dict[str, Any]], Any]
    params: Mapping[str, Parser]

    def parse(self, params: Any) -> dict[str, Any]:
        """The parameters of a request, parsed (`INVALID_PARAMS` for anything else)."""
        if params is None or params == []:
            return {}  # absent, or the empty array many clients send for "no parameters"
        if not isinstance(params, dict):
            raise RpcError(INVALID_PARAMS, "params must be an object (named parameters)")
        for name in params:
            if name not in self.params:
                raise RpcError(INVALID_PARAMS, f"unknown parameter {name[:64]!r}")
        return {name: self.params[name](name, value) for name, value in params.items()}


# -- the methods ---------------------------------------------------------------------------------


def _ask(callback: Callable[[], Any] | None, what: str) -> Any:
    """What a callback of the source says, or None when there is none or it fails (logged:
    the RPC answers without it)."""
    if callback is None:
        return None
    try:
        return callback()
    except Exception:
        log.exception("the RPC source's %s callback failed", what)
        return None


def _l2_status(source: RpcSource) -> dict[str, Any] | None:
    """The tracker's status as plain JSON, or None."""
    status = _ask(source.l2, "l2")
    try:
        return None if status is None else dict(json.loads(json.dumps(status)))
    except (TypeError, ValueError):
        log.exception("the L2 status is not JSON")
        return None


def get_info(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    registered = _ask(source.registered, "registered")
    l2_status = _l2_status(source)
    with locked(source):
        return info_json(
            source.engine,
            source.profile,
            pubkey=source.pubkey,
            bls_pubkey=source.bls_pubkey,
            version=source.version,
            registered=registered,
            l2_status=l2_status,
        )


def get_height(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    with locked(source) as chain:
        immutable_height, immutable_hash = immutable(chain)
        return {
            "height": chain.height + 1,
            "hash": chain.tip.hex(),
            "immutable_height": immutable_height,
            "immutable_hash": immutable_hash,
            "status": "ok",
        }


def _height_of(chain: Chain, block_hash: bytes) -> int | None:
    """The height of the main-chain block with `block_hash` (recent blocks by the chain's
    index, older ones by a scan of the main chain's hashes)."""
    block = chain.blocks.get(block_hash)
    if block is not None:
        return block.height if chain.hash_at(block.height) == block_hash else None
    try:
        return chain.genesis_height + 1 + chain.hashes.index(block_hash)
    except ValueError:
        return None


def _block_at(chain: Chain, height: int) -> Block:
    block = chain.block_at(height)
    if block is not None:
        return block
    if height == chain.genesis_height:
        raise RpcError(NOT_FOUND, f"height {height} is the genesis: a state, not a block")
    if height > chain.height:
        raise RpcError(
            NOT_FOUND, f"no block at height {height}: the top block's height is {chain.height}"
        )
    raise RpcError(NOT_FOUND, f"no block at height {height}: the chain starts above it")


def get_last_block_header(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    with locked(source) as chain:
        return {"block_header": block_header(_block_at(chain, chain.height), chain.height)}


def get_block(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    if len(params) != 1:
        raise RpcError(INVALID_PARAMS, "give exactly one of 'height' and 'hash'")
    with locked(source) as chain:
        height = params.get("height")
        if height is None:
            height = _height_of(chain, params["hash"])
            if height is None:
                raise RpcError(
                    NOT_FOUND, f"no block with hash {params['hash'].hex()} on the main chain"
                )
        return block_json(chain, _block_at(chain, height))


def get_service_nodes(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    with locked(source) as chain:
        ledger = chain.ledger
        reply: dict[str, Any] = {
            "top_block_height": chain.height,
            "top_block_hash": chain.tip.hex(),
            "hard_fork": hard_fork(source.profile, chain.height),
            "status": "ok",
        }
        if "poll_block_hash" in params:
            reply["unchanged"] = params["poll_block_hash"] == chain.tip
            if reply["unchanged"]:
                return reply
        if "service_node_pubkeys" in params:
            wanted = dict.fromkeys(params["service_node_pubkeys"])
            infos = [info for key in wanted if (info := service_node(ledger, key)) is not None]
        else:
            infos = service_nodes(ledger)
        if params.get("active_only"):
            infos = [info for info in infos if info.active]
        fields = params.get("fields")
        reply["service_node_states"] = [
            service_node_state(info, ledger.nodes[info.pubkey], fields) for info in infos
        ]
        return reply


def get_pending_events(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    with locked(source) as chain:
        return pending_events_json(chain.ledger)


def get_quorum_state(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    rounds = params.get("rounds", (0,))
    with locked(source) as chain:
        following = chain.height + 1
        height = params.get("height", following)
        if not chain.genesis_height < height <= following:
            raise RpcError(
                NOT_FOUND,
                f"no quorum for height {height}: heights {chain.genesis_height + 1} to "
                f"{following} have quorums",
            )
        parent = chain.hash_at(height - 1)
        basis = chain.bases.get(parent or b"")
        if parent is None or basis is None:
            raise RpcError(
                UNAVAILABLE,
                f"the quorums of height {height} are no longer kept (the last {BASES_KEPT} "
                "heights' are)",
            )
        quorums = [q for r in rounds if (q := basis.quorum(r)) is not None]
        return {
            "height": height,
            "parent": parent.hex(),
            "active_node_count": basis.active,
            "stalled": basis.quorum(0) is None,
            "quorums": [quorum_json(q) for q in quorums],
            "checkpoint": checkpoint_json(chain, height) if height < following else None,
        }


def get_checkpoints(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    with locked(source) as chain:
        start = params.get("start_height", chain.genesis_height)
        end = params.get("end_height", chain.height)
        if start > end:
            raise RpcError(INVALID_PARAMS, "'start_height' is above 'end_height'")
        immutable_height, immutable_hash = immutable(chain)
        return {
            "checkpoints": checkpoints_json(chain, start, end),
            "checkpoint_interval": chain.rules.checkpoint_interval,
            "immutable_height": immutable_height,
            "immutable_block_hash": immutable_hash,
            "top_block_height": chain.height,
        }


def get_evidence(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    """Equivocation this node has seen: two signatures by one key over different blocks of one
    (height, round, parent), each verifiable by anyone with the signer's key."""
    with locked(source) as chain:
        return {
            "evidence": [
                {
                    "signer": e.signer.hex(),
                    "height": e.height,
                    "round": e.round,
                    "parent": e.parent.hex(),
                    "first": {"block_hash": e.first[0].hex(), "signature": e.first[1].hex()},
                    "second": {"block_hash": e.second[0].hex(), "signature": e.second[1].hex()},
                }
                for e in chain.evidence
            ]
        }


def bls_rewards_request(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    """The network's aggregate signature over `address`'s lifetime balance at the finalised
    height (or `height`), ready for `updateRewardsBalance` (`sesh.node.claims`)."""
    if "address" not in params:
        raise _invalid("address", "required")
    if source.rewards_signature is None:
        raise RpcError(UNAVAILABLE, "this node does not aggregate signatures")
    return source.rewards_signature(params["address"], params.get("height"))


def bls_exit_liquidation_request(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    """The network's aggregate signature over the exit (or, with `liquidate`, the liquidation)
    of a node named by `pubkey` (its Ed25519 key, as the exit list gives it) or `bls_pubkey`,
    ready for `exitBLSPublicKeyWithSignature` or `liquidateBLSPublicKeyWithSignature`."""
    pubkey, bls_pubkey = params.get("pubkey"), params.get("bls_pubkey")
    if (pubkey is None) == (bls_pubkey is None):
        raise _invalid("pubkey", "give the node's Ed25519 pubkey or its bls_pubkey (one of them)")
    if source.removal_signature is None:
        raise RpcError(UNAVAILABLE, "this node does not aggregate signatures")
    return source.removal_signature(pubkey, bls_pubkey, params.get("liquidate", False))


def bls_exit_liquidation_list(source: RpcSource, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The recently removed nodes: each may be exited with the network's signature, and
    liquidated from its `liquidation_height` on (a bare array, as the reference answers)."""
    with locked(source) as chain:
        return exit_list_json(chain.ledger)


def get_accrued_rewards(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
    """Lifetime balances (atoms) at `height` (default: the top block): of `addresses`, or of
    every address the ledger pays when none are given (as the reference's backend asks)."""
    with locked(source) as chain:
        ledger = chain.ledger
        height = params.get("height", ledger.height)
        wanted = params.get("addresses") or sorted(set(ledger.accounts) | set(ledger.by_address))
        try:
            balances = {a: reward_balance(ledger, a, height) for a in wanted}
        except LookupError:
            raise RpcError(UNAVAILABLE, f"this node does not hold height {height}") from None
        return {"balances": balances, "height": height, "status": "OK"}


METHODS: dict[str, Method] = {
    "bls_rewards_request": Method(
        bls_rewards_request, {"address": address_param, "height": relative_height_param}
    ),
    "bls_exit_liquidation_request": Method(
        bls_exit_liquidation_request,
        {"pubkey": ed25519_param, "bls_pubkey": bls_key_param, "liquidate": bool_param},
    ),
    "bls_exit_liquidation_list": Method(bls_exit_liquidation_list, {}),
    "get_accrued_rewards": Method(
        get_accrued_rewards, {"addresses": address_list_param, "height": height_param}
    ),
    "get_evidence": Method(get_evidence, {}),
    "get_info": Method(get_info, {}),
    "get_height": Method(get_height, {}),
    "get_last_block_header": Method(get_last_block_header, {}),
    "get_block": Method(get_block, {"height": height_param, "hash": hash_param}),
    "get_service_nodes": Method(
        get_service_nodes,
        {
            "service_node_pubkeys": hash_list_param,
            "fields": fields_param,
            "poll_block_hash": hash_param,
            "active_only": bool_param,
        },
    ),
    "get_pending_events": Method(get_pending_events, {}),
    "get_quorum_state": Method(get_quorum_state, {"height": height_param, "rounds": rounds_param}),
    "get_checkpoints": Method(
        get_checkpoints, {"start_height": height_param, "end_height": height_param}
    ),
}
"""Every method the node serves, by name."""


def run(source: RpcSource, name: str, params: Any) -> dict[str, Any] | list[Any]:
    """Call the method `name`: its parameters are parsed before anything is read
    (`METHOD_NOT_FOUND`, `INVALID_PARAMS`)."""
    method = METHODS.get(name)
    if method is None:
        raise RpcError(METHOD_NOT_FOUND, f"no method {name[:64]!r}")
    result: dict[str, Any] | list[Any] = method.call(source, method.parse(params))
    return result
