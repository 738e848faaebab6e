"""Choosing the BN254 backend: the native one when it loads and agrees with the pure one.

``SESH_BLS_BACKEND`` may say ``pure``, ``mcl`` or ``auto`` (the default). ``auto`` takes mcl when
the optional ``fast`` extra is installed and its self-test passes, and otherwise the pure backend,
with a warning that says why.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from functools import cache

from sesh.bls.backends.base import Backend
from sesh.bls.backends.pure import PureBackend

__all__ = [
    "Backend",
    "BackendUnavailable",
    "PureBackend",
    "available_backends",
    "get_backend",
    "load_backend",
]


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here (library missing, or its self-test failed)."""


@cache
def load_backend(name: str) -> Backend:
    """The backend called ``name`` ("pure" or "mcl"), loaded and self-tested once per process."""
    if name == "pure":
        return PureBackend()
    if name == "mcl":
        from sesh.bls.backends.mcl import McLBackend, MclUnavailable

        try:
            backend = McLBackend()
        except MclUnavailable as exc:
            raise BackendUnavailable(str(exc)) from exc
        from sesh.bls.backends.selftest import self_test

        problem = self_test(backend, PureBackend())
        if problem:
            raise BackendUnavailable(f"mcl backend disagrees with the pure backend: {problem}")
        return backend
    raise BackendUnavailable(f"unknown BLS backend {name!r} (choose pure, mcl or auto)")


def available_backends() -> list[Backend]:
    """Every backend that loads here, pure first (tests run their suite over each)."""
    found: list[Backend] = [load_backend("pure")]
    with contextlib.suppress(BackendUnavailable):
        found.append(load_backend("mcl"))
    return found


@cache
def get_backend() -> Backend:
    """The process-wide default backend (see the module docstring)."""
    choice = os.environ.get("SESH_BLS_BACKEND", "auto").strip().lower() or "auto"
    if choice != "auto":
        return load_backend(choice)
    try:
        return load_backend("mcl")
    except BackendUnavailable as exc:
        warnings.warn(
            f"sesh.bls: using the slow pure-Python backend ({exc}); "
            "install the 'fast' extra for native speed",
            RuntimeWarning,
            stacklevel=2,
        )
        return load_backend("pure")
