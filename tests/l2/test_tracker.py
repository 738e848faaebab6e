"""The tracker's logic against a fake chain: safe height, exactly-once, reorgs, failover.

The same behaviours run on anvil in test_tracker_anvil.py; here are the faults a real node
does not produce on demand (a reorg of chosen depth, a provider that lags, lies or forgets).
"""

from __future__ import annotations

import pytest

import sesh.l2.events as l2
from sesh.l2.errors import (
    AllProvidersFailed,
    ChainIdMismatch,
    ChainMoved,
    MalformedLog,
    ReorgTooDeep,
    SeededNodeUnreadable,
)
from sesh.l2.events import Contributor, L2Event
from sesh.l2.position import TrackerPosition
from sesh.l2.providers import Providers
from sesh.l2.tracker import Tracker, TrackerConfig

from .fake_chain import (
    CHAIN_ID,
    MULTISIG,
    POOL,
    REWARDS,
    STAKE,
    TIME_ZERO,
    FakeChain,
    NodeState,
    address,
    ed25519_of,
    key_of,
)


def tracker(chain: FakeChain | Providers, confirmations: int = 0, **options: int) -> Tracker:
    config = TrackerConfig(CHAIN_ID, REWARDS, confirmations=confirmations, **options)  # type: ignore[arg-type]
    return Tracker(chain, config)


def summary(events: tuple[L2Event, ...] | list[L2Event]) -> list[tuple[str, int, int]]:
    """(kind, node id or requirement, block) per event: enough to tell events apart here."""
    out = []
    for e in events:
        what = (
            e.new_requirement if isinstance(e, l2.StakingRequirementUpdated) else e.service_node_id
        )
        out.append((type(e).__name__, what, e.origin.block_number))
    return out


# -- reporting ----------------------------------------------------------------------------------


def test_every_event_kind_is_reported_in_chain_order() -> None:
    chain = FakeChain()
    chain.seed(1, [(address(7), address(8), STAKE)])
    chain.mine()
    chain.register(2, [(address(2), address(2), STAKE // 2), (address(3), address(4), STAKE // 2)])
    chain.other_event()
    chain.exit_request(2)
    chain.mine()
    chain.liquidate(1)
    chain.set_requirement(2 * STAKE)
    chain.mine()
    t = tracker(chain)
    result = t.poll(t.initial_position())
    assert summary(result.events) == [
        ("NewServiceNode", 1, 1),
        ("NewServiceNode", 2, 2),
        ("ServiceNodeExitRequest", 2, 2),
        ("ServiceNodeLiquidated", 1, 3),
        ("ServiceNodeExit", 1, 3),
        ("StakingRequirementUpdated", 2 * STAKE, 3),
    ]
    seeded, registered, request, liquidated, exit_, _requirement = result.events
    assert isinstance(seeded, l2.NewServiceNode) and seeded.seeded
    assert seeded.contributors == (Contributor(address(7), address(8), STAKE),)
    assert (seeded.fee, seeded.ed25519_signature, seeded.initiator) == (0, b"", address(7))
    assert isinstance(registered, l2.NewServiceNode) and not registered.seeded
    assert [c.beneficiary for c in registered.contributors] == [address(2), address(4)]
    assert [e.origin.log_index for e in result.events] == [0, 0, 2, 0, 1, 2]  # 1 is not ours
    assert isinstance(request, l2.ServiceNodeExitRequest) and request.bls_pubkey == key_of(2)
    assert isinstance(liquidated, l2.ServiceNodeLiquidated)
    assert isinstance(exit_, l2.ServiceNodeExit) and exit_.returned_amount < STAKE
    assert result.caught_up and result.retracted == ()
    assert result.position.safe == result.safe_block
    assert result.safe_block is not None and result.safe_block.number == 3
    assert result.reward_rate == 1_000


def test_events_wait_for_their_confirmations() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine()
    t = tracker(chain, confirmations=3)
    position = t.initial_position()
    for _ in range(2):
        chain.mine_empty(1)
        result = t.poll(position)
        assert result.events == () and result.caught_up
        position = result.position
    chain.mine_empty(1)  # block 1 is now 3 deep
    result = t.poll(position)
    assert summary(result.events) == [("NewServiceNode", 1, 1)]
    assert result.safe_block is not None and result.safe_block.number == 1


def test_no_event_is_reported_twice_or_missed_across_polls() -> None:
    chain = FakeChain()
    t = tracker(chain, confirmations=2)
    position = t.initial_position()
    seen: list[L2Event] = []
    for node_id in range(1, 30):
        chain.register(node_id)
        chain.mine()
        if node_id % 3 == 0:
            chain.mine_empty(node_id % 4)
        result = t.poll(position)
        seen.extend(result.events)
        position = result.position
    chain.mine_empty(2)
    seen.extend(t.poll(position).events)
    assert [e.service_node_id for e in seen] == list(range(1, 30))  # type: ignore[union-attr]


def test_a_long_sync_is_split_into_polls_and_log_batches() -> None:
    chain = FakeChain()
    for node_id in range(1, 11):
        chain.register(node_id)
        chain.mine()
        chain.mine_empty(99)
    t = tracker(chain, log_batch_blocks=30, max_blocks_per_poll=250)
    position = t.initial_position()
    results = []
    while not results or not results[-1].caught_up:
        results.append(t.poll(results[-1].position if results else position))
    assert len(results) == 5  # 1,001 blocks, 250 per poll
    reported = [e for r in results for e in r.events]
    assert [e.service_node_id for e in reported] == list(range(1, 11))  # type: ignore[union-attr]
    assert all(end - start < 30 for start, end in chain.log_ranges)
    assert chain.log_ranges[0] == (0, 29) and chain.log_ranges[-1][1] == 1_000


def test_a_refused_log_range_is_halved() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine()
    chain.mine_empty(300)
    chain.register(2)
    chain.mine()
    chain.max_log_range = 200
    result = tracker(chain).poll(tracker(chain).initial_position())
    assert summary(result.events) == [("NewServiceNode", 1, 1), ("NewServiceNode", 2, 302)]
    assert all(end - start < 200 for start, end in chain.log_ranges)


def test_the_start_block_skips_older_events() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine()
    chain.register(2)
    chain.mine()
    t = tracker(chain)
    assert summary(t.poll(t.initial_position(start_block=2)).events) == [("NewServiceNode", 2, 2)]


# -- contract reads ------------------------------------------------------------------------------


def test_seeded_contributors_are_read_at_the_safe_block() -> None:
    chain = FakeChain()
    chain.seed(1, [(address(7), address(7), STAKE)])
    chain.mine(empty=5)
    t = tracker(chain, confirmations=2)
    result = t.poll(t.initial_position())
    assert result.safe_block is not None
    assert chain.call_blocks and set(chain.call_blocks) == {result.safe_block.hash}
    (seeded,) = result.events
    assert isinstance(seeded, l2.NewServiceNode)
    assert seeded.contributors == (Contributor(address(7), address(7), STAKE),)


def test_a_seeded_node_gone_by_the_safe_block_is_read_from_its_seeding_call() -> None:
    chain = FakeChain()
    chain.seed(1, [(address(7), address(8), STAKE)])
    chain.mine()
    chain.exit(1)
    chain.mine(empty=10)
    chain.history = 3  # no state at the seeding block: the transaction is enough
    result = tracker(chain).poll(tracker(chain).initial_position())
    node, _exit = result.events
    assert isinstance(node, l2.NewServiceNode) and node.seeded
    assert node.contributors == (Contributor(address(7), address(8), STAKE),)
    assert node.initiator == address(7)


def test_a_seeded_node_gone_and_seeded_through_a_multisig_is_read_at_its_block() -> None:
    chain = FakeChain()
    chain.seed(1, [(address(7), address(7), STAKE)], via=MULTISIG)
    seeded_in = chain.mine()
    chain.exit(1)
    chain.mine()
    result = tracker(chain).poll(tracker(chain).initial_position())
    node, _exit = result.events
    assert isinstance(node, l2.NewServiceNode) and node.contributors[0].address == address(7)
    assert seeded_in.hash in chain.call_blocks


def test_a_seeded_node_nobody_can_read_is_a_clear_error() -> None:
    chain = FakeChain()
    chain.seed(1, [(address(7), address(7), STAKE)], via=MULTISIG)
    chain.mine()
    chain.exit(1)
    chain.mine(empty=10)
    chain.history = 3  # a provider that keeps little state
    t = tracker(chain)
    with pytest.raises(AllProvidersFailed) as failure:
        t.poll(t.initial_position())
    ((_name, error),) = failure.value.errors
    assert isinstance(error, SeededNodeUnreadable)
    assert "seeded node 1" in str(error) and "archive" in str(error)


def test_a_stretch_of_blocks_is_read_again_as_a_poll_reported_it() -> None:
    chain = FakeChain()
    chain.seed(1, [(address(7), address(7), STAKE)])
    chain.seed(2, [(address(8), address(9), STAKE)])
    chain.mine()
    chain.register(3)
    chain.mine(empty=2)
    t = tracker(chain)
    polled = t.poll(t.initial_position())
    assert polled.safe_block is not None
    assert t.events_in(0, 4, polled.safe_block) == list(polled.events)
    assert summary(t.events_in(2, 2, polled.safe_block)) == [("NewServiceNode", 3, 2)]
    assert t.events_in(3, 4, polled.safe_block) == []
    with pytest.raises(ValueError, match="not at or below block 4"):
        t.events_in(2, 5, polled.safe_block)


def test_a_blocks_time_is_read_by_its_hash_and_a_vanished_block_is_the_chain_moving() -> None:
    chain = FakeChain()
    chain.mine(empty=3)
    t = tracker(chain)
    block = t.head()
    assert t.block_timestamp(block) == TIME_ZERO + block.number
    chain.reorg(1)
    with pytest.raises(ChainMoved, match=f"block {block.number} is no longer"):
        t.block_timestamp(block)


def test_reward_rate_and_node_list_are_read_at_the_safe_block() -> None:
    chain = FakeChain()
    for node_id in range(1, 2_502):
        chain.state.nodes[node_id] = NodeState(
            key_of(node_id), ed25519_of(node_id), [(address(1), address(1), STAKE)]
        )
    chain.mine()
    chain.state.reward_rate = 7
    chain.mine()
    t = tracker(chain, confirmations=1)
    result = t.poll(t.initial_position())
    assert result.reward_rate == 1_000  # the rate of block 1, not of the tip
    assert result.safe_block is not None
    nodes = t.contract_nodes(result.safe_block)
    assert len(nodes) == 2_501 and nodes[2_501] == key_of(2_501)
    assert t.reward_rate(result.safe_block) == 1_000


def test_a_configured_pool_is_read_without_asking_the_contract() -> None:
    chain = FakeChain()
    chain.mine()
    config = TrackerConfig(CHAIN_ID, REWARDS, reward_rate_pool=POOL, confirmations=0)
    assert Tracker(chain, config).poll(TrackerPosition(CHAIN_ID)).reward_rate == 1_000
    assert len(chain.call_blocks) == 1  # rewardRate only, no foundationPool


# -- reorgs ---------------------------------------------------------------------------------------


def test_a_reorg_retracts_exactly_the_undone_events() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine()
    chain.register(2)
    chain.mine(empty=3)  # blocks 2-5
    t = tracker(chain)
    first = t.poll(t.initial_position())
    chain.register(3)
    chain.mine()  # block 6
    chain.register(4)
    chain.mine()  # block 7
    second = t.poll(first.position)
    assert summary(second.events) == [("NewServiceNode", 3, 6), ("NewServiceNode", 4, 7)]

    chain.reorg(keep=4)  # blocks 5, 6, 7 replaced: node 3 and 4 undone, 1 and 2 stay
    chain.register(5)
    chain.mine(empty=3)  # blocks 5-8
    third = t.poll(second.position)
    assert summary(third.retracted) == [("NewServiceNode", 4, 7), ("NewServiceNode", 3, 6)]
    assert summary(third.events) == [("NewServiceNode", 5, 5)]
    # What is reported in total is what a fresh tracker reads from the chain as it is now.
    fresh = tracker(chain).poll(t.initial_position())
    survivors = [*first.events, *second.events]
    survivors = [e for e in survivors if e not in third.retracted] + list(third.events)
    assert survivors == list(fresh.events)
    assert third.position.events == fresh.position.events


def test_a_reorg_of_the_safe_block_only_resyncs_without_retractions() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine(empty=2)
    t = tracker(chain)
    first = t.poll(t.initial_position())
    chain.reorg(keep=2)
    chain.mine_empty(3)
    second = t.poll(first.position)
    assert second.retracted == () and second.events == ()
    assert second.position.safe == second.safe_block


def test_a_reorg_below_everything_known_restarts_from_the_start_block() -> None:
    chain = FakeChain()
    chain.mine_empty(5)
    chain.register(1)
    chain.mine()
    t = tracker(chain)
    first = t.poll(t.initial_position(start_block=3))
    chain.reorg(keep=1)
    chain.register(2)
    chain.mine()  # block 2: below the start block, not reported
    chain.mine_empty(1)
    chain.register(3)
    chain.mine(empty=6)  # block 4
    second = t.poll(first.position)
    assert summary(second.retracted) == [("NewServiceNode", 1, 6)]
    assert summary(second.events) == [("NewServiceNode", 3, 4)]
    assert second.position.safe == second.safe_block


def test_a_reorg_below_the_window_is_refused() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine()
    t = tracker(chain, reorg_window=10)
    position = t.initial_position()
    for _ in range(5):
        chain.mine_empty(5)
        position = t.poll(position).position
    assert position.floor is not None and position.events == ()
    chain.reorg(keep=position.floor.number - 1)
    chain.mine_empty(40)
    with pytest.raises(ReorgTooDeep, match="resync"):
        t.poll(position)


def test_a_provider_behind_the_position_reports_nothing_until_it_catches_up() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine(empty=5)
    t = tracker(chain)
    first = t.poll(t.initial_position())
    chain.register(2)
    chain.mine()
    chain.lag = 4
    lagging = t.poll(first.position)
    assert lagging.events == lagging.retracted == () and lagging.safe_block is None
    assert lagging.position == first.position
    chain.lag = 0
    assert summary(t.poll(first.position).events) == [("NewServiceNode", 2, 7)]


def test_a_chain_that_moves_mid_poll_is_read_again() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine(empty=2)
    t = tracker(chain)
    moves = []

    def reorg_once(c: FakeChain) -> None:
        if not moves:
            moves.append(1)
            c.reorg(keep=0)
            c.register(2)
            c.mine(empty=2)

    chain.before_logs = reorg_once
    result = t.poll(t.initial_position())
    assert summary(result.events) == [("NewServiceNode", 2, 1)]
    assert result.events[0].origin.block_hash == chain.chain[1].hash


def test_a_chain_that_never_settles_raises_chain_moved() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine(empty=2)

    def always(c: FakeChain) -> None:
        c.reorg(keep=0)
        c.register(2)
        c.mine(empty=2)

    chain.before_logs = always
    with pytest.raises(ChainMoved):
        tracker(chain).poll(TrackerPosition(CHAIN_ID))


# -- providers -----------------------------------------------------------------------------------


def _twins() -> tuple[FakeChain, FakeChain]:
    """Two providers of the same chain."""
    a, b = FakeChain("primary", lineage="twins"), FakeChain("backup", lineage="twins")
    for chain in (a, b):
        chain.register(1)
        chain.mine()
    return a, b


def test_a_failing_provider_hands_over_to_the_next() -> None:
    a, b = _twins()
    a.failing = {"logs"}
    providers = Providers([a, b], CHAIN_ID)
    result = tracker(providers).poll(TrackerPosition(CHAIN_ID))
    assert result.provider == "backup" and summary(result.events) == [("NewServiceNode", 1, 1)]
    assert [r.name for r in providers.order] == ["backup", "primary"]


def test_a_malformed_log_is_refused_and_the_next_provider_asked() -> None:
    a, b = _twins()
    a.chain[1].logs[0] = {**a.chain[1].logs[0], "data": "0x1234"}
    providers = Providers([a, b], CHAIN_ID)
    result = tracker(providers).poll(TrackerPosition(CHAIN_ID))
    assert len(result.events) == 1
    with pytest.raises(AllProvidersFailed) as failure:
        tracker(a).poll(TrackerPosition(CHAIN_ID))
    assert isinstance(failure.value.errors[0][1], MalformedLog)
    assert "NewServiceNodeV2 (block 1, log 0)" in str(failure.value)


@pytest.mark.parametrize(
    "bad",
    [
        {"address": "0x" + "11" * 20},  # another contract's log
        {"blockNumber": "0x9"},  # outside the range asked for
    ],
)
def test_logs_that_do_not_answer_the_query_are_refused(bad: dict[str, str]) -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine(empty=2)
    original = chain.logs
    chain.logs = lambda address, start, end: [  # type: ignore[method-assign]
        {**log, **bad} for log in original(address, start, end)
    ]
    with pytest.raises(AllProvidersFailed, match="log"):
        tracker(chain).poll(TrackerPosition(CHAIN_ID))


def test_a_duplicated_log_is_refused() -> None:
    chain = FakeChain()
    chain.register(1)
    chain.mine()
    chain.chain[1].logs.append(chain.chain[1].logs[0])
    with pytest.raises(AllProvidersFailed, match="twice"):
        tracker(chain).poll(TrackerPosition(CHAIN_ID))


def test_when_every_provider_fails_nothing_is_reported() -> None:
    a, b = _twins()
    a.failing = {"block_number"}
    b.failing = {"calls"}
    with pytest.raises(AllProvidersFailed) as failure:
        tracker(Providers([a, b], CHAIN_ID)).poll(TrackerPosition(CHAIN_ID))
    assert sorted(name for name, _ in failure.value.errors) == ["backup", "primary"]


def test_a_provider_of_another_chain_is_refused() -> None:
    a = FakeChain("wrong", chain_id=1)
    with pytest.raises(ChainIdMismatch, match="serves chain 1, not chain 31337"):
        tracker(a).check_chain()
    with pytest.raises(ChainIdMismatch):
        tracker(a).poll(TrackerPosition(CHAIN_ID))


def test_a_lagging_provider_is_not_preferred_until_it_catches_up() -> None:
    a, b = _twins()
    now = [0.0]
    providers = Providers(
        [a, b], CHAIN_ID, lag_threshold=10, check_interval=60.0, clock=lambda: now[0]
    )
    b.mine_empty(20)
    t = tracker(providers)
    assert t.poll(TrackerPosition(CHAIN_ID)).provider == "backup"
    a.mine_empty(15)  # within 10 of the best again, but only seen at the next check
    now[0] = 59.0
    assert t.poll(TrackerPosition(CHAIN_ID)).provider == "backup"
    now[0] = 61.0
    assert t.poll(TrackerPosition(CHAIN_ID)).provider == "primary"
