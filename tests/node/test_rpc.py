"""The node's JSON-RPC over a real HTTP server on 127.0.0.1, reading node 0 of a six-node
simulation: every method's fields and types, the errors by code, batches, bodies refused, and
arbitrary bodies that never get anything but a JSON-RPC reply."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sesh.bls import SecretKey
from sesh.consensus.chain import Chain
from sesh.consensus.engine import ConsensusNode, LocalView
from sesh.consensus.sim import Simulation
from sesh.l2.events import (
    Contributor,
    L2Origin,
    NewServiceNode,
    ServiceNodeExit,
    ServiceNodeExitRequest,
    ServiceNodeLiquidated,
    StakingRequirementUpdated,
)
from sesh.ledger import ServiceNodePurge, item_id
from sesh.ledger.params import FULL_SCORE
from sesh.node.rpc import MAX_BATCH, MAX_BODY, RpcServer, RpcSource
from sesh.node.rpc_format import SERVICE_NODE_FIELDS, UNKNOWN_NODE_FIELDS, item_json
from sesh.node.rpc_methods import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    METHODS,
    NOT_FOUND,
    PARSE_ERROR,
    UNAVAILABLE,
    Method,
    run,
)

EVENT = StakingRequirementUpdated(L2Origin(31337, 5, bytes(range(32)), 0), 130 * 10**9)
EVENT_HEIGHT = 17
"""The block that includes `EVENT` (the nodes' trackers see it from height 16 on)."""


@dataclass
class Network:
    sim: Simulation
    node: ConsensusNode
    source: RpcSource

    @property
    def chain(self) -> Chain:
        return self.node.chain


@pytest.fixture(scope="module")
def network() -> Network:
    sim = Simulation(6, seed=1)
    assert sim.run_until_height(EVENT_HEIGHT - 1)
    for node in sim.nodes:
        node.view = lambda: LocalView(l2_height=5, events=(EVENT,))
    assert sim.run_until_height(20)
    node = sim.nodes[0]
    assert node.chain.block_at(EVENT_HEIGHT).events == (EVENT,)  # type: ignore[union-attr]
    source = RpcSource(
        lock=threading.Lock(),
        engine=node,
        profile=sim.profile,
        pubkey=node.pubkey,
        bls_pubkey=sim.registrations[0].bls_pubkey,
        version="0.0.test",
    )
    return Network(sim, node, source)


@pytest.fixture(scope="module")
def server(network: Network) -> Iterator[RpcServer]:
    server = RpcServer(network.source, host="127.0.0.1", port=0)
    server.start()
    yield server
    server.close()


# -- talking to it ---------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    content_type: str | None
    body: bytes

    def json(self) -> Any:
        assert self.content_type == "application/json"
        return json.loads(self.body)


def post(server: RpcServer, body: bytes, path: str = "/json_rpc", verb: str = "POST") -> Reply:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        data=body if verb == "POST" else None,
        method=verb,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers["Content-Type"], response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers["Content-Type"], error.read())


def request(method: str, params: Any = None, request_id: Any = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        out["params"] = params
    return out


def rpc(server: RpcServer, method: str, params: Any = None) -> dict[str, Any]:
    reply = post(server, json.dumps(request(method, params)).encode())
    assert reply.status == 200
    answer = reply.json()
    assert answer["jsonrpc"] == "2.0" and answer["id"] == 1
    assert "error" not in answer, answer
    assert_json_types(answer["result"])
    result: dict[str, Any] = answer["result"]
    return result


def rpc_error(server: RpcServer, method: str, params: Any = None) -> dict[str, Any]:
    reply = post(server, json.dumps(request(method, params)).encode())
    assert reply.status == 200
    answer = reply.json()
    assert answer["id"] == 1 and "result" not in answer
    error: dict[str, Any] = answer["error"]
    assert isinstance(error["code"], int) and isinstance(error["message"], str)
    return error


def assert_json_types(value: Any) -> None:
    """No floats anywhere: numbers are JSON integers."""
    if isinstance(value, dict):
        for item in value.values():
            assert_json_types(item)
    elif isinstance(value, list):
        for item in value:
            assert_json_types(item)
    else:
        assert value is None or isinstance(value, str | int | bool), value


def is_hex(value: Any, size: int | None = 32) -> bool:
    """Lowercase hex without 0x (of `size` bytes when given)."""
    if not isinstance(value, str) or value != value.lower() or value.startswith("0x"):
        return False
    try:
        data = bytes.fromhex(value)
    except ValueError:
        return False
    return size is None or len(data) == size


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- the methods -----------------------------------------------------------------------------------


def test_get_info_has_the_reference_fields_with_their_types(
    server: RpcServer, network: Network
) -> None:
    info = rpc(server, "get_info")
    chain, ledger = network.chain, network.chain.ledger
    for name in (
        "height",
        "immutable_height",
        "block_timestamp",
        "pulse_target_timestamp",
        "active_node_count",
        "node_count",
        "staking_requirement",
        "max_contributors",
        "min_operator_contribution",
        "hard_fork",
        "evidence_count",
        "l2_height",
    ):
        assert is_int(info[name]), name
    for name in ("top_block_hash", "state_hash", "immutable_block_hash", "pubkey"):
        assert is_hex(info[name]), name
    assert info["height"] == chain.height + 1
    assert info["top_block_hash"] == chain.tip.hex()
    assert info["state_hash"] == ledger.state_hash.hex()
    assert info["immutable_height"] == chain.immutable_height() > 0
    assert info["immutable_block_hash"] == chain.hash_at(chain.immutable_height()).hex()  # type: ignore[union-attr]
    assert info["block_timestamp"] == chain.main[-1].timestamp
    assert info["pulse_target_timestamp"] == int(network.node.target_time())
    assert info["active_node_count"] == info["node_count"] == 6
    assert info["staking_requirement"] == ledger.staking_requirement
    assert info["min_operator_contribution"] == ledger.staking_requirement // 4
    assert info["max_contributors"] == 10
    assert info["nettype"] == "sim"
    assert info["version"] == "0.0.test"
    assert info["pubkey"] == network.node.pubkey.hex()
    assert is_hex(info["pubkey_bls"], 64)
    assert info["service_node"] is True and info["service_node_active"] is True
    assert info["stalled"] is False
    assert info["evidence_count"] == 0
    assert info["l2"] is None
    assert info["status"] == "ok"


def test_the_heights_agree(server: RpcServer, network: Network) -> None:
    height = rpc(server, "get_height")
    assert height["height"] == rpc(server, "get_info")["height"] == network.chain.height + 1
    assert height["hash"] == network.chain.tip.hex()
    header = rpc(server, "get_last_block_header")["block_header"]
    assert header["height"] == network.chain.height == height["height"] - 1
    assert header["hash"] == height["hash"]


def check_header(header: dict[str, Any], network: Network) -> None:
    block = network.chain.block_at(header["height"])
    assert block is not None
    for name in ("height", "timestamp", "round", "l2_height", "l2_reward", "depth"):
        assert is_int(header[name]), name
    for name in ("hash", "prev_hash", "state_hash", "producer", "random_value"):
        assert is_hex(header[name]), name
    assert header["hash"] == block.hash().hex()
    assert header["prev_hash"] == network.chain.hash_at(block.height - 1).hex()  # type: ignore[union-attr]
    assert header["depth"] == network.chain.height - block.height
    assert is_hex(header["producer_signature"], 64)
    assert header["validators"] and all(is_hex(v) for v in header["validators"])
    assert header["signatures"]
    for signature in header["signatures"]:
        assert signature["validator"] in header["validators"]
        assert is_hex(signature["signature"], 64)


def test_block_headers_have_every_field(server: RpcServer, network: Network) -> None:
    check_header(rpc(server, "get_last_block_header")["block_header"], network)
    for height in (1, EVENT_HEIGHT, network.chain.height):
        check_header(rpc(server, "get_block", {"height": height})["block_header"], network)


def test_get_block_by_height_and_by_hash_agree(server: RpcServer, network: Network) -> None:
    for height in (1, 12, EVENT_HEIGHT, network.chain.height):
        by_height = rpc(server, "get_block", {"height": height})
        block_hash = by_height["block_header"]["hash"]
        assert rpc(server, "get_block", {"hash": block_hash}) == by_height
        assert rpc(server, "get_block", {"hash": "0x" + block_hash.upper()}) == by_height
        block = network.chain.block_at(height)
        assert block is not None and bytes.fromhex(by_height["blob"]) == block.encode()


def test_get_block_decodes_events_votes_and_checkpoints(
    server: RpcServer, network: Network
) -> None:
    block = rpc(server, "get_block", {"height": EVENT_HEIGHT})
    assert block["events"] == [
        {
            "kind": "StakingRequirementUpdated",
            "id": item_id(EVENT).hex(),
            "origin": {
                "chain_id": 31337,
                "block_number": 5,
                "block_hash": bytes(range(32)).hex(),
                "log_index": 0,
            },
            "staking_requirement": 130 * 10**9,
        }
    ]
    assert block["votes"] == [] and block["decisions"] == []
    assert block["checkpoint"] is None
    assert rpc(server, "get_block", {"height": EVENT_HEIGHT + 1})["votes"] == [True]
    checkpoint = rpc(server, "get_block", {"height": 16})["checkpoint"]
    members, needed = network.chain.members(16)
    assert checkpoint["members"] == sorted(k.hex() for k in members)
    assert checkpoint["votes_needed"] == needed
    assert checkpoint["checkpointed"] is True
    assert len(checkpoint["votes"]) >= needed
    for vote in checkpoint["votes"]:
        assert vote["voter"] in checkpoint["members"] and is_hex(vote["signature"], 64)
    assert network.chain.immutable_height() > 8
    old = rpc(server, "get_block", {"height": 8})["checkpoint"]
    assert old == {
        "members": checkpoint["members"],  # all six, as at 16
        "votes_needed": needed,
        "votes": None,  # the chain forgets votes below its immutable height
        "checkpointed": None,
    }


def test_every_kind_of_event_is_decoded() -> None:
    origin = L2Origin(31337, 9, b"\xaa" * 32, 3)
    operator, other = "0x" + "11" * 20, "0x" + "22" * 20
    bls = (7, 2**255)
    bls_hex = (7).to_bytes(32, "big").hex() + (2**255).to_bytes(32, "big").hex()
    common = {"service_node_id": 4, "pubkey_bls": bls_hex}
    origin_json = {"chain_id": 31337, "block_number": 9, "block_hash": "aa" * 32, "log_index": 3}
    registration = NewServiceNode(
        origin, 4, operator, bls, 5, b"\x01" * 64, 300, (Contributor(operator, other, 100),)
    )
    expected: list[tuple[Any, dict[str, Any]]] = [
        (
            registration,
            {
                **common,
                "initiator": operator,
                "pubkey_ed25519": (5).to_bytes(32, "big").hex(),
                "ed25519_signature": "01" * 64,
                "fee": 300,
                "contributors": [{"amount": 100, "address": operator, "beneficiary": other}],
                "seeded": False,
            },
        ),
        (ServiceNodeExitRequest(origin, 4, other, bls), {**common, "initiator": other}),
        (
            ServiceNodeExit(origin, 4, other, 99, bls),
            {**common, "initiator": other, "returned_amount": 99},
        ),
        (ServiceNodeLiquidated(origin, 4, other, bls), {**common, "liquidator": other}),
        (StakingRequirementUpdated(origin, 5), {"staking_requirement": 5}),
    ]
    for event, fields in expected:
        assert item_json(event) == {
            "kind": type(event).__name__,
            "id": item_id(event).hex(),
            "origin": origin_json,
            **fields,
        }
    purge = ServiceNodePurge(31337, 12, bls)
    assert item_json(purge) == {
        "kind": "ServiceNodePurge",
        "id": item_id(purge).hex(),
        "origin": None,
        "chain_id": 31337,
        "l2_height": 12,
        "pubkey_bls": bls_hex,
    }


def test_get_service_nodes_lists_every_node_with_the_reference_fields(
    server: RpcServer, network: Network
) -> None:
    reply = rpc(server, "get_service_nodes")
    ledger = network.chain.ledger
    assert reply["top_block_height"] == network.chain.height
    assert reply["top_block_hash"] == network.chain.tip.hex()
    states = reply["service_node_states"]
    assert sorted(s["service_node_pubkey"] for s in states) == sorted(k.hex() for k in ledger.nodes)
    for state in states:
        assert set(state) == SERVICE_NODE_FIELDS
        key = bytes.fromhex(state["service_node_pubkey"])
        node = ledger.nodes[key]
        assert state["pubkey_ed25519"] == key.hex()
        assert is_hex(state["pubkey_bls"], 64)
        assert (
            state["pubkey_bls"]
            == (
                node.bls_pubkey[0].to_bytes(32, "big") + node.bls_pubkey[1].to_bytes(32, "big")
            ).hex()
        )
        assert state["service_node_id"] == node.service_node_id
        assert state["active"] is True and state["funded"] is True
        assert state["last_leader"] == node.last_leader and state["last_validator"] == (
            node.last_validator
        )
        assert max(state["last_leader"], state["last_validator"]) > 0
        [contributor] = state["contributors"]
        assert set(contributor) == {"amount", "address", "beneficiary"}
        assert contributor["amount"] == state["total_contributed"] == state["staking_requirement"]
        assert state["operator_address"] == contributor["address"]
        assert state["is_removable"] is False and state["is_liquidatable"] is False
        for name in (
            "requested_unlock_height",
            "state_height",
            "earned_downtime_blocks",
            "portions_for_operator",
            "operator_fee",
        ):
            assert is_int(state[name]), name
        assert all(state[name] is None for name in UNKNOWN_NODE_FIELDS)


def test_get_service_nodes_filters_by_key_and_field_and_polls(
    server: RpcServer, network: Network
) -> None:
    key = network.node.pubkey.hex()
    reply = rpc(
        server,
        "get_service_nodes",
        {"service_node_pubkeys": [key, "ab" * 32, key], "fields": ["pubkey_bls", "active"]},
    )
    assert [set(s) for s in reply["service_node_states"]] == [{"pubkey_bls", "active"}]
    reference_form = {"fields": {"service_node_pubkey": True, "swarm_id": False}}
    states = rpc(server, "get_service_nodes", reference_form)["service_node_states"]
    assert len(states) == 6 and all(set(s) == {"service_node_pubkey"} for s in states)
    assert len(rpc(server, "get_service_nodes", {"active_only": True})["service_node_states"]) == 6

    unchanged = rpc(server, "get_service_nodes", {"poll_block_hash": network.chain.tip.hex()})
    assert unchanged["unchanged"] is True and "service_node_states" not in unchanged
    changed = rpc(server, "get_service_nodes", {"poll_block_hash": "00" * 32})
    assert changed["unchanged"] is False and len(changed["service_node_states"]) == 6

    error = rpc_error(server, "get_service_nodes", {"fields": ["pubkey", "active"]})
    assert error["code"] == INVALID_PARAMS and "'pubkey'" in error["message"]
    error = rpc_error(server, "get_service_nodes", {"service_node_pubkeys": ["xyz"]})
    assert error["code"] == INVALID_PARAMS and "service_node_pubkeys" in error["message"]


def test_get_pending_events_gives_the_votes(server: RpcServer, network: Network) -> None:
    reply = rpc(server, "get_pending_events")
    assert reply["top_block_height"] == network.chain.height
    assert reply["full_vote"] == FULL_SCORE
    [pending] = reply["pending_events"]
    votes = network.chain.height - EVENT_HEIGHT + 1  # the proposer's and one per later block
    assert pending == {
        "id": item_id(EVENT).hex(),
        "kind": "StakingRequirementUpdated",
        "included_height": EVENT_HEIGHT,
        "confirmations": votes * FULL_SCORE,
        "denials": 0,
        "timeout_height": EVENT_HEIGHT + network.sim.profile.vote_timeout_blocks,
        "event": rpc(server, "get_block", {"height": EVENT_HEIGHT})["events"][0],
    }


def test_get_quorum_state_for_the_next_and_past_heights(
    server: RpcServer, network: Network
) -> None:
    chain = network.chain
    following = rpc(server, "get_quorum_state")
    assert following["height"] == chain.height + 1 == rpc(server, "get_height")["height"]
    assert following["parent"] == chain.tip.hex()
    assert following["stalled"] is False and following["checkpoint"] is None
    [quorum] = following["quorums"]
    expected = chain.basis().quorum(0)
    assert expected is not None
    assert quorum == {
        "round": 0,
        "producer": expected.producer.hex(),
        "validators": [v.hex() for v in expected.validators],
        "threshold": expected.threshold,
    }
    rounds = rpc(server, "get_quorum_state", {"rounds": [0, 1, 7]})["quorums"]
    assert [q["round"] for q in rounds] == [0, 1, 7] and rounds[0] == quorum

    past = rpc(server, "get_quorum_state", {"height": 16})
    block = chain.block_at(16)
    assert block is not None
    assert past["quorums"][0]["producer"] == block.producer.hex()
    assert set(block.validators) <= {bytes.fromhex(v) for v in past["quorums"][0]["validators"]}
    assert past["checkpoint"] == rpc(server, "get_block", {"height": 16})["checkpoint"]
    assert rpc(server, "get_quorum_state", {"height": 15})["checkpoint"] is None

    for height in (0, chain.height + 2):
        assert rpc_error(server, "get_quorum_state", {"height": height})["code"] == NOT_FOUND
    for rounds_ in ([], [256], [True], "0", list(range(17))):
        error = rpc_error(server, "get_quorum_state", {"rounds": rounds_})
        assert error["code"] == INVALID_PARAMS and "rounds" in error["message"]


def test_get_checkpoints(server: RpcServer, network: Network) -> None:
    chain = network.chain
    reply = rpc(server, "get_checkpoints")
    heights = [c["height"] for c in reply["checkpoints"]]
    assert heights == chain.checkpoint_heights() and len(heights) >= 2
    assert reply["immutable_height"] == chain.immutable_height() == heights[-2]
    assert reply["immutable_block_hash"] == chain.hash_at(heights[-2]).hex()  # type: ignore[union-attr]
    for checkpoint in reply["checkpoints"]:
        assert checkpoint["block_hash"] == chain.hash_at(checkpoint["height"]).hex()  # type: ignore[union-attr]
        assert len(checkpoint["voters"]) >= checkpoint["votes_needed"] > 0
        assert all(is_hex(v) for v in checkpoint["voters"])
    last = rpc(server, "get_checkpoints", {"start_height": heights[-1]})["checkpoints"]
    assert [c["height"] for c in last] == heights[-1:]
    first = rpc(server, "get_checkpoints", {"end_height": heights[0]})["checkpoints"]
    assert [c["height"] for c in first] == heights[:1]
    error = rpc_error(server, "get_checkpoints", {"start_height": 9, "end_height": 8})
    assert error["code"] == INVALID_PARAMS


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"height": 10**6}, NOT_FOUND, "no block at height 1000000"),
        ({"height": 0}, NOT_FOUND, "genesis"),
        ({"hash": "ab" * 32}, NOT_FOUND, "no block with hash " + "ab" * 32),
        ({"height": 3, "hash": "ab" * 32}, INVALID_PARAMS, "exactly one"),
        ({}, INVALID_PARAMS, "exactly one"),
        (None, INVALID_PARAMS, "exactly one"),
        ({"height": -1}, INVALID_PARAMS, "'height'"),
        ({"height": True}, INVALID_PARAMS, "'height'"),
        ({"height": 3.0}, INVALID_PARAMS, "'height'"),
        ({"hash": "ab" * 31}, INVALID_PARAMS, "'hash'"),
        ({"hash": "zz" * 32}, INVALID_PARAMS, "'hash'"),
        ({"height": 3, "heigth": 4}, INVALID_PARAMS, "unknown parameter 'heigth'"),
        ([3], INVALID_PARAMS, "params must be an object"),
    ],
)
def test_get_block_refusals(server: RpcServer, params: Any, code: int, words: str) -> None:
    error = rpc_error(server, "get_block", params)
    assert error["code"] == code and words in error["message"]


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({}, INVALID_PARAMS, "'address': required"),
        ({"address": "0x" + "11" * 19}, INVALID_PARAMS, "40 hex digits"),
        ({"address": "zz" * 20}, INVALID_PARAMS, "40 hex digits"),
        ({"address": "11" * 20, "height": 1.5}, INVALID_PARAMS, "'height'"),
        ({"address": "11" * 20, "height": 2**70}, INVALID_PARAMS, "'height'"),
        ({"address": "0X" + "AB" * 20, "height": -3}, UNAVAILABLE, "does not aggregate"),
    ],
)
def test_bls_rewards_request_refusals(
    server: RpcServer, params: Any, code: int, words: str
) -> None:
    """Parameters are checked first; this node (of a simulation) has no aggregator behind it.
    The signatures themselves: tests/node/test_claims.py."""
    error = rpc_error(server, "bls_rewards_request", params)
    assert error["code"] == code and words in error["message"]


def test_protocol_errors(server: RpcServer) -> None:
    def answer(body: bytes) -> dict[str, Any]:
        reply = post(server, body)
        assert reply.status == 200
        result: dict[str, Any] = reply.json()
        assert result["jsonrpc"] == "2.0" and "result" not in result
        return result

    for body in (b"{", b"", b"\xff\xfe\x00", b"[1,]", b"NaN", b'{"a": Infinity}', b"[" * 100_00):
        reply = answer(body)
        assert reply["id"] is None and reply["error"]["code"] == PARSE_ERROR, body[:10]
    for value in (42, "get_info", None, True):
        reply = answer(json.dumps(value).encode())
        assert reply["id"] is None and reply["error"]["code"] == INVALID_REQUEST
    for bad in (
        {"id": 5, "method": "get_info"},
        {"jsonrpc": "1.0", "id": 5, "method": "get_info"},
        {"jsonrpc": "2.0", "id": 5, "method": 7},
        {"jsonrpc": "2.0", "id": 5, "method": "get_info", "params": 3},
    ):
        reply = answer(json.dumps(bad).encode())
        assert reply["id"] == 5 and reply["error"]["code"] == INVALID_REQUEST, bad
    reply = answer(b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "get_info"}')
    assert reply["id"] is None and reply["error"]["code"] == INVALID_REQUEST

    assert rpc(server, "get_height", []) == rpc(server, "get_height", {})
    error = rpc_error(server, "get_height", [1])
    assert error["code"] == INVALID_PARAMS and "params must be an object" in error["message"]
    error = rpc_error(server, "get_everything")
    assert error == {"code": METHOD_NOT_FOUND, "message": "no method 'get_everything'"}
    error = rpc_error(server, "get_info", {"verbose": True})
    assert error == {"code": INVALID_PARAMS, "message": "unknown parameter 'verbose'"}


def test_ids_come_back_as_sent(server: RpcServer) -> None:
    for request_id in ("abc", 0, -7, 2**70, 1.5, None):
        reply = post(server, json.dumps(request("get_height", request_id=request_id)).encode())
        answer = reply.json()
        assert answer["id"] == request_id and "result" in answer


def test_batches(server: RpcServer) -> None:
    batch = [
        request("get_height", request_id="a"),
        request("no_such_method", request_id="b"),
        {"jsonrpc": "2.0", "method": "get_info"},  # a notification: no reply
        7,
    ]
    replies = post(server, json.dumps(batch).encode()).json()
    assert [r["id"] for r in replies] == ["a", "b", None]
    assert "height" in replies[0]["result"]
    assert replies[1]["error"]["code"] == METHOD_NOT_FOUND
    assert replies[2]["error"]["code"] == INVALID_REQUEST

    empty = post(server, b"[]").json()
    assert empty["id"] is None and empty["error"]["code"] == INVALID_REQUEST
    too_many = [request("get_height", request_id=i) for i in range(MAX_BATCH + 1)]
    assert post(server, json.dumps(too_many).encode()).json()["error"]["code"] == INVALID_REQUEST
    full = [request("get_height", request_id=i) for i in range(MAX_BATCH)]
    assert [r["id"] for r in post(server, json.dumps(full).encode()).json()] == list(
        range(MAX_BATCH)
    )

    notifications = post(server, json.dumps([{"jsonrpc": "2.0", "method": "get_info"}]).encode())
    assert (notifications.status, notifications.body) == (204, b"")


def test_http_refusals_are_json(server: RpcServer) -> None:
    oversize = post(server, b" " * (MAX_BODY + 1))
    assert oversize.status == 413
    assert oversize.json()["error"]["code"] == INVALID_REQUEST
    assert str(MAX_BODY) in oversize.json()["error"]["message"]
    padded = json.dumps(request("get_height")).encode().ljust(MAX_BODY)
    assert post(server, padded).status == 200

    for path in ("/", "/json_rpc/x", "/get_info", "/json_rpc?x=1"):
        for verb in ("GET", "POST", "PUT"):
            reply = post(server, b"{}", path=path, verb=verb)
            assert reply.status == 404 and reply.json()["id"] is None, (verb, path)
    for verb in ("GET", "PUT", "DELETE"):
        reply = post(server, b"", verb=verb)
        assert reply.status == 405 and "POST /json_rpc" in reply.json()["error"]["message"]


def test_http_edge_cases_over_one_connection(server: RpcServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        for _ in range(2):  # kept alive
            connection.request("POST", "/json_rpc", body=json.dumps(request("get_height")))
            response = connection.getresponse()
            assert response.status == 200 and "result" in json.loads(response.read())
        body = json.dumps(request("get_height")).encode()
        chunks = iter([body[:10], body[10:]])
        connection.request("POST", "/json_rpc", body=chunks, encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 200 and "result" in json.loads(response.read())
        big = iter([b" " * 60_000, b" " * 60_000])
        connection.request("POST", "/json_rpc", body=big, encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 413 and json.loads(response.read())["id"] is None
    finally:
        connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("POST", "/json_rpc")
        connection.endheaders()  # no Content-Length
        response = connection.getresponse()
        assert response.status == 411 and json.loads(response.read())["error"]
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"BREW /json_rpc HTTP/1.1\r\n\r\n", 501),
        (b"POST /json_rpc HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
        (b"POST /json_rpc HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST /json_rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST /json_rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{}\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
)
def test_malformed_http_is_answered_in_json(server: RpcServer, raw: bytes, status: int) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while data := connection.recv(65536):
            answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["error"]["code"] == INVALID_REQUEST


def test_an_exception_in_a_method_is_an_internal_error_logged_with_its_traceback(
    server: RpcServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(source: RpcSource, params: dict[str, Any]) -> dict[str, Any]:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setitem(METHODS, "get_height", Method(broken, {}))
    with caplog.at_level(logging.ERROR, logger="sesh.node.rpc"):
        error = rpc_error(server, "get_height")
    assert error == {"code": INTERNAL_ERROR, "message": "internal error"}
    [record] = [r for r in caplog.records if r.name == "sesh.node.rpc"]
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError


def test_methods_read_under_the_nodes_lock(server: RpcServer, network: Network) -> None:
    done = threading.Event()

    def ask() -> None:
        rpc(server, "get_height")
        done.set()

    with network.source.lock:
        thread = threading.Thread(target=ask)
        thread.start()
        assert not done.wait(0.3)
    assert done.wait(10)
    thread.join()


def test_the_sources_callbacks(network: Network) -> None:
    source = RpcSource(
        lock=threading.Lock(),
        engine=network.node,
        profile=network.sim.profile,
        pubkey=b"\x01" * 32,
        bls_pubkey=None,
        version="x",
    )
    info = run(source, "get_info", None)
    assert info["service_node"] is False and info["service_node_active"] is False
    assert info["pubkey_bls"] is None and info["l2"] is None
    source.registered = lambda: True
    source.l2 = lambda: {"safe_height": 5}
    info = run(source, "get_info", {})
    assert info["service_node"] is True and info["l2"] == {"safe_height": 5}

    def failing() -> dict[str, Any]:
        raise OSError("tracker down")

    source.l2 = failing
    assert run(source, "get_info", None)["l2"] is None
    source.l2 = lambda: {"not json": object()}
    assert run(source, "get_info", None)["l2"] is None

    def unsure() -> bool:
        raise OSError("contract unreachable")

    source.registered = unsure  # the ledger decides, and the key is not in it
    assert run(source, "get_info", None)["service_node"] is False


def test_a_server_closes_and_frees_its_port(network: Network) -> None:
    with RpcServer(network.source) as server:
        server.start()
        assert rpc(server, "get_height")["height"] == network.chain.height + 1
    with pytest.raises(urllib.error.URLError):
        post(server, json.dumps(request("get_height")).encode())
    RpcServer(network.source).close()  # never started: closes too


# -- anything at all -------------------------------------------------------------------------------

HEX_VALUES = [
    "11" * 20,  # an address
    "0x" + "ab" * 32,  # a hash or an Ed25519 key
    "cd" * 64,  # 64 bytes, not a BLS key
    bytes(SecretKey.from_int(9).public_key().to_bytes()).hex(),  # a BLS key
]
"""Values of the right shape for the parameters that take hex, so that parsing goes past the
length check."""

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=70)
    | st.sampled_from(HEX_VALUES),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
param_names = st.sampled_from(
    sorted({name for method in METHODS.values() for name in method.params} | {"x"})
)
requests = st.fixed_dictionaries(
    {
        "jsonrpc": st.sampled_from(["2.0", "2.0", "1.0"]),
        "method": st.sampled_from([*METHODS, "nope"]),
    },
    optional={
        "id": st.none() | st.integers() | st.text(max_size=8),
        "params": json_values | st.dictionaries(param_names, json_values, max_size=3),
    },
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | requests.map(lambda r: json.dumps(r).encode())
    | st.lists(requests | json_values, max_size=5).map(lambda r: json.dumps(r).encode())
)


def check_reply(reply: Any) -> None:
    assert isinstance(reply, dict) and reply["jsonrpc"] == "2.0" and "id" in reply
    assert ("result" in reply) != ("error" in reply)
    if "error" in reply:
        assert reply["error"]["code"] != INTERNAL_ERROR, reply


@settings(max_examples=150, deadline=None)
@given(body=bodies)
def test_any_body_gets_a_json_rpc_reply(server: RpcServer, body: bytes) -> None:
    reply = post(server, body)
    if reply.status == 204:
        assert reply.body == b""
    else:
        assert reply.status == 200
        answer = reply.json()
        for item in answer if isinstance(answer, list) else [answer]:
            check_reply(item)
    assert "height" in rpc(server, "get_height")


def test_get_evidence_lists_the_equivocation_the_chain_recorded(
    server: RpcServer, network: Network
) -> None:
    assert rpc(server, "get_evidence") == {"evidence": []}
    block = network.chain.block_at(5)
    assert block is not None
    signer = block.validators[0]
    network.chain.note_signature(signer, block, block.hash(), b"\x01" * 64)
    network.chain.note_signature(signer, block, b"\x02" * 32, b"\x03" * 64)
    [evidence] = rpc(server, "get_evidence")["evidence"]
    assert evidence["signer"] == signer.hex() and evidence["height"] == 5
    assert evidence["second"] == {"block_hash": "02" * 32, "signature": "03" * 64}
    network.chain.evidence.clear()


def test_get_accrued_rewards_and_the_exit_list(server: RpcServer, network: Network) -> None:
    """Balances as `bls_rewards_request` would sign them, for every paid address or the ones
    asked; the exit list a bare array (no node has left this network)."""
    everyone = rpc(server, "get_accrued_rewards")
    assert everyone["status"] == "OK" and everyone["height"] == network.chain.height
    assert everyone["balances"] and all(
        a.startswith("0x") and isinstance(v, int) for a, v in everyone["balances"].items()
    )
    address, amount = next(iter(everyone["balances"].items()))
    stranger = "0x" + "77" * 20
    asked = rpc(server, "get_accrued_rewards", {"addresses": [address.upper()[2:], stranger]})
    assert asked["balances"] == {address: amount, stranger: 0}
    error = rpc_error(server, "get_accrued_rewards", {"height": network.chain.height + 5})
    assert error["code"] == UNAVAILABLE and "does not hold height" in error["message"]
    assert rpc(server, "bls_exit_liquidation_list") == []
    error = rpc_error(server, "bls_exit_liquidation_request", {"liquidate": True})
    assert error["code"] == INVALID_PARAMS and "one of them" in error["message"]
    error = rpc_error(server, "bls_exit_liquidation_request", {"bls_pubkey": "01" * 64})
    assert error["code"] == INVALID_PARAMS and "not a point" in error["message"]
