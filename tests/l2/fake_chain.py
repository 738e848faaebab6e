"""An in-memory chain behind the ``L2Reader`` interface, for what anvil cannot do on demand:
reorgs of a chosen depth, a provider that lies, lags, loses history or fails mid-poll.

Logs are encoded with eth_abi (not with sesh's own decoder), so decoding is checked against an
independent encoder. Contract state (the node list, the reward rate) is kept per block, so a
call at a block hash answers as that block's state would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode

from sesh.l2 import decode
from sesh.l2.decode import EventSpec
from sesh.l2.errors import ProviderError, RpcError
from sesh.l2.position import BlockRef
from sesh.l2.providers import Transaction
from sesh.l2.views import (
    FOUNDATION_POOL,
    REWARD_RATE,
    SEED_NODES_TYPE,
    SEED_PUBLIC_KEY_LIST,
    SERVICE_NODE_IDS_PAGE,
    SERVICE_NODES,
    STAKING_REQUIREMENT,
    selector,
)

CHAIN_ID = 31337
REWARDS = "0x" + "5e" * 20
POOL = "0x" + "9a" * 20
MULTISIG = "0x" + "3c" * 20
OWNER = "0x" + "01" * 20
STAKE = 120 * 10**9
TIME_ZERO = 1_700_000_000
"""Block n's timestamp is this plus n (a block a second)."""


def address(n: int) -> str:
    return "0x" + f"{n:040x}"


def key_of(node_id: int) -> tuple[int, int]:
    return (node_id * 1_000 + 1, node_id * 1_000 + 2)


def ed25519_of(node_id: int) -> int:
    return 0xED_0000 + node_id


@dataclass
class NodeState:
    key: tuple[int, int]
    ed25519: int
    contributors: list[tuple[str, str, int]]


@dataclass
class State:
    nodes: dict[int, NodeState] = field(default_factory=dict)
    reward_rate: int = 1_000
    staking_requirement: int | None = None
    """None: `stakingRequirement()` reverts (the chain's tests do not need it)."""

    def copy(self) -> State:
        return State(dict(self.nodes), self.reward_rate, self.staking_requirement)


@dataclass
class Block:
    number: int
    hash: bytes
    logs: list[dict[str, Any]]
    state: State


def encode_log(spec: EventSpec, topics: Sequence[int], values: Sequence[Any]) -> dict[str, Any]:
    """A log body (without its place in the chain) as a provider would send it."""
    return {
        "address": REWARDS,
        "topics": ["0x" + spec.topic0.hex()] + ["0x" + t.to_bytes(32, "big").hex() for t in topics],
        "data": "0x" + encode(list(spec.data_types), list(values)).hex(),
    }


class FakeChain:
    """A chain and its provider. Mutators queue logs; ``mine`` puts them in a block."""

    def __init__(
        self, name: str = "fake", chain_id: int = CHAIN_ID, lineage: str | None = None
    ) -> None:
        self._name = name
        self._chain_id = chain_id
        self.lineage = lineage or name
        """Chains of one lineage have the same block hashes: two providers of one chain."""
        self.fork = 0
        genesis = Block(0, self._hash(0), [], State())
        self.chain: list[Block] = [genesis]
        self.state = State()
        self.pending: list[dict[str, Any]] = []
        # fault injection
        self.failing: set[str] = set()
        """Methods that raise ProviderError."""
        self.max_log_range: int | None = None
        """eth_getLogs over more blocks answers a JSON-RPC error (as hosted providers do)."""
        self.history: int | None = None
        """Calls at blocks more than this far below the tip fail (a pruned node)."""
        self.lag = 0
        """Blocks the provider pretends not to have yet."""
        self.before_logs: Callable[[FakeChain], None] | None = None
        """Runs before each eth_getLogs answer (to move the chain mid-poll)."""
        self.log_ranges: list[tuple[int, int]] = []
        self.transactions: dict[bytes, Transaction] = {}
        self.call_blocks: list[bytes] = []

    # -- building the chain ---------------------------------------------------------------------

    def _hash(self, number: int) -> bytes:
        return hashlib.sha256(f"{self.lineage}/{self.fork}/{number}".encode()).digest()

    @property
    def tip(self) -> Block:
        return self.chain[-1]

    def mine(self, empty: int = 0) -> Block:
        """One block with the queued logs, then ``empty`` empty blocks; the first one."""
        number = len(self.chain)
        logs = []
        for index, body in enumerate(self.pending):
            tx_hash = hashlib.sha256(f"{self.lineage}/{self.fork}/{number}/{index}".encode())
            sent = body.pop("_sent", None)
            if sent is not None:
                self.transactions[tx_hash.digest()] = Transaction(self._hash(number), *sent)
            logs.append(
                {
                    **body,
                    "blockNumber": hex(number),
                    "blockHash": "0x" + self._hash(number).hex(),
                    "logIndex": hex(index),
                    "transactionHash": "0x" + tx_hash.hexdigest(),
                    "removed": False,
                }
            )
        self.pending = []
        block = Block(number, self._hash(number), logs, self.state.copy())
        self.chain.append(block)
        for _ in range(empty):
            self.chain.append(Block(len(self.chain), self._hash(len(self.chain)), [], block.state))
        return block

    def mine_empty(self, count: int) -> None:
        for _ in range(count):
            self.chain.append(
                Block(len(self.chain), self._hash(len(self.chain)), [], self.state.copy())
            )

    def reorg(self, keep: int) -> None:
        """Drop every block above ``keep``; new blocks get other hashes."""
        del self.chain[keep + 1 :]
        self.state = self.chain[-1].state.copy()
        self.fork += 1
        self.pending = []

    def replace_chain(self, lineage: str) -> None:
        """Another chain from genesis on, with its own hashes and an empty state: what a
        devnet started afresh on the same port looks like."""
        self.lineage = lineage
        self.fork = 0
        self.state = State()
        self.pending = []
        self.chain = [Block(0, self._hash(0), [], State())]

    def register(
        self,
        node_id: int,
        contributors: Sequence[tuple[str, str, int]] | None = None,
        fee: int = 0,
        initiator: str | None = None,
    ) -> None:
        contributors = list(contributors or [(address(node_id), address(node_id), STAKE)])
        initiator = initiator or contributors[0][0]
        self.state.nodes[node_id] = NodeState(key_of(node_id), ed25519_of(node_id), contributors)
        self.pending.append(
            encode_log(
                decode.NEW_SERVICE_NODE_V2,
                [node_id],
                [
                    initiator,
                    key_of(node_id),
                    (ed25519_of(node_id), 11, 22, fee),
                    [((a, b), amount) for a, b, amount in contributors],
                ],
            )
        )

    def seed(
        self,
        node_id: int,
        contributors: Sequence[tuple[str, str, int]],
        via: str = REWARDS,
        ed25519: int | None = None,
    ) -> None:
        """Seed a node with a ``seedPublicKeyList`` call sent to ``via`` (the rewards contract,
        or a multisig that calls it: then the transaction's input is not that call); its
        Ed25519 key is ``ed25519`` (a node a test runs) or a made-up one."""
        ed = ed25519_of(node_id) if ed25519 is None else ed25519
        self.state.nodes[node_id] = NodeState(key_of(node_id), ed, list(contributors))
        log = encode_log(decode.NEW_SEEDED_SERVICE_NODE, [node_id], [key_of(node_id), ed])
        entry = (key_of(node_id), ed, 1, [((a, b), n) for a, b, n in contributors])
        call = selector(SEED_PUBLIC_KEY_LIST) + encode([SEED_NODES_TYPE], [[entry]])
        log["_sent"] = (via, call if via == REWARDS else b"\x12\x34" + call)
        self.pending.append(log)

    def exit_request(self, node_id: int) -> None:
        initiator = self.state.nodes[node_id].contributors[0][0]
        self.pending.append(
            encode_log(decode.SERVICE_NODE_EXIT_REQUEST, [node_id], [initiator, key_of(node_id)])
        )

    def exit(self, node_id: int, returned: int = STAKE) -> None:
        del self.state.nodes[node_id]
        self.pending.append(
            encode_log(decode.SERVICE_NODE_EXIT, [node_id], [OWNER, returned, key_of(node_id)])
        )

    def liquidate(self, node_id: int, liquidator: str = OWNER) -> None:
        self.pending.append(
            encode_log(decode.SERVICE_NODE_LIQUIDATED, [node_id], [liquidator, key_of(node_id)])
        )
        self.exit(node_id, STAKE - STAKE // 10)

    def set_requirement(self, requirement: int) -> None:
        self.pending.append(encode_log(decode.STAKING_REQUIREMENT_UPDATED, [], [requirement]))
        if self.state.staking_requirement is not None:
            self.state.staking_requirement = requirement

    def other_event(self) -> None:
        """An event of the contract the tracker does not act on (RewardsClaimed)."""
        spec = EventSpec("RewardsClaimed(address,uint256)", 1)
        self.pending.append(encode_log(spec, [int(OWNER, 16)], [5]))

    # -- L2Reader -------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    def _check(self, method: str) -> None:
        if method in self.failing:
            raise ProviderError(f"{self._name}: {method} failed (injected)")

    def chain_id(self) -> int:
        self._check("chain_id")
        return self._chain_id

    def block_number(self) -> int:
        self._check("block_number")
        return len(self.chain) - 1 - self.lag

    def blocks(self, numbers: Sequence[int]) -> list[BlockRef | None]:
        self._check("blocks")
        top = len(self.chain) - 1 - self.lag
        return [BlockRef(n, self.chain[n].hash) if n <= top else None for n in numbers]

    def logs(self, address: str, from_block: int, to_block: int) -> list[Any]:
        self._check("logs")
        if self.before_logs is not None:
            self.before_logs(self)
        if self.max_log_range is not None and to_block - from_block + 1 > self.max_log_range:
            raise RpcError("eth_getLogs", -32005, "query exceeds max block range")
        self.log_ranges.append((from_block, to_block))
        found = []
        for block in self.chain[from_block : to_block + 1]:
            found.extend(log for log in block.logs if log["address"] == address)
        return found

    def transaction(self, tx_hash: bytes) -> Transaction | None:
        self._check("transaction")
        sent = self.transactions.get(tx_hash)
        if sent is None or not any(b.hash == sent.block_hash for b in self.chain):
            return None
        return sent

    def block_timestamp(self, block_hash: bytes) -> int | None:
        self._check("block_timestamp")
        for block in self.chain:
            if block.hash == block_hash:
                return TIME_ZERO + block.number
        return None

    def calls(self, calls: Sequence[tuple[str, bytes]], block_hash: bytes) -> list[bytes]:
        self._check("calls")
        self.call_blocks.append(block_hash)
        matches = [b for b in self.chain if b.hash == block_hash]
        if not matches:
            raise RpcError("eth_call", -32000, "header not found")
        block = matches[0]
        if self.history is not None and len(self.chain) - 1 - block.number > self.history:
            raise RpcError("eth_call", -32000, "missing trie node (state pruned)")
        return [self._call(block.state, to, data) for to, data in calls]

    def _call(self, state: State, to: str, data: bytes) -> bytes:
        sel, args = data[:4], data[4:]
        words = [int.from_bytes(args[i : i + 32], "big") for i in range(0, len(args), 32)]
        if to == POOL and sel == selector(REWARD_RATE):
            return encode(["uint256"], [state.reward_rate])
        if to != REWARDS:
            return b""
        if sel == selector(FOUNDATION_POOL):
            return encode(["address"], [POOL])
        if sel == selector(STAKING_REQUIREMENT) and state.staking_requirement is not None:
            return encode(["uint256"], [state.staking_requirement])
        if sel == selector(SERVICE_NODES):
            return self._record(state, words[0])
        if sel == selector(SERVICE_NODE_IDS_PAGE):
            ids = sorted(state.nodes)
            start = ids.index(words[0]) if words[0] else 0
            page = ids[start : start + min(words[1], 1_000)]
            after = ids[start + len(page)] if start + len(page) < len(ids) else 0
            keys = [state.nodes[i].key for i in page]
            return encode(["uint64[]", "(uint256,uint256)[]", "uint64"], [page, keys, after])
        raise RpcError("eth_call", 3, "execution reverted")

    @staticmethod
    def _record(state: State, node_id: int) -> bytes:
        node = state.nodes.get(node_id)
        if node is None:
            values: tuple[Any, ...] = (0, 0, "0x" + "00" * 20, (0, 0), 0, 0, 0, 0, [], 0)
        else:
            stakers = [((a, b), amount) for a, b, amount in node.contributors]
            deposit = sum(amount for _, _, amount in node.contributors)
            operator = node.contributors[0][0]
            values = (0, 0, operator, node.key, 1, 0, 0, deposit, stakers, node.ed25519)
        return encode(
            [
                "(uint64,uint64,address,(uint256,uint256),uint256,uint256,uint256,uint256,"
                "((address,address),uint256)[],uint256)"
            ],
            [values],
        )
