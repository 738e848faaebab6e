"""The rewards contract's events as the network sees them: plain values, no I/O.

The tracker (`sesh.l2.tracker`) turns logs into these; the ledger (`sesh.ledger`) decides what
they do to the network's state once the network has confirmed them. Both sides only need this
module, so the ledger never sees web3, JSON-RPC or log formats.

Every event carries its `L2Origin`: the chain, the block (number and hash) and the position of
the log in that block. Two occurrences of the same contract event are different events if they
sit in different blocks (after a reorg the re-mined one is a new event and the old one is denied
by the network). `event_id` is a keccak256 of a canonical byte encoding, identical on every
machine: the network orders pending events by it and votes on them by it.

Addresses are checksum-free lowercase "0x…" strings (one spelling, so equal addresses compare
equal); keys and amounts are ints. Amounts are in atomic SESH units (10**-9 SESH).
"""

from __future__ import annotations

from dataclasses import dataclass

from sesh.keccak import keccak256

MAX_UINT64 = 2**64 - 1
MAX_UINT256 = 2**256 - 1


def normalize_address(address: str | bytes) -> str:
    """The one spelling of an address used in events: lowercase hex with 0x."""
    if isinstance(address, bytes):
        if len(address) != 20:
            raise ValueError(f"an address is 20 bytes, got {len(address)}")
        return "0x" + address.hex()
    body = address[2:] if address[:2] in ("0x", "0X") else address
    if len(body) != 40:
        raise ValueError(f"an address is 40 hex digits, got {address!r}")
    int(body, 16)  # raises ValueError when not hex
    return "0x" + body.lower()


def _word(value: int) -> bytes:
    if not 0 <= value <= MAX_UINT256:
        raise ValueError(f"{value} does not fit 32 bytes")
    return value.to_bytes(32, "big")


def _address(value: str) -> bytes:
    return bytes.fromhex(value[2:])


@dataclass(frozen=True, slots=True)
class L2Origin:
    """Where an event happened: chain, block and the log's index within the block."""

    chain_id: int
    block_number: int
    block_hash: bytes
    log_index: int

    def encode(self) -> bytes:
        if len(self.block_hash) != 32:
            raise ValueError("a block hash is 32 bytes")
        head = _word(self.chain_id) + _word(self.block_number)
        return head + self.block_hash + _word(self.log_index)


@dataclass(frozen=True, slots=True)
class Contributor:
    """One staker of a node: who staked, who receives the rewards, and how much."""

    address: str
    beneficiary: str
    amount: int

    def encode(self) -> bytes:
        return _address(self.address) + _address(self.beneficiary) + _word(self.amount)


@dataclass(frozen=True, slots=True)
class NewServiceNode:
    """`NewServiceNodeV2`, or `NewSeededServiceNode` completed with `serviceNodes(id)`.

    A seeded node's event has no contributors, fee or Ed25519 signature: the tracker reads the
    contributors from the contract, and `seeded` tells the ledger that there is no signature
    to check.
    """

    origin: L2Origin
    service_node_id: int
    initiator: str
    bls_pubkey: tuple[int, int]
    ed25519_pubkey: int
    ed25519_signature: bytes
    """64 bytes (the contract's two words); empty for a seeded node."""
    fee: int
    """Operator fee in 1/100 of a percent (0..10,000)."""
    contributors: tuple[Contributor, ...]
    seeded: bool = False

    def encode(self) -> bytes:
        return (
            b"\x01"
            + self.origin.encode()
            + _word(self.service_node_id)
            + _address(self.initiator)
            + _word(self.bls_pubkey[0])
            + _word(self.bls_pubkey[1])
            + _word(self.ed25519_pubkey)
            + len(self.ed25519_signature).to_bytes(1, "big")
            + self.ed25519_signature
            + _word(self.fee)
            + len(self.contributors).to_bytes(1, "big")
            + b"".join(c.encode() for c in self.contributors)
            + (b"\x01" if self.seeded else b"\x00")
        )


@dataclass(frozen=True, slots=True)
class ServiceNodeExitRequest:
    """`ServiceNodeExitRequest`: a contributor asked to leave; the unlock period starts."""

    origin: L2Origin
    service_node_id: int
    initiator: str
    bls_pubkey: tuple[int, int]

    def encode(self) -> bytes:
        return (
            b"\x02"
            + self.origin.encode()
            + _word(self.service_node_id)
            + _address(self.initiator)
            + _word(self.bls_pubkey[0])
            + _word(self.bls_pubkey[1])
        )


@dataclass(frozen=True, slots=True)
class ServiceNodeExit:
    """`ServiceNodeExit`: the node left the contract. A liquidation emits this too, with a
    `returned_amount` below the staking requirement: the difference is the slash."""

    origin: L2Origin
    service_node_id: int
    initiator: str
    returned_amount: int
    bls_pubkey: tuple[int, int]

    def encode(self) -> bytes:
        return (
            b"\x03"
            + self.origin.encode()
            + _word(self.service_node_id)
            + _address(self.initiator)
            + _word(self.returned_amount)
            + _word(self.bls_pubkey[0])
            + _word(self.bls_pubkey[1])
        )


@dataclass(frozen=True, slots=True)
class ServiceNodeLiquidated:
    """`ServiceNodeLiquidated`: who liquidated which node (its `ServiceNodeExit` follows in
    the same transaction and carries the amounts)."""

    origin: L2Origin
    service_node_id: int
    liquidator: str
    bls_pubkey: tuple[int, int]

    def encode(self) -> bytes:
        return (
            b"\x04"
            + self.origin.encode()
            + _word(self.service_node_id)
            + _address(self.liquidator)
            + _word(self.bls_pubkey[0])
            + _word(self.bls_pubkey[1])
        )


@dataclass(frozen=True, slots=True)
class StakingRequirementUpdated:
    """`StakingRequirementUpdated`: the stake a new node needs from now on."""

    origin: L2Origin
    new_requirement: int

    def encode(self) -> bytes:
        return b"\x05" + self.origin.encode() + _word(self.new_requirement)


L2Event = (
    NewServiceNode
    | ServiceNodeExitRequest
    | ServiceNodeExit
    | ServiceNodeLiquidated
    | StakingRequirementUpdated
)
"""Every event the network acts on."""


def event_id(event: L2Event) -> bytes:
    """The event's identity on every machine: keccak256 of its canonical encoding."""
    return keccak256(event.encode())
