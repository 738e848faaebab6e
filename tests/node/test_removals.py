"""The network signs exits and liquidations and the contract takes them: real NetworkNodes in
one process (tests/node/cluster.py) over anvil, the test profile's short timers (unlock 12
blocks, liquidation grace 6). A node asked too early refuses and says until when; the signature
of `bls_exit_liquidation_request` goes to the contract as the RPC gives it; the liquidator is
paid the contract's share; a signer refuses a stale timestamp and a registered key."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sesh.aggregator.messages import Kind, SignRequest, Status
from sesh.bls import G2Point
from sesh.evm.chain import Chain as EvmChain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.profiles import PROFILES
from sesh.node.rpc import RpcServer
from sesh.node.rpc_methods import REFUSED, RpcError, RpcSource, run
from sesh.node.signing import L2Now

from .cluster import Cluster
from .conftest import STAKE, Network, make_cluster, running_cluster, seed_genesis
from .test_claims import claims_of

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


def step_until(node: Cluster, done: Callable[[], object], limit: int = 60) -> None:
    for _ in range(limit):
        if done():
            return
        node.step()
    raise AssertionError("not within the steps allowed")


def submit(net: Network, reply: dict[str, Any], function: str, sender: str) -> Any:
    key = bytes.fromhex(reply["bls_pubkey"])
    xy = (int.from_bytes(key[:32], "big"), int.from_bytes(key[32:], "big"))
    signature = G2Point.from_bytes(bytes.fromhex(reply["signature"])).to_contract()
    call = getattr(net.rewards.functions, function)(
        xy, reply["timestamp"], signature, reply["non_signer_indices"]
    )
    return net.chain.transact(call, sender)


def source_of(node: Cluster) -> RpcSource:
    member = node.node
    return RpcSource(member.lock, member.engine, node.profile, member.pubkey, None, "test")


def post(url: str, method: str, params: dict[str, Any] | None = None) -> Any:
    """A request as the script sends it (`requests.post(..., json=...)`): no `params` at all
    when it has none; the reply is HTTP 200 either way."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 0, "method": method}
    if params is not None:
        body["params"] = params
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 200
        return json.loads(response.read())


def liquidate_as_the_reference_does(net: Network, url: str, sender: str) -> dict[str, Any]:
    """session-token-contracts `scripts/liquidator.py`'s calls and parsing, for one node."""
    nettype = post(url, "get_info")["result"]["nettype"]
    assert isinstance(nettype, str)
    contract_nodes = {f"{x:064x}{y:064x}" for x, y in net.contract_keys()}
    height = post(url, "get_height")["result"]["height"]
    listed = post(url, "bls_exit_liquidation_list")["result"]
    due = [
        sn
        for sn in listed
        if sn["info"]["bls_public_key"] in contract_nodes and sn["liquidation_height"] <= height
    ]
    assert len(due) == 1
    reply = post(
        url,
        "bls_exit_liquidation_request",
        {"pubkey": due[0]["service_node_pubkey"], "liquidate": True},
    )
    assert "error" not in reply, reply
    result: dict[str, Any] = reply["result"]
    bls_pk = result["bls_pubkey"]
    bls_sig = result["signature"]
    call = net.rewards.functions.liquidateBLSPublicKeyWithSignature(
        (int(bls_pk[0:64], 16), int(bls_pk[64:128], 16)),
        result["timestamp"],
        tuple(int(bls_sig[i : i + 64], 16) for i in (0, 64, 128, 192)),
        result["non_signer_indices"],
    )
    net.chain.transact(call, sender)
    return result


def test_exits_and_liquidations_signed_by_the_network(network: Network, tmp_path: Path) -> None:
    net = network
    _, s1, s2, s3, s4, s5 = net.chain.accounts[:6]
    liquidator = net.chain.accounts[7]
    node, (first, *others) = running_cluster(net, tmp_path, (s1, s2, s3, s4, s5), 10)
    claims = claims_of(net, node)
    leaving, dropped = others[2], others[3]

    # Asked before anyone wants to leave: refused, saying why.
    with pytest.raises(RpcError) as registered:
        claims.removal(leaving.pubkey, None, False)
    assert registered.value.code == REFUSED
    assert "is registered: it cannot be removed" in registered.value.message

    net.request_exit(leaving, s4)
    net.request_exit(dropped, s5)
    step_until(
        node,
        lambda: all(node.ledger.nodes[m.pubkey].requested_unlock_height for m in others[2:]),
    )
    with pytest.raises(RpcError) as unlocking:
        claims.removal(None, leaving.keys.bls_public_key.to_bytes(), False)
    assert "unlocking: it cannot be removed before block" in unlocking.value.message
    assert "(about 20" in unlocking.value.message  # a date

    step_until(node, lambda: node.ledger.removed.keys() >= {leaving.pubkey, dropped.pubkey})
    listed = run(source_of(node), "bls_exit_liquidation_list", None)
    assert isinstance(listed, list)
    assert {e["service_node_pubkey"] for e in listed} == {
        leaving.pubkey.hex(),
        dropped.pubkey.hex(),
    }
    (entry,) = (e for e in listed if e["service_node_pubkey"] == dropped.pubkey.hex())
    assert (
        entry["type"] == "exit"
        and entry["info"]["bls_public_key"] == dropped.keys.bls_public_key.to_bytes().hex()
    )
    assert entry["liquidation_height"] == entry["height"] + node.profile.liquidation_grace_blocks
    assert entry["info"]["contributors"][0]["address"] == s5.lower()

    # A liquidation waits out the grace period (checked by the asked node before anyone signs).
    with pytest.raises(RpcError) as grace:
        claims.removal(dropped.pubkey, None, True)
    assert "liquidation grace period: it cannot be liquidated before block" in grace.value.message

    # The exit: every node signs (the two leaving ones too: the contract still has their keys).
    reply = node.while_running(lambda: claims.removal(leaving.pubkey, None, False))
    assert reply["non_signer_indices"] == []
    assert reply["valid_until"] == reply["timestamp"] + 600
    assert len(reply["bls_pubkey"]) == 128 and len(reply["signature"]) == 256
    submit(net, reply, "exitBLSPublicKeyWithSignature", s4)
    assert leaving.xy not in net.contract_keys()
    step_until(node, lambda: leaving.pubkey not in node.ledger.removed)

    # A liquidation waits out the grace period.
    step_until(node, lambda: node.height >= entry["liquidation_height"])
    # A node stopped is a non-signer the contract accepts (⌊5/3⌋ = 1). The liquidation goes
    # the way the reference's liquidator script goes: its JSON-RPC calls over HTTP, its parsing.
    node.stop(1)
    # A seeded node's stake came over from the old chain: the SESH a migration moves in.
    net.chain.transact(net.token.functions.transfer(net.rewards.address, STAKE), net.owner)
    before = int(net.token.functions.balanceOf(liquidator).call())
    server = RpcServer(replace(source_of(node), removal_signature=claims.removal))
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/json_rpc"
        result = node.while_running(lambda: liquidate_as_the_reference_does(net, url, liquidator))
        refused = post(
            url, "bls_exit_liquidation_request", {"pubkey": first.pubkey.hex(), "liquidate": True}
        )
        assert refused["error"]["code"] == REFUSED
        assert "is registered: it cannot be liquidated" in refused["error"]["message"]
    finally:
        server.close()
    assert result["non_signer_indices"] == [others[0].id]
    paid = int(net.token.functions.balanceOf(liquidator).call()) - before
    assert paid == STAKE * 3 // (3 + 17 + 9980)  # the devnet's ratios
    assert dropped.xy not in net.contract_keys()
    node.close()


def test_signers_refuse_stale_timestamps_and_registered_keys(
    chain: EvmChain, artifacts: ContractArtifacts, tmp_path: Path
) -> None:
    net = Network.deployed(chain, PROFILES["devnet"], artifacts)  # a set of its own
    s1 = net.chain.accounts[1]
    first, genesis = seed_genesis(net, s1)
    node = make_cluster(net, tmp_path, first, genesis)
    node.steps(3)
    signer = node.signers[0]
    assert signer is not None
    ledger_chain = node.node.chain
    key = first.keys.bls_public_key.to_bytes()
    now = 1_800_000_000

    def answer(timestamp: int, kind: Kind = Kind.EXIT, bls: bytes = key) -> Any:
        request = SignRequest(1, kind, bls_pubkey=bls, timestamp=timestamp)
        return signer.answer(request, ledger_chain, L2Now(now, frozenset()))

    stale = answer(now - 181)
    assert stale.status is Status.BAD_REQUEST and "181 s behind" in stale.reason
    assert answer(now + 181).status is Status.BAD_REQUEST
    registered = answer(now - 180, Kind.LIQUIDATION)
    assert registered.status is Status.NOT_REMOVABLE
    assert "is registered: it cannot be liquidated" in registered.reason
    unknown = answer(now, bls=bytes(64))
    assert unknown.status is Status.NOT_REMOVABLE and "is unknown" in unknown.reason
    assert answer(now, bls=b"\x01" * 64).status is Status.BAD_REQUEST  # not on the curve
    node.close()


def test_a_key_only_the_contract_has_is_liquidated(
    chain: EvmChain, artifacts: ContractArtifacts, tmp_path: Path
) -> None:
    """A registration the network refuses (its Ed25519 signature is wrong, which the contract
    does not check) leaves a key in the contract only: once the nodes have read the contract's
    list again, they sign its liquidation, and the contract takes it (node.md §1.4, the reverse
    case). While the registration is on its way, it is not "contract only"."""
    net = Network.deployed(chain, PROFILES["devnet"], artifacts)  # a set of its own
    _, s1, s2, s3, s4 = net.chain.accounts[:5]
    node, _ = running_cluster(net, tmp_path, (s1, s2, s3), 6)
    for member in node.running:
        assert member.follower is not None
        member.follower.purge_blocks = 1  # read the contract's list at every poll, not hourly
    forged = net.register(s4, forged=True)
    key = forged.keys.bls_public_key.to_bytes()
    for member in node.running:  # a poll: the registration is seen, and in the contract's list
        member.poll_l2()
        assert member.follower is not None and member.follower.purge_view is not None
        assert forged.xy in member.follower.purge_view.contract_keys
        assert forged.xy not in (member.l2_now().contract_keys or ())  # on its way

    def only_in_the_contract() -> bool:
        return all(
            forged.xy in (m.l2_now().contract_keys or ())
            and forged.pubkey not in m.chain.ledger.nodes
            for m in node.running
        )

    step_until(node, only_in_the_contract)
    claims = claims_of(net, node)
    reply = node.while_running(lambda: claims.removal(None, key, True))
    assert reply["non_signer_indices"] == [forged.id]  # nobody runs it
    liquidator = net.chain.accounts[7]
    before = int(net.token.functions.balanceOf(liquidator).call())
    submit(net, reply, "liquidateBLSPublicKeyWithSignature", liquidator)
    assert int(net.token.functions.balanceOf(liquidator).call()) - before == STAKE * 3 // 10_000
    assert forged.xy not in net.contract_keys()
    node.close()
