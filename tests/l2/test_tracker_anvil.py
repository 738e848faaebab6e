"""The tracker on anvil with the real contracts: every event kind, confirmations, a reorg made
with anvil's snapshot and revert, provider failover and a provider on another chain.

Expected events come from web3's own decoding of the transactions' receipts, so the tracker's
decoder is checked against an independent one.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from web3.exceptions import MismatchedABI
from web3.types import TxReceipt

import sesh.l2.events as l2
from sesh.evm.abi_types import canonical_type
from sesh.evm.anvil import Anvil
from sesh.evm.chain import Chain
from sesh.evm.contract_set import ContractArtifacts
from sesh.l2.decode import EVENTS
from sesh.l2.errors import ChainIdMismatch
from sesh.l2.events import Contributor, L2Event, L2Origin, normalize_address
from sesh.l2.providers import Providers
from sesh.l2.tracker import PollResult, Tracker, TrackerConfig
from sesh.l2.views import (
    FOUNDATION_POOL,
    PAGE_TYPES,
    REWARD_RATE,
    SEED_PUBLIC_KEY_LIST,
    SERVICE_NODE_IDS_PAGE,
    SERVICE_NODE_TYPE,
    SERVICE_NODES,
)

from .conftest import SESH, STAKE, Network

pytestmark = pytest.mark.anvil

CHAIN_ID = 31337


def tracker(network: Network, confirmations: int = 0, urls: Sequence[str] = ()) -> Tracker:
    config = TrackerConfig(
        CHAIN_ID, network.deployment.service_node_rewards, confirmations=confirmations
    )
    return Tracker(Providers.from_urls(urls or [network.chain.rpc_url], CHAIN_ID), config)


def sync(t: Tracker, result: PollResult | None = None) -> PollResult:
    position = result.position if result else t.initial_position()
    while True:
        result = t.poll(position)
        if result.caught_up:
            return result
        position = result.position


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, Mapping):
        return (value["X"], value["Y"])
    return (value[0], value[1])


def expected(
    network: Network,
    receipts: Sequence[TxReceipt],
    seeded: dict[int, tuple[Contributor, ...]] | None = None,
) -> list[L2Event]:
    """The events in ``receipts`` as web3 decodes them, as tracker values."""
    names = [
        "NewServiceNodeV2",
        "NewSeededServiceNode",
        "ServiceNodeExitRequest",
        "ServiceNodeExit",
        "ServiceNodeLiquidated",
        "StakingRequirementUpdated",
    ]
    events: list[L2Event] = []
    for receipt in receipts:
        for log in receipt["logs"]:
            if log["address"] != network.rewards.address:
                continue
            for name in names:
                try:
                    decoded = getattr(network.rewards.events, name)().process_log(log)
                except MismatchedABI:
                    continue
                events.append(_value(name, decoded, seeded or {}))
    return events


def _value(name: str, decoded: Any, seeded: dict[int, tuple[Contributor, ...]]) -> L2Event:
    args = decoded["args"]
    origin = L2Origin(
        CHAIN_ID, decoded["blockNumber"], bytes(decoded["blockHash"]), decoded["logIndex"]
    )
    if name == "StakingRequirementUpdated":
        return l2.StakingRequirementUpdated(origin, args["newRequirement"])
    node_id = args["serviceNodeID"]
    if name == "NewSeededServiceNode":
        contributors = seeded[node_id]
        return l2.NewServiceNode(
            origin,
            node_id,
            contributors[0].address,
            _pair(args["blsPubkey"]),
            args["ed25519Pubkey"],
            b"",
            0,
            contributors,
            seeded=True,
        )
    initiator = normalize_address(args["initiator"])
    key = _pair(args["pubkey"])
    if name == "NewServiceNodeV2":
        params = args["serviceNode"]
        if isinstance(params, Mapping):
            params = [params[k] for k in ("serviceNodePubkey", "serviceNodeSignature1")] + [
                params["serviceNodeSignature2"],
                params["fee"],
            ]
        contributors = []
        for contributor in args["contributors"]:
            if isinstance(contributor, Mapping):
                staker, amount = contributor["staker"], contributor["stakedAmount"]
                staker = (staker["addr"], staker["beneficiary"])
            else:
                staker, amount = contributor
            contributors.append(
                Contributor(normalize_address(staker[0]), normalize_address(staker[1]), amount)
            )
        return l2.NewServiceNode(
            origin,
            node_id,
            initiator,
            key,
            params[0],
            params[1].to_bytes(32, "big") + params[2].to_bytes(32, "big"),
            params[3],
            tuple(contributors),
        )
    if name == "ServiceNodeExitRequest":
        return l2.ServiceNodeExitRequest(origin, node_id, initiator, key)
    if name == "ServiceNodeExit":
        return l2.ServiceNodeExit(origin, node_id, initiator, args["returnedAmount"], key)
    return l2.ServiceNodeLiquidated(origin, node_id, initiator, key)


def _contributors(*entries: tuple[str, str, int]) -> tuple[Contributor, ...]:
    return tuple(Contributor(normalize_address(a), normalize_address(b), n) for a, b, n in entries)


# -- every event kind -----------------------------------------------------------------------------


def test_every_event_kind_is_reported_as_the_contract_logged_it(isolated: Network) -> None:
    net = isolated
    _owner, s1, s2, s3, s4, s5 = net.chain.accounts[:6]
    receipts: list[TxReceipt] = []
    seeded_contributors = {}

    # Seeded before start: one node with a single contributor, one with two.
    for entries in [((s1, s1, STAKE),), ((s2, s3, 90 * SESH), (s4, s4, 30 * SESH))]:
        node, receipt = net.seed(entries)
        seeded_contributors[node.id] = _contributors(*entries)
        receipts.append(receipt)
    seeded_solo, seeded_pair = (net.nodes[i] for i in seeded_contributors)
    net.start()
    solo, receipt = net.register(s1, fee=0)
    receipts.append(receipt)
    multi, receipt = net.register(
        s2, [(s2, s2, 60 * SESH), (s3, s4, 30 * SESH), (s5, s5, 30 * SESH)], fee=1_500
    )
    receipts.append(receipt)
    receipts.append(net.request_exit(solo, s1))
    receipts.append(net.exit_after_wait(solo, s5))
    receipts.append(net.exit_with_signature(multi, s3))
    receipts.append(net.liquidate(seeded_solo, s4))
    receipts.append(net.set_requirement(200 * SESH))

    result = sync(tracker(net))
    want = expected(net, receipts, seeded_contributors)
    kinds = [type(e).__name__ for e in want]
    assert kinds == [
        "NewServiceNode",
        "NewServiceNode",
        "NewServiceNode",
        "NewServiceNode",
        "ServiceNodeExitRequest",
        "ServiceNodeExit",
        "ServiceNodeExit",
        "ServiceNodeLiquidated",
        "ServiceNodeExit",
        "StakingRequirementUpdated",
    ]
    assert list(result.events) == want
    # The values the contract computed, not only what web3 saw: the multi-contributor node's
    # beneficiaries, the after-wait exit's whole deposit, the liquidation's penalty.
    assert want[3].contributors[1] == Contributor(  # type: ignore[union-attr]
        normalize_address(s3), normalize_address(s4), 30 * SESH
    )
    assert want[5].returned_amount == STAKE  # type: ignore[union-attr]
    assert want[8].returned_amount == STAKE - 2 * (STAKE // 10)  # type: ignore[union-attr]
    assert result.events[1].contributors == seeded_contributors[seeded_pair.id]  # type: ignore[union-attr]

    # Reads at the safe block: the reward rate, the node list.
    assert result.safe_block is not None
    at = result.safe_block.number
    assert result.reward_rate == net.pool.functions.rewardRate().call(block_identifier=at)
    nodes = tracker(net).contract_nodes(result.safe_block)
    ids, keys = net.rewards.functions.allServiceNodeIDs().call(block_identifier=at)
    assert nodes == {i: _pair(k) for i, k in zip(ids, keys, strict=True)}
    assert set(nodes) == {seeded_pair.id}


def test_events_are_reported_after_their_confirmations(isolated: Network) -> None:
    net = isolated
    t = tracker(net, confirmations=2)
    position = sync(t).position
    net.start()
    _node, receipt = net.register(net.chain.accounts[1])
    result = t.poll(position)
    assert result.events == ()
    net.chain.mine()
    result = t.poll(result.position)
    assert result.events == ()  # start, then the registration: 1 block deep
    net.chain.mine()
    result = t.poll(result.position)
    assert list(result.events) == expected(net, [receipt])


# -- a reorg ------------------------------------------------------------------------------------


def test_a_reorg_retracts_exactly_what_it_undid(isolated: Network) -> None:
    net = isolated
    s1, s2, s3 = net.chain.accounts[1:4]
    net.start()
    kept, kept_receipt = net.register(s1)
    t = tracker(net)
    before = sync(t)
    snapshot = net.chain.snapshot()

    doomed, doomed_receipt = net.register(s2)
    request_receipt = net.request_exit(kept, s1)
    reported = sync(t, before)
    assert list(reported.events) == expected(net, [doomed_receipt, request_receipt])

    net.chain.revert(snapshot)  # both transactions are gone
    del net.nodes[doomed.id]
    _replacement, replacement_receipt = net.register(s3)
    requirement_receipt = net.set_requirement(150 * SESH)
    for _ in range(3):
        net.chain.mine()  # the new branch grows past the old one
    after = sync(t, reported)

    assert list(after.retracted) == list(reversed(reported.events))
    assert list(after.events) == expected(net, [replacement_receipt, requirement_receipt])
    # Exactly the surviving events: what a tracker that never saw the old branch reads.
    fresh = sync(tracker(net))
    survivors = [*before.events, *after.events]
    assert survivors == list(fresh.events)
    assert expected(net, [kept_receipt])[0] in survivors


# -- providers ----------------------------------------------------------------------------------


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


def test_a_dead_primary_fails_over_to_the_next_provider(isolated: Network) -> None:
    net = isolated
    net.start()
    _, receipt = net.register(net.chain.accounts[1])
    t = tracker(net, urls=[_dead_url(), net.chain.rpc_url])
    result = sync(t)
    assert result.provider == "http://127.0.0.1:" + net.chain.rpc_url.rsplit(":", 1)[1]
    assert expected(net, [receipt])[0] in result.events


def test_a_provider_on_another_chain_stops_the_tracker() -> None:
    with Anvil(port=0, chain_id=421614) as other:
        config = TrackerConfig(CHAIN_ID, "0x" + "11" * 20)
        t = Tracker(Providers.from_urls([other.rpc_url], CHAIN_ID), config)
        with pytest.raises(ChainIdMismatch, match="serves chain 421614, not chain 31337"):
            t.check_chain()
        with pytest.raises(ChainIdMismatch):
            t.poll(t.initial_position())


def test_the_chain_is_checked_at_start(chain: Chain) -> None:
    t = Tracker(
        Providers.from_urls([chain.rpc_url], CHAIN_ID), TrackerConfig(CHAIN_ID, "0x" + "11" * 20)
    )
    t.check_chain()  # no error


def test_the_decoder_knows_the_compiled_contracts_events_and_views(
    artifacts: ContractArtifacts,
) -> None:
    abi = artifacts.service_node_rewards.abi

    def signature(entry: dict[str, Any]) -> str:
        types = ",".join(canonical_type(p) for p in entry["inputs"])
        return f"{entry['name']}({types})"

    events = {signature(e): e for e in abi if e["type"] == "event"}
    for spec in EVENTS:
        indexed = [p["indexed"] for p in events[spec.signature]["inputs"]]
        assert indexed == [True] * spec.indexed + [False] * (len(indexed) - spec.indexed)
    functions = {signature(f): f for f in abi if f["type"] == "function"}
    outputs = {
        name: "(" + ",".join(canonical_type(p) for p in functions[name]["outputs"]) + ")"
        for name in (SERVICE_NODES, SERVICE_NODE_IDS_PAGE, FOUNDATION_POOL)
    }
    assert outputs[SERVICE_NODES] == "(" + SERVICE_NODE_TYPE + ")"
    assert outputs[SERVICE_NODE_IDS_PAGE] == "(" + ",".join(PAGE_TYPES) + ")"
    assert outputs[FOUNDATION_POOL] == "(address)"
    assert SEED_PUBLIC_KEY_LIST in functions
    pool = {signature(f): f for f in artifacts.reward_rate_pool.abi if f["type"] == "function"}
    assert [p["type"] for p in pool[REWARD_RATE]["outputs"]] == ["uint256"]
