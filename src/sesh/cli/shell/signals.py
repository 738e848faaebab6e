"""Stop signals, handled the same way by every long-running command (`sesh devnet`, `sesh node
run`): SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) all mean "stop cleanly and keep
the state". The handler only sets an event; the command's own loop notices it and stops, so a
signal never interrupts a write half-way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """Set ``stop`` on SIGINT, SIGTERM or SIGHUP while the block runs; the previous handlers
    come back after it. SIGHUP is left alone when it is ignored, so that `nohup sesh … &`
    outlives the terminal."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signum == signal.SIGHUP and signal.getsignal(signum) == signal.SIG_IGN:
            continue
        previous[signum] = signal.signal(signum, handle)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_until_stopped(
    banner: str, run: Callable[[threading.Event], None], stopped: Callable[[], str]
) -> None:
    """Print `banner`, run `run(stop)` until a stop signal (or until it returns), then print
    `stopped()`: the shape of every long-running verb's life. The signals are caught before the
    banner is printed, so whoever waits for the banner may stop the verb cleanly at once."""
    with stop_on_signals(threading.Event()) as stop:
        print(banner, flush=True)
        run(stop)
    print(stopped(), flush=True)
