"""The node's signing service, and the requests it sends to everyone else's.

**Signing** (`Signer.answer`). A node signs only what its own ledger says: a reward balance at a
height it holds (its last `ROLLBACK_DEPTH` blocks; older, or not yet made, is 410), for an
address with a balance (404 otherwise), as the 84-byte message the contract checks
(`sesh.bls.reward_message`). An exit or a liquidation of a BLS key is signed at the requested
timestamp only when that timestamp is within `MAX_SKEW` seconds of the L2's "now" as this node
last read it (400 otherwise: the contract measures a signature's age by its block time) and its
ledger says the key is removable or liquidatable (403 otherwise, with the reason and, when it
will change by itself, the height). The BLS secret key never leaves this object.

**Asking** (`Collection`). The RPC thread that serves `bls_rewards_request` hands a request to
the node's loop (which owns the transport), waits for the answers up to a deadline, and
aggregates them (`sesh.aggregator`). The loop sends the request to every node it knows,
answers it itself, and files each answer under the request's id; an answer for no open request,
or from a node already answered, is dropped.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Collection as KeySet
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sesh.aggregator.messages import Kind, SignAnswer, SignRequest, Status
from sesh.bls import (
    BLSError,
    DomainTags,
    G1Point,
    SecretKey,
    exit_message,
    liquidate_message,
    reward_message,
)
from sesh.consensus.chain import Chain
from sesh.ledger import ROLLBACK_DEPTH, HeightUnavailable
from sesh.ledger.queries import exit_eligibility, liquidation_eligibility, reward_balance
from sesh.ledger.rules import Eligibility
from sesh.ledger.state import BlsKey

MAX_SKEW = 180
"""Seconds an exit or liquidation timestamp may be from the L2's now (the reference's 3 min)."""
REQUESTS_PER_WINDOW = 120
REQUEST_WINDOW = 10.0
"""A node answers at most this many signing requests per window from one node."""
MAX_TRACKED = 4096

_ids = itertools.count(1)


def next_request_id() -> int:
    return next(_ids)


class Signer:
    """This node's BLS key and the contract's tags: see the module docstring."""

    def __init__(self, secret: SecretKey, tags: DomainTags) -> None:
        self._secret = secret
        self.tags = tags
        self.public_key = secret.public_key()

    def answer(self, request: SignRequest, chain: Chain, l2: L2Now | None = None) -> SignAnswer:
        """What this node says to `request`, from `chain` (read under the node's lock) and,
        for an exit or a liquidation, what it knows of the L2 now."""
        if request.kind is not Kind.REWARDS:
            return self._removal(request, chain, l2)
        ledger = chain.ledger
        oldest = max(chain.genesis_height, ledger.height - ROLLBACK_DEPTH)
        if not oldest <= request.height <= ledger.height:
            return _refuse(
                request,
                Status.HEIGHT_UNAVAILABLE,
                f"this node holds heights {oldest}…{ledger.height}, not {request.height}",
            )
        address = "0x" + request.address.hex()
        try:
            amount = reward_balance(ledger, address, request.height)
        except HeightUnavailable as error:
            return _refuse(request, Status.HEIGHT_UNAVAILABLE, str(error))
        if amount == 0:
            return _refuse(
                request, Status.NOTHING_TO_SIGN, f"{address} has no rewards at {request.height}"
            )
        message = reward_message(self.tags, request.address, amount)
        signature = self._secret.sign(message, self.tags.hash_to_g2)
        return SignAnswer(request.request_id, Status.SIGNED, amount, signature.to_bytes())

    def _removal(self, request: SignRequest, chain: Chain, l2: L2Now | None) -> SignAnswer:
        if l2 is None or l2.timestamp is None:
            return _refuse(request, Status.BAD_REQUEST, "this node has not read the L2's time yet")
        skew = request.timestamp - l2.timestamp
        if abs(skew) > MAX_SKEW:
            return _refuse(
                request,
                Status.BAD_REQUEST,
                f"timestamp {request.timestamp} is {abs(skew)} s "
                f"{'ahead of' if skew > 0 else 'behind'} the L2's time ({l2.timestamp}); "
                f"at most {MAX_SKEW} s",
            )
        try:
            point = G1Point.from_bytes(request.bls_pubkey)
        except BLSError:
            return _refuse(request, Status.BAD_REQUEST, "not a BLS public key")
        key: BlsKey = point.to_contract()
        liquidation = request.kind is Kind.LIQUIDATION
        check = liquidation_eligibility if liquidation else exit_eligibility
        eligibility = check(chain.ledger, key, l2.contract_keys)
        if not eligibility.allowed:
            return _refuse(request, Status.NOT_REMOVABLE, refusal(eligibility, liquidation))
        build = liquidate_message if liquidation else exit_message
        message = build(self.tags, point, request.timestamp)
        signature = self._secret.sign(message, self.tags.hash_to_g2)
        return SignAnswer(request.request_id, Status.SIGNED, 0, signature.to_bytes())


@dataclass(frozen=True, slots=True)
class L2Now:
    """What a signer knows of the L2 when it is asked to sign an exit or a liquidation."""

    timestamp: int | None
    """The L2's latest block time as last read, advanced by the time since; None: not read."""
    contract_keys: KeySet[BlsKey] | None = None
    """The contract's node list as last read (a key only it has may be removed)."""


class RequestLimit:
    """At most `limit` signing requests per `window` seconds from one node: a node asking
    more is not answered (its requests cost this node a BLS signature each)."""

    def __init__(self, limit: int = REQUESTS_PER_WINDOW, window: float = REQUEST_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._counts: dict[bytes, tuple[float, int]] = {}

    def allow(self, sender: bytes, now: float) -> bool:
        start, count = self._counts.get(sender, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        if count >= self.limit:
            return False
        if len(self._counts) > 4 * MAX_TRACKED:
            self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
        self._counts[sender] = (start, count + 1)
        return True


def refusal(eligibility: Eligibility, liquidation: bool) -> str:
    """Why the network will not sign a removal, for a person."""
    what = "liquidated" if liquidation else "removed"
    text = f"the node is {eligibility.reason.value}: it cannot be {what}"
    if eligibility.from_height is not None:
        text += f" before block {eligibility.from_height}"
    return text


def _refuse(request: SignRequest, status: Status, reason: str) -> SignAnswer:
    return SignAnswer(request.request_id, status, reason=reason)


@dataclass
class Collection:
    """One request in flight: the answers so far, by the answering node's Ed25519 key."""

    request: SignRequest
    asked: frozenset[bytes] = frozenset()
    """The nodes it was sent to (filled in by the loop)."""
    answers: dict[bytes, SignAnswer] = field(default_factory=dict)
    sent: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    def file(self, node: bytes, answer: SignAnswer) -> None:
        if node in self.answers or (self.sent.is_set() and node not in self.asked):
            return
        self.answers[node] = answer
        if self.sent.is_set() and self.asked <= self.answers.keys():
            self.done.set()

    def send_to(self, nodes: Iterable[bytes]) -> None:
        self.asked = frozenset(nodes)
        self.answers = {n: a for n, a in self.answers.items() if n in self.asked}
        self.sent.set()
        if self.asked <= self.answers.keys():
            self.done.set()


class WrongShares(Signer):
    """A signer whose shares are over another message than asked: what a lying or broken node
    sends (`sesh node run`'s test hook, for the aggregator's bad-share search end to end)."""

    def answer(self, request: SignRequest, chain: Chain, l2: L2Now | None = None) -> SignAnswer:
        honest = super().answer(request, chain, l2)
        if honest.status is not Status.SIGNED:
            return honest
        wrong = self._secret.sign(b"not the message" + request.encode(), self.tags.hash_to_g2)
        return replace(honest, signature=bytes(wrong.to_bytes()))
