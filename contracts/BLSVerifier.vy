# pragma version ~=0.4.3
"""
@title BLS signature check on BN254, as the rewards contract needs it
@custom:contract-name BLSVerifier
@license MIT
@notice Stateless: `verify(pubkey, message, dst, signature)` hashes the
        message to G2 exactly as the reference's BN256G2.hashToG2 does and
        makes the reference's pairing check, e(G1, signature) =
        e(pubkey, H(message)).
@dev Why a contract of its own: the hash to G2 is written inline for gas
     (see lib/bn254.vy) and takes about 16 KB of code, and ServiceNodeRewards
     with every function of the reference would not fit beside it in the
     24,576-byte limit (EIP-170). Calling it costs ServiceNodeRewards a cold
     account access (2,600 gas) and the call's encoding, about 1 % of a
     signature check. It holds no state and needs no trust: anyone may
     call it, and the rewards contract names it in an immutable, so an
     upgrade of the rewards contract is also how a new verifier is adopted.
     Storage: none (no storage variables, no immutables).
"""

from lib import bn254


@external
@view
def verify(pubkey: uint256[2], message: Bytes[148], dst: bytes32, signature: uint256[4]) -> bool:
    """
    @notice Whether `signature` signs `message` under `pubkey`, hashing with
            the 32-byte domain separation tag `dst` (the rewards contract's
            hashToG2Tag).
    @dev Reverts, never answers False, when the pairing precompile refuses
         its input (a point off its curve or outside its subgroup).
    @param pubkey The public key in G1, (X, Y).
    @param message The signed bytes, at most 148 (a proof of possession).
    @param dst The hash-to-field domain separation tag.
    @param signature The signature in G2, BLSSignatureParams order
           (x.re, x.im, y.re, y.im).
    @return bool True if the pairing check holds.
    """
    return bn254._pairing2(pubkey, bn254._hash_to_g2(message, dst), signature)
