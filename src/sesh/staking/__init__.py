"""The stakers' verbs: `sesh stake`, `sesh contribution`, `sesh vesting`, `sesh convert`,
`sesh balance`, and `sesh claim` (registered by the command layer, which knows the devnet's
nodes).

What the staking portal lets a wallet do, from the command line: register a solo node,
run or join a multi-contributor node, stake from a vesting lock, convert wOXEN. Each verb sends
ordinary transactions signed like `sesh deploy`'s; `claim` also carries the network's BLS
signature, asked of a node and checked against the contract first.

Layout: ``rules`` is pure (the contracts' arithmetic for display, reservations, refusals in
words); ``connection`` is what every verb shares (the deployment, the chain, the signer, the
verb's shell with ``--json``); ``nodes`` the node helpers the registering verbs share; one
module per verb. Amounts and times are read and written by ``sesh.units``.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every staking verb to the command tree."""
    from sesh.staking import balance, contribution, convert, stake, vesting

    stake.register(subparsers)
    contribution.register(subparsers)
    vesting.register(subparsers)
    convert.register(subparsers)
    balance.register(subparsers)
