"""One node's view of the network chain: the main chain on its ledger, the blocks of other
branches, checkpoint votes, finality and fork choice. Pure: blocks and votes in, decisions out.

**Accepting a block.** A block on top of the main tip is checked against the quorum of its own
round, derived from its parent's state (`QuorumBasis`): the producer is that round's producer and
signed the block id; it names at least the threshold of that round's validators, and at least the
threshold of them signed; then the ledger applies it (which checks the state hash it states).

**Fork choice** (pulse.md §4). A block whose parent is known but is not the tip starts or extends
another branch. The branch wins if, above the fork point, it has more checkpointed heights than
the main chain; with as many, if it weighs more (a block of round r weighs 1 + L/(r+1), L the
LCM of 1…32, so round 0 beats round 1 two to one); ties keep the main chain. A switch rolls the
ledger back with its journal and applies the branch, validating each block; if one fails, the old
chain is applied again and the branch dropped. Displaced blocks are kept until they fall below
finality, so a later switch back needs no download.

**Checkpoints and finality** (pulse.md §3). Every `checkpoint_interval` heights, the checkpoint
members of that height (`QuorumBasis.checkpoint`) vote on its block hash; a height with the
needed votes for one hash is checkpointed. The immutable height is the second-newest checkpointed
height of the main chain (the genesis while there are fewer than two); no fork at or below it is
ever taken, and its blocks are what signers will sign balances at.

**Equivocation.** Two signatures by one key over different block ids for the same (height,
round, parent) are evidence; a signature in a later round is not (`Evidence`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from sesh.consensus.messages import CheckpointVote, Verifier, block_statement
from sesh.consensus.quorum import QuorumBasis
from sesh.consensus.sizes import QuorumRules
from sesh.ledger import Block, InvalidBlock, Ledger

WEIGHT_LCM = 144_403_552_893_600
"""LCM(1…32): a block of round r weighs 1 + WEIGHT_LCM / (r + 1) (pulse.md §4)."""

BASES_KEPT = 400
"""Quorum bases kept for main-chain blocks (checkpoint votes and late messages need recent ones)."""


class LedgerAccess(Protocol):
    """How a chain reaches the ledger state of its blocks. A node owns one ledger that follows
    its main chain (`OwnLedger`); simulated honest nodes share one ledger among them, so a
    block's state is computed once for the whole network (`sesh.consensus.sim`)."""

    def at(self, tip: bytes) -> Ledger:
        """The ledger as it is after block `tip` (to read; a producer may preview on it)."""
        ...

    def apply(self, tip: bytes, block: Block) -> QuorumBasis:
        """Apply `block` on the state after `tip`; the basis of the quorums after it, or
        `InvalidBlock`."""
        ...

    def rollback(self, tip: bytes, count: int) -> None:
        """Step back `count` blocks from `tip`."""
        ...

    def basis(self, tip: bytes) -> QuorumBasis:
        """The basis of the quorums after block `tip`."""
        ...


class OwnLedger:
    """One ledger that follows one chain (a node's): `LedgerAccess` by journal and rollback."""

    def __init__(self, ledger: Ledger, rules: QuorumRules) -> None:
        self.ledger = ledger
        self.rules = rules

    def at(self, tip: bytes) -> Ledger:
        assert self.ledger.block_hash == tip, "the ledger follows the chain's tip"
        return self.ledger

    def apply(self, tip: bytes, block: Block) -> QuorumBasis:
        self.ledger.apply(block)
        return QuorumBasis.of(self.ledger, self.rules)

    def rollback(self, tip: bytes, count: int) -> None:
        self.ledger.rollback(count)

    def basis(self, tip: bytes) -> QuorumBasis:
        return QuorumBasis.of(self.at(tip), self.rules)


def block_weight(round_: int) -> int:
    return 1 + WEIGHT_LCM // (round_ + 1)


class Rejected(Exception):
    """A block or vote this node does not take; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Two signatures by `signer` over different blocks of one (height, round, parent)."""

    signer: bytes
    height: int
    round: int
    parent: bytes
    first: tuple[bytes, bytes]
    """(block hash, signature)."""
    second: tuple[bytes, bytes]


@dataclass
class AddResult:
    """What adding a block did: extended the tip, switched branches, or stored it aside."""

    extended: list[Block] = field(default_factory=list)
    """Blocks that became part of the main chain, in order."""
    removed: list[Block] = field(default_factory=list)
    """Blocks a switch took off the main chain, tip first."""
    stored: bool = False


class Chain:
    """The main chain of one node on its ledger, and everything around it (module docstring)."""

    def __init__(
        self,
        ledger: Ledger,
        rules: QuorumRules,
        verifier: Verifier | None = None,
        *,
        on_evidence: Callable[[Evidence], None] | None = None,
        archive: Callable[[int], Block | None] | None = None,
        keep_blocks: int = 2_000,
        genesis: tuple[int, bytes, int] | None = None,
        hashes: Iterable[bytes] = (),
        access: LedgerAccess | None = None,
    ) -> None:
        """`archive(height)` reads an old main-chain block back (the node's store): with it,
        only the newest `keep_blocks` blocks stay in memory; without it (a simulation), all.
        A ledger restored from a snapshot above the genesis comes with the `genesis` (height,
        hash, timestamp) and the `hashes` of the main chain from there up to the ledger's
        height."""
        self.access: LedgerAccess = access or OwnLedger(ledger, rules)
        self.rules = rules
        self.verifier = verifier or Verifier()
        self.genesis_height, self.genesis_hash, self.genesis_timestamp = genesis or (
            ledger.height,
            ledger.block_hash,
            ledger.timestamp,
        )
        self.main: list[Block] = []
        """The newest main-chain blocks, in height order: `main[0]` is at `_first`."""
        self._first = ledger.height + 1
        self._base = (ledger.height, ledger.block_hash, ledger.timestamp)
        """Height, hash and timestamp of the state the chain started from."""
        self.hashes: list[bytes] = list(hashes)
        """The hashes of every main-chain block above genesis, in height order."""
        if len(self.hashes) != ledger.height - self.genesis_height:
            raise ValueError("the hashes must reach from the genesis to the ledger's height")
        self.archive = archive
        self.keep_blocks = keep_blocks
        self.blocks: dict[bytes, Block] = {}
        """Every block known above the immutable height (main chain and other branches)."""
        self.bases: dict[bytes, QuorumBasis] = {
            ledger.block_hash: self.access.basis(ledger.block_hash)
        }
        self.votes: dict[int, dict[bytes, dict[bytes, bytes]]] = {}
        """Checkpoint votes: height → block hash → voter → signature."""
        self.evidence: list[Evidence] = []
        self._signed: dict[tuple[bytes, int, int, bytes], tuple[bytes, bytes]] = {}
        self._on_evidence = on_evidence

    # -- the main chain ----------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The ledger after the main chain's tip."""
        return self.access.at(self.tip)

    @property
    def height(self) -> int:
        return self.genesis_height + len(self.hashes)

    @property
    def tip(self) -> bytes:
        return self.hashes[-1] if self.hashes else self.genesis_hash

    @property
    def timestamp(self) -> int:
        """The tip's timestamp (kept here: reading it must not touch a shared ledger)."""
        if self.main and self.main[-1].height == self.height:
            return self.main[-1].timestamp
        if self.height == self._base[0]:
            return self._base[2]
        return self.ledger.timestamp

    def block_at(self, height: int) -> Block | None:
        if not self.genesis_height < height <= self.height:
            return None
        index = height - self._first
        if index >= 0:
            return self.main[index]
        return self.archive(height) if self.archive is not None else None

    def blocks_above(self, height: int) -> list[Block]:
        """Main-chain blocks above `height` (within the blocks kept in memory)."""
        return self.main[max(0, height + 1 - self._first) :]

    def hash_at(self, height: int) -> bytes | None:
        if height == self.genesis_height:
            return self.genesis_hash
        index = height - self.genesis_height - 1
        return self.hashes[index] if 0 <= index < len(self.hashes) else None

    def knows(self, block_hash: bytes, height: int) -> bool:
        """Whether `block_hash` is this node's block at `height` (main chain or a branch)."""
        return block_hash in self.blocks or self.hash_at(height) == block_hash

    def basis(self) -> QuorumBasis:
        """The basis of the next block's quorums."""
        return self.bases[self.tip]

    # -- checking a block against its quorum ------------------------------------------------

    def check_signatures(self, block: Block, basis: QuorumBasis) -> None:
        """`Rejected` unless `block` was made by its round's quorum (see the docstring)."""
        quorum = basis.quorum(block.round)
        if quorum is None:
            raise Rejected(f"no quorum for height {block.height}: too few active nodes")
        if block.producer != quorum.producer:
            raise Rejected(f"block {block.height} round {block.round}: not its producer")
        statement = block_statement(block)
        if not self.verifier.valid(block.producer, statement, block.producer_signature):
            raise Rejected(f"block {block.height}: bad producer signature")
        allowed = set(quorum.validators)
        if not set(block.validators) <= allowed or len(block.validators) < quorum.threshold:
            raise Rejected(f"block {block.height}: validator set is not of its quorum")
        named = set(block.validators)
        signers = set()
        for sig in block.signatures:
            if sig.validator not in named or sig.validator in signers:
                raise Rejected(f"block {block.height}: signature by a key it does not name")
            if not self.verifier.valid(sig.validator, statement, sig.signature):
                raise Rejected(f"block {block.height}: bad validator signature")
            signers.add(sig.validator)
        if len(signers) < quorum.threshold:
            raise Rejected(
                f"block {block.height}: {len(signers)} signatures, {quorum.threshold} needed"
            )
        block_hash = block.hash()
        for sig in block.signatures:
            self.note_signature(sig.validator, block, block_hash, sig.signature)
        self.note_signature(block.producer, block, block_hash, block.producer_signature)

    def note_signature(
        self, signer: bytes, block: Block, block_hash: bytes, signature: bytes
    ) -> Evidence | None:
        """Remember a verified signature by `signer` over `block_hash`, a block of `block`'s
        (height, round, parent); a second one over another block of the same slot is evidence
        of equivocation (recorded and returned)."""
        slot = (signer, block.height, block.round, block.prev_hash)
        mine = (block_hash, signature)
        seen = self._signed.setdefault(slot, mine)
        if seen[0] == mine[0]:
            return None
        evidence = Evidence(signer, block.height, block.round, block.prev_hash, seen, mine)
        if evidence not in self.evidence:
            self.evidence.append(evidence)
            if self._on_evidence is not None:
                self._on_evidence(evidence)
        return evidence

    def _apply(self, block: Block) -> None:
        basis = self.bases.get(block.prev_hash)
        if basis is None or block.prev_hash != self.tip:
            raise Rejected(f"block {block.height} does not follow the tip")
        self.check_signatures(block, basis)
        self._extend(block)

    def restore(self, block: Block) -> None:
        """Apply a block this node accepted before (replaying its store at start): the ledger
        checks the state hash; the signatures were checked when it was accepted."""
        if block.prev_hash != self.tip:
            raise Rejected(f"stored block {block.height} does not follow the tip")
        self._extend(block)

    def _extend(self, block: Block) -> None:
        try:
            basis = self.access.apply(self.tip, block)
        except InvalidBlock as error:
            raise Rejected(str(error)) from None
        block_hash = basis.parent
        self.main.append(block)
        self.hashes.append(block_hash)
        if self.archive is not None and len(self.main) > 2 * self.keep_blocks:
            drop = len(self.main) - self.keep_blocks
            del self.main[:drop]
            self._first += drop
        self.blocks[block_hash] = block
        self.bases[block_hash] = basis
        old = self.hash_at(self.height - BASES_KEPT)
        if old is not None and old != self.genesis_hash:
            self.bases.pop(old, None)

    # -- adding blocks -------------------------------------------------------------------------

    def add(self, block: Block) -> AddResult:
        """Take a block from anywhere: extend the tip, store it on a branch (and switch if the
        branch now wins), or `Rejected` with the reason."""
        block_hash = block.hash()
        if block_hash in self.blocks or block.height <= self.immutable_height():
            return AddResult()
        if block.prev_hash == self.tip:
            self._apply(block)
            return AddResult(extended=[block])
        parent = self.blocks.get(block.prev_hash)
        if parent is None and block.prev_hash != self.genesis_hash:
            raise Rejected(f"block {block.height}: unknown parent")
        if block.height != (parent.height + 1 if parent else self.genesis_height + 1):
            raise Rejected(f"block {block.height}: height does not follow its parent")
        self.blocks[block_hash] = block
        return self._consider(block)

    def _branch(self, tip: Block) -> tuple[int, list[Block]]:
        """(fork height, the branch's blocks above it in order) for a stored block."""
        branch = [tip]
        while True:
            prev = branch[-1].prev_hash
            if self.hash_at(branch[-1].height - 1) == prev:
                branch.reverse()
                return branch[0].height - 1, branch
            parent = self.blocks.get(prev)
            if parent is None:
                raise Rejected("a branch that does not reach the main chain")
            branch.append(parent)

    def _consider(self, tip: Block) -> AddResult:
        fork, branch = self._branch(tip)
        if fork < self.immutable_height():
            raise Rejected(f"a branch forking at {fork}, below the immutable height")
        main = self.blocks_above(fork)
        if not self._better(branch, main, fork):
            return AddResult(stored=True)
        return self._switch(fork, branch, main)

    def _checkpointed(self, blocks: Iterable[Block], fork: int) -> int:
        basis = self.bases.get(self.hash_at(fork) or b"")
        voters = set(basis.order) if basis else set()
        count = 0
        for block in blocks:
            ballots = self.votes.get(block.height, {}).get(block.hash(), {})
            needed = self._needed(block)
            if needed and len(voters.intersection(ballots)) >= needed:
                count += 1
        return count

    def _needed(self, block: Block) -> int:
        if block.height % self.rules.checkpoint_interval:
            return 0
        basis = self.bases.get(block.hash()) or self.basis()
        return basis.checkpoint()[1]

    def _better(self, branch: list[Block], main: list[Block], fork: int) -> bool:
        ours, theirs = self._checkpointed(main, fork), self._checkpointed(branch, fork)
        if theirs != ours:
            return theirs > ours
        weight = sum(block_weight(b.round) for b in branch)
        return weight > sum(block_weight(b.round) for b in main)

    def _switch(self, fork: int, branch: list[Block], main: list[Block]) -> AddResult:
        self._rewind(len(main))
        applied = []
        try:
            for block in branch:
                self._apply(block)
                applied.append(block)
        except Rejected:
            self._rewind(len(applied))
            for block in main:
                self._apply(block)
            for block in branch[len(applied) :]:
                self.blocks.pop(block.hash(), None)
            raise
        return AddResult(extended=applied, removed=list(reversed(main)))

    def _rewind(self, count: int) -> None:
        if count:
            self.access.rollback(self.tip, count)
            del self.main[len(self.main) - count :]
            del self.hashes[len(self.hashes) - count :]
            self._first = min(self._first, self.height + 1)

    # -- checkpoints and finality --------------------------------------------------------------

    def checkpoint_due(self, height: int) -> bool:
        return height > self.genesis_height and height % self.rules.checkpoint_interval == 0

    def members(self, height: int) -> tuple[frozenset[bytes], int]:
        """Checkpoint members of main-chain height `height` and the votes needed."""
        block_hash = self.hash_at(height)
        basis = self.bases.get(block_hash or b"")
        if basis is None or not self.checkpoint_due(height):
            return frozenset(), 0
        return basis.checkpoint()

    def add_vote(self, vote: CheckpointVote) -> bool:
        """Store a checkpoint vote; True when it is new and valid (worth passing on)."""
        if not self.checkpoint_due(vote.height) or vote.height <= self.immutable_height():
            return False
        ballots = self.votes.setdefault(vote.height, {}).setdefault(vote.block_hash, {})
        if vote.sender in ballots:
            return False
        on_main = vote.height <= self.height and self.hash_at(vote.height) == vote.block_hash
        if on_main and vote.sender not in self.members(vote.height)[0]:
            return False
        if not self.verifier.valid(vote.sender, vote.statement(), vote.signature):
            return False
        if len(self.votes[vote.height]) > 8:
            return False
        ballots[vote.sender] = vote.signature
        return True

    def checkpoint_heights(self) -> list[int]:
        """Main-chain heights whose block has the checkpoint votes it needs, oldest first."""
        heights = []
        for height in sorted(self.votes):
            block_hash = self.hash_at(height)
            if block_hash is None:
                continue
            members, needed = self.members(height)
            ballots = self.votes[height].get(block_hash, {})
            if needed and len(members.intersection(ballots)) >= needed:
                heights.append(height)
        return heights

    def immutable_height(self) -> int:
        heights = self.checkpoint_heights()
        return heights[-2] if len(heights) >= 2 else self.genesis_height

    def votes_for(self, height: int) -> tuple[CheckpointVote, ...]:
        """The members' votes for main-chain block `height` (what is served with it)."""
        block_hash = self.hash_at(height)
        ballots = self.votes.get(height, {}).get(block_hash or b"", {})
        members = self.members(height)[0]
        return tuple(
            CheckpointVote(height, block_hash or b"", k, s)
            for k, s in ballots.items()
            if k in members
        )

    def prune(self) -> None:
        """Forget branches and votes at or below the immutable height."""
        floor = self.immutable_height()
        for block_hash, block in list(self.blocks.items()):
            if block.height <= floor:
                del self.blocks[block_hash]
        for height in [h for h in self.votes if h < floor]:
            del self.votes[height]
        for slot in [s for s in self._signed if s[1] <= floor]:
            del self._signed[slot]
