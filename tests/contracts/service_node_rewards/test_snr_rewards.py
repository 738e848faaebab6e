"""Reward balances and claims: network signatures, non-signers, the claim cap.

Regression tests of audit findings C H-01, C L-01 and B 3 (reward replay), and of the claim
cycle quirk the audits list as unreported.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.chain import Chain

from ...support.contracts import error_of, refusal, send_at
from .conftest import Network

pytestmark = pytest.mark.anvil

SESH = 10**9


@pytest.fixture(autouse=True)
def _started(chain: Chain, rewards: Any, owner: str, network: Network, token: Any) -> None:
    network.seed(12)  # threshold: 4 non-signers
    chain.transact(rewards.functions.start(), owner)
    # The contract pays claims from what it holds: give it 10,000 SESH as the pool would.
    chain.transact(token.functions.transfer(rewards.address, 10_000 * SESH), owner)


def update(chain: Chain, network: Network, rewards: Any, recipient: str, amount: int,
           non_signers: list[int] | None = None, sender: str | None = None) -> Any:  # fmt: skip
    ids = non_signers or []
    sig = network.reward_signature(recipient, amount, ids)
    return chain.transact(
        rewards.functions.updateRewardsBalance(recipient, amount, sig, ids), sender
    )


def balance_update(rewards: Any, receipt: Any) -> dict[str, Any]:
    """The arguments of the one RewardsBalanceUpdated in ``receipt``."""
    (event,) = rewards.events.RewardsBalanceUpdated().process_receipt(receipt, errors=DISCARD)
    return dict(event["args"])


def test_a_signed_balance_is_recorded_for_the_named_recipient(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    """C H-01: a relayer's valid submission credits the recipient, not the relayer."""
    receipt = update(chain, network, rewards, stakers[0], 10 * SESH, sender=stranger)
    (event,) = rewards.events.RewardsBalanceUpdated().process_receipt(receipt, errors=DISCARD)
    assert dict(event["args"]) == {
        "recipientAddress": stakers[0],
        "amount": 10 * SESH,
        "previousBalance": 0,
    }
    assert tuple(rewards.functions.recipients(stakers[0]).call()) == (10 * SESH, 0)
    assert tuple(rewards.functions.recipients(stranger).call()) == (0, 0)


def test_an_old_balance_cannot_be_replayed(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    """C H-01 / B 3: after 10 then 15, replaying either is RecipientRewardsTooLow."""
    sig10 = network.reward_signature(stakers[0], 10 * SESH)
    chain.transact(rewards.functions.updateRewardsBalance(stakers[0], 10 * SESH, sig10, []))
    update(chain, network, rewards, stakers[0], 15 * SESH)
    for amount, sig in (
        (10 * SESH, sig10),
        (15 * SESH, network.reward_signature(stakers[0], 15 * SESH)),
    ):
        call = rewards.functions.updateRewardsBalance(stakers[0], amount, sig, [])
        assert error_of(call.call, rewards.abi) == ("RecipientRewardsTooLow", ())
    assert rewards.functions.recipients(stakers[0]).call()[0] == 15 * SESH


def test_the_zero_address_is_refused(chain: Chain, network: Network, rewards: Any) -> None:
    zero = "0x" + "00" * 20
    sig = network.reward_signature(zero, 1)
    call = rewards.functions.updateRewardsBalance(zero, 1, sig, [])
    assert error_of(call.call, rewards.abi) == ("NullAddress", ())


def test_non_signers_are_subtracted_from_the_aggregate(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    receipt = update(chain, network, rewards, stakers[0], SESH, non_signers=[1, 5, 11, 12])
    assert balance_update(rewards, receipt)["amount"] == SESH
    assert tuple(rewards.functions.recipients(stakers[0]).call()) == (SESH, 0)


def test_stored_keys_come_back_whole_for_both_parities_of_y(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    """Keys are stored as X and the parity of Y; Y is recomputed on every read. Every node's
    key reads back exactly, and non-signers of either parity subtract correctly."""
    by_parity: dict[int, list[int]] = {0: [], 1: []}
    for node_id, node in sorted(network.nodes.items()):
        assert tuple(rewards.functions.serviceNodes(node_id).call()[3]) == node.xy
        by_parity[node.xy[1] & 1].append(node_id)
    assert by_parity[0] and by_parity[1], "the seeded keys should cover both parities"
    ids, keys = rewards.functions.allServiceNodeIDs().call()
    assert [tuple(k) for k in keys] == [network.nodes[i].xy for i in ids]
    non_signers = sorted([by_parity[0][0], by_parity[1][0]])
    receipt = update(chain, network, rewards, stakers[0], SESH, non_signers)
    assert balance_update(rewards, receipt)["amount"] == SESH


def test_a_non_signer_id_above_64_bits_is_malformed(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    """The contract reads only an id's low 8 bytes; the argument's own decoding must refuse a
    word with higher bits set instead of reading it as a small id."""
    sig = network.reward_signature(stakers[0], SESH, [1])
    good = rewards.functions.updateRewardsBalance(stakers[0], SESH, sig, [1])
    data = bytes.fromhex(good._encode_transaction_data()[2:])
    assert data[-32:] == (1).to_bytes(32, "big")
    bad = data[:-32] + (2**64 + 1).to_bytes(32, "big")
    # The well-formed call passes, answering nothing (updateRewardsBalance returns no value).
    assert chain.w3.eth.call({"to": rewards.address, "data": data}) == b""
    with pytest.raises(Exception):  # noqa: B017 - a malformed argument has no custom error
        chain.w3.eth.call({"to": rewards.address, "data": bad})


def test_a_non_signer_listed_but_signing_fails(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    sig = network.reward_signature(stakers[0], SESH, [])  # everyone signed
    call = rewards.functions.updateRewardsBalance(stakers[0], SESH, sig, [3])
    assert error_of(call.call, rewards.abi)[0] == "InvalidBLSSignature"


def test_too_many_non_signers(
    chain: Chain, network: Network, rewards: Any, stakers: list[str]
) -> None:
    threshold = rewards.functions.blsNonSignerThreshold().call()
    total = rewards.functions.totalNodes().call()
    ids = list(range(1, threshold + 2))
    sig = network.reward_signature(stakers[0], SESH, ids)
    call = rewards.functions.updateRewardsBalance(stakers[0], SESH, sig, ids)
    assert error_of(call.call, rewards.abi) == (
        "InsufficientBLSSignatures",
        (total - len(ids), total - threshold),
    )


@pytest.mark.parametrize("ids", [[2, 2], [3, 2], [5, 1, 7]])
def test_non_signer_ids_must_strictly_increase(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], ids: list[int]
) -> None:
    sig = network.reward_signature(stakers[0], SESH, sorted(set(ids)))
    call = rewards.functions.updateRewardsBalance(stakers[0], SESH, sig, ids)
    name, args = error_of(call.call, rewards.abi)
    assert name == "NonSignerIDsNotIncreasing"
    first_bad = next(i for i in range(1, len(ids)) if ids[i] <= ids[i - 1])
    assert args == (ids[first_bad - 1], ids[first_bad])


@pytest.mark.parametrize("missing", [0, 99])
def test_non_signer_ids_must_name_live_nodes(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], missing: int
) -> None:
    sig = network.reward_signature(stakers[0], SESH, [])
    call = rewards.functions.updateRewardsBalance(stakers[0], SESH, sig, [missing])
    assert error_of(call.call, rewards.abi) == ("ServiceNodeDoesntExist", (missing,))


def test_the_signature_at_infinity_never_passes(
    chain: Chain, network: Network, rewards: Any, owner: str, stakers: list[str]
) -> None:
    """With no node left the aggregate is the point at infinity; the reference would then
    accept the signature at infinity for any balance. We refuse it."""
    ts = chain.timestamp()
    for node in list(network.nodes.values()):
        sig = network.exit_signature(node, ts)
        chain.transact(rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, []))
        network.forget(node)
    assert rewards.functions.totalNodes().call() == 0
    assert tuple(rewards.functions.aggregatePubkey().call()) == (0, 0)
    call = rewards.functions.updateRewardsBalance(stakers[0], 10**30, (0, 0, 0, 0), [])
    assert error_of(call.call, rewards.abi) == ("InvalidBLSSignature", ((0, 0),))


# -- claims ------------------------------------------------------------------------------------


def test_claim_everything_then_a_part(
    chain: Chain, network: Network, rewards: Any, token: Any, stakers: list[str]
) -> None:
    update(chain, network, rewards, stakers[0], 10 * SESH)
    before = token.functions.balanceOf(stakers[0]).call()
    receipt = chain.transact(rewards.functions.claimRewards(), stakers[0])
    (event,) = rewards.events.RewardsClaimed().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["amount"] == 10 * SESH
    assert token.functions.balanceOf(stakers[0]).call() == before + 10 * SESH
    update(chain, network, rewards, stakers[0], 15 * SESH)
    chain.transact(rewards.functions.claimRewards(2 * SESH), stakers[0])
    assert tuple(rewards.functions.recipients(stakers[0]).call()) == (15 * SESH, 12 * SESH)
    call = rewards.functions.claimRewards(3 * SESH + 1)
    assert refusal(call, stakers[0]) == ("MaxClaimExceeded", ())
    receipt = chain.transact(rewards.functions.claimRewards(0), stakers[0])  # zero claims succeed
    (event,) = rewards.events.RewardsClaimed().process_receipt(receipt, errors=DISCARD)
    assert (event["args"]["recipientAddress"], event["args"]["amount"]) == (stakers[0], 0)
    assert tuple(rewards.functions.recipients(stakers[0]).call()) == (15 * SESH, 12 * SESH)


def test_the_claim_cap_is_global_per_cycle(
    chain: Chain, network: Network, rewards: Any, owner: str, stakers: list[str]
) -> None:
    chain.transact(rewards.functions.setClaimThreshold(15 * SESH), owner)
    cycle = rewards.functions.claimCycle().call()
    start = (chain.timestamp() // cycle + 1) * cycle
    chain.mine(start)
    update(chain, network, rewards, stakers[0], 10 * SESH)
    update(chain, network, rewards, stakers[1], 10 * SESH)
    chain.transact(rewards.functions.claimRewards(), stakers[0])
    assert rewards.functions.currentClaimTotal().call() == 10 * SESH
    call = rewards.functions.claimRewards()
    assert refusal(call, stakers[1]) == ("ClaimThresholdExceeded", ())
    chain.transact(rewards.functions.claimRewards(5 * SESH), stakers[1])
    assert rewards.functions.currentClaimTotal().call() == 15 * SESH
    chain.mine(start + cycle)  # the next window
    chain.transact(rewards.functions.claimRewards(), stakers[1])
    assert rewards.functions.currentClaimTotal().call() == 5 * SESH
    assert rewards.functions.currentClaimCycle().call() == (start + cycle) // cycle


def test_raising_the_claim_cycle_freezes_the_window_as_in_the_reference(
    chain: Chain, network: Network, rewards: Any, owner: str, stakers: list[str]
) -> None:
    """Unreported in the audits: with a longer cycle, floor(now / cycle) falls below the
    stored index, so the window total does not reset until the new index overtakes it. Kept for
    parity (docs/compatibility.md flags it)."""
    chain.transact(rewards.functions.setClaimThreshold(10 * SESH), owner)
    update(chain, network, rewards, stakers[0], 20 * SESH)
    chain.transact(rewards.functions.claimRewards(10 * SESH), stakers[0])
    chain.transact(rewards.functions.setClaimCycle(24 * 3_600), owner)
    chain.mine(chain.timestamp() + 2 * 86_400)
    call = rewards.functions.claimRewards(1)
    assert refusal(call, stakers[0]) == ("ClaimThresholdExceeded", ())


def test_pause_stops_everything_but_claims(
    chain: Chain, network: Network, rewards: Any, owner: str, stakers: list[str], stranger: str
) -> None:
    """C L-01: paused, every guarded function is EnforcedPause; claims still pay."""
    update(chain, network, rewards, stakers[0], 10 * SESH)
    node = next(iter(network.nodes.values()))
    chain.transact(rewards.functions.pause(), owner)
    ts = chain.timestamp()
    sig = (0, 0, 0, 0)
    guarded = [
        rewards.functions.updateRewardsBalance(stakers[0], 20 * SESH, sig, []),
        rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, []),
        rewards.functions.liquidateBLSPublicKeyWithSignature(node.xy, ts, sig, []),
        rewards.functions.exitBLSPublicKeyAfterWaitTime(node.id),
        rewards.functions.initiateExitBLSPublicKey(node.id),
        rewards.functions.addBLSPublicKey(node.xy, sig, (1, 0, 0, 0), []),
    ]
    for call in guarded:
        assert error_of(lambda c=call: c.transact({"from": owner}), rewards.abi) == (
            "EnforcedPause",
            (),
        )
    chain.transact(rewards.functions.claimRewards(), stakers[0])
    call = rewards.functions.pause()
    assert refusal(call, stranger) == ("OwnableUnauthorizedAccount", (stranger,))
    assert refusal(call, owner) == ("EnforcedPause", ())
    chain.transact(rewards.functions.unpause(), owner)
    call = rewards.functions.unpause()
    assert refusal(call, owner) == ("ExpectedPause", ())
    receipt = update(chain, network, rewards, stakers[0], 20 * SESH)
    assert balance_update(rewards, receipt)["amount"] == 20 * SESH


def test_exactly_at_expiry_is_still_valid(
    chain: Chain, network: Network, rewards: Any, stakers: list[str], stranger: str
) -> None:
    node = next(iter(network.nodes.values()))
    ts = chain.timestamp() + 3 * 3_600
    chain.mine(ts)
    sig = network.exit_signature(node, ts)
    call = rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, [])
    before = rewards.functions.totalNodes().call()
    receipt = send_at(chain, call, stranger, ts + 600)
    (event,) = rewards.events.ServiceNodeExit().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["serviceNodeID"] == node.id
    assert rewards.functions.totalNodes().call() == before - 1
