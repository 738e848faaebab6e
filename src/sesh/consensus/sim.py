"""The network in one process: many `ConsensusNode`s over a simulated transport and clock.

No sleeping and no sockets: a priority queue of timed deliveries and wake-ups, a seeded random
generator for latency, loss and every node's random values, so a run is replayable from its
seed. Faults are injected by the test: nodes stopped and started (`stop`, `start`), a partition
into groups (`partition`, `heal`), message loss and delay, and a node's outgoing messages
rewritten (`tamper`) to make it lie. Each node keeps its own ledger; honest nodes share one
signature `Verifier`, so a signature is checked once for the whole network.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from nacl.signing import SigningKey

from sesh.consensus.chain import Chain
from sesh.consensus.engine import Action, ConsensusNode, Send, Timing
from sesh.consensus.messages import Message, Verifier
from sesh.consensus.quorum import QuorumBasis
from sesh.consensus.sizes import QuorumRules
from sesh.consensus.wire import encode
from sesh.l2.events import Contributor, L2Origin, NewServiceNode
from sesh.ledger import DEVNET, Block, InvalidBlock, Ledger, NetworkProfile, genesis_ledger

SIM_PROFILE = replace(DEVNET, name="sim", block_time=2)
"""The devnet's rules with 2-second blocks."""

GENESIS_TIME = 1_000_000


def seeded_registrations(keys: list[SigningKey], profile: NetworkProfile) -> list[NewServiceNode]:
    """One seeded registration per key: one contributor staking the full requirement."""
    out = []
    for i, key in enumerate(keys, start=1):
        address = f"0x{i:040x}"
        out.append(
            NewServiceNode(
                origin=L2Origin(profile.l2_chain_id, 1, bytes(32), i),
                service_node_id=i,
                initiator=address,
                bls_pubkey=(i, i),
                ed25519_pubkey=int.from_bytes(bytes(key.verify_key), "big"),
                ed25519_signature=b"",
                fee=0,
                contributors=(Contributor(address, address, profile.staking_requirement),),
                seeded=True,
            )
        )
    return out


Tamper = Callable[[list[Action]], list[Action]]


@dataclass
class Stats:
    delivered: int = 0
    dropped: int = 0
    bytes_by_kind: dict[str, int] | None = None


class Simulation:
    """`n` nodes from one seeded genesis (see the module docstring)."""

    def __init__(
        self,
        n: int,
        seed: int = 0,
        *,
        profile: NetworkProfile = SIM_PROFILE,
        rules: QuorumRules | None = None,
        latency: tuple[float, float] = (0.002, 0.02),
        loss: float = 0.0,
        share_state: bool | None = None,
        measure_bytes: bool = False,
    ) -> None:
        """`share_state`: one `SharedLedger` for all nodes (default: above 50 nodes, where a
        ledger each would not fit in memory); private ledgers otherwise."""
        self.rng = random.Random(seed)
        self.profile = profile
        self.rules = rules or QuorumRules()
        self.timing = Timing.for_block_time(profile.block_time)
        self.latency = latency
        self.loss = loss
        self.now = float(GENESIS_TIME)
        self.keys = [SigningKey(self.rng.randbytes(32)) for _ in range(n)]
        self.registrations = seeded_registrations(self.keys, profile)
        self.verifier = Verifier()
        self.shared: SharedLedger | None = None
        if share_state if share_state is not None else n > 50:
            self.shared = SharedLedger(self.genesis(), self.rules)
        self.nodes = [self.make_node(i) for i in range(n)]
        self.index = {node.pubkey: i for i, node in enumerate(self.nodes)}
        self.down: set[int] = set()
        self.groups: list[set[int]] | None = None
        self.tamper: dict[int, Tamper] = {}
        self.messages = 0
        self.dropped = 0
        self.sent_by_kind: dict[str, int] = {}
        self.bytes_by_kind: dict[str, int] = {}
        """With `measure_bytes`: the wire payload bytes sent, by message type."""
        self.measure_bytes = measure_bytes
        self._queue: list[tuple[float, int, int, bytes | None, Message | None]] = []
        self._seq = 0
        self._wake: dict[int, float] = {}
        for i in range(n):
            self._schedule_tick(i, self.now)

    def genesis(self) -> Ledger:
        return genesis_ledger(self.profile, self.registrations, timestamp=GENESIS_TIME)

    def make_node(self, i: int) -> ConsensusNode:
        if self.shared is not None:
            chain = Chain(self.shared.ledger, self.rules, self.verifier, access=self.shared)
        else:
            chain = Chain(self.genesis(), self.rules, self.verifier)
        node_rng = random.Random(self.rng.random())
        return ConsensusNode(self.keys[i], chain, self.timing, random_bytes=node_rng.randbytes)

    # -- faults --------------------------------------------------------------------------------

    def stop(self, *indexes: int) -> None:
        self.down.update(indexes)

    def start(self, *indexes: int) -> None:
        for i in indexes:
            self.down.discard(i)
            self._schedule_tick(i, self.now)

    def partition(self, *groups: set[int]) -> None:
        self.groups = [set(g) for g in groups]

    def heal(self) -> None:
        self.groups = None

    def _linked(self, a: int, b: int) -> bool:
        if self.groups is None:
            return True
        return any(a in g and b in g for g in self.groups)

    # -- the event loop -------------------------------------------------------------------------

    def _push(self, at: float, target: int, sender: bytes | None, message: Message | None) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (at, self._seq, target, sender, message))

    def _schedule_tick(self, i: int, at: float) -> None:
        if self._wake.get(i, float("inf")) <= at and self._wake.get(i, 0) > self.now:
            return
        self._wake[i] = at
        self._push(at, i, None, None)

    def _send(self, source: int, actions: list[Action]) -> None:
        if source in self.tamper:
            actions = self.tamper[source](actions)
        sender = self.nodes[source].pubkey
        for action in actions:
            name = type(action.message).__name__
            if isinstance(action, Send):
                targets = [self.index[action.to]] if action.to in self.index else []
            else:
                targets = [i for i in range(len(self.nodes)) if i != source]
            self.sent_by_kind[name] = self.sent_by_kind.get(name, 0) + len(targets)
            if self.measure_bytes:
                size = len(encode(action.message)[1]) * len(targets)
                self.bytes_by_kind[name] = self.bytes_by_kind.get(name, 0) + size
            for target in targets:
                self.messages += 1
                if not self._linked(source, target) or self.rng.random() < self.loss:
                    self.dropped += 1
                    continue
                delay = self.rng.uniform(*self.latency)
                self._push(self.now + delay, target, sender, action.message)

    def run(self, seconds: float) -> None:
        """Advance the simulated clock by `seconds`, delivering everything due."""
        end = self.now + seconds
        while self._queue and self._queue[0][0] <= end:
            at, _, target, sender, message = heapq.heappop(self._queue)
            self.now = at
            if target in self.down:
                continue
            node = self.nodes[target]
            if message is None:
                if self._wake.get(target) != at:
                    continue
                actions = node.tick(at)
            else:
                assert sender is not None
                actions = node.receive(sender, message, at)
            self._send(target, actions)
            self._schedule_tick(target, node.next_wakeup(self.now))
        self.now = end

    def run_until_height(self, height: int, limit: float = 3600.0) -> bool:
        """Run until every running node is at `height` or beyond (False on `limit` seconds)."""
        end = self.now + limit
        while self.now < end:
            if all(self.nodes[i].chain.height >= height for i in self.up()):
                return True
            self.run(self.timing.block_time / 2)
        return False

    def up(self) -> list[int]:
        return [i for i in range(len(self.nodes)) if i not in self.down]

    # -- what everyone sees --------------------------------------------------------------------

    def agree(self, indexes: list[int] | None = None) -> bool:
        """Every node (of `indexes`) has the same block and state hash at every common height."""
        chosen = [self.nodes[i] for i in (self.up() if indexes is None else indexes)]
        low = min(n.chain.height for n in chosen)
        for node in chosen:
            if node.chain.hash_at(low) != chosen[0].chain.hash_at(low):
                return False
        return len({n.chain.ledger.state_hash for n in chosen if n.chain.height == low}) <= 1


class SharedLedger:
    """`LedgerAccess` shared by every node of a simulation: one ledger, moved (by its journal)
    to whichever tip a node asks about, and every block applied once for the whole network.
    Sound because a block's state is a function of the block alone (its hash names its parent):
    nodes that share it agree on states by construction, so tests of agreement between ledgers
    use private ones (`Simulation(share_state=False)`)."""

    def __init__(self, ledger: Ledger, rules: QuorumRules) -> None:
        self.ledger = ledger
        self.rules = rules
        self.blocks: dict[bytes, Block] = {}
        self.bases: dict[bytes, QuorumBasis] = {}
        self.invalid: dict[bytes, str] = {}
        self.applied = 0

    def at(self, tip: bytes) -> Ledger:
        self._move(tip)
        return self.ledger

    def apply(self, tip: bytes, block: Block) -> QuorumBasis:
        block_hash = block.hash()
        known = self.bases.get(block_hash)
        if known is not None:
            return known
        if block_hash in self.invalid:
            raise InvalidBlock(self.invalid[block_hash])
        self._move(tip)
        try:
            self.ledger.apply(block)
        except InvalidBlock as error:
            self.invalid[block_hash] = str(error)
            raise
        self.applied += 1
        self.blocks[block_hash] = block
        basis = QuorumBasis.of(self.ledger, self.rules)
        self.bases[block_hash] = basis
        return basis

    def rollback(self, tip: bytes, count: int) -> None:
        """Nothing to undo: each node's chain keeps its own tip, and `at` moves the ledger."""

    def basis(self, tip: bytes) -> QuorumBasis:
        known = self.bases.get(tip)
        if known is None:
            known = self.bases[tip] = QuorumBasis.of(self.at(tip), self.rules)
        return known

    def _move(self, target: bytes) -> None:
        """Roll the ledger back to the common ancestor of its tip and `target`, then apply the
        blocks from there to `target`."""
        ledger = self.ledger
        if ledger.block_hash == target:
            return
        depth_of = {}
        cursor = ledger.block_hash
        for depth in range(ledger.rollback_depth + 1):
            depth_of[cursor] = depth
            block = self.blocks.get(cursor)
            if block is None:
                break
            cursor = block.prev_hash
        path: list[Block] = []
        cursor = target
        while cursor not in depth_of:
            block = self.blocks.get(cursor)
            if block is None:
                raise InvalidBlock("a state the shared ledger cannot reach")
            path.append(block)
            cursor = block.prev_hash
        ledger.rollback(depth_of[cursor])
        for block in reversed(path):
            ledger.apply(block)
