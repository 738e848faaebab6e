"""A cursor over bytes that refuses to read past the end: the start of every decoder here (the
block format, the snapshot format), each adding the readers of its own encoding."""

from __future__ import annotations


class ByteReader:
    """Reads ``data`` front to back; ``take`` raises ``truncated()`` rather than read past the
    end (or read a negative count)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def truncated(self) -> ValueError:
        """The error for a read past the end; a format names its own."""
        return ValueError("truncated encoding")

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise self.truncated()
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk
