"""A deployed contract as the layers above ``sesh.evm`` hold it: an address, a name, views to
read and calls to send, and nothing of web3.py's API.

``Chain.bind`` makes one. A view is read with ``view("status")``; a call to send is built with
``call("finalize")`` and handed to ``Chain.transact`` (or ``sesh.evm.payment.pay``, or
``Chain.dry_run``), which know what to do with it. The web3 ``Contract`` inside is ``sesh.evm``'s
business only (``Bound.web3``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from web3.contract import Contract
from web3.contract.contract import ContractFunction

Call = ContractFunction
"""A function of a contract with its arguments, ready to send or to run as a dry run."""


@dataclass(frozen=True)
class Bound:
    """A contract at an address, bound to its ABI."""

    web3: Contract
    name: str
    """The contract's name (``"ServiceNodeContribution"``), for messages."""

    @property
    def address(self) -> ChecksumAddress:
        return self.web3.address

    def view(self, function: str, *args: Any) -> Any:
        """The answer of the view ``function(*args)`` on the latest block."""
        return getattr(self.web3.functions, function)(*args).call()

    def call(self, function: str, *args: Any) -> Call:
        """``function(*args)`` as a call to send (``Chain.transact``)."""
        built: Call = getattr(self.web3.functions, function)(*args)
        return built


def web3_contract(contract: Bound | Contract) -> Contract:
    """The web3 ``Contract`` behind ``contract`` (either kind, for ``sesh.evm``'s own use)."""
    return contract.web3 if isinstance(contract, Bound) else contract
