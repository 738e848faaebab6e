"""Child processes that must not outlive their parent: anvil under the devnet or a test, and
the devnet's nodes. Stopping is SIGTERM first (each child saves its state on it), SIGKILL if it
hangs; a parent killed with SIGKILL takes its children with it through the kernel's
parent-death signal (Linux).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable


def terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    """SIGTERM (anvil dumps its state, a node finishes its block, then they exit), SIGKILL if it
    hangs; returns the exit code."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def die_with_parent_hook() -> Callable[[], None] | None:
    """A ``preexec_fn`` making the kernel SIGTERM a child (anvil, a node) when its parent dies
    (Linux only).

    atexit and finalizers cover normal exits; this covers the parent being killed with SIGKILL,
    which would otherwise leave anvil holding the port and the state file. SIGTERM (not SIGKILL)
    so that anvil still dumps its state. Caveat: Linux sends the signal when the *thread* that
    started the child exits, so start long-lived nodes from a thread that lives as long as they do
    (the main thread, in the devnet and in tests).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def hook() -> None:  # runs in the child between fork and exec: keep it to two syscalls
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook
