"""The node's loop: poll the tracker, produce a block, apply it, store it, once per block time.

This is the imperative shell around the pure ledger: every input the ledger sees (the tracker's
events, the pool's reward rate, the contract's node list, uptime decisions) is gathered here
and handed to the local producer (`sesh.ledger.produce_block`), and every block is stored with
the tracker position it consumed, in one transaction (`sesh.node.store`). Production by
quorums (pulse) replaces the local producer in the next layer; the rest stays.

One block, in order:

1. **Poll.** The tracker is polled from the stored position until it has caught up (at most
   ``max_polls_per_block`` polls, each one a consistent view of L2). Retracted events leave the
   producer's view, new ones enter it. When every provider fails, the block is still made, with
   no new events, the previous L2 height and the previous reward rate: the network chain does
   not stop for an L2 outage. Before each poll the node checks that the L2 chain is still the
   one its ledger was built on: the start block (the anchor) and the newest block holding an
   event the ledger has confirmed. If either changed (a devnet started afresh, a rollback
   below what the ledger confirmed), the node stops (``NodeError``): a confirmed event cannot
   be undone. A reorg that only undoes events not yet confirmed retracts them (the producer
   votes against them if pending) and is logged as the rollback deeper than the
   confirmations that it is. A reorg deeper than the tracker remembers, or a provider on
   another chain, stops the node too.
2. **Produce.** The producer's view of L2 is every reported event the ledger has not yet
   confirmed (kept in the store, so that a restart votes the same way); it votes yes on pending
   events it sees and proposes the ones not yet pending. Every ``purge_interval`` blocks it reads
   the contract's node list for purges (node.md §1.4).
3. **Apply** the block to the ledger (in memory).
4. **Store** the block, the position, the change to the event view, the accounts the block
   changed, the status summary, and every ``snapshot_interval`` blocks a ledger snapshot, in one
   SQLite transaction. If that fails, the ledger is rolled back one block and nothing changed.

On start the node restores the newest snapshot at least ``ROLLBACK_DEPTH`` blocks old (so that
historical queries reach as far back as in an uninterrupted run) and replays the stored blocks
after it, checking each one's state hash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sesh.l2.errors import AllProvidersFailed
from sesh.l2.events import L2Event, StakingRequirementUpdated
from sesh.l2.position import BlockRef, TrackerPosition
from sesh.ledger import (
    ROLLBACK_DEPTH,
    Block,
    BlockReceipt,
    Ledger,
    NetworkProfile,
    UptimeDecision,
    produce_block,
)
from sesh.ledger.params import HOUR
from sesh.ledger.snapshot import SnapshotError, encode_snapshot, restore_snapshot
from sesh.ledger.state import ACCOUNTS
from sesh.node.follower import L2Follower, NodeError, Poll, chain_replaced
from sesh.node.status import chain_summary, rewards_summary
from sesh.node.store import BlockWrite, Store

if TYPE_CHECKING:
    from sesh.l2.tracker import Tracker
    from sesh.node.funding import Funding

log = logging.getLogger("sesh.node")

DEFAULT_SNAPSHOT_INTERVAL = 1_000
"""Blocks between ledger snapshots: a restart replays at most this many plus ROLLBACK_DEPTH."""
DEFAULT_MAX_POLLS_PER_BLOCK = 10
"""Tracker polls per block while catching up (each covers up to 100,000 L2 blocks)."""
REPLAY_FROM_GENESIS_LIMIT = 10_000
"""Without a snapshot old enough, a store this short is replayed from genesis; a longer one
starts from its newest snapshot (and answers historical queries only after it)."""
SUMMARY_COST_SHARE = 10
"""The full reward accounting (`conservation`, O(nodes)) for the status summary is recomputed
when the last computation is at least this many times its own cost ago."""


@dataclass(frozen=True, kw_only=True)
class NodeConfig:
    """How this node makes blocks; every setting is given by name."""

    profile: NetworkProfile
    producer: bytes
    """The producer's 32-byte Ed25519 key (the node's identity)."""
    block_time: float | None = None
    """Seconds between blocks; None: the profile's block time. 0 makes blocks back to back."""
    snapshot_interval: int = DEFAULT_SNAPSHOT_INTERVAL
    purge_interval: int | None = None
    """Blocks between reads of the contract's node list; None: an hour of blocks."""
    max_polls_per_block: int = DEFAULT_MAX_POLLS_PER_BLOCK
    start_block: int = 0
    """The first L2 block the tracker reads (the contracts' deployment block, or 0)."""
    halt_height: int | None = None
    """Stop (cleanly) once this block is stored."""

    def __post_init__(self) -> None:
        if len(self.producer) != 32:
            raise ValueError("the producer key is 32 bytes")
        if self.snapshot_interval < 1 or self.max_polls_per_block < 1:
            raise ValueError("snapshot_interval and max_polls_per_block must be positive")
        if self.block_time is not None and self.block_time < 0:
            raise ValueError("block_time must not be negative")

    @property
    def seconds_per_block(self) -> float:
        return float(self.profile.block_time if self.block_time is None else self.block_time)

    @property
    def purge_blocks(self) -> int:
        if self.purge_interval is not None:
            return max(1, self.purge_interval)
        return self.profile.blocks(HOUR)


@dataclass
class StepResult:
    """One stored block."""

    block: Block
    receipt: BlockReceipt
    reported: int
    """Events the tracker reported for this block (before filtering)."""
    retracted: int
    l2_error: str | None = None


@dataclass
class _Conservation:
    last_at: float = -1e18
    cost: float = 0.0
    value: dict[str, Any] = field(default_factory=dict)


__all__ = ["Node", "NodeConfig", "NodeError", "StepResult", "chain_replaced"]


class Node:
    """One node over one store and one tracker; see the module docstring."""

    def __init__(
        self,
        store: Store,
        tracker: Tracker,
        config: NodeConfig,
        *,
        funding: Funding | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.tracker = tracker
        self.config = config
        self.profile = config.profile
        self.funding = funding
        self.clock = clock
        self.wall_clock = wall_clock
        self.ledger: Ledger | None = None
        self.follower = L2Follower(
            tracker,
            config.profile,
            lambda: self.ledger,
            start_block=config.start_block,
            max_polls=config.max_polls_per_block,
            purge_blocks=config.purge_blocks,
        )
        self.decisions: list[UptimeDecision] = []
        """Uptime decisions for the next block (`queue_decisions`)."""
        self._decisions_lock = threading.Lock()
        self._conservation = _Conservation()
        self._load()

    # -- state ---------------------------------------------------------------------------------

    @property
    def height(self) -> int:
        return self.ledger.height if self.ledger is not None else 0

    @property
    def position(self) -> TrackerPosition:
        return self.follower.position

    @property
    def seen(self) -> dict[bytes, L2Event]:
        """The producer's view of L2: reported events the ledger has not confirmed."""
        return self.follower.seen

    @property
    def safe_block(self) -> BlockRef | None:
        return self.follower.safe_block

    def check_l2(self) -> None:
        """At start: the providers serve the configured chain and the store's L2 history is
        still there (`L2Follower.check_l2`)."""
        self.follower.check_l2()

    def _expected_meta(self) -> dict[str, Any]:
        config = self.tracker.config
        return {
            "chainId": config.chain_id,
            "rewardsContract": config.rewards_contract,
            "profile": self.profile.name,
            "profileDigest": "0x" + self.profile.digest.hex(),
        }

    def _load(self) -> None:
        meta = self.store.meta()
        if not meta:
            return
        for key, value in self._expected_meta().items():
            if meta.get(key) != value:
                raise NodeError(
                    f"the store in {self.store.path.parent} belongs to {key} {meta.get(key)!r}, "
                    f"not {value!r}: use another --data-dir (or --fresh to start over)"
                )
        genesis = meta["genesis"]
        self.config = _with_start(self.config, int(meta["startBlock"]))
        anchor = meta.get("l2Anchor")
        if anchor is not None:
            self.follower.anchor = BlockRef(int(anchor[0]), bytes.fromhex(anchor[1][2:]))
        top = self.store.height()
        snapshot = self.store.snapshot(max(top - ROLLBACK_DEPTH, 0))
        if snapshot is None and top > REPLAY_FROM_GENESIS_LIMIT:
            snapshot = self.store.snapshot(top)
        if snapshot is not None:
            height, _, data = snapshot
            try:
                ledger = restore_snapshot(self.profile, data)
            except SnapshotError as error:
                raise NodeError(f"the snapshot at block {height} is unusable: {error}") from None
            stored = self.store.block(height)
            if stored is None or stored.state_hash != ledger.state_hash:
                raise NodeError(f"the snapshot at block {height} does not match its block")
        else:
            requirement = genesis.get("stakingRequirement")
            ledger = Ledger(
                self.profile,
                height=int(genesis["height"]),
                l2_height=int(genesis["l2Height"]),
                initial_reward_rate=int(genesis["initialRewardRate"]),
                staking_requirement=None if requirement is None else int(requirement),
            )
        for stored in self.store.blocks(ledger.height + 1, top):
            receipt = ledger.apply(stored.block())
            if receipt.state_hash != stored.state_hash:
                raise NodeError(
                    f"block {stored.height} does not replay to its stored state hash: the store "
                    "is damaged or was written by an incompatible sesh"
                )
        self.ledger = ledger
        position = self.store.position()
        if position is None or position[0] > top:
            raise NodeError("the stored tracker position is newer than the newest block")
        self.follower.position = position[1]
        self.follower.seen = dict(self.store.events())
        log.info(
            "restored block %d (state %s) from %s",
            top,
            ledger.state_hash.hex()[:16],
            _origin(snapshot),
        )

    # -- one block -----------------------------------------------------------------------------

    def queue_decisions(self, decisions: Iterable[UptimeDecision]) -> None:
        """Uptime decisions for the next block (thread-safe)."""
        with self._decisions_lock:
            self.decisions.extend(decisions)

    def step(self, decisions: Sequence[UptimeDecision] | None = None) -> StepResult | None:
        """Poll, produce, apply and store one block; None when no block could be made yet (the
        first block waits for the pool's reward rate from a successful poll)."""
        if decisions is None:
            with self._decisions_lock:
                decisions, self.decisions = self.decisions, []
        polled = self.follower.poll()
        genesis_meta: dict[str, Any] = {}
        if self.ledger is None:
            if polled.reward_rate is None or polled.safe_block is None:
                log.info("waiting for the L2 chain before the first block (%s)", polled.error)
                return None
            requirement = self._genesis_requirement(polled)
            self.ledger = Ledger(
                self.profile,
                initial_reward_rate=polled.reward_rate,
                staking_requirement=requirement,
            )
            genesis_meta = self._genesis_meta(polled.reward_rate, requirement)
        ledger = self.ledger
        if polled.safe_block is not None:
            self.follower.safe_block = polled.safe_block
        height = ledger.height + 1
        l2_height = polled.position.safe.number if polled.position.safe else ledger.l2_height
        rate = polled.reward_rate if polled.reward_rate is not None else ledger.reward_window[-1]
        seen = polled.seen
        applied = False
        try:
            block = produce_block(
                ledger,
                producer=self.config.producer,
                l2_height=l2_height,
                pool_reward_rate=rate,
                tracker_events=seen.values(),
                decisions=decisions,
                purge_view=self.follower.purge(height, polled.safe_block, seen),
            )
            receipt = ledger.apply(block)
            applied = True
            for resolved in receipt.resolved:
                if resolved.confirmed:
                    seen.pop(resolved.event_id, None)
            # The position holds the events of the reorg window: written only when it moved
            # (and with the first block).
            moved = bool(genesis_meta) or not (
                polled.position is self.position or polled.position == self.position
            )
            write = BlockWrite(
                block=block,
                block_hash=receipt.block_hash,
                state_hash=receipt.state_hash,
                position=polled.position if moved else None,
                events_added=[(k, e) for k, e in seen.items() if k not in self.seen],
                events_removed=[k for k in self.seen if k not in seen],
                accounts=[
                    ledger.accounts[address]
                    for address, _ in ledger.keys_changed_after(ACCOUNTS, height - 1)
                ],
                summary=self._summary(polled, len(seen)),
                snapshot=(
                    encode_snapshot(ledger) if height % self.config.snapshot_interval == 0 else None
                ),
                meta=genesis_meta,
                produced_at=self.wall_clock(),
            )
            self.store.commit_block(write)
        except BaseException:
            if genesis_meta:
                self.ledger = None
            elif applied:
                ledger.rollback(1)
            raise
        self.follower.position = polled.position
        self.follower.seen = seen
        self._log_block(receipt, polled)
        return StepResult(block, receipt, polled.reported, polled.retracted, polled.error)

    def _genesis_requirement(self, polled: Poll) -> int | None:
        """The staking requirement the ledger starts from: the contract's at the first safe
        block, since `initialize` sets it without an event. When a StakingRequirementUpdated is
        among the events seen so far, the value before it is unknown without reading history
        (which providers may not keep): start from the profile's and say so. None means the
        profile's."""
        if any(isinstance(e, StakingRequirementUpdated) for e in polled.seen.values()):
            log.warning(
                "the staking requirement changed before the first block; starting from the "
                "profile's (%s atomic units)",
                self.profile.staking_requirement,
            )
            return None
        assert polled.safe_block is not None
        try:
            return self.tracker.staking_requirement(polled.safe_block)
        except AllProvidersFailed as error:
            log.warning("could not read the staking requirement (%s); using the profile's", error)
            return None

    def _genesis_meta(self, rate: int, requirement: int | None) -> dict[str, Any]:
        start = self.config.start_block
        anchor: list[Any] | None = None
        try:
            (ref,) = self.tracker.blocks([start])
            if ref is not None:
                anchor = [ref.number, "0x" + ref.hash.hex()]
                self.follower.anchor = ref
        except (AllProvidersFailed, ValueError):
            pass
        return {
            **self._expected_meta(),
            "genesis": {
                "height": 0,
                "l2Height": 0,
                "initialRewardRate": rate,
                "stakingRequirement": requirement,
            },
            "startBlock": start,
            "l2Anchor": anchor,
            "producer": "0x" + self.config.producer.hex(),
        }

    def _summary(self, polled: Poll, seen_count: int) -> dict[str, Any]:
        ledger = self.ledger
        assert ledger is not None
        cache = self._conservation
        now = self.clock()
        if now - cache.last_at >= SUMMARY_COST_SHARE * cache.cost or (
            ledger.height % self.config.snapshot_interval == 0
        ):
            rewards = rewards_summary(ledger)
            cache.cost = self.clock() - now
            cache.last_at = now
            cache.value = rewards
        l2 = {
            "safeHeight": polled.position.safe.number if polled.position.safe else None,
            "nextBlock": polled.position.next_block,
            "latest": polled.latest,
            "provider": polled.provider,
            "error": polled.error,
        }
        return chain_summary(
            ledger,
            produced_at=self.wall_clock(),
            l2=l2,
            unconfirmed_events=seen_count,
            rewards=cache.value,
        )

    def _log_block(self, receipt: BlockReceipt, polled: Poll) -> None:
        resolved = receipt.resolved
        changes = len(receipt.proposals) + len(resolved) + len(receipt.decisions)
        if changes or polled.retracted or receipt.height % 60 == 0:
            log.info(
                "block %d: %d proposed, %d confirmed, %d denied, %d decision(s), reward %d; "
                "L2 %s; state %s",
                receipt.height,
                len(receipt.proposals),
                sum(1 for r in resolved if r.confirmed),
                sum(1 for r in resolved if not r.confirmed),
                len(receipt.decisions),
                receipt.reward,
                polled.position.safe.number if polled.position.safe else "-",
                receipt.state_hash.hex()[:16],
            )

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Make a block every block time until ``stop`` is set or the halt height is stored."""
        interval = self.config.seconds_per_block
        halt = self.config.halt_height
        next_at = self.clock()
        while not stop.is_set():
            if halt is not None and self.height >= halt:
                log.info("halt height %d reached", halt)
                return
            wait = next_at - self.clock()
            if wait > 0:
                stop.wait(wait)
                continue
            result = self.step()
            if self.funding is not None and self.ledger is not None:
                self.funding.after_block(self.height, self.ledger.issued, self.safe_block)
            now = self.clock()
            if result is None:
                next_at = now + max(interval, 1.0)
            else:
                next_at = max(next_at + interval, now - interval)


def _with_start(config: NodeConfig, start_block: int) -> NodeConfig:
    if config.start_block == start_block:
        return config
    return replace(config, start_block=start_block)


def _origin(snapshot: tuple[int, bytes, bytes] | None) -> str:
    return "genesis" if snapshot is None else f"the snapshot at block {snapshot[0]}"
