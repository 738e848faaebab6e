"""The byte strings that nodes sign, laid out as the contract's ``abi.encodePacked`` lays them.

Numbers are 32-byte big-endian words, addresses 20 bytes, with no length prefixes. Each message
starts with its domain tag, so a reward signature can never pass as an exit, and so on.
"""

from __future__ import annotations

from sesh.bls.errors import InvalidEncoding
from sesh.bls.points import G1Point
from sesh.bls.tags import DomainTags, address_bytes


def _uint256(value: int, what: str) -> bytes:
    if not isinstance(value, int) or not 0 <= value < 2**256:
        raise InvalidEncoding(f"{what} must be an integer in [0, 2^256)")
    return value.to_bytes(32, "big")


def proof_of_possession_message(
    tags: DomainTags, public_key: G1Point, operator: str | bytes, ed25519_pubkey: int | bytes
) -> bytes:
    """popTag ‖ X ‖ Y ‖ operator ‖ ed25519 key (148 bytes), signed at registration.

    ``operator`` is the first contributor (the human operator for a contribution contract, the
    lock's address for a vesting contract).
    """
    if isinstance(ed25519_pubkey, bytes):
        if len(ed25519_pubkey) != 32:
            raise InvalidEncoding("an Ed25519 public key is 32 bytes")
        ed25519_pubkey = int.from_bytes(ed25519_pubkey, "big")
    return (
        tags.proof_of_possession
        + public_key.to_bytes()
        + address_bytes(operator)
        + _uint256(ed25519_pubkey, "ed25519 public key")
    )


def reward_message(tags: DomainTags, recipient: str | bytes, lifetime_rewards: int) -> bytes:
    """rewardTag ‖ recipient ‖ lifetime rewards (84 bytes): the cumulative total, never a delta,
    so an old signature can never be replayed for more."""
    return tags.reward + address_bytes(recipient) + _uint256(lifetime_rewards, "rewards")


def exit_message(tags: DomainTags, public_key: G1Point, timestamp: int) -> bytes:
    """exitTag ‖ X ‖ Y ‖ timestamp (128 bytes); refused after ``signatureExpiry``."""
    return tags.exit + public_key.to_bytes() + _uint256(timestamp, "timestamp")


def liquidate_message(tags: DomainTags, public_key: G1Point, timestamp: int) -> bytes:
    """liquidateTag ‖ X ‖ Y ‖ timestamp (128 bytes)."""
    return tags.liquidate + public_key.to_bytes() + _uint256(timestamp, "timestamp")
