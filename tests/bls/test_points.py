"""Encodings of G1 and G2 points, and the checks on points that come from outside."""

from __future__ import annotations

import pytest

from sesh.bls import (
    Backend,
    G1Point,
    G2Point,
    InvalidEncoding,
    NotOnCurve,
    SecretKey,
    Signature,
    decode_signatures,
)
from sesh.bls.params import G2_GENERATOR, P

G2 = G2Point.from_fp2(*G2_GENERATOR)


def test_g1_roundtrips_through_every_encoding() -> None:
    pk = SecretKey.from_int(42).public_key()
    assert G1Point.from_bytes(pk.to_bytes()) == pk
    assert G1Point.from_hex(pk.to_hex()) == pk
    assert G1Point.from_contract(pk.to_contract()) == pk
    assert len(pk.to_bytes()) == 64


def test_g2_contract_order_is_real_part_first() -> None:
    assert G2.to_contract() == (G2.x_re, G2.x_im, G2.y_re, G2.y_im)
    assert G2.to_bytes()[:32] == G2.x_re.to_bytes(32, "big")
    assert G2.to_bytes()[32:64] == G2.x_im.to_bytes(32, "big")


def test_g2_precompile_order_is_imaginary_part_first() -> None:
    (x_im, x_re), (y_im, y_re) = G2.to_precompile()
    assert (x_re, x_im, y_re, y_im) == G2.to_contract()
    assert G2Point.from_precompile(*G2.to_precompile()) == G2


def test_g2_roundtrips_through_bytes_and_hex() -> None:
    assert G2Point.from_bytes(G2.to_bytes()) == G2
    assert Signature.from_hex(G2.to_hex()) == G2
    assert isinstance(Signature.from_bytes(G2.to_bytes()), Signature)


def test_infinity_is_all_zeros() -> None:
    assert G1Point.infinity().to_bytes() == bytes(64)
    assert G2Point.infinity().to_bytes() == bytes(128)
    assert -G1Point.infinity() == G1Point.infinity()


def test_g1_negation_is_the_contracts() -> None:
    pk = SecretKey.from_int(7).public_key()
    assert (-pk).to_contract() == (pk.x, P - pk.y)


@pytest.mark.parametrize("length", [0, 63, 65, 128])
def test_g1_of_the_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(InvalidEncoding):
        G1Point.from_bytes(bytes(length))


@pytest.mark.parametrize("length", [0, 64, 127, 129])
def test_g2_of_the_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(InvalidEncoding):
        G2Point.from_bytes(bytes(length))


def test_g1_off_the_curve_is_refused() -> None:
    with pytest.raises(NotOnCurve):
        G1Point(1, 3)


def test_g2_off_the_twist_is_refused() -> None:
    with pytest.raises(NotOnCurve):
        G2Point(G2.x_re, G2.x_im, G2.y_re, (G2.y_im + 1) % P)


def test_coordinates_at_or_above_p_are_refused() -> None:
    with pytest.raises(InvalidEncoding):
        G1Point(P, 2)
    with pytest.raises(InvalidEncoding):
        G1Point.from_bytes(P.to_bytes(32, "big") + (2).to_bytes(32, "big"))
    with pytest.raises(InvalidEncoding):
        G2Point(P + G2.x_re, G2.x_im, G2.y_re, G2.y_im)


def test_non_integer_coordinates_are_refused() -> None:
    with pytest.raises(InvalidEncoding):
        G1Point("1", 2)  # type: ignore[arg-type]


def test_non_hex_is_refused() -> None:
    with pytest.raises(InvalidEncoding):
        G1Point.from_hex("zz" * 64)


def test_backends_decode_shares_with_the_same_checks(backend: Backend) -> None:
    sig = SecretKey.from_int(11).sign(b"m", b"\x01" * 32, backend)
    assert decode_signatures([sig.to_bytes()], backend) == [sig]
    assert decode_signatures([bytes(128)], backend) == [G2Point.infinity()]
    off = bytearray(sig.to_bytes())
    off[-1] ^= 1
    with pytest.raises(NotOnCurve):
        decode_signatures([bytes(off)], backend)
    with pytest.raises(InvalidEncoding):
        decode_signatures([P.to_bytes(32, "big") + sig.to_bytes()[32:]], backend)
    with pytest.raises(InvalidEncoding):
        decode_signatures([sig.to_bytes()[:100]], backend)
