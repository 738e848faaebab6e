"""What a chain can fail with, named once, so that code above ``sesh.evm`` can catch it without
knowing web3.py (the only layer that does).

A node that is down raises ``OSError`` (connection refused) or web3's ``Web3Exception``; a node
that answers nonsense, or a contract that refuses, raises ``ValueError`` or a subclass of
``Web3Exception``. Imported lazily: most commands never reach a chain, and web3's import costs
most of a second.
"""

from __future__ import annotations


def chain_errors() -> tuple[type[Exception], ...]:
    """The exception types a call to a chain can raise, for an ``except`` clause."""
    from web3.exceptions import Web3Exception

    return (OSError, Web3Exception, ValueError)


def node_unreachable() -> tuple[type[Exception], ...]:
    """The exception types meaning the node could not be used at all (down, or not JSON-RPC)."""
    from web3.exceptions import Web3Exception

    return (OSError, Web3Exception)
