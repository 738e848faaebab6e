"""`bls_rewards_request`: the network's signature over an address's reward balance.

The node reads its own ledger at the finalised (immutable) height (a cumulative balance signed
on a block a fork later drops could exceed the final one, and the contract would accept it for
good), asks every node it knows to sign the same balance there (`NetworkNode.ask`, at most
`DEADLINE` seconds), keeps the answers for exactly that amount, and aggregates them against the
contract's node list now (`sesh.aggregator`). The result is cached until the next finalised
block. Errors are `RpcError`s a person can act on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sesh.aggregator.aggregate import AggregationError, Share, aggregate
from sesh.aggregator.messages import Kind, SignRequest, Status
from sesh.bls import G1Point, reward_message
from sesh.l2.errors import L2Error
from sesh.ledger.queries import reward_balance
from sesh.node.network import NetworkNode
from sesh.node.rpc_methods import NOT_FOUND, UNAVAILABLE, RpcError
from sesh.node.signing import Signer, next_request_id

log = logging.getLogger("sesh.node")

DEADLINE = 5.0
"""Seconds the nodes have to answer (the reference's; its liquidator waits 20 s in all)."""


@dataclass
class Claims:
    """The node's side of `bls_rewards_request` (see the module docstring)."""

    node: NetworkNode
    signer: Signer
    contract_nodes: Callable[[], Mapping[int, tuple[int, int]]]
    """The contract's node list at L2's latest block: id → BLS key."""
    deadline: float = DEADLINE
    _cache: dict[tuple[bytes, int], dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def rewards(self, address: bytes, height: int | None) -> dict[str, Any]:
        with self.node.lock:
            chain = self.node.chain
            final = chain.immutable_height()
            wanted = final if height is None or height <= 0 else height
            if height is not None and height <= 0:
                wanted = final + height
            if wanted > final:
                raise RpcError(
                    UNAVAILABLE,
                    f"height {wanted} is not final yet: balances are signed at "
                    f"the finalised height ({final})",
                )
            amount = _balance(chain, address, wanted)
        key = (address, wanted)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        if amount == 0:
            raise RpcError(NOT_FOUND, f"0x{address.hex()} has no rewards at height {wanted}")
        request = SignRequest(next_request_id(), Kind.REWARDS, address=address, height=wanted)
        answers = self.node.ask(request, self.deadline)
        keys = self._bls_keys()
        shares = [
            Share(node, keys[node], answer.signature)
            for node, answer in answers.items()
            if answer.status is Status.SIGNED and answer.amount == amount and node in keys
        ]
        try:
            listed = self.contract_nodes()
        except L2Error as error:
            raise RpcError(UNAVAILABLE, f"cannot read the contract's node list: {error}") from None
        message = reward_message(self.signer.tags, address, amount)
        try:
            result = aggregate(
                message,
                self.signer.tags.hash_to_g2,
                shares,
                {i: G1Point.from_contract(k) for i, k in listed.items()},
            )
        except AggregationError as error:
            raise RpcError(UNAVAILABLE, f"the network did not sign: {error}") from None
        if result.bad:
            log.warning(
                "signing 0x%s's balance: dropped the bad share(s) of %s",
                address.hex(),
                ", ".join(node.hex() for node in result.bad),
            )
        reply = {
            "address": address.hex(),
            "amount": amount,
            "height": wanted,
            "msg_to_sign": message.hex(),
            "signature": result.signature.to_bytes().hex(),
            "aggregate_pubkey": result.aggregate_pubkey.to_bytes().hex(),
            "non_signer_indices": list(result.non_signer_ids),
        }
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if k[1] >= final}
            self._cache[key] = reply
        return reply

    def _bls_keys(self) -> dict[bytes, G1Point]:
        """The ledger's nodes' BLS keys by Ed25519 key (a share is checked against these)."""
        with self.node.lock:
            nodes = self.node.chain.ledger.nodes
            return {k: G1Point.from_contract(n.bls_pubkey) for k, n in nodes.items()}


def _balance(chain: Any, address: bytes, height: int) -> int:
    try:
        return reward_balance(chain.ledger, "0x" + address.hex(), height)
    except LookupError:
        raise RpcError(UNAVAILABLE, f"this node no longer holds height {height}") from None
