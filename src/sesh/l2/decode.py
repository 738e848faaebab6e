"""Logs of the rewards contract → `sesh.l2.events` values. Pure: no I/O, no web3.

Two steps, each refusing what is malformed with a ``MalformedLog`` that names the field:

1. ``parse_log`` checks the JSON object a provider returned for one log (every field there,
   hex where hex belongs, a 32-byte block hash, 32-byte topics) and makes a ``Log``.
2. ``decode_log`` picks the event by topic0 and decodes its data with ``sesh.l2.abi`` from the
   event's canonical signature (``EVENTS``; a test holds them to the compiled contract's ABI
   and to the reference's signatures). Events the network does not act on (reward claims,
   parameter changes, ownership) decode to None.

``NewSeededServiceNode`` carries no contributors: it decodes to a ``SeededServiceNode`` that
the tracker completes with the contract's ``serviceNodes(id)`` record (``complete_seeded``),
or, for a node that has left the contract since, with the input of the ``seedPublicKeyList``
call that seeded it (``complete_seeded_from_call``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sesh.l2.events as l2
from sesh.keccak import keccak256
from sesh.l2.abi import AbiDecodeError, decode
from sesh.l2.errors import MalformedLog
from sesh.l2.events import MAX_UINT64, Contributor, L2Event, L2Origin
from sesh.l2.views import ServiceNodeRecord, decode_seed_call


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One contract event: its canonical signature and how many leading parameters are
    indexed (the rewards contract indexes only the service node id, always first)."""

    signature: str
    indexed: int

    @property
    def name(self) -> str:
        return self.signature.split("(", 1)[0]

    @property
    def topic0(self) -> bytes:
        return keccak256(self.signature.encode())

    @property
    def data_types(self) -> tuple[str, ...]:
        """The types of the non-indexed parameters, the ones in the log's data."""
        inner = self.signature[len(self.name) + 1 : -1]
        return tuple(_split_top(inner)[self.indexed :])


def _split_top(inner: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(inner[start:index])
            start = index + 1
    parts.append(inner[start:])
    return parts


NEW_SERVICE_NODE_V2 = EventSpec(
    "NewServiceNodeV2(uint64,address,(uint256,uint256),(uint256,uint256,uint256,uint16),"
    "((address,address),uint256)[])",
    1,
)
NEW_SEEDED_SERVICE_NODE = EventSpec("NewSeededServiceNode(uint64,(uint256,uint256),uint256)", 1)
SERVICE_NODE_EXIT_REQUEST = EventSpec("ServiceNodeExitRequest(uint64,address,(uint256,uint256))", 1)
SERVICE_NODE_EXIT = EventSpec("ServiceNodeExit(uint64,address,uint256,(uint256,uint256))", 1)
SERVICE_NODE_LIQUIDATED = EventSpec("ServiceNodeLiquidated(uint64,address,(uint256,uint256))", 1)
STAKING_REQUIREMENT_UPDATED = EventSpec("StakingRequirementUpdated(uint256)", 0)

EVENTS: tuple[EventSpec, ...] = (
    NEW_SERVICE_NODE_V2,
    NEW_SEEDED_SERVICE_NODE,
    SERVICE_NODE_EXIT_REQUEST,
    SERVICE_NODE_EXIT,
    SERVICE_NODE_LIQUIDATED,
    STAKING_REQUIREMENT_UPDATED,
)
"""Every event of the rewards contract the network acts on."""


@dataclass(frozen=True, slots=True)
class Log:
    """One log as a provider returned it, checked and in Python types."""

    address: str
    """Lowercase 0x hex."""
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    log_index: int
    removed: bool = False
    transaction_hash: bytes | None = None
    """None only where a provider leaves it out (pending logs)."""


@dataclass(frozen=True, slots=True)
class SeededServiceNode:
    """``NewSeededServiceNode`` as logged: a node the owner copied in before ``start``, still
    without its contributors (read them with ``serviceNodes(id)``, then ``complete_seeded``;
    or, for a node gone by then, from the seeding transaction's input)."""

    origin: L2Origin
    service_node_id: int
    bls_pubkey: tuple[int, int]
    ed25519_pubkey: int
    transaction_hash: bytes | None = None


Decoded = L2Event | SeededServiceNode


# -- parsing a provider's JSON --------------------------------------------------------------------


def _field(raw: Mapping[str, Any], name: str) -> Any:
    try:
        return raw[name]
    except KeyError:
        raise MalformedLog(f"a log without {name!r}") from None


def _hex(value: Any, name: str, length: int | None = None) -> bytes:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        raise MalformedLog(f"log field {name!r} is not 0x-prefixed hex: {value!r:.80}")
    try:
        result = bytes.fromhex(value[2:])
    except ValueError:
        raise MalformedLog(f"log field {name!r} is not hex: {value!r:.80}") from None
    if length is not None and len(result) != length:
        raise MalformedLog(f"log field {name!r} has {len(result)} bytes, not {length}")
    return result


def _quantity(value: Any, name: str) -> int:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X") or len(value) > 66:
        raise MalformedLog(f"log field {name!r} is not a hex quantity: {value!r:.80}")
    try:
        return int(value, 16)
    except ValueError:
        raise MalformedLog(f"log field {name!r} is not a hex quantity: {value!r:.80}") from None


def parse_log(raw: object) -> Log:
    """A provider's JSON log object as a ``Log``; ``MalformedLog`` says what is wrong."""
    if not isinstance(raw, Mapping):
        raise MalformedLog(f"a log is a JSON object, got {type(raw).__name__}")
    topics = _field(raw, "topics")
    if not isinstance(topics, list) or len(topics) > 4:
        raise MalformedLog(f"log field 'topics' is not a list of at most 4: {topics!r:.80}")
    removed = raw.get("removed", False)
    if not isinstance(removed, bool):
        raise MalformedLog(f"log field 'removed' is not a boolean: {removed!r:.80}")
    tx_hash = raw.get("transactionHash")
    return Log(
        address="0x" + _hex(_field(raw, "address"), "address", 20).hex(),
        topics=tuple(_hex(topic, "topics", 32) for topic in topics),
        data=_hex(_field(raw, "data"), "data"),
        block_number=_quantity(_field(raw, "blockNumber"), "blockNumber"),
        block_hash=_hex(_field(raw, "blockHash"), "blockHash", 32),
        log_index=_quantity(_field(raw, "logIndex"), "logIndex"),
        removed=removed,
        transaction_hash=None if tx_hash is None else _hex(tx_hash, "transactionHash", 32),
    )


# -- decoding events ------------------------------------------------------------------------------

_BY_TOPIC: dict[bytes, EventSpec] = {spec.topic0: spec for spec in EVENTS}


def decode_log(log: Log, chain_id: int) -> Decoded | None:
    """The event in ``log`` (a log of the rewards contract), or None for an event the network
    does not act on. ``MalformedLog`` when a known event's topics or data are not its
    encoding."""
    if not log.topics:
        return None
    spec = _BY_TOPIC.get(log.topics[0])
    if spec is None:
        return None
    where = f"{spec.name} (block {log.block_number}, log {log.log_index})"
    if len(log.topics) != 1 + spec.indexed:
        raise MalformedLog(f"{where}: {len(log.topics)} topics, not {1 + spec.indexed}")
    try:
        values = decode(spec.data_types, log.data)
    except AbiDecodeError as error:
        raise MalformedLog(f"{where}: {error}") from None
    origin = L2Origin(chain_id, log.block_number, log.block_hash, log.log_index)
    if spec is STAKING_REQUIREMENT_UPDATED:
        return l2.StakingRequirementUpdated(origin, values[0])
    node_id = int.from_bytes(log.topics[1], "big")
    if node_id > MAX_UINT64:
        raise MalformedLog(f"{where}: the service node id topic does not fit a uint64")
    if spec is NEW_SERVICE_NODE_V2:
        initiator, key, params, contributors = values
        ed25519, signature_1, signature_2, fee = params
        return l2.NewServiceNode(
            origin=origin,
            service_node_id=node_id,
            initiator=initiator,
            bls_pubkey=key,
            ed25519_pubkey=ed25519,
            ed25519_signature=signature_1.to_bytes(32, "big") + signature_2.to_bytes(32, "big"),
            fee=fee,
            contributors=tuple(
                Contributor(address, beneficiary, amount)
                for (address, beneficiary), amount in contributors
            ),
        )
    if spec is NEW_SEEDED_SERVICE_NODE:
        key, ed25519 = values
        return SeededServiceNode(origin, node_id, key, ed25519, log.transaction_hash)
    if spec is SERVICE_NODE_EXIT_REQUEST:
        initiator, key = values
        return l2.ServiceNodeExitRequest(origin, node_id, initiator, key)
    if spec is SERVICE_NODE_EXIT:
        initiator, returned, key = values
        return l2.ServiceNodeExit(origin, node_id, initiator, returned, key)
    liquidator, key = values  # SERVICE_NODE_LIQUIDATED
    return l2.ServiceNodeLiquidated(origin, node_id, liquidator, key)


def complete_seeded(seeded: SeededServiceNode, record: ServiceNodeRecord) -> l2.NewServiceNode:
    """The seeded node as a registration: contributors from its contract record, no fee, no
    Ed25519 signature, ``seeded=True``. The initiator is the node's operator (the event names
    no sender; the seeding transaction's sender is the contract owner, which says nothing about
    the node). ValueError if ``record`` is not this node's."""
    if record.bls_pubkey != seeded.bls_pubkey or record.ed25519_pubkey != seeded.ed25519_pubkey:
        raise ValueError(f"the record read is not seeded node {seeded.service_node_id}'s")
    return _seeded_node(seeded, record.operator, record.contributors)


def complete_seeded_from_call(seeded: SeededServiceNode, call_input: bytes) -> l2.NewServiceNode:
    """The seeded node with the contributors its ``seedPublicKeyList`` call gave it (what the
    contract stored: the operator is the first contributor). ValueError if the input is not
    such a call, or does not seed this node exactly once."""
    entries = [
        entry
        for entry in decode_seed_call(call_input)
        if entry.bls_pubkey == seeded.bls_pubkey and entry.ed25519_pubkey == seeded.ed25519_pubkey
    ]
    if len(entries) != 1 or not entries[0].contributors:
        raise ValueError(f"the transaction does not seed node {seeded.service_node_id} once")
    contributors = entries[0].contributors
    return _seeded_node(seeded, contributors[0].address, contributors)


def _seeded_node(
    seeded: SeededServiceNode, operator: str, contributors: tuple[Contributor, ...]
) -> l2.NewServiceNode:
    return l2.NewServiceNode(
        origin=seeded.origin,
        service_node_id=seeded.service_node_id,
        initiator=operator,
        bls_pubkey=seeded.bls_pubkey,
        ed25519_pubkey=seeded.ed25519_pubkey,
        ed25519_signature=b"",
        fee=0,
        contributors=contributors,
        seeded=True,
    )
