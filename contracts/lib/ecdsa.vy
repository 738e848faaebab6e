# pragma version ~=0.4.3
"""
@title secp256k1 signature recovery with OpenZeppelin's checks and errors
@notice Recovers the signer of a digest from (v, r, s), refusing malleable
        signatures (s in the upper half of the curve order, EIP-2) with
        `ECDSAInvalidSignatureS(s)` and signatures that recover to nothing
        (including a v other than 27 or 28) with `ECDSAInvalidSignature()`.
@dev Stateless: no storage.
"""

from lib import errors


# secp256k1n / 2: the largest s accepted (EIP-2).
MAX_S: constant(bytes32) = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0


@internal
@view
def _recover(digest: bytes32, v: uint8, r: bytes32, s: bytes32) -> address:
    """
    @dev The address that signed `digest`; reverts instead of returning the
         zero address.
    @param digest The 32-byte signed hash.
    @param v The 1-byte recovery id, 27 or 28.
    @param r The 32-byte r value.
    @param s The 32-byte s value, at most MAX_S.
    @return address The 20-byte signer.
    """
    if convert(s, uint256) > convert(MAX_S, uint256):
        errors._ecdsa_invalid_signature_s(s)
    signer: address = ecrecover(digest, v, r, s)
    if signer == empty(address):
        errors._ecdsa_invalid_signature()
    return signer
