"""The event values the tracker hands to the ledger: one spelling, one identity."""

from __future__ import annotations

import pytest

from sesh.l2.events import (
    Contributor,
    L2Origin,
    NewServiceNode,
    ServiceNodeExit,
    StakingRequirementUpdated,
    event_id,
    normalize_address,
)

ORIGIN = L2Origin(chain_id=31337, block_number=7, block_hash=b"\x11" * 32, log_index=2)
ALICE = "0x" + "ab" * 20


def registration(**changes: object) -> NewServiceNode:
    fields: dict[str, object] = dict(
        origin=ORIGIN,
        service_node_id=3,
        initiator=ALICE,
        bls_pubkey=(5, 6),
        ed25519_pubkey=7,
        ed25519_signature=b"\x01" * 64,
        fee=500,
        contributors=(Contributor(ALICE, ALICE, 120 * 10**9),),
    )
    fields.update(changes)
    return NewServiceNode(**fields)  # type: ignore[arg-type]


def test_addresses_have_one_spelling() -> None:
    assert normalize_address("0x" + "AB" * 20) == ALICE
    assert normalize_address(bytes.fromhex("ab" * 20)) == ALICE
    for bad in ("0x1234", "0x" + "zz" * 20, b"\x00" * 19):
        with pytest.raises(ValueError):
            normalize_address(bad)


def test_the_identity_is_the_content() -> None:
    assert event_id(registration()) == event_id(registration())
    assert len(event_id(registration())) == 32
    # Anything that differs makes another event: where it happened included.
    others = [
        registration(fee=501),
        registration(seeded=True),
        registration(contributors=()),
        registration(origin=L2Origin(31337, 7, b"\x12" * 32, 2)),
        registration(origin=L2Origin(31337, 7, b"\x11" * 32, 3)),
        registration(origin=L2Origin(1, 7, b"\x11" * 32, 2)),
    ]
    ids = {event_id(e) for e in [registration(), *others]}
    assert len(ids) == len(others) + 1


def test_kinds_never_collide() -> None:
    """The same numbers in two kinds of event are two events (each encoding starts with its
    kind)."""
    exit_ = ServiceNodeExit(ORIGIN, 3, ALICE, 120 * 10**9, (5, 6))
    requirement = StakingRequirementUpdated(ORIGIN, 120 * 10**9)
    assert len({event_id(exit_), event_id(requirement), event_id(registration())}) == 3


def test_values_outside_their_words_are_refused() -> None:
    with pytest.raises(ValueError):
        event_id(StakingRequirementUpdated(ORIGIN, 2**256))
    with pytest.raises(ValueError):
        event_id(StakingRequirementUpdated(L2Origin(1, 1, b"\x00" * 31, 0), 1))
