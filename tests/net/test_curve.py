"""CURVE keys come from Ed25519 keys, so a node's network identity is its Ed25519 key alone."""

from __future__ import annotations

import pytest
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from sesh.net.curve import curve_keypair, curve_public_key, ed25519_candidates


def test_a_nodes_keypair_is_a_working_x25519_keypair() -> None:
    pair = curve_keypair(SigningKey.generate())
    assert len(pair.public) == len(pair.secret) == 32
    assert bytes(PrivateKey(pair.secret).public_key) == pair.public


def test_a_peer_derives_the_same_public_key_from_the_ed25519_key_alone() -> None:
    node = SigningKey.generate()
    assert curve_public_key(bytes(node.verify_key)) == curve_keypair(node).public


def test_the_secret_key_is_not_printed() -> None:
    pair = curve_keypair(SigningKey.generate())
    assert pair.secret.hex() not in repr(pair)


@pytest.mark.parametrize("key", [b"", bytes(31), bytes(33)])
def test_a_key_of_the_wrong_length_is_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        curve_public_key(key)


def test_bytes_that_are_no_ed25519_point_are_refused() -> None:
    off_curve = (2).to_bytes(32, "little")  # y = 2 has no x on edwards25519
    with pytest.raises(ValueError, match="not an Ed25519 public key"):
        curve_public_key(off_curve)


def test_the_ed25519_key_is_one_of_the_two_candidates_of_its_x25519_key() -> None:
    for _ in range(20):
        ed = bytes(SigningKey.generate().verify_key)
        candidates = ed25519_candidates(curve_public_key(ed))
        assert ed in candidates and len(candidates) == 2
        assert all(curve_public_key(c) == curve_public_key(ed) for c in candidates)


@pytest.mark.parametrize("key", [bytes(31), (2**255 - 20).to_bytes(32, "little"), b"\xff" * 32])
def test_keys_no_ed25519_key_maps_to_have_no_candidates(key: bytes) -> None:
    assert ed25519_candidates(key) == ()
