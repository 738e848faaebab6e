"""What the tracker raises, sorted by what the caller should do about it.

* ``ProviderError``: one provider failed or answered something that is not an answer (a
  transport error, a JSON-RPC error object, a malformed log). The next provider may do better,
  so ``Providers`` fails over on it; the caller never sees it alone.
* ``AllProvidersFailed``: every provider failed this time. Nothing was reported and the
  position is unchanged: poll again later.
* ``ChainMoved``: the chain changed while a poll read it (a reorg in the middle of a poll).
  Nothing was reported: poll again.
* ``ChainIdMismatch``: a provider serves another chain. A configuration error: stop.
* ``ReorgTooDeep``: a reorg went below the window of blocks the position remembers, so the
  tracker cannot say which reported events it undid. The node must resync from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence


class L2Error(Exception):
    """Base class of everything ``sesh.l2`` raises on purpose."""


class ProviderError(L2Error):
    """A provider failed or gave an answer that cannot be right; another one may do better."""


class RpcError(ProviderError):
    """The provider answered a JSON-RPC call with an error object."""

    def __init__(self, method: str, code: object, message: str) -> None:
        super().__init__(f"{method}: error {code}: {message}")


class MalformedAnswer(ProviderError):
    """An answer that is not what the method returns (wrong type, bad hex, impossible value)."""


class MalformedLog(MalformedAnswer):
    """A log that is not a well-formed log of the rewards contract; the message names the
    field and what was wrong with it."""


class SeededNodeUnreadable(ProviderError):
    """A seeded node's contributors cannot be read: the node has left the contract by the safe
    height, its seeding transaction was not a direct ``seedPublicKeyList`` call (a multisig
    sent it), and this provider keeps no state at the block of its seeding (an archive
    provider can answer)."""


class AllProvidersFailed(L2Error):
    """Every provider failed; ``errors`` holds each one's failure, in the order tried."""

    def __init__(self, errors: Sequence[tuple[str, Exception]]) -> None:
        details = "; ".join(f"{name}: {error}" for name, error in errors) or "no providers"
        super().__init__(f"every L2 provider failed ({details})")
        self.errors = list(errors)


class ChainIdMismatch(L2Error):
    """A provider serves another chain than the one configured."""

    def __init__(self, provider: str, expected: int, actual: int) -> None:
        super().__init__(
            f"the L2 provider {provider} serves chain {actual}, not chain {expected}: "
            "check the provider URL (or the configured chain id)"
        )
        self.provider = provider
        self.expected = expected
        self.actual = actual


class ChainMoved(L2Error):
    """The chain changed while a poll was reading it; nothing was reported."""


class ReorgTooDeep(L2Error):
    """A reorg undid blocks below the oldest block the position remembers."""

    def __init__(self, oldest_known: int, latest: int) -> None:
        super().__init__(
            f"the L2 chain was reorganised below block {oldest_known}, the oldest block the "
            f"tracker remembers (the provider's latest block is {latest}): events reported "
            "from before it may be gone; resync the node's L2 state from its start block"
        )
        self.oldest_known = oldest_known
        self.latest = latest
