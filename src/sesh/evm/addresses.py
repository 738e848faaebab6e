"""Ethereum addresses as people type them: checked, then written in their checksummed form.

Every address a user gives (an option, a deployment record, a reservation) comes through
``checksum``, so that a typo is refused in words instead of becoming a transaction to nowhere:
an address in mixed case must carry a valid EIP-55 checksum (a mixed-case address with a wrong
one is a mistyped address, which all-lower or all-upper case cannot reveal); the zero address
is refused where it would silently stand for "nobody" (``nonzero``).
"""

from __future__ import annotations

import re

from eth_typing import ChecksumAddress

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
"""The address the contracts read as "none" (no beneficiary, no reservation)."""

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def to_checksum(address: str) -> ChecksumAddress:
    """``address`` (assumed well-formed: from a chain or a record we wrote) in EIP-55 form."""
    from eth_utils.address import to_checksum_address

    return to_checksum_address(address)


def checksum(text: str, what: str = "the address") -> ChecksumAddress:
    """The address ``text`` in EIP-55 form; ValueError, naming ``what``, when it is not 0x and
    40 hex digits or when it is in mixed case with a wrong checksum."""
    cleaned = text.strip()
    if not _HEX_ADDRESS.fullmatch(cleaned):
        raise ValueError(f"{what} {text!r} is not an address (0x and 40 hex digits)")
    digits = cleaned[2:]
    address = to_checksum(cleaned)
    mixed = digits != digits.lower() and digits != digits.upper()
    if mixed and address != cleaned:
        raise ValueError(
            f"{what} {cleaned} has a wrong checksum (a typo?); the address with these digits "
            f"is {address}"
        )
    return address


def nonzero(text: str, what: str = "the address") -> ChecksumAddress:
    """``checksum``, also refusing the zero address (which the contracts read as "none")."""
    address = checksum(text, what)
    if int(address, 16) == 0:
        raise ValueError(f"{what} is the zero address, which the contracts read as nobody")
    return address


def same_address(a: str, b: str) -> bool:
    """Whether two addresses are the same, whatever their case."""
    return a.lower() == b.lower()
