"""contracts/lib/bn254.vy against sesh.bls: the same hash to G2, the same verdicts.

The hash must be bit-for-bit the reference's (vectors from an independent signer that the
reference contract accepted), because nodes sign with sesh.bls and the contract hashes on chain.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesh.bls import (
    DomainTags,
    SecretKey,
    Signature,
    aggregate_public_keys,
    aggregate_signatures,
    hash_to_g2,
    map_to_twist,
    reward_message,
    signers_key,
)

from ...support.contracts import alone_on_anvil

pytestmark = pytest.mark.anvil

HARNESS = Path(__file__).parent / "bn254_harness.vy"


@pytest.fixture(scope="module")
def harness() -> Iterator[Any]:
    with alone_on_anvil(HARNESS) as contract:  # finds contracts/lib through the search path
        yield contract


@pytest.fixture(scope="module")
def tags(harness: Any) -> DomainTags:
    return DomainTags.for_contract(harness.w3.eth.chain_id, harness.address)


def test_hash_to_g2_matches_every_vector(harness: Any, bls_vectors: dict[str, Any]) -> None:
    for domain in bls_vectors["domains"]:
        dst = DomainTags.for_contract(domain["chainId"], domain["contract"]).hash_to_g2
        for v in domain["hash_to_g2"]:
            message = bytes.fromhex(v["msg"][2:])
            _, counter, negated = harness.functions.map_to_twist(message, dst).call()
            assert (counter, negated) == (v["counter"], v["negated"])
            h = harness.functions.hash_to_g2(message, dst).call()
            assert [hex(x) for x in h] == [
                hex(int(v["H"][k], 16))
                for k in ("sigs0_x_re", "sigs1_x_im", "sigs2_y_re", "sigs3_y_im")
            ]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(message=st.binary(max_size=148), dst=st.binary(min_size=32, max_size=32))
def test_hash_to_g2_matches_sesh_bls(harness: Any, message: bytes, dst: bytes) -> None:
    point, counter, negated = map_to_twist(message, dst)
    on_chain_point, on_chain_counter, on_chain_negated = harness.functions.map_to_twist(
        message, dst
    ).call()
    assert (on_chain_counter, on_chain_negated) == (counter, negated)
    assert tuple(on_chain_point) == point.to_contract()
    assert (
        tuple(harness.functions.hash_to_g2(message, dst).call())
        == hash_to_g2(message, dst).to_contract()
    )


def test_a_signature_verifies_and_a_wrong_one_does_not(harness: Any, tags: DomainTags) -> None:
    sk = SecretKey.from_int(0xBEEF)
    message = reward_message(tags, "0x" + "12" * 20, 987_654_321)
    signature = sk.sign(message, tags.hash_to_g2)
    pk = list(sk.public_key().to_contract())
    assert harness.functions.verify(
        pk, message, tags.hash_to_g2, list(signature.to_contract())
    ).call()
    other = SecretKey.from_int(0xBEF0).sign(message, tags.hash_to_g2)
    assert not harness.functions.verify(
        pk, message, tags.hash_to_g2, list(other.to_contract())
    ).call()


def test_an_aggregate_verifies_against_the_signers_key(harness: Any, tags: DomainTags) -> None:
    sks = [SecretKey.from_int(7000 + i) for i in range(6)]
    pks = [sk.public_key() for sk in sks]
    message = reward_message(tags, "0x" + "34" * 20, 10**15)
    agg: Signature = aggregate_signatures(sk.sign(message, tags.hash_to_g2) for sk in sks[:4])
    key = signers_key(aggregate_public_keys(pks), pks[4:])
    assert harness.functions.verify(
        list(key.to_contract()), message, tags.hash_to_g2, list(agg.to_contract())
    ).call()


def test_random_messages_of_every_length_hash_alike(harness: Any) -> None:
    dst = os.urandom(32)
    for length in (0, 1, 31, 32, 33, 84, 128, 147, 148):
        message = os.urandom(length)
        assert (
            tuple(harness.functions.hash_to_g2(message, dst).call())
            == hash_to_g2(message, dst).to_contract()
        )
