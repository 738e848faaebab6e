"""Signing requests and their answers between nodes, decoded strictly.

A request asks every node to sign one thing the contract verifies:

* a reward balance: an address and the height whose ledger says how much (`REWARDS`);
* an exit or a liquidation of a BLS key at a timestamp (`EXIT`, `LIQUIDATION`).

The answer carries the request's id, a status (the reference's codes: 200 signed; 400 a bad
request, such as a timestamp too far from now; 403 a key the signer will not remove; 404
nothing to sign, such as a zero balance; 410 a height the signer does not hold), the amount the
signer's ledger gives (rewards), the 128-byte signature share when signed, and a reason a person
can read when not. The aggregator keeps a share only when the answer is for exactly the message
it asked about.

    request = version(1) ‖ id(8) ‖ kind(1) ‖ address(20) ‖ height(8)            (rewards)
                                 ‖ kind(1) ‖ bls key(64) ‖ timestamp(8)          (exit, liquidation)
    answer  = version(1) ‖ id(8) ‖ status(2) ‖ amount(32) ‖ signature(0 or 128) ‖ reason

Every field has its width; a reason is at most `MAX_REASON` bytes of UTF-8; nothing else is
accepted (`MessageError`, a ValueError).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from sesh.ledger.reader import ByteReader

VERSION = 1
REQUEST_KIND = "bls.sign"
ANSWER_KIND = "bls.share"
MAX_REASON = 200
SIGNATURE_BYTES = 128
REQUEST_BYTES = 1 + 8 + 1 + 64 + 8
ANSWER_BYTES = 1 + 8 + 2 + 32 + SIGNATURE_BYTES + MAX_REASON
"""The largest payload of each kind, for the transport's limits."""


class MessageError(ValueError):
    """Bytes that are not a signing request or answer."""


class Kind(IntEnum):
    """What a request asks the network to sign: a reward balance, an exit or a liquidation."""

    REWARDS = 1
    EXIT = 2
    LIQUIDATION = 3


class Status(IntEnum):
    """A signer's answer, with the reference's codes (see the module docstring)."""

    SIGNED = 200
    BAD_REQUEST = 400
    """Malformed, a timestamp too far from now, or a kind this node does not sign."""
    NOT_REMOVABLE = 403
    NOTHING_TO_SIGN = 404
    HEIGHT_UNAVAILABLE = 410
    """A height the signer has not reached or no longer holds."""


@dataclass(frozen=True, slots=True)
class SignRequest:
    """Sign `address`'s balance at `height` (rewards), or the removal of `bls_pubkey` at
    `timestamp` (exit, liquidation)."""

    request_id: int
    kind: Kind
    address: bytes = b""
    height: int = 0
    bls_pubkey: bytes = b""
    timestamp: int = 0

    def encode(self) -> bytes:
        head = bytes([VERSION]) + _u(self.request_id, 8) + bytes([self.kind])
        if self.kind is Kind.REWARDS:
            if len(self.address) != 20:
                raise MessageError("an address is 20 bytes")
            return head + self.address + _u(self.height, 8)
        if len(self.bls_pubkey) != 64:
            raise MessageError("a BLS key is 64 bytes")
        return head + self.bls_pubkey + _u(self.timestamp, 8)

    @classmethod
    def decode(cls, data: bytes) -> SignRequest:
        reader = _reader(data)
        request_id = int.from_bytes(reader.take(8), "big")
        try:
            kind = Kind(reader.take(1)[0])
        except ValueError:
            raise MessageError("an unknown kind of signing request") from None
        if kind is Kind.REWARDS:
            request = cls(request_id, kind, address=reader.take(20), height=_int(reader, 8))
        else:
            request = cls(request_id, kind, bls_pubkey=reader.take(64), timestamp=_int(reader, 8))
        _end(reader)
        return request


@dataclass(frozen=True, slots=True)
class SignAnswer:
    """A signer's answer to request `request_id` (see the module docstring)."""

    request_id: int
    status: Status
    amount: int = 0
    signature: bytes = b""
    reason: str = ""

    def encode(self) -> bytes:
        if len(self.signature) != (SIGNATURE_BYTES if self.status is Status.SIGNED else 0):
            raise MessageError("a signature (128 bytes) comes with status 200 and only then")
        reason = self.reason.encode()[:MAX_REASON]
        return (
            bytes([VERSION])
            + _u(self.request_id, 8)
            + _u(self.status, 2)
            + _u(self.amount, 32)
            + self.signature
            + reason
        )

    @classmethod
    def decode(cls, data: bytes) -> SignAnswer:
        if len(data) > ANSWER_BYTES:
            raise MessageError("a signing answer too long")
        reader = _reader(data)
        request_id = int.from_bytes(reader.take(8), "big")
        try:
            status = Status(int.from_bytes(reader.take(2), "big"))
        except ValueError:
            raise MessageError("an unknown status") from None
        amount = int.from_bytes(reader.take(32), "big")
        signature = reader.take(SIGNATURE_BYTES) if status is Status.SIGNED else b""
        try:
            reason = reader.take(len(data) - reader.pos).decode()
        except UnicodeDecodeError:
            raise MessageError("a reason that is not UTF-8") from None
        return cls(request_id, status, amount, signature, reason)


def _u(value: int, width: int) -> bytes:
    try:
        return int(value).to_bytes(width, "big")
    except OverflowError:
        raise MessageError(f"{value} does not fit {width} bytes") from None


def _int(reader: ByteReader, width: int) -> int:
    return int.from_bytes(reader.take(width), "big")


def _reader(data: bytes) -> ByteReader:
    reader = _Reader(data)
    if not data or data[0] != VERSION:
        raise MessageError("an unknown signing message version")
    reader.take(1)
    return reader


def _end(reader: ByteReader) -> None:
    if reader.pos != len(reader.data):
        raise MessageError("bytes left over after a signing request")


class _Reader(ByteReader):
    def truncated(self) -> ValueError:
        return MessageError("a truncated signing message")
