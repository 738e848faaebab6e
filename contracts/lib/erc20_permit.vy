# pragma version ~=0.4.3
"""
@title ERC-2612 permit: approvals by signature
@notice `permit` sets an allowance from an EIP-712 signature by the owner, so
        the owner needs no ether and no transaction. Each signature carries
        the owner's next nonce and is good once, until its deadline.
@dev OpenZeppelin ERC20Permit (5.0) semantics and errors: a passed deadline
     is `ERC2612ExpiredSignature(deadline)`; the nonce is consumed before the
     signature is checked, and a signature by anyone but `owner` (a replay
     included, as it now hashes with a newer nonce) is
     `ERC2612InvalidSigner(recovered, owner)`; malformed signatures are
     ECDSA errors (lib/ecdsa.vy).
     Storage:
       nonces  HashMap[address, uint256]  the next permit nonce per owner
"""

from lib import ecdsa
from lib import eip712
from lib import erc20
from lib import errors

uses: eip712
uses: erc20


# keccak256 of the ERC-2612 Permit type.
PERMIT_TYPEHASH: constant(bytes32) = keccak256(
    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
)


# The nonce the owner's next permit must carry; one more per permit.
nonces: public(HashMap[address, uint256])


@external
def permit(
    owner: address,
    spender: address,
    amount: uint256,
    deadline: uint256,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """
    @notice Sets `spender`'s allowance over `owner`'s tokens to `amount`, on
            `owner`'s signature.
    @param owner The 20-byte address that signed the permit.
    @param spender The 20-byte address allowed to spend.
    @param amount The 32-byte allowance.
    @param deadline The 32-byte timestamp after which the permit is void.
    @param v The 1-byte recovery id of the signature.
    @param r The 32-byte r value of the signature.
    @param s The 32-byte s value of the signature.
    """
    if block.timestamp > deadline:
        errors._erc2612_expired_signature(deadline)
    nonce: uint256 = self.nonces[owner]
    # Safe: one increment per accepted signature never reaches 2**256.
    self.nonces[owner] = unsafe_add(nonce, 1)
    struct_hash: bytes32 = keccak256(
        abi_encode(PERMIT_TYPEHASH, owner, spender, amount, nonce, deadline)
    )
    signer: address = ecdsa._recover(eip712._hash_typed_data(struct_hash), v, r, s)
    if signer != owner:
        errors._erc2612_invalid_signer(signer, owner)
    erc20._approve(owner, spender, amount)
