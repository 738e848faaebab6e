# pragma version ~=0.4.3
"""
@title BN254 (alt_bn128) BLS verification, as ServiceNodeRewards does it
@custom:contract-name bn254
@license MIT
@notice Stateless module: the contract's hash to G2 (try-and-increment with the herumi square
        root and the Fuentes-Castañeda-Knapp-Rodríguez-Henríquez cofactor clearing), G1
        arithmetic through the 0x06 precompile, and the pairing check through 0x08.
        Every result is bit-for-bit the reference's; see reference/contracts.md §1.
@dev Points in G2 travel in the contract's BLSSignatureParams order (x.re, x.im, y.re, y.im);
     the EIP-197 order (imaginary part first) appears only where the pairing input is built.

     Gas. The reference spends about 0.85M gas per signature check on the cofactor clearing
     (a 63-bit scalar multiplication on the twist through many small internal calls, in
     projective coordinates with an inversion-free but call-heavy Fp2 library). Here the
     multiplication by the BN parameter z is one loop over z's bits whose doubling and mixed
     addition are written inline in Jacobian coordinates: an internal call per Fp2 operation
     would cost more than the operation itself (MULMOD is 8 gas). That is the one place this
     module trades small functions for speed, on purpose.

     Arithmetic. Field elements are kept in [0, p). p < 2^254, so a sum of two reduced values,
     or p + p, never overflows 256 bits: `unsafe_add` is used only for such sums, and every
     subtraction is written as an addition of (p - b) or (2p - b - c) reduced by ADDMOD/MULMOD.
"""

# -- constants ----------------------------------------------------------------------------------

# @dev The base field modulus.
P: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
P2: constant(uint256) = 2 * P
# @dev 2^256 mod p, to reduce the 48-byte halves of the expanded message without modexp.
TWO_256_MOD_P: constant(uint256) = 6350874878119819312338956282401532409788428879151445726012394534686998597021
# @dev (p + 1) / 4: v^((p+1)/4) is the square root of v whenever v is a square (p = 3 mod 4).
SQRT_EXP: constant(uint256) = 5472060717959818805561601436314318772174077789324455915672259473661306552146
# @dev (3p - 5) / 4: v^((3p-5)/4) = 1 / sqrt(v) for a non-zero square v; one modexp gives both the
#      root (v times it) and the inverse the root's companion coordinate needs.
INV_SQRT_EXP: constant(uint256) = 16416182153879456416684804308942956316522233367973367747016778420983919656436
# @dev (p + 1) / 2 = 1/2 mod p.
HALF: constant(uint256) = 10944121435919637611123202872628637544348155578648911831344518947322613104292
# @dev The BN parameter z (the reference's CURVE_ORDER_FACTOR) in non-adjacent form: z = POS - NEG,
#      digits +1 at POS's bits and -1 at NEG's, no two adjacent, the top digit +1 at bit 62.
BN_Z_NAF_POS: constant(uint256) = 4974810747047053825
BN_Z_NAF_NEG: constant(uint256) = 9149379854204944
# @dev The twist's b' = 3 / (9 + i).
B2_RE: constant(uint256) = 19485874751759354771024239261021720505790618469301721065564631296452457478373
B2_IM: constant(uint256) = 266929791119991161246907387137283842545076965332900288569378510910307636690
# @dev psi multiplies conj(x) by xi^((p-1)/3) and conj(y) by xi^((p-1)/2), xi = 9 + i.
PSI_X_RE: constant(uint256) = 21575463638280843010398324269430826099269044274347216827212613867836435027261
PSI_X_IM: constant(uint256) = 10307601595873709700152284273816112264069230130616436755625194854815875713954
PSI_Y_RE: constant(uint256) = 2821565182194536844548159561693502659359617185244120367078079554186484126554
PSI_Y_IM: constant(uint256) = 3505843767911556378687030309984248845540243509899259641013678093033130930403

# @dev The longest message signed in the scheme (proof of possession, 148 bytes) plus the
#      counter byte; the bound sizes memory, so it is the real maximum and no more.
MAX_MESSAGE: constant(uint256) = 148
MASK_128: constant(uint256) = 340282366920938463463374607431768211455

# @dev The G1 generator, and the modexp input's length words (32-byte base, exponent, modulus).
G1_X: constant(uint256) = 1
G1_Y: constant(uint256) = 2
WORD: constant(uint256) = 32

MODEXP: constant(address) = 0x0000000000000000000000000000000000000005
PAIRING: constant(address) = 0x0000000000000000000000000000000000000008


# -- field helpers (called a handful of times per hash, not in the hot loop) ---------------------


@internal
@view
def _expmod(base: uint256, exponent: uint256) -> uint256:
    """
    @dev base^exponent mod p through the modexp precompile (0x05).
    """
    out: Bytes[32] = raw_call(
        MODEXP,
        abi_encode(WORD, WORD, WORD, base, exponent, P),
        max_outsize=32,
        is_static_call=True,
    )
    return extract32(out, 0, output_type=uint256)


@internal
@view
def _fp2_sqrt_herumi(c: uint256, d: uint256) -> (bool, uint256, uint256):
    """
    @dev The square root of c + d·i exactly as the reference picks it (a port of mcl's
         Fp2::squareRoot): a = sqrt((c + t)/2), or sqrt((c - t)/2) when the first is not a
         square, with t = sqrt(c² + d²); b = d / (2a). Returns (False, 0, 0) where the reference
         finds no root with two non-zero components (including every d = 0), so the caller
         moves to the next counter exactly when the reference does.
    """
    if d == 0:
        return False, 0, 0
    norm: uint256 = uint256_addmod(uint256_mulmod(c, c, P), uint256_mulmod(d, d, P), P)
    t: uint256 = self._expmod(norm, SQRT_EXP)
    if uint256_mulmod(t, t, P) != norm:
        return False, 0, 0
    # cand = (c + t) / 2
    cand: uint256 = uint256_mulmod(uint256_addmod(c, t, P), HALF, P)
    inv_a: uint256 = self._expmod(cand, INV_SQRT_EXP)
    a: uint256 = uint256_mulmod(cand, inv_a, P)
    if uint256_mulmod(a, a, P) != cand:
        # cand = (c - t) / 2
        cand = uint256_mulmod(uint256_addmod(c, unsafe_sub(P, t), P), HALF, P)
        inv_a = self._expmod(cand, INV_SQRT_EXP)
        a = uint256_mulmod(cand, inv_a, P)
        if uint256_mulmod(a, a, P) != cand:
            return False, 0, 0
    if a == 0:
        return False, 0, 0
    # b = d / (2a) = d · inv_a · (1/2)
    b: uint256 = uint256_mulmod(uint256_mulmod(d, inv_a, P), HALF, P)
    if b == 0:
        return False, 0, 0
    return True, a, b


# -- the hash to G2 ---------------------------------------------------------------------------


@internal
@pure
def _expand(message: Bytes[MAX_MESSAGE], counter: uint256, dst: bytes32) -> (uint256, uint256, bool):
    """
    @dev RFC 9380 expand_message_xmd with keccak256, 128 output bytes, over message ‖ counter,
         reduced to the two field elements and the sign bit the reference takes from it:
         u0 = bytes[0:48] mod p, u1 = bytes[48:96] mod p, negate = bit 0 of byte 127.
    """
    z_pad: Bytes[136] = concat(empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes8))
    b0: uint256 = convert(
        keccak256(
            concat(z_pad, message, slice(convert(counter, bytes32), 31, 1), x"008000", dst, x"20")
        ),
        uint256,
    )
    b1: uint256 = convert(keccak256(concat(convert(b0, bytes32), x"01", dst, x"20")), uint256)
    b2: uint256 = convert(keccak256(concat(convert(b0 ^ b1, bytes32), x"02", dst, x"20")), uint256)
    b3: uint256 = convert(keccak256(concat(convert(b0 ^ b2, bytes32), x"03", dst, x"20")), uint256)
    b4: uint256 = convert(keccak256(concat(convert(b0 ^ b3, bytes32), x"04", dst, x"20")), uint256)
    # bytes[0:48] = b1 ‖ b2[0:16]  -> b1 · 2^128 + (b2 >> 128)
    u0: uint256 = uint256_addmod(uint256_mulmod(b1, 2**128, P), b2 >> 128, P)
    # bytes[48:96] = b2[16:32] ‖ b3 -> (b2 mod 2^128) · 2^256 + b3
    u1: uint256 = uint256_addmod(uint256_mulmod(b2 & MASK_128, TWO_256_MOD_P, P), b3, P)
    return u0, u1, (b4 & 1) == 1


@internal
@view
def _map_to_twist(message: Bytes[MAX_MESSAGE], dst: bytes32) -> (uint256[4], uint256, bool):
    """
    @dev The try-and-increment search: the first counter byte c for which x = u0 + u1·i gives
         x³ + b' a herumi root with two non-zero components. Returns the point (y negated when
         the sign bit says so), the counter, and the sign. Reverts after 256 failures (2^-256).
    """
    for counter: uint256 in range(256):
        x0: uint256 = 0
        x1: uint256 = 0
        negate: bool = False
        x0, x1, negate = self._expand(message, counter, dst)
        # x² then x³ + b'
        s0: uint256 = uint256_mulmod(unsafe_add(x0, x1), unsafe_add(x0, unsafe_sub(P, x1)), P)
        s1: uint256 = uint256_mulmod(unsafe_add(x0, x0), x1, P)
        r0: uint256 = uint256_addmod(
            uint256_addmod(uint256_mulmod(s0, x0, P), unsafe_sub(P, uint256_mulmod(s1, x1, P)), P),
            B2_RE,
            P,
        )
        r1: uint256 = uint256_addmod(
            uint256_addmod(uint256_mulmod(s0, x1, P), uint256_mulmod(s1, x0, P), P), B2_IM, P
        )
        found: bool = False
        y0: uint256 = 0
        y1: uint256 = 0
        found, y0, y1 = self._fp2_sqrt_herumi(r0, r1)
        if found:
            if negate:
                y0 = unsafe_sub(P, y0)
                y1 = unsafe_sub(P, y1)
            return [x0, x1, y0, y1], counter, negate
    raise "bn254: no point for this message"


@internal
@view
def _hash_to_g2(message: Bytes[MAX_MESSAGE], dst: bytes32) -> uint256[4]:
    """
    @notice H(message) under the 32-byte DST (the rewards contract's hashToG2Tag), in
            BLSSignatureParams order.
    """
    pt: uint256[4] = empty(uint256[4])
    counter: uint256 = 0
    negated: bool = False
    pt, counter, negated = self._map_to_twist(message, dst)
    return self._clear_cofactor(pt)


@internal
@view
def _clear_cofactor(pt: uint256[4]) -> uint256[4]:
    """
    @dev Q = [z]P + psi([3z]P) + psi²([z]P) + psi³(P) for an affine twist point P, returned
         affine. Degenerate intermediate points (a multiple of P equal to ±P, or infinity)
         would need a point of order below 2^64 on the twist, which a hash does not produce.
    """
    px0: uint256 = pt[0]
    px1: uint256 = pt[1]
    py0: uint256 = pt[2]
    py1: uint256 = pt[3]

    # A = [z]P, Jacobian (X, Y, Z) over Fp2, by the non-adjacent form of z (24 additions of ±P
    # instead of 27 of P), starting from P itself (the top digit, position 62).
    X0: uint256 = px0
    X1: uint256 = px1
    Y0: uint256 = py0
    Y1: uint256 = py1
    Z0: uint256 = 1
    Z1: uint256 = 0
    # The point added at a digit: P for +1, -P for -1.
    qy0: uint256 = 0
    qy1: uint256 = 0
    # Scratch Fp2 values, named after the formulas' quantities where they are used.
    a0: uint256 = 0
    a1: uint256 = 0
    b0: uint256 = 0
    b1: uint256 = 0
    c0: uint256 = 0
    c1: uint256 = 0
    d0: uint256 = 0
    d1: uint256 = 0
    e0: uint256 = 0
    e1: uint256 = 0
    # The NAF digit position, walked down from bit 62 (P itself) to bit 0.
    bit: uint256 = 1 << 62
    for i: uint256 in range(62):
        # ---- doubling on a = 0: XX = X², YY = Y², C = YY², S = 4·X·YY, M = 3·XX,
        #      X3 = M² - 2S, Y3 = M(S - X3) - 8C, Z3 = 2·Y·Z (4S + 3M in Fp2), inline.
        #      Bounds: X, Y, Z arrive reduced or below 2p, so every sum below is under 5p < 2^256 ----
        # a = YY
        a0 = uint256_mulmod(unsafe_add(Y0, Y1), unsafe_add(Y0, unsafe_sub(P2, Y1)), P)
        a1 = uint256_mulmod(unsafe_add(Y0, Y0), Y1, P)
        # b = S = 4·X·YY
        b0 = uint256_mulmod(unsafe_add(uint256_mulmod(X0, a0, P), unsafe_sub(P, uint256_mulmod(X1, a1, P))), 4, P)
        b1 = uint256_mulmod(unsafe_add(uint256_mulmod(X0, a1, P), uint256_mulmod(X1, a0, P)), 4, P)
        # c = 8·C = 8·YY²
        c0 = uint256_mulmod(uint256_mulmod(unsafe_add(a0, a1), unsafe_add(a0, unsafe_sub(P, a1)), P), 8, P)
        c1 = uint256_mulmod(uint256_mulmod(a0, a1, P), 16, P)
        # d = M = 3·X²
        d0 = uint256_mulmod(uint256_mulmod(unsafe_add(X0, X1), unsafe_add(X0, unsafe_sub(P2, X1)), P), 3, P)
        d1 = uint256_mulmod(uint256_mulmod(X0, X1, P), 6, P)
        # Z3 = 2·Y·Z from the old Y: (2Z) < 4p, the result below 2p, left unreduced
        e0 = unsafe_add(uint256_mulmod(Y0, unsafe_add(Z0, Z0), P), unsafe_sub(P, uint256_mulmod(Y1, unsafe_add(Z1, Z1), P)))
        Z1 = unsafe_add(uint256_mulmod(Y0, unsafe_add(Z1, Z1), P), uint256_mulmod(Y1, unsafe_add(Z0, Z0), P))
        Z0 = e0
        # X3 = M² - 2S
        X0 = uint256_addmod(
            uint256_mulmod(unsafe_add(d0, d1), unsafe_add(d0, unsafe_sub(P, d1)), P),
            unsafe_sub(P2, unsafe_add(b0, b0)),
            P,
        )
        X1 = uint256_addmod(uint256_mulmod(unsafe_add(d0, d0), d1, P), unsafe_sub(P2, unsafe_add(b1, b1)), P)
        # Y3 = M·(S - X3) - 8C, with S - X3 left unreduced (< 2p) as MULMOD's input
        b0 = unsafe_add(b0, unsafe_sub(P, X0))
        b1 = unsafe_add(b1, unsafe_sub(P, X1))
        Y0 = uint256_addmod(uint256_mulmod(d0, b0, P), unsafe_sub(P2, unsafe_add(uint256_mulmod(d1, b1, P), c0)), P)
        Y1 = uint256_addmod(uint256_mulmod(d0, b1, P), unsafe_add(uint256_mulmod(d1, b0, P), unsafe_sub(P, c1)), P)

        bit = bit >> 1
        if BN_Z_NAF_POS & bit != 0:
            qy0 = py0
            qy1 = py1
        elif BN_Z_NAF_NEG & bit != 0:
            qy0 = unsafe_sub(P, py0) % P
            qy1 = unsafe_sub(P, py1) % P
        else:
            continue
        # ---- mixed addition (X, Y, Z) + (px, qy, 1), "madd-2007-bl" (7M + 4S), inline:
        #      ZZ = Z², H = px·ZZ - X, R = 2(qy·Z·ZZ - Y), HH = H², I = 4HH, J = H·I, V = X·I,
        #      X3 = R² - J - 2V, Y3 = R(V - X3) - 2·Y·J, Z3 = 2·Z·H ----
        # a = ZZ (Z may be unreduced, below 2p)
        a0 = uint256_mulmod(unsafe_add(Z0, Z1), unsafe_add(Z0, unsafe_sub(P2, Z1)), P)
        a1 = uint256_mulmod(unsafe_add(Z0, Z0), Z1, P)
        # b = H = px·ZZ - X
        b0 = uint256_addmod(
            uint256_mulmod(px0, a0, P),
            unsafe_sub(unsafe_add(P, P), unsafe_add(uint256_mulmod(px1, a1, P), X0)),
            P,
        )
        b1 = uint256_addmod(
            uint256_addmod(uint256_mulmod(px0, a1, P), uint256_mulmod(px1, a0, P), P), unsafe_sub(P, X1), P
        )
        # a = Z·ZZ (Z³)
        e0 = uint256_addmod(uint256_mulmod(Z0, a0, P), unsafe_sub(P, uint256_mulmod(Z1, a1, P)), P)
        a1 = uint256_addmod(uint256_mulmod(Z0, a1, P), uint256_mulmod(Z1, a0, P), P)
        a0 = e0
        # c = R = 2(qy·Z³ - Y)
        c0 = uint256_mulmod(
            uint256_addmod(
                uint256_mulmod(qy0, a0, P),
                unsafe_sub(unsafe_add(P, P), unsafe_add(uint256_mulmod(qy1, a1, P), Y0)),
                P,
            ),
            2,
            P,
        )
        c1 = uint256_mulmod(
            uint256_addmod(
                uint256_addmod(uint256_mulmod(qy0, a1, P), uint256_mulmod(qy1, a0, P), P), unsafe_sub(P, Y1), P
            ),
            2,
            P,
        )
        # Z3 = 2·Z·H
        e0 = uint256_mulmod(uint256_addmod(uint256_mulmod(Z0, b0, P), unsafe_sub(P, uint256_mulmod(Z1, b1, P)), P), 2, P)
        Z1 = uint256_mulmod(uint256_addmod(uint256_mulmod(Z0, b1, P), uint256_mulmod(Z1, b0, P), P), 2, P)
        Z0 = e0
        # a = I = 4·H²
        a0 = uint256_mulmod(uint256_mulmod(unsafe_add(b0, b1), unsafe_add(b0, unsafe_sub(P, b1)), P), 4, P)
        a1 = uint256_mulmod(uint256_mulmod(unsafe_add(b0, b0), b1, P), 4, P)
        # d = J = H·I
        d0 = uint256_addmod(uint256_mulmod(b0, a0, P), unsafe_sub(P, uint256_mulmod(b1, a1, P)), P)
        d1 = uint256_addmod(uint256_mulmod(b0, a1, P), uint256_mulmod(b1, a0, P), P)
        # b = V = X·I
        b0 = uint256_addmod(uint256_mulmod(X0, a0, P), unsafe_sub(P, uint256_mulmod(X1, a1, P)), P)
        b1 = uint256_addmod(uint256_mulmod(X0, a1, P), uint256_mulmod(X1, a0, P), P)
        # e = 2·Y·J, from the old Y
        e0 = uint256_mulmod(uint256_addmod(uint256_mulmod(Y0, d0, P), unsafe_sub(P, uint256_mulmod(Y1, d1, P)), P), 2, P)
        e1 = uint256_mulmod(uint256_addmod(uint256_mulmod(Y0, d1, P), uint256_mulmod(Y1, d0, P), P), 2, P)
        # X3 = R² - J - 2V  (J + 2V < 3p, so 3p minus it is positive)
        X0 = uint256_addmod(
            uint256_mulmod(unsafe_add(c0, c1), unsafe_add(c0, unsafe_sub(P, c1)), P),
            unsafe_sub(unsafe_add(unsafe_add(P, P), P), unsafe_add(d0, unsafe_add(b0, b0))),
            P,
        )
        X1 = uint256_addmod(
            uint256_mulmod(unsafe_add(c0, c0), c1, P),
            unsafe_sub(unsafe_add(unsafe_add(P, P), P), unsafe_add(d1, unsafe_add(b1, b1))),
            P,
        )
        # Y3 = R·(V - X3) - 2·Y·J, with V - X3 unreduced (< 2p)
        b0 = unsafe_add(b0, unsafe_sub(P, X0))
        b1 = unsafe_add(b1, unsafe_sub(P, X1))
        Y0 = uint256_addmod(
            uint256_mulmod(c0, b0, P),
            unsafe_sub(unsafe_add(P, P), unsafe_add(uint256_mulmod(c1, b1, P), e0)),
            P,
        )
        Y1 = uint256_addmod(
            uint256_addmod(uint256_mulmod(c0, b1, P), uint256_mulmod(c1, b0, P), P), unsafe_sub(P, e1), P
        )

    # A = [z]P is (X, Y, Z), with Z reduced for the general formulas below. B = [3z]P = 2A + A.
    A: uint256[6] = [X0, X1, Y0, Y1, Z0 % P, Z1 % P]
    B: uint256[6] = self._jadd(self._jdouble(A), A)
    # psi³(P): P is affine, so psi keeps Z = 1.
    Q: uint256[6] = [px0, px1, py0, py1, 1, 0]
    Q = self._psi(self._psi(self._psi(Q)))
    S: uint256[6] = self._jadd(A, self._psi(B))
    S = self._jadd(S, self._psi(self._psi(A)))
    S = self._jadd(S, Q)
    return self._to_affine(S)


@internal
@pure
def _fp2_mul(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    """
    @dev (a0 + a1 i)(b0 + b1 i), Karatsuba: three MULMODs.
    """
    t0: uint256 = uint256_mulmod(a0, b0, P)
    t1: uint256 = uint256_mulmod(a1, b1, P)
    return (
        uint256_addmod(t0, unsafe_sub(P, t1), P),
        uint256_addmod(
            uint256_mulmod(unsafe_add(a0, a1), unsafe_add(b0, b1), P),
            unsafe_sub(unsafe_add(P, P), unsafe_add(t0, t1)),
            P,
        ),
    )


@internal
@pure
def _fp2_sqr(a0: uint256, a1: uint256) -> (uint256, uint256):
    return (
        uint256_mulmod(unsafe_add(a0, a1), unsafe_add(a0, unsafe_sub(P, a1)), P),
        uint256_mulmod(unsafe_add(a0, a0), a1, P),
    )


@internal
@pure
def _fp2_sub(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    return uint256_addmod(a0, unsafe_sub(P, b0), P), uint256_addmod(a1, unsafe_sub(P, b1), P)


@internal
@pure
def _psi(p: uint256[6]) -> uint256[6]:
    """
    @dev psi on Jacobian coordinates: conj is a field automorphism, so
         (conj(X)·psi_x, conj(Y)·psi_y, conj(Z)) represents (conj(x)·psi_x, conj(y)·psi_y).
    """
    x0: uint256 = 0
    x1: uint256 = 0
    y0: uint256 = 0
    y1: uint256 = 0
    x0, x1 = self._fp2_mul(p[0], unsafe_sub(P, p[1]) % P, PSI_X_RE, PSI_X_IM)
    y0, y1 = self._fp2_mul(p[2], unsafe_sub(P, p[3]) % P, PSI_Y_RE, PSI_Y_IM)
    return [x0, x1, y0, y1, p[4], unsafe_sub(P, p[5]) % P]


@internal
@pure
def _jdouble(p: uint256[6]) -> uint256[6]:
    """
    @dev 2P in Jacobian coordinates on the twist (a = 0), "dbl-2009-l".
    """
    a0: uint256 = 0
    a1: uint256 = 0
    b0: uint256 = 0
    b1: uint256 = 0
    c0: uint256 = 0
    c1: uint256 = 0
    d0: uint256 = 0
    d1: uint256 = 0
    e0: uint256 = 0
    e1: uint256 = 0
    f0: uint256 = 0
    f1: uint256 = 0
    a0, a1 = self._fp2_sqr(p[0], p[1])
    b0, b1 = self._fp2_sqr(p[2], p[3])
    c0, c1 = self._fp2_sqr(b0, b1)
    d0, d1 = self._fp2_sqr(uint256_addmod(p[0], b0, P), uint256_addmod(p[1], b1, P))
    d0, d1 = self._fp2_sub(d0, d1, uint256_addmod(a0, c0, P), uint256_addmod(a1, c1, P))
    d0 = uint256_addmod(d0, d0, P)
    d1 = uint256_addmod(d1, d1, P)
    e0 = uint256_mulmod(a0, 3, P)
    e1 = uint256_mulmod(a1, 3, P)
    f0, f1 = self._fp2_sqr(e0, e1)
    x0: uint256 = 0
    x1: uint256 = 0
    x0, x1 = self._fp2_sub(f0, f1, uint256_addmod(d0, d0, P), uint256_addmod(d1, d1, P))
    y0: uint256 = 0
    y1: uint256 = 0
    t0: uint256 = 0
    t1: uint256 = 0
    t0, t1 = self._fp2_sub(d0, d1, x0, x1)
    y0, y1 = self._fp2_mul(e0, e1, t0, t1)
    y0, y1 = self._fp2_sub(y0, y1, uint256_mulmod(c0, 8, P), uint256_mulmod(c1, 8, P))
    z0: uint256 = 0
    z1: uint256 = 0
    z0, z1 = self._fp2_mul(p[2], p[3], p[4], p[5])
    return [x0, x1, y0, y1, uint256_addmod(z0, z0, P), uint256_addmod(z1, z1, P)]


@internal
@pure
def _jadd(p: uint256[6], q: uint256[6]) -> uint256[6]:
    """
    @dev P + Q in Jacobian coordinates, "add-2007-bl" (11M + 5S), for P ≠ ±Q and neither at
         infinity (see _clear_cofactor for why that always holds here).
    """
    z1z1_0: uint256 = 0
    z1z1_1: uint256 = 0
    z2z2_0: uint256 = 0
    z2z2_1: uint256 = 0
    z1z1_0, z1z1_1 = self._fp2_sqr(p[4], p[5])
    z2z2_0, z2z2_1 = self._fp2_sqr(q[4], q[5])
    u1_0: uint256 = 0
    u1_1: uint256 = 0
    u2_0: uint256 = 0
    u2_1: uint256 = 0
    u1_0, u1_1 = self._fp2_mul(p[0], p[1], z2z2_0, z2z2_1)
    u2_0, u2_1 = self._fp2_mul(q[0], q[1], z1z1_0, z1z1_1)
    s1_0: uint256 = 0
    s1_1: uint256 = 0
    s2_0: uint256 = 0
    s2_1: uint256 = 0
    s1_0, s1_1 = self._fp2_mul(q[4], q[5], z2z2_0, z2z2_1)
    s1_0, s1_1 = self._fp2_mul(p[2], p[3], s1_0, s1_1)
    s2_0, s2_1 = self._fp2_mul(p[4], p[5], z1z1_0, z1z1_1)
    s2_0, s2_1 = self._fp2_mul(q[2], q[3], s2_0, s2_1)
    h0: uint256 = 0
    h1: uint256 = 0
    h0, h1 = self._fp2_sub(u2_0, u2_1, u1_0, u1_1)
    i0: uint256 = 0
    i1: uint256 = 0
    i0, i1 = self._fp2_sqr(uint256_addmod(h0, h0, P), uint256_addmod(h1, h1, P))
    j0: uint256 = 0
    j1: uint256 = 0
    j0, j1 = self._fp2_mul(h0, h1, i0, i1)
    r0: uint256 = 0
    r1: uint256 = 0
    r0, r1 = self._fp2_sub(s2_0, s2_1, s1_0, s1_1)
    r0 = uint256_addmod(r0, r0, P)
    r1 = uint256_addmod(r1, r1, P)
    v0: uint256 = 0
    v1: uint256 = 0
    v0, v1 = self._fp2_mul(u1_0, u1_1, i0, i1)
    x0: uint256 = 0
    x1: uint256 = 0
    x0, x1 = self._fp2_sqr(r0, r1)
    x0, x1 = self._fp2_sub(x0, x1, uint256_addmod(j0, uint256_addmod(v0, v0, P), P), uint256_addmod(j1, uint256_addmod(v1, v1, P), P))
    y0: uint256 = 0
    y1: uint256 = 0
    t0: uint256 = 0
    t1: uint256 = 0
    t0, t1 = self._fp2_sub(v0, v1, x0, x1)
    y0, y1 = self._fp2_mul(r0, r1, t0, t1)
    t0, t1 = self._fp2_mul(s1_0, s1_1, j0, j1)
    y0, y1 = self._fp2_sub(y0, y1, uint256_addmod(t0, t0, P), uint256_addmod(t1, t1, P))
    z0: uint256 = 0
    z1: uint256 = 0
    z0, z1 = self._fp2_sqr(uint256_addmod(p[4], q[4], P), uint256_addmod(p[5], q[5], P))
    z0, z1 = self._fp2_sub(z0, z1, uint256_addmod(z1z1_0, z2z2_0, P), uint256_addmod(z1z1_1, z2z2_1, P))
    z0, z1 = self._fp2_mul(z0, z1, h0, h1)
    return [x0, x1, y0, y1, z0, z1]


@internal
@view
def _to_affine(p: uint256[6]) -> uint256[4]:
    """
    @dev (X / Z², Y / Z³); 1/Z in Fp2 = conj(Z) / (Z0² + Z1²), one modexp.
    """
    inv_norm: uint256 = self._expmod(
        uint256_addmod(uint256_mulmod(p[4], p[4], P), uint256_mulmod(p[5], p[5], P), P), P - 2
    )
    zi0: uint256 = uint256_mulmod(p[4], inv_norm, P)
    zi1: uint256 = uint256_mulmod(unsafe_sub(P, p[5]) % P, inv_norm, P)
    zi2_0: uint256 = 0
    zi2_1: uint256 = 0
    zi2_0, zi2_1 = self._fp2_sqr(zi0, zi1)
    zi3_0: uint256 = 0
    zi3_1: uint256 = 0
    zi3_0, zi3_1 = self._fp2_mul(zi2_0, zi2_1, zi0, zi1)
    x0: uint256 = 0
    x1: uint256 = 0
    y0: uint256 = 0
    y1: uint256 = 0
    x0, x1 = self._fp2_mul(p[0], p[1], zi2_0, zi2_1)
    y0, y1 = self._fp2_mul(p[2], p[3], zi3_0, zi3_1)
    return [x0, x1, y0, y1]


# -- G1 and the pairing -----------------------------------------------------------------------


@internal
@view
def _pairing2(pubkey: uint256[2], hashed: uint256[4], signature: uint256[4]) -> bool:
    """
    @notice Whether e(G1, signature) · e(-pubkey, hashed) = 1: the reference's check, through
            precompile 0x08 with gasleft() - 2000, reverting if the precompile call fails (a
            point off its curve or outside G2), so a malformed input can never pass as False.
    @param signature In BLSSignatureParams order; repacked imaginary-first for EIP-197.
    """
    neg_y: uint256 = 0
    if pubkey[0] != 0 or pubkey[1] != 0:
        neg_y = P - (pubkey[1] % P)
    data: Bytes[384] = abi_encode(
        G1_X, G1_Y,
        signature[1], signature[0], signature[3], signature[2],
        pubkey[0], neg_y,
        hashed[1], hashed[0], hashed[3], hashed[2],
    )
    success: bool = False
    out: Bytes[32] = b""
    success, out = raw_call(
        PAIRING, data, max_outsize=32, gas=msg.gas - 2000, is_static_call=True,
        revert_on_failure=False,
    )
    assert success, "bn254: pairing input rejected"
    return extract32(out, 0, output_type=uint256) == 1
