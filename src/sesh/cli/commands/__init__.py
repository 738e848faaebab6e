"""The `sesh` command tree: one entry point, one sub-command per verb.

Each sub-command registers itself here through a ``register(subparsers)`` function: the verbs
that are only command line (`sesh deploy`, `sesh keys`) from this package, the others from the
package that owns their work (``sesh.devnet``, ``sesh.node``, ``sesh.staking``), so this file
stays a table of contents.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sesh import __version__


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; tests walk it to check that every command explains itself."""
    from sesh import devnet, node, staking
    from sesh.cli.commands import deploy, keys, network
    from sesh.staking import claim, leave

    parser = argparse.ArgumentParser(
        prog="sesh",
        description=(
            "sesh runs the Session Network on your machine: the staking contracts on an "
            "Ethereum chain, the nodes that watch them and sign rewards with BLS, and the "
            "tools around them. Start with `sesh devnet`."
        ),
    )
    parser.add_argument("--version", action="version", version=f"sesh {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    devnet.register(sub)
    deploy.register(sub)
    keys.register(sub)
    network.register(sub)
    node.register(sub)
    staking.register(sub)
    claim.register(sub, network.claim_node)
    leave.register(sub, network.claim_node)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `sesh` command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
