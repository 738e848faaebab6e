"""The node's view of L2: the tracker polled from a stored position, the events it reported
that the ledger has not confirmed (what this node votes and proposes from), the safe block, the
contract's node list for purges, and the checks that the L2 chain is still the one the ledger
was built on.

A node's view of L2 is its own, not consensus: every node polls its own providers, and the quorum
chain only takes an event that enough producers saw (`sesh.ledger`). So the follower is shared
by every way this node makes blocks, and what it keeps is saved apart from the chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesh.l2.errors import AllProvidersFailed, ChainIdMismatch, ChainMoved, ReorgTooDeep
from sesh.l2.events import L2Event, ServiceNodeExit, event_id
from sesh.l2.position import BlockRef, TrackerPosition
from sesh.ledger import Ledger, NetworkProfile, PurgeView
from sesh.ledger.purge import ACTED_ON
from sesh.ledger.state import BlsKey

if TYPE_CHECKING:
    from sesh.l2.tracker import Rollback, Tracker

log = logging.getLogger("sesh.node")

PURGE_RETRY_BLOCKS = 60
TIME_REFRESH = 5.0
"""Seconds between reads of the L2's latest block time (in between, the node's clock runs it
on; a devnet's clock jump is seen within this)."""
"""Blocks before a failed read of the contract's node list is tried again."""


class NodeError(Exception):
    """The node cannot go on (or start): the message is one line, for the operator."""


def check_providers(tracker: Tracker) -> None:
    """Every provider answers and serves the configured chain (`NodeError` otherwise)."""
    try:
        tracker.check_chain()
    except ChainIdMismatch as error:
        raise NodeError(str(error)) from None
    except AllProvidersFailed as error:
        raise NodeError(f"cannot reach an L2 provider: {error}") from None


@dataclass
class Poll:
    """What one round of polls found."""

    position: TrackerPosition
    seen: dict[bytes, L2Event]
    reward_rate: int | None = None
    safe_block: BlockRef | None = None
    latest: int | None = None
    provider: str | None = None
    error: str | None = None
    reported: int = 0
    retracted: int = 0


class L2Follower:
    """The tracker, its position and the events it reported (see the module docstring)."""

    def __init__(
        self,
        tracker: Tracker,
        profile: NetworkProfile,
        ledger: Callable[[], Ledger | None],
        *,
        start_block: int = 0,
        max_polls: int,
        purge_blocks: int,
    ) -> None:
        self.tracker = tracker
        self.profile = profile
        self.ledger = ledger
        self.max_polls = max_polls
        self.purge_blocks = purge_blocks
        self.position: TrackerPosition = tracker.initial_position(start_block)
        self.seen: dict[bytes, L2Event] = {}
        """Reported events the ledger has not confirmed."""
        self.safe_block: BlockRef | None = None
        """The safe block of the last successful poll."""
        self.purge_view: PurgeView | None = None
        self._purge_retry = 0
        """The height from which a failed read of the contract's node list is tried again."""
        self.anchor: BlockRef | None = None
        """The L2 start block as this store first read it: a chain without it is another one."""
        self._behind = False
        """The provider's latest block is below the position (logged once per episode)."""
        self._l2_down = False
        """The last poll failed (an outage is logged when it starts and when it ends)."""
        self.l2_time: tuple[int, float] | None = None
        """(the L2's latest block time, the node's clock when it was read)."""

    def read_time(self, now: float) -> None:
        """Read the L2's latest block time again when the last read is `TIME_REFRESH` seconds
        old (a failure keeps the old one: `l2_now` goes on from it)."""
        if self.l2_time is not None and now - self.l2_time[1] < TIME_REFRESH:
            return
        try:
            self.l2_time = (self.tracker.block_timestamp(self.tracker.head()), now)
        except (AllProvidersFailed, ChainMoved) as error:
            log.debug("cannot read the L2's time: %s", error)

    def l2_now(self, now: float) -> int | None:
        """The L2's "now", which the contract measures a signature's age by: its latest block
        time as last read, advanced by the node's clock since (None before the first read)."""
        if self.l2_time is None:
            return None
        timestamp, read_at = self.l2_time
        return timestamp + max(0, int(now - read_at))

    def check_l2(self) -> None:
        """At start: every provider serves the configured chain, and the L2 history the store
        was built on is still there (a devnet started afresh has other blocks at the same
        numbers). Each block checks the history again (`check_history`)."""
        check_providers(self.tracker)
        self.check_history(reachable=True)

    def confirmed_block(self) -> BlockRef | None:
        """The newest L2 block holding an event the ledger has confirmed, among the blocks the
        tracker's position remembers (older ones are below its floor: ``ReorgTooDeep``)."""
        ledger = self.ledger()
        if ledger is None:
            return None
        for event in reversed(self.position.events):
            if event_id(event) in ledger.confirmed:
                return BlockRef(event.origin.block_number, event.origin.block_hash)
        return None

    def check_history(self, *, reachable: bool = False) -> None:
        """Raise `NodeError` when the L2 chain is no longer the one the ledger was built on:
        the anchor (the start block) or the newest block with a confirmed event has another
        hash now. The anchor missing means another chain too (a fresh devnet is short); a
        confirmed block missing may be a provider behind, so only a changed one stops the node.
        An unreachable L2 is an outage (`NodeError` only with ``reachable``, at start)."""
        confirmed = self.confirmed_block()
        wanted = [b for b in (self.anchor, confirmed) if b is not None]
        if not wanted:
            return
        try:
            found = self.tracker.blocks([b.number for b in wanted])
        except AllProvidersFailed as error:
            if reachable:
                raise NodeError(f"cannot reach an L2 provider: {error}") from None
            return
        if len(found) != len(wanted):
            return  # a malformed answer; the poll will fail over
        for expected, now in zip(wanted, found, strict=True):
            if expected is self.anchor and (now is None or now.hash != expected.hash):
                raise NodeError(chain_replaced(expected.number))
            if now is not None and now.hash != expected.hash:
                raise NodeError(
                    f"L2 block {expected.number} holds an event the ledger has confirmed, and "
                    f"the chain has another block there now: it rolled back deeper than the "
                    f"{self.tracker.config.confirmations} confirmations (or was replaced) and a "
                    "confirmed event cannot be undone; use another --data-dir (or --fresh to "
                    "start over)"
                )

    def poll(self) -> Poll:
        polled = Poll(self.position, dict(self.seen))
        chain_id = self.profile.l2_chain_id
        self.check_history()
        for _ in range(self.max_polls):
            try:
                result = self.tracker.poll(polled.position)
            except (AllProvidersFailed, ChainMoved) as error:
                polled.error = str(error)
                if not self._l2_down:
                    log.warning(
                        "L2 poll failed; blocks go on without new L2 events until it answers "
                        "(said once): %s",
                        error,
                    )
                self._l2_down = True
                break
            except ReorgTooDeep as error:
                raise NodeError(str(error)) from None
            except ChainIdMismatch as error:
                raise NodeError(str(error)) from None
            if self._l2_down:
                log.info("L2 answers again (%s)", result.provider)
                self._l2_down = False
            if result.rollback is not None:
                self._rolled_back(result.rollback, result.retracted)
            self._check_behind(result.position, result.latest)
            polled.position = result.position
            polled.latest = result.latest
            polled.provider = result.provider
            if result.safe_block is not None:
                polled.safe_block = result.safe_block
            if result.reward_rate is not None:
                polled.reward_rate = result.reward_rate
            for event in result.retracted:
                polled.seen.pop(event_id(event), None)
            for event in result.events:
                if isinstance(event, ACTED_ON) and event.origin.chain_id == chain_id:
                    polled.seen[event_id(event)] = event
            polled.reported += len(result.events)
            polled.retracted += len(result.retracted)
            if result.caught_up:
                break
        return polled

    def _rolled_back(self, rollback: Rollback, retracted: Sequence[L2Event]) -> None:
        """A reorg under the position: every one is below the safe block, so deeper than the
        confirmations. Events the ledger has confirmed cannot be taken back: stop."""
        confirmations = self.tracker.config.confirmations
        ledger = self.ledger()
        confirmed = ledger.confirmed if ledger is not None else {}
        lost = [e for e in retracted if event_id(e) in confirmed]
        survivor = (
            f"block {rollback.survivor} survived"
            if rollback.survivor is not None
            else "none of the blocks it had read survived"
        )
        where = (
            f"the L2 chain rolled back: block {rollback.changed} is no longer the one this node "
            f"read, {survivor} (up to {rollback.depth} of the blocks up to {rollback.read_up_to} "
            f"undone), deeper than the {confirmations} confirmations"
        )
        if lost:
            raise NodeError(
                f"{where}; it undid {len(lost)} event(s) the ledger has confirmed (the newest "
                f"in L2 block {lost[0].origin.block_number}), which cannot be taken back: the L2 "
                "chain was reset or replaced; use another --data-dir (or --fresh to start over)"
            )
        log.warning("%s; %d reported event(s) retracted", where, len(retracted))

    def _check_behind(self, position: TrackerPosition, latest: int) -> None:
        """Say once when the provider's chain is shorter than what the node has read: a
        rollback deeper than the confirmations, or a provider behind."""
        safe = position.safe.number if position.safe is not None else None
        behind = safe is not None and latest < safe
        if behind and not self._behind:
            log.warning(
                "the L2 chain's latest block %d is below block %s, the newest this node has "
                "read: either it rolled back deeper than the %d confirmations or the provider "
                "is behind; no new L2 events until it has blocks to compare",
                latest,
                safe,
                self.tracker.config.confirmations,
            )
        elif self._behind and not behind:
            log.info("the L2 chain has caught up with the block this node had read")
        self._behind = behind

    def purge(
        self, height: int, safe: BlockRef | None, seen: dict[bytes, L2Event]
    ) -> PurgeView | None:
        """The contract's node list for purges, re-read every `purge_blocks` blocks, plus the
        keys it must not purge: nodes whose exit the tracker reported or the ledger has pending
        (their exit removes them, stake and all), and nodes registered after the list was read."""
        ledger = self.ledger()
        assert ledger is not None
        missing = self.purge_view is None and height >= self._purge_retry
        if safe is not None and (missing or height % self.purge_blocks == 0):
            try:
                nodes = self.tracker.contract_nodes(safe)
                self.purge_view = PurgeView(safe.number, frozenset(nodes.values()))
            except (AllProvidersFailed, ChainMoved) as error:
                self._purge_retry = height + PURGE_RETRY_BLOCKS
                log.warning("cannot read the contract's node list: %s", error)
        view = self.purge_view
        if view is None:
            return None
        keep: set[BlsKey] = set()
        for event in seen.values():
            if isinstance(event, ServiceNodeExit):
                keep.add(event.bls_pubkey)
        for pending in ledger.pending.values():
            if isinstance(pending.item, ServiceNodeExit):
                keep.add(pending.item.bls_pubkey)
        for node in ledger.nodes.values():
            if node.registration_l2_height > view.l2_height:
                keep.add(node.bls_pubkey)
        if not keep:
            return view
        return PurgeView(view.l2_height, view.contract_keys | keep)


def chain_replaced(number: int) -> str:
    """The error for a store whose L2 start block is not on the chain (at start or later)."""
    return (
        f"L2 block {number} is not the one this store was synced from: the L2 chain was "
        "reset or replaced; use another --data-dir (or --fresh to start over)"
    )
