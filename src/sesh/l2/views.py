"""The contract reads the tracker makes: call data out, checked values back. Pure.

* ``serviceNodes(uint64)`` on ServiceNodeRewards: a node's record, for the contributors of a
  seeded node (its event has none);
* ``serviceNodeIDsPage(uint64,uint256)``: the node list, a page at a time, for the purge check;
* ``foundationPool()``: where the reward rate pool is, when the configuration does not say;
* the input of a ``seedPublicKeyList`` call: a seeded node's contributors once the node has
  left the contract (its record is gone at the safe block);
* ``rewardRate()`` on RewardRatePool (selector 0x7b0a47ee, as the reference node reads it).

Every answer is decoded strictly (``sesh.l2.abi``); a malformed one raises
``MalformedAnswer``, which makes the tracker try another provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from sesh.keccak import keccak256
from sesh.l2.abi import AbiDecodeError, decode
from sesh.l2.errors import MalformedAnswer
from sesh.l2.events import Contributor

SERVICE_NODES = "serviceNodes(uint64)"
SERVICE_NODE_IDS_PAGE = "serviceNodeIDsPage(uint64,uint256)"
FOUNDATION_POOL = "foundationPool()"
REWARD_RATE = "rewardRate()"
STAKING_REQUIREMENT = "stakingRequirement()"
SIGNATURE_EXPIRY = "signatureExpiry()"

SEED_NODES_TYPE = "((uint256,uint256),uint256,uint256,((address,address),uint256)[])[]"
SEED_PUBLIC_KEY_LIST = f"seedPublicKeyList({SEED_NODES_TYPE})"

PAGE_SIZE = 1_000
"""The most nodes ``serviceNodeIDsPage`` returns per call (the contract's PAGE_BOUND)."""

SERVICE_NODE_TYPE = (
    "(uint64,uint64,address,(uint256,uint256),uint256,uint256,uint256,uint256,"
    "((address,address),uint256)[],uint256)"
)
PAGE_TYPES = ("uint64[]", "(uint256,uint256)[]", "uint64")


def selector(signature: str) -> bytes:
    return keccak256(signature.encode())[:4]


def call_data(signature: str, *args: int) -> bytes:
    """A call of ``signature`` whose arguments are all unsigned integers."""
    return selector(signature) + b"".join(arg.to_bytes(32, "big") for arg in args)


@dataclass(frozen=True, slots=True)
class ServiceNodeRecord:
    """What ``serviceNodes(id)`` returns (all zero for an id that names no node)."""

    next: int
    prev: int
    operator: str
    bls_pubkey: tuple[int, int]
    added_timestamp: int
    leave_request_timestamp: int
    latest_leave_request_timestamp: int
    deposit: int
    contributors: tuple[Contributor, ...]
    ed25519_pubkey: int

    @property
    def exists(self) -> bool:
        return self.bls_pubkey != (0, 0)


def _decode(types: tuple[str, ...], data: bytes, what: str) -> tuple[object, ...]:
    try:
        return decode(types, data)
    except AbiDecodeError as error:
        raise MalformedAnswer(f"{what}: {error}") from None


def decode_service_node(data: bytes) -> ServiceNodeRecord:
    (record,) = _decode((SERVICE_NODE_TYPE,), data, SERVICE_NODES)
    assert isinstance(record, tuple)
    next_, prev, operator, key, added, leave, latest_leave, deposit, stakers, ed25519 = record
    return ServiceNodeRecord(
        next=next_,
        prev=prev,
        operator=operator,
        bls_pubkey=key,
        added_timestamp=added,
        leave_request_timestamp=leave,
        latest_leave_request_timestamp=latest_leave,
        deposit=deposit,
        contributors=tuple(
            Contributor(address, beneficiary, amount) for (address, beneficiary), amount in stakers
        ),
        ed25519_pubkey=ed25519,
    )


def decode_ids_page(data: bytes) -> tuple[list[tuple[int, tuple[int, int]]], int]:
    """(the page's (id, key) pairs, the id the next page starts from; 0 at the end)."""
    ids, keys, next_id = _decode(PAGE_TYPES, data, SERVICE_NODE_IDS_PAGE)
    assert isinstance(ids, list) and isinstance(keys, list) and isinstance(next_id, int)
    if len(ids) != len(keys):
        raise MalformedAnswer(f"{SERVICE_NODE_IDS_PAGE}: {len(ids)} ids but {len(keys)} keys")
    return list(zip(ids, keys, strict=True)), next_id


@dataclass(frozen=True, slots=True)
class SeedEntry:
    """One node of a ``seedPublicKeyList`` call."""

    bls_pubkey: tuple[int, int]
    ed25519_pubkey: int
    added_timestamp: int
    contributors: tuple[Contributor, ...]


def decode_seed_call(call_input: bytes) -> list[SeedEntry]:
    """The nodes a ``seedPublicKeyList`` call's input seeds; ValueError for another call."""
    if call_input[:4] != selector(SEED_PUBLIC_KEY_LIST):
        raise ValueError("not a seedPublicKeyList call")
    (nodes,) = _decode((SEED_NODES_TYPE,), call_input[4:], SEED_PUBLIC_KEY_LIST)
    assert isinstance(nodes, list)
    return [
        SeedEntry(
            bls_pubkey=key,
            ed25519_pubkey=ed25519,
            added_timestamp=added,
            contributors=tuple(Contributor(a, b, amount) for (a, b), amount in stakers),
        )
        for key, ed25519, added, stakers in nodes
    ]


def decode_uint256(data: bytes, what: str) -> int:
    (value,) = _decode(("uint256",), data, what)
    assert isinstance(value, int)
    return value


def decode_address(data: bytes, what: str) -> str:
    (value,) = _decode(("address",), data, what)
    assert isinstance(value, str)
    return value
