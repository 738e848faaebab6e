"""The issue's acceptance on anvil: a node follows the real contracts through every kind of
event and an L2 reorg, and ends with exactly the contract's node list.

The network starts as a network of one (the node seeded at the genesis block) and every node
that becomes active joins it as a node of the same process (tests/node/cluster.py), since a
registered node that does not run would stall a network this small. One scenario, in order:
seeded nodes, solo and multi-contributor registrations, a requirement
change, exit requests, an exit with the network's signature and one after the wait, a
deregistration followed by a liquidation, and a reorg made with anvil's snapshot and revert
while two events are pending. Then, once every event up to the L2 height H is resolved, the
ledger's registered plus recently removed keys equal the contract's node list at H, the events
the ledger confirmed are exactly those a fresh tracker finds on the surviving chain, and the
store reopens to the same state hash.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sesh.cli import main
from sesh.l2.events import L2Event, event_id
from sesh.ledger import (
    DecisionKind,
    Ledger,
    NodeState,
    Outcome,
    RemovalKind,
    UptimeDecision,
    check_invariants,
)
from sesh.ledger.purge import ACTED_ON

from .cluster import Cluster
from .conftest import SESH, STAKE, Member, Network, make_cluster, make_tracker, seed_genesis

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


def ledger_of(node: Cluster) -> Ledger:
    return node.ledger


def settle(node: Cluster, limit: int = 40) -> list[Outcome]:
    """Blocks until the tracker has nothing new and no event is pending; the outcomes of the
    events resolved on the way."""
    outcomes: list[Outcome] = []
    for _ in range(limit):
        node.step()
        outcomes += node.outcomes()
        if not ledger_of(node).pending and not node.seen:
            return outcomes
    raise AssertionError("the events were not resolved")


def until(node: Cluster, height: int) -> None:
    while ledger_of(node).height < height:
        node.step()


def surviving_events(net: Network) -> list[L2Event]:
    """What a tracker that never saw the reorg reports from the chain as it is now."""
    tracker = make_tracker(net)
    position = tracker.initial_position()
    events: list[L2Event] = []
    while True:
        result = tracker.poll(position)
        assert not result.retracted
        events += result.events
        position = result.position
        if result.caught_up:
            return events


def registered(node: Cluster, member: Member) -> bool:
    return member.pubkey in ledger_of(node).nodes


def test_a_node_follows_every_event_and_a_reorg_to_the_contracts_node_list(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    net = network
    _, s1, s2, s3, s4, s5 = net.chain.accounts[:6]
    first, genesis = seed_genesis(net, s5)
    seeded_solo = net.seed([(s1, s1, STAKE)])
    seeded_pair = net.seed([(s2, s3, 90 * SESH), (s4, s4, 30 * SESH)])
    net.start()
    node = make_cluster(net, tmp_path, first, genesis)
    ledger = ledger_of

    def join(member: Member) -> Member:
        node.add(member.keys)
        return member

    join(seeded_solo)
    join(seeded_pair)
    # Registrations: solo, multi-contributor (with a fee and a separate beneficiary).
    a = join(net.register(s1))
    b = join(net.register(s2))
    multi = join(
        net.register(s2, [(s2, s2, 60 * SESH), (s3, s4, 30 * SESH), (s5, s5, 30 * SESH)], 1_500)
    )
    d = join(net.register(s4))
    assert settle(node) == [Outcome.APPLIED] * 6
    for member in (seeded_solo, seeded_pair, a, b, multi, d):
        assert registered(node, member)
    assert ledger(node).nodes[multi.pubkey].fee == 1_500
    assert ledger(node).nodes[seeded_pair.pubkey].contributors[0].beneficiary == s3.lower()

    # A requirement change, then a registration at the new requirement.
    net.set_requirement(200 * SESH)
    assert settle(node) == [Outcome.APPLIED]
    assert ledger(node).staking_requirement == 200 * SESH
    e = join(net.register(s5))
    assert settle(node) == [Outcome.APPLIED]
    assert ledger(node).nodes[e.pubkey].staking_requirement == 200 * SESH

    # Exit requests; after the unlock the nodes are recently removed.
    net.request_exit(a, s1)
    net.request_exit(b, s2)
    assert settle(node) == [Outcome.APPLIED] * 2
    until(node, ledger(node).nodes[a.pubkey].requested_unlock_height)
    assert {a.pubkey, b.pubkey} <= ledger(node).removed.keys()

    # An exit with the network's signature, one after the 30-day wait.
    net.exit_with_signature(a, s3)
    net.exit_after_wait(b, s5)
    assert settle(node) == [Outcome.APPLIED] * 2
    assert a.pubkey not in ledger(node).removed and b.pubkey not in ledger(node).removed
    stake_back = ledger(node).accounts[s1.lower()].stake
    assert stake_back == STAKE

    # A deregistration (decommission, credit runs out), then a liquidation after the grace. The
    # decisions are every node's (uptime testing will make them; a validator refuses others).
    node.step((UptimeDecision(DecisionKind.DECOMMISSION, d.pubkey),))
    assert ledger(node).nodes[d.pubkey].state is NodeState.DECOMMISSIONED
    until(node, ledger(node).height + 6)
    node.outcomes()
    node.step((UptimeDecision(DecisionKind.DEREGISTER, d.pubkey),))
    assert node.receipts[-1].decisions == (Outcome.APPLIED,)
    removed = ledger(node).removed[d.pubkey]
    assert removed.kind is RemovalKind.DEREGISTER
    until(node, removed.liquidation_height)
    node.outcomes()
    net.liquidate(d, s3)
    assert settle(node) == [Outcome.APPLIED]  # the slashed exit (the Liquidated event is ignored)
    assert d.pubkey not in ledger(node).removed
    assert ledger(node).payments  # the operator's slashed stake waits the stake lock

    # A reorg while a registration and an exit request are pending: both are denied.
    snapshot = net.chain.snapshot()
    model = dict(net.nodes)
    gone = net.register(s3)
    net.request_exit(multi, s5)
    node.steps(2)
    assert len(ledger(node).pending) == 2
    net.chain.revert(snapshot)
    net.nodes = model
    h = join(net.register(s1))
    outcomes = settle(node)
    assert sorted(outcomes) == sorted([Outcome.DENIED, Outcome.DENIED, Outcome.APPLIED])
    assert registered(node, h) and not registered(node, gone)
    assert not ledger(node).nodes[multi.pubkey].requested_unlock_height

    # Every event up to H resolved: the ledger's keys are the contract's node list at H.
    follower = node.node.follower
    assert follower is not None
    safe = follower.safe_block
    assert safe is not None and safe.number == net.chain.w3.eth.block_number
    contract = set(follower.tracker.contract_nodes(safe).values())
    final = ledger(node)
    known = {n.bls_pubkey for n in final.nodes.values()}
    known |= {r.info.bls_pubkey for r in final.removed.values()}
    assert known == contract == net.contract_keys()
    # The tracker reported exactly the surviving events: the ledger confirmed those, no others.
    survivors = {event_id(e) for e in surviving_events(net) if isinstance(e, ACTED_ON)}
    assert len(survivors) == 15  # 9 registrations, 1 requirement, 2 requests, 3 exits
    assert set(final.confirmed) == survivors
    check_invariants(final)
    assert node.agree()

    # The store reopens to the same state, and the network goes on from there.
    state_hash, height, position = final.state_hash, final.height, node.position
    node.close()
    for index in range(len(node.nodes)):
        node.start(index)
    assert ledger(node).state_hash == state_hash and ledger(node).height == height
    assert node.seen == {} and node.position == position
    node.step()
    assert node.height == height + 1

    # `sesh node status` reads the store.
    data_dir = tmp_path / "node0"
    assert main(["node", "status", "--data-dir", str(data_dir)]) == 0
    text = capsys.readouterr().out
    assert f"height         {height + 1:,}" in text
    assert "0x" + ledger(node).state_hash.hex() in text
    assert main(["node", "status", "--data-dir", str(data_dir), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["chain"]["height"] == height + 1
    assert status["chain"]["nodes"]["active"] == len(final.nodes)
    assert status["l2_safe_height"] == safe.number
    node.close()
