"""Quorums come from the parent's state alone: deterministic, the round-0 producer is the
scheduled leader, later rounds draw other producers and validators, too few nodes stall."""

from __future__ import annotations

from dataclasses import replace

from sesh.consensus.quorum import QuorumBasis
from sesh.consensus.sim import SIM_PROFILE, Simulation
from sesh.consensus.sizes import QuorumRules
from sesh.ledger import genesis_ledger, scheduled_leader

RULES = QuorumRules()


def basis(n: int = 16, seed: int = 0) -> QuorumBasis:
    sim = Simulation(n, seed)
    return sim.nodes[0].chain.basis()


def test_every_node_derives_the_same_quorums() -> None:
    sim = Simulation(8, seed=5)
    sim.run_until_height(6)
    bases = [node.chain.basis() for node in sim.nodes]
    assert all(b.quorum(r) == bases[0].quorum(r) for b in bases for r in (0, 1, 7))


def test_round_0_is_led_by_the_scheduled_leader() -> None:
    sim = Simulation(8, seed=6)
    node = sim.nodes[0]
    quorum = node.chain.basis().quorum(0)
    assert quorum is not None
    assert quorum.producer == scheduled_leader(node.chain.ledger)
    assert quorum.producer not in quorum.validators


def test_later_rounds_draw_other_producers_and_validators() -> None:
    b = basis(16)
    quorums = [b.quorum(r) for r in range(12)]
    assert all(q is not None for q in quorums)
    assert len({q.producer for q in quorums if q}) > 3
    assert len({q.validators for q in quorums if q}) == 12
    for q in quorums:
        assert q is not None
        assert len(q.validators) == 11 and q.threshold == 7
        assert len(set(q.validators)) == 11 and q.producer not in q.validators


def test_the_entropy_is_the_ancestors_11_to_22_back() -> None:
    b = basis(16)
    other = replace(b, entropy=(bytes(32),) * 12)
    assert b.quorum(1) != other.quorum(1)
    assert len(b.entropy) == 12


def test_no_active_nodes_means_no_quorum() -> None:
    empty = QuorumBasis.of(genesis_ledger(SIM_PROFILE), RULES)
    assert empty.quorum(0) is None


def test_checkpoint_members_depend_on_the_block() -> None:
    b = basis(40)
    members, needed = b.checkpoint()
    assert len(members) == 20 and needed == 13
    assert replace(b, parent=bytes(32)).checkpoint()[0] != members
