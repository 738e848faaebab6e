"""sesh.units: what people type, read the way the contracts count."""

from __future__ import annotations

import pytest

from sesh.staking.rules import parse_reservation
from sesh.units import (
    format_amount,
    format_duration,
    format_fee,
    format_time,
    parse_amount,
    parse_fee,
    parse_span,
    parse_time,
    plain_amount,
)

SESH = 10**9
NOW = 1_767_225_600  # 2026-01-01 00:00:00 UTC


@pytest.mark.parametrize(
    "text,units",
    [
        ("5000", 5_000 * SESH),
        ("5000.5", 5_000 * SESH + SESH // 2),
        ("5,000.5", 5_000 * SESH + SESH // 2),
        ("5_000", 5_000 * SESH),
        ("0.000000001", 1),
        (".5", SESH // 2),
        ("12.", 12 * SESH),
        ("120 SESH", 120 * SESH),
        ("1.500000000", 1_500_000_000),  # trailing zeros are not extra decimals
        ("0", 0),
    ],
)
def test_an_amount_in_sesh_becomes_units(text: str, units: int) -> None:
    assert parse_amount(text) == units


@pytest.mark.parametrize(
    "text,complaint",
    [
        ("", "is not an amount"),
        ("-5", "is not an amount"),
        ("1e3", "is not an amount"),
        ("12.3.4", "is not an amount"),
        ("five", "is not an amount"),
        ("0.0000000001", "more than 9 decimals"),
    ],
)
def test_a_malformed_amount_says_what_is_expected(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_amount(text)


def test_another_tokens_decimals_and_symbol_are_respected() -> None:
    assert parse_amount("1.5 wOXEN", 9, "wOXEN") == 1_500_000_000
    assert parse_amount("1.5", 18, "ETH") == 15 * 10**17
    with pytest.raises(ValueError, match="more than 2 decimals"):
        parse_amount("1.005", 2, "CENT")


def test_amounts_read_back_in_sesh() -> None:
    assert format_amount(120 * SESH) == "120 SESH"
    assert format_amount(8_750_000_000) == "8.75 SESH"
    assert format_amount(1_000_000 * SESH) == "1,000,000 SESH"
    assert format_amount(1_500_000_000, "wOXEN") == "1.5 wOXEN"
    assert plain_amount(8_750_000_000) == "8.75"
    assert plain_amount(1_000_000 * SESH) == "1000000"
    assert plain_amount(0) == "0"


@pytest.mark.parametrize(
    "text,fee",
    [("0", 0), ("5", 500), ("5%", 500), (" 5 % ", 500), ("2.5", 250), ("0.01", 1), ("100", 10_000)],
)
def test_a_fee_in_percent_becomes_hundredths_of_a_percent(text: str, fee: int) -> None:
    assert parse_fee(text) == fee


@pytest.mark.parametrize(
    "text,complaint",
    [
        ("101", "between 0 and 100"),
        ("-1", "between 0 and 100"),
        ("0.001", "at most two decimals"),
        ("five", "not a fee"),
        ("nan", "between 0 and 100"),
    ],
)
def test_a_bad_fee_is_refused(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_fee(text)


def test_fees_read_back_in_percent() -> None:
    assert format_fee(500) == "5 %"
    assert format_fee(250) == "2.5 %"
    assert format_fee(1) == "0.01 %"
    assert format_fee(0) == "0 %"


@pytest.mark.parametrize(
    "text,moment",
    [
        ("+90s", NOW + 90),
        ("+10m", NOW + 600),
        ("+2h", NOW + 7_200),
        ("+30d", NOW + 30 * 86_400),
        ("+1w", NOW + 7 * 86_400),
        ("+1y", NOW + 365 * 86_400),
        ("1767225600", NOW),
        ("2026-01-01", NOW),
        ("2026-01-01T12:00", NOW + 12 * 3_600),
        ("2026-01-01T12:00Z", NOW + 12 * 3_600),
        ("2026-01-01T12:00+02:00", NOW + 10 * 3_600),
    ],
)
def test_a_time_is_relative_to_the_chain_a_date_or_a_unix_time(text: str, moment: int) -> None:
    assert parse_time(text, NOW) == moment


@pytest.mark.parametrize("text", ["+5", "tomorrow", "-1d", "+1.5d", "2026-13-01"])
def test_a_malformed_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_time(text, NOW)


def test_times_and_waits_read_back() -> None:
    assert format_time(NOW) == "2026-01-01 00:00:00 UTC"
    assert format_duration(3 * 86_400 + 7_200 + 59) == "3 d 2 h"
    assert format_duration(61) == "1 min 1 s"
    assert format_duration(0) == "now"


def test_a_reservation_is_an_address_and_an_amount() -> None:
    lower = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
    checksummed = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert parse_reservation(f"{lower}:20") == (checksummed, 20 * SESH)
    assert parse_reservation(f"{lower}=12.5") == (checksummed, 12_500_000_000)
    with pytest.raises(ValueError, match="is not ADDRESS:AMOUNT"):
        parse_reservation(lower)
    with pytest.raises(ValueError, match="is not an address"):
        parse_reservation("0x1234:20")
    with pytest.raises(ValueError, match="is not an amount"):
        parse_reservation(f"{lower}:lots")


def test_spans_to_move_a_clock_read_as_people_write_them() -> None:
    assert parse_span("+24h") == parse_span("1d") == 86_400
    assert parse_span("1d12h") == 129_600
    assert parse_span("90m") == 5_400 and parse_span("3600") == 3_600
    assert parse_span("2w") == 14 * 86_400
    for bad in ("", "+", "24x", "h24", "-1h", "0", "1h 2m"):
        with pytest.raises(ValueError):
            parse_span(bad)
