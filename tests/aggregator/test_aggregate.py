"""From shares to the contract's signature (real BLS): the aggregate verifies against the
contract's key minus the non-signers; bad shares are found, dropped and named; keys the
contract does not hold are left out; too many non-signers is refused with the reason."""

from __future__ import annotations

import pytest

from sesh.aggregator.aggregate import AggregationError, Share, aggregate, non_signer_limit
from sesh.bls import (
    DomainTags,
    G1Point,
    SecretKey,
    aggregate_public_keys,
    reward_message,
    verify_aggregate,
)

TAGS = DomainTags.for_contract(31337, "0x" + "5e" * 20)
MESSAGE = reward_message(TAGS, "0x" + "11" * 20, 123_456)
SECRETS = [SecretKey.from_int(1_000 + 7 * i) for i in range(7)]
KEYS = [s.public_key() for s in SECRETS]
CONTRACT = {i + 1: key for i, key in enumerate(KEYS)}
"""Contract ids 1…7."""


def share(i: int, message: bytes = MESSAGE, secret: SecretKey | None = None) -> Share:
    signature = (secret or SECRETS[i]).sign(message, TAGS.hash_to_g2)
    return Share(bytes([i]) * 32, KEYS[i], signature.to_bytes())


def contract_accepts(result: object, contract: dict[int, G1Point] = CONTRACT) -> bool:
    non_signers = [contract[i] for i in result.non_signer_ids]  # type: ignore[attr-defined]
    return verify_aggregate(
        aggregate_public_keys(contract.values()),
        non_signers,
        MESSAGE,
        TAGS.hash_to_g2,
        result.signature,  # type: ignore[attr-defined]
    )


def test_every_share_makes_an_aggregate_with_no_non_signer() -> None:
    result = aggregate(MESSAGE, TAGS.hash_to_g2, [share(i) for i in range(7)], CONTRACT)
    assert result.non_signer_ids == () and result.bad == ()
    assert contract_accepts(result)


def test_missing_nodes_are_the_non_signers_by_contract_id() -> None:
    result = aggregate(MESSAGE, TAGS.hash_to_g2, [share(i) for i in (0, 2, 3, 5, 6)], CONTRACT)
    assert result.non_signer_ids == (2, 5)
    assert contract_accepts(result)


def test_bad_shares_are_dropped_and_named() -> None:
    shares = [share(i) for i in range(7)]
    shares[3] = share(3, secret=SECRETS[4])  # node 3 signs with another key
    shares[5] = share(5, message=MESSAGE + b"x")  # node 5 signs something else
    garbage = Share(bytes([6]) * 32, KEYS[6], b"\xff" * 128)  # not a point
    shares[6] = garbage
    with pytest.raises(AggregationError, match=r"3 answered with a bad signature"):
        aggregate(MESSAGE, TAGS.hash_to_g2, shares, CONTRACT)
    result = aggregate(MESSAGE, TAGS.hash_to_g2, [*shares[:6], share(6)], CONTRACT)
    assert set(result.bad) == {bytes([3]) * 32, bytes([5]) * 32}
    assert result.non_signer_ids == (4, 6)
    assert contract_accepts(result)


def test_a_signer_the_contract_does_not_hold_is_left_out() -> None:
    contract = {i: k for i, k in CONTRACT.items() if i != 7}
    result = aggregate(MESSAGE, TAGS.hash_to_g2, [share(i) for i in range(7)], contract)
    assert bytes([6]) * 32 not in result.signers and result.non_signer_ids == ()
    assert contract_accepts(result, contract)


def test_too_many_non_signers_or_none_signing_is_refused() -> None:
    assert non_signer_limit(7) == 2 and non_signer_limit(30_000) == 4_000
    with pytest.raises(AggregationError, match="at most 2 non-signers, and 3 did not sign"):
        aggregate(MESSAGE, TAGS.hash_to_g2, [share(i) for i in range(4)], CONTRACT)
    with pytest.raises(AggregationError, match="no node signed"):
        aggregate(MESSAGE, TAGS.hash_to_g2, [], CONTRACT)
