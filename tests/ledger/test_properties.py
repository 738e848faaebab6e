"""Random block sequences keep the ledger's invariants (hypothesis, stateful).

After every block: `check_invariants` (no node in two states, indexes and hashes match the
records, issued·10^18 = credited + unsettled + dust + carry, issued = paid + dust); balances
only grow; and the lazily settled rewards equal an eager model that pays every payable node
every block. Rolling back k blocks returns the earlier state hash, and re-applying the same
blocks returns the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sesh.l2.events import event_id
from sesh.ledger import DecisionKind, PurgeView, UptimeDecision
from sesh.ledger.queries import reward_units
from sesh.ledger.records import NodeIdentity

from .conftest import PROFILE, SESH, STAKE, Net, addr, node_keys

# Short credits, so deregistrations happen within a few dozen blocks.
PROPERTY_PROFILE = replace(PROFILE, initial_credit=10 * 120, decommission_min_credit=10 * 120)
NODES = range(1, 7)
ADDRESSES = [addr(i) for i in range(1, 13)]
BLOCKS = st.sampled_from([1, 6])
"""Blocks after emitting an event: 1 leaves it pending (for reorgs), 6 confirms it."""

STAKE_PATTERNS = [
    lambda i: [(addr(i), STAKE)],
    lambda i: [(addr(i), addr(i + 6), 40 * SESH), (addr(i % 6 + 1), 60 * SESH)],
    lambda i: [(addr(i), 25 * SESH), (addr(7), addr(8), 25 * SESH), (addr(9), 50 * SESH)],
]


@dataclass
class Incarnation:
    identity: NodeIdentity
    earned: int = 0


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.net = Net(profile=PROPERTY_PROFILE)
        self.best: dict[str, int] = dict.fromkeys(ADDRESSES, 0)
        self.model: dict[bytes, Incarnation] = {}
        self.gone: list[Incarnation] = []

    # -- the eager model ------------------------------------------------------------------------

    def after_block(self, acc_before: int) -> None:
        ledger = self.net.ledger
        gained = ledger.acc - acc_before
        for key, node in ledger.nodes.items():
            inc = self.model.get(key)
            if inc is None or inc.identity != node.identity:
                if inc is not None:
                    self.gone.append(inc)
                inc = self.model[key] = Incarnation(node.identity)
            if node.payable:
                inc.earned += gained
        for key in list(self.model):
            if key not in ledger.nodes and key not in ledger.removed:
                self.gone.append(self.model.pop(key))

    def step(self, **kw: object) -> None:
        acc = self.net.ledger.acc
        receipt = self.net.step(**kw)  # type: ignore[arg-type]
        self.after_block(acc)
        for resolved in receipt.resolved:
            event(f"event {resolved.outcome.name}")
        for outcome in receipt.decisions:
            event(f"decision {outcome.name}")

    def steps(self, n: int, **kw: object) -> None:
        for _ in range(n):
            self.step(**kw)

    # -- rules ----------------------------------------------------------------------------------

    @rule(
        i=st.sampled_from(NODES),
        pattern=st.integers(0, 2),
        fee=st.sampled_from([0, 7, 10_000]),
        blocks=BLOCKS,
    )
    def register(self, i: int, pattern: int, fee: int, blocks: int) -> None:
        self.net.seen.append(self.net.registration(i, STAKE_PATTERNS[pattern](i), fee=fee))
        self.steps(blocks)

    @rule(i=st.sampled_from(NODES), blocks=BLOCKS)
    def exit_request(self, i: int, blocks: int) -> None:
        self.net.seen.append(self.net.exit_request(i))
        self.steps(blocks)

    @rule(i=st.sampled_from(NODES), slash=st.sampled_from([0, 1, 30 * SESH]), blocks=BLOCKS)
    def exit(self, i: int, slash: int, blocks: int) -> None:
        self.net.seen.append(self.net.exit(i, STAKE - slash))
        self.steps(blocks)

    @rule(
        i=st.sampled_from(NODES),
        kind=st.sampled_from(list(DecisionKind)),
    )
    def decide(self, i: int, kind: DecisionKind) -> None:
        self.step(decisions=[UptimeDecision(kind, node_keys(i).pubkey)])

    @rule(i=st.sampled_from(NODES), slash=st.sampled_from([0, 1, 30 * SESH]))
    def liquidate_when_allowed(self, i: int, slash: int) -> None:
        """Wait for a removed node's liquidation height, then see its (slashed) exit."""
        removed = self.net.ledger.removed.get(node_keys(i).pubkey)
        if removed is None:
            return
        self.steps(max(0, removed.liquidation_height - self.net.ledger.height))
        self.exit(i, slash, 6)

    @rule(i=st.sampled_from(NODES))
    def fail_until_deregistered(self, i: int) -> None:
        """Decommission a node, let its credit run out, deregister it."""
        key = node_keys(i).pubkey
        if key not in self.net.ledger.nodes:
            return
        self.step(decisions=[UptimeDecision(DecisionKind.DECOMMISSION, key)])
        node = self.net.ledger.nodes.get(key)
        if node is not None and not node.active:
            self.steps(node.credit_at_decommission + 1)
        self.step(decisions=[UptimeDecision(DecisionKind.DEREGISTER, key)])

    @rule(amount=st.sampled_from([STAKE, 120 * SESH]), blocks=BLOCKS)
    def requirement(self, amount: int, blocks: int) -> None:
        self.net.seen.append(self.net.requirement(amount))
        self.steps(blocks)

    @rule(i=st.sampled_from(NODES), blocks=st.integers(1, 12))
    def purge_all_but(self, i: int, blocks: int) -> None:
        keys = frozenset(
            n.bls_pubkey for n in self.net.ledger.nodes.values() if n.bls_pubkey != node_keys(i).bls
        )
        self.steps(blocks, purge_view=PurgeView(self.net.l2, keys | {(1, 1)}))

    @precondition(lambda self: bool(self.net.ledger.pending))
    @rule(data=st.data())
    def reorg(self, data: st.DataObject) -> None:
        """An L2 reorg takes a pending event away; maybe it comes back in another block."""
        pending = {p.event_id for p in self.net.ledger.pending.values()}
        candidates = [e for e in self.net.seen if event_id(e) in pending]
        if not candidates:
            return
        event = data.draw(st.sampled_from(candidates))
        self.net.seen.remove(event)
        if data.draw(st.booleans()):
            origin = replace(event.origin, block_hash=b"\x55" * 32)
            self.net.seen.append(replace(event, origin=origin))
        self.step()

    @rule(blocks=st.integers(1, 40))
    def advance(self, blocks: int) -> None:
        self.steps(blocks)

    @precondition(lambda self: self.net.ledger.rollback_depth > 0)
    @rule(data=st.data())
    def rollback_and_replay(self, data: st.DataObject) -> None:
        ledger = self.net.ledger
        k = data.draw(st.integers(1, min(ledger.rollback_depth, 60)))
        blocks = self.net.blocks[-k:]
        top = ledger.state_hash
        earlier = self.net.receipts[-k - 1].state_hash if len(self.net.receipts) > k else None
        ledger.rollback(k)
        if earlier is not None:
            assert ledger.state_hash == earlier
        for block in blocks:
            ledger.apply(block)
        assert ledger.state_hash == top

    # -- invariants -----------------------------------------------------------------------------

    @invariant()
    def balances_only_grow(self) -> None:
        for address in ADDRESSES:
            balance = self.net.balance(address)
            assert balance >= self.best[address]
            self.best[address] = balance

    @invariant()
    def lazy_rewards_equal_eager_ones(self) -> None:
        ledger = self.net.ledger
        for key, inc in self.model.items():
            node = ledger.nodes.get(key)
            if node is not None:
                lazy = node.earned + (ledger.acc - node.snapshot if node.payable else 0)
            else:
                lazy = ledger.removed[key].info.earned
            assert lazy == inc.earned
        expected = dict.fromkeys(ADDRESSES, 0)
        for inc in [*self.model.values(), *self.gone]:
            identity = inc.identity
            for c, w in zip(identity.contributors, identity.weights, strict=True):
                expected[c.beneficiary] += inc.earned * w // identity.total_weight
        for address in ADDRESSES:
            assert reward_units(ledger, address)[0] == expected[address]

    @invariant()
    def label(self) -> None:
        """Not a property: labels for --hypothesis-show-statistics, to see what gets reached."""
        ledger = self.net.ledger
        for name, reached in (
            ("a payable node", ledger.payable_count > 0),
            ("a decommissioned node", any(not n.active for n in ledger.nodes.values())),
            ("an unlocking node", any(n.requested_unlock_height for n in ledger.nodes.values())),
            ("a removed node", bool(ledger.removed)),
            ("a delayed payment", bool(ledger.payments)),
            ("a returned stake", ledger.stake_credited > 0),
            ("a purged node", bool(ledger.purged)),
        ):
            if reached:
                event(f"reached {name}")


LedgerMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerMachine = LedgerMachine.TestCase
