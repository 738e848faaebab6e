"""A ledger snapshot gives back the same state: same hash, same answers, same future.

The stateful machine is the ledger's own (tests/ledger/test_properties.py: registrations,
exits, decisions, reorgs, purges, rollbacks, with its invariants after every step) plus one
rule: replace the ledger by the one restored from its snapshot, and go on with that.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, rule

from sesh.ledger import DecisionKind, Ledger, check_invariants, reward_balance
from sesh.ledger.snapshot import SnapshotError, encode_snapshot, restore_snapshot

from ..ledger.conftest import PROFILE, SESH, STAKE, Net, addr, node_keys
from ..ledger.test_properties import LedgerMachine


def busy_net() -> Net:
    """Every table non-empty: nodes (active, decommissioned, unlocking), removed nodes, accounts,
    a delayed payment, pending and confirmed events."""
    net = Net()
    for i in range(1, 6):
        net.register(i, [(addr(i), addr(i + 10), 40 * SESH), (addr(20 + i), 60 * SESH)], fee=300)
    net.steps(12)
    net.decide(DecisionKind.DECOMMISSION, 2)
    net.confirm(net.exit_request(3))
    net.confirm(net.exit_request(4))
    net.until(net.ledger.nodes[node_keys(4).pubkey].requested_unlock_height)
    net.until(net.ledger.removed[node_keys(4).pubkey].liquidation_height)
    net.confirm(net.exit(4, STAKE - 30 * SESH))
    net.seen.append(net.registration(6))
    net.step()
    return net


def test_a_restored_ledger_has_the_same_state_hash() -> None:
    net = busy_net()
    ledger = net.ledger
    assert ledger.nodes and ledger.removed and ledger.payments and ledger.pending
    restored = restore_snapshot(PROFILE, encode_snapshot(ledger))
    assert restored.state_hash == ledger.state_hash
    assert restored.height == ledger.height
    check_invariants(restored)


def test_the_encoding_is_canonical() -> None:
    ledger = busy_net().ledger
    data = encode_snapshot(ledger)
    assert encode_snapshot(restore_snapshot(PROFILE, data)) == data


def test_a_restored_ledger_answers_and_continues_like_the_original() -> None:
    net = busy_net()
    twin = Net()
    twin.ledger = restore_snapshot(PROFILE, encode_snapshot(net.ledger))
    twin.seen = list(net.seen)
    for address in (addr(11), addr(21), addr(4)):
        assert reward_balance(twin.ledger, address) == reward_balance(net.ledger, address)
    for _ in range(40):
        block = net.make_block()
        assert net.apply(block).state_hash == twin.apply(block).state_hash


def test_a_fresh_ledger_round_trips() -> None:
    ledger = Ledger(PROFILE)
    assert restore_snapshot(PROFILE, encode_snapshot(ledger)).state_hash == ledger.state_hash


def test_a_snapshot_under_another_profile_is_refused() -> None:
    data = encode_snapshot(busy_net().ledger)
    with pytest.raises(SnapshotError, match="another profile"):
        restore_snapshot(replace(PROFILE, block_time=60), data)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:-1],
        lambda d: d + b"\x00",
        lambda d: d[:40] + bytes([d[40] ^ 1]) + d[41:],
        lambda d: d[: len(d) // 2] + bytes([d[len(d) // 2] ^ 0x10]) + d[len(d) // 2 + 1 :],
        lambda d: b"x" + d[1:],
    ],
    ids=["truncated", "trailing", "scalar flipped", "record flipped", "magic"],
)
def test_damaged_snapshots_are_refused(damage: object) -> None:
    data = encode_snapshot(busy_net().ledger)
    with pytest.raises(SnapshotError):
        restore_snapshot(PROFILE, damage(data))  # type: ignore[operator]


class SnapshotMachine(LedgerMachine):
    """The ledger machine, sometimes swapping its ledger for the restored snapshot."""

    @rule()
    def restore_from_snapshot(self) -> None:
        ledger = self.net.ledger
        restored = restore_snapshot(ledger.profile, encode_snapshot(ledger))
        assert restored.state_hash == ledger.state_hash
        self.net.ledger = restored
        check_invariants(restored)

    @invariant()
    def snapshot_round_trips(self) -> None:
        ledger = self.net.ledger
        data = encode_snapshot(ledger)
        restored = restore_snapshot(ledger.profile, data)
        assert restored.state_hash == ledger.state_hash
        assert encode_snapshot(restored) == data


SnapshotMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSnapshotMachine = SnapshotMachine.TestCase
