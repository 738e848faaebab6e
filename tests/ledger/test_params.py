"""The profile's digest covers every field: a node with other parameters never agrees with
this one by chance, and a field added later cannot drop out of the digest."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import pytest

from sesh.ledger import DEVNET, MAINNET, PROFILES, TESTNET, NetworkProfile


def changed(value: object) -> object:
    if isinstance(value, str):
        return value + "-other"
    if isinstance(value, int):
        return value + 1
    if isinstance(value, tuple):
        return (*value, ("later", 1_000))
    raise AssertionError(f"no change for a field of type {type(value).__name__}")


@pytest.mark.parametrize("name", [spec.name for spec in fields(NetworkProfile)])
def test_changing_any_field_changes_the_digest(name: str) -> None:
    other = replace(DEVNET, **{name: changed(getattr(DEVNET, name))})
    assert other.encode() != DEVNET.encode()
    assert other.digest != DEVNET.digest


def test_a_field_added_to_the_profile_enters_the_digest() -> None:
    @dataclass(frozen=True)
    class Extended(NetworkProfile):
        extra: int = 7

    base = {spec.name: getattr(MAINNET, spec.name) for spec in fields(MAINNET)}
    assert Extended(**base).digest != MAINNET.digest
    assert Extended(**base, extra=8).digest != Extended(**base).digest


def test_a_field_of_a_type_the_encoding_does_not_know_is_refused() -> None:
    @dataclass(frozen=True)
    class Odd(NetworkProfile):
        ratio: float = 0.5

    base = {spec.name: getattr(MAINNET, spec.name) for spec in fields(MAINNET)}
    with pytest.raises(TypeError, match="float"):
        Odd(**base).encode()


def test_the_profiles_have_distinct_digests() -> None:
    assert len({p.digest for p in PROFILES.values()}) == len(PROFILES) == 4
    assert TESTNET.digest != MAINNET.digest
