"""sesh.bls signatures against precompile 0x08 on a real EVM (anvil, cancun).

The contract checks exactly what ServiceNodeRewards checks, e(G1, σ) · e(−PK, H(m)) = 1 with
the reference's encodings, so a pass here is a pass there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3.exceptions import ContractLogicError

from sesh import bls
from sesh.bls import DomainTags, SecretKey, hash_to_g2, reward_message

from ..support.contracts import alone_on_anvil

pytestmark = pytest.mark.anvil

CONTRACT = Path(__file__).parent / "contracts" / "pairing_check.vy"


@pytest.fixture(scope="module")
def checker() -> Iterator[Any]:
    with alone_on_anvil(CONTRACT) as contract:
        yield contract


@pytest.fixture(scope="module")
def tags(checker: Any) -> DomainTags:
    return DomainTags.for_contract(checker.w3.eth.chain_id, checker.address)


def _call(checker: Any, pk: Any, hashed: Any, sig: Any) -> bool:
    return bool(
        checker.functions.verify(
            list(pk.to_contract()), list(hashed.to_contract()), list(sig.to_contract())
        ).call()
    )


def test_our_signature_passes_the_precompile(checker: Any, tags: DomainTags) -> None:
    sk = SecretKey.from_int(0xC0FFEE)
    message = reward_message(tags, "0x" + "ab" * 20, 123_456_789)
    hashed = hash_to_g2(message, tags.hash_to_g2)
    assert _call(checker, sk.public_key(), hashed, sk.sign(message, tags.hash_to_g2))


def test_a_tampered_signature_fails(checker: Any, tags: DomainTags) -> None:
    sk = SecretKey.from_int(0xC0FFEE)
    message = reward_message(tags, "0x" + "ab" * 20, 123_456_789)
    hashed = hash_to_g2(message, tags.hash_to_g2)
    other = SecretKey.from_int(0xC0FFEF).sign(message, tags.hash_to_g2)  # valid point, wrong key
    assert not _call(checker, sk.public_key(), hashed, other)
    wrong_amount = reward_message(tags, "0x" + "ab" * 20, 123_456_790)
    assert not _call(
        checker,
        sk.public_key(),
        hash_to_g2(wrong_amount, tags.hash_to_g2),
        sk.sign(message, tags.hash_to_g2),
    )


def test_an_aggregate_with_non_signers_passes(checker: Any, tags: DomainTags) -> None:
    sks = [SecretKey.from_int(10_000 + i) for i in range(7)]
    pks = [sk.public_key() for sk in sks]
    message = reward_message(tags, "0x" + "cd" * 20, 10**12)
    non_signers = {2, 5}
    signature = bls.aggregate_signatures(
        sk.sign(message, tags.hash_to_g2) for i, sk in enumerate(sks) if i not in non_signers
    )
    key = bls.signers_key(bls.aggregate_public_keys(pks), [pks[i] for i in sorted(non_signers)])
    hashed = hash_to_g2(message, tags.hash_to_g2)
    assert _call(checker, key, hashed, signature)
    assert not _call(checker, bls.aggregate_public_keys(pks), hashed, signature)


def test_a_signature_off_the_subgroup_makes_the_precompile_fail(
    checker: Any, tags: DomainTags
) -> None:
    sk = SecretKey.from_int(77)
    message = b"off the subgroup"
    off, _, _ = bls.map_to_twist(message, tags.hash_to_g2)
    hashed = hash_to_g2(message, tags.hash_to_g2)
    # The precompile refuses points outside G2: the reference reverts "Invalid Signature",
    # which is why sesh.bls.verify answers False for them without a transaction.
    with pytest.raises(ContractLogicError, match="Invalid Signature"):
        _call(checker, sk.public_key(), hashed, off)


def test_a_public_key_off_the_curve_makes_the_precompile_fail(
    checker: Any, tags: DomainTags
) -> None:
    sk = SecretKey.from_int(78)
    message = b"bad key"
    hashed = hash_to_g2(message, tags.hash_to_g2)
    sig = sk.sign(message, tags.hash_to_g2)

    class _Raw:  # an off-curve key can only come from outside: sesh.bls refuses to build one
        def to_contract(self) -> tuple[int, int]:
            return (1, 3)

    with pytest.raises(ContractLogicError, match="Invalid Signature"):
        _call(checker, _Raw(), hashed, sig)
