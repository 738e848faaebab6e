"""The network signs a reward balance and the contract takes the signature: real NetworkNodes
in one process (tests/node/cluster.py), each with its own BLS key, over anvil. The aggregate of
`bls_rewards_request` goes to ServiceNodeRewards' `updateRewardsBalance` as the RPC gives it;
a stopped node becomes a non-signer; a node with a wrong share is dropped and the rest still
verifies; refusals say why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sesh.aggregator.messages import Kind, SignAnswer, SignRequest, Status
from sesh.bls import G2Point, reward_message
from sesh.evm.chain import Chain as EvmChain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.profiles import PROFILES
from sesh.node.claims import Claims, ContractReads
from sesh.node.rpc_methods import NOT_FOUND, UNAVAILABLE, RpcError

from .cluster import Cluster
from .conftest import Network, make_cluster, make_tracker, running_cluster, seed_genesis

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


def claims_of(net: Network, node: Cluster, index: int = 0) -> Claims:
    tracker = make_tracker(net)
    signer = node.signers[index]
    assert signer is not None
    member = node.nodes[index]
    assert member is not None
    return Claims(member, signer, ContractReads(tracker))


def submit(net: Network, reply: dict[str, Any]) -> tuple[int, int]:
    """`updateRewardsBalance` with the RPC's reply as it is; the contract's record after."""
    address = net.chain.w3.to_checksum_address("0x" + reply["address"])
    signature = G2Point.from_bytes(bytes.fromhex(reply["signature"])).to_contract()
    call = net.rewards.functions.updateRewardsBalance(
        address, reply["amount"], signature, reply["non_signer_indices"]
    )
    net.chain.transact(call, net.chain.accounts[6])
    return tuple(net.rewards.functions.recipients(address).call())  # type: ignore[return-value]


def until_final(node: Cluster, height: int) -> None:
    while node.node.chain.immutable_height() < height:
        node.step()


def test_the_network_signs_a_balance_and_the_contract_records_it(
    network: Network, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    net = network
    _, s1, s2, s3, s4 = net.chain.accounts[:5]
    node, (_, *others) = running_cluster(net, tmp_path, (s1, s2, s3, s4), 12)
    until_final(node, 12)  # every node paid for a while, and final
    claims = claims_of(net, node)

    reply = node.while_running(lambda: claims.rewards(bytes.fromhex(s1[2:]), None))
    final = node.node.chain.immutable_height()
    assert reply["height"] == final and reply["amount"] > 0
    assert reply["non_signer_indices"] == []
    assert len(reply["signature"]) == 256 and len(reply["aggregate_pubkey"]) == 128
    assert submit(net, reply) == (reply["amount"], 0)
    # The same question again is answered from the cache, without asking anyone.
    assert node.while_running(lambda: claims.rewards(bytes.fromhex(s1[2:]), None)) == reply

    # One node of four stopped: it is a non-signer, which the contract accepts (⌊4/3⌋ = 1).
    node.stop(3)
    node.steps(8)
    until_final(node, final + 4)
    later = node.while_running(lambda: claims.rewards(bytes.fromhex(s1[2:]), None))
    assert later["amount"] > reply["amount"]
    assert later["non_signer_indices"] == [others[2].id]
    assert submit(net, later) == (later["amount"], 0)

    # Back, it signs again; a node answering with another node's share is dropped and named,
    # and the rest still verifies.
    node.start(3)
    liar = node.nodes[2]
    assert liar is not None and liar.signer is not None
    honest = node.signers[1]
    assert honest is not None

    def lie(request: SignRequest, chain: Any, l2: Any = None) -> SignAnswer:
        return honest.answer(request, chain, l2)

    liar.signer.answer = lie  # type: ignore[method-assign]
    node.steps(8)
    until_final(node, later["height"] + 4)
    lied = node.while_running(lambda: claims.rewards(bytes.fromhex(s2[2:]), None))
    assert lied["non_signer_indices"] == [others[1].id]
    assert f"dropped the bad share(s) of {others[1].pubkey.hex()}" in caplog.text
    assert submit(net, lied)[0] == lied["amount"]

    # A node whose ledger says another amount signs that amount, correctly: its share is not
    # for the message asked, so it is left out (a non-signer, not a bad share).
    def other_amount(request: SignRequest, chain: Any, l2: Any = None) -> SignAnswer:
        answer = honest.answer(request, chain, l2)
        if answer.status is not Status.SIGNED:
            return answer
        more = answer.amount + 1
        message = reward_message(net.tags, request.address, more)
        share = others[1].keys.bls.sign(message, net.tags.hash_to_g2)
        return SignAnswer(answer.request_id, Status.SIGNED, more, bytes(share.to_bytes()))

    liar.signer.answer = other_amount  # type: ignore[method-assign]
    node.steps(4)
    until_final(node, lied["height"] + 2)
    caplog.clear()
    differed = node.while_running(lambda: claims.rewards(bytes.fromhex(s3[2:]), None))
    assert differed["non_signer_indices"] == [others[1].id]
    assert "bad share" not in caplog.text  # left out for its amount, before any pairing
    assert submit(net, differed)[0] == differed["amount"]
    liar.signer.answer = lie  # type: ignore[method-assign]

    # With two of four not signing, the contract would refuse: so does the node, saying why.
    node.stop(3)
    node.steps(8)
    until_final(node, differed["height"] + 4)
    with pytest.raises(RpcError) as refused:
        node.while_running(lambda: claims.rewards(bytes.fromhex(s4[2:]), None))
    assert refused.value.code == UNAVAILABLE
    assert "at most 1 non-signers, and 2 did not sign" in refused.value.message
    assert "bad signature" in refused.value.message
    node.close()


def test_refusals_name_the_reason(
    chain: EvmChain, artifacts: ContractArtifacts, tmp_path: Path
) -> None:
    net = Network.deployed(chain, PROFILES["devnet"], artifacts)  # a set of its own, not started
    s1 = net.chain.accounts[1]
    first, genesis = seed_genesis(net, s1)
    net.start()
    node = make_cluster(net, tmp_path, first, genesis)
    node.steps(12)
    claims = claims_of(net, node)
    stranger = bytes.fromhex(net.chain.accounts[7][2:])
    with pytest.raises(RpcError) as nothing:
        node.while_running(lambda: claims.rewards(stranger, None))
    assert nothing.value.code == NOT_FOUND and "has no rewards at height" in nothing.value.message
    with pytest.raises(RpcError) as early:
        claims.rewards(bytes.fromhex(s1[2:]), node.height)
    assert "is not final yet" in early.value.message

    # A signer asked for a height it no longer holds, or does not hold yet, says so.
    signer = node.signers[0]
    assert signer is not None
    chain = node.node.chain
    request = SignRequest(1, Kind.REWARDS, address=bytes.fromhex(s1[2:]), height=node.height + 1)
    answer = signer.answer(request, chain)
    assert answer.status is Status.HEIGHT_UNAVAILABLE and "holds heights" in answer.reason
    exit_request = SignRequest(2, Kind.EXIT, bls_pubkey=bytes(64), timestamp=1)
    refused = signer.answer(exit_request, chain)
    assert refused.status is Status.BAD_REQUEST and "L2's time" in refused.reason
    node.close()
