"""The hash's building blocks against the reference repository's own JS vectors."""

from __future__ import annotations

import pytest

from sesh.bls import (
    Backend,
    G2Point,
    InvalidEncoding,
    clear_cofactor,
    expand_message_xmd,
    hash_to_field,
    hash_to_g2,
    is_in_subgroup,
    map_to_twist,
)
from sesh.bls.fields import fp2_sqr, fp2_sqrt_herumi, is_on_twist, twist_rhs
from sesh.bls.params import P

DST = bytes.fromhex("ff54977c9d08fb9098f6beae0e4634cb9b2d4c2b9c86f0b3e2f2f0073b73f51c")


def test_expand_message_xmd_matches_the_reference_blocks() -> None:
    out = expand_message_xmd(b"asdf", DST)
    assert len(out) == 128
    blocks = [out[i : i + 32].hex() for i in range(0, 128, 32)]
    # The reference gives each block's first and last bytes.
    for block, (head, tail) in zip(
        blocks,
        [("a9289d6c", "0209"), ("e929d19b", "a15d"), ("d34bd962", "af6b"), ("47debeec", "3696")],
        strict=True,
    ):
        assert block.startswith(head) and block.endswith(tail)


def test_hash_to_field_matches_the_reference() -> None:
    u0, u1, negate = hash_to_field(b"asdf", DST)
    assert u0 == 307410635215970536626579586125711284326114787973043528925905382633054236085
    assert u1 == 1183035087006320090803410940370628752170722813268233981705860145243604330069
    assert negate is False


def test_a_dst_longer_than_255_bytes_is_refused() -> None:
    with pytest.raises(InvalidEncoding):
        expand_message_xmd(b"m", bytes(256))


def test_herumi_root_squares_back_and_has_no_zero_component() -> None:
    for x in [(1, 2), (5, 0), (123456789, 987654321), (P - 1, P - 2)]:
        v = twist_rhs(x)
        root = fp2_sqrt_herumi(v)
        if root is not None:
            assert fp2_sqr(root) == v
            assert root[0] != 0 and root[1] != 0


def test_a_real_input_has_no_usable_root() -> None:
    # Im(v) = 0 gives a root with a zero component, which the contract rejects.
    assert fp2_sqrt_herumi((4, 0)) is None


def test_map_to_twist_gives_a_twist_point_outside_g2(backend: Backend) -> None:
    point, counter, _ = map_to_twist(b"some message", DST)
    assert is_on_twist(point.x, point.y)
    assert 0 <= counter < 256
    assert not is_in_subgroup(point, backend)
    assert is_in_subgroup(clear_cofactor(point, backend), backend)


def test_the_sign_bit_negates_the_hash(backend: Backend) -> None:
    # Find messages of both signs and check the clearing commutes with the negation.
    for i in range(12):
        message = bytes([i])
        point, _, negated = map_to_twist(message, DST)
        h = hash_to_g2(message, DST, backend)
        unnegated = -point if negated else point
        assert h == (
            -clear_cofactor(unnegated, backend) if negated else clear_cofactor(unnegated, backend)
        )


def test_hash_rejects_non_bytes() -> None:
    with pytest.raises(InvalidEncoding):
        map_to_twist("text", DST)  # type: ignore[arg-type]


def test_hash_output_is_a_valid_g2point(backend: Backend) -> None:
    h = hash_to_g2(b"", DST, backend)
    assert G2Point.from_bytes(h.to_bytes()) == h
