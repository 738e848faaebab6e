"""The genesis file: where a quorum chain starts, and the check every node makes of it.

A network chain made by quorums needs a quorum at its first block, so, like the Session Network
at the Landing hardfork, it starts from the rewards contract's *seeded* nodes
(``seedPublicKeyList``, before ``start()``). The genesis file names them and the L2 facts the
chain starts at: the chain and contract, one L2 block (number and hash), that block's
timestamp, the pool's ``rewardRate()`` and the contract's ``stakingRequirement()`` there. From
it every node builds the same genesis ledger (``Genesis.ledger``), and before joining it checks
the file against the L2 (``verify_genesis``): a file that names another block, another node
set, other keys or contributors, another rate is refused in one line.

Two halves:

* pure: ``SeededNode`` and ``Genesis`` (the values), their strict JSON form (``to_json``,
  ``from_json``, ``load_genesis``), the registration events the tracker reports for the seeded
  nodes (``Genesis.events``, so that event ids match exactly) and the genesis ledger;
* L2 reads, through the tracker's own code (``sesh.l2.tracker``): ``genesis_from_l2`` (what the
  devnet writes) and ``verify_genesis``.

The JSON form, version 1: hex with ``0x`` (a block hash 64 digits, an Ed25519 key 64, a BLS key
128: x then y, 32 bytes each, as the contract stores it), addresses as EIP-55 (lower case is
read too), amounts in atoms (10⁻⁹ SESH) as decimal strings (they outgrow a JavaScript number),
every other number an integer. Unknown and missing fields are refused. See
docs/operator-guide.md for an example.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesh.evm.addresses import checksum
from sesh.l2.errors import ChainIdMismatch
from sesh.l2.events import (
    MAX_UINT64,
    MAX_UINT256,
    Contributor,
    L2Event,
    L2Origin,
    NewServiceNode,
    normalize_address,
)
from sesh.l2.position import BlockRef
from sesh.l2.providers import L2Reader
from sesh.l2.tracker import Tracker, TrackerConfig
from sesh.ledger.genesis import GenesisError, genesis_ledger
from sesh.ledger.ledger import Ledger
from sesh.ledger.params import NetworkProfile
from sesh.units import format_amount

__all__ = [
    "GENESIS_VERSION",
    "Genesis",
    "GenesisError",
    "SeededNode",
    "genesis_from_l2",
    "load_genesis",
    "verify_genesis",
]

GENESIS_VERSION = 1
"""The version of the JSON form; a file of another version is refused."""


# -- the values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeededNode:
    """One seeded node as the genesis holds it: what the tracker reports of its registration."""

    service_node_id: int
    ed25519_pubkey: bytes
    """32 bytes."""
    bls_pubkey: tuple[int, int]
    """The contract's G1 point (x, y)."""
    contributors: tuple[Contributor, ...]
    """The first is the operator; addresses in events' spelling (lower case)."""
    origin: L2Origin
    """Where the tracker reports its ``NewSeededServiceNode``: chain, block, log index."""

    def __post_init__(self) -> None:
        where = f"seeded node {self.service_node_id}"
        _require(1 <= self.service_node_id <= MAX_UINT64, f"{where}: not a uint64 id above 0")
        _require(len(self.ed25519_pubkey) == 32, f"{where}: an Ed25519 key is 32 bytes")
        _require(
            len(self.bls_pubkey) == 2 and all(0 <= v <= MAX_UINT256 for v in self.bls_pubkey),
            f"{where}: a BLS key is two 256-bit words",
        )
        _require(bool(self.contributors), f"{where}: no contributors")
        contributors = []
        for c in self.contributors:
            _require(0 < c.amount <= MAX_UINT256, f"{where}: a contributor's amount is not a stake")
            try:
                address, beneficiary = (
                    normalize_address(c.address),
                    normalize_address(c.beneficiary),
                )
            except ValueError as error:
                raise GenesisError(f"{where}: {error}") from None
            contributors.append(Contributor(address, beneficiary, c.amount))
        object.__setattr__(self, "contributors", tuple(contributors))

    @classmethod
    def of(cls, event: NewServiceNode) -> SeededNode:
        """The seeded node a tracker's registration event reports."""
        if not event.seeded:
            raise GenesisError(f"node {event.service_node_id} is not a seeded registration")
        if event.ed25519_pubkey >> 256:
            raise GenesisError(f"seeded node {event.service_node_id}: an Ed25519 key is 32 bytes")
        return cls(
            event.service_node_id,
            event.ed25519_pubkey.to_bytes(32, "big"),
            event.bls_pubkey,
            event.contributors,
            event.origin,
        )

    @property
    def operator(self) -> str:
        return self.contributors[0].address

    def event(self) -> NewServiceNode:
        """Its registration as the tracker reports it (``sesh.l2.decode.complete_seeded``):
        the operator as initiator, no fee, no Ed25519 signature, ``seeded``."""
        return NewServiceNode(
            origin=self.origin,
            service_node_id=self.service_node_id,
            initiator=self.operator,
            bls_pubkey=self.bls_pubkey,
            ed25519_pubkey=int.from_bytes(self.ed25519_pubkey, "big"),
            ed25519_signature=b"",
            fee=0,
            contributors=self.contributors,
            seeded=True,
        )


@dataclass(frozen=True)
class Genesis:
    """Where a network chain starts: see the module docstring."""

    network: str
    """The network's profile name (``sesh.ledger.PROFILES``: devnet, testnet, mainnet)."""
    l2_chain_id: int
    rewards_contract: str
    """The ServiceNodeRewards proxy, EIP-55."""
    l2_block: BlockRef
    """The L2 block the chain starts at: every read below is at this block."""
    timestamp: int
    """That block's timestamp: the genesis block's time."""
    initial_reward_rate: int
    """The pool's ``rewardRate()`` at that block: what the first blocks pay."""
    staking_requirement: int
    """The contract's ``stakingRequirement()`` at that block."""
    seeded: tuple[SeededNode, ...]
    """In the order the tracker reports them (L2 block, then log index)."""

    def __post_init__(self) -> None:
        _require(bool(self.network), "the network has no name")
        _require(0 < self.l2_chain_id <= MAX_UINT256, "the L2 chain id is not a chain id")
        try:
            object.__setattr__(
                self, "rewards_contract", checksum(self.rewards_contract, "rewards_contract")
            )
        except ValueError as error:
            raise GenesisError(str(error)) from None
        _require(0 <= self.timestamp <= MAX_UINT64, "the timestamp does not fit 64 bits")
        _require(0 <= self.initial_reward_rate <= MAX_UINT256, "the reward rate is not an amount")
        _require(
            0 < self.staking_requirement <= MAX_UINT64, "the staking requirement is not a stake"
        )
        previous: tuple[int, int] | None = None
        seen_ids: set[int] = set()
        seen_keys: set[object] = set()
        for node in self.seeded:
            where = f"seeded node {node.service_node_id}"
            origin = node.origin
            _require(origin.chain_id == self.l2_chain_id, f"{where}: registered on another chain")
            _require(
                origin.block_number <= self.l2_block.number,
                f"{where}: registered after the genesis block",
            )
            place = (origin.block_number, origin.log_index)
            _require(previous is None or place > previous, f"{where}: not in L2 order")
            previous = place
            _require(node.service_node_id not in seen_ids, f"{where}: listed twice")
            keys = {node.ed25519_pubkey, node.bls_pubkey}
            _require(not keys & seen_keys, f"{where}: a key another seeded node has")
            seen_ids.add(node.service_node_id)
            seen_keys |= keys

    def events(self) -> tuple[NewServiceNode, ...]:
        """The seeded nodes' registrations exactly as the tracker reports them."""
        return tuple(node.event() for node in self.seeded)

    def ledger(self, profile: NetworkProfile) -> Ledger:
        """The genesis ledger (height 0): the seeded nodes active and payable, their events
        confirmed, the L2 height, time, rate and requirement of the genesis block."""
        if profile.name != self.network:
            raise GenesisError(f"the genesis is of network {self.network}, not {profile.name}")
        if profile.l2_chain_id != self.l2_chain_id:
            raise GenesisError(
                f"the genesis is on L2 chain {self.l2_chain_id}, network {profile.name} on "
                f"chain {profile.l2_chain_id}"
            )
        return genesis_ledger(
            profile,
            self.events(),
            height=0,
            l2_height=self.l2_block.number,
            timestamp=self.timestamp,
            initial_reward_rate=self.initial_reward_rate,
            staking_requirement=self.staking_requirement,
        )

    # -- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> str:
        """The file's text (see the module docstring)."""
        data = {
            "version": GENESIS_VERSION,
            "network": self.network,
            "l2_chain_id": self.l2_chain_id,
            "rewards_contract": self.rewards_contract,
            "l2_block": {"number": self.l2_block.number, "hash": _hex(self.l2_block.hash)},
            "timestamp": self.timestamp,
            "initial_reward_rate": str(self.initial_reward_rate),
            "staking_requirement": str(self.staking_requirement),
            "seeded": [_node_json(node) for node in self.seeded],
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Genesis:
        """The genesis in ``text``; ``GenesisError`` naming the field for anything but what
        ``to_json`` writes (a field missing or unknown, bad hex, a wrong length, a number where
        a string belongs, another version)."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise GenesisError(f"the genesis is not JSON ({error})") from None
        top = _object(data, "", _TOP_FIELDS)
        version = _int(top["version"], "version")
        if version != GENESIS_VERSION:
            raise GenesisError(f"genesis version {version}: this sesh reads {GENESIS_VERSION}")
        network = top["network"]
        if not isinstance(network, str) or not network:
            raise GenesisError("the genesis field network is not a name")
        chain_id = _int(top["l2_chain_id"], "l2_chain_id")
        block = _object(top["l2_block"], "l2_block", ("number", "hash"))
        nodes = top["seeded"]
        if not isinstance(nodes, list):
            raise GenesisError("the genesis field seeded is not a list")
        return cls(
            network=network,
            l2_chain_id=chain_id,
            rewards_contract=_address(top["rewards_contract"], "rewards_contract"),
            l2_block=BlockRef(
                _int(block["number"], "l2_block.number"),
                _bytes(block["hash"], "l2_block.hash", 32),
            ),
            timestamp=_int(top["timestamp"], "timestamp"),
            initial_reward_rate=_amount(top["initial_reward_rate"], "initial_reward_rate"),
            staking_requirement=_amount(top["staking_requirement"], "staking_requirement"),
            seeded=tuple(
                _node_from_json(node, f"seeded[{i}]", chain_id) for i, node in enumerate(nodes)
            ),
        )


def load_genesis(path: Path) -> Genesis:
    """The genesis file at ``path``; ``GenesisError`` (naming the file) if it cannot be read
    or is not a genesis."""
    try:
        text = path.read_text()
    except OSError as error:
        raise GenesisError(f"cannot read the genesis {path}: {error.strerror or error}") from None
    try:
        return Genesis.from_json(text)
    except GenesisError as error:
        raise GenesisError(f"{path}: {error}") from None


# -- the JSON form, strictly --------------------------------------------------------------------

_TOP_FIELDS = (
    "version",
    "network",
    "l2_chain_id",
    "rewards_contract",
    "l2_block",
    "timestamp",
    "initial_reward_rate",
    "staking_requirement",
    "seeded",
)
_NODE_FIELDS = ("service_node_id", "ed25519_pubkey", "bls_pubkey", "contributors", "origin")
_CONTRIBUTOR_FIELDS = ("address", "beneficiary", "amount")
_ORIGIN_FIELDS = ("block_number", "block_hash", "log_index")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise GenesisError(message)


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _node_json(node: SeededNode) -> dict[str, Any]:
    origin = node.origin
    return {
        "service_node_id": node.service_node_id,
        "ed25519_pubkey": _hex(node.ed25519_pubkey),
        "bls_pubkey": _hex(b"".join(v.to_bytes(32, "big") for v in node.bls_pubkey)),
        "contributors": [
            {
                "address": checksum(c.address),
                "beneficiary": checksum(c.beneficiary),
                "amount": str(c.amount),
            }
            for c in node.contributors
        ],
        "origin": {
            "block_number": origin.block_number,
            "block_hash": _hex(origin.block_hash),
            "log_index": origin.log_index,
        },
    }


def _node_from_json(value: object, where: str, chain_id: int) -> SeededNode:
    node = _object(value, where, _NODE_FIELDS)
    contributors = node["contributors"]
    if not isinstance(contributors, list):
        raise GenesisError(f"the genesis field {where}.contributors is not a list")
    origin = _object(node["origin"], f"{where}.origin", _ORIGIN_FIELDS)
    bls = _bytes(node["bls_pubkey"], f"{where}.bls_pubkey", 64)
    return SeededNode(
        service_node_id=_int(node["service_node_id"], f"{where}.service_node_id"),
        ed25519_pubkey=_bytes(node["ed25519_pubkey"], f"{where}.ed25519_pubkey", 32),
        bls_pubkey=(int.from_bytes(bls[:32], "big"), int.from_bytes(bls[32:], "big")),
        contributors=tuple(
            _contributor(c, f"{where}.contributors[{i}]") for i, c in enumerate(contributors)
        ),
        origin=L2Origin(
            chain_id,
            _int(origin["block_number"], f"{where}.origin.block_number"),
            _bytes(origin["block_hash"], f"{where}.origin.block_hash", 32),
            _int(origin["log_index"], f"{where}.origin.log_index"),
        ),
    )


def _contributor(value: object, where: str) -> Contributor:
    fields = _object(value, where, _CONTRIBUTOR_FIELDS)
    return Contributor(
        _address(fields["address"], f"{where}.address"),
        _address(fields["beneficiary"], f"{where}.beneficiary"),
        _amount(fields["amount"], f"{where}.amount"),
    )


def _object(value: object, where: str, fields: tuple[str, ...]) -> Mapping[str, Any]:
    what = f"the genesis field {where}" if where else "the genesis"
    if not isinstance(value, dict):
        raise GenesisError(f"{what} is not a JSON object")
    prefix = f"{where}." if where else ""
    for name in value:
        if name not in fields:
            raise GenesisError(f"the genesis has an unknown field {prefix}{name}")
    for name in fields:
        if name not in value:
            raise GenesisError(f"the genesis field {prefix}{name} is missing")
    return value


def _int(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_UINT256:
        raise GenesisError(f"the genesis field {where} is not a whole number: {value!r:.80}")
    return value


def _amount(value: object, where: str) -> int:
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value) or len(value) > 78:
        raise GenesisError(
            f"the genesis field {where} is not an amount in atoms as a decimal string: "
            f"{value!r:.80}"
        )
    return int(value)


def _bytes(value: object, where: str, length: int) -> bytes:
    digits = 2 * length
    if not isinstance(value, str) or not re.fullmatch(f"0x[0-9a-fA-F]{{{digits}}}", value):
        raise GenesisError(
            f"the genesis field {where} is not 0x and {digits} hex digits: {value!r:.80}"
        )
    return bytes.fromhex(value[2:])


def _address(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise GenesisError(f"the genesis field {where} is not an address: {value!r:.80}")
    try:
        return checksum(value, f"the genesis field {where}")
    except ValueError as error:
        raise GenesisError(str(error)) from None


# -- reading and checking it on L2 --------------------------------------------------------------


def genesis_from_l2(
    source: Tracker | L2Reader,
    *,
    network: str,
    chain_id: int,
    rewards_contract: str,
    block: int,
    first_block: int = 0,
) -> Genesis:
    """The genesis at L2 block ``block``: the contract's nodes there, each a seeded registration
    the tracker reports in blocks ``first_block``…``block`` (a registered one is refused: a
    genesis holds seeded nodes only), and the block's time, rate and requirement.

    ``source`` is a tracker of that chain and contract, or one provider. ``GenesisError``
    when the L2 cannot give a genesis there; the tracker's errors (``sesh.l2.errors``) when it
    cannot be read now."""
    tracker = _tracker(source, chain_id, rewards_contract)
    with _on_chain(chain_id):
        (ref,) = tracker.blocks([block])
        if ref is None:
            raise GenesisError(f"the L2 has no block {block} yet")
        timestamp = tracker.block_timestamp(ref)
        listed = tracker.contract_nodes(ref)
        events = tracker.events_in(first_block, block, ref)
        rate = tracker.reward_rate(ref)
        requirement = tracker.staking_requirement(ref)
    seeded = [
        SeededNode.of(event)
        for event in events
        if isinstance(event, NewServiceNode)
        and event.seeded
        and listed.get(event.service_node_id) == event.bls_pubkey
    ]
    others = sorted(set(listed) - {node.service_node_id for node in seeded})
    if others:
        raise GenesisError(
            f"node {others[0]} is on the contract at block {block} but was not seeded in "
            f"blocks {first_block}…{block}: a genesis holds seeded nodes only"
        )
    return Genesis(
        network=network,
        l2_chain_id=chain_id,
        rewards_contract=rewards_contract,
        l2_block=ref,
        timestamp=timestamp,
        initial_reward_rate=rate,
        staking_requirement=requirement,
        seeded=tuple(seeded),
    )


def verify_genesis(genesis: Genesis, source: Tracker | L2Reader) -> None:
    """Check ``genesis`` against the L2; ``GenesisError``, one line, at the first thing the L2
    says otherwise: the chain id; the block hash at the genesis block's number and its
    timestamp; the contract's node list at that block (ids and BLS keys) against the seeded
    set; each seeded registration as the tracker reports it (its place, Ed25519 key and
    contributors, read with ``serviceNodes(id)`` at that block); ``rewardRate()`` and
    ``stakingRequirement()`` there.

    ``source`` is a tracker of the genesis's chain and contract, or one provider. When the L2
    cannot be read now, the tracker's errors (``AllProvidersFailed``, ``ChainMoved``): try
    again."""
    tracker = _tracker(source, genesis.l2_chain_id, genesis.rewards_contract)
    number = genesis.l2_block.number
    with _on_chain(genesis.l2_chain_id):
        tracker.check_chain()
        (ref,) = tracker.blocks([number])
        if ref is None:
            raise GenesisError(f"l2_block: the L2 has no block {number} yet")
        if ref.hash != genesis.l2_block.hash:
            raise GenesisError(
                f"l2_block: block {number} on the L2 is {_hex(ref.hash)}, the genesis names "
                f"{_hex(genesis.l2_block.hash)}"
            )
        timestamp = tracker.block_timestamp(ref)
        _same("timestamp", f"block {number}'s time", timestamp, genesis.timestamp)
        _check_node_list(genesis, tracker.contract_nodes(ref))
        reported: dict[tuple[int, int], L2Event] = {}
        for origin_block in sorted({node.origin.block_number for node in genesis.seeded}):
            for event in tracker.events_in(origin_block, origin_block, ref):
                reported[(origin_block, event.origin.log_index)] = event
        for index, node in enumerate(genesis.seeded):
            origin = node.origin
            _check_node(
                f"seeded[{index}]", node, reported.get((origin.block_number, origin.log_index))
            )
        rate = tracker.reward_rate(ref)
        _same("initial_reward_rate", "rewardRate()", rate, genesis.initial_reward_rate)
        requirement = tracker.staking_requirement(ref)
        _same(
            "staking_requirement", "stakingRequirement()", requirement, genesis.staking_requirement
        )


def _tracker(source: Tracker | L2Reader, chain_id: int, contract: str) -> Tracker:
    if not isinstance(source, Tracker):
        return Tracker(source, TrackerConfig(chain_id, contract, confirmations=0))
    config = source.config
    if config.chain_id != chain_id:
        raise GenesisError(
            f"l2_chain_id: the genesis is on chain {chain_id}, the tracker follows chain "
            f"{config.chain_id}"
        )
    if config.rewards_contract != normalize_address(contract):
        raise GenesisError(
            f"rewards_contract: the genesis names {checksum(contract)}, the tracker follows "
            f"{checksum(config.rewards_contract)}"
        )
    return source


@contextmanager
def _on_chain(chain_id: int) -> Iterator[None]:
    """A provider on another chain is the L2 saying no to the genesis's chain id."""
    try:
        yield
    except ChainIdMismatch as error:
        raise GenesisError(
            f"l2_chain_id: the genesis is on chain {chain_id}, but the L2 provider "
            f"{error.provider} serves chain {error.actual}"
        ) from None


def _same(field: str, what: str, on_l2: int, in_genesis: int) -> None:
    if on_l2 != in_genesis:
        raise GenesisError(
            f"{field}: the L2 has {what} = {on_l2} at the genesis block, the genesis says "
            f"{in_genesis}"
        )


def _bls_hex(key: tuple[int, int]) -> str:
    return "0x" + "".join(f"{v:064x}" for v in key)


def _check_node_list(genesis: Genesis, listed: Mapping[int, tuple[int, int]]) -> None:
    number = genesis.l2_block.number
    expected = {node.service_node_id: node.bls_pubkey for node in genesis.seeded}
    for node_id in sorted(set(listed) | set(expected)):
        if node_id not in expected:
            raise GenesisError(
                f"seeded: node {node_id} is on the contract at block {number} but not in the "
                "genesis"
            )
        if node_id not in listed:
            raise GenesisError(
                f"seeded: node {node_id} of the genesis is not on the contract at block {number}"
            )
        if listed[node_id] != expected[node_id]:
            raise GenesisError(
                f"seeded: node {node_id}'s BLS key on the contract is {_bls_hex(listed[node_id])}, "
                f"the genesis names {_bls_hex(expected[node_id])}"
            )


def _contributors_text(contributors: tuple[Contributor, ...]) -> str:
    return ", ".join(
        f"{checksum(c.address)} {format_amount(c.amount)}"
        + ("" if c.beneficiary == c.address else f" (rewards to {checksum(c.beneficiary)})")
        for c in contributors
    )


def _check_node(where: str, node: SeededNode, reported: L2Event | None) -> None:
    """The seeded node against the event the tracker reports at its origin."""
    origin = node.origin
    place = f"block {origin.block_number}, log {origin.log_index}"
    where = f"{where} (node {node.service_node_id})"
    if not isinstance(reported, NewServiceNode) or not reported.seeded:
        raise GenesisError(f"{where}: the L2 has no seeded registration at {place}")
    if reported.origin.block_hash != origin.block_hash:
        raise GenesisError(
            f"{where}: block {origin.block_number} on the L2 is "
            f"{_hex(reported.origin.block_hash)}, the genesis names {_hex(origin.block_hash)}"
        )
    actual = SeededNode.of(reported)
    shown = (
        ("id", str(actual.service_node_id), str(node.service_node_id)),
        ("BLS key", _bls_hex(actual.bls_pubkey), _bls_hex(node.bls_pubkey)),
        ("Ed25519 key", _hex(actual.ed25519_pubkey), _hex(node.ed25519_pubkey)),
        (
            "contributors",
            _contributors_text(actual.contributors),
            _contributors_text(node.contributors),
        ),
    )
    for what, on_l2, in_genesis in shown:
        if on_l2 != in_genesis:
            raise GenesisError(
                f"{where}: the L2 registration at {place} has {what} {on_l2}, the genesis "
                f"{in_genesis}"
            )
    if reported != node.event():
        raise GenesisError(f"{where}: the L2 registration at {place} differs from the genesis")
