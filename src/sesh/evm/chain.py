"""A web3 connection to a development chain, with what tests, benchmarks and the devnet share.

Deploying artifacts (plainly, or behind an ERC-1967 proxy and initialised in the same
transaction), sending transactions and getting their receipts, moving the clock and taking
snapshots (anvil's ``evm_*`` methods), and reading a revert back as bytes. Everything is
synchronous; anvil mines each transaction as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxParams, TxReceipt, Wei

from sesh.evm.compiler import Artifact
from sesh.evm.proxy import proxy_initcode

RECEIPT_POLL_SECONDS = 0.01
"""anvil mines on arrival, so the receipt is there almost at once; web3's 0.1 s default would
dominate the run time of a test suite made of short transactions."""


class TransactionFailed(Exception):
    """A transaction was mined with status 0."""

    def __init__(self, receipt: TxReceipt) -> None:
        super().__init__(f"transaction {receipt['transactionHash'].hex()} failed")
        self.receipt = receipt


class NoRevert(AssertionError):
    """A call expected to revert went through."""


class Chain:
    """One RPC endpoint: ``Chain(node.rpc_url)``; accounts are the node's unlocked ones."""

    def __init__(self, rpc_url: str) -> None:
        self.w3 = Web3(Web3.HTTPProvider(rpc_url))
        self.accounts: list[ChecksumAddress] = list(self.w3.eth.accounts)

    # -- transactions ------------------------------------------------------------------------

    def wait(self, tx_hash: Any) -> TxReceipt:
        """The receipt of ``tx_hash``; raises ``TransactionFailed`` for a failed transaction."""
        receipt = self.w3.eth.wait_for_transaction_receipt(
            tx_hash, poll_latency=RECEIPT_POLL_SECONDS
        )
        if receipt["status"] != 1:
            raise TransactionFailed(receipt)
        return receipt

    def transact(
        self, function: ContractFunction, sender: str | None = None, value: int = 0
    ) -> TxReceipt:
        """Send a contract call as a transaction and return its receipt.

        A call that would revert raises web3's ``ContractCustomError``/``ContractLogicError``
        from gas estimation, before anything is sent, so ``revert_data`` can read it.
        """
        params: TxParams = {"from": self._sender(sender), "value": Wei(value)}
        return self.wait(function.transact(params))

    def deploy(
        self, artifact: Artifact, *args: Any, sender: str | None = None, value: int = 0
    ) -> Contract:
        """Deploy ``artifact`` with constructor ``args``; the contract bound to its ABI."""
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        params: TxParams = {"from": self._sender(sender), "value": Wei(value)}
        receipt = self.wait(factory.constructor(*args).transact(params))
        return self._at(receipt["contractAddress"], artifact)

    def deploy_proxy(
        self, implementation: str, init_data: bytes = b"", sender: str | None = None
    ) -> ChecksumAddress:
        """Deploy an ERC-1967 proxy (``sesh.evm.proxy``) and run ``init_data`` in it at once."""
        tx = self.w3.eth.send_transaction(
            {"from": self._sender(sender), "data": proxy_initcode(implementation, init_data)}
        )
        address = self.wait(tx)["contractAddress"]
        if address is None:
            raise ValueError("the receipt names no contract")
        return address

    def deploy_upgradeable(
        self,
        artifact: Artifact,
        initializer: str = "initialize",
        args: Sequence[Any] = (),
        sender: str | None = None,
    ) -> tuple[Contract, Contract]:
        """Deploy the implementation, then a proxy initialised with ``initializer(*args)``.

        Returns (the proxy with the implementation's ABI, the implementation). The initialiser
        runs with ``sender`` as ``msg.sender``, as with OpenZeppelin's ERC1967Proxy.
        """
        implementation = self.deploy(artifact, sender=sender)
        init_data = bytes.fromhex(
            implementation.encode_abi(initializer, args=list(args)).removeprefix("0x")
        )
        address = self.deploy_proxy(implementation.address, init_data, sender)
        return self._at(address, artifact), implementation

    def _at(self, address: ChecksumAddress | None, artifact: Artifact) -> Contract:
        if address is None:
            raise ValueError("the receipt names no contract")
        return self.w3.eth.contract(address=address, abi=artifact.abi)

    def _sender(self, sender: str | None) -> ChecksumAddress:
        return Web3.to_checksum_address(sender) if sender else self.accounts[0]

    # -- clock and snapshots (anvil) ---------------------------------------------------------

    def rpc(self, method: str, *params: Any) -> Any:
        response = self.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response["result"]

    def timestamp(self) -> int:
        """The timestamp of the latest block."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def set_next_timestamp(self, timestamp: int) -> None:
        """The next block (the next transaction's, under automine) gets ``timestamp``."""
        self.rpc("evm_setNextBlockTimestamp", timestamp)

    def mine(self, timestamp: int | None = None) -> None:
        """Mine an empty block, at ``timestamp`` if given."""
        if timestamp is not None:
            self.set_next_timestamp(timestamp)
        self.rpc("evm_mine")

    def snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def revert(self, snapshot_id: str) -> None:
        """Go back to ``snapshot_id``, which anvil then forgets (take a new one to return again)."""
        if not self.rpc("evm_revert", snapshot_id):
            raise RuntimeError(f"evm_revert({snapshot_id}) failed")


def revert_data(action: Callable[[], object]) -> bytes:
    """Run ``action`` (a call or a transaction), which must revert; the raw revert data.

    Works for custom errors (``ContractCustomError``), ``Error(string)`` reverts and empty
    reverts (``ContractLogicError``), as web3 raises them against anvil.
    """
    try:
        action()
    except (ContractCustomError, ContractLogicError) as exc:
        data = exc.data
        if isinstance(data, dict):  # some nodes nest it
            data = data.get("data", "")
        return bytes.fromhex((data or "0x").removeprefix("0x"))
    raise NoRevert("expected a revert, but the call went through")
