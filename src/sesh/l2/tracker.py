"""The L2 tracker: the rewards contract's events, reported once each and only when safe.

``Tracker.poll(position)`` reads the chain through ``Providers`` and returns a ``PollResult``:
the events confirmed since ``position`` (in chain order), the events it had reported that a
reorg has since undone (newest first), the reward rate, and the new position. It stores
nothing: the node keeps the position with the block that uses the events, in one transaction.

What a poll guarantees:

* **Safe height.** Events are reported only from blocks at or below ``latest −
  confirmations``. Contract reads (a seeded node's contributors, the reward rate, the node
  list) are made at that safe block, by hash, never at old blocks: most providers, anvil
  included, keep little history.
* **Exactly once.** A poll covers the blocks after ``position`` up to the safe block (at most
  ``max_blocks_per_poll`` of them: a long sync is a series of polls, each one committable).
  The logs come from one provider, in ranges of ``log_batch_blocks`` (halved on a provider's
  error, down to one block), and are checked: ours, in range, in order, no duplicates. The
  safe block's hash is read before and after: if it changed, the chain moved under the poll,
  nothing is reported (``ChainMoved``) and the poll is tried again.
* **Reorgs.** The position remembers the hash of every block it reported events from and of
  the last block of recent polls (the window: ``reorg_window`` blocks). Each poll first reads
  the newest of them; if its hash changed, a binary search over the others finds the newest
  one that survives, every event reported above it is retracted, and the poll resyncs from
  there; ``PollResult.rollback`` says how far. Every such reorg went below the safe block, so
  it was deeper than the confirmations: the caller decides whether it can undo what it built
  on the retracted events. A reorg below the window raises ``ReorgTooDeep``: the node must
  resync.
* **Failure.** Any provider failure or malformed answer moves the poll to the next provider,
  from the same position; when all fail, ``AllProvidersFailed`` and the position is unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from sesh.l2.decode import (
    Log,
    SeededServiceNode,
    complete_seeded,
    complete_seeded_from_call,
    decode_log,
    parse_log,
)
from sesh.l2.errors import (
    ChainMoved,
    MalformedAnswer,
    MalformedLog,
    ProviderError,
    ReorgTooDeep,
    RpcError,
    SeededNodeUnreadable,
)
from sesh.l2.events import L2Event, NewServiceNode, normalize_address
from sesh.l2.position import BlockRef, TrackerPosition
from sesh.l2.providers import L2Reader, Providers
from sesh.l2.views import (
    FOUNDATION_POOL,
    PAGE_SIZE,
    REWARD_RATE,
    SERVICE_NODE_IDS_PAGE,
    SERVICE_NODES,
    STAKING_REQUIREMENT,
    call_data,
    decode_address,
    decode_ids_page,
    decode_service_node,
    decode_uint256,
)

DEFAULT_CONFIRMATIONS = 280
"""Blocks between the chain's tip and the newest block whose events are reported: the
reference's ``L2_TRACKER_SAFE_BLOCKS``, 70 s of Arbitrum blocks. A node takes its profile's
(``NetworkProfile.l2_confirmations``)."""
DEFAULT_LOG_BATCH_BLOCKS = 1_000
"""Blocks per ``eth_getLogs`` request (the reference's ``l2-max-logs``): public providers
refuse wider ranges or answers with too many logs."""
DEFAULT_MAX_BLOCKS_PER_POLL = 100_000
"""A poll stops after this many blocks, so that a long initial sync commits its progress
every hundred requests instead of all at the end."""
DEFAULT_REORG_WINDOW = 16_800
"""Blocks of memory for reorgs: the reference's ``HIST_SIZE`` (70 minutes of Arbitrum), far
beyond any reorg Arbitrum has seen, and four times the default safe depth."""
MOVED_RETRIES = 3
"""Polls tried again at once when the chain moves under them."""


@dataclass(frozen=True)
class TrackerConfig:
    """What to track and how carefully."""

    chain_id: int
    rewards_contract: str
    """The ServiceNodeRewards proxy."""
    reward_rate_pool: str | None = None
    """The RewardRatePool proxy; None: read ``foundationPool()`` from the rewards contract."""
    confirmations: int = DEFAULT_CONFIRMATIONS
    log_batch_blocks: int = DEFAULT_LOG_BATCH_BLOCKS
    max_blocks_per_poll: int = DEFAULT_MAX_BLOCKS_PER_POLL
    reorg_window: int = DEFAULT_REORG_WINDOW
    read_reward_rate: bool = True
    """Read ``rewardRate()`` at the safe block on every poll (one call)."""

    def __post_init__(self) -> None:
        for name in ("log_batch_blocks", "max_blocks_per_poll", "reorg_window"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.confirmations < 0:
            raise ValueError("confirmations must not be negative")
        object.__setattr__(self, "rewards_contract", normalize_address(self.rewards_contract))
        if self.reward_rate_pool is not None:
            object.__setattr__(self, "reward_rate_pool", normalize_address(self.reward_rate_pool))


@dataclass(frozen=True)
class Rollback:
    """A reorg a poll found under its position: blocks the tracker had already read (all at
    least ``confirmations`` deep when read) are no longer the chain's."""

    read_up_to: int
    """The position's safe block before the poll: the newest block it had read."""
    changed: int
    """The oldest remembered block that is no longer on the chain (the fork point is at or
    below it)."""
    survivor: int | None
    """The newest remembered block still on the chain; None: none since the start block."""

    @property
    def depth(self) -> int:
        """Blocks of what the tracker had read that are gone, at most: ``read_up_to`` down to
        just above ``survivor``."""
        return self.read_up_to - (self.survivor if self.survivor is not None else -1)


@dataclass(frozen=True)
class PollResult:
    """One poll's answer; apply ``retracted`` before ``events``."""

    position: TrackerPosition
    """Store this with the events (in one transaction) and pass it to the next poll."""
    events: tuple[L2Event, ...]
    """Newly confirmed events, in chain order (block, then log index)."""
    retracted: tuple[L2Event, ...]
    """Events reported by earlier polls that a reorg undid, newest first."""
    latest: int
    """The provider's latest block number."""
    safe_block: BlockRef | None
    """The block at ``latest − confirmations``, where the reads were made (None when the chain
    is shorter than the confirmations, or the provider is behind the position)."""
    reward_rate: int | None
    """``rewardRate()`` of the pool at ``safe_block`` (None without a safe block, or when
    ``read_reward_rate`` is off)."""
    caught_up: bool
    """Nothing more to read now (the position has reached the safe block, or the provider
    has nothing past the position yet): poll again after new blocks, not at once."""
    provider: str
    """The provider that answered."""
    rollback: Rollback | None = None
    """The reorg this poll found under the position (its events are ``retracted``)."""


class Tracker:
    """Polls the rewards contract's events; see the module docstring."""

    def __init__(self, providers: Providers | L2Reader, config: TrackerConfig) -> None:
        if not isinstance(providers, Providers):
            providers = Providers([providers], config.chain_id)
        if providers.chain_id != config.chain_id:
            raise ValueError("the providers and the tracker expect different chain ids")
        self.providers = providers
        self.config = config
        self._pool: str | None = config.reward_rate_pool

    def initial_position(self, start_block: int = 0) -> TrackerPosition:
        """Where a node without L2 state starts: ``start_block`` is the first block to read
        (the block the contracts were deployed in, or 0)."""
        return TrackerPosition(self.config.chain_id, start_block=start_block)

    def check_chain(self) -> None:
        """Check every provider's chain id now (``ChainIdMismatch``); polls check each provider
        before its first use anyway, this makes a bad configuration fail at start."""
        self.providers.check_chain_id()

    # -- polling ---------------------------------------------------------------------------------

    def poll(self, position: TrackerPosition) -> PollResult:
        """What changed since ``position``; see the module docstring. Raises
        ``AllProvidersFailed``, ``ChainMoved`` (after retries), ``ReorgTooDeep``,
        ``ChainIdMismatch``; in every case nothing was reported."""
        if position.chain_id != self.config.chain_id:
            raise ValueError(
                f"a position on chain {position.chain_id}, a tracker of chain "
                f"{self.config.chain_id}"
            )
        for attempt in range(MOVED_RETRIES):
            try:
                return self.providers.run(lambda reader: self._poll(reader, position))
            except ChainMoved:
                if attempt == MOVED_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _poll(self, reader: L2Reader, position: TrackerPosition) -> PollResult:
        config = self.config
        latest = reader.block_number()
        position, retracted, settled, rollback = self._reconcile(reader, position, latest)
        safe_number = latest - config.confirmations
        if not settled or safe_number < 0:
            # Nothing to read yet: the chain is shorter than the confirmations, or the provider
            # has not reached the position's last block.
            return PollResult(
                position, (), retracted, latest, None, None, True, reader.name, rollback
            )

        first = position.next_block
        last = min(safe_number, first + config.max_blocks_per_poll - 1)
        numbers = [safe_number] if last == safe_number else [safe_number, last]
        heads = _require_blocks(reader, numbers)
        safe_block, last_block = heads[0], heads[-1]

        events: list[L2Event] = []
        moved = ChainMoved(f"block {safe_number} changed while {reader.name} was read")
        try:
            if last >= first:
                logs = self._logs(reader, first, last)
                events = self._decode(reader, logs, last_block, safe_block)
            rate = self._reward_rate(reader, safe_block) if config.read_reward_rate else None
        except ProviderError:
            # A read at a block that a reorg just removed fails: that is the chain moving,
            # not the provider failing.
            if _require_blocks(reader, numbers) != heads:
                raise moved from None
            raise
        if _require_blocks(reader, numbers) != heads:
            raise moved

        if last >= first:
            position = position.advanced(last_block, events, config.reorg_window)
        return PollResult(
            position=position,
            events=tuple(events),
            retracted=retracted,
            latest=latest,
            safe_block=safe_block,
            reward_rate=rate,
            caught_up=last == safe_number or first > safe_number,
            provider=reader.name,
            rollback=rollback,
        )

    def _reconcile(
        self, reader: L2Reader, position: TrackerPosition, latest: int
    ) -> tuple[TrackerPosition, tuple[L2Event, ...], bool, Rollback | None]:
        """Check the position against the chain: (the position, rewound past a reorg if there
        was one; the events that undid; whether the chain is known to extend the position; the
        reorg). Not settled when the provider has not reached the position's last block yet."""
        known = [b for b in position.known_blocks() if b.number <= latest]
        if not known:
            # Nothing remembered, or the provider is behind all of it (lagging, or the chain
            # shrank in a reorg): wait until it has blocks to compare.
            return position, (), position.safe is None, None
        top = known[-1]
        if _same(reader, top):
            settled = position.safe is not None and top.number >= position.safe.number
            return position, (), settled, None
        # A reorg below ``top``. Survival is monotone in the height (the known blocks come
        # from one chain), so a binary search finds the newest known block that survived.
        survivor, gone = -1, len(known) - 1
        while gone - survivor > 1:
            middle = (survivor + gone) // 2
            if _same(reader, known[middle]):
                survivor = middle
            else:
                gone = middle
        if survivor >= 0:
            rewound, undone = position.rewound_to(known[survivor])
        elif position.floor is None:
            rewound, undone = position.rewound_to(None)  # everything since the start block
        else:
            raise ReorgTooDeep(position.floor.number, latest)
        rollback = Rollback(
            read_up_to=position.safe.number if position.safe is not None else top.number,
            changed=known[gone].number,
            survivor=known[survivor].number if survivor >= 0 else None,
        )
        return rewound, undone, True, rollback

    # -- logs ------------------------------------------------------------------------------------

    def _logs(self, reader: L2Reader, first: int, last: int) -> list[Log]:
        step = self.config.log_batch_blocks
        logs: list[Log] = []
        for start in range(first, last + 1, step):
            end = min(last, start + step - 1)
            for raw in self._raw_logs(reader, start, end):
                log = parse_log(raw)
                if log.removed:
                    continue  # not on the chain (eth_getLogs should never say so)
                if log.address != self.config.rewards_contract:
                    raise MalformedLog(f"a log of {log.address}, not of the rewards contract")
                if not start <= log.block_number <= end:
                    raise MalformedLog(
                        f"a log of block {log.block_number} in an answer for {start}…{end}"
                    )
                logs.append(log)
        logs.sort(key=lambda log: (log.block_number, log.log_index))
        for before, after in itertools.pairwise(logs):
            if before.block_number != after.block_number:
                continue
            if before.log_index == after.log_index:
                raise MalformedLog(f"log {after.log_index} of block {after.block_number} twice")
            if before.block_hash != after.block_hash:
                raise MalformedLog(f"two hashes for block {after.block_number}")
        return logs

    def _raw_logs(self, reader: L2Reader, start: int, end: int) -> list[object]:
        """The logs of blocks ``start``…``end``; a range the provider refuses (too many logs,
        too wide) is halved, down to single blocks."""
        try:
            return reader.logs(self.config.rewards_contract, start, end)
        except RpcError:
            if start == end:
                raise
        middle = (start + end) // 2
        return self._raw_logs(reader, start, middle) + self._raw_logs(reader, middle + 1, end)

    def _decode(
        self, reader: L2Reader, logs: Sequence[Log], last: BlockRef, safe: BlockRef
    ) -> list[L2Event]:
        chain_id = self.config.chain_id
        decoded = []
        for log in logs:
            if log.block_number == last.number and log.block_hash != last.hash:
                raise ChainMoved(f"block {last.number} changed while {reader.name} was read")
            event = decode_log(log, chain_id)
            if event is not None:
                decoded.append(event)
        seeded = [e for e in decoded if isinstance(e, SeededServiceNode)]
        completed = self._complete_seeded(reader, seeded, safe) if seeded else {}
        return [completed[id(e)] if isinstance(e, SeededServiceNode) else e for e in decoded]

    def _complete_seeded(
        self, reader: L2Reader, seeded: Sequence[SeededServiceNode], safe: BlockRef
    ) -> dict[int, NewServiceNode]:
        """Seeded nodes with their contributors, read at the safe block (contributors never
        change); a node gone by then is completed by ``_read_gone_seeded``."""
        rewards = self.config.rewards_contract
        answers = reader.calls(
            [(rewards, call_data(SERVICE_NODES, s.service_node_id)) for s in seeded], safe.hash
        )
        completed = {}
        for node, answer in zip(seeded, answers, strict=True):
            record = decode_service_node(answer)
            if record.exists:
                try:
                    completed[id(node)] = complete_seeded(node, record)
                    continue
                except ValueError:
                    raise MalformedAnswer(
                        f"serviceNodes({node.service_node_id}) at block {safe.number} is not "
                        "the node its seeding event names"
                    ) from None
            completed[id(node)] = self._read_gone_seeded(reader, node)
        return completed

    def _read_gone_seeded(self, reader: L2Reader, node: SeededServiceNode) -> NewServiceNode:
        """A seeded node that has left the contract by the safe block: its contributors come
        from the input of the ``seedPublicKeyList`` call that seeded it (transactions are
        kept by every full node), else from the state at its block (only an archive node has
        that when the block is old)."""
        rewards = self.config.rewards_contract
        if node.transaction_hash is not None:
            sent = reader.transaction(node.transaction_hash)
            if (
                sent is not None
                and sent.block_hash == node.origin.block_hash
                and sent.to == rewards
            ):
                try:
                    return complete_seeded_from_call(node, sent.input)
                except (MalformedAnswer, ValueError):
                    pass  # seeded through another contract (a multisig): read the state
        block = node.origin.block_number
        try:
            (answer,) = reader.calls(
                [(rewards, call_data(SERVICE_NODES, node.service_node_id))],
                node.origin.block_hash,
            )
            return complete_seeded(node, decode_service_node(answer))
        except (ProviderError, ValueError) as error:
            raise SeededNodeUnreadable(
                f"seeded node {node.service_node_id} left the contract before the safe block, "
                f"was not seeded by a direct seedPublicKeyList call, and {reader.name} cannot "
                f"read it at block {block}, where it was seeded ({error}); an archive provider "
                "can"
            ) from None

    # -- reads at the safe block ----------------------------------------------------------------

    def _reward_rate(self, reader: L2Reader, at: BlockRef) -> int:
        if self._pool is None:
            (answer,) = reader.calls(
                [(self.config.rewards_contract, call_data(FOUNDATION_POOL))], at.hash
            )
            self._pool = decode_address(answer, FOUNDATION_POOL)
        (answer,) = reader.calls([(self._pool, call_data(REWARD_RATE))], at.hash)
        return decode_uint256(answer, REWARD_RATE)

    def blocks(self, numbers: Sequence[int]) -> list[BlockRef | None]:
        """The blocks at ``numbers`` on the chain now, from one provider (None where it has
        none: the chain is shorter there)."""
        return self.providers.run(lambda reader: reader.blocks(numbers))

    def head(self) -> BlockRef:
        """The provider's latest block."""
        return self.providers.run(
            lambda reader: _require_blocks(reader, [reader.block_number()])[0]
        )

    def block_timestamp(self, at: BlockRef) -> int:
        """The timestamp of block ``at``; ``ChainMoved`` if the provider has no block with its
        hash (a reorg took it)."""

        def read(reader: L2Reader) -> int:
            timestamp = reader.block_timestamp(at.hash)
            if timestamp is None:
                raise ChainMoved(f"block {at.number} is no longer on {reader.name}'s chain")
            return timestamp

        return self.providers.run(read)

    def events_in(self, first: int, last: int, at: BlockRef) -> list[L2Event]:
        """The events of blocks ``first``…``last`` (at or below ``at``) exactly as a poll
        reports them, from one provider, a seeded node's contributors read at ``at``: for
        reading one stretch of L2 again (a genesis, its check) without a position."""
        if not 0 <= first <= last <= at.number:
            raise ValueError(f"blocks {first}…{last} are not at or below block {at.number}")

        def read(reader: L2Reader) -> list[L2Event]:
            (last_block,) = _require_blocks(reader, [last])
            return self._decode(reader, self._logs(reader, first, last), last_block, at)

        return self.providers.run(read)

    def calls_at(self, calls: Sequence[tuple[str, bytes]], at: BlockRef) -> list[bytes]:
        """``eth_call`` of each (contract, call data) on the state after block ``at`` (by hash),
        from one provider (with failover): the return data, in order."""
        return self.providers.run(lambda reader: reader.calls(calls, at.hash))

    def reward_rate(self, at: BlockRef) -> int:
        """``rewardRate()`` of the pool at block ``at`` (normally a ``PollResult.safe_block``)."""
        return self.providers.run(lambda reader: self._reward_rate(reader, at))

    def staking_requirement(self, at: BlockRef) -> int:
        """``stakingRequirement()`` of the rewards contract at block ``at``: the value a new
        ledger starts from (``initialize`` sets it without an event)."""
        return self.contract_uint(STAKING_REQUIREMENT, at)

    def contract_uint(self, signature: str, at: BlockRef) -> int:
        """A ``uint256`` view of the rewards contract without arguments, at block ``at``."""

        def read(reader: L2Reader) -> int:
            (answer,) = reader.calls(
                [(self.config.rewards_contract, call_data(signature))], at.hash
            )
            return decode_uint256(answer, signature)

        return self.providers.run(read)

    def contract_nodes(self, at: BlockRef) -> dict[int, tuple[int, int]]:
        """The contract's node list at block ``at``: id → BLS key, read in pages of
        ``serviceNodeIDsPage`` (all at that block), for the purge check."""
        return self.providers.run(lambda reader: self._contract_nodes(reader, at))

    def _contract_nodes(self, reader: L2Reader, at: BlockRef) -> dict[int, tuple[int, int]]:
        nodes: dict[int, tuple[int, int]] = {}
        start = 0
        while True:
            call = call_data(SERVICE_NODE_IDS_PAGE, start, PAGE_SIZE)
            (answer,) = reader.calls([(self.config.rewards_contract, call)], at.hash)
            page, next_id = decode_ids_page(answer)
            for node_id, key in page:
                if node_id in nodes:
                    raise MalformedAnswer(f"node {node_id} twice in the contract's node list")
                nodes[node_id] = key
            if next_id == 0:
                return nodes
            if not page:
                raise MalformedAnswer("an empty page of the node list that is not the last")
            start = next_id


def _same(reader: L2Reader, block: BlockRef) -> bool:
    """Whether ``block`` is still on the provider's chain (asked only for blocks at or below
    its latest: a missing one is a provider answering from two views, not a reorg)."""
    (current,) = _require_blocks(reader, [block.number])
    return current.hash == block.hash


def _require_blocks(reader: L2Reader, numbers: Sequence[int]) -> list[BlockRef]:
    blocks = reader.blocks(numbers)
    if len(blocks) != len(numbers):
        raise MalformedAnswer(f"{reader.name} answered {len(blocks)} blocks for {len(numbers)}")
    present: list[BlockRef] = []
    for number, block in zip(numbers, blocks, strict=True):
        if block is None:
            raise ChainMoved(f"{reader.name} has no block {number} below its latest")
        present.append(block)
    return present
