"""Decoding the rewards contract's logs: every event the network needs, and every malformed
log refused with an error naming what is wrong (a node must survive any provider answer)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from eth_abi import encode
from hypothesis import given
from hypothesis import strategies as st

import sesh.l2.events as l2
from sesh.l2.abi import AbiDecodeError, decode
from sesh.l2.decode import (
    EVENTS,
    NEW_SEEDED_SERVICE_NODE,
    NEW_SERVICE_NODE_V2,
    SERVICE_NODE_EXIT,
    SERVICE_NODE_EXIT_REQUEST,
    SERVICE_NODE_LIQUIDATED,
    STAKING_REQUIREMENT_UPDATED,
    EventSpec,
    SeededServiceNode,
    complete_seeded,
    complete_seeded_from_call,
    decode_log,
    parse_log,
)
from sesh.l2.errors import MalformedAnswer, MalformedLog
from sesh.l2.events import Contributor, L2Origin
from sesh.l2.views import (
    SEED_NODES_TYPE,
    SEED_PUBLIC_KEY_LIST,
    decode_ids_page,
    decode_service_node,
    selector,
)

from ..conftest import shared_dir

CHAIN = 31337
BLOCK_HASH = bytes(range(32))
ORIGIN = L2Origin(CHAIN, 9, BLOCK_HASH, 4)
ALICE, BOB, CAROL = ("0x" + c * 20 for c in ("aa", "bb", "cc"))
KEY = (123, 456)


def raw_log(
    spec: EventSpec, topics: list[int], data: bytes, changes: dict[str, Any] | None = None
) -> dict[str, Any]:
    log = {
        "address": "0x" + "5e" * 20,
        "topics": ["0x" + spec.topic0.hex()] + ["0x" + t.to_bytes(32, "big").hex() for t in topics],
        "data": "0x" + data.hex(),
        "blockNumber": "0x9",
        "blockHash": "0x" + BLOCK_HASH.hex(),
        "logIndex": "0x4",
        "transactionHash": "0x" + "77" * 32,
        "removed": False,
    }
    log.update(changes or {})
    return log


def event_of(spec: EventSpec, topics: list[int], values: list[Any]) -> Any:
    data = encode(list(spec.data_types), values)
    return decode_log(parse_log(raw_log(spec, topics, data)), CHAIN)


V2_VALUES: list[Any] = [
    ALICE,
    KEY,
    (0xED, 2**256 - 1, 5, 700),
    [((ALICE, BOB), 90), ((CAROL, CAROL), 30)],
]


# -- the signatures -------------------------------------------------------------------------------


def test_event_signatures_are_the_reference_contracts() -> None:
    reference = json.loads((shared_dir() / "reference" / "abi-signatures.json").read_text())
    events = {e["sig"]: e for e in reference["contracts"]["ServiceNodeRewards"]["events"]}
    for spec in EVENTS:
        assert spec.signature in events, spec.signature
        assert events[spec.signature]["topic0"] == "0x" + spec.topic0.hex()
        assert len(events[spec.signature]["indexed"]) == spec.indexed


# -- every event kind -----------------------------------------------------------------------------


def test_a_registration_decodes_with_its_contributors() -> None:
    event = event_of(NEW_SERVICE_NODE_V2, [17], V2_VALUES)
    assert event == l2.NewServiceNode(
        origin=ORIGIN,
        service_node_id=17,
        initiator=ALICE,
        bls_pubkey=KEY,
        ed25519_pubkey=0xED,
        ed25519_signature=(2**256 - 1).to_bytes(32, "big") + (5).to_bytes(32, "big"),
        fee=700,
        contributors=(Contributor(ALICE, BOB, 90), Contributor(CAROL, CAROL, 30)),
    )


def test_a_seeded_node_decodes_pending_its_contributors() -> None:
    event = event_of(NEW_SEEDED_SERVICE_NODE, [3], [KEY, 0xED])
    assert event == SeededServiceNode(ORIGIN, 3, KEY, 0xED, b"\x77" * 32)
    record = decode_service_node(
        encode(
            [
                "(uint64,uint64,address,(uint256,uint256),uint256,uint256,uint256,uint256,"
                "((address,address),uint256)[],uint256)"
            ],
            [(0, 2, BOB, KEY, 1_700_000_000, 0, 0, 120, [((BOB, CAROL), 120)], 0xED)],
        )
    )
    assert record.exists and record.deposit == 120 and record.prev == 2
    node = complete_seeded(event, record)
    assert node.seeded and node.initiator == BOB and node.fee == 0
    assert node.ed25519_signature == b"" and node.contributors == (Contributor(BOB, CAROL, 120),)
    other = decode_service_node(
        encode(
            [
                "(uint64,uint64,address,(uint256,uint256),uint256,uint256,uint256,uint256,"
                "((address,address),uint256)[],uint256)"
            ],
            [(0, 0, BOB, (1, 2), 0, 0, 0, 120, [], 0xED)],
        )
    )
    with pytest.raises(ValueError, match="not seeded node 3"):
        complete_seeded(event, other)


def test_a_seeded_node_can_be_completed_from_its_seeding_call() -> None:
    seeded = SeededServiceNode(ORIGIN, 3, KEY, 0xED)
    entries = [
        ((9, 9), 0xED, 1, [((ALICE, ALICE), 120)]),
        (KEY, 0xED, 1_700_000_000, [((BOB, CAROL), 100), ((ALICE, ALICE), 20)]),
    ]
    call = selector(SEED_PUBLIC_KEY_LIST) + encode([SEED_NODES_TYPE], [entries])
    node = complete_seeded_from_call(seeded, call)
    assert node.contributors == (Contributor(BOB, CAROL, 100), Contributor(ALICE, ALICE, 20))
    assert node.initiator == BOB and node.seeded
    with pytest.raises(ValueError, match="not a seedPublicKeyList call"):
        complete_seeded_from_call(seeded, b"\x00" * 4 + call[4:])
    with pytest.raises(ValueError, match="does not seed node 3 once"):
        complete_seeded_from_call(seeded, call[:4] + encode([SEED_NODES_TYPE], [entries[:1]]))


def test_exit_requests_exits_and_liquidations_decode() -> None:
    assert event_of(SERVICE_NODE_EXIT_REQUEST, [5], [BOB, KEY]) == l2.ServiceNodeExitRequest(
        ORIGIN, 5, BOB, KEY
    )
    assert event_of(SERVICE_NODE_EXIT, [5], [BOB, 117, KEY]) == l2.ServiceNodeExit(
        ORIGIN, 5, BOB, 117, KEY
    )
    assert event_of(SERVICE_NODE_LIQUIDATED, [5], [CAROL, KEY]) == l2.ServiceNodeLiquidated(
        ORIGIN, 5, CAROL, KEY
    )


def test_a_requirement_change_decodes() -> None:
    assert event_of(STAKING_REQUIREMENT_UPDATED, [], [25_000 * 10**9]) == (
        l2.StakingRequirementUpdated(ORIGIN, 25_000 * 10**9)
    )


def test_events_the_network_ignores_decode_to_none() -> None:
    claimed = EventSpec("RewardsClaimed(address,uint256)", 1)
    assert event_of(claimed, [int(ALICE, 16)], [5]) is None
    assert decode_log(parse_log(raw_log(claimed, [], b"", {"topics": []})), CHAIN) is None


def test_upper_case_hex_and_missing_removed_flag_are_accepted() -> None:
    log = raw_log(STAKING_REQUIREMENT_UPDATED, [], encode(["uint256"], [1]))
    del log["removed"]
    log["blockHash"] = log["blockHash"].upper().replace("0X", "0x")
    assert parse_log(log).block_hash == BLOCK_HASH


# -- malformed logs -------------------------------------------------------------------------------

V2_DATA = encode(list(NEW_SERVICE_NODE_V2.data_types), V2_VALUES)


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"blockHash": "0x1234"}, "'blockHash' has 2 bytes, not 32"),
        ({"blockNumber": 9}, "'blockNumber' is not a hex quantity"),
        ({"blockNumber": "0xzz"}, "'blockNumber' is not a hex quantity"),
        ({"logIndex": None}, "'logIndex' is not a hex quantity"),
        ({"data": "1234"}, "'data' is not 0x-prefixed hex"),
        ({"data": "0x123"}, "'data' is not hex"),
        ({"address": "0x1234"}, "'address' has 2 bytes, not 20"),
        ({"topics": "0x00"}, "'topics' is not a list"),
        ({"topics": ["0x" + "00" * 31]}, "'topics' has 31 bytes"),
        ({"removed": "no"}, "'removed' is not a boolean"),
    ],
)
def test_malformed_log_fields_are_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedLog, match=message):
        parse_log(raw_log(NEW_SERVICE_NODE_V2, [1], V2_DATA, changes))


@pytest.mark.parametrize("missing", ["address", "topics", "data", "blockNumber", "blockHash"])
def test_a_log_without_a_field_is_refused(missing: str) -> None:
    log = raw_log(NEW_SERVICE_NODE_V2, [1], V2_DATA)
    del log[missing]
    with pytest.raises(MalformedLog, match=f"without '{missing}'"):
        parse_log(log)


@pytest.mark.parametrize("answer", [None, "log", 7, ["a"]])
def test_a_log_that_is_not_an_object_is_refused(answer: Any) -> None:
    with pytest.raises(MalformedLog, match="a log is a JSON object"):
        parse_log(answer)


@pytest.mark.parametrize(
    ("topics", "data", "message"),
    [
        ([], V2_DATA, "1 topics, not 2"),
        ([1, 2], V2_DATA, "3 topics, not 2"),
        ([2**64], V2_DATA, "does not fit a uint64"),
        ([1], V2_DATA[:-32], "2 items at byte 256 do not fit"),
        ([1], V2_DATA + bytes(32), "32 bytes follow the encoded values"),
        ([1], b"", "the data ends at byte 0"),
        # the initiator word with bits above 160
        ([1], b"\x01" + V2_DATA[1:], "is not an address"),
        # the fee (a uint16) at 65,536
        ([1], V2_DATA[:192] + _word(2**16) + V2_DATA[224:], "does not fit a uint16"),
        # the array's offset not where the canonical encoding puts it
        ([1], V2_DATA[:224] + _word(288) + V2_DATA[256:], "is not the canonical 256"),
        # an array length far beyond the data
        ([1], V2_DATA[:256] + _word(10**6) + V2_DATA[288:], "1000000 items at byte 256"),
    ],
)
def test_a_malformed_event_is_refused_with_its_reason(
    topics: list[int], data: bytes, message: str
) -> None:
    log = parse_log(raw_log(NEW_SERVICE_NODE_V2, topics, data))
    with pytest.raises(MalformedLog, match=message) as refused:
        decode_log(log, CHAIN)
    assert "NewServiceNodeV2 (block 9, log 4)" in str(refused.value)


def test_malformed_view_answers_are_refused() -> None:
    with pytest.raises(MalformedAnswer, match="serviceNodes"):
        decode_service_node(b"\x00" * 64)
    page = encode(["uint64[]", "(uint256,uint256)[]", "uint64"], [[1, 2], [(1, 2)], 0])
    with pytest.raises(MalformedAnswer, match="2 ids but 1 keys"):
        decode_ids_page(page)


# -- the decoder against eth_abi ------------------------------------------------------------------

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
uint256 = st.integers(0, 2**256 - 1)


@given(
    initiator=addresses,
    key=st.tuples(uint256, uint256),
    params=st.tuples(uint256, uint256, uint256, st.integers(0, 2**16 - 1)),
    contributors=st.lists(st.tuples(st.tuples(addresses, addresses), uint256), max_size=10),
)
def test_the_decoder_agrees_with_eth_abi(
    initiator: str, key: Any, params: Any, contributors: Any
) -> None:
    types = list(NEW_SERVICE_NODE_V2.data_types)
    values = [initiator, key, params, contributors]
    assert decode(types, encode(types, values)) == (initiator, key, params, contributors)


@given(ids=st.lists(st.integers(0, 2**64 - 1), max_size=5), next_id=st.integers(0, 2**64 - 1))
def test_the_decoder_reads_several_dynamic_values(ids: list[int], next_id: int) -> None:
    types = ["uint64[]", "(uint256,uint256)[]", "uint64"]
    keys = [(i, i + 1) for i in ids]
    assert decode(types, encode(types, [ids, keys, next_id])) == (ids, keys, next_id)


@given(data=st.binary(max_size=600))
def test_the_decoder_refuses_garbage_without_crashing(data: bytes) -> None:
    with contextlib.suppress(AbiDecodeError):
        decode(list(NEW_SERVICE_NODE_V2.data_types), data)
