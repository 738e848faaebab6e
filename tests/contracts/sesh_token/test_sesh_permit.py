"""SESH.permit (ERC-2612): allowances from real EIP-712 signatures made with eth_account."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from sesh.evm.anvil import dev_keys
from sesh.evm.artifacts import decode_revert, encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.permit import Permit
from sesh.evm.permit import sign_permit as sesh_sign_permit

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def sign_permit(
    token: Any,
    signer_index: int,
    spender: str,
    value: int,
    deadline: int,
    *,
    owner: str | None = None,
    nonce: int | None = None,
) -> Permit:
    """A permit signed by dev account ``signer_index`` (for ``owner``, that account by default)."""
    key = dev_keys()[signer_index]
    owner = owner or key.address
    return sesh_sign_permit(
        key.private_key,
        token=token.address,
        chain_id=token.w3.eth.chain_id,
        owner=owner,
        spender=spender,
        value=value,
        nonce=token.functions.nonces(owner).call() if nonce is None else nonce,
        deadline=deadline,
    )


@pytest.fixture
def deadline(chain: Chain) -> int:
    return chain.timestamp() + 3_600


def test_a_valid_permit_sets_the_allowance(
    chain: Chain, token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, alice, 5_000, deadline)
    chain.transact(permit.call(token), alice)
    assert token.functions.allowance(genesis, alice).call() == 5_000


def test_a_valid_permit_logs_an_approval(
    chain: Chain, token: Any, genesis: str, alice: str, deadline: int
) -> None:
    receipt = chain.transact(sign_permit(token, 1, alice, 9, deadline).call(token), alice)
    (event,) = token.events.Approval().process_receipt(receipt, errors=DISCARD)
    assert (event.args.owner, event.args.spender, event.args.value) == (genesis, alice, 9)


def test_a_valid_permit_uses_up_the_owners_nonce(
    chain: Chain, token: Any, genesis: str, alice: str, deadline: int
) -> None:
    assert token.functions.nonces(genesis).call() == 0
    chain.transact(sign_permit(token, 1, alice, 1, deadline).call(token), alice)
    assert token.functions.nonces(genesis).call() == 1


def test_anyone_may_submit_the_owners_permit(
    chain: Chain, token: Any, genesis: str, alice: str, carol: str, deadline: int
) -> None:
    chain.transact(sign_permit(token, 1, alice, 77, deadline).call(token), carol)
    assert token.functions.allowance(genesis, alice).call() == 77


def test_a_permit_is_valid_up_to_and_including_its_deadline(
    chain: Chain, token: Any, genesis: str, alice: str
) -> None:
    deadline = chain.timestamp() + 100
    permit = sign_permit(token, 1, alice, 3, deadline)
    chain.set_next_timestamp(deadline)
    chain.transact(permit.call(token), alice)
    assert token.functions.allowance(genesis, alice).call() == 3


def test_an_expired_permit_reverts_with_erc2612_expired_signature(
    chain: Chain, token: Any, alice: str
) -> None:
    deadline = chain.timestamp() + 100
    permit = sign_permit(token, 1, alice, 3, deadline)
    chain.mine(deadline + 1)
    data = revert_data(lambda: permit.call(token).call({"from": alice}))
    assert data == encode_error("ERC2612ExpiredSignature(uint256)", deadline)


def test_a_permit_signed_by_someone_else_reverts_with_erc2612_invalid_signer(
    token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 2, alice, 3, deadline, owner=genesis)  # alice signs for genesis
    data = revert_data(lambda: permit.call(token).call({"from": alice}))
    assert data == encode_error("ERC2612InvalidSigner(address,address)", alice, genesis)


def invalid_signer(token: Any, data: bytes) -> tuple[str, str]:
    """(recovered signer, owner) of ERC2612InvalidSigner revert data, checked byte for byte."""
    decoded = decode_revert(token.abi, data)
    assert decoded.name == "ERC2612InvalidSigner"
    signer, owner = decoded.args
    assert data == encode_error("ERC2612InvalidSigner(address,address)", signer, owner)
    return signer.lower(), owner.lower()


def test_a_replayed_permit_reverts_with_erc2612_invalid_signer(
    chain: Chain, token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, alice, 3, deadline)
    chain.transact(permit.call(token), alice)
    # Hashed with the next nonce now, the old signature recovers to some unrelated address.
    data = revert_data(lambda: permit.call(token).call({"from": alice}))
    signer, owner = invalid_signer(token, data)
    assert owner == genesis.lower()
    assert signer != owner


def test_a_permit_for_another_value_reverts_with_erc2612_invalid_signer(
    token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, alice, 3, deadline)
    tampered = Permit(genesis, alice, 4, deadline, permit.v, permit.r, permit.s)
    signer, owner = invalid_signer(token, revert_data(lambda: tampered.call(token).call()))
    assert (owner, signer != owner) == (genesis.lower(), True)


def test_a_permit_with_a_future_nonce_reverts_with_erc2612_invalid_signer(
    token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, alice, 3, deadline, nonce=1)
    signer, owner = invalid_signer(token, revert_data(lambda: permit.call(token).call()))
    assert (owner, signer != owner) == (genesis.lower(), True)


def test_a_malleable_signature_reverts_with_ecdsa_invalid_signature_s(
    token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, alice, 3, deadline)
    high_s = (SECP256K1_N - int.from_bytes(permit.s, "big")).to_bytes(32, "big")
    flipped = Permit(genesis, alice, 3, deadline, 55 - permit.v, permit.r, high_s)
    data = revert_data(lambda: flipped.call(token).call({"from": alice}))
    assert data == encode_error("ECDSAInvalidSignatureS(bytes32)", high_s)


def test_a_signature_with_a_bad_v_reverts_with_ecdsa_invalid_signature(
    token: Any, genesis: str, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, alice, 3, deadline)
    bad = Permit(genesis, alice, 3, deadline, 29, permit.r, permit.s)
    data = revert_data(lambda: bad.call(token).call({"from": alice}))
    assert data == encode_error("ECDSAInvalidSignature()")


def test_a_permit_for_the_zero_spender_reverts_with_erc20_invalid_spender(
    token: Any, alice: str, deadline: int
) -> None:
    permit = sign_permit(token, 1, ZERO, 3, deadline)
    data = revert_data(lambda: permit.call(token).call({"from": alice}))
    assert data == encode_error("ERC20InvalidSpender(address)", ZERO)
