"""What people type and read, and what the contracts count: amounts, fees, times, reservations.

The contracts count SESH in 10**-9 units, fees in 1/100 of a percent and time in unix seconds;
people type "5000.5", "5 %" and "+30d". Reading both ways is done here, as pure functions (no
chain, no clock: "now" is an argument), so that every verb reads its input the same way and the
rules are tested on their own. A bad value raises ``ValueError`` whose message says what was
expected, ready to print after the option's name.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sesh.evm.deploy import SESH_DECIMALS, format_units

MAX_FEE = 10_000
"""The contribution contract's MAX_FEE: fees are in 1/100 of a percent, 10,000 is 100 %."""

_DURATIONS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400}
"""The units of a relative time (``+30d``); a year is 365 days, as the contracts count it."""


# -- amounts -----------------------------------------------------------------------------------


def parse_amount(text: str, decimals: int = SESH_DECIMALS, symbol: str = "SESH") -> int:
    """``"5000"`` → 5000·10⁹, ``"5,000.5"`` → 5000.5·10⁹: a token amount in whole tokens, to
    the token's units. Thousands separators (``,`` or ``_``) and the symbol are allowed; more
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


def format_amount(units: int, symbol: str = "SESH", decimals: int = SESH_DECIMALS) -> str:
    """``120000000000`` → ``"120 SESH"``, ``8750000000`` → ``"8.75 SESH"``: digits grouped,
    fractions exact (``sesh deploy``'s own rule)."""
    return format_units(units, symbol, decimals)


def plain_amount(units: int, decimals: int = SESH_DECIMALS) -> str:
    """``8750000000`` → ``"8.75"``: exact, ungrouped, for JSON (as the devnet's balances)."""
    return format((Decimal(units) / 10**decimals).normalize(), "f")


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
    relative = re.fullmatch(r"\+(\d+)([smhdwy])", cleaned)
    if relative:
        return now + int(relative.group(1)) * _DURATIONS[relative.group(2)]
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


def format_time(timestamp: int) -> str:
    """1767225600 → ``"2026-01-01 00:00:00 UTC"``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(seconds: int) -> str:
    """3 × 86,400 + 7,200 → ``"3 d 2 h"``: a wait in the two largest units."""
    if seconds <= 0:
        return "now"
    parts = []
    for name, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}")
    return " ".join(parts[:2])


# -- reservations ------------------------------------------------------------------------------


def parse_reservation(text: str) -> tuple[str, int]:
    """``"0xAbC…:20"`` (or ``=``) → (checksummed address, 20·10⁹): a reserved contribution."""
    from eth_utils.address import is_address, to_checksum_address

    address, separator, amount = text.strip().replace("=", ":").partition(":")
    if not separator:
        raise ValueError(f"{text!r} is not ADDRESS:AMOUNT (e.g. 0x…:20 for 20 SESH)")
    if not is_address(address.strip()):
        raise ValueError(f"{address.strip()!r} is not an address (0x and 40 hex digits)")
    return to_checksum_address(address.strip()), parse_amount(amount)
