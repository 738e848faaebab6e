"""Secret keys as the reference node writes and reads them."""

from __future__ import annotations

import pytest

from sesh.bls import InvalidSecretKey, SecretKey
from sesh.bls.params import R


def test_from_hex_accepts_the_key_file_form_and_shorter_hex() -> None:
    assert SecretKey.from_hex("0x" + "00" * 31 + "05").scalar == 5
    assert SecretKey.from_hex("5").scalar == 5
    assert SecretKey.from_hex("0xabc\n").scalar == 0xABC


def test_keys_at_or_above_r_are_reduced() -> None:
    assert SecretKey.from_int(R + 3).scalar == 3
    assert SecretKey.from_hex(hex(R + 3)).scalar == 3


@pytest.mark.parametrize("bad", ["", "0x", "0", hex(R), "xyz", "1" * 65])
def test_bad_hex_keys_are_refused(bad: str) -> None:
    with pytest.raises(InvalidSecretKey):
        SecretKey.from_hex(bad)


def test_generated_keys_have_the_top_bit_clear_and_roundtrip() -> None:
    for _ in range(20):
        sk = SecretKey.generate()
        assert 0 < sk.scalar < R
        assert len(sk.to_hex()) == 66
        assert SecretKey.from_hex(sk.to_hex()) == sk


def test_repr_does_not_show_the_secret() -> None:
    sk = SecretKey.from_int(123456789)
    assert "123456789" not in repr(sk)


def test_raw_bytes_must_be_32() -> None:
    with pytest.raises(InvalidSecretKey):
        SecretKey.from_bytes(b"\x01" * 31)
    assert SecretKey.from_bytes(b"\x00" * 31 + b"\x09").scalar == 9
