"""Signed address announcements, and the address book that takes only valid, newer ones."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from sesh.net.announce import (
    ANNOUNCEMENT_SIZE,
    DEFAULT_VALIDITY,
    MAX_FUTURE,
    AddressBook,
    Announcement,
    PeerAddress,
    Verdict,
    sign_announcement,
)
from sesh.net.codec import MalformedMessage

NOW = 1_800_000_000
NODE = SigningKey(bytes(range(32)))
KEY = bytes(NODE.verify_key)


def announce(timestamp: int = NOW, host: str = "10.1.2.3", key: SigningKey = NODE) -> Announcement:
    return sign_announcement(key, host, port=22025, rpc_port=22023, timestamp=timestamp)


def test_an_announcement_verifies_and_round_trips_through_its_bytes() -> None:
    a = announce()
    assert a.verify()
    data = a.to_bytes()
    assert len(data) == ANNOUNCEMENT_SIZE
    assert Announcement.from_bytes(data) == a
    assert a.address == PeerAddress("10.1.2.3", 22025)


@pytest.mark.parametrize(
    "change",
    [
        {"host": "10.1.2.4"},
        {"port": 22026},
        {"rpc_port": 22024},
        {"timestamp": NOW + 1},
        {"ed25519_pubkey": bytes(SigningKey.generate().verify_key)},
    ],
)
def test_changing_any_signed_field_breaks_the_signature(change: dict[str, object]) -> None:
    assert not replace(announce(), **change).verify()  # type: ignore[arg-type]


def test_the_signature_is_over_a_domain_tag_not_the_bare_fields() -> None:
    a = announce()
    bare = NODE.sign(a.to_bytes()[: -len(a.signature)]).signature
    assert not replace(a, signature=bytes(bare)).verify()


@given(st.binary(min_size=ANNOUNCEMENT_SIZE, max_size=ANNOUNCEMENT_SIZE) | st.binary(max_size=200))
def test_random_bytes_decode_or_raise_malformed_message(data: bytes) -> None:
    try:
        a = Announcement.from_bytes(data)
    except MalformedMessage:
        return
    assert a.to_bytes() == data


@pytest.mark.parametrize(
    ("offset", "replacement", "why"),
    [(0, b"\x02", "version"), (37, bytes(2), "port 0"), (39, bytes(2), "rpc_port 0")],
)
def test_decoding_refuses_fields_out_of_range(offset: int, replacement: bytes, why: str) -> None:
    data = bytearray(announce().to_bytes())
    data[offset : offset + len(replacement)] = replacement
    with pytest.raises(MalformedMessage, match=why):
        Announcement.from_bytes(bytes(data))


def test_decoding_refuses_truncated_and_trailing_bytes() -> None:
    data = announce().to_bytes()
    for wrong in (data[:-1], data + b"\x00"):
        with pytest.raises(MalformedMessage, match=f"{ANNOUNCEMENT_SIZE} bytes"):
            Announcement.from_bytes(wrong)


@pytest.mark.parametrize("host", ["localhost", "::1", "10.1.2", "010.1.2.3", " 10.1.2.3"])
def test_a_host_is_an_ipv4_address_in_its_one_form(host: str) -> None:
    with pytest.raises(ValueError, match="IPv4"):
        announce(host=host)


def test_the_book_accepts_a_valid_announcement_once() -> None:
    book = AddressBook()
    assert book.offer(announce(), NOW) is Verdict.ACCEPTED
    assert book.offer(announce(), NOW) is Verdict.NOT_NEWER
    assert book.announcement(KEY, NOW) == announce()
    assert book.address(KEY, NOW) == PeerAddress("10.1.2.3", 22025)


def test_a_newer_announcement_replaces_the_held_one_and_an_older_one_does_not() -> None:
    book = AddressBook()
    book.offer(announce(NOW - 60, host="10.0.0.1"), NOW)
    assert book.offer(announce(NOW, host="10.0.0.2"), NOW) is Verdict.ACCEPTED
    assert book.offer(announce(NOW - 30, host="10.0.0.3"), NOW) is Verdict.NOT_NEWER
    assert book.address(KEY, NOW) == PeerAddress("10.0.0.2", 22025)


def test_a_forged_signature_is_refused_and_leaves_the_held_announcement() -> None:
    book = AddressBook()
    book.offer(announce(NOW - 60), NOW)
    forged = replace(announce(NOW), host="6.6.6.6")
    assert book.offer(forged, NOW) is Verdict.BAD_SIGNATURE
    assert book.address(KEY, NOW) == PeerAddress("10.1.2.3", 22025)


def test_a_signature_by_another_key_is_refused() -> None:
    mine = announce()
    theirs = announce(key=SigningKey.generate())
    assert AddressBook().offer(replace(mine, signature=theirs.signature), NOW) is (
        Verdict.BAD_SIGNATURE
    )


def test_an_announcement_more_than_five_minutes_ahead_is_refused() -> None:
    book = AddressBook()
    assert book.offer(announce(NOW + MAX_FUTURE + 1), NOW) is Verdict.FROM_THE_FUTURE
    assert book.offer(announce(NOW + MAX_FUTURE), NOW) is Verdict.ACCEPTED


def test_an_announcement_older_than_the_validity_window_is_refused() -> None:
    book = AddressBook(validity=3600)
    assert book.offer(announce(NOW - 3601), NOW) is Verdict.EXPIRED
    assert book.offer(announce(NOW - 3600), NOW) is Verdict.ACCEPTED


def test_a_key_the_node_does_not_admit_is_refused() -> None:
    book = AddressBook(admit=lambda key: key != KEY)
    assert book.offer(announce(), NOW) is Verdict.NOT_ADMITTED
    assert book.offer(announce(key=SigningKey.generate()), NOW) is Verdict.ACCEPTED


def test_an_expired_announcement_gives_way_to_the_bootstrap_address() -> None:
    seed = PeerAddress("127.0.0.1", 30000)
    book = AddressBook(bootstrap={KEY: seed})
    assert book.address(KEY, NOW) == seed
    book.offer(announce(NOW), NOW)
    assert book.address(KEY, NOW) == PeerAddress("10.1.2.3", 22025)
    later = NOW + DEFAULT_VALIDITY + 1
    assert book.announcement(KEY, later) is None
    assert book.address(KEY, later) == seed
    assert book.address(bytes(32), NOW) is None


def test_prune_forgets_expired_announcements() -> None:
    book = AddressBook(validity=100)
    other = SigningKey.generate()
    book.offer(announce(NOW - 50), NOW)
    book.offer(announce(NOW, key=other), NOW)
    assert book.prune(NOW + 60) == 1
    assert [a.ed25519_pubkey for a in book.announcements(NOW + 60)] == [bytes(other.verify_key)]
