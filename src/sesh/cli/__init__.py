"""The command line: the `sesh` command and the shell every verb shares.

Two halves, in two layers:

* ``sesh.cli.shell`` is the shared shell, low in the layers (just above ``sesh.evm``) so that
  every verb can use it, wherever its work lives: the options every verb shares (``--rpc``,
  ``--deployment``, the signer options, ``--json``), the one error type that prints one line
  and sets the exit code, the stop-signal handling, reading a deployment record, the defaults.
* ``sesh.cli.commands`` is the command tree, at the top: ``main`` and the verbs that are only
  command line (`sesh deploy`, `sesh keys`); the other verbs register from the package that
  owns their work (``sesh.staking``, ``sesh.node``, ``sesh.devnet``).

This file imports neither, so that importing the shell does not build the command tree.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `sesh` command; returns the process exit code (the console script's entry)."""
    from sesh.cli.commands import main as run

    return run(argv)
