"""lib/ownable2step.vy set up by a constructor rather than by initialize."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3.logs import DISCARD

from sesh.evm.artifacts import compile_contract, encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import Artifact

pytestmark = pytest.mark.anvil

CONTRACT = Path(__file__).parent / "contracts" / "owned_by_constructor.vy"
ZERO = "0x" + "00" * 20


@pytest.fixture(scope="module")
def artifact() -> Artifact:
    return compile_contract(CONTRACT)


def test_the_constructor_argument_becomes_the_owner(chain: Chain, artifact: Artifact) -> None:
    owned = chain.deploy(artifact, chain.accounts[4], sender=chain.accounts[0])
    assert owned.functions.owner().call() == chain.accounts[4]
    (event,) = owned.events.OwnershipTransferred.get_logs(from_block=0)
    assert (event.args.previousOwner, event.args.newOwner) == (ZERO, chain.accounts[4])


def test_the_owner_set_by_the_constructor_holds_the_owners_rights(
    chain: Chain, artifact: Artifact
) -> None:
    owned = chain.deploy(artifact, chain.accounts[4])
    chain.transact(owned.functions.guarded(), chain.accounts[4])
    assert owned.functions.calls().call() == 1
    data = revert_data(lambda: owned.functions.guarded().call({"from": chain.accounts[0]}))
    assert data == encode_error("OwnableUnauthorizedAccount(address)", chain.accounts[0])


def test_two_step_transfer_works_the_same_after_a_constructor(
    chain: Chain, artifact: Artifact
) -> None:
    owned = chain.deploy(artifact, chain.accounts[4])
    chain.transact(owned.functions.transferOwnership(chain.accounts[5]), chain.accounts[4])
    receipt = chain.transact(owned.functions.acceptOwnership(), chain.accounts[5])
    (event,) = owned.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)
    assert (event.args.previousOwner, event.args.newOwner) == (
        chain.accounts[4],
        chain.accounts[5],
    )


def test_the_zero_address_as_first_owner_reverts_with_ownable_invalid_owner(
    chain: Chain, artifact: Artifact
) -> None:
    data = revert_data(lambda: chain.deploy(artifact, ZERO))
    assert data == encode_error("OwnableInvalidOwner(address)", ZERO)
