"""Upgrading the pool (UUPS): the owner switches the proxy's code; its storage stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.artifacts import compile_contract, encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import ERC1967_IMPLEMENTATION_SLOT, Artifact

pytestmark = pytest.mark.anvil

HERE = Path(__file__).parent / "contracts"


@pytest.fixture(scope="module")
def v2_artifact() -> Artifact:
    return compile_contract(HERE / "reward_rate_pool_v2.vy")


@pytest.fixture(scope="module")
def v2(chain: Chain, v2_artifact: Artifact, deployment: Any) -> Any:
    return chain.deploy(v2_artifact)


def implementation_of(chain: Chain, proxy: Any) -> str:
    word = chain.w3.eth.get_storage_at(proxy.address, ERC1967_IMPLEMENTATION_SLOT)
    return chain.w3.to_checksum_address(word[-20:])


def as_v2(chain: Chain, pool: Any, v2_artifact: Artifact) -> Any:
    return chain.w3.eth.contract(address=pool.address, abi=v2_artifact.abi)


def test_the_proxy_keeps_the_implementation_at_the_erc1967_slot(
    chain: Chain, pool: Any, implementation: Any
) -> None:
    assert implementation_of(chain, pool) == implementation.address


def test_the_owner_upgrades_the_proxy_to_a_new_implementation(
    chain: Chain, pool: Any, v2: Any, v2_artifact: Artifact, owner: str
) -> None:
    chain.transact(pool.functions.upgradeToAndCall(v2.address, b""), owner)
    assert implementation_of(chain, pool) == v2.address
    assert as_v2(chain, pool, v2_artifact).functions.VERSION().call() == 2


def test_an_upgrade_keeps_every_stored_value(
    chain: Chain, pool: Any, v2: Any, v2_artifact: Artifact, token: Any, owner: str,
    stranger: str, new_owner: str,
) -> None:  # fmt: skip
    chain.set_next_timestamp(pool.functions.lastPaidOutTime().call() + 3_600)
    chain.transact(pool.functions.payoutReleased())
    chain.transact(pool.functions.setBeneficiary(stranger), owner)
    chain.transact(pool.functions.transferOwnership(new_owner), owner)
    before = [
        pool.functions.totalPaidOut().call(),
        pool.functions.lastPaidOutTime().call(),
        pool.functions.beneficiary().call(),
        pool.functions.SESH().call(),
        pool.functions.owner().call(),
        pool.functions.pendingOwner().call(),
    ]
    chain.transact(pool.functions.upgradeToAndCall(v2.address, b""), owner)
    upgraded = as_v2(chain, pool, v2_artifact).functions
    after = [
        upgraded.totalPaidOut().call(),
        upgraded.lastPaidOutTime().call(),
        upgraded.beneficiary().call(),
        upgraded.SESH().call(),
        upgraded.owner().call(),
        upgraded.pendingOwner().call(),
    ]
    assert after == before
    assert before[0] > 0 and before[2] == stranger and before[5] == new_owner


def test_an_upgrade_logs_upgraded(chain: Chain, pool: Any, v2: Any, owner: str) -> None:
    receipt = chain.transact(pool.functions.upgradeToAndCall(v2.address, b""), owner)
    (event,) = pool.events.Upgraded().process_receipt(receipt, errors=DISCARD)
    assert event.args.implementation == v2.address


def test_upgrade_and_call_runs_the_call_on_the_new_implementation(
    chain: Chain, pool: Any, v2: Any, v2_artifact: Artifact, owner: str
) -> None:
    migrate = bytes.fromhex(v2.encode_abi("migrate", args=[7]).removeprefix("0x"))
    chain.transact(pool.functions.upgradeToAndCall(v2.address, migrate), owner)
    assert as_v2(chain, pool, v2_artifact).functions.note().call() == 7


def test_a_failing_upgrade_call_reverts_the_whole_upgrade(
    chain: Chain, pool: Any, v2: Any, implementation: Any, owner: str
) -> None:
    migrate = bytes.fromhex(v2.encode_abi("migrate", args=[0]).removeprefix("0x"))
    data = revert_data(
        lambda: pool.functions.upgradeToAndCall(v2.address, migrate).call({"from": owner})
    )
    assert data == encode_error("Error(string)", "note must not be zero")
    assert implementation_of(chain, pool) == implementation.address


def test_the_upgraded_pool_can_upgrade_again(
    chain: Chain, pool: Any, v2: Any, v2_artifact: Artifact, implementation: Any, owner: str
) -> None:
    chain.transact(pool.functions.upgradeToAndCall(v2.address, b""), owner)
    upgraded = as_v2(chain, pool, v2_artifact)
    chain.transact(upgraded.functions.upgradeToAndCall(implementation.address, b""), owner)
    assert implementation_of(chain, pool) == implementation.address
    assert pool.functions.VERSION().call() == 1


def test_a_non_owner_cannot_upgrade(pool: Any, v2: Any, stranger: str) -> None:
    data = revert_data(
        lambda: pool.functions.upgradeToAndCall(v2.address, b"").call({"from": stranger})
    )
    assert data == encode_error("OwnableUnauthorizedAccount(address)", stranger)


def test_upgrading_the_implementation_directly_reverts(
    implementation: Any, v2: Any, owner: str
) -> None:
    data = revert_data(
        lambda: implementation.functions.upgradeToAndCall(v2.address, b"").call({"from": owner})
    )
    assert data == encode_error("UUPSUnauthorizedCallContext()")


TARGETS = {
    "an account without code": "stranger",
    "a contract that is not uups": "token",
    # The pool itself answers proxiableUUID only on the implementation, never via a proxy.
    "a proxy": "pool",
}


@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_upgrading_to_a_non_implementation_reverts(
    pool: Any, token: Any, owner: str, stranger: str, target: str
) -> None:
    address = {"stranger": stranger, "token": token.address, "pool": pool.address}[target]
    data = revert_data(lambda: pool.functions.upgradeToAndCall(address, b"").call({"from": owner}))
    assert data == encode_error("ERC1967InvalidImplementation(address)", address)


def test_upgrading_to_an_implementation_with_another_slot_reverts(
    chain: Chain, pool: Any, owner: str
) -> None:
    foreign = chain.deploy(compile_contract(HERE / "foreign_uuid.vy"))
    slot = foreign.functions.proxiableUUID().call()
    data = revert_data(
        lambda: pool.functions.upgradeToAndCall(foreign.address, b"").call({"from": owner})
    )
    assert data == encode_error("UUPSUnsupportedProxiableUUID(bytes32)", slot)


def test_ether_with_an_upgrade_that_calls_nothing_reverts(pool: Any, v2: Any, owner: str) -> None:
    data = revert_data(
        lambda: pool.functions.upgradeToAndCall(v2.address, b"").call({"from": owner, "value": 1})
    )
    assert data == encode_error("ERC1967NonPayable()")


def test_proxiable_uuid_is_the_erc1967_slot_on_the_implementation(implementation: Any) -> None:
    answer = implementation.functions.proxiableUUID().call()
    assert answer == ERC1967_IMPLEMENTATION_SLOT.to_bytes(32, "big")


def test_proxiable_uuid_reverts_through_the_proxy(pool: Any) -> None:
    data = revert_data(lambda: pool.functions.proxiableUUID().call())
    assert data == encode_error("UUPSUnauthorizedCallContext()")


def test_the_new_layout_keeps_every_variable_of_the_old_one(
    pool_artifact: Artifact, v2_artifact: Artifact
) -> None:
    old, new = pool_artifact.storage_layout, v2_artifact.storage_layout
    for module, variables in old.items():
        if "slot" in variables:  # a top-level variable
            assert new[module]["slot"] == variables["slot"], module
        else:
            for name, entry in variables.items():
                assert new[module][name]["slot"] == entry["slot"], f"{module}.{name}"
