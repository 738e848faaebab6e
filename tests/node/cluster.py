"""Nodes of one network in one process, for the node's tests: real `NetworkNode`s (stores, L2
followers over their own trackers, the consensus engine) started the way `sesh node run` starts
one (`join_network`, `network_follower`), on one clock that the test moves, over a simulated
switchboard instead of sockets (the sockets have their own tests: tests/net, tests/node/
test_network_node.py, tests/network).

`step` makes the next block at once: every running node polls L2, then messages are delivered
until none is in flight, and only then does the clock jump to the next moment a node has
something to do. So a test makes hundreds of blocks in seconds, every block sees the L2 as it
is at that step, and a run is the same every time. Node 0 is the one a test looks at; every
node the ledger knows must run in the cluster (a stopped third stalls the network, as it would).
A cluster of one key is a network of one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from nacl.signing import SigningKey

from sesh.bls import DomainTags
from sesh.consensus.engine import LocalView
from sesh.keys import NodeKeys
from sesh.l2.position import TrackerPosition
from sesh.l2.tracker import Tracker
from sesh.ledger import Block, BlockReceipt, Ledger, NetworkProfile, Outcome, UptimeDecision
from sesh.net.announce import AddressBook, PeerAddress
from sesh.net.codec import Codec
from sesh.net.transport import Incoming
from sesh.node.funding import Funding
from sesh.node.genesis import Genesis, genesis_from_l2
from sesh.node.launch import join_network, network_follower
from sesh.node.network import Link, NetworkConfig, NetworkNode, Peer
from sesh.node.signing import Signer
from sesh.node.store import Store

T = TypeVar("T")

MAX_TIMES = 200
"""Clock jumps one block may take before `step` gives up."""
MAX_DELIVERIES = 10_000
"""Passes over the inboxes before the switchboard is declared to be looping."""


def genesis_at(tracker: Tracker, profile: NetworkProfile, block: int) -> Genesis:
    """The genesis at L2 block `block`: the contract's seeded nodes there."""
    config = tracker.config
    return genesis_from_l2(
        tracker,
        network=profile.name,
        chain_id=config.chain_id,
        rewards_contract=config.rewards_contract,
        block=block,
    )


class Switchboard:
    """The simulated transport: one inbox per node key, delivered in order, nothing lost."""

    def __init__(self) -> None:
        self.inboxes: dict[bytes, list[Incoming]] = {}

    def link(self, key: SigningKey, codec: Codec, book: AddressBook) -> Link:
        del codec, book  # payloads are delivered as the node encoded them
        return _Plug(self, bytes(key.verify_key))

    def in_flight(self) -> int:
        return sum(len(inbox) for inbox in self.inboxes.values())


class _Plug:
    def __init__(self, board: Switchboard, pubkey: bytes) -> None:
        self.board = board
        self.pubkey = pubkey
        self.address = PeerAddress("127.0.0.1", 1)
        board.inboxes[pubkey] = []

    @property
    def port(self) -> int:
        return self.address.port

    def send(self, peer: bytes, kind: str, payload: bytes) -> bool:
        inbox = self.board.inboxes.get(peer)
        if inbox is None or peer == self.pubkey:
            return False
        inbox.append(Incoming(self.pubkey, kind, payload, on_server=True))
        return True

    def broadcast(self, peers: Iterable[bytes], kind: str, payload: bytes) -> int:
        return sum(self.send(peer, kind, payload) for peer in peers)

    def reply(self, incoming: Incoming, kind: str, payload: bytes) -> bool:
        return self.send(incoming.sender, kind, payload)

    def poll(self, timeout_ms: int = 0) -> list[Incoming]:
        inbox = self.board.inboxes.get(self.pubkey, [])
        delivered = list(inbox)
        inbox.clear()
        return delivered

    def close(self) -> None:
        self.board.inboxes.pop(self.pubkey, None)


class Cluster:
    """See the module docstring."""

    def __init__(
        self,
        directory: Path,
        trackers: Callable[[], Tracker],
        genesis: Genesis,
        keys: Iterable[SigningKey | NodeKeys],
        profile: NetworkProfile,
        *,
        funding: Funding | None = None,
        snapshot_interval: int = 1_000,
    ) -> None:
        self.directory = directory
        self.trackers = trackers
        self.genesis = genesis
        self.profile = profile
        self.snapshot_interval = snapshot_interval
        self.board = Switchboard()
        self.now = float(genesis.timestamp)
        self.replica: Ledger | None = None
        """Node 0's blocks applied to a ledger of the test's own (`receipts`), from the height
        node 0 was at when the cluster was made."""
        self.receipts: list[BlockReceipt] = []
        self.tags = DomainTags.for_contract(genesis.l2_chain_id, genesis.rewards_contract)
        self.signers: list[Signer | None] = []
        self.keys: list[SigningKey] = []
        for key in keys:
            self._remember(key)
        self.nodes: list[NetworkNode | None] = [None] * len(self.keys)
        for index in range(len(self.keys)):
            self.start(index, funding=funding if index == 0 else None)
        if self.nodes[0] is not None and self.nodes[0].chain.height == 0:
            self.replica = genesis.ledger(profile)

    # -- membership --------------------------------------------------------------------------------

    def _remember(self, key: SigningKey | NodeKeys) -> None:
        """A node's keys: with its BLS key (`NodeKeys`) it signs when asked."""
        if isinstance(key, NodeKeys):
            self.keys.append(key.ed25519)
            self.signers.append(Signer(key.bls, self.tags))
        else:
            self.keys.append(key)
            self.signers.append(None)

    def add(self, key: SigningKey | NodeKeys, *, funding: Funding | None = None) -> NetworkNode:
        """Start a node with `key`: it catches up from the others, which know it from now on
        (as they would from its address announcement)."""
        self._remember(key)
        self.nodes.append(None)
        for node in self.running:
            node.config = replace(node.config, bootstrap=self._peers())
        return self.start(len(self.keys) - 1, funding=funding)

    def _peers(self) -> tuple[Peer, ...]:
        return tuple(Peer(bytes(k.verify_key), PeerAddress("127.0.0.1", 1)) for k in self.keys)

    def start(self, index: int, *, funding: Funding | None = None) -> NetworkNode:
        """Open node `index` from its store (or the genesis)."""
        tracker = self.trackers()
        store = Store.open(self.directory / f"node{index}")
        try:
            join_network(store, self.genesis, self.profile, tracker)
            follower = network_follower(tracker, self.profile, self.genesis, store)
            follower.check_l2()
            config = NetworkConfig(
                profile=self.profile,
                bootstrap=self._peers(),
                poll_interval=1e12,  # `step` polls
                announce_interval=1e12,
                snapshot_interval=self.snapshot_interval,
            )
            genesis, profile = self.genesis, self.profile
            node = NetworkNode(
                store,
                self.keys[index],
                lambda: genesis.ledger(profile),
                config,
                follower=follower,
                funding=funding,
                signer=self.signers[index],
                link=self.board.link,
                clock=lambda: self.now,
            )
        except BaseException:
            store.close()
            raise
        self.now = max(self.now, node.chain.ledger.timestamp)
        self.nodes[index] = node
        return node

    def stop(self, index: int) -> None:
        node = self.nodes[index]
        if node is not None:
            node.transport.close()
            node.store.close()
            self.nodes[index] = None

    def close(self) -> None:
        for index in range(len(self.nodes)):
            self.stop(index)

    @property
    def running(self) -> list[NetworkNode]:
        return [node for node in self.nodes if node is not None]

    # -- node 0 ------------------------------------------------------------------------------------

    @property
    def node(self) -> NetworkNode:
        node = self.nodes[0]
        assert node is not None, "node 0 is stopped"
        return node

    @property
    def store(self) -> Store:
        return self.node.store

    @property
    def ledger(self) -> Ledger:
        return self.node.chain.ledger

    @property
    def height(self) -> int:
        return self.node.chain.height

    @property
    def position(self) -> TrackerPosition:
        assert self.node.follower is not None
        return self.node.follower.position

    @property
    def seen(self) -> dict[bytes, object]:
        """Node 0's view of L2: reported events the ledger has not confirmed."""
        assert self.node.follower is not None
        return dict(self.node.follower.seen)

    # -- time --------------------------------------------------------------------------------------

    def step(self, decisions: tuple[UptimeDecision, ...] = ()) -> Block:
        """Poll L2 on every node, then make the next block and store it everywhere; node 0's
        block. `decisions`: uptime decisions every node would make for it."""
        height = self.height
        for node in self.running:
            node.poll_l2()
            if decisions:
                node.view = _with_decisions(node, decisions)
        try:
            for _ in range(MAX_TIMES):
                self._deliver()
                if all(node.chain.height > height for node in self.running):
                    self._replay()
                    block = self.node.chain.block_at(height + 1)
                    assert block is not None
                    return block
                self.now = max(self.now, min(n.engine.next_wakeup(self.now) for n in self.running))
        finally:
            if decisions:
                for node in self.running:
                    node.view = _with_decisions(node, ())
        raise AssertionError(f"no block after {height} within {MAX_TIMES} clock jumps")

    def _replay(self) -> None:
        replica = self.replica
        if replica is None:
            return
        for height in range(replica.height + 1, self.height + 1):
            block = self.node.chain.block_at(height)
            assert block is not None
            self.receipts.append(replica.apply(block))
        assert replica.state_hash == self.ledger.state_hash

    def outcomes(self) -> list[Outcome]:
        """The outcomes of the events resolved since the last call."""
        done = [r.outcome for receipt in self.receipts for r in receipt.resolved]
        self.receipts.clear()
        return done

    def while_running(self, work: Callable[[], T], limit: float = 30.0) -> T:
        """`work()` in another thread (an RPC's) while the nodes answer messages (the clock
        stands still: no block is made meanwhile)."""
        result: list[T] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                result.append(work())
            except BaseException as error:  # handed to the test's thread
                failure.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + limit
        while thread.is_alive() and time.monotonic() < deadline:
            self._deliver()
            time.sleep(0.002)
        thread.join(1)
        if failure:
            raise failure[0]
        assert result, f"not done within {limit:g} s"
        return result[0]

    def agree(self) -> bool:
        """Every running node has the same tip and state."""
        tips = {(n.chain.tip, n.chain.ledger.state_hash) for n in self.running}
        return len(tips) == 1

    def steps(self, count: int) -> list[Block]:
        return [self.step() for _ in range(count)]

    def _deliver(self) -> None:
        """Turn every running node until no message is in flight."""
        for _ in range(MAX_DELIVERIES):
            for node in self.running:
                node.turn()
            if not self.board.in_flight():
                return
        raise AssertionError("the nodes keep talking without the clock moving")


def _with_decisions(node: NetworkNode, decisions: tuple[UptimeDecision, ...]) -> LocalView:
    return replace(node.view, decisions=decisions)
