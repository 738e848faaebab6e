# pragma version ~=0.4.3
"""
@title BLS pairing check, as ServiceNodeRewards makes it
@notice Test contract for sesh.bls: verifies e(G1, σ) · e(−PK, H) = 1 through precompile 0x08,
        with the reference's encoding (signature and hash in BLSSignatureParams order, repacked
        imaginary-first for EIP-197), its negation of PK, its gas of gasleft() − 2000, and its
        revert when the precompile call fails. H is hashed off-chain here; the contract-side
        hash to G2 belongs to ServiceNodeRewards.
"""

FIELD_MODULUS: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
PAIRING: constant(address) = 0x0000000000000000000000000000000000000008


@external
@view
def verify(pubkey: uint256[2], hashed: uint256[4], sig: uint256[4]) -> bool:
    """
    @notice Whether `sig` is a signature on the message that hashes to `hashed` under `pubkey`.
    @param pubkey The signer's G1 public key (X, Y).
    @param hashed H(m) in contract order (x.re, x.im, y.re, y.im).
    @param sig The signature in contract order (sigs0, sigs1, sigs2, sigs3).
    """
    neg_y: uint256 = 0
    if pubkey[0] != 0 or pubkey[1] != 0:
        neg_y = FIELD_MODULUS - (pubkey[1] % FIELD_MODULUS)
    data: Bytes[384] = concat(
        convert(1, bytes32), convert(2, bytes32),
        convert(sig[1], bytes32), convert(sig[0], bytes32),
        convert(sig[3], bytes32), convert(sig[2], bytes32),
        convert(pubkey[0], bytes32), convert(neg_y, bytes32),
        convert(hashed[1], bytes32), convert(hashed[0], bytes32),
        convert(hashed[3], bytes32), convert(hashed[2], bytes32),
    )
    success: bool = False
    out: Bytes[32] = b""
    success, out = raw_call(
        PAIRING, data, max_outsize=32, gas=msg.gas - 2000, is_static_call=True,
        revert_on_failure=False,
    )
    assert success, "Invalid Signature"
    return convert(out, uint256) != 0
