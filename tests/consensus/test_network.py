"""The network in simulation (seeded, replayable, no sleeping): blocks, checkpoints and
finality under stopped nodes, backup rounds, lying leaders and validators, partitions, delay
and loss, and catch-up. Long versions run with `pytest -m long`."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from sesh.consensus.engine import Action, LocalView, Send
from sesh.consensus.messages import DOMAIN, Endorse, Template, block_statement, sign
from sesh.consensus.sim import Simulation
from sesh.consensus.sizes import QuorumRules
from sesh.ledger import DecisionKind, UptimeDecision

DOMAIN_BLOCK = DOMAIN + b"block\x00"
"""What a signature over a block id is prefixed with (`block_statement`)."""


def heights(sim: Simulation) -> list[int]:
    return [node.chain.height for node in sim.nodes]


def blocks_of(sim: Simulation, i: int = 0) -> list:  # type: ignore[type-arg]
    return sim.nodes[i].chain.main


def test_six_nodes_make_blocks_every_two_seconds_and_agree() -> None:
    sim = Simulation(6, seed=1)
    assert sim.run_until_height(30)
    assert sim.agree()
    times = [b.timestamp for b in blocks_of(sim)]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap == 2 for gap in gaps)
    assert min(node.chain.immutable_height() for node in sim.nodes) >= 20


def test_the_same_seed_replays_the_same_chain() -> None:
    a, b = Simulation(6, seed=9), Simulation(6, seed=9)
    a.run(30)
    b.run(30)
    assert [x.hash() for x in blocks_of(a)] == [x.hash() for x in blocks_of(b)]


@pytest.mark.parametrize(("n", "stopped"), [(4, 1), (6, 2), (16, 5)])
def test_blocks_and_checkpoints_continue_with_a_third_stopped(n: int, stopped: int) -> None:
    sim = Simulation(n, seed=2)
    assert sim.run_until_height(5)
    sim.stop(*range(stopped))
    immutable = sim.nodes[-1].chain.immutable_height()
    assert sim.run_until_height(45, limit=400)
    assert sim.agree()
    assert sim.nodes[-1].chain.immutable_height() >= immutable + 20


def test_stopped_nodes_catch_up_and_take_part_again() -> None:
    sim = Simulation(16, seed=2)
    sim.run_until_height(5)
    sim.stop(*range(5))
    sim.run_until_height(25, limit=400)
    sim.start(*range(5))
    assert sim.run_until_height(45, limit=400)
    assert sim.agree(list(range(16)))
    recent = blocks_of(sim, 0)[-10:]
    took_part = {b.producer for b in recent} | {v for b in recent for v in b.validators}
    assert took_part & {sim.nodes[i].pubkey for i in range(5)}


def test_a_dead_leader_costs_one_round_and_the_backup_round_makes_the_block() -> None:
    sim = Simulation(6, seed=3)
    sim.run_until_height(3)
    leader = sim.nodes[0].chain.basis().quorum(0)
    assert leader is not None
    sim.stop(sim.index[leader.producer])
    assert sim.run_until_height(4)
    block = blocks_of(sim, sim.up()[0])[3]
    assert block.round >= 1 and block.producer != leader.producer


def test_too_few_validators_fail_the_round_until_they_return() -> None:
    sim = Simulation(6, seed=4)
    sim.run_until_height(3)
    sim.stop(0, 1, 2)
    sim.run(20)
    stuck = [sim.nodes[i].chain.height for i in sim.up()]
    assert max(stuck) <= 4
    assert sum(sim.nodes[i].rounds_failed for i in sim.up()) > 5
    sim.start(0, 1, 2)
    assert sim.run_until_height(max(stuck) + 5, limit=120)
    assert sim.agree()


def two_faced(sim: Simulation, i: int) -> None:
    """Node i, when producer, sends every other validator a different template."""
    key = sim.keys[i]

    def tamper(actions: list[Action]) -> list[Action]:
        out: list[Action] = []
        for n, action in enumerate(actions):
            message = action.message
            if isinstance(action, Send) and isinstance(message, Template) and n % 2:
                block = replace(message.block, timestamp=message.block.timestamp + 1)
                other = replace(message, block=block, signature=b"")
                other = replace(other, signature=sign(key, other.statement()))
                action = Send(action.to, other)
            out.append(action)
        return out

    sim.tamper[i] = tamper


def test_a_leader_sending_two_templates_is_caught_and_the_network_moves_on() -> None:
    sim = Simulation(6, seed=5)
    two_faced(sim, 0)
    liar = sim.nodes[0].pubkey
    assert sim.run_until_height(40, limit=300)
    assert sim.agree()
    evidence = [e for node in sim.nodes for e in node.chain.evidence]
    assert evidence and {e.signer for e in evidence} == {liar}
    # safety held: each of its blocks was signed by validators who all accepted the same template
    assert liar in {b.producer for b in blocks_of(sim)}


def test_uptime_decisions_only_the_leader_made_are_refused() -> None:
    """A leader whose view holds a deregistration the others did not decide: its templates are
    refused, its rounds fail, the backup rounds make the blocks, and no block deregisters."""
    sim = Simulation(6, seed=13)
    assert sim.run_until_height(2)
    victim = sim.nodes[5].pubkey
    decision = UptimeDecision(DecisionKind.DEREGISTER, victim)
    sim.nodes[0].view = lambda: LocalView(decisions=(decision,))
    assert sim.run_until_height(30, limit=300)
    assert sim.agree()
    assert all(not block.decisions for block in blocks_of(sim))
    assert victim in sim.nodes[1].chain.ledger.nodes
    assert sim.nodes[0].pubkey not in {b.producer for b in blocks_of(sim)[3:]}


def test_a_validator_signing_two_blocks_in_one_round_leaves_evidence() -> None:
    sim = Simulation(6, seed=6)
    key = sim.keys[1]
    cheat = sim.nodes[1].pubkey

    def tamper(actions: list[Action]) -> list[Action]:
        out = list(actions)
        for action in actions:
            if isinstance(action, Send) and isinstance(action.message, Endorse):
                fake = b"\x99" * 32
                signature = sign(key, DOMAIN_BLOCK + fake)
                forged = replace(action.message, block_hash=fake, signature=signature)
                out.append(Send(action.to, forged))
        return out

    sim.tamper[1] = tamper
    assert sim.run_until_height(10)
    evidence = [e for node in sim.nodes for e in node.chain.evidence]
    assert evidence and {e.signer for e in evidence} == {cheat}


def test_signing_again_in_a_later_round_is_not_equivocation() -> None:
    sim = Simulation(6, seed=7)
    chain = sim.nodes[0].chain
    sim.run_until_height(2)
    block = blocks_of(sim)[1]
    later = replace(block, round=block.round + 1)
    signer = block.validators[0]
    assert chain.note_signature(signer, later, later.hash(), b"sig") is None
    same_round = replace(block, timestamp=block.timestamp + 1)
    assert chain.note_signature(signer, same_round, same_round.hash(), b"sig") is not None
    assert block_statement(block)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_partition_has_no_finality_on_either_side_and_heals_into_one_chain(seed: int) -> None:
    sim = Simulation(16, seed=seed)
    sim.run_until_height(10)
    before = sim.nodes[0].chain.immutable_height()
    kept = [sim.nodes[0].chain.hash_at(h) for h in range(before + 1)]
    sim.partition(set(range(8)), set(range(8, 16)))
    sim.run(120)
    assert {node.chain.immutable_height() for node in sim.nodes} == {before}
    sim.heal()
    assert sim.run_until_height(max(heights(sim)) + 15, limit=300)
    assert sim.agree(list(range(16)))
    assert [sim.nodes[5].chain.hash_at(h) for h in range(before + 1)] == kept
    assert sim.nodes[9].chain.immutable_height() > before


def test_blocks_continue_through_delay_and_loss() -> None:
    sim = Simulation(6, seed=8, latency=(0.01, 0.3), loss=0.05)
    assert sim.run_until_height(25, limit=400)
    assert sim.agree()


def sync_run(blocks: int) -> None:
    sim = Simulation(4, seed=4)
    sim.stop(3)
    assert sim.run_until_height(blocks, limit=10**6)
    sim.start(3)
    assert sim.run_until_height(sim.nodes[0].chain.height + 2, limit=600)
    assert sim.agree(list(range(4)))


def test_a_node_down_for_1000_blocks_catches_up() -> None:
    sync_run(1_000)


@pytest.mark.long
def test_a_node_down_for_10000_blocks_catches_up() -> None:
    sync_run(10_000)


def network_run(nodes: int, blocks: int) -> None:
    sim = Simulation(nodes, seed=11)
    assert sim.run_until_height(blocks, limit=blocks * 10)
    assert sim.agree()


def test_a_hundred_nodes_make_twenty_blocks() -> None:
    network_run(100, 20)


@pytest.mark.long
def test_two_thousand_nodes_make_a_hundred_blocks() -> None:
    network_run(2_000, 100)


def test_a_network_of_one_is_a_quorum_of_one() -> None:
    sim = Simulation(1, seed=12)
    assert sim.run_until_height(10)
    block = blocks_of(sim)[-1]
    assert block.validators == () and block.signatures == ()
    assert sim.nodes[0].chain.immutable_height() >= 4


def test_with_no_active_node_the_network_says_it_is_stalled() -> None:
    sim = Simulation(4, seed=13, rules=QuorumRules(min_active=5))
    sim.run(20)
    assert all(node.stalled and node.chain.height == 0 for node in sim.nodes)
