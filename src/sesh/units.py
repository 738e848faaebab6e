"""Amounts and times as people type and read them, and as the contracts and the ledger count them.

The contracts count SESH (and wOXEN) in atoms of 10**-9, fees in 1/100 of a percent and time in
unix seconds; people type "5000.5", "5 %" and "+30d" and read "5,000.5 SESH" and
"2026-01-01 00:00:00 UTC (in 23 h)". Both directions live here, once, as pure functions (no
chain, no clock: "now" is always an argument), so that every verb, the node's status and the
devnet read and print the same way, and the rules are tested on their own. This module sits at
the bottom of the layers: the ledger takes ``SESH`` from here too.

A bad value raises ``ValueError`` whose message says what was expected, ready to print after
the option's name.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

SESH_DECIMALS = 9
"""SESH's decimals (and wOXEN's): amounts on chain are in atoms of 10**-9 SESH."""
SESH = 10**SESH_DECIMALS
"""One SESH in atoms."""

MAX_FEE = 10_000
"""Fees are in 1/100 of a percent: 10,000 is 100 % (the contribution contract's MAX_FEE)."""

_DURATIONS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400}
"""The units of a relative time (``+30d``); a year is 365 days, as the contracts count it."""


# -- amounts -----------------------------------------------------------------------------------


def parse_amount(text: str, decimals: int = SESH_DECIMALS, symbol: str = "SESH") -> int:
    """``"5000"`` → 5000·10⁹, ``"5,000.5"`` → 5000.5·10⁹: a token amount in whole tokens, to
    the token's atoms. Thousands separators (``,`` or ``_``) and the symbol are allowed; more
    digits after the point than the token has are not (they would be silently lost)."""
    cleaned = text.strip()
    if cleaned.upper().endswith(symbol.upper()):
        cleaned = cleaned[: -len(symbol)].strip()
    cleaned = cleaned.replace(",", "").replace("_", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", cleaned):
        raise ValueError(f"{text!r} is not an amount of {symbol} (e.g. 5000 or 5000.5)")
    whole, _, fraction = cleaned.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > decimals:
        raise ValueError(f"{text!r} has more than {decimals} decimals ({symbol} has {decimals})")
    scale: int = 10**decimals
    return int(whole or "0") * scale + int(fraction.ljust(decimals, "0") or "0")


def parse_positive_amount(text: str, decimals: int = SESH_DECIMALS, symbol: str = "SESH") -> int:
    """``parse_amount``, refusing zero: an amount to send, lock or stake (a transaction that
    moves nothing is always a mistake, and some contracts would accept it)."""
    amount = parse_amount(text, decimals, symbol)
    if amount == 0:
        raise ValueError(f"{text!r}: the amount must be more than 0 {symbol}")
    return amount


def format_amount(atoms: int, symbol: str = "SESH", decimals: int = SESH_DECIMALS) -> str:
    """``120000000000`` → ``"120 SESH"``, ``8750000000`` → ``"8.75 SESH"``: whole tokens,
    digits grouped, the fraction exact (never rounded)."""
    sign = "-" if atoms < 0 else ""
    whole, fraction = divmod(abs(atoms), 10**decimals)
    text = f"{sign}{whole:,}"
    if fraction:
        text += "." + f"{fraction:0{decimals}d}".rstrip("0")
    return f"{text} {symbol}"


def plain_amount(atoms: int, decimals: int = SESH_DECIMALS) -> str:
    """``8750000000`` → ``"8.75"``: exact and ungrouped, for JSON beside the atoms."""
    return format((Decimal(atoms) / 10**decimals).normalize(), "f")


# -- fees --------------------------------------------------------------------------------------


def parse_fee(text: str) -> int:
    """``"5"`` or ``"5%"`` → 500, ``"0.25"`` → 25: an operator fee in percent, to the contracts'
    1/100 of a percent (0 to 100 %, at most two decimals)."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        percent = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a fee in percent (e.g. 5 or 2.5)") from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise ValueError(f"{text!r}: a fee is between 0 and 100 percent")
    hundredths = percent * 100
    if hundredths != hundredths.to_integral_value():
        raise ValueError(f"{text!r}: a fee has at most two decimals (1/100 of a percent)")
    return int(hundredths)


def format_fee(fee: int) -> str:
    """500 → ``"5 %"``, 25 → ``"0.25 %"``."""
    return f"{format((Decimal(fee) / 100).normalize(), 'f')} %"


# -- times -------------------------------------------------------------------------------------


def parse_time(text: str, now: int) -> int:
    """A moment as unix seconds, from ``+90s`` / ``+10m`` / ``+2h`` / ``+30d`` / ``+1w`` /
    ``+1y`` (after ``now``, the chain's time), a unix time (``1767225600``), or an ISO 8601
    date or date and time (``2026-01-01``, ``2026-01-01T12:00``; UTC unless it says)."""
    cleaned = text.strip()
    relative = parse_relative(cleaned)
    if relative is not None:
        return now + relative
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time (e.g. +30d, 2026-01-01, 2026-01-01T12:00Z or a unix time)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def parse_relative(text: str) -> int | None:
    """``"+24h"`` → 86,400: a span in seconds; None when ``text`` is not ``+N`` and a unit
    (s, m, h, d, w, y)."""
    relative = re.fullmatch(r"\+(\d+)([smhdwy])", text.strip())
    if relative is None:
        return None
    return int(relative.group(1)) * _DURATIONS[relative.group(2)]


def parse_span(text: str) -> int:
    """``"+24h"``, ``"1d12h"``, ``"90m"`` or ``"3600"`` (seconds) → seconds, above zero: how
    far to move a clock. ValueError otherwise."""
    body = text.strip().removeprefix("+")
    parts = re.findall(r"(\d+)([smhdwy])", body)
    if body.isdigit():
        seconds = int(body)
    elif parts and "".join(number + unit for number, unit in parts) == body:
        seconds = sum(int(number) * _DURATIONS[unit] for number, unit in parts)
    else:
        raise ValueError(f"{text!r} is not a duration such as +24h, 1d12h, 90m or 3600")
    if seconds <= 0:
        raise ValueError("the clock only moves forward: give a duration above zero")
    return seconds


def format_time(timestamp: int | float) -> str:
    """1767225600 → ``"2026-01-01 00:00:00 UTC"``."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(seconds: int | float) -> str:
    """3 × 86,400 + 7,200 → ``"3 d 2 h"``: a span in its two largest units; "now" for none."""
    seconds = int(seconds)
    if seconds <= 0:
        return "now"
    parts = []
    for name, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}")
    return " ".join(parts[:2])


def format_relative(timestamp: int | float, now: int | float) -> str:
    """``"in 23 h"``, ``"5 min ago"`` or ``"now"``: a moment seen from ``now``."""
    delta = int(timestamp) - int(now)
    if delta > 0:
        return f"in {format_duration(delta)}"
    if delta < 0:
        return f"{format_duration(-delta)} ago"
    return "now"


def format_moment(timestamp: int | float, now: int | float) -> str:
    """``"2026-01-01 00:00:00 UTC (in 23 h)"``: a moment as a date, and how far it is."""
    return f"{format_time(timestamp)} ({format_relative(timestamp, now)})"
