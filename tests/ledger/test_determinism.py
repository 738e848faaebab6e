"""Two ledgers fed the same blocks in separate processes reach the same state hash.

A seeded random run (registrations, exits, slashes, decisions, purges, reorgs) makes a chain
of blocks here; a fresh Python process, with another hash seed (set and dict orders differ),
decodes the blocks from their canonical bytes, applies them and prints the state hash after
each. Both lists must be identical.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sesh.ledger import (
    ROLLBACK_DEPTH,
    DecisionKind,
    HeightUnavailable,
    Ledger,
    PurgeView,
    UptimeDecision,
)

from .conftest import PROFILE, SESH, STAKE, Net, addr, node_keys

REPLAY = """
import json, pickle, sys
from sesh.ledger import Block, Ledger
profile, blocks = pickle.loads(open(sys.argv[1], "rb").read())
ledger = Ledger(profile)
hashes = []
for data in blocks:
    ledger.apply(Block.decode(data))
    hashes.append(ledger.state_hash.hex())
print(json.dumps(hashes))
"""


def random_chain(seed: int, blocks: int) -> Net:
    rng = random.Random(seed)
    profile = replace(PROFILE, initial_credit=10 * 120, decommission_min_credit=10 * 120)
    net = Net(profile=profile, check=False)
    while net.ledger.height < blocks:
        i = rng.randint(1, 8)
        key = node_keys(i).pubkey
        roll = rng.random()
        decisions = []
        view = None
        if roll < 0.08:
            stakes = [(addr(i), 40 * SESH), (addr(i + 8), addr(i + 16), 60 * SESH)]
            net.seen.append(net.registration(i, stakes, fee=rng.choice([0, 333, 10_000])))
        elif roll < 0.11:
            net.seen.append(net.exit_request(i))
        elif roll < 0.14:
            net.seen.append(net.exit(i, STAKE - rng.choice([0, 0, SESH])))
        elif roll < 0.22:
            decisions = [UptimeDecision(rng.choice(list(DecisionKind)), key)]
        elif roll < 0.24:
            keys = frozenset(n.bls_pubkey for n in net.ledger.nodes.values())
            view = PurgeView(net.l2, keys - {node_keys(i).bls} | {(1, 1)})
        elif roll < 0.26 and net.seen:
            net.seen.pop(rng.randrange(len(net.seen)))  # an L2 reorg
        net.step(decisions, view)
    return net


def replay_elsewhere(net: Net, tmp_path: Path, hash_seed: str) -> list[str]:
    path = tmp_path / "chain.pickle"
    path.write_bytes(pickle.dumps((net.profile, [b.encode() for b in net.blocks])))
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run(
        [sys.executable, "-c", REPLAY, str(path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    hashes: list[str] = json.loads(out.stdout)
    return hashes


def test_a_replay_in_another_process_reaches_the_same_state_hashes(tmp_path: Path) -> None:
    net = random_chain(seed=5, blocks=400)
    applied = {r.outcome for rec in net.receipts for r in rec.resolved}
    assert len(applied) >= 4  # the chain is not trivial
    assert net.ledger.issued > 0 and net.ledger.stake_credited > 0
    here = [r.state_hash.hex() for r in net.receipts]
    assert replay_elsewhere(net, tmp_path, "1") == here
    assert replay_elsewhere(net, tmp_path, "2") == here


def test_a_replay_after_a_rollback_reaches_the_same_state_hashes() -> None:
    net = random_chain(seed=9, blocks=300)
    ledger = net.ledger
    ledger.rollback(200)
    assert ledger.state_hash == net.receipts[99].state_hash
    for block, receipt in zip(net.blocks[100:], net.receipts[100:], strict=True):
        assert ledger.apply(block) == receipt
    fresh = Ledger(net.profile)
    for block in net.blocks:
        fresh.apply(block)
    assert fresh.state_hash == ledger.state_hash


def test_the_ledger_rolls_back_360_blocks_and_no_more() -> None:
    net = random_chain(seed=3, blocks=400)
    ledger = net.ledger
    assert ledger.rollback_depth == ROLLBACK_DEPTH == 360
    with pytest.raises(HeightUnavailable):
        ledger.rollback(361)
    top = ledger.state_hash
    ledger.rollback(360)
    assert ledger.height == 40
    assert ledger.state_hash == net.receipts[39].state_hash
    for block in net.blocks[40:]:
        ledger.apply(block)
    assert ledger.state_hash == top
