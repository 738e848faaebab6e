"""The node's loop and its store against the tracker's fake chain (tests/l2/fake_chain.py): the
faults a real chain does not produce on demand (a failing write, every provider down, a chosen
reorg), and the store's promises: one transaction per block, reopening to the same state, a
snapshot plus the blocks after it equal to a replay from genesis.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from sesh.l2.providers import Providers
from sesh.l2.tracker import Tracker, TrackerConfig
from sesh.ledger import Ledger, Outcome, reward_balance
from sesh.ledger.state import ROLLBACK_DEPTH
from sesh.node.node import Node, NodeConfig, NodeError
from sesh.node.store import Store

from ..l2.fake_chain import CHAIN_ID, POOL, REWARDS, FakeChain, address
from .conftest import PRODUCER, STAKE, TEST_PROFILE


def new_chain() -> FakeChain:
    """Three seeded nodes (no Ed25519 signature to check), two contributors for one."""
    chain = FakeChain()
    chain.seed(1, [(address(1), address(1), STAKE)])
    chain.seed(2, [(address(2), address(12), STAKE // 2), (address(3), address(3), STAKE // 2)])
    chain.seed(3, [(address(4), address(4), STAKE)])
    chain.mine()
    return chain


def tracker_of(chain: FakeChain | Providers) -> Tracker:
    return Tracker(chain, TrackerConfig(CHAIN_ID, REWARDS, reward_rate_pool=POOL, confirmations=0))


def open_node(chain: FakeChain, data_dir: Path, **options: object) -> Node:
    config = NodeConfig(profile=TEST_PROFILE, producer=PRODUCER, block_time=0, **options)  # type: ignore[arg-type]
    return Node(Store.open(data_dir), tracker_of(chain), config)


def steps(node: Node, n: int) -> None:
    for _ in range(n):
        assert node.step() is not None


def ledger_of(node: Node) -> Ledger:
    assert node.ledger is not None
    return node.ledger


# -- one block, one transaction -------------------------------------------------------------------


def test_blocks_events_and_position_are_stored_together(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    result = node.step()
    assert result is not None and len(result.block.events) == 3
    store = node.store
    assert store.height() == 1
    stored = store.position()
    assert stored is not None and stored == (1, node.position)
    assert len(store.events()) == 3  # reported, not yet confirmed
    steps(node, 5)
    assert len(ledger_of(node).nodes) == 3
    assert store.position() == (1, node.position)  # L2 did not move: the position was kept
    assert store.events() == []  # confirmed: the producer's view forgets them
    assert store.block(6) is not None and store.block(6).state_hash == ledger_of(node).state_hash  # type: ignore[union-attr]


def test_a_failure_inside_the_block_transaction_leaves_the_previous_block_and_position(
    tmp_path: Path,
) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    twin = open_node(chain, tmp_path / "twin")
    steps(node, 3)
    steps(twin, 3)
    chain.set_requirement(150 * 10**9)
    chain.mine()
    before = (ledger_of(node).state_hash, node.position, dict(node.seen))
    stored_before = node.store.position()
    events_before = node.store.events()
    # A real SQLite failure after the block row is written: the position insert aborts.
    node.store.db.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON tracker BEGIN SELECT RAISE(ABORT, 'injected'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected"):
        node.step()
    assert node.store.height() == 3
    assert node.store.position() == stored_before
    assert (ledger_of(node).state_hash, node.position, node.seen) == before
    assert node.store.events() == events_before

    node.store.db.execute("DROP TRIGGER fail")
    result, expected = node.step(), twin.step()
    assert result is not None and expected is not None
    assert result.receipt.state_hash == expected.receipt.state_hash
    assert node.store.position() == twin.store.position()


def test_reopening_gives_the_same_state_hash_position_and_view(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path / "node")
    twin = open_node(chain, tmp_path / "twin")
    steps(node, 12)
    steps(twin, 12)
    chain.exit_request(3)
    chain.mine()
    steps(node, 2)  # the exit request is pending
    steps(twin, 2)
    node.store.close()
    reopened = open_node(chain, tmp_path / "node")
    assert ledger_of(reopened).state_hash == ledger_of(node).state_hash
    assert reopened.position == node.position
    assert reopened.seen == node.seen and len(reopened.seen) == 1
    for _ in range(5):
        a, b = reopened.step(), twin.step()
        assert a is not None and b is not None
        assert a.receipt.state_hash == b.receipt.state_hash


def test_a_snapshot_and_the_blocks_after_it_equal_a_replay_from_genesis(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path, snapshot_interval=50)
    steps(node, ROLLBACK_DEPTH + 130)
    height = ledger_of(node).height
    # at 450, the newest snapshot at least ROLLBACK_DEPTH blocks older was the one at 50
    assert node.store.snapshot_heights() == [50, 100, 150, 200, 250, 300, 350, 400, 450]
    node.store.close()

    restored = open_node(chain, tmp_path)  # from the snapshot at 100, then 390 blocks
    replayed = Ledger(TEST_PROFILE, initial_reward_rate=1_000)
    with Store.open(tmp_path, readonly=True) as store:
        for stored in store.blocks(1, height):
            replayed.apply(stored.block())
    assert ledger_of(restored).state_hash == replayed.state_hash
    # The journal is rebuilt: balances at earlier heights are answered alike.
    for h in (height - ROLLBACK_DEPTH, height - 100, height):
        for who in (address(1), address(12)):
            assert reward_balance(ledger_of(restored), who, h) == reward_balance(replayed, who, h)
            assert reward_balance(replayed, who, h) > 0


def test_the_settled_accounts_are_stored_with_each_block(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 20)
    chain.exit_request(1)
    chain.mine()
    steps(node, 6 + 12)  # leaving after the unlock settles node 1's rewards into its account
    assert ledger_of(node).removed
    account = ledger_of(node).accounts[address(1)]
    stored = node.store.account(address(1))
    assert stored is not None and stored[:2] == (account.reward_units, account.stake)
    assert account.reward_units > 0


# -- L2 trouble -----------------------------------------------------------------------------------


def test_without_any_provider_blocks_go_on_with_nothing_new(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 2)
    l2_height = ledger_of(node).l2_height
    chain.failing.add("block_number")
    result = node.step()
    assert result is not None and result.l2_error is not None
    assert result.block.l2_height == l2_height
    assert node.store.summary()["l2"]["error"] == result.l2_error  # type: ignore[index]
    chain.failing.clear()
    steps(node, 4)
    assert len(ledger_of(node).nodes) == 3


def test_a_reorg_takes_pending_events_away_and_the_network_denies_them(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 6)
    keep = chain.tip.number
    chain.seed(4, [(address(5), address(5), STAKE)])
    chain.mine()
    steps(node, 2)
    assert len(ledger_of(node).pending) == 1
    chain.reorg(keep)
    chain.seed(5, [(address(6), address(6), STAKE)])
    chain.mine()
    outcomes = []
    for _ in range(12):
        result = node.step()
        assert result is not None
        outcomes += [r.outcome for r in result.receipt.resolved]
    assert sorted(outcomes) == [Outcome.APPLIED, Outcome.DENIED]
    assert len(ledger_of(node).nodes) == 4
    assert node.store.events() == []


def test_a_chain_replaced_under_a_running_node_stops_it_at_once(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 3)
    chain.replace_chain("a devnet started afresh")
    chain.seed(1, [(address(1), address(1), STAKE)])
    chain.mine(empty=8)  # as long as the old chain and longer: nothing to wait for
    height = node.height
    with pytest.raises(NodeError, match=r"L2 block 0 is not the one .* reset or replaced"):
        node.step()
    assert node.store.height() == height  # nothing stored from the other chain


def test_a_rollback_below_a_confirmed_event_stops_the_node(tmp_path: Path) -> None:
    chain = new_chain()  # three seeded nodes in L2 block 1
    node = open_node(chain, tmp_path)
    steps(node, 8)
    assert len(ledger_of(node).nodes) == 3  # their registrations are confirmed
    chain.reorg(0)  # block 1 and everything after it are gone, block 0 survives
    chain.mine_empty(4)
    with pytest.raises(NodeError, match="block 1 holds an event the ledger has confirmed"):
        node.step()


def test_a_rollback_of_unconfirmed_events_is_reported_as_deeper_than_the_confirmations(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 6)
    keep = chain.tip.number
    chain.seed(4, [(address(5), address(5), STAKE)])
    chain.mine(empty=5)
    steps(node, 1)  # the registration is pending, not confirmed
    read = node.position.next_block - 1
    chain.reorg(keep)
    caplog.set_level(logging.INFO, logger="sesh.node")
    steps(node, 2)  # the chain is shorter than what the node has read: said once
    behind = [r.getMessage() for r in caplog.records if "is below block" in r.getMessage()]
    assert len(behind) == 1
    assert f"latest block {keep} is below block {read}" in behind[0]
    assert "rolled back deeper than the 0 confirmations" in behind[0]

    chain.mine_empty(8)
    caplog.clear()
    steps(node, 1)
    (message,) = [r.getMessage() for r in caplog.records if "rolled back" in r.getMessage()]
    assert f"block {keep + 1} is no longer the one this node read" in message
    assert f"block {keep} survived" in message
    assert "deeper than the 0 confirmations" in message
    assert "1 reported event(s) retracted" in message
    assert not re.search(r"-\d", message)  # never a negative count
    assert len(ledger_of(node).pending) == 1  # to be denied


def test_a_store_of_another_chain_or_contract_is_refused(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 1)
    node.store.close()
    other = Tracker(
        chain, TrackerConfig(CHAIN_ID, "0x" + "77" * 20, reward_rate_pool=POOL, confirmations=0)
    )
    with pytest.raises(NodeError, match="rewardsContract"):
        Node(Store.open(tmp_path), other, NodeConfig(profile=TEST_PROFILE, producer=PRODUCER))
    with pytest.raises(NodeError, match="profile"):
        Node(
            Store.open(tmp_path),
            tracker_of(chain),
            NodeConfig(profile=replace(TEST_PROFILE, name="other"), producer=PRODUCER),
        )


def test_an_l2_chain_reset_under_the_store_is_refused(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    steps(node, 1)
    node.check_l2()
    reset = FakeChain(lineage="another devnet")
    reset.mine_empty(3)
    node.store.close()
    with pytest.raises(NodeError, match="reset"):
        open_node(reset, tmp_path).check_l2()


def test_the_loop_stops_at_the_halt_height(tmp_path: Path) -> None:
    node = open_node(new_chain(), tmp_path, halt_height=7)
    node.run(threading.Event())
    assert node.height == 7 and node.store.height() == 7


def test_a_start_block_beyond_the_chain_waits_for_it_and_reopens(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path, start_block=50)
    steps(node, 2)
    assert node.store.position() == (1, node.position)
    assert node.position.next_block == 50 and not ledger_of(node).pending
    node.store.close()
    reopened = open_node(chain, tmp_path)  # the stored start block wins
    assert reopened.config.start_block == 50
    chain.mine_empty(60)
    chain.seed(9, [(address(9), address(9), STAKE)])
    chain.mine()
    steps(reopened, 6)
    assert len(ledger_of(reopened).nodes) == 1  # only what lies after the start block


# -- the staking requirement at genesis ---------------------------------------------------------


def test_the_ledger_starts_from_the_contracts_requirement(tmp_path: Path) -> None:
    """initialize sets the requirement without an event: the ledger reads it at its first
    safe block, and a reopened store starts from the same value."""
    chain = FakeChain()
    chain.state.staking_requirement = STAKE + 5 * 10**9
    chain.seed(1, [(address(1), address(1), STAKE + 5 * 10**9)])
    chain.mine()
    node = open_node(chain, tmp_path)
    steps(node, 6)
    assert TEST_PROFILE.staking_requirement != STAKE + 5 * 10**9
    assert ledger_of(node).staking_requirement == STAKE + 5 * 10**9
    assert len(ledger_of(node).nodes) == 1
    state_hash = ledger_of(node).state_hash
    node.store.close()
    reopened = open_node(chain, tmp_path)
    assert ledger_of(reopened).state_hash == state_hash
    assert ledger_of(reopened).staking_requirement == STAKE + 5 * 10**9


def test_a_requirement_change_before_the_first_block_starts_from_the_profiles(
    tmp_path: Path,
) -> None:
    """The value before a StakingRequirementUpdated is unknown without history: the ledger
    starts from the profile's, and the confirmed event sets the new one."""
    chain = FakeChain()
    chain.state.staking_requirement = STAKE
    chain.set_requirement(STAKE * 2)
    chain.mine()
    node = open_node(chain, tmp_path)
    node.step()
    assert ledger_of(node).staking_requirement == TEST_PROFILE.staking_requirement
    steps(node, 6)
    assert ledger_of(node).staking_requirement == STAKE * 2
