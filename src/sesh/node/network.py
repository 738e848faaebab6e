"""A node of the quorum network: consensus over the transport, blocks in the store, L2 beside.

The imperative shell around `sesh.consensus.ConsensusNode`. One thread runs the loop, which
owns the transport's sockets (ZeroMQ sockets are not thread-safe) and, under `lock`, the chain:

1. wait on the transport until a message comes or the engine's next deadline
   (`ConsensusNode.next_wakeup`), at most `MAX_WAIT` seconds;
2. decode each message (`sesh.consensus.wire`: anything malformed is dropped and counted) and
   hand it to the engine with its authenticated sender, then give the engine the time (`tick`);
3. send what the engine answers: to one node (over the connection the request came on when it
   is the requester, so a node nobody knows yet can still catch up), or to every node this one
   knows (the active nodes of the ledger and the address book);
4. store every block the main chain gained since the last turn, in one transaction (a batch
   caught up, or a switch to another branch, which first drops the stored blocks above the
   fork), then the checkpoint votes, so a kill -9 loses nothing the node accepted before it;
5. every `poll_interval`, poll the L2 tracker (`L2Follower`, outside the lock: it is HTTP) and
   publish what it saw as the engine's `LocalView`, and every `announce_interval` sign and
   gossip this node's address (`sesh.net.announce`);
6. when the chain grew and the node has a `Funding`, let it check (and, with a signer, pay)
   the rewards contract's funding, outside the lock too (`sesh.node.funding`);
7. answer signing requests from its ledger (`sesh.node.signing.Signer`, under the lock), and
   send the requests the RPC threads hand it (`ask`) to every node it knows, filing the answers.

On start the node restores the newest snapshot at least `ROLLBACK_DEPTH` blocks old, or the
genesis, and replays the stored blocks after it (`Chain.restore`: state hashes checked), loads
the checkpoint votes, and goes on: blocks it missed come from its peers (catch-up sync).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from nacl.signing import SigningKey

from sesh.aggregator.messages import (
    ANSWER_BYTES,
    ANSWER_KIND,
    REQUEST_BYTES,
    REQUEST_KIND,
    MessageError,
    SignAnswer,
    SignRequest,
)
from sesh.consensus.chain import Chain
from sesh.consensus.engine import Action, Broadcast, ConsensusNode, LocalView, Send, Timing
from sesh.consensus.messages import Verifier
from sesh.consensus.sizes import QuorumRules
from sesh.consensus.wire import KINDS, MAX_PAYLOAD, WireError, decode, encode
from sesh.l2.events import NewServiceNode
from sesh.ledger import ROLLBACK_DEPTH, Block, Ledger, NetworkProfile
from sesh.ledger.snapshot import SnapshotError, encode_snapshot, restore_snapshot
from sesh.ledger.state import ACCOUNTS
from sesh.net.announce import (
    AddressBook,
    Announcement,
    PeerAddress,
    Verdict,
    sign_announcement,
)
from sesh.net.codec import Codec
from sesh.net.transport import Incoming, Transport
from sesh.node.follower import L2Follower, NodeError, Poll
from sesh.node.signing import Collection, L2Now, RequestLimit, Signer
from sesh.node.status import chain_summary, rewards_summary
from sesh.node.store import BlockWrite, Store

if TYPE_CHECKING:
    from sesh.node.funding import Funding

log = logging.getLogger("sesh.node")

ANNOUNCE_KIND = "net.announce"
MAX_WAIT = 0.05
"""The longest the loop waits on the transport: L2 polls and announcements are checked this
often."""
DEFAULT_SNAPSHOT_INTERVAL = 1_000


class Link(Protocol):
    """What the node needs of its transport: `sesh.net.transport.Transport`, or a simulated
    one that a test passes as `NetworkNode`'s ``link`` (many nodes in one process)."""

    address: PeerAddress

    @property
    def port(self) -> int: ...

    def send(self, peer: bytes, kind: str, payload: bytes) -> bool: ...

    def broadcast(self, peers: Iterable[bytes], kind: str, payload: bytes) -> int: ...

    def reply(self, incoming: Incoming, kind: str, payload: bytes) -> bool: ...

    def poll(self, timeout_ms: int = 0) -> list[Incoming]: ...

    def close(self) -> None: ...


LinkFactory = Callable[[SigningKey, Codec, AddressBook], Link]


@dataclass(frozen=True)
class Peer:
    """A node to connect to before the network's own announcements say where nodes are."""

    pubkey: bytes
    address: PeerAddress


@dataclass(frozen=True)
class NetworkConfig:
    """How this node takes part in the network."""

    profile: NetworkProfile
    rules: QuorumRules = field(default_factory=QuorumRules)
    timing: Timing | None = None
    """None: `Timing.for_block_time(profile.block_time)`."""
    host: str = "127.0.0.1"
    port: int = 0
    """The transport's port (0: a free one)."""
    rpc_port: int | None = None
    """The JSON-RPC port announced to peers (None: no RPC)."""
    bootstrap: tuple[Peer, ...] = ()
    poll_interval: float = 1.0
    announce_interval: float = 30.0
    snapshot_interval: int = DEFAULT_SNAPSHOT_INTERVAL
    halt_height: int | None = None

    @property
    def block_timing(self) -> Timing:
        return self.timing or Timing.for_block_time(self.profile.block_time)


class NetworkNode:
    """One node of the network over one store and one transport (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        key: SigningKey,
        genesis: Callable[[], Ledger],
        config: NetworkConfig,
        *,
        follower: L2Follower | None = None,
        funding: Funding | None = None,
        signer: Signer | None = None,
        link: LinkFactory | None = None,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.store = store
        self.funding = funding
        self.signer = signer
        self._collections: dict[int, Collection] = {}
        self._unsent: list[Collection] = []
        self._collections_lock = threading.Lock()
        self._requests = RequestLimit()
        self.key = key
        self.pubkey = bytes(key.verify_key)
        self.config = config
        self.profile = config.profile
        self.follower = follower
        self.clock = clock
        self.lock = threading.Lock()
        """Held while the chain changes: RPC reads take it."""
        self.view = LocalView()
        self.dropped: dict[str, int] = {}
        """Messages refused before the engine, by reason."""
        chain = self._load(genesis)
        if follower is not None:
            follower.ledger = lambda: self.engine.chain.ledger
        self.engine = ConsensusNode(
            key, chain, config.block_timing, random_bytes=random_bytes, view=lambda: self.view
        )
        self._stored: dict[int, bytes] = {}
        for height in range(max(chain.genesis_height, chain.height - 400), chain.height + 1):
            self._stored[height] = chain.hash_at(height) or b""
        self._stored_height = chain.height
        self._funded_height = chain.height
        """Funding runs after each new block (its first check wants a polled safe block)."""
        self.addresses = AddressBook(bootstrap={p.pubkey: p.address for p in config.bootstrap})
        codec = Codec()
        for kind in KINDS.values():
            codec.register(kind, MAX_PAYLOAD[kind])
        codec.register(ANNOUNCE_KIND, 256)
        codec.register(REQUEST_KIND, REQUEST_BYTES)
        codec.register(ANSWER_KIND, ANSWER_BYTES)
        self.transport: Link = (
            link(key, codec, self.addresses)
            if link is not None
            else Transport(key, codec, self.addresses, host=config.host, port=config.port)
        )
        self._next_poll = 0.0
        self._last_poll: Poll | None = None
        self._next_announce = 0.0
        self._stalled = False
        self.rpc_port = config.rpc_port
        """Announced with the address; None: no RPC, nothing announced (a test's node)."""

    @property
    def chain(self) -> Chain:
        return self.engine.chain

    @property
    def port(self) -> int:
        return self.transport.port

    # -- start: the store or the genesis -----------------------------------------------------------

    def _load(self, genesis: Callable[[], Ledger]) -> Chain:
        top = self.store.height()
        snapshot = self.store.snapshot(max(top - ROLLBACK_DEPTH, 0))
        ledger = genesis()
        origin = (ledger.height, ledger.block_hash, ledger.timestamp)
        if snapshot is not None and snapshot[0] > ledger.height:
            try:
                ledger = restore_snapshot(self.profile, snapshot[2])
            except SnapshotError as error:
                raise NodeError(
                    f"the snapshot at block {snapshot[0]} is unusable: {error}"
                ) from None
        below = self.store.blocks(origin[0] + 1, ledger.height)
        chain = Chain(
            ledger,
            self.config.rules,
            Verifier(),
            archive=self._archived,
            genesis=origin,
            hashes=[stored.hash for stored in below],
        )
        for stored in self.store.blocks(ledger.height + 1, top):
            try:
                chain.restore(stored.block())
            except Exception as error:
                raise NodeError(
                    f"stored block {stored.height} does not replay ({error}): the store is "
                    "damaged or was written by an incompatible sesh; use --fresh"
                ) from None
        for height, block_hash, voter, signature in self.store.votes(chain.immutable_height()):
            chain.votes.setdefault(height, {}).setdefault(block_hash, {})[voter] = signature
        if top:
            log.info("restored block %d (state %s)", top, ledger.state_hash.hex()[:16])
        return chain

    def _archived(self, height: int) -> Block | None:
        stored = self.store.block(height)
        return None if stored is None else stored.block()

    # -- the loop ----------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Take part in the network until `stop` is set or the halt height is stored."""
        try:
            while not stop.is_set():
                self.turn()
                halt = self.config.halt_height
                if halt is not None and self._stored_height >= halt:
                    log.info("halt height %d reached", halt)
                    return
        finally:
            self.transport.close()

    def turn(self) -> None:
        """One pass of the loop (see the module docstring)."""
        now = self.clock()
        wait = min(MAX_WAIT, max(0.0, self.engine.next_wakeup(now) - now))
        incoming = self.transport.poll(int(wait * 1000))
        with self.lock:
            now = self.clock()
            for message in incoming:
                self._handle(message, now)
                # After each message, not once per turn: a catch-up can bring many batches in
                # one poll, and the accounts a write re-reads go back only ROLLBACK_DEPTH blocks.
                self._persist()
            self._act(self.engine.tick(now))
            self._persist()
            self._send_requests()
            self._say_if_stalled()
            height, issued = self.chain.height, self.chain.ledger.issued
        if self.funding is not None and height != self._funded_height:
            self._funded_height = height
            safe = self.follower.safe_block if self.follower is not None else None
            self.funding.after_block(height, issued, safe)
        now = self.clock()
        if self.follower is not None and now >= self._next_poll:
            self._next_poll = now + self.config.poll_interval
            self.poll_l2()
        if now >= self._next_announce:
            self._next_announce = now + self.config.announce_interval
            self._announce(now)

    def _say_if_stalled(self) -> None:
        """Log once when the network stalls (too few active nodes for a quorum) and once when
        it can go on: a stall must be visible, never silent."""
        stalled = self.engine.stalled
        if stalled != self._stalled:
            self._stalled = stalled
            basis = self.chain.basis()
            if stalled:
                log.warning(
                    "the network is stalled at block %d: %d active node(s), fewer than a quorum "
                    "needs; blocks resume when enough nodes are active",
                    self.chain.height,
                    basis.active,
                )
            else:
                log.info("the network can make blocks again (%d active nodes)", basis.active)

    def _handle(self, incoming: Incoming, now: float) -> None:
        if incoming.kind == ANNOUNCE_KIND:
            self._on_announcement(incoming, now)
            return
        if incoming.kind in (REQUEST_KIND, ANSWER_KIND):
            self._on_signing(incoming)
            return
        try:
            message = decode(incoming.kind, incoming.payload)
        except WireError:
            self.dropped["malformed"] = self.dropped.get("malformed", 0) + 1
            return
        try:
            actions = self.engine.receive(incoming.sender, message, now)
        except Exception:  # a peer's message must never take the node down
            log.exception("a message from %s failed", incoming.sender.hex()[:16])
            self.dropped["failed"] = self.dropped.get("failed", 0) + 1
            return
        self._act(actions, incoming)

    def _act(self, actions: Iterable[Action], incoming: Incoming | None = None) -> None:
        for action in actions:
            kind, payload = encode(action.message)
            if isinstance(action, Send):
                if incoming is not None and action.to == incoming.sender and incoming.on_server:
                    self.transport.reply(incoming, kind, payload)
                elif action.to != self.pubkey:
                    self.transport.send(action.to, kind, payload)
            elif isinstance(action, Broadcast):
                self.transport.broadcast(self.peers(), kind, payload)

    def peers(self) -> list[bytes]:
        """Every node this one knows: the ledger's nodes and the address book's."""
        known = set(self.chain.ledger.nodes) | {p.pubkey for p in self.config.bootstrap}
        known |= {a.ed25519_pubkey for a in self.addresses.announcements(self.clock())}
        known.discard(self.pubkey)
        return sorted(known)

    # -- storing what the chain gained -------------------------------------------------------------

    def _persist(self) -> None:
        chain = self.chain
        if chain.height == self._stored_height and chain.tip == self._stored.get(chain.height):
            self._persist_votes()
            return
        fork = min(self._stored_height, chain.height)
        while fork > chain.genesis_height and chain.hash_at(fork) != self._stored.get(fork):
            fork -= 1
        writes = []
        ledger = chain.ledger
        for height in range(fork + 1, chain.height + 1):
            block = chain.block_at(height)
            assert block is not None
            writes.append(self._write(block, chain.hash_at(height) or b""))
        # A switch may have changed accounts below the new blocks' own changes: rewrite them.
        if writes:
            changed = ledger.keys_changed_after(ACCOUNTS, fork)
            writes[-1].accounts = [ledger.accounts[a] for a, _ in changed if a in ledger.accounts]
            writes[-1].summary = self._summary()
            if any(w.block.height % self.config.snapshot_interval == 0 for w in writes):
                writes[-1].snapshot = encode_snapshot(ledger)
        self.store.commit_blocks(
            writes, truncate_above=fork if fork < self._stored_height else None
        )
        for height in range(fork + 1, chain.height + 1):
            self._stored[height] = chain.hash_at(height) or b""
        for height in [h for h in self._stored if h > chain.height or h < chain.height - 400]:
            del self._stored[height]
        self._stored_height = chain.height
        self._persist_votes()

    def _write(self, block: Block, block_hash: bytes) -> BlockWrite:
        return BlockWrite(
            block=block,
            block_hash=block_hash,
            state_hash=block.state_hash,
            position=None,
            produced_at=self.clock(),
        )

    def _persist_votes(self) -> None:
        chain = self.chain
        rows = [
            (height, block_hash, voter, signature)
            for height in sorted(chain.votes)[-4:]
            for block_hash, ballots in chain.votes[height].items()
            for voter, signature in ballots.items()
        ]
        if rows:
            self.store.add_votes(rows)

    def _summary(self) -> dict[str, Any]:
        ledger = self.chain.ledger
        polled = self._last_poll
        l2: dict[str, Any] = {"safeHeight": None}
        if polled is not None:
            safe = polled.position.safe
            l2 = {
                "safeHeight": safe.number if safe else None,
                "nextBlock": polled.position.next_block,
                "latest": polled.latest,
                "provider": polled.provider,
                "error": polled.error,
            }
        return chain_summary(
            ledger,
            produced_at=self.clock(),
            l2=l2,
            unconfirmed_events=len(self.view.events),
            rewards=rewards_summary(ledger) if ledger.height % 60 == 0 else {},
        )

    # -- L2 --------------------------------------------------------------------------------------

    def poll_l2(self) -> None:
        follower = self.follower
        assert follower is not None
        polled = follower.poll()
        self._last_poll = polled
        if polled.error is None:
            follower.read_time(self.clock())
        with self.lock:
            confirmed = self.chain.ledger.confirmed
            seen = {k: e for k, e in polled.seen.items() if k not in confirmed}
            added = [(k, e) for k, e in seen.items() if k not in follower.seen]
            removed = [k for k in follower.seen if k not in seen]
            moved = polled.position != follower.position
            follower.position = polled.position
            follower.seen = seen
            if polled.safe_block is not None:
                follower.safe_block = polled.safe_block
            rate = polled.reward_rate
            if rate is None:
                rate = self.view.pool_reward_rate
            events = sorted(
                seen.values(), key=lambda e: (e.origin.block_number, e.origin.log_index)
            )
            self.view = LocalView(
                l2_height=polled.position.safe.number if polled.position.safe else 0,
                pool_reward_rate=rate,
                events=tuple(events),
                purge_view=follower.purge(self.chain.height + 1, polled.safe_block, seen),
            )
            if moved or added or removed:
                self.store.save_view(polled.position, added, removed, self.chain.height)

    # -- signing -------------------------------------------------------------------------------

    def l2_now(self) -> L2Now:
        """The L2's time and the contract's node list as this node last read them, for its
        signer (the loop's follower reads both; without one, nothing is known). A key whose
        registration the tracker has reported and the ledger has not taken up yet is left out
        of the list: it is not "in the contract only", it is on its way (a registration that
        fails the network's checks is never taken up, and stays in the list)."""
        follower = self.follower
        if follower is None:
            return L2Now(None)
        view = follower.purge_view
        keys = None
        if view is not None:
            arriving = {
                e.bls_pubkey for e in follower.seen.values() if isinstance(e, NewServiceNode)
            }
            keys = view.contract_keys - arriving
        return L2Now(follower.l2_now(self.clock()), keys)

    def ask(self, request: SignRequest, timeout: float) -> dict[bytes, SignAnswer]:
        """Send `request` to every node this one knows (and answer it here), and wait up to
        `timeout` seconds for the answers: the answers by node. Called from another thread
        (an RPC's); the loop does the sending and the filing."""
        collection = Collection(request)
        with self._collections_lock:
            self._collections[request.request_id] = collection
            self._unsent.append(collection)
        try:
            collection.done.wait(timeout)
        finally:
            with self._collections_lock:
                del self._collections[request.request_id]
                answers = dict(collection.answers)
        return answers

    def _send_requests(self) -> None:
        with self._collections_lock:
            unsent, self._unsent = self._unsent, []
        for collection in unsent:
            request = collection.request
            # Recently removed nodes too: their keys are in the contract until it removes
            # them, so their shares count (else they are non-signers the contract must allow).
            peers = sorted(set(self.peers()) | self.chain.ledger.removed.keys())
            payload = request.encode()
            self.transport.broadcast(peers, REQUEST_KIND, payload)
            asked = set(peers)
            if self.signer is not None:
                asked.add(self.pubkey)
            with self._collections_lock:
                collection.send_to(asked)
                if self.signer is not None:
                    answer = self.signer.answer(request, self.chain, self.l2_now())
                    collection.file(self.pubkey, answer)

    def _on_signing(self, incoming: Incoming) -> None:
        try:
            if incoming.kind == REQUEST_KIND:
                request = SignRequest.decode(incoming.payload)
            else:
                answer = SignAnswer.decode(incoming.payload)
        except MessageError:
            self.dropped["malformed"] = self.dropped.get("malformed", 0) + 1
            return
        if incoming.kind == ANSWER_KIND:
            with self._collections_lock:
                collection = self._collections.get(answer.request_id)
                if collection is not None:
                    collection.file(incoming.sender, answer)
            return
        if self.signer is not None:
            if not self._requests.allow(incoming.sender, self.clock()):
                self.dropped["rate limited"] = self.dropped.get("rate limited", 0) + 1
                return
            reply = self.signer.answer(request, self.chain, self.l2_now()).encode()
            if incoming.on_server:
                self.transport.reply(incoming, ANSWER_KIND, reply)
            else:
                self.transport.send(incoming.sender, ANSWER_KIND, reply)

    # -- addresses ---------------------------------------------------------------------------------

    def _announce(self, now: float) -> None:
        if self.rpc_port is None:
            return
        address = self.transport.address
        announcement = sign_announcement(
            self.key, address.host, address.port, self.rpc_port, int(now)
        )
        self.addresses.offer(announcement, now)
        self.transport.broadcast(self.peers(), ANNOUNCE_KIND, announcement.to_bytes())

    def _on_announcement(self, incoming: Incoming, now: float) -> None:
        try:
            announcement = Announcement.from_bytes(incoming.payload)
        except ValueError:
            self.dropped["malformed"] = self.dropped.get("malformed", 0) + 1
            return
        if self.addresses.offer(announcement, now) is Verdict.ACCEPTED:
            others = (incoming.sender, announcement.ed25519_pubkey)
            peers = [p for p in self.peers() if p not in others]
            self.transport.broadcast(peers, ANNOUNCE_KIND, incoming.payload)
