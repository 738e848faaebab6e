"""Reading a deployment record for a verb: the devnet's by default, refusals in words.

Every verb that talks to the contracts starts from the record `sesh deploy` (or the devnet)
wrote. Read here once, so that a missing or broken record reads the same from `sesh stake`,
`sesh node run` and the rest, and says what to do.
"""

from __future__ import annotations

from pathlib import Path

from sesh.cli.shell.defaults import DEFAULT_RPC, DEVNET_DEPLOYMENT
from sesh.cli.shell.errors import CommandError, one_line
from sesh.evm.record import Deployment, read_deployment


def read_record(path: Path | None) -> tuple[Deployment, Path]:
    """The record at ``path`` (None: the devnet's, ``./devnet-data/contracts.json``) and the
    path it was read from; a usage CommandError when there is none or it is not a record."""
    where = path or DEVNET_DEPLOYMENT
    try:
        return read_deployment(where), where
    except FileNotFoundError:
        hint = (
            ": run `sesh devnet` in this directory, or name a record with --deployment FILE"
            if path is None
            else ""
        )
        raise CommandError(f"no deployment record at {where}{hint}", 2) from None
    except (OSError, ValueError) as error:
        raise CommandError(f"{where}: {one_line(error)}", 2) from None


def rpc_url(option: str | None, deployment: Deployment) -> str:
    """The chain to use: ``--rpc`` when given, else the one the record names (a devnet on
    another port writes it), else the devnet's default."""
    return option or deployment.rpc_url or DEFAULT_RPC
