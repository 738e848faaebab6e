"""The node's aggregator behind its RPC: `bls_rewards_request` and `bls_exit_liquidation_request`.

**Rewards.** The node reads its own ledger at the finalised (immutable) height (a cumulative
balance signed on a block a fork later drops could exceed the final one, and the contract would
accept it for good), asks every node it knows to sign the same balance there (`NetworkNode.ask`,
at most `DEADLINE` seconds), keeps the answers for exactly that amount, and aggregates them
against the contract's node list now (`sesh.aggregator`). The result is cached until the next
finalised block.

**Exits and liquidations.** The node checks that its own ledger would sign (a refusal names the
reason and, when the wait ends by itself, the date), fixes the timestamp at the L2's latest
block time — what the contract measures a signature's age by — and asks every node to sign the
removal at that timestamp. The reply says until when the contract takes the signature
(`valid_until`, the timestamp plus the contract's `signatureExpiry`); it is cached for half
that, so a cached signature always has at least half its life left.

Errors are `RpcError`s a person can act on.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sesh.aggregator.aggregate import Aggregate, AggregationError, Share, aggregate
from sesh.aggregator.messages import Kind, SignAnswer, SignRequest, Status
from sesh.bls import G1Point, exit_message, liquidate_message, reward_message
from sesh.l2.errors import L2Error
from sesh.l2.tracker import Tracker
from sesh.l2.views import SIGNATURE_EXPIRY
from sesh.ledger.queries import (
    bls_key_of,
    exit_eligibility,
    liquidation_eligibility,
    reward_balance,
)
from sesh.ledger.state import BlsKey
from sesh.node.network import NetworkNode
from sesh.node.rpc_methods import NOT_FOUND, REFUSED, UNAVAILABLE, RpcError
from sesh.node.signing import Signer, next_request_id, refusal
from sesh.units import format_time

log = logging.getLogger("sesh.node")

DEADLINE = 5.0
"""Seconds the nodes have to answer (the reference's; its liquidator waits 20 s in all)."""


class ContractReads:
    """What the aggregator reads from L2 now, through a tracker of its own (an RPC thread's:
    a provider's connection belongs to one thread)."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def nodes(self) -> dict[int, BlsKey]:
        """The contract's node list at the latest block: id → BLS key."""
        return self.tracker.contract_nodes(self.tracker.head())

    def now(self) -> int:
        """The latest block's time: what the contract will compare a timestamp with."""
        return self.tracker.block_timestamp(self.tracker.head())

    def now_and_expiry(self) -> tuple[int, int]:
        """The latest block's time and the contract's `signatureExpiry` (seconds) there."""
        head = self.tracker.head()
        return self.tracker.block_timestamp(head), self.tracker.contract_uint(
            SIGNATURE_EXPIRY, head
        )


@dataclass
class Claims:
    """The node's side of the signing RPCs (see the module docstring)."""

    node: NetworkNode
    signer: Signer
    l2: ContractReads
    deadline: float = DEADLINE
    _cache: dict[tuple[bytes, int], dict[str, Any]] = field(default_factory=dict)
    _removals: dict[tuple[BlsKey, bool], dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- rewards ---------------------------------------------------------------------------------

    def rewards(self, address: bytes, height: int | None) -> dict[str, Any]:
        with self.node.lock:
            chain = self.node.chain
            final = chain.immutable_height()
            wanted = final + height if height is not None and height <= 0 else height or final
            if wanted > final:
                raise RpcError(
                    UNAVAILABLE,
                    f"height {wanted} is not final yet: balances are signed at "
                    f"the finalised height ({final})",
                )
            try:
                amount = reward_balance(chain.ledger, "0x" + address.hex(), wanted)
            except LookupError:
                raise RpcError(UNAVAILABLE, f"this node no longer holds height {wanted}") from None
        key = (address, wanted)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        if amount == 0:
            raise RpcError(NOT_FOUND, f"0x{address.hex()} has no rewards at height {wanted}")
        request = SignRequest(next_request_id(), Kind.REWARDS, address=address, height=wanted)
        message = reward_message(self.signer.tags, address, amount)
        result = self._collect(request, message, amount, f"0x{address.hex()}'s balance")
        reply = {
            "address": address.hex(),
            "amount": amount,
            "height": wanted,
            **_signed(result),
        }
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if k[1] >= final}
            self._cache[key] = reply
        return reply

    # -- exits and liquidations ------------------------------------------------------------------

    def removal(
        self, pubkey: bytes | None, bls_pubkey: bytes | None, liquidate: bool
    ) -> dict[str, Any]:
        """The network's signature over the exit (or the liquidation) of the node named by its
        Ed25519 `pubkey` or its 64-byte `bls_pubkey`, at the L2's time now."""
        key = self._removable(pubkey, bls_pubkey, liquidate)
        try:
            now, expiry = self.l2.now_and_expiry()
        except L2Error as error:
            raise RpcError(UNAVAILABLE, f"cannot read the L2: {error}") from None
        with self._lock:
            cached = self._removals.get((key, liquidate))
            if cached is not None and now < cached["timestamp"] + expiry // 2:
                return cached
        point = G1Point.from_contract(key)
        kind = Kind.LIQUIDATION if liquidate else Kind.EXIT
        request = SignRequest(next_request_id(), kind, bls_pubkey=point.to_bytes(), timestamp=now)
        build = liquidate_message if liquidate else exit_message
        message = build(self.signer.tags, point, now)
        what = f"the {'liquidation' if liquidate else 'exit'} of {point.to_bytes().hex()[:16]}…"
        result = self._collect(request, message, None, what)
        reply = {
            "bls_pubkey": point.to_bytes().hex(),
            "timestamp": now,
            **_signed(result),
            "valid_until": now + expiry,
        }
        with self._lock:
            self._removals = {
                k: v for k, v in self._removals.items() if now < v["timestamp"] + expiry // 2
            }
            self._removals[(key, liquidate)] = reply
        return reply

    def _removable(self, pubkey: bytes | None, bls_pubkey: bytes | None, liquidate: bool) -> BlsKey:
        """The BLS key to remove, if this node's own ledger would sign its removal now."""
        with self.node.lock:
            known = self.node.l2_now()
            ledger = self.node.chain.ledger
            if bls_pubkey is not None:
                key = G1Point.from_bytes(bls_pubkey).to_contract()
            else:
                assert pubkey is not None
                found = bls_key_of(ledger, pubkey)
                if found is None:
                    raise RpcError(
                        NOT_FOUND,
                        f"no node with Ed25519 key {pubkey.hex()} is registered or recently "
                        "removed",
                    )
                key = found
            check = liquidation_eligibility if liquidate else exit_eligibility
            eligibility = check(ledger, key, known.contract_keys)
            height = ledger.height
        if eligibility.allowed:
            return key
        text = refusal(eligibility, liquidate)
        if eligibility.from_height is not None:
            text += f" (about {self._date_of(eligibility.from_height, height)})"
        raise RpcError(REFUSED, text)

    def _date_of(self, height: int, now_height: int) -> str:
        try:
            now = self.l2.now()
        except L2Error:
            return "a date this node cannot tell: the L2 does not answer"
        return format_time(now + (height - now_height) * self.node.profile.block_time)

    # -- both ------------------------------------------------------------------------------------

    def _collect(
        self, request: SignRequest, message: bytes, amount: int | None, what: str
    ) -> Aggregate:
        """Ask the network to sign `request`; the aggregate of the shares over `message`
        (answers for another amount are not shares)."""
        answers = self.node.ask(request, self.deadline)
        keys = self._bls_keys()
        shares = [
            Share(node, keys[node], answer.signature)
            for node, answer in answers.items()
            if _agrees(answer, amount) and node in keys
        ]
        try:
            listed = self.l2.nodes()
        except L2Error as error:
            raise RpcError(UNAVAILABLE, f"cannot read the contract's node list: {error}") from None
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
                "signing %s: dropped the bad share(s) of %s",
                what,
                ", ".join(node.hex() for node in result.bad),
            )
        return result

    def _bls_keys(self) -> dict[bytes, G1Point]:
        """The BLS keys of the ledger's registered and recently removed nodes, by Ed25519 key
        (a share is checked against these; `aggregate` keeps those the contract still has)."""
        with self.node.lock:
            ledger = self.node.chain.ledger
            keys = {k: n.bls_pubkey for k, n in ledger.nodes.items()}
            keys |= {k: r.info.bls_pubkey for k, r in ledger.removed.items()}
        return {k: G1Point.from_contract(xy) for k, xy in keys.items()}


def _agrees(answer: SignAnswer, amount: int | None) -> bool:
    return answer.status is Status.SIGNED and (amount is None or answer.amount == amount)


def _signed(result: Aggregate) -> dict[str, Any]:
    """The reply fields every signing RPC shares."""
    return {
        "msg_to_sign": result.message.hex(),
        "signature": result.signature.to_bytes().hex(),
        "aggregate_pubkey": result.aggregate_pubkey.to_bytes().hex(),
        "non_signer_indices": list(result.non_signer_ids),
    }
