"""Initialisation, owner setters, two-step ownership, and an upgrade that keeps storage.

Regression tests of audit findings C L-04 and C L-05.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.bls import DomainTags
from sesh.evm.chain import Chain
from sesh.evm.compiler import ERC1967_IMPLEMENTATION_SLOT, Artifact
from sesh.evm.proxy import proxy_initcode

from ...support.contracts import error_of, refusal
from .conftest import RATIOS, STAKE, Network

pytestmark = pytest.mark.anvil


def test_initial_state(chain: Chain, rewards: Any, token: Any, pool: Any, owner: str) -> None:
    f = rewards.functions
    assert f.designatedToken().call() == token.address
    assert f.foundationPool().call() == pool.address
    assert f.stakingRequirement().call() == STAKE
    assert f.maxContributors().call() == 10
    assert (
        f.liquidatorRewardRatio().call(),
        f.poolShareOfLiquidationRatio().call(),
        f.recipientRatio().call(),
    ) == RATIOS
    assert f.isStarted().call() is False
    assert f.paused().call() is False
    assert f.blsNonSignerThreshold().call() == 0
    assert f.blsNonSignerThresholdMax().call() == 4_000
    assert f.signatureExpiry().call() == 600
    assert f.claimThreshold().call() == 1_000_000 * 10**9
    assert f.claimCycle().call() == 12 * 3_600
    assert f.nextServiceNodeID().call() == 1
    assert f.owner().call() == owner
    assert f.VERSION().call() == 1
    assert f.LIST_SENTINEL().call() == 0
    assert f.MAX_SERVICE_NODE_EXIT_WAIT_TIME().call() == 30 * 86_400
    assert f.MAX_PERMITTED_PUBKEY_AGGREGATIONS_LOWER_BOUND().call() == 20
    assert f.MIN_TIME_BEFORE_REPEATED_LEAVE_REQUEST().call() == 3_600
    assert f.SMALL_CONTRIBUTOR_LEAVE_DELAY().call() == 30 * 86_400
    assert f.SMALL_CONTRIBUTOR_DIVISOR().call() == 4


def test_tags_bind_the_chain_and_the_proxy(chain: Chain, rewards: Any) -> None:
    tags = DomainTags.for_contract(chain.w3.eth.chain_id, rewards.address)
    f = rewards.functions
    assert f.proofOfPossessionTag().call() == tags.proof_of_possession
    assert f.rewardTag().call() == tags.reward
    assert f.exitTag().call() == tags.exit
    assert f.liquidateTag().call() == tags.liquidate
    assert f.hashToG2Tag().call() == tags.hash_to_g2


def test_initialize_runs_once_and_the_implementation_is_locked(
    chain: Chain, rewards: Any, deployment: Any, token: Any, pool: Any, owner: str
) -> None:
    args = [token.address, pool.address, STAKE, 10, *RATIOS]
    for target in deployment:
        call = target.functions.initialize(*args)
        assert error_of(lambda c=call: c.transact({"from": owner}), rewards.abi) == (
            "InvalidInitialization",
            (),
        )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((120, 10, 1, 1, 0), ("PositiveNumberRequirement", ())),
        ((120, 10, 1, 1, 5), ("LiquidatorPenaltyTooHigh", ())),
        ((120, 11, 1, 1, 8), ("ParameterAboveBound", (11, 10))),
        ((2**96, 10, 1, 1, 8), ("ParameterAboveBound", (2**96, 2**96 - 1))),
        # sesh only (docs/compatibility.md): the reference accepts these and is then stuck.
        ((0, 10, 1, 1, 8), ("PositiveNumberRequirement", ())),
        ((120, 0, 1, 1, 8), ("PositiveNumberRequirement", ())),
        (("no token", 120, 10, 1, 1, 8), ("NullAddress", ())),
        (("no pool", 120, 10, 1, 1, 8), ("NullAddress", ())),
    ],
)
def test_initialize_refuses_bad_parameters(
    chain: Chain, rewards: Any, rewards_artifact: Artifact, verifier: Any, token: Any,
    pool: Any, owner: str, args: tuple[Any, ...], error: tuple[str, tuple[Any, ...]],
) -> None:  # fmt: skip
    addresses = [token.address, pool.address]
    if isinstance(args[0], str):
        addresses[0 if args[0] == "no token" else 1] = "0x" + "00" * 20
        args = args[1:]
    implementation = chain.deploy(rewards_artifact, verifier.address, 0, sender=owner)
    init = implementation.encode_abi("initialize", args=[*addresses, *args])
    creation = proxy_initcode(implementation.address, bytes.fromhex(init[2:]))
    # The proxy's creation runs initialize and passes its revert data on.
    deploy_proxy = lambda: chain.w3.eth.call({"from": owner, "data": creation})  # noqa: E731
    assert error_of(deploy_proxy, rewards.abi) == error


SETTERS = [
    ("setStakingRequirement", "StakingRequirementUpdated", 5),
    ("setSignatureExpiry", "SignatureExpiryUpdated", 7),
    ("setBLSNonSignerThresholdMax", "BLSNonSignerThresholdMaxUpdated", 9),
    ("setClaimThreshold", "ClaimThresholdUpdated", 11),
    ("setClaimCycle", "ClaimCycleUpdated", 13),
]
GETTER = {
    "setStakingRequirement": "stakingRequirement",
    "setSignatureExpiry": "signatureExpiry",
    "setBLSNonSignerThresholdMax": "blsNonSignerThresholdMax",
    "setClaimThreshold": "claimThreshold",
    "setClaimCycle": "claimCycle",
}


@pytest.mark.parametrize(("setter", "event", "value"), SETTERS)
def test_owner_setters(
    chain: Chain, rewards: Any, owner: str, stranger: str, setter: str, event: str, value: int
) -> None:
    call = getattr(rewards.functions, setter)
    assert error_of(lambda: call(value).transact({"from": stranger}), rewards.abi) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )
    assert error_of(lambda: call(0).transact({"from": owner}), rewards.abi) == (
        "PositiveNumberRequirement",
        (),
    )
    receipt = chain.transact(call(value), owner)
    (log,) = getattr(rewards.events, event)().process_receipt(receipt, errors=DISCARD)
    assert list(log["args"].values()) == [value]
    assert getattr(rewards.functions, GETTER[setter])().call() == value


def test_setters_refuse_values_above_the_compiled_bounds(
    chain: Chain, rewards: Any, owner: str
) -> None:
    call = rewards.functions.setBLSNonSignerThresholdMax(10_001)
    assert refusal(call, owner) == ("ParameterAboveBound", (10_001, 10_000))
    call = rewards.functions.setStakingRequirement(2**96)
    assert refusal(call, owner) == ("ParameterAboveBound", (2**96, 2**96 - 1))


def test_liquidation_ratios(chain: Chain, rewards: Any, owner: str) -> None:
    set_ratios = rewards.functions.setLiquidationRatios
    assert error_of(lambda: set_ratios(0, 0, 0).transact({"from": owner}), rewards.abi) == (
        "PositiveNumberRequirement",
        (),
    )
    assert error_of(lambda: set_ratios(2, 1, 8).transact({"from": owner}), rewards.abi) == (
        "LiquidatorPenaltyTooHigh",
        (),
    )
    receipt = chain.transact(set_ratios(1, 2, 9), owner)
    (log,) = rewards.events.LiquidationRatiosUpdated().process_receipt(receipt, errors=DISCARD)
    assert list(log["args"].values()) == [1, 2, 9]


def test_two_step_ownership_and_renounce(
    chain: Chain, rewards: Any, owner: str, new_owner: str, stranger: str
) -> None:
    """C L-04: transferOwnership only names a pending owner. C L-05: renounce is kept."""
    chain.transact(rewards.functions.transferOwnership(new_owner), owner)
    assert rewards.functions.owner().call() == owner
    assert rewards.functions.pendingOwner().call() == new_owner
    call = rewards.functions.acceptOwnership()
    assert refusal(call, stranger) == ("OwnableUnauthorizedAccount", (stranger,))
    chain.transact(call, new_owner)
    assert rewards.functions.owner().call() == new_owner
    chain.transact(rewards.functions.renounceOwnership(), new_owner)
    assert rewards.functions.owner().call() == "0x" + "00" * 20
    call = rewards.functions.start()
    assert refusal(call, new_owner) == ("OwnableUnauthorizedAccount", (new_owner,))


def stored_state(rewards: Any, node_id: int, recipient: str) -> dict[str, Any]:
    """What an upgrade must keep: the list, the aggregate, a node, a balance, settings, tags."""
    f = rewards.functions
    return {
        "list": f.allServiceNodeIDs().call(),
        "aggregate": f.aggregatePubkey().call(),
        "node": f.serviceNodes(node_id).call(),
        "recipient": f.recipients(recipient).call(),
        "total": f.totalNodes().call(),
        "expiry": f.signatureExpiry().call(),
        "tag": f.rewardTag().call(),
    }


def test_an_upgrade_keeps_every_node_balance_and_setting(
    chain: Chain, network: Network, rewards: Any, rewards_artifact: Artifact, verifier: Any,
    owner: str, stakers: list[str], stranger: str,
) -> None:  # fmt: skip
    network.seed(4)
    chain.transact(rewards.functions.start(), owner)
    node = network.register(stakers[0])
    sig = network.reward_signature(stakers[1], 7)
    chain.transact(rewards.functions.updateRewardsBalance(stakers[1], 7, sig, []))
    chain.transact(rewards.functions.setSignatureExpiry(1_234), owner)
    before = stored_state(rewards, node.id, stakers[1])
    # Version 2: the same code with a minimum exit age of 0 (as a new verifier would come).
    v2 = chain.deploy(rewards_artifact, verifier.address, 0, sender=owner)
    call = rewards.functions.upgradeToAndCall(v2.address, b"")
    assert refusal(call, stranger) == ("OwnableUnauthorizedAccount", (stranger,))
    chain.transact(call, owner)
    slot = chain.w3.eth.get_storage_at(rewards.address, ERC1967_IMPLEMENTATION_SLOT)
    assert chain.w3.to_checksum_address(slot[-20:]) == v2.address
    after = stored_state(rewards, node.id, stakers[1])
    assert after == before
    # The new code runs: a node younger than 2 hours may now exit with a signature.
    ts = chain.timestamp()
    sig = network.exit_signature(node, ts)
    chain.transact(rewards.functions.exitBLSPublicKeyWithSignature(node.xy, ts, sig, []))
    assert rewards.functions.totalNodes().call() == before["total"] - 1
