"""The stakers' verbs: `sesh stake`, `sesh contribution`, `sesh vesting`, `sesh convert`.

What the staking portal lets a wallet do, from the command line: register a solo node,
run or join a multi-contributor node, stake from a vesting lock, convert wOXEN. Each verb sends
ordinary transactions signed like `sesh deploy`'s; none needs the network's BLS signatures
(claims and exits, which do, come with the aggregator).

Layout: ``units`` and ``rules`` are pure (reading amounts, fees and times; the contracts'
arithmetic for display); ``connection`` is what every verb shares (options, the deployment,
the chain, one-line failures); one module per verb.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every staking verb to the command tree."""
    from sesh.staking import contribution, convert, stake, vesting

    stake.register(subparsers)
    contribution.register(subparsers)
    vesting.register(subparsers)
    convert.register(subparsers)
