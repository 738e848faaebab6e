"""One node's consensus: pulse rounds, checkpoint votes and catch-up, as a state machine.

`ConsensusNode` has no sockets and no clock: the caller hands it the time (`tick(now)`) and
each message with its authenticated sender (`receive(sender, message, now)`), and sends what
comes back (`Send` to one node, `Broadcast` to all). The same code runs inside a node process
(`sesh.node`, over `sesh.net`) and, many times over, in the one-process simulation
(`sesh.consensus.sim`). The message flow of a round is in `sesh.consensus.messages`.

**Schedule.** Round 0 of height H starts at the parent's timestamp plus the block time; round r
starts `round_time` seconds later per round. Within a round each stage waits for every expected
answer, or for `stage_time` with at least the threshold (pulse.md §9: proceed with any threshold
of responders). A round that cannot gather the threshold fails, and the next round brings
another producer and other validators. When too few nodes are active, no quorum exists and
`stalled` says so.

**Validation before signing.** A validator answers a template only after checking it in full:
its place (height, round, parent, producer), the proposed set (from the quorum, the threshold,
itself and its own commitment in it), the timestamp (not below the parent's, within `drift` of
its own clock), what its L2 tracker saw (`LocalView`: every proposed event seen and safe, its
own votes, its own reward rate at the same L2 height) and the state hash the draft leads to. It
signs the final block only after checking that the block is the template plus the random value
of the reveals, the validators who revealed and the resulting state hash.

**Catch-up.** A block whose parent is unknown means this node is behind or on another branch:
it asks the sender for main-chain blocks (`GetBlocks`) from its own height, or from its
immutable height when that does not connect, and goes on in batches until the blocks connect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from nacl.signing import SigningKey

from sesh.consensus.chain import Chain, Rejected
from sesh.consensus.messages import (
    Blocks,
    CheckpointVote,
    Endorse,
    Final,
    GetBlocks,
    Message,
    NewBlock,
    Ready,
    Reveal,
    Template,
    block_statement,
    commitment,
    random_value,
    sign,
    statement,
)
from sesh.consensus.quorum import Quorum
from sesh.l2.events import L2Event, event_id
from sesh.ledger import (
    Block,
    InvalidBlock,
    PurgeView,
    UptimeDecision,
    ValidatorSignature,
    item_id,
    produce_block,
    seal,
)

SYNC_BATCH = 100
"""Blocks asked for (and served) at once."""
SYNC_REPLY_BYTES = 900_000
"""A reply holds blocks until this many bytes (with their votes): it must fit the transport's
1 MiB message, whatever the blocks hold."""
VOTE_BYTES = 137


def round_number(elapsed: int) -> int:
    """The round after `elapsed` round times: 0…255, then 1…255 again. A stalled network keeps
    trying new producers and validators instead of stopping at round 255 (the reference falls
    back to mining there; there is no mining here)."""
    return elapsed if elapsed < 256 else 1 + (elapsed - 1) % 255


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds: the block time, a stage's wait, a round's length, and the clock drift allowed."""

    block_time: float
    stage_time: float
    round_time: float
    drift: float

    @classmethod
    def for_block_time(cls, block_time: float) -> Timing:
        """Mainnet's 120 s blocks give 10 s stages and 60 s rounds, as the reference."""
        return cls(block_time, block_time / 12, block_time / 2, max(2.0, block_time / 2))


@dataclass(frozen=True, slots=True)
class LocalView:
    """What this node's L2 tracker says: the safe height, the pool's rate there, the events
    seen (not yet confirmed), and the contract's node list for purges; and the uptime decisions
    this node would put in the next block (none until uptime testing makes them: a validator
    refuses a template whose decisions differ from its own)."""

    l2_height: int = 0
    pool_reward_rate: int | None = None
    events: tuple[L2Event, ...] = ()
    purge_view: PurgeView | None = None
    decisions: tuple[UptimeDecision, ...] = ()


@dataclass(frozen=True, slots=True)
class Send:
    to: bytes
    message: Message


@dataclass(frozen=True, slots=True)
class Broadcast:
    message: Message


Action = Send | Broadcast


@dataclass
class _Round:
    quorum: Quorum
    started: float
    value: bytes = b""
    readies: dict[bytes, bytes] = field(default_factory=dict)
    template: Template | None = None
    template_at: float = 0.0
    reveals: dict[bytes, bytes] = field(default_factory=dict)
    final: Final | None = None
    final_at: float = 0.0
    endorsements: dict[bytes, bytes] = field(default_factory=dict)
    accepted: Template | None = None
    done: bool = False


class ConsensusNode:
    """One node's consensus state machine (see the module docstring)."""

    def __init__(
        self,
        key: SigningKey,
        chain: Chain,
        timing: Timing,
        *,
        random_bytes: Callable[[int], bytes],
        view: Callable[[], LocalView] = LocalView,
    ) -> None:
        """`random_bytes(n)` gives this node's secret random values (`os.urandom` in a node
        process, a seeded generator in the simulation); `view()` what its L2 tracker says."""
        self.key = key
        self.pubkey = bytes(key.verify_key)
        self.chain = chain
        self.timing = timing
        self.view = view
        self.random_bytes = random_bytes
        self.round: _Round | None = None
        self.voted: set[int] = set()
        self.syncing_until = 0.0
        self.rounds_failed = 0
        self.produced = 0
        self._helped: dict[bytes, float] = {}

    # -- status ------------------------------------------------------------------------------

    @property
    def stalled(self) -> bool:
        """True when too few nodes are active for any quorum: no block can come."""
        return self.chain.basis().quorum(0) is None

    def target_time(self) -> float:
        """When round 0 of the next block starts (the reference's `pulse_target_timestamp`):
        the block's place on the ideal grid (genesis time + block time × blocks since), kept
        within a quarter of a block time of one block time after its parent. A late block
        (a failed round) is thus made up over the next ones, as the reference does, and blocks
        come every block time on average however many rounds fail now and then."""
        chain, block_time = self.chain, self.timing.block_time
        ideal = chain.genesis_timestamp + block_time * (chain.height + 1 - chain.genesis_height)
        parent = chain.timestamp
        return float(min(max(ideal, parent + 0.75 * block_time), parent + 1.25 * block_time))

    # -- time ----------------------------------------------------------------------------------

    def next_wakeup(self, now: float) -> float:
        """When `tick` next has something to do if no message comes: the next round's start,
        or this producer's current stage deadline."""
        start = self.target_time()
        if now < start:
            return start
        elapsed = int((now - start) // self.timing.round_time)
        wake = start + (elapsed + 1) * self.timing.round_time
        state = self.round
        if state is not None and not state.done and state.quorum.producer == self.pubkey:
            if state.template is None:
                deadline = state.started
            elif state.final is None:
                deadline = state.template_at
            else:
                deadline = state.final_at
            deadline += self.timing.stage_time
            if deadline > now:
                wake = min(wake, deadline)
        return wake

    def tick(self, now: float) -> list[Action]:
        out: list[Action] = []
        self._enter_round(now, out)
        self._progress(now, out)
        return out

    def _enter_round(self, now: float, out: list[Action]) -> None:
        start = self.target_time()
        if now < start:
            return
        number = round_number(int((now - start) // self.timing.round_time))
        current = self.round
        parent = self.chain.tip
        if (
            current is not None
            and current.quorum.parent == parent
            and current.quorum.round == number
        ):
            return
        if current is not None and current.quorum.parent == parent and not current.done:
            self.rounds_failed += 1
        quorum = self.chain.basis().quorum(number)
        if quorum is None:
            self.round = None
            return
        self.round = state = _Round(quorum, start + number * self.timing.round_time)
        if quorum.position(self.pubkey) is not None:
            state.value = self.random_bytes(32)
            ready = Ready(quorum.height, number, parent, self.pubkey, commitment(state.value))
            ready = replace(ready, signature=sign(self.key, ready.statement()))
            out.append(Send(quorum.producer, ready))

    def _progress(self, now: float, out: list[Action]) -> None:
        state = self.round
        if state is None or state.done or state.quorum.producer != self.pubkey:
            return
        quorum, stage = state.quorum, self.timing.stage_time
        if state.template is None:
            everyone = len(state.readies) == len(quorum.validators)
            if everyone or (
                now >= state.started + stage and len(state.readies) >= quorum.threshold
            ):
                self._propose(state, now, out)
        elif state.final is None:
            expected = len(state.template.block.validators)
            if len(state.reveals) == expected or (
                now >= state.template_at + stage and len(state.reveals) >= quorum.threshold
            ):
                self._finalise(state, now, out)
        else:
            expected = len(state.final.block.validators)
            if len(state.endorsements) == expected or (
                now >= state.final_at + stage and len(state.endorsements) >= quorum.threshold
            ):
                self._publish(state, out)

    # -- the producer ------------------------------------------------------------------------

    def _propose(self, state: _Round, now: float, out: list[Action]) -> None:
        quorum = state.quorum
        chosen = tuple(v for v in quorum.validators if v in state.readies)
        view = self.view()
        ledger = self.chain.ledger
        timestamp = max(ledger.timestamp, int(now))
        draft = self._draft(view, self.pubkey, view.l2_height, quorum.round, timestamp, chosen)
        draft = replace(draft, state_hash=bytes(32))
        template = Template(
            quorum.height,
            quorum.round,
            quorum.parent,
            self.pubkey,
            draft,
            tuple(state.readies[v] for v in chosen),
        )
        template = replace(template, signature=sign(self.key, template.statement()))
        state.template, state.template_at = template, now
        if not chosen:  # a quorum of one: no validators, nothing to wait for
            self._finalise(state, now, out)
            self._publish(state, out)
            return
        out.extend(Send(v, template) for v in chosen)

    def _draft(
        self,
        view: LocalView,
        producer: bytes,
        l2_height: int,
        round_: int,
        timestamp: int,
        validators: tuple[bytes, ...],
    ) -> Block:
        """The block this node's view of L2 makes at the tip (no random value yet): what the
        producer proposes, and what a validator compares a template with."""
        ledger = self.chain.ledger
        rate = view.pool_reward_rate
        return produce_block(
            ledger,
            producer=producer,
            l2_height=l2_height,
            pool_reward_rate=ledger.reward_window[-1] if rate is None else rate,
            tracker_events=view.events,
            decisions=view.decisions,
            purge_view=view.purge_view,
            round_=round_,
            timestamp=timestamp,
            random_value=bytes(32),
            validators=validators,
        )

    def _finalise(self, state: _Round, now: float, out: list[Action]) -> None:
        assert state.template is not None
        draft = state.template.block
        revealed = tuple(v for v in draft.validators if v in state.reveals)
        reveals = tuple(state.reveals[v] for v in revealed)
        if not revealed:
            reveals = (sign(self.key, b"sesh.solo" + draft.prev_hash),)
        block = seal(
            self.chain.ledger,
            replace(draft, random_value=random_value(reveals), validators=revealed),
        )
        block = replace(block, producer_signature=sign(self.key, block_statement(block)))
        state.final = Final(block.height, block.round, block.prev_hash, self.pubkey, block, reveals)
        state.final_at = now
        out.extend(Send(v, state.final) for v in revealed)

    def _publish(self, state: _Round, out: list[Action]) -> None:
        assert state.final is not None
        block = state.final.block
        signatures = tuple(
            ValidatorSignature(v, state.endorsements[v])
            for v in block.validators
            if v in state.endorsements
        )
        block = replace(block, signatures=signatures)
        state.done = True
        try:
            self.chain.add(block)
        except Rejected:
            return
        self.produced += 1
        out.append(Broadcast(NewBlock(block)))
        self._after_extend(out)

    # -- messages ----------------------------------------------------------------------------

    def receive(self, sender: bytes, message: Message, now: float) -> list[Action]:
        """Handle one message from the authenticated `sender`; anything wrong is dropped."""
        out: list[Action] = []
        self._enter_round(now, out)
        try:
            handler = _HANDLERS[type(message)]
        except KeyError:
            return out
        if getattr(message, "sender", sender) != sender:
            return out
        if isinstance(message, _ROUND_MESSAGES) and self._out_of_step(sender, message, now, out):
            return out
        handler(self, sender, message, now, out)
        self._progress(now, out)
        return out

    def _out_of_step(self, sender: bytes, msg: RoundMessage, now: float, out: list[Action]) -> bool:
        """A round message from a node on another tip: the one behind gets the blocks it lacks
        (pulled by this node, or sent to the sender), so a network that split, or a node that
        restarted, finds one chain again without any status broadcast."""
        chain = self.chain
        if msg.height == chain.height + 1 and msg.parent == chain.tip:
            return False
        if msg.height > chain.height:
            # A sender one height up on another tip (each side of a split made a block at our
            # height) has nothing above our height to give: ask from our height, for its tip.
            start = chain.height + 1 if msg.height > chain.height + 1 else chain.height
            self._ask(sender, start, now, out)
        elif chain.hash_at(msg.height - 1) == msg.parent and self._helped.get(sender, 0) <= now:
            self._helped[sender] = now + self.timing.round_time
            self._serve(sender, msg.height, SYNC_BATCH, out)
        return True

    def _current(self, height: int, round_: int, parent: bytes) -> _Round | None:
        state = self.round
        if state is None or state.done:
            return None
        q = state.quorum
        return state if (q.height, q.round, q.parent) == (height, round_, parent) else None

    def _on_ready(self, sender: bytes, msg: Ready, now: float, out: list[Action]) -> None:
        state = self._current(msg.height, msg.round, msg.parent)
        if state is None or state.quorum.producer != self.pubkey or state.template is not None:
            return
        if state.quorum.position(sender) is None or sender in state.readies:
            return
        if self.chain.verifier.valid(sender, msg.statement(), msg.signature):
            state.readies[sender] = msg.commit

    def _on_template(self, sender: bytes, msg: Template, now: float, out: list[Action]) -> None:
        state = self._current(msg.height, msg.round, msg.parent)
        if state is None or sender != state.quorum.producer:
            return
        if not self.chain.verifier.valid(sender, msg.statement(), msg.signature):
            return
        if state.accepted is not None:
            if state.accepted.digest() != msg.digest():
                self._template_evidence(state, msg)
            return
        if self._check_template(state, msg, now) is not None:
            return
        state.accepted = msg
        place = (msg.height, msg.round, msg.parent)
        reveal = Reveal(*place, self.pubkey, msg.digest(), msg.signature, state.value)
        reveal = replace(reveal, signature=sign(self.key, reveal.statement()))
        out.append(Send(sender, reveal))
        out.extend(Send(v, reveal) for v in msg.block.validators if v != self.pubkey)

    def _check_template(self, state: _Round, msg: Template, now: float) -> str | None:
        """Why this validator refuses the template (None: it accepts)."""
        block, quorum = msg.block, state.quorum
        ledger = self.chain.ledger
        if (block.height, block.round, block.prev_hash) != (msg.height, msg.round, msg.parent):
            return "the block is not of this round"
        if block.producer != quorum.producer:
            return "not this round's producer"
        if not set(block.validators) <= set(quorum.validators):
            return "validators outside the quorum"
        if len(block.validators) < quorum.threshold or len(msg.commits) != len(block.validators):
            return "too few validators"
        if self.pubkey not in block.validators:
            return "without me"
        if msg.commits[block.validators.index(self.pubkey)] != commitment(state.value):
            return "not my commitment"
        if block.random_value != bytes(32) or block.state_hash != bytes(32):
            return "a draft with a random value or state hash"
        if not ledger.timestamp <= block.timestamp <= now + self.timing.drift:
            return "timestamp out of bounds"
        if block.timestamp < now - self.timing.drift - self.timing.round_time:
            return "timestamp too old"
        view = self.view()
        seen = {event_id(e) for e in view.events}
        if block.l2_height > max(view.l2_height, ledger.l2_height):
            return "an L2 height beyond what this node sees"
        expected = self._draft(
            view, block.producer, block.l2_height, block.round, block.timestamp, block.validators
        )
        if block.votes != expected.votes:
            return "votes that differ from this node's"
        if block.decisions != expected.decisions:
            return "uptime decisions that differ from this node's"
        if view.l2_height == block.l2_height and block.l2_reward != expected.l2_reward:
            return "a reward rate that differs from this node's"
        for item in block.events:
            if item not in expected.events and item_id(item) not in seen:
                return "an event this node's tracker has not seen"
        try:
            seal(ledger, block)
        except InvalidBlock:
            return "an invalid block"
        return None

    def _template_evidence(self, state: _Round, other: Template) -> None:
        accepted = state.accepted
        assert accepted is not None
        block = accepted.block
        self.chain.note_signature(other.sender, block, accepted.digest(), accepted.signature)
        self.chain.note_signature(other.sender, block, other.digest(), other.signature)

    def _on_reveal(self, sender: bytes, msg: Reveal, now: float, out: list[Action]) -> None:
        state = self._current(msg.height, msg.round, msg.parent)
        if state is None or not self.chain.verifier.valid(sender, msg.statement(), msg.signature):
            return
        producer = state.quorum.producer
        ours = state.template if producer == self.pubkey else state.accepted
        if ours is None:
            return
        if msg.template != ours.digest():
            claimed = statement(b"template", msg.height, msg.round, msg.parent, msg.template)
            if self.chain.verifier.valid(producer, claimed, msg.template_signature):
                self.chain.note_signature(producer, ours.block, ours.digest(), ours.signature)
                self.chain.note_signature(
                    producer, ours.block, msg.template, msg.template_signature
                )
            return
        if producer != self.pubkey or state.final is not None:
            return
        draft = ours.block
        if sender not in draft.validators or sender in state.reveals:
            return
        if commitment(msg.value) == ours.commits[draft.validators.index(sender)]:
            state.reveals[sender] = msg.value

    def _on_final(self, sender: bytes, msg: Final, now: float, out: list[Action]) -> None:
        state = self._current(msg.height, msg.round, msg.parent)
        if state is None or state.accepted is None or sender != state.quorum.producer:
            return
        block, draft = msg.block, state.accepted.block
        if self.pubkey not in block.validators or not set(block.validators) <= set(
            draft.validators
        ):
            return
        same = replace(
            block,
            random_value=bytes(32),
            validators=draft.validators,
            state_hash=bytes(32),
            producer_signature=b"",
            signatures=(),
        )
        if same != draft or len(msg.reveals) != len(block.validators):
            return
        commits = state.accepted.commits
        for key, value in zip(block.validators, msg.reveals, strict=True):
            if commitment(value) != commits[draft.validators.index(key)]:
                return
        if block.random_value != random_value(msg.reveals):
            return
        signed = block_statement(block)
        if not self.chain.verifier.valid(sender, signed, block.producer_signature):
            return
        try:
            sealed = seal(self.chain.ledger, replace(block, producer_signature=b""))
        except InvalidBlock:
            return
        if sealed.state_hash != block.state_hash:
            return
        state.done = True
        place = (block.height, block.round, block.prev_hash)
        endorse = Endorse(*place, self.pubkey, block.hash(), sign(self.key, signed))
        out.append(Send(sender, endorse))

    def _on_endorse(self, sender: bytes, msg: Endorse, now: float, out: list[Action]) -> None:
        state = self._current(msg.height, msg.round, msg.parent)
        if state is None or state.final is None or sender in state.endorsements:
            return
        block = state.final.block
        if sender not in block.validators:
            return
        signed = block_statement(block)
        if msg.block_hash != block.hash():
            claimed = signed[: -len(msg.block_hash)] + msg.block_hash
            if self.chain.verifier.valid(sender, claimed, msg.signature):
                self.chain.note_signature(sender, block, msg.block_hash, msg.signature)
            return
        if self.chain.verifier.valid(sender, signed, msg.signature):
            self.chain.note_signature(sender, block, msg.block_hash, msg.signature)
            state.endorsements[sender] = msg.signature

    def _on_block(self, sender: bytes, msg: NewBlock, now: float, out: list[Action]) -> None:
        block = msg.block
        if block.timestamp > now + self.timing.drift:
            return
        if not self.chain.knows(block.prev_hash, block.height - 1):
            self._ask(sender, self.chain.height + 1, now, out)
            return
        try:
            result = self.chain.add(block)
        except Rejected:
            return
        if result.extended:
            self._after_extend(out)

    def _ask(self, peer: bytes, start: int, now: float, out: list[Action]) -> None:
        if now < self.syncing_until:
            return
        self.syncing_until = now + self.timing.round_time
        out.append(Send(peer, GetBlocks(start, SYNC_BATCH)))

    def _on_get_blocks(self, sender: bytes, msg: GetBlocks, now: float, out: list[Action]) -> None:
        self._serve(sender, msg.start, msg.count, out)

    def _serve(self, peer: bytes, start: int, count: int, out: list[Action]) -> None:
        count = max(0, min(count, SYNC_BATCH))
        blocks: list[Block] = []
        votes: list[tuple[CheckpointVote, ...]] = []
        size = 0
        for height in range(start, start + count):
            block = self.chain.block_at(height)
            if block is None:
                break
            ballots = self.chain.votes_for(height)
            size += len(block.encode()) + VOTE_BYTES * len(ballots)
            if blocks and size > SYNC_REPLY_BYTES:
                break
            blocks.append(block)
            votes.append(ballots)
        if blocks:
            out.append(Send(peer, Blocks(tuple(blocks), tuple(votes))))

    def _on_blocks(self, sender: bytes, msg: Blocks, now: float, out: list[Action]) -> None:
        self.syncing_until = 0.0
        if not msg.blocks:
            return
        first = msg.blocks[0]
        # Known if stored or on the main chain: pruning forgets the stored blocks at the
        # immutable height, where a catch-up from immutable + 1 connects.
        if not self.chain.knows(first.prev_hash, first.height - 1):
            if first.height - 1 > self.chain.immutable_height():
                self._ask(sender, self.chain.immutable_height() + 1, now, out)
            return
        extended = False
        for block, votes in zip(msg.blocks, msg.votes, strict=False):
            for vote in votes:
                self.chain.add_vote(vote)
            try:
                extended |= bool(self.chain.add(block).extended)
            except Rejected:
                return
            for vote in votes:
                self.chain.add_vote(vote)
        if extended:
            self._after_extend(out)
            self._ask(sender, msg.blocks[-1].height + 1, now, out)

    def _on_vote(self, sender: bytes, msg: CheckpointVote, now: float, out: list[Action]) -> None:
        self.chain.add_vote(msg)

    def _after_extend(self, out: list[Action]) -> None:
        """Vote on every checkpoint height the main chain has passed and this node is a
        member of, then forget what fell below finality."""
        chain = self.chain
        interval = chain.rules.checkpoint_interval
        newest = (chain.height - 1) // interval * interval
        for height in range(
            newest, max(chain.immutable_height(), newest - 3 * interval), -interval
        ):
            if height in self.voted or not chain.checkpoint_due(height):
                continue
            members, _ = chain.members(height)
            if self.pubkey not in members:
                continue
            block_hash = chain.hash_at(height)
            assert block_hash is not None
            vote = CheckpointVote(height, block_hash, self.pubkey)
            vote = replace(vote, signature=sign(self.key, vote.statement()))
            self.voted.add(height)
            chain.add_vote(vote)
            out.append(Broadcast(vote))
        chain.prune()


RoundMessage = Ready | Template | Reveal | Final | Endorse
_ROUND_MESSAGES = (Ready, Template, Reveal, Final, Endorse)

_HANDLERS: dict[type, Callable[[ConsensusNode, bytes, object, float, list[Action]], None]] = {
    Ready: ConsensusNode._on_ready,  # type: ignore[dict-item]
    Template: ConsensusNode._on_template,  # type: ignore[dict-item]
    Reveal: ConsensusNode._on_reveal,  # type: ignore[dict-item]
    Final: ConsensusNode._on_final,  # type: ignore[dict-item]
    Endorse: ConsensusNode._on_endorse,  # type: ignore[dict-item]
    NewBlock: ConsensusNode._on_block,  # type: ignore[dict-item]
    GetBlocks: ConsensusNode._on_get_blocks,  # type: ignore[dict-item]
    Blocks: ConsensusNode._on_blocks,  # type: ignore[dict-item]
    CheckpointVote: ConsensusNode._on_vote,  # type: ignore[dict-item]
}
