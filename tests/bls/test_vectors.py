"""Every known-answer vector of shared/vectors/bls-vectors.json, with every backend.

The vectors come from an independent signer whose output the reference contract accepted, so
matching them byte for byte is what "the contract will accept our signatures" means off-chain.
"""

from __future__ import annotations

from typing import Any

from sesh.bls import (
    Backend,
    DomainTags,
    G1Point,
    G2Point,
    SecretKey,
    aggregate_public_keys,
    aggregate_signatures,
    build_tag,
    exit_message,
    hash_to_g2,
    liquidate_message,
    map_to_twist,
    proof_of_possession_message,
    reward_message,
    verify,
    verify_aggregate,
)


def _g2(v: dict[str, str]) -> G2Point:
    return G2Point.from_contract(
        [int(v[k], 16) for k in ("sigs0_x_re", "sigs1_x_im", "sigs2_y_re", "sigs3_y_im")]
    )


def _g1(v: dict[str, str]) -> G1Point:
    return G1Point(int(v["X"], 16), int(v["Y"], 16))


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


def _domains(vectors: dict[str, Any]) -> list[tuple[dict[str, Any], DomainTags]]:
    return [(d, DomainTags.for_contract(d["chainId"], d["contract"])) for d in vectors["domains"]]


def test_tags_match_the_contract_getters(bls_vectors: dict[str, Any]) -> None:
    for domain, tags in _domains(bls_vectors):
        expected = domain["tags"]
        assert _hex(tags.proof_of_possession) == expected["proofOfPossessionTag"]
        assert _hex(tags.reward) == expected["rewardTag"]
        assert _hex(tags.exit) == expected["exitTag"]
        assert _hex(tags.liquidate) == expected["liquidateTag"]
        assert _hex(tags.hash_to_g2) == expected["hashToG2Tag"]
        chain, contract = domain["chainId"], domain["contract"]
        assert tags.reward == build_tag("BLS_SIG_TRYANDINCREMENT_REWARD", chain, contract)


def test_map_to_twist_finds_the_vector_counter_and_sign(bls_vectors: dict[str, Any]) -> None:
    for domain, tags in _domains(bls_vectors):
        for v in domain["hash_to_g2"]:
            _, counter, negated = map_to_twist(bytes.fromhex(v["msg"][2:]), tags.hash_to_g2)
            assert (counter, negated) == (v["counter"], v["negated"])


def test_hash_to_g2_points(bls_vectors: dict[str, Any], backend: Backend) -> None:
    for domain, tags in _domains(bls_vectors):
        for v in domain["hash_to_g2"]:
            h = hash_to_g2(bytes.fromhex(v["msg"][2:]), tags.hash_to_g2, backend)
            assert h == _g2(v["H"]), v["msg"]


def test_public_keys(bls_vectors: dict[str, Any], backend: Backend) -> None:
    for domain, _ in _domains(bls_vectors):
        for key in domain["keys"]:
            assert SecretKey.from_hex(key["sk"]).public_key(backend) == _g1(key["pk"])


def test_messages_are_laid_out_as_the_contract_packs_them(bls_vectors: dict[str, Any]) -> None:
    for domain, tags in _domains(bls_vectors):
        for key in domain["keys"]:
            pk = _g1(key["pk"])
            pop = key["pop"]
            msg = proof_of_possession_message(
                tags, pk, pop["operator"], bytes.fromhex(pop["ed25519Pubkey"][2:])
            )
            assert _hex(msg) == pop["msg"] and len(msg) == 148
            reward = key["reward"]
            msg = reward_message(tags, reward["recipient"], int(reward["amount"]))
            assert _hex(msg) == reward["msg"] and len(msg) == 84
            assert _hex(exit_message(tags, pk, key["exit"]["timestamp"])) == key["exit"]["msg"]
            liq = liquidate_message(tags, pk, key["liquidate"]["timestamp"])
            assert _hex(liq) == key["liquidate"]["msg"] and len(liq) == 128


def test_the_four_signatures_per_key(bls_vectors: dict[str, Any], backend: Backend) -> None:
    for domain, tags in _domains(bls_vectors):
        for key in domain["keys"]:
            sk = SecretKey.from_hex(key["sk"])
            for kind in ("pop", "reward", "exit", "liquidate"):
                message = bytes.fromhex(key[kind]["msg"][2:])
                signature = sk.sign(message, tags.hash_to_g2, backend)
                assert signature == _g2(key[kind]["sig"]), (domain["chainId"], kind)


def test_vector_signatures_verify(bls_vectors: dict[str, Any], backend: Backend) -> None:
    domain, tags = _domains(bls_vectors)[0]
    key = domain["keys"][0]
    message = bytes.fromhex(key["reward"]["msg"][2:])
    signature = _g2(key["reward"]["sig"])
    assert verify(_g1(key["pk"]), message, tags.hash_to_g2, signature, backend)
    assert not verify(_g1(key["pk"]), message + b"\x00", tags.hash_to_g2, signature, backend)


def test_aggregate_with_non_signers(bls_vectors: dict[str, Any], backend: Backend) -> None:
    for domain, tags in _domains(bls_vectors):
        agg = domain["aggregate"]
        keys = [SecretKey.from_hex(k["sk"]) for k in domain["keys"]]
        pks = [_g1(k["pk"]) for k in domain["keys"]]
        aggregate_key = aggregate_public_keys(pks, backend)
        assert aggregate_key == _g1(agg["aggregatePubkey"])
        message = reward_message(tags, agg["recipient"], int(agg["amount"]))
        assert _hex(message) == agg["msg"]
        non_signers = set(agg["non_signer_key_indices"])
        shares = [
            k.sign(message, tags.hash_to_g2, backend)
            for i, k in enumerate(keys)
            if i not in non_signers
        ]
        signature = aggregate_signatures(shares, backend)
        assert signature == _g2(agg["signature"])
        excluded = [pks[i] for i in sorted(non_signers)]
        assert verify_aggregate(
            aggregate_key, excluded, message, tags.hash_to_g2, signature, backend
        )
        assert not verify_aggregate(
            aggregate_key, excluded[:1], message, tags.hash_to_g2, signature, backend
        )
