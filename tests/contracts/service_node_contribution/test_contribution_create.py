"""The factory: making contribution contracts (clones), pausing, ownership, upgrades; and the
contribution contract's set-up (`initialize`, the lock of the bare implementation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hexbytes import HexBytes
from web3.logs import DISCARD

from sesh.evm.artifacts import compile_contract
from sesh.evm.chain import Chain

from ...support.contracts import error_of
from ...support.nodes import Node
from .conftest import (
    MAX_CONTRIBUTORS,
    SETUP_EVENTS,
    STAKE,
    ZERO,
    System,
    events,
    fresh_node,
    reverts_with_string,
)

pytestmark = pytest.mark.anvil

HERE = Path(__file__).resolve().parent
EIP1167_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
EIP1167_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")


def abi(system: System) -> list[dict[str, Any]]:
    """Every error the calls below can meet, whichever contract raises it."""
    return [*system.contribution_artifact.abi, *system.rewards.abi, *system.factory.abi]


def clone_initcode(implementation: str) -> bytes:
    """EIP-1167 creation code: what a third party could deploy without the factory."""
    runtime = EIP1167_PREFIX + bytes.fromhex(implementation[2:]) + EIP1167_SUFFIX
    return bytes.fromhex("3d602d80600a3d3981f3") + runtime


# -- deploy ------------------------------------------------------------------------------------


def test_deploy_makes_a_clone_set_up_for_the_caller(system: System, operator: str) -> None:
    node = fresh_node()
    contract, _, receipt = system.create(operator, node, fee=1_234, manual=True)

    code = bytes(system.chain.w3.eth.get_code(contract.address))
    assert (
        code == EIP1167_PREFIX + bytes.fromhex(system.implementation.address[2:]) + EIP1167_SUFFIX
    )
    (event,) = system.factory.events.NewServiceNodeContributionContract().process_receipt(
        receipt, errors=DISCARD
    )
    assert event["args"]["serviceNodePubkey"] == node.ed25519
    assert event["args"]["operator"] == operator
    assert system.factory.functions.owns(contract.address).call()
    assert system.factory.functions.deployedContracts(contract.address).call()

    views = contract.functions
    assert views.operator().call() == operator
    assert views.status().call() == 0
    assert views.stakingRequirement().call() == STAKE
    assert views.maxContributors().call() == MAX_CONTRIBUTORS
    assert views.manualFinalize().call() is True
    assert views.SESH().call() == system.token.address
    assert views.stakingRewardsContract().call() == system.rewards.address
    assert tuple(views.blsPubkey().call()) == node.xy
    pop = system.pop(node, operator)
    assert tuple(views.blsSignature().call()) == pop
    assert tuple(views._blsSignature().call()) == pop
    assert tuple(views.serviceNodeParams().call()) == system.params(node, 1_234)
    assert tuple(views._serviceNodeParams().call()) == system.params(node, 1_234)
    assert views.WITHDRAWAL_DELAY().call() == 86_400
    assert views.MAX_FEE().call() == 10_000
    assert views.totalContribution().call() == 0
    assert views.contributorAddressesLength().call() == 0
    assert views.getContributions().call() == [[], [], []]
    assert views.getReserved().call() == [[], [], []]


def test_deploy_announces_what_the_reference_constructor_does(
    system: System, operator: str
) -> None:
    contract, node, receipt = system.create(operator, reserved=[(operator, STAKE // 2)], fee=7)
    assert events(contract, receipt) == SETUP_EVENTS
    logs = [
        e.process_receipt(receipt, errors=DISCARD)
        for e in (contract.events.UpdatePubkeys(), contract.events.UpdateReservedContributors())
    ]
    assert tuple(logs[0][0]["args"]["newBLSPubkey"].values()) == node.xy
    assert logs[0][0]["args"]["newEd25519Pubkey"] == node.ed25519
    assert [list(r.values()) for r in logs[1][1]["args"]["newReservedContributors"]] == [
        [operator, STAKE // 2]
    ]


def test_each_deploy_is_a_new_contract(system: System, operator: str, stranger: str) -> None:
    first, _, _ = system.create(operator)
    second, _, _ = system.create(stranger)
    assert first.address != second.address
    assert second.functions.operator().call() == stranger
    assert not system.factory.functions.owns(stranger).call()


def test_cipher_m01_a_copied_proof_of_possession_is_refused(
    system: System, operator: str, stranger: str
) -> None:
    # C M-01: a proof signed for another operator (a copied registration) is refused at once.
    node = fresh_node()
    copied = system.deploy_call(stranger, node, pop=system.pop(node, operator))
    assert error_of(lambda: copied.call({"from": stranger}), abi(system)) == (
        "InvalidBLSProofOfPossession",
        (),
    )


def test_deploy_refuses_a_fee_above_the_maximum(system: System, operator: str) -> None:
    call = system.deploy_call(operator, fee=10_001)
    assert error_of(lambda: call.call({"from": operator}), abi(system)) == (
        "FeeExceedsPossibleValue",
        (10_001, 10_000),
    )


def test_deploy_refuses_bad_reservations(system: System, operator: str, stranger: str) -> None:
    call = system.deploy_call(operator, reserved=[(stranger, STAKE)])
    assert error_of(lambda: call.call({"from": operator}), abi(system)) == (
        "FirstReservedContributorMustBeOperator",
        (0, operator),
    )


def test_bug_bounty_1_operator_is_the_caller_not_the_origin(
    system: System, chain: Chain, operator: str, stranger: str
) -> None:
    # B 1: a contract in the middle (a phishing page's contract, or a wallet) becomes the
    # operator itself; tx.origin plays no part, and nobody else can act as operator.
    relay_artifact = compile_contract(HERE / "contracts" / "relay.vy")
    relay = chain.deploy(relay_artifact)
    other_relay = chain.deploy(relay_artifact)
    node = fresh_node()
    data = system.deploy_call(relay.address, node)._encode_transaction_data()
    receipt = chain.transact(relay.functions.forward(system.factory.address, data), operator)
    (event,) = system.factory.events.NewServiceNodeContributionContract().process_receipt(
        receipt, errors=DISCARD
    )
    contract = system.at(event["args"]["contributorContract"])
    assert event["args"]["operator"] == relay.address
    assert contract.functions.operator().call() == relay.address

    reset = contract.functions.reset()._encode_transaction_data()
    relayed = other_relay.functions.forward(contract.address, reset)
    assert error_of(lambda: relayed.call({"from": operator}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (other_relay.address, relay.address),
    )
    assert error_of(lambda: contract.functions.reset().call({"from": operator}), abi(system)) == (
        "OnlyOperatorIsAuthorised",
        (operator, relay.address),
    )
    receipt = chain.transact(relay.functions.forward(contract.address, reset), stranger)
    assert events(contract, receipt) == ["UpdateReservedContributors", "Reset"]


# -- initialize and the implementation ---------------------------------------------------------


def initialize_error(
    system: System, contract: Any, node: Node, caller: str
) -> tuple[str, tuple[Any, ...]]:
    """The error of ``caller`` initialising ``contract`` for ``node`` as its own operator."""
    call = contract.functions.initialize(
        MAX_CONTRIBUTORS, node.xy, system.pop(node, caller), system.params(node), [], caller, False
    )
    return error_of(lambda: call.call({"from": caller}), abi(system))


def test_a_clone_cannot_be_initialised_again(system: System, operator: str, stranger: str) -> None:
    contract, node, _ = system.create(operator)
    assert initialize_error(system, contract, node, stranger) == ("InvalidInitialization", ())


def test_the_bare_implementation_is_locked(system: System, stranger: str) -> None:
    node = fresh_node()
    implementation = system.chain.contract(
        system.implementation.address, system.contribution_artifact
    )
    assert initialize_error(system, implementation, node, stranger) == (
        "InvalidInitialization",
        (),
    )
    assert implementation.functions.operator().call() == ZERO


def test_initialize_guards_its_numbers(system: System, chain: Chain, stranger: str) -> None:
    # Only a clone made outside the factory can be handed these: the factory passes the
    # rewards contract's own maxContributors.
    receipt = chain.send({"data": HexBytes(clone_initcode(system.implementation.address))})
    clone = system.at(receipt["contractAddress"])
    node = fresh_node()

    def initialize(max_contributors: int) -> Any:
        return clone.functions.initialize(
            max_contributors, node.xy, system.pop(node, stranger), system.params(node), [],
            stranger, False,
        )  # fmt: skip

    assert reverts_with_string(lambda: initialize(0).call()) == "Shared: uint input is empty"
    assert error_of(lambda: initialize(11).call(), abi(system)) == ("ParameterAboveBound", (11, 10))
    chain.transact(initialize(3))
    assert clone.functions.maxContributors().call() == 3
    assert clone.functions.operator().call() == stranger
    assert not system.factory.functions.owns(clone.address).call()


def test_the_implementation_needs_a_rewards_contract(
    system: System, chain: Chain, contribution_artifact: Any
) -> None:
    factory = chain.w3.eth.contract(
        abi=contribution_artifact.abi, bytecode=contribution_artifact.bytecode
    )
    data = factory.constructor(ZERO).data_in_transaction
    assert (
        reverts_with_string(lambda: chain.w3.eth.call({"data": data}))
        == "Shared: Zero-address is not permitted"
    )


# -- the factory's administration --------------------------------------------------------------


def toggle_pause(
    system: System, owner: str, stranger: str, verb: str, event: str, refusal: str
) -> None:
    """The factory's ``verb`` (pause or unpause): refused to a stranger; done by the owner,
    logging ``event`` with the owner's address; refused with ``refusal`` when repeated."""
    factory = system.factory.functions
    assert error_of(lambda: factory[verb]().call({"from": stranger}), abi(system)) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )
    receipt = system.chain.transact(factory[verb](), owner)
    (logged,) = system.factory.events[event]().process_receipt(receipt, errors=DISCARD)
    assert logged["args"]["account"] == owner
    assert factory.paused().call() is (verb == "pause")
    assert error_of(lambda: factory[verb]().call({"from": owner}), abi(system)) == (refusal, ())


def test_cipher_l01_deploy_is_pausable(
    system: System, owner: str, operator: str, stranger: str
) -> None:
    # C L-01: the owner can stop new contribution contracts; existing ones go on.
    existing, _, _ = system.create(operator)
    toggle_pause(system, owner, stranger, "pause", "Paused", "EnforcedPause")
    call = system.deploy_call(operator)
    assert error_of(lambda: call.call({"from": operator}), abi(system)) == ("EnforcedPause", ())
    system.contribute(existing, operator, STAKE // 4)
    assert existing.functions.contributions(operator).call() == STAKE // 4

    toggle_pause(system, owner, stranger, "unpause", "Unpaused", "ExpectedPause")
    created, _, _ = system.create(operator)
    assert created.functions.operator().call() == operator
    assert system.factory.functions.owns(created.address).call() is True


def test_cipher_l04_factory_ownership_moves_in_two_steps(
    system: System, owner: str, stranger: str
) -> None:
    factory = system.factory.functions
    assert factory.owner().call() == owner
    assert factory.VERSION().call() == 1
    system.chain.transact(factory.transferOwnership(stranger), owner)
    assert factory.owner().call() == owner
    assert factory.pendingOwner().call() == stranger
    system.chain.transact(factory.acceptOwnership(), stranger)
    assert factory.owner().call() == stranger
    system.chain.transact(factory.pause(), stranger)
    assert factory.paused().call() is True
    system.chain.transact(factory.renounceOwnership(), stranger)
    assert factory.owner().call() == ZERO
    assert error_of(lambda: factory.unpause().call({"from": stranger}), abi(system)) == (
        "OwnableUnauthorizedAccount",
        (stranger,),
    )


def test_factory_initialize_runs_once_and_never_on_the_implementation(
    system: System, owner: str
) -> None:
    for target in (system.factory, system.factory_implementation):
        contract = system.chain.w3.eth.contract(address=target.address, abi=system.factory.abi)
        initialize = contract.functions.initialize(system.rewards.address)
        assert error_of(lambda call=initialize: call.call({"from": owner}), abi(system)) == (
            "InvalidInitialization",
            (),
        )


def test_factory_serves_the_implementation_rewards_contract_only(
    system: System, chain: Chain, stranger: str
) -> None:
    data = system.factory.encode_abi("initialize", args=[stranger])
    with pytest.raises(Exception) as refused:
        chain.deploy_proxy(system.factory_implementation.address, bytes.fromhex(data[2:]))
    assert "StakingRewardsContractMismatch" in str(refused.value)


def test_factory_upgrades_keep_its_records(
    system: System, chain: Chain, owner: str, operator: str, factory_artifact: Any
) -> None:
    contract, _, _ = system.create(operator)
    replacement = chain.deploy(factory_artifact, system.implementation.address)
    upgrade = system.factory.functions.upgradeToAndCall(replacement.address, b"")
    assert error_of(lambda: upgrade.call({"from": operator}), abi(system)) == (
        "OwnableUnauthorizedAccount",
        (operator,),
    )
    chain.transact(upgrade, owner)
    assert system.factory.functions.owns(contract.address).call()
    assert system.factory.functions.stakingRewardsContract().call() == system.rewards.address
    created, _, _ = system.create(operator)
    assert system.factory.functions.owns(created.address).call()


def test_owns_answers_false_for_strangers(system: System, stranger: str) -> None:
    assert not system.factory.functions.owns(stranger).call()
    assert not system.factory.functions.owns(system.implementation.address).call()
