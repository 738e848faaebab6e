"""Registration: addBLSPublicKey with its proof of possession, contributors, limits and errors.

Includes the regression tests of audit findings C M-01, C L-02, Z1 3.1 and Z1 3.2
(reference/audits.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.bls import DomainTags, proof_of_possession_message
from sesh.evm.chain import Chain

from ...support.contracts import error_of, refusal
from .conftest import STAKE, Network, fresh_node

pytestmark = pytest.mark.anvil


@pytest.fixture(autouse=True)
def _started(chain: Chain, rewards: Any, owner: str, network: Network) -> None:
    network.seed(3)
    chain.transact(rewards.functions.start(), owner)


def test_a_solo_registration_stores_the_node_and_pulls_the_stake(
    chain: Chain, network: Network, rewards: Any, token: Any, stakers: list[str]
) -> None:
    before = token.functions.balanceOf(stakers[0]).call()
    aggregate = rewards.functions.aggregatePubkey().call()
    node = network.register(stakers[0])
    assert token.functions.balanceOf(stakers[0]).call() == before - STAKE
    assert token.functions.balanceOf(rewards.address).call() == STAKE
    record = rewards.functions.serviceNodes(node.id).call()
    timestamp = chain.timestamp()
    # next (0: the tail), prev (the last seeded node), operator, key, added, leave request,
    # latest leave request, deposit, contributors, Ed25519 key.
    assert record == (0, 3, stakers[0], node.xy, timestamp, 0, 0, STAKE,
                      [((stakers[0], stakers[0]), STAKE)], node.ed25519)  # fmt: skip
    assert rewards.functions.totalNodes().call() == 4
    assert rewards.functions.serviceNodeIDs(encode_key(node.xy)).call() == node.id
    assert rewards.functions.ed25519ToServiceNodeID(node.ed25519).call() == node.id
    assert tuple(rewards.functions.aggregatePubkey().call()) != tuple(aggregate)
    assert rewards.functions.blsNonSignerThreshold().call() == 1


def encode_key(xy: tuple[int, int]) -> bytes:
    return xy[0].to_bytes(32, "big") + xy[1].to_bytes(32, "big")


def test_the_event_names_the_caller_and_the_effective_contributors(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = fresh_node()
    network.approve(stakers[0])
    receipt = chain.transact(network.add_call(node, stakers[0]), stakers[0])
    (event,) = rewards.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
    args = event["args"]
    assert args["initiator"] == stakers[0]
    assert tuple(args["pubkey"].values()) == node.xy
    assert args["serviceNode"]["serviceNodePubkey"] == node.ed25519
    assert [
        (c["staker"]["addr"], c["staker"]["beneficiary"], c["stakedAmount"])
        for c in args["contributors"]
    ] == [(stakers[0], stakers[0], STAKE)]


def test_contributors_and_beneficiaries_round_trip(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    contributors = [
        ((stakers[1], stakers[1]), STAKE // 4),
        ((stakers[2], stakers[3]), STAKE // 4),
        ((stakers[3], "0x" + "00" * 20), STAKE // 2),
    ]
    node = network.register(stakers[0], contributors)
    record = rewards.functions.serviceNodes(node.id).call()
    assert record[2] == stakers[1]  # the operator is the first contributor
    stored = [(c[0][0].lower(), c[0][1].lower(), c[1]) for c in record[8]]
    assert stored == [(a.lower(), b.lower(), s) for (a, b), s in contributors]


def test_the_proof_of_possession_is_bound_to_the_operator(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    """C M-01: the exact calldata of a solo registration sent by another account fails."""
    node = fresh_node()
    network.approve(stakers[1])
    call = network.add_call(node, operator=stakers[0])
    assert refusal(call, stakers[1]) == ("InvalidBLSProofOfPossession", ())


@pytest.mark.parametrize("what", ["chain id", "contract"])
def test_a_proof_for_another_chain_or_contract_fails(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], what: str
) -> None:
    node = fresh_node()
    chain_id = chain.w3.eth.chain_id + (1 if what == "chain id" else 0)
    contract = rewards.address if what == "chain id" else stakers[4]
    other = DomainTags.for_contract(chain_id, contract)
    message = proof_of_possession_message(other, node.pubkey, stakers[0], node.ed25519)
    pop = node.secret.sign(message, other.hash_to_g2).to_contract()
    network.approve(stakers[0])
    call = network.add_call(node, stakers[0], pop=pop)
    assert refusal(call, stakers[0]) == ("InvalidBLSProofOfPossession", ())


def test_a_key_off_the_curve_is_refused(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = fresh_node()
    network.approve(stakers[0])
    call = rewards.functions.addBLSPublicKey(
        (1, 3), network.pop(node, stakers[0]), network.params(node), []
    )
    assert refusal(call, stakers[0]) == ("InvalidBLSProofOfPossession", ())


def test_rogue_key_without_a_valid_proof_is_refused(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    """Z1 3.2: a key made to cancel the others cannot join without a proof of possession."""
    node = fresh_node()
    network.approve(stakers[0])
    call = rewards.functions.addBLSPublicKey(node.xy, (1, 2, 3, 4), network.params(node), [])
    # A signature that is not a G2 point makes the pairing precompile refuse its input, and the
    # check reverts with the reference's string.
    assert refusal(call, stakers[0]) == ("Error", ("Invalid Signature",))


def test_a_freed_key_can_be_registered_again_for_the_same_operator(
    chain: Chain, network: Network, rewards: Any, owner: str, stakers: list[str]
) -> None:
    """C L-02: after removal, the old proof still works for the same operator (paid by the
    sender), not for another one."""
    node = network.register(stakers[0])
    ts = chain.timestamp() + 3 * 3_600
    chain.mine(ts)
    sig = network.exit_signature(node, ts)
    chain.transact(rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, []))
    network.forget(node)
    again = fresh_node()
    again.secret, again.ed25519 = node.secret, node.ed25519
    network.approve(stakers[1])
    mine = [((stakers[1], stakers[1]), STAKE)]
    call = network.add_call(again, stakers[0], mine, pop=network.pop(node, stakers[0]))
    assert refusal(call, stakers[1])[0] == ("InvalidBLSProofOfPossession")
    theirs = [((stakers[0], stakers[0]), STAKE)]
    registered = network.register(stakers[1], theirs, node=again)
    stored = rewards.functions.serviceNodes(registered.id).call()
    assert (stored[2], tuple(stored[3])) == (stakers[0], node.xy)  # operator, key


def test_contributor_rules(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = fresh_node()
    network.approve(stakers[0])
    eleven = [((stakers[0], stakers[0]), STAKE // 11)] * 11

    def attempt(contributors: list[Any]) -> tuple[str, tuple[Any, ...]]:
        call = network.add_call(node, stakers[0], contributors)
        return refusal(call, stakers[0])

    assert attempt(eleven) == ("MaxContributorsExceeded", ())
    short = [((stakers[0], stakers[0]), STAKE - 1)]
    assert attempt(short) == ("ContributionTotalMismatch", (STAKE, STAKE - 1))
    small_operator = [
        ((stakers[0], stakers[0]), STAKE // 4 - 1),
        ((stakers[1], stakers[1]), STAKE - STAKE // 4 + 1),
    ]
    assert attempt(small_operator) == ("InsufficientOperatorContribution", (STAKE // 4 - 1,))


def test_duplicate_keys_are_refused(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    first = network.register(stakers[0])
    network.approve(stakers[1])
    same_bls = fresh_node()
    same_bls.secret = first.secret
    call = network.add_call(same_bls, stakers[1])
    assert refusal(call, stakers[1]) == ("BLSPubkeyAlreadyExists", (first.id,))
    same_ed = fresh_node()
    same_ed.ed25519 = first.ed25519
    call = network.add_call(same_ed, stakers[1])
    assert refusal(call, stakers[1]) == ("Ed25519PubkeyAlreadyExists", (first.id,))


def test_null_keys_are_refused(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = fresh_node()
    network.approve(stakers[0])
    call = rewards.functions.addBLSPublicKey((0, 0), (0, 0, 0, 0), network.params(node), [])
    assert refusal(call, stakers[0]) == ("NullBLSPubkey", ())
    node.ed25519 = 0
    call = network.add_call(node, stakers[0])
    assert refusal(call, stakers[0]) == ("NullEd25519Pubkey", ())


def test_registration_needs_a_started_unpaused_contract(
    chain: Chain, network: Network, rewards: Any, owner: str, stakers: list[str]
) -> None:
    node = fresh_node()
    network.approve(stakers[0])
    chain.transact(rewards.functions.pause(), owner)
    call = network.add_call(node, stakers[0])
    assert refusal(call, stakers[0]) == ("EnforcedPause", ())


def test_without_allowance_the_token_refuses(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    node = fresh_node()
    call = network.add_call(node, stakers[4])
    name, _ = error_of(lambda: call.transact({"from": stakers[4]}), rewards.abi + network.token.abi)
    assert name == "ERC20InsufficientAllowance"


def test_twenty_registrations_fit_in_a_block_and_the_twenty_first_does_not(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    """Z1 3.1: at most max(20, 2 % of the nodes) registrations per block after start."""
    assert rewards.functions.maxPermittedPubkeyAggregations().call() == 20
    for staker in stakers:
        network.approve(staker)
    chain.rpc("evm_setAutomine", False)
    try:
        hashes = []
        for i in range(21):
            node = fresh_node()
            sender = stakers[i % len(stakers)]
            hashes.append(
                network.add_call(node, sender).transact({"from": sender, "gas": 2_000_000})
            )
        chain.rpc("evm_mine")
    finally:
        chain.rpc("evm_setAutomine", True)
    statuses = [chain.w3.eth.get_transaction_receipt(h)["status"] for h in hashes]
    assert statuses == [1] * 20 + [0]
    assert rewards.functions.numPubkeyAggregationsForHeight().call() == 20
    network.register(stakers[0])  # the next block takes registrations again
    assert rewards.functions.numPubkeyAggregationsForHeight().call() == 1
