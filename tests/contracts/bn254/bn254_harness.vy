# pragma version ~=0.4.3
"""
@title Test harness exposing the bn254 module
@notice Only for tests: each external function calls one internal of contracts/lib/bn254.vy.
"""

from lib import bn254


@external
@view
def hash_to_g2(message: Bytes[148], dst: bytes32) -> uint256[4]:
    return bn254._hash_to_g2(message, dst)


@external
@view
def map_to_twist(message: Bytes[148], dst: bytes32) -> (uint256[4], uint256, bool):
    return bn254._map_to_twist(message, dst)


@external
@view
def verify(pubkey: uint256[2], message: Bytes[148], dst: bytes32, signature: uint256[4]) -> bool:
    return bn254._pairing2(pubkey, bn254._hash_to_g2(message, dst), signature)


@external
def verify_tx(pubkey: uint256[2], message: Bytes[148], dst: bytes32, signature: uint256[4]) -> bool:
    """
    @notice A state-changing twin of `verify`, so a transaction receipt gives its gas.
    """
    return bn254._pairing2(pubkey, bn254._hash_to_g2(message, dst), signature)


@external
def hash_tx(message: Bytes[148], dst: bytes32) -> uint256[4]:
    return bn254._hash_to_g2(message, dst)


@external
@view
def expand(message: Bytes[148], counter: uint256, dst: bytes32) -> (uint256, uint256, bool):
    return bn254._expand(message, counter, dst)


@external
@view
def fp2_sqrt(c: uint256, d: uint256) -> (bool, uint256, uint256):
    return bn254._fp2_sqrt_herumi(c, d)


@external
def map_tx(message: Bytes[148], dst: bytes32) -> uint256[4]:
    pt: uint256[4] = empty(uint256[4])
    counter: uint256 = 0
    negated: bool = False
    pt, counter, negated = bn254._map_to_twist(message, dst)
    return pt


@external
def clear_tx(pt: uint256[4]) -> uint256[4]:
    return bn254._clear_cofactor(pt)
