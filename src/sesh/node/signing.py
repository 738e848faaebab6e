"""The node's signing service, and the requests it sends to everyone else's.

**Signing** (`Signer.answer`). A node signs only what its own ledger says: a reward balance at a
height it holds (its last `ROLLBACK_DEPTH` blocks; older, or not yet made, is 410), for an
address with a balance (404 otherwise), as the 84-byte message the contract checks
(`sesh.bls.reward_message`). The BLS secret key never leaves this object. Exit and liquidation
signatures are refused (400) until this node signs them.

**Asking** (`Collection`). The RPC thread that serves `bls_rewards_request` hands a request to
the node's loop (which owns the transport), waits for the answers up to a deadline, and
aggregates them (`sesh.aggregator`). The loop sends the request to every node it knows,
answers it itself, and files each answer under the request's id; an answer for no open request,
or from a node already answered, is dropped.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from sesh.aggregator.messages import Kind, SignAnswer, SignRequest, Status
from sesh.bls import DomainTags, SecretKey, reward_message
from sesh.consensus.chain import Chain
from sesh.ledger import ROLLBACK_DEPTH, HeightUnavailable
from sesh.ledger.queries import reward_balance

_ids = itertools.count(1)


def next_request_id() -> int:
    return next(_ids)


class Signer:
    """This node's BLS key and the contract's tags: see the module docstring."""

    def __init__(self, secret: SecretKey, tags: DomainTags) -> None:
        self._secret = secret
        self.tags = tags
        self.public_key = secret.public_key()

    def answer(self, request: SignRequest, chain: Chain) -> SignAnswer:
        """What this node says to `request`, from `chain` (read under the node's lock)."""
        if request.kind is not Kind.REWARDS:
            return _refuse(request, Status.BAD_REQUEST, "this node does not sign exits yet")
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
