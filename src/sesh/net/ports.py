"""Free TCP ports on a host, for a devnet asked to pick its own (`--port 0`) and for tests.

The ports are found by binding port 0 and reading what the kernel gave; they are released before
use, so another program could take one in between: on a developer's machine that is rare, and
the process that then cannot bind says so.
"""

from __future__ import annotations

import socket


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports that were free a moment ago."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
