"""The one event the network makes itself: `ServiceNodePurge`.

The contract never says "this node is gone" when its registration was undone by an L2 reorg, or
when the network missed the node's exit: the key is simply absent from `allServiceNodeIDs()`.
Producers compare that list (fetched at a fixed L2 height) with the ledger and propose a purge
for every registered node whose key is missing; the network votes on it like on an L2 event
(each producer re-checks against its own copy of the list), and a confirmed purge deletes the
node without paying back its stake (the contract holds no stake for it).

It lives here rather than in `sesh.l2.events` because no contract emits it; its encoding uses
kind byte 6, after the five contract events, so the two id spaces never meet.
"""

from __future__ import annotations

from dataclasses import dataclass

from sesh.keccak import keccak256
from sesh.l2.events import (
    L2Event,
    NewServiceNode,
    ServiceNodeExit,
    ServiceNodeExitRequest,
    StakingRequirementUpdated,
)

PURGE_KIND = 6


@dataclass(frozen=True, slots=True)
class ServiceNodePurge:
    """Remove a registered node whose BLS key the contract no longer lists (node.md §1.4)."""

    chain_id: int
    l2_height: int
    """The L2 height of the contract key list the purge was derived from."""
    bls_pubkey: tuple[int, int]

    def encode(self) -> bytes:
        return (
            bytes([PURGE_KIND])
            + self.chain_id.to_bytes(32, "big")
            + self.l2_height.to_bytes(32, "big")
            + self.bls_pubkey[0].to_bytes(32, "big")
            + self.bls_pubkey[1].to_bytes(32, "big")
        )


PendingItem = L2Event | ServiceNodePurge
"""What a block may propose for confirmation."""

ACTED_ON = (
    NewServiceNode,
    ServiceNodeExitRequest,
    ServiceNodeExit,
    StakingRequirementUpdated,
    ServiceNodePurge,
)
"""The kinds the ledger acts on. `ServiceNodeLiquidated` is not among them: the slash is read
from the `ServiceNodeExit` the contract emits in the same transaction."""


def item_id(item: PendingItem) -> bytes:
    """The identity the network orders and votes by: keccak256 of the canonical encoding (the
    same as `sesh.l2.events.event_id` for contract events)."""
    return keccak256(item.encode())


def item_l2_height(item: PendingItem) -> int:
    """The L2 block the item comes from."""
    if isinstance(item, ServiceNodePurge):
        return item.l2_height
    return item.origin.block_number


def item_chain_id(item: PendingItem) -> int:
    if isinstance(item, ServiceNodePurge):
        return item.chain_id
    return item.origin.chain_id
