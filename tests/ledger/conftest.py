"""A small network for ledger tests: a ledger, a producer, and an L2 that events come from.

The test profile keeps mainnet's 120-second blocks (so a block pays exactly the pool's rate)
and mainnet's credits, with short waits so lifecycles fit in a few dozen blocks: maturity 10
blocks, unlock 20, liquidation grace 10, stake lock 30, purge age 10. The stake is 100 SESH and
the pool pays RATE = 1,000,000 atoms a block, so hand-computed shares are round numbers.

`Net` drives the ledger the way a node would: the tracker's view is `seen` (every event the
test "emitted" on L2 and did not reorg away), each block is the producer's view of it, and every
block is followed by the invariant check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from nacl.signing import SigningKey

from sesh.keccak import keccak256
from sesh.l2.events import (
    Contributor,
    L2Event,
    L2Origin,
    NewServiceNode,
    ServiceNodeExit,
    ServiceNodeExitRequest,
    StakingRequirementUpdated,
    event_id,
)
from sesh.ledger import (
    Block,
    BlockReceipt,
    DecisionKind,
    Ledger,
    NetworkProfile,
    Outcome,
    PurgeView,
    UptimeDecision,
    check_invariants,
    produce_block,
    reward_balance,
)
from sesh.ledger.rules import ed25519_message

SESH = 10**9
STAKE = 100 * SESH
RATE = 1_000_000
CHAIN = 31337
PRODUCER = b"\x50" * 32

PROFILE = NetworkProfile(
    name="test",
    block_time=120,
    l2_chain_id=CHAIN,
    l2_confirmations=0,
    staking_requirement=STAKE,
    initial_reward_rate=RATE,
    maturity=10 * 120,
    unlock_delay=20 * 120,
    liquidation_grace=10 * 120,
    stake_lock=30 * 120,
    purge_min_age=10 * 120,
    deregistration_grace=0,
)
MATURITY, UNLOCK, GRACE, LOCK, PURGE_AGE = 10, 20, 10, 30, 10


def addr(n: int) -> str:
    """A readable test address: 0x000…0n."""
    return f"0x{n:040x}"


@dataclass(frozen=True)
class NodeKeys:
    signing: SigningKey
    bls: tuple[int, int]

    @property
    def pubkey(self) -> bytes:
        return bytes(self.signing.verify_key)

    @property
    def pubkey_int(self) -> int:
        return int.from_bytes(self.pubkey, "big")


def node_keys(i: int) -> NodeKeys:
    seed = hashlib.sha256(b"node" + i.to_bytes(4, "big")).digest()
    return NodeKeys(SigningKey(seed), (10_000 + i, 20_000 + i))


Stake = tuple[str, int] | tuple[str, str, int]


def contributors(stakes: Sequence[Stake]) -> tuple[Contributor, ...]:
    out = []
    for s in stakes:
        if len(s) == 2:
            out.append(Contributor(s[0], s[0], s[1]))
        else:
            out.append(Contributor(s[0], s[1], s[2]))
    return tuple(out)


@dataclass
class Net:
    profile: NetworkProfile = PROFILE
    check: bool = True
    ledger: Ledger = field(init=False)
    seen: list[L2Event] = field(default_factory=list)
    l2: int = 0
    pool_rate: int = RATE
    receipts: list[BlockReceipt] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.profile)

    # -- L2 events --------------------------------------------------------------------------

    def origin(self) -> L2Origin:
        self.l2 += 1
        return L2Origin(CHAIN, self.l2, keccak256(self.l2.to_bytes(32, "big")), 0)

    def registration(
        self,
        i: int,
        stakes: Sequence[Stake] | None = None,
        *,
        fee: int = 0,
        sign: bool = True,
        seeded: bool = False,
        keys: NodeKeys | None = None,
    ) -> NewServiceNode:
        keys = keys or node_keys(i)
        contribs = contributors(stakes if stakes is not None else [(addr(i), STAKE)])
        event = NewServiceNode(
            origin=self.origin(),
            service_node_id=i,
            initiator=contribs[0].address if contribs else addr(0),
            bls_pubkey=keys.bls,
            ed25519_pubkey=keys.pubkey_int,
            ed25519_signature=b"",
            fee=fee,
            contributors=contribs,
            seeded=seeded,
        )
        if sign and not seeded:
            signature = keys.signing.sign(ed25519_message(event)).signature
            event = replace(event, ed25519_signature=signature)
        return event

    def exit_request(self, i: int) -> ServiceNodeExitRequest:
        return ServiceNodeExitRequest(self.origin(), i, addr(i), node_keys(i).bls)

    def exit(self, i: int, returned: int = STAKE) -> ServiceNodeExit:
        return ServiceNodeExit(self.origin(), i, addr(i), returned, node_keys(i).bls)

    def requirement(self, amount: int) -> StakingRequirementUpdated:
        return StakingRequirementUpdated(self.origin(), amount)

    # -- blocks -----------------------------------------------------------------------------

    def make_block(
        self,
        decisions: Iterable[UptimeDecision] = (),
        purge_view: PurgeView | None = None,
    ) -> Block:
        return produce_block(
            self.ledger,
            producer=PRODUCER,
            l2_height=self.l2,
            pool_reward_rate=self.pool_rate,
            tracker_events=self.seen,
            decisions=decisions,
            purge_view=purge_view,
        )

    def apply(self, block: Block) -> BlockReceipt:
        receipt = self.ledger.apply(block)
        # the tracker forgets what the network confirmed (the reference prunes after 70 min)
        confirmed = self.ledger.confirmed
        self.seen = [e for e in self.seen if event_id(e) not in confirmed]
        if self.check:
            check_invariants(self.ledger)
        self.receipts.append(receipt)
        self.blocks.append(block)
        return receipt

    def step(
        self,
        decisions: Iterable[UptimeDecision] = (),
        purge_view: PurgeView | None = None,
    ) -> BlockReceipt:
        return self.apply(self.make_block(decisions, purge_view))

    def steps(self, n: int) -> list[BlockReceipt]:
        return [self.step() for _ in range(n)]

    def until(self, height: int) -> None:
        """Apply empty blocks until the ledger is at `height`."""
        while self.ledger.height < height:
            self.step()

    def decide(self, kind: DecisionKind, i: int) -> Outcome:
        receipt = self.step([UptimeDecision(kind, node_keys(i).pubkey)])
        return receipt.decisions[0]

    def confirm(
        self, event: L2Event, purge_view: PurgeView | None = None, limit: int = 40
    ) -> tuple[int, Outcome]:
        """Emit `event` on L2 and run blocks until the network resolves it: (height, outcome)."""
        eid = event_id(event)
        self.seen.append(event)
        for _ in range(limit):
            receipt = self.step(purge_view=purge_view)
            for resolved in receipt.resolved:
                if resolved.event_id == eid:
                    return receipt.height, resolved.outcome
        raise AssertionError("the event was never resolved")

    def register(self, i: int, stakes: Sequence[Stake] | None = None, **kw: object) -> int:
        """Register node `i` and return the height its registration took effect."""
        height, outcome = self.confirm(self.registration(i, stakes, **kw))  # type: ignore[arg-type]
        assert outcome is Outcome.APPLIED, outcome
        return height

    def balance(self, address: str, height: int | None = None) -> int:
        return reward_balance(self.ledger, address, height)
