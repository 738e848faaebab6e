"""Every BLS test runs once per backend, as py_ecc runs one suite over its twin backends."""

from __future__ import annotations

import pytest

from sesh.bls import Backend, load_backend
from sesh.bls.backends import BackendUnavailable


def _backend_or_skip(name: str) -> Backend:
    try:
        return load_backend(name)
    except BackendUnavailable as exc:
        pytest.skip(f"{name} backend unavailable here: {exc}")


@pytest.fixture(params=["pure", "mcl"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return _backend_or_skip(request.param)


@pytest.fixture
def fast_backend() -> Backend:
    """The fastest backend that loads: for tests whose workload is too big for pure Python."""
    try:
        return load_backend("mcl")
    except BackendUnavailable:
        return load_backend("pure")
