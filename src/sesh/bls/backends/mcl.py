"""The native backend: herumi mcl, the fastest BN254 code Python can reach, through ctypes.

No PyPI package offers mcl for alt_bn128 from Python. The ``pymcl`` wheel (the ``fast`` extra)
bundles mcl 3.04 and exports its whole C API, but its own Python layer fixes BLS12-381. So we
never import ``pymcl``: we load its shared object with ctypes and switch that copy of mcl to
BN_SNARK1 (= alt_bn128). That is fragile by nature, so the loader checks the library version,
and the backend is only used after ``selftest`` finds it agreeing with the pure backend.

Only group arithmetic happens here. The hash (its counter search, ψ and the cofactor clearing)
is ``hash_to_curve``'s, the same code for both backends, calling back for the two scalar
multiplications it needs.

Points cross the boundary in mcl's affine serialization (little-endian x ‖ y), one C call per
point, and the mcl form is cached in the point's ``_native`` slot so sums over thousands of
shares convert each share once.
"""

from __future__ import annotations

import ctypes
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from sesh.bls.errors import InvalidEncoding, NotOnCurve
from sesh.bls.params import P, R
from sesh.bls.points import G1Point, G2Point


class MclUnavailable(RuntimeError):
    """mcl is not installed here, or is not the version this module was written against."""


_MCL_BN_SNARK1: Final = 4  # mcl's curve id of alt_bn128
_COMPILED_TIME_VAR: Final = (
    46  # MCLBN_FR_UNIT_SIZE * 10 + MCLBN_FP_UNIT_SIZE of the wheel's 384-bit build
)
_SUPPORTED_VERSION: Final = 0x304  # mcl 3.04, the copy inside pymcl 1.0.2
_IO_AFFINE_SERIALIZE: Final = 4096  # IoEcAffineSerialize: x ‖ y, 32-byte little-endian words
_STR_BUF: Final = 1024  # output buffer for getStr; generous on purpose

_FP_LIMBS: Final = 6  # 384-bit build: Fp is 6 × 64 bits even though p has 254 bits
_G1 = ctypes.c_uint64 * (3 * _FP_LIMBS)
_G2 = ctypes.c_uint64 * (6 * _FP_LIMBS)
_GT = ctypes.c_uint64 * (12 * _FP_LIMBS)
_FR = ctypes.c_uint64 * 4


def _find_library() -> Path:
    spec = importlib.util.find_spec("pymcl")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise MclUnavailable("the 'fast' extra (pymcl) is not installed")
    for folder in spec.submodule_search_locations:
        for candidate in sorted(Path(folder).glob("_pymcl*")):
            if candidate.suffix in (".so", ".dylib", ".pyd"):
                return candidate
    raise MclUnavailable("pymcl is installed but its shared library was not found")


def _load() -> ctypes.CDLL:
    path = _find_library()
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise MclUnavailable(f"cannot load {path.name}: {exc}") from exc
    lib.mclBn_getVersion.restype = ctypes.c_int
    version = lib.mclBn_getVersion()
    if version != _SUPPORTED_VERSION:
        raise MclUnavailable(f"mcl version {version:#x} is not the tested {_SUPPORTED_VERSION:#x}")
    if lib.mclBn_init(_MCL_BN_SNARK1, _COMPILED_TIME_VAR) != 0:
        raise MclUnavailable("mcl refused to switch to the alt_bn128 curve")
    # Only the curve equation is checked when a point is read; the (expensive) subgroup check is
    # made where it is needed, on aggregates and on suspected shares.
    lib.mclBn_verifyOrderG1(0)
    lib.mclBn_verifyOrderG2(0)
    for name in ("mclBnG1_getStr", "mclBnG2_getStr", "mclBnG1_setStr", "mclBnG2_setStr"):
        getattr(lib, name).restype = ctypes.c_size_t if "get" in name else ctypes.c_int
    lib.mclBnFr_deserialize.restype = ctypes.c_size_t
    lib.mclBnFp_deserialize.restype = ctypes.c_size_t
    return lib


def _words(get: Any, raw: Any, count: int) -> list[int]:
    """A point's affine coordinates as mcl serialises them: `count` little-endian words. A
    buffer per call (the backend is shared across threads), with the room mcl wants for any
    mode beyond the bytes it writes."""
    buf = ctypes.create_string_buffer(_STR_BUF)
    n = get(buf, _STR_BUF, ctypes.byref(raw), _IO_AFFINE_SERIALIZE)
    data = buf.raw[:n]
    return [int.from_bytes(data[32 * i : 32 * i + 32], "little") for i in range(count)]


def _le_words(values: Sequence[int]) -> bytes:
    return b"".join(v.to_bytes(32, "little") for v in values)


class McLBackend:
    """mcl 3.04 (from the pymcl wheel) behind the ``Backend`` interface."""

    name = "mcl"

    def __init__(self) -> None:
        lib = _load()
        self._lib = lib
        self._g1_set = lib.mclBnG1_setStr
        self._g2_set = lib.mclBnG2_setStr
        self._g1_get = lib.mclBnG1_getStr
        self._g2_get = lib.mclBnG2_getStr
        self._g1_add = lib.mclBnG1_add
        self._g2_add = lib.mclBnG2_add
        gen = _G1()
        if self._g1_set(ctypes.byref(gen), _le_words([1, 2]), 64, _IO_AFFINE_SERIALIZE) != 0:
            raise MclUnavailable("mcl could not read the G1 generator")
        self._g1_gen = gen

    # -- conversions ---------------------------------------------------------------------------

    def _to_g1(self, p: G1Point) -> Any:
        cached = p._native
        if cached is not None and cached[0] is self:
            return cached[1]
        out = _G1()
        if not p.is_infinity():
            data = p.x.to_bytes(32, "little") + p.y.to_bytes(32, "little")
            if self._g1_set(out, data, 64, _IO_AFFINE_SERIALIZE) != 0:
                raise ValueError("mcl rejected a G1 point that sesh had validated")
        object.__setattr__(p, "_native", (self, out))
        return out

    def _to_g2(self, p: G2Point) -> Any:
        cached = p._native
        if cached is not None and cached[0] is self:
            return cached[1]
        out = _G2()
        if p.x_re or p.x_im or p.y_re or p.y_im:
            data = (
                p.x_re.to_bytes(32, "little")
                + p.x_im.to_bytes(32, "little")
                + p.y_re.to_bytes(32, "little")
                + p.y_im.to_bytes(32, "little")
            )
            if self._g2_set(out, data, 128, _IO_AFFINE_SERIALIZE) != 0:
                raise ValueError("mcl rejected a G2 point that sesh had validated")
        object.__setattr__(p, "_native", (self, out))
        return out

    def _from_g1(self, raw: Any) -> G1Point:
        if self._lib.mclBnG1_isZero(ctypes.byref(raw)):
            return G1Point.infinity()
        x, y = _words(self._g1_get, raw, 2)
        return G1Point.trusted(x, y, (self, raw))

    def _from_g2(self, raw: Any) -> G2Point:
        if self._lib.mclBnG2_isZero(ctypes.byref(raw)):
            return G2Point.infinity()
        x_re, x_im, y_re, y_im = _words(self._g2_get, raw, 4)
        return G2Point.trusted(x_re, x_im, y_re, y_im, (self, raw))

    def _fr(self, scalar: int) -> Any:
        fr = _FR()
        data = (scalar % R).to_bytes(32, "little")
        if self._lib.mclBnFr_deserialize(ctypes.byref(fr), data, 32) != 32:
            raise ValueError("mcl rejected a scalar below r")
        return fr

    # -- the Backend interface -----------------------------------------------------------------

    def decode_g2(self, data: bytes) -> G2Point:
        if len(data) != 128:
            raise InvalidEncoding(
                f"a G2 point is 128 bytes (sigs0‖sigs1‖sigs2‖sigs3), got {len(data)}"
            )
        words = [int.from_bytes(data[i : i + 32], "big") for i in (0, 32, 64, 96)]
        if max(words) >= P:
            raise InvalidEncoding("a G2 coordinate is not a field element (must be in [0, p))")
        if not any(words):
            return G2Point.infinity()
        out = _G2()
        little = data[31::-1] + data[63:31:-1] + data[95:63:-1] + data[127:95:-1]
        if self._g2_set(out, little, 128, _IO_AFFINE_SERIALIZE) != 0:
            raise NotOnCurve("G2 point is not on the twist y² = x³ + 3/(9+i)")
        return G2Point.trusted(words[0], words[1], words[2], words[3], (self, out))

    def g2_sum_encoded(self, wire: Sequence[bytes]) -> tuple[G2Point, list[int]]:
        acc, one, bad = _G2(), _G2(), []
        add, decode = self._g2_add, self._g2_set
        for i, data in enumerate(wire):
            # No check of the coordinates against p here: mcl refuses a coordinate that is not
            # below p (tests/bls/test_backends.py holds both backends to the same answers).
            if len(data) != 128:
                bad.append(i)
                continue
            if not any(data):
                continue  # the point at infinity, as decode_g2 reads it: adds nothing
            little = data[31::-1] + data[63:31:-1] + data[95:63:-1] + data[127:95:-1]
            if decode(one, little, 128, _IO_AFFINE_SERIALIZE) != 0:
                bad.append(i)
                continue
            add(acc, acc, one)
        return self._from_g2(acc), bad

    def g1_mul_generator(self, scalar: int) -> G1Point:
        out = _G1()
        self._lib.mclBnG1_mulCT(
            ctypes.byref(out), ctypes.byref(self._g1_gen), ctypes.byref(self._fr(scalar))
        )
        return self._from_g1(out)

    def g1_sum(self, points: Sequence[G1Point]) -> G1Point:
        acc = _G1()
        add, conv = self._g1_add, self._to_g1
        for p in points:  # ctypes passes arrays as pointers: no byref() in the hot loop
            add(acc, acc, conv(p))
        return self._from_g1(acc)

    def g2_mul(self, point: G2Point, scalar: int) -> G2Point:
        out = _G2()
        self._lib.mclBnG2_mulCT(
            ctypes.byref(out), ctypes.byref(self._to_g2(point)), ctypes.byref(self._fr(scalar))
        )
        return self._from_g2(out)

    def twist_mul(self, point: G2Point, scalar: int) -> G2Point:
        # mcl's variable-time multiplication takes its generic double-and-add path for scalars of
        # one 64-bit word (its GLV shortcut, valid only inside G2, needs more than one word). The
        # cofactor clearing multiplies only by z and 3z, which fit; the self-test checks the
        # clearing against the pure backend, so a different mcl would be refused, not trusted.
        if not 0 <= scalar < 2**64:
            raise ValueError("the mcl backend multiplies twist points by one-word scalars only")
        out = _G2()
        self._lib.mclBnG2_mul(
            ctypes.byref(out), ctypes.byref(self._to_g2(point)), ctypes.byref(self._fr(scalar))
        )
        return self._from_g2(out)

    def g2_sum(self, points: Sequence[G2Point]) -> G2Point:
        acc = _G2()
        add, conv = self._g2_add, self._to_g2
        for p in points:
            add(acc, acc, conv(p))
        return self._from_g2(acc)

    def g2_in_subgroup(self, point: G2Point) -> bool:
        return point.is_infinity() or bool(
            self._lib.mclBnG2_isValidOrder(ctypes.byref(self._to_g2(point)))
        )

    def pairing_check(self, pairs: Sequence[tuple[G1Point, G2Point]]) -> bool:
        live = [(p, q) for p, q in pairs if not (p.is_infinity() or q.is_infinity())]
        if not live:
            return True
        g1s = (_G1 * len(live))()
        g2s = (_G2 * len(live))()
        for i, (p, q) in enumerate(live):
            ctypes.memmove(
                ctypes.byref(g1s, i * ctypes.sizeof(_G1)), self._to_g1(p), ctypes.sizeof(_G1)
            )
            ctypes.memmove(
                ctypes.byref(g2s, i * ctypes.sizeof(_G2)), self._to_g2(q), ctypes.sizeof(_G2)
            )
        f = _GT()
        self._lib.mclBn_millerLoopVec(ctypes.byref(f), g1s, g2s, ctypes.c_size_t(len(live)))
        self._lib.mclBn_finalExp(ctypes.byref(f), ctypes.byref(f))
        return bool(self._lib.mclBnGT_isOne(ctypes.byref(f)))
