"""The rotation state quorums are drawn from, the genesis of seeded nodes, and what a block must
say about itself (its timestamp and the state hash it results in)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sesh.l2.events import event_id
from sesh.ledger import (
    ENTROPY_WINDOW,
    GenesisError,
    InvalidBlock,
    active_count,
    genesis_ledger,
    produce_block,
    reward_balance,
    scheduled_leader,
    seal,
    validator_order,
)
from sesh.ledger.snapshot import encode_snapshot, restore_snapshot

from .conftest import PRODUCER, PROFILE, RATE, Net, addr, node_keys

SEEDED = 5


def seeded_net() -> Net:
    net = Net()
    events = [net.registration(i, seeded=True) for i in range(1, SEEDED + 1)]
    net.ledger = genesis_ledger(PROFILE, events, timestamp=1_000)
    return net


def test_genesis_holds_the_seeded_nodes_active_and_payable() -> None:
    net = seeded_net()
    assert active_count(net.ledger) == SEEDED
    assert all(node.payable for node in net.ledger.nodes.values())
    net.step()
    assert reward_balance(net.ledger, addr(1)) == RATE // SEEDED


def test_genesis_confirms_the_seeded_events_so_the_tracker_reporting_them_proposes_nothing() -> (
    None
):
    net = Net()
    events = [net.registration(i, seeded=True) for i in range(1, SEEDED + 1)]
    net.ledger = genesis_ledger(PROFILE, events, height=0, timestamp=1_000)
    assert set(net.ledger.confirmed) == {event_id(e) for e in events}
    assert all(row.height == 0 for row in net.ledger.confirmed.values())
    net.seen = list(events)  # a tracker that reads L2 from before the genesis block
    block = net.make_block()
    assert block.events == ()
    assert not net.ledger.pending


def test_genesis_cannot_be_rolled_back_and_names_the_seeded_set() -> None:
    net = seeded_net()
    assert net.ledger.rollback_depth == 0
    other = Net()
    fewer = genesis_ledger(PROFILE, [other.registration(i, seeded=True) for i in (1, 2)])
    assert fewer.block_hash != net.ledger.block_hash
    assert net.ledger.entropy == (net.ledger.block_hash,) * ENTROPY_WINDOW


def test_genesis_refuses_an_unseeded_registration() -> None:
    net = Net()
    with pytest.raises(GenesisError, match="not a seeded"):
        genesis_ledger(PROFILE, [net.registration(1)])


def test_the_round_0_leader_rotates_through_every_active_node() -> None:
    net = seeded_net()
    leaders = []
    for _ in range(2 * SEEDED):
        leaders.append(scheduled_leader(net.ledger))
        net.step()
    assert sorted(set(leaders)) == sorted(net.ledger.nodes)
    assert leaders[:SEEDED] == leaders[SEEDED:]


def test_validators_of_a_block_move_to_the_back_of_the_order() -> None:
    net = seeded_net()
    first = validator_order(net.ledger)
    chosen = first[:2]
    net.apply(
        produce_block(
            net.ledger, producer=PRODUCER, l2_height=0, pool_reward_rate=RATE, validators=chosen
        )
    )
    assert validator_order(net.ledger) == (*first[2:], *chosen)


def test_a_block_states_the_state_hash_it_results_in() -> None:
    net = seeded_net()
    block = net.make_block()
    before = net.ledger.state_hash
    with pytest.raises(InvalidBlock, match="says state"):
        net.ledger.apply(replace(block, state_hash=bytes(32)))
    assert net.ledger.state_hash == before
    assert net.apply(block).state_hash == block.state_hash


def test_a_timestamp_below_the_parents_is_refused() -> None:
    net = seeded_net()
    block = net.make_block()
    with pytest.raises(InvalidBlock, match="timestamp"):
        net.ledger.apply(seal(net.ledger, replace(block, timestamp=999)))


def test_random_values_enter_the_entropy_window_oldest_out() -> None:
    net = seeded_net()
    values = [bytes([i]) * 32 for i in range(3)]
    for value in values:
        net.apply(seal(net.ledger, replace(net.make_block(), random_value=value)))
    assert net.ledger.entropy[-3:] == tuple(values)
    assert len(net.ledger.entropy) == ENTROPY_WINDOW


def test_rotation_and_entropy_survive_a_snapshot() -> None:
    net = seeded_net()
    net.steps(3)
    restored = restore_snapshot(PROFILE, encode_snapshot(net.ledger))
    assert restored.state_hash == net.ledger.state_hash
    assert scheduled_leader(restored) == scheduled_leader(net.ledger)
    assert restored.entropy == net.ledger.entropy


def test_a_node_key_helper_matches_the_ledger_key() -> None:
    assert node_keys(1).pubkey in seeded_net().ledger.nodes
