"""Node keys as the contract tests hold them, and what they sign: proofs of possession and the
network's signature (one signature by the sum of the signers' secret keys, which is what
aggregating every signer's share gives)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sesh.bls import DomainTags, G1Point, SecretKey, proof_of_possession_message
from sesh.bls.params import R as CURVE_ORDER


@dataclass
class Node:
    """A node's keys, as its operator holds them, and its id once registered."""

    secret: SecretKey
    ed25519: int
    id: int = 0

    @property
    def pubkey(self) -> G1Point:
        return self.secret.public_key()

    @property
    def xy(self) -> tuple[int, int]:
        return self.pubkey.to_contract()

    def params(self, fee: int = 0) -> tuple[int, int, int, int]:
        """ServiceNodeParams: the Ed25519 key, a (not checked) signature, the fee."""
        return (self.ed25519, 1, 2, fee)


class Keyed(Protocol):
    """What the network's signature and the exits need of a node: its id and its BLS keys."""

    id: int

    @property
    def secret(self) -> SecretKey: ...

    @property
    def xy(self) -> tuple[int, int]: ...


def node_maker(secret_base: int, step: int, ed25519_base: int) -> Callable[[], Node]:
    """``fresh_node()``: a node with keys never used before in this test session (the n-th
    from 1: secret ``secret_base + step·n``, Ed25519 key ``ed25519_base + n``). Each test package
    makes its own, with its own constants."""
    counter = itertools.count(1)

    def fresh_node() -> Node:
        n = next(counter)
        return Node(SecretKey.from_int(secret_base + step * n), ed25519=ed25519_base + n)

    return fresh_node


def pop(tags: DomainTags, node: Node, operator: str) -> tuple[int, int, int, int]:
    """The node's proof of possession for ``operator``."""
    message = proof_of_possession_message(tags, node.pubkey, operator, node.ed25519)
    return node.secret.sign(message, tags.hash_to_g2).to_contract()


def network_signature(
    tags: DomainTags, nodes: Iterable[Keyed], message: bytes
) -> tuple[int, int, int, int]:
    """The signature of every node in ``nodes`` together (no non-signers)."""
    total = sum(n.secret.scalar for n in nodes) % CURVE_ORDER
    return SecretKey.from_int(total).sign(message, tags.hash_to_g2).to_contract()
