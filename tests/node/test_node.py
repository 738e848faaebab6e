"""A network of three in one process (tests/node/cluster.py) against the tracker's fake chain
(tests/l2/fake_chain.py): the faults a real chain does not produce on demand (a failing write,
every provider down, a chosen reorg), and the store's promises: each block stored with the L2
view it was made from, reopening to the same state, a snapshot plus the blocks after it equal
to a replay from genesis.
The nodes are the quorum nodes of `sesh node run`; node 0 is the one looked at.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from sesh.l2.providers import Providers
from sesh.l2.tracker import Tracker, TrackerConfig
from sesh.ledger import Ledger, reward_balance
from sesh.ledger.state import ROLLBACK_DEPTH
from sesh.node.follower import NodeError
from sesh.node.genesis import Genesis
from sesh.node.store import Store

from ..l2.fake_chain import CHAIN_ID, POOL, REWARDS, FakeChain, address
from .cluster import Cluster, genesis_at
from .conftest import STAKE, TEST_PROFILE

KEYS = [SigningKey(bytes([0x42 + i]) * 32) for i in range(3)]
GENESIS_BLOCK = 1


def ed25519(i: int) -> int:
    return int.from_bytes(bytes(KEYS[i].verify_key), "big")


def new_chain() -> FakeChain:
    """Node 0 seeded in L2 block 1 (the genesis: a network of one), then nodes 1 and 2 seeded
    (no Ed25519 signature to check), one with two contributors, in block 2: events the network
    confirms, after which all three make its blocks."""
    chain = FakeChain()
    chain.state.staking_requirement = STAKE
    chain.seed(1, [(address(1), address(1), STAKE)], ed25519=ed25519(0))
    chain.mine()
    chain.seed(
        2,
        [(address(2), address(12), STAKE // 2), (address(3), address(3), STAKE // 2)],
        ed25519=ed25519(1),
    )
    chain.seed(3, [(address(4), address(4), STAKE)], ed25519=ed25519(2))
    chain.mine()
    return chain


def tracker_of(chain: FakeChain | Providers, rewards: str = REWARDS) -> Tracker:
    return Tracker(chain, TrackerConfig(CHAIN_ID, rewards, reward_rate_pool=POOL, confirmations=0))


def genesis_of(chain: FakeChain) -> Genesis:
    return genesis_at(tracker_of(chain), TEST_PROFILE, GENESIS_BLOCK)


def open_node(
    chain: FakeChain, data_dir: Path, genesis: Genesis | None = None, **options: int
) -> Cluster:
    return Cluster(
        data_dir,
        lambda: tracker_of(chain),
        genesis or genesis_of(chain),
        KEYS,
        TEST_PROFILE,
        **options,
    )


def steps(node: Cluster, n: int) -> None:
    node.steps(n)


def running(tmp_path: Path, blocks: int) -> tuple[FakeChain, Cluster]:
    """A new chain and its network, `blocks` blocks in."""
    chain = new_chain()
    node = open_node(chain, tmp_path)
    node.steps(blocks)
    return chain, node


def ledger_of(node: Cluster) -> Ledger:
    return node.ledger


# -- one block, its view of L2 -------------------------------------------------------------------


def test_blocks_events_and_position_are_stored_together(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path)
    block = node.step()
    assert len(block.events) == 2  # the two nodes seeded after the genesis block
    store = node.store
    assert store.height() == 1
    stored = store.position()
    assert stored is not None and stored[1] == node.position
    assert len(store.events()) == 2  # reported, not yet confirmed
    steps(node, 5)
    assert len(ledger_of(node).nodes) == 3
    assert store.position() == stored  # L2 did not move: the position was kept
    top = store.block(6)
    assert top is not None and top.state_hash == ledger_of(node).state_hash
    steps(node, 1)
    assert store.events() == []  # confirmed: the node's view forgets them at its next poll


def test_a_failed_block_write_stops_the_node_and_the_store_keeps_the_previous_block(
    tmp_path: Path,
) -> None:
    """The write of an accepted block fails (a real SQLite error): the node stops (in a process,
    it exits) with the store at the previous block; started again, it goes on with the others."""
    chain, node = running(tmp_path, 3)
    chain.set_requirement(150 * 10**9)
    chain.mine()
    node.store.db.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON blocks BEGIN SELECT RAISE(ABORT, 'injected'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected"):
        node.step()
    assert node.store.height() == 3
    node.store.db.execute("DROP TRIGGER fail")
    node.stop(0)
    node.start(0)
    assert node.height == 3
    steps(node, 8)
    assert node.agree()
    assert node.ledger.staking_requirement == 150 * 10**9
    assert node.store.height() == node.height


def test_reopening_gives_the_same_state_hash_position_and_view(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 12)
    chain.exit_request(3)
    chain.mine()
    steps(node, 2)  # the exit request is pending
    before = (node.ledger.state_hash, node.position, node.seen)
    assert len(node.seen) == 1
    node.close()
    reopened = open_node(chain, tmp_path)
    assert (reopened.ledger.state_hash, reopened.position, reopened.seen) == before
    steps(reopened, 5)
    assert reopened.agree()


def test_a_snapshot_and_the_blocks_after_it_equal_a_replay_from_genesis(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path, snapshot_interval=50)
    steps(node, ROLLBACK_DEPTH + 130)
    height = ledger_of(node).height
    # at 490, the newest snapshot at least ROLLBACK_DEPTH blocks older is the one at 100
    assert node.store.snapshot_heights() == [50 * k for k in range(1, 10)]
    node.close()

    restored = open_node(chain, tmp_path)  # from the snapshot at 100, then 390 blocks
    replayed = genesis_of(chain).ledger(TEST_PROFILE)
    with Store.open(tmp_path / "node0", readonly=True) as store:
        for stored in store.blocks(1, height):
            replayed.apply(stored.block())
    assert ledger_of(restored).state_hash == replayed.state_hash
    # The journal is rebuilt: balances at earlier heights are answered alike.
    for h in (height - ROLLBACK_DEPTH, height - 100, height):
        for who in (address(1), address(12)):
            assert reward_balance(ledger_of(restored), who, h) == reward_balance(replayed, who, h)
            assert reward_balance(replayed, who, h) > 0


def test_the_settled_accounts_are_stored_with_each_block(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 20)
    chain.exit_request(3)
    chain.mine()
    steps(node, 6 + 12)  # leaving after the unlock settles node 3's rewards into its account
    assert ledger_of(node).removed
    account = ledger_of(node).accounts[address(4)]
    stored = node.store.account(address(4))
    assert stored is not None and stored[:2] == (account.reward_units, account.stake)
    assert account.reward_units > 0


# -- L2 trouble -----------------------------------------------------------------------------------


def test_without_any_provider_blocks_go_on_with_nothing_new(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 1)
    l2_height = ledger_of(node).l2_height
    chain.failing.add("block_number")
    block = node.step()
    assert block.l2_height == l2_height
    error = node.store.summary()["l2"]["error"]  # type: ignore[index]
    assert error and "block_number" in error
    chain.failing.clear()
    steps(node, 5)
    assert len(ledger_of(node).nodes) == 3
    assert node.store.summary()["l2"]["error"] is None  # type: ignore[index]


def test_a_reorg_takes_pending_events_away_and_the_network_denies_them(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 6)
    keep = chain.tip.number
    chain.seed(4, [(address(5), address(5), STAKE)])
    chain.mine()
    steps(node, 2)
    assert len(ledger_of(node).pending) == 1
    (gone,) = ledger_of(node).pending
    chain.reorg(keep)
    chain.seed(5, [(address(6), address(6), STAKE)])
    chain.mine()
    steps(node, 12)
    ledger = ledger_of(node)
    assert not ledger.pending and len(ledger.nodes) == 4
    assert gone not in ledger.confirmed
    assert node.store.events() == []


def test_a_chain_replaced_under_a_running_node_stops_it_at_once(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 3)
    chain.replace_chain("a devnet started afresh")
    chain.seed(1, [(address(1), address(1), STAKE)])
    chain.mine(empty=8)  # as long as the old chain and longer: nothing to wait for
    height = node.height
    with pytest.raises(NodeError, match=r"L2 block 1 is not the one .* reset or replaced"):
        node.step()
    assert node.store.height() == height  # nothing stored from the other chain


def test_a_rollback_below_a_confirmed_event_stops_the_node(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 8)  # two nodes seeded in L2 block 2
    assert len(ledger_of(node).nodes) == 3  # their registrations are confirmed
    chain.reorg(1)  # block 2 and everything after it are gone, the genesis block survives
    chain.mine_empty(4)
    with pytest.raises(NodeError, match="block 2 holds an event the ledger has confirmed"):
        node.step()


def test_a_rollback_of_unconfirmed_events_is_reported_as_deeper_than_the_confirmations(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chain, node = running(tmp_path, 6)
    keep = chain.tip.number
    chain.seed(4, [(address(5), address(5), STAKE)])
    chain.mine(empty=5)
    steps(node, 1)  # the registration is pending, not confirmed
    read = node.position.next_block - 1
    chain.reorg(keep)
    caplog.set_level(logging.INFO, logger="sesh.node")
    steps(node, 2)  # the chain is shorter than what the node has read: said once by each node
    behind = [r.getMessage() for r in caplog.records if "is below block" in r.getMessage()]
    assert len(behind) == len(node.running) and len(set(behind)) == 1
    assert f"latest block {keep} is below block {read}" in behind[0]
    assert "rolled back deeper than the 0 confirmations" in behind[0]

    chain.mine_empty(8)
    caplog.clear()
    steps(node, 1)
    (message,) = {r.getMessage() for r in caplog.records if "rolled back" in r.getMessage()}
    assert f"block {keep + 1} is no longer the one this node read" in message
    assert f"block {keep} survived" in message
    assert "deeper than the 0 confirmations" in message
    assert "1 reported event(s) retracted" in message
    assert not re.search(r"-\d", message)  # never a negative count
    assert len(ledger_of(node).pending) == 1  # to be denied


def test_a_store_of_another_network_is_refused(tmp_path: Path) -> None:
    chain = new_chain()
    genesis = genesis_of(chain)
    node = open_node(chain, tmp_path, genesis)
    steps(node, 1)
    node.close()
    other = replace(genesis, initial_reward_rate=genesis.initial_reward_rate + 1)
    with pytest.raises(NodeError, match="belongs to another network"):
        open_node(chain, tmp_path, other)


def test_an_l2_chain_reset_under_the_store_is_refused(tmp_path: Path) -> None:
    chain = new_chain()
    node = open_node(chain, tmp_path, genesis_of(chain))
    steps(node, 1)
    node.close()
    reset = new_chain()
    reset.replace_chain("another devnet")
    reset.mine_empty(3)
    with pytest.raises(NodeError, match="reset"):
        Cluster(tmp_path, lambda: tracker_of(reset), genesis_of(chain), KEYS, TEST_PROFILE)


def test_a_genesis_that_l2_does_not_confirm_is_refused(tmp_path: Path) -> None:
    chain = new_chain()
    genesis = genesis_of(chain)
    lying = replace(genesis, initial_reward_rate=genesis.initial_reward_rate * 2)
    with pytest.raises(NodeError, match="does not match L2"):
        open_node(chain, tmp_path, lying)
    with Store.open(tmp_path / "node0", readonly=True) as store:
        assert store.height() == 0 and not store.meta()
