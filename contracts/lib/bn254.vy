# pragma version ~=0.4.3
"""
@title BN254 (alt_bn128) BLS verification, as ServiceNodeRewards does it
@custom:contract-name bn254
@license MIT
@notice Stateless module: the contract's hash to G2 (try-and-increment with the herumi square
        root and the Fuentes-Castañeda-Knapp-Rodríguez-Henríquez cofactor clearing) and the
        pairing check through precompile 0x08, which reverts "Invalid Signature", as the
        reference does, when the precompile refuses its input.
        Every result is bit-for-bit the reference's; see reference/contracts.md §1.
@dev Points in G2 travel in the contract's BLSSignatureParams order (x.re, x.im, y.re, y.im);
     the EIP-197 order (imaginary part first) appears only where the pairing input is built.

     Gas. The reference spends about 0.85M gas per signature check on the cofactor clearing
     (a 63-bit scalar multiplication on the twist through many small internal calls, in
     projective coordinates with an inversion-free but call-heavy Fp2 library). Here it is one
     function, _clear_cofactor, about 130k gas, whose doubling and additions are written out
     inline, statement by statement, in Jacobian coordinates. Vyper's code generator keeps every
     local in memory and wraps every MULMOD in stack shuffling, so one costs about 27 gas and
     each read of a local 6 more; an internal call per Fp2 operation would cost several times
     the operation.
     So the formulas there are unrolled by hand and shaped for that price list: as few MULMODs
     as the formulas allow (a²-b² as (a+b)(a-b)), sums and differences folded into MULMOD
     operands rather than reduced on their own, each intermediate value stored once. That is
     the one place this module trades small functions for speed, on purpose.

     Arithmetic. p < 2^254, so up to five values below p sum without overflowing 256 bits, and
     MULMOD reduces any 256-bit operand. Field elements are therefore not always reduced: each
     value has a bound, a small multiple of p, stated where it matters; `unsafe_add` adds only
     values whose bounds sum below 2^256, a subtraction a - b is written a + (k·p - b) with k·p
     at least b's bound, and `% P` or ADDMOD reduces where a bound would grow too far. Results
     leave the module reduced.

     Storage: none; the module is stateless (constants and internal functions only).
"""

# -- constants ----------------------------------------------------------------------------------

# @dev The base field modulus.
P: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
P2: constant(uint256) = 2 * P
P3: constant(uint256) = 3 * P
P4: constant(uint256) = 4 * P
# @dev 2^256 mod p, to reduce the 48-byte halves of the expanded message without modexp.
TWO_256_MOD_P: constant(uint256) = 6350874878119819312338956282401532409788428879151445726012394534686998597021
# @dev (p + 1) / 4: v^((p+1)/4) is the square root of v whenever v is a square (p = 3 mod 4).
SQRT_EXP: constant(uint256) = 5472060717959818805561601436314318772174077789324455915672259473661306552146
# @dev (3p - 5) / 4: v^((3p-5)/4) = 1 / sqrt(v) for a non-zero square v; one modexp gives both the
#      root (v times it) and the inverse the root's companion coordinate needs.
INV_SQRT_EXP: constant(uint256) = 16416182153879456416684804308942956316522233367973367747016778420983919656436
# @dev (p + 1) / 2 = 1/2 mod p.
HALF: constant(uint256) = 10944121435919637611123202872628637544348155578648911831344518947322613104292
# @dev 3/2 mod p.
THREE_HALVES: constant(uint256) = uint256_mulmod(3, HALF, P)
# @dev The twist's b' = 3 / (9 + i).
B2_RE: constant(uint256) = 19485874751759354771024239261021720505790618469301721065564631296452457478373
B2_IM: constant(uint256) = 266929791119991161246907387137283842545076965332900288569378510910307636690
# @dev psi multiplies conj(x) by xi^((p-1)/3) and conj(y) by xi^((p-1)/2), xi = 9 + i.
PSI_X_RE: constant(uint256) = 21575463638280843010398324269430826099269044274347216827212613867836435027261
PSI_X_IM: constant(uint256) = 10307601595873709700152284273816112264069230130616436755625194854815875713954
PSI_Y_RE: constant(uint256) = 2821565182194536844548159561693502659359617185244120367078079554186484126554
PSI_Y_IM: constant(uint256) = 3505843767911556378687030309984248845540243509899259641013678093033130930403
# @dev w = |psi_x|² = psi_x·conj(psi_x), a cube root of 1 in Fp; |psi_y|² = -1. So psi² is
#      (x, y) -> (w·x, -y), and psi³ is psi with psi_x·w and -psi_y.
OMEGA: constant(uint256) = uint256_addmod(
    uint256_mulmod(PSI_X_RE, PSI_X_RE, P), uint256_mulmod(PSI_X_IM, PSI_X_IM, P), P
)
OMEGA_M1: constant(uint256) = OMEGA - 1
# @dev 4b' and -8b', for P + psi²(P) = (x³ + 4b', -y·(x³ - 8b'), (w - 1)·x) (see _clear_cofactor).
B2_RE_4: constant(uint256) = uint256_mulmod(B2_RE, 4, P)
B2_IM_4: constant(uint256) = uint256_mulmod(B2_IM, 4, P)
B2_RE_8N: constant(uint256) = P - uint256_mulmod(B2_RE, 8, P)
B2_IM_8N: constant(uint256) = P - uint256_mulmod(B2_IM, 8, P)
# @dev The cofactor clearing's schedule. z in signed digits ±3, ±5, ±7 (each a multiple of P'
#      in its table), most significant first, top digit 5:
#        5 7 0 0 0 0 7 0 0 0 0 7 5 0 0 0 0 5 0 0 0 -5 0 0 0 -3 0 0 0 0 0 5 0 0 -3 0 0 0 0 7
#        0 0 0 -7 0 0 0 0 0 0 5 0 0 0 0 0 0 -5 0 5
#      i.e. from 5P', 59 doublings and 14 additions: of the representations with these digits,
#      the one with the least gas (a doubling costs about 1.26k, an addition 2.27k; the table of
#      3P', 5P', 7P' about 9k; adding ±9 would cost more than the addition it saves).
#      A segment is 7 bits, the first in the low bits: the number of doublings (3 bits), then
#      the index of the table point added (3 bits, 0-5: 3P', -3P', 5P', -5P', 7P', -7P';
#      6: psi³(P)), then a flag: a hook runs before the addition. Segments 0-2 are U + psi(P)
#      three times (index 0 holds psi(P) then); segment 3 doubles P' and its hook builds the
#      table (no addition); segments 4-17 are z's digits after the top one; segment 18's hook
#      leaves the frame before psi³(P) is added.
SCHEDULE: constant(uint256) = 9540031233977777842798721699636064550912
SEGMENTS: constant(uint256) = 19

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
         moves to the next counter exactly when the reference does. c and d are reduced.
    """
    if d == 0:
        return False, 0, 0
    norm: uint256 = uint256_addmod(uint256_mulmod(c, c, P), uint256_mulmod(d, d, P), P)
    t: uint256 = self._expmod(norm, SQRT_EXP)
    if uint256_mulmod(t, t, P) != norm:
        return False, 0, 0
    # cand = (c + t) / 2 (c + t below 2p)
    cand: uint256 = uint256_mulmod(unsafe_add(c, t), HALF, P)
    inv_a: uint256 = self._expmod(cand, INV_SQRT_EXP)
    a: uint256 = uint256_mulmod(cand, inv_a, P)
    if uint256_mulmod(a, a, P) != cand:
        # cand = (c - t) / 2
        cand = uint256_mulmod(unsafe_add(c, unsafe_sub(P, t)), HALF, P)
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
    # Fixed-size pieces (bytesM) are written in place; a Bytes literal would be copied in.
    b0: uint256 = convert(
        keccak256(
            concat(
                empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes8),
                message, convert(convert(counter, uint8), bytes1), 0x008000, dst, 0x20,
            )
        ),
        uint256,
    )
    b1: uint256 = convert(keccak256(concat(convert(b0, bytes32), 0x01, dst, 0x20)), uint256)
    b2: uint256 = convert(keccak256(concat(convert(b0 ^ b1, bytes32), 0x02, dst, 0x20)), uint256)
    b3: uint256 = convert(keccak256(concat(convert(b0 ^ b2, bytes32), 0x03, dst, 0x20)), uint256)
    b4: uint256 = convert(keccak256(concat(convert(b0 ^ b3, bytes32), 0x04, dst, 0x20)), uint256)
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
        r0: uint256 = unsafe_add(
            unsafe_add(uint256_mulmod(s0, x0, P), unsafe_sub(P, uint256_mulmod(s1, x1, P))), B2_RE
        ) % P
        r1: uint256 = unsafe_add(
            unsafe_add(uint256_mulmod(s0, x1, P), uint256_mulmod(s1, x0, P)), B2_IM
        ) % P
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
    @dev Q = [z]P + psi([3z]P) + psi²([z]P) + psi³(P) for an affine twist point P (reduced
         coordinates), returned affine. psi is a group endomorphism, so Q = [z]P' + psi³(P) with
         P' = U + 3·psi(P), U = P + psi²(P). In order:
         1. U in closed form, then three mixed additions of psi(P): P';
         2. a doubling of P', then co-Z additions give 3P', 5P', 7P' on one curve frame;
         3. [z]P' from 5P' by z's schedule (SCHEDULE): 59 doublings, 14 mixed additions;
         4. a mixed addition of psi³(P), and affine coordinates by one inversion.
         Steps 1, 3 and 4 run in one loop over SCHEDULE's segments, so the doubling and the
         mixed addition are written once. Degenerate sums (of equal or opposite points, or with
         infinity) would need P in a subgroup of negligible size, which a hash does not produce.
    """
    # The affine points the additions take, [x.re, x.im, y.re, y.im]: psi(P) (index 0, step 1),
    # then 3P', -3P', 5P', -5P', 7P', -7P' (indices 0-5, in the frame, step 3) and psi³(P)
    # (index 6). Only MULMOD reads them, so they need not be reduced.
    tab: uint256[4][7] = empty(uint256[4][7])
    tab[0] = [
        uint256_addmod(uint256_mulmod(pt[0], PSI_X_RE, P), uint256_mulmod(pt[1], PSI_X_IM, P), P),
        uint256_addmod(uint256_mulmod(pt[0], PSI_X_IM, P), uint256_mulmod(pt[1], P - PSI_X_RE, P), P),
        uint256_addmod(uint256_mulmod(pt[2], PSI_Y_RE, P), uint256_mulmod(pt[3], PSI_Y_IM, P), P),
        uint256_addmod(uint256_mulmod(pt[2], PSI_Y_IM, P), uint256_mulmod(pt[3], P - PSI_Y_RE, P), P),
    ]
    # psi³(P) = psi(psi²(P)) = psi(w·x, -y) = (w·psi(P).x, -psi(P).y), w being in Fp
    tab[6] = [
        uint256_mulmod(tab[0][0], OMEGA, P),
        uint256_mulmod(tab[0][1], OMEGA, P),
        unsafe_sub(P, tab[0][2]),
        unsafe_sub(P, tab[0][3]),
    ]

    # The running point, Jacobian (X, Y, Z) over Fp2. Between steps X.re, X.im, Y.im < p,
    # Y.re < 4p, Z.re, Z.im < 2p. It starts at U = P + psi²(P) = P - rho(P), rho(x, y) = (w·x, y):
    # the chord's slope is 2y / ((1 - w)·x), and with y² = x³ + b' and w² + w + 1 = 0 the sum is
    # (x³ + 4b', -y·(x³ - 8b'), (w - 1)·x).
    h0: uint256 = uint256_mulmod(
        unsafe_add(pt[0], pt[1]), unsafe_add(pt[0], unsafe_sub(P, pt[1])), P
    )
    h1: uint256 = uint256_mulmod(pt[0], pt[1] << 1, P)
    # r = x³ (below 2p), then x³ + 4b' and x³ - 8b' (below 3p)
    r0: uint256 = unsafe_add(uint256_mulmod(h0, pt[0], P), unsafe_sub(P, uint256_mulmod(h1, pt[1], P)))
    r1: uint256 = unsafe_add(uint256_mulmod(h0, pt[1], P), uint256_mulmod(h1, pt[0], P))
    X0: uint256 = unsafe_add(r0, B2_RE_4) % P
    X1: uint256 = unsafe_add(r1, B2_IM_4) % P
    r0 = unsafe_add(r0, B2_RE_8N)
    r1 = unsafe_add(r1, B2_IM_8N)
    Y0: uint256 = unsafe_add(uint256_mulmod(pt[3], r1, P), unsafe_sub(P, uint256_mulmod(pt[2], r0, P)))
    Y1: uint256 = unsafe_sub(
        P2, unsafe_add(uint256_mulmod(pt[2], r1, P), uint256_mulmod(pt[3], r0, P))
    ) % P
    Z0: uint256 = uint256_mulmod(pt[0], OMEGA_M1, P)
    Z1: uint256 = uint256_mulmod(pt[1], OMEGA_M1, P)
    # The frame (steps 2-3): the curve isomorphic to the twist by (x, y) -> (L²x, L³y). The
    # formulas below never use b', so they hold there unchanged; the table is affine there
    # without an inversion, and a point (X, Y, Z) there is (X, Y, Z·L) on the twist.
    L0: uint256 = 0
    L1: uint256 = 0
    # Scratch values, named after the formulas' quantities where they are used.
    q: uint256[4] = empty(uint256[4])
    yy0: uint256 = 0
    yy1: uint256 = 0
    t0: uint256 = 0
    t1: uint256 = 0
    n0: uint256 = 0
    n1: uint256 = 0
    w0: uint256 = 0
    w1: uint256 = 0
    g0: uint256 = 0
    g1: uint256 = 0
    v0: uint256 = 0
    v1: uint256 = 0
    e0: uint256 = 0
    e1: uint256 = 0
    # Step 2's co-Z pair (A, B), and O, the table point it keeps aside (all affine, reduced).
    a0: uint256 = 0
    a1: uint256 = 0
    a2: uint256 = 0
    a3: uint256 = 0
    b0: uint256 = 0
    b1: uint256 = 0
    b2: uint256 = 0
    b3: uint256 = 0
    o0: uint256 = 0
    o1: uint256 = 0
    o2: uint256 = 0
    o3: uint256 = 0

    sched: uint256 = SCHEDULE
    for seg: uint256 in range(SEGMENTS):
        for k: uint256 in range(sched & 7, bound=7):
            # ---- doubling (a = 0) with Z3 = Y·Z, which scales the usual 2·Y·Z result by 1/2:
            #      N = (3/2)·X², T = X·Y², X3 = N² - 2T, Y3 = N·(T - X3) - Y⁴ ----
            # yy = Y²
            yy0 = uint256_mulmod(unsafe_add(Y0, Y1), unsafe_add(Y0, unsafe_sub(P, Y1)), P)
            yy1 = uint256_mulmod(Y0, Y1 << 1, P)
            e0 = unsafe_add(uint256_mulmod(Y0, Z0, P), unsafe_sub(P, uint256_mulmod(Y1, Z1, P)))
            Z1 = unsafe_add(uint256_mulmod(Y0, Z1, P), uint256_mulmod(Y1, Z0, P))
            Z0 = e0
            t0 = unsafe_add(uint256_mulmod(X0, yy0, P), unsafe_sub(P, uint256_mulmod(X1, yy1, P)))
            t1 = unsafe_add(uint256_mulmod(X0, yy1, P), uint256_mulmod(X1, yy0, P))
            n0 = uint256_mulmod(
                uint256_mulmod(unsafe_add(X0, X1), unsafe_add(X0, unsafe_sub(P, X1)), P), THREE_HALVES, P
            )
            n1 = uint256_mulmod(X0, unsafe_mul(X1, 3), P)
            X0 = unsafe_add(
                uint256_mulmod(unsafe_add(n0, n1), unsafe_add(n0, unsafe_sub(P, n1)), P), unsafe_sub(P4, t0 << 1)
            ) % P
            X1 = unsafe_add(uint256_mulmod(n0, n1 << 1, P), unsafe_sub(P4, t1 << 1)) % P
            # v = T - X3 (below 3p), then Y3 with Y⁴ = yy² inline
            v0 = unsafe_add(t0, unsafe_sub(P, X0))
            v1 = unsafe_add(t1, unsafe_sub(P, X1))
            Y0 = unsafe_add(
                uint256_mulmod(n0, v0, P),
                unsafe_sub(
                    P2,
                    unsafe_add(
                        uint256_mulmod(n1, v1, P),
                        uint256_mulmod(unsafe_add(yy0, yy1), unsafe_add(yy0, unsafe_sub(P, yy1)), P),
                    ),
                ),
            )
            Y1 = unsafe_add(
                unsafe_add(uint256_mulmod(n0, v1, P), uint256_mulmod(n1, v0, P)),
                unsafe_sub(P, uint256_mulmod(yy0, yy1 << 1, P)),
            ) % P

        if sched & 64 != 0:
            if seg == 3:
                # ---- step 2. P' was just doubled: 2P' is (X, Y, Z), and in the frame L = Z
                #      2P' is (X, Y) and P' is (T, Y⁴), both affine (a co-Z pair). Co-Z additions
                #      of affine A and B give A + B affine in the frame L·H, where A and B are
                #      also affine; with A = 2P' throughout, B becomes 3P', 5P', 7P' ----
                L0 = Z0
                L1 = Z1
                a0 = X0
                a1 = X1
                a2 = Y0 % P
                a3 = Y1
                b0 = t0 % P
                b1 = t1 % P
                b2 = uint256_mulmod(unsafe_add(yy0, yy1), unsafe_add(yy0, unsafe_sub(P, yy1)), P)
                b3 = uint256_mulmod(yy0, yy1 << 1, P)
                for j: uint256 in range(3):
                    # H = xB - xA, R = yB - yA, V = xA·H², W = xB·H², X3 = R² - V - W,
                    # Y3 = R·(V - X3) - yA·H³ (H³ = W - V), Z3 = H; A is now (V, yA·H³), B is
                    # (W, yB·H³). yy = H², g = H³, v = V, w = W (below 2p), r = R, e = yA·H³.
                    h0 = unsafe_add(b0, unsafe_sub(P, a0))
                    h1 = unsafe_add(b1, unsafe_sub(P, a1))
                    r0 = unsafe_add(b2, unsafe_sub(P, a2))
                    r1 = unsafe_add(b3, unsafe_sub(P, a3))
                    yy0 = uint256_mulmod(unsafe_add(h0, h1), unsafe_add(h0, unsafe_sub(P2, h1)), P)
                    yy1 = uint256_mulmod(h0, h1 << 1, P)
                    v0 = unsafe_add(uint256_mulmod(a0, yy0, P), unsafe_sub(P, uint256_mulmod(a1, yy1, P)))
                    v1 = unsafe_add(uint256_mulmod(a0, yy1, P), uint256_mulmod(a1, yy0, P))
                    w0 = unsafe_add(uint256_mulmod(b0, yy0, P), unsafe_sub(P, uint256_mulmod(b1, yy1, P)))
                    w1 = unsafe_add(uint256_mulmod(b0, yy1, P), uint256_mulmod(b1, yy0, P))
                    g0 = unsafe_add(w0, unsafe_sub(P2, v0))
                    g1 = unsafe_add(w1, unsafe_sub(P2, v1))
                    X0 = unsafe_add(
                        uint256_mulmod(unsafe_add(r0, r1), unsafe_add(r0, unsafe_sub(P2, r1)), P),
                        unsafe_sub(P4, unsafe_add(v0, w0)),
                    ) % P
                    X1 = unsafe_add(uint256_mulmod(r0, r1 << 1, P), unsafe_sub(P4, unsafe_add(v1, w1))) % P
                    e0 = unsafe_add(uint256_mulmod(a2, g0, P), unsafe_sub(P, uint256_mulmod(a3, g1, P)))
                    e1 = unsafe_add(uint256_mulmod(a2, g1, P), uint256_mulmod(a3, g0, P))
                    t0 = unsafe_add(v0, unsafe_sub(P, X0))
                    t1 = unsafe_add(v1, unsafe_sub(P, X1))
                    Y0 = unsafe_add(
                        uint256_mulmod(r0, t0, P), unsafe_sub(P3, unsafe_add(uint256_mulmod(r1, t1, P), e0))
                    ) % P
                    Y1 = unsafe_add(
                        unsafe_add(uint256_mulmod(r0, t1, P), uint256_mulmod(r1, t0, P)), unsafe_sub(P2, e1)
                    ) % P
                    if j == 2:
                        # O (3P') into the new frame: (x·H², y·H³)
                        n0 = unsafe_add(uint256_mulmod(o0, yy0, P), unsafe_sub(P, uint256_mulmod(o1, yy1, P)))
                        o1 = unsafe_add(uint256_mulmod(o0, yy1, P), uint256_mulmod(o1, yy0, P))
                        o0 = n0
                        n0 = unsafe_add(uint256_mulmod(o2, g0, P), unsafe_sub(P, uint256_mulmod(o3, g1, P)))
                        o3 = unsafe_add(uint256_mulmod(o2, g1, P), uint256_mulmod(o3, g0, P))
                        o2 = n0
                    if j != 0:
                        # B (3P' or 5P') in the new frame, kept aside
                        n0 = unsafe_add(uint256_mulmod(b2, g0, P), unsafe_sub(P, uint256_mulmod(b3, g1, P)))
                        n1 = unsafe_add(uint256_mulmod(b2, g1, P), uint256_mulmod(b3, g0, P))
                        if j == 1:
                            o0 = w0
                            o1 = w1
                            o2 = n0
                            o3 = n1
                        else:
                            tab[2] = [w0 % P, w1 % P, n0 % P, n1 % P]
                    a0 = v0 % P
                    a1 = v1 % P
                    a2 = e0 % P
                    a3 = e1 % P
                    b0 = X0
                    b1 = X1
                    b2 = Y0
                    b3 = Y1
                    e0 = unsafe_add(uint256_mulmod(L0, h0, P), unsafe_sub(P, uint256_mulmod(L1, h1, P)))
                    L1 = unsafe_add(uint256_mulmod(L0, h1, P), uint256_mulmod(L1, h0, P))
                    L0 = e0
                # O and B are below 2p and p
                tab[0] = [o0, o1, o2, o3]
                tab[1] = [o0, o1, unsafe_sub(P2, o2), unsafe_sub(P2, o3)]
                tab[3] = [tab[2][0], tab[2][1], unsafe_sub(P, tab[2][2]), unsafe_sub(P, tab[2][3])]
                tab[4] = [b0, b1, b2, b3]
                tab[5] = [b0, b1, unsafe_sub(P, b2), unsafe_sub(P, b3)]
                # step 3 starts at z's top digit, 5P', affine in the frame
                X0 = tab[2][0]
                X1 = tab[2][1]
                Y0 = tab[2][2]
                Y1 = tab[2][3]
                Z0 = 1
                Z1 = 0
                sched = sched >> 7
                continue
            # ---- step 4. [z]P' is (X, Y, Z) in the frame, (X, Y, Z·L) on the twist, where
            #      psi³(P) is added ----
            e0 = unsafe_add(uint256_mulmod(L0, Z0, P), unsafe_sub(P, uint256_mulmod(L1, Z1, P)))
            Z1 = unsafe_add(uint256_mulmod(L0, Z1, P), uint256_mulmod(L1, Z0, P))
            Z0 = e0

        q = tab[(sched >> 3) & 7]
        sched = sched >> 7
        # ---- mixed addition (X, Y, Z) + (qx, qy, 1): ZZ = Z², H = qx·ZZ - X, R = qy·Z·ZZ - Y,
        #      X3 = R² - H³ - 2·X·H², Y3 = R·(X·H² - X3) - Y·H³, Z3 = Z·H ----
        # yy = ZZ, w = Z·ZZ (below 2p), h = H (h0 below 3p), r = R (r1 below 3p)
        yy0 = uint256_mulmod(unsafe_add(Z0, Z1), unsafe_add(Z0, unsafe_sub(P2, Z1)), P)
        yy1 = uint256_mulmod(Z0, Z1 << 1, P)
        h0 = unsafe_add(
            uint256_mulmod(q[0], yy0, P), unsafe_sub(P2, unsafe_add(uint256_mulmod(q[1], yy1, P), X0))
        )
        h1 = unsafe_add(
            unsafe_add(uint256_mulmod(q[0], yy1, P), uint256_mulmod(q[1], yy0, P)), unsafe_sub(P, X1)
        ) % P
        w0 = unsafe_add(uint256_mulmod(Z0, yy0, P), unsafe_sub(P, uint256_mulmod(Z1, yy1, P)))
        w1 = unsafe_add(uint256_mulmod(Z0, yy1, P), uint256_mulmod(Z1, yy0, P))
        r0 = uint256_addmod(
            unsafe_add(uint256_mulmod(q[2], w0, P), unsafe_sub(P, uint256_mulmod(q[3], w1, P))),
            unsafe_sub(P4, Y0),
            P,
        )
        r1 = unsafe_add(
            unsafe_add(uint256_mulmod(q[2], w1, P), uint256_mulmod(q[3], w0, P)), unsafe_sub(P, Y1)
        )
        e0 = unsafe_add(uint256_mulmod(Z0, h0, P), unsafe_sub(P, uint256_mulmod(Z1, h1, P)))
        Z1 = unsafe_add(uint256_mulmod(Z0, h1, P), uint256_mulmod(Z1, h0, P))
        Z0 = e0
        # yy = H², g = H³, v = X·H² (all three below 2p)
        yy0 = uint256_mulmod(unsafe_add(h0, h1), unsafe_add(h0, unsafe_sub(P, h1)), P)
        yy1 = uint256_mulmod(h0, h1 << 1, P)
        g0 = unsafe_add(uint256_mulmod(h0, yy0, P), unsafe_sub(P, uint256_mulmod(h1, yy1, P)))
        g1 = unsafe_add(uint256_mulmod(h0, yy1, P), uint256_mulmod(h1, yy0, P))
        v0 = unsafe_add(uint256_mulmod(X0, yy0, P), unsafe_sub(P, uint256_mulmod(X1, yy1, P)))
        v1 = unsafe_add(uint256_mulmod(X0, yy1, P), uint256_mulmod(X1, yy0, P))
        X0 = uint256_addmod(
            unsafe_add(
                uint256_mulmod(unsafe_add(r0, r1), unsafe_add(r0, unsafe_sub(P3, r1)), P), unsafe_sub(P2, g0)
            ),
            unsafe_sub(P4, v0 << 1),
            P,
        )
        X1 = uint256_addmod(
            unsafe_add(uint256_mulmod(r0 << 1, r1, P), unsafe_sub(P2, g1)), unsafe_sub(P4, v1 << 1), P
        )
        # v = X·H² - X3 (below 3p); Y3 into e first, as both of its parts read the old Y (Y3.re
        # below 4p)
        v0 = unsafe_add(v0, unsafe_sub(P, X0))
        v1 = unsafe_add(v1, unsafe_sub(P, X1))
        e0 = unsafe_add(
            unsafe_add(uint256_mulmod(r0, v0, P), uint256_mulmod(Y1, g1, P)),
            unsafe_sub(P2, unsafe_add(uint256_mulmod(r1, v1, P), uint256_mulmod(Y0, g0, P))),
        )
        Y1 = unsafe_add(
            unsafe_add(uint256_mulmod(r0, v1, P), uint256_mulmod(r1, v0, P)),
            unsafe_sub(P2, unsafe_add(uint256_mulmod(Y0, g1, P), uint256_mulmod(Y1, g0, P))),
        ) % P
        Y0 = e0

    # ---- affine: (X / Z², Y / Z³), with 1/Z = conj(Z) / (Z.re² + Z.im²) by one modexp ----
    e0 = self._expmod(uint256_addmod(uint256_mulmod(Z0, Z0, P), uint256_mulmod(Z1, Z1, P), P), P - 2)
    w0 = uint256_mulmod(Z0, e0, P)
    w1 = uint256_mulmod(unsafe_sub(P2, Z1), e0, P)
    # yy = 1/Z², g = 1/Z³
    yy0 = uint256_mulmod(unsafe_add(w0, w1), unsafe_add(w0, unsafe_sub(P, w1)), P)
    yy1 = uint256_mulmod(w0, w1 << 1, P)
    g0 = unsafe_add(uint256_mulmod(yy0, w0, P), unsafe_sub(P, uint256_mulmod(yy1, w1, P)))
    g1 = unsafe_add(uint256_mulmod(yy0, w1, P), uint256_mulmod(yy1, w0, P))
    return [
        uint256_addmod(uint256_mulmod(X0, yy0, P), unsafe_sub(P, uint256_mulmod(X1, yy1, P)), P),
        uint256_addmod(uint256_mulmod(X0, yy1, P), uint256_mulmod(X1, yy0, P), P),
        uint256_addmod(uint256_mulmod(Y0, g0, P), unsafe_sub(P, uint256_mulmod(Y1, g1, P)), P),
        uint256_addmod(uint256_mulmod(Y0, g1, P), uint256_mulmod(Y1, g0, P), P),
    ]


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
    assert success, "Invalid Signature"
    return extract32(out, 0, output_type=uint256) == 1
