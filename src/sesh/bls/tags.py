"""Domain tags: what binds every signature to one chain and one rewards contract.

ServiceNodeRewards builds five tags once, in ``initialize``, from the chain id and its own
(proxy) address. A signature made for another chain or another contract hashes to another point,
so it cannot be replayed there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sesh.bls.errors import InvalidEncoding
from sesh.bls.params import (
    EXIT_TAG_BASE,
    HASH_TO_FIELD_TAG_BASE,
    LIQUIDATE_TAG_BASE,
    POP_TAG_BASE,
    REWARD_TAG_BASE,
)
from sesh.keccak import keccak256 as keccak256  # re-exported: sesh.bls.keccak256


def address_bytes(address: str | bytes) -> bytes:
    """A 20-byte address from bytes or a 0x-hex string (checksummed or not)."""
    if isinstance(address, bytes):
        raw = address
    else:
        body = address[2:] if address[:2] in ("0x", "0X") else address
        try:
            raw = bytes.fromhex(body)
        except ValueError as exc:
            raise InvalidEncoding(f"address {address!r} is not hexadecimal") from exc
    if len(raw) != 20:
        raise InvalidEncoding(f"an address is 20 bytes, got {len(raw)}")
    return raw


def build_tag(base: str, chain_id: int, contract: str | bytes) -> bytes:
    """keccak256(ascii(base) ‖ chain id as a 32-byte word ‖ contract address), the contract's
    ``buildTag``."""
    if not 0 <= chain_id < 2**256:
        raise InvalidEncoding("chain id must fit in 256 bits")
    return keccak256(base.encode("ascii") + chain_id.to_bytes(32, "big") + address_bytes(contract))


@dataclass(frozen=True, slots=True)
class DomainTags:
    """The five tags of one deployment of ServiceNodeRewards (its public getters)."""

    proof_of_possession: bytes
    reward: bytes
    exit: bytes
    liquidate: bytes
    #: The 32-byte DST of the hash to G2 (``hashToG2Tag``).
    hash_to_g2: bytes

    @classmethod
    def for_contract(cls, chain_id: int, contract: str | bytes) -> DomainTags:
        return cls(
            proof_of_possession=build_tag(POP_TAG_BASE, chain_id, contract),
            reward=build_tag(REWARD_TAG_BASE, chain_id, contract),
            exit=build_tag(EXIT_TAG_BASE, chain_id, contract),
            liquidate=build_tag(LIQUIDATE_TAG_BASE, chain_id, contract),
            hash_to_g2=build_tag(HASH_TO_FIELD_TAG_BASE, chain_id, contract),
        )
