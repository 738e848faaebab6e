"""Backend choice: the native backend must agree with the pure one before sesh uses it."""

from __future__ import annotations

import warnings

import pytest

from sesh.bls import Backend, SecretKey, available_backends, load_backend
from sesh.bls import backends as backends_module
from sesh.bls.backends import BackendUnavailable, PureBackend
from sesh.bls.backends.selftest import self_test
from sesh.bls.points import G1Point


def test_the_pure_backend_always_loads() -> None:
    assert available_backends()[0].name == "pure"


def test_every_available_backend_passes_the_self_test(backend: Backend) -> None:
    assert self_test(backend, PureBackend()) is None


class _WrongBackend(PureBackend):
    """A backend that computes wrong public keys. A fake, because a real native library cannot
    be made to miscompute on demand; it stands for a broken or mismatched mcl build."""

    name = "wrong"

    def g1_mul_generator(self, scalar: int) -> G1Point:
        return super().g1_mul_generator(scalar + 1)


def test_the_self_test_catches_a_wrong_backend() -> None:
    assert self_test(_WrongBackend(), PureBackend()) is not None


def test_auto_falls_back_to_pure_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> Backend:
        if name == "mcl":
            raise BackendUnavailable("mcl backend disagrees with the pure backend: test")
        return PureBackend()

    monkeypatch.setenv("SESH_BLS_BACKEND", "auto")
    monkeypatch.setattr(backends_module, "load_backend", refuse)
    backends_module.get_backend.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chosen = backends_module.get_backend()
        assert chosen.name == "pure"
        assert any("pure-Python backend" in str(w.message) for w in caught)
    finally:
        backends_module.get_backend.cache_clear()


def test_the_environment_can_force_the_pure_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESH_BLS_BACKEND", "pure")
    backends_module.get_backend.cache_clear()
    try:
        assert backends_module.get_backend().name == "pure"
    finally:
        backends_module.get_backend.cache_clear()


def test_an_unknown_backend_name_is_refused() -> None:
    with pytest.raises(BackendUnavailable):
        load_backend("gpu")


def test_backends_agree_on_a_signature() -> None:
    found = available_backends()
    if len(found) < 2:
        pytest.skip("only one backend loads here")
    sigs = {b.name: SecretKey.from_int(99).sign(b"agree", b"\x01" * 32, b) for b in found}
    assert len(set(sigs.values())) == 1


def test_a_backend_can_be_shared_by_threads(backend: Backend) -> None:
    from concurrent.futures import ThreadPoolExecutor

    count = 40 if backend.name == "mcl" else 4
    keys = [SecretKey.from_int(500 + i) for i in range(count)]
    expected = [k.sign(b"threads", b"\x02" * 32, backend) for k in keys]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda k: k.sign(b"threads", b"\x02" * 32, backend), keys))
    assert got == expected


def test_summing_encoded_shares_leaves_out_and_names_the_bad_ones(backend: Backend) -> None:
    """`g2_sum_encoded`: the good shares summed (as `g2_sum` of the decoded ones), the
    malformed (short, a coordinate not below p, off the twist) named by index; zeros are the
    point at infinity, as `decode_g2` reads them."""
    from sesh.bls.params import P

    points = [SecretKey.from_int(7 + i).sign(b"m", bytes(range(32)), backend) for i in range(3)]
    wire = [bytes(p.to_bytes()) for p in points]
    words = list(points[0].to_contract())
    too_big = b"".join(w.to_bytes(32, "big") for w in [words[0] + P, *words[1:]])
    off_twist = b"".join(w.to_bytes(32, "big") for w in [words[0], words[1], words[2], 1])
    encoded = [wire[0], b"\x01" * 127, wire[1], too_big, bytes(128), off_twist, wire[2]]
    total, bad = backend.g2_sum_encoded(encoded)
    assert bad == [1, 3, 5]
    assert total.to_contract() == backend.g2_sum(points).to_contract()
