"""A web3 connection to a chain, with what tests, benchmarks, deployments and the devnet share.

Deploying artifacts (plainly, or behind an ERC-1967 proxy and initialised in the same
transaction), sending transactions and getting their receipts, moving the clock and taking
snapshots (anvil's ``evm_*`` methods), and reading a revert back as bytes. Everything is
synchronous; anvil mines each transaction as it arrives.

Who signs: by default the node (anvil's unlocked dev accounts). Give the chain a ``Signer``
(``sesh.evm.signing``: a keystore or a key in the environment) and transactions from that
address are built, signed and sent raw here instead, which is how a public chain is reached.

A transaction the chain refuses, because its gas estimate reverts or because it was mined and
failed, raises ``TransactionRefused``, whose message names the contract's custom error and its
arguments in words. The chain remembers every contract it deployed or was shown (name and ABI),
so an error raised by another contract on the way (a token inside a stake) still decodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, Web3Exception
from web3.types import TxParams, TxReceipt, Wei

from sesh.evm.artifacts import DecodedRevert, decode_revert
from sesh.evm.compiler import Artifact
from sesh.evm.contract import Bound, web3_contract
from sesh.evm.proxy import proxy_initcode
from sesh.evm.signing import Signer, UnlockedAccount

RECEIPT_POLL_SECONDS = 0.01
"""anvil mines on arrival, so the receipt is there almost at once; web3's 0.1 s default would
dominate the run time of a test suite made of short transactions."""

RECEIPT_TIMEOUT_SECONDS = 300.0
"""How long to wait for a transaction to be mined. A public chain under load can take minutes
to include a transaction priced for the next few blocks; a local one takes milliseconds."""


class TransactionFailed(Exception):
    """A transaction was mined with status 0 (what ``Chain.wait`` raises)."""

    def __init__(self, receipt: TxReceipt) -> None:
        super().__init__(f"transaction {receipt['transactionHash'].hex()} failed")
        self.receipt = receipt


class TransactionRefused(ContractCustomError):
    """The chain refused a transaction: its gas estimate reverted, or it was mined and failed.

    The message names the contract and its error in words, e.g. ``ServiceNodeRewards refused:
    ContributionTotalMismatch(required=120000000000, provided=1)``. It is a web3
    ``ContractCustomError`` (so also a ``ContractLogicError``) whose ``data`` is the raw revert
    data, so code written against web3's exceptions, and ``revert_data``, work unchanged.
    """

    def __init__(
        self,
        contract: str,
        data: bytes,
        error: DecodedRevert | None,
        reason: str,
        receipt: TxReceipt | None = None,
    ) -> None:
        message = f"{contract} refused: {reason}"
        if receipt is not None:
            message += (
                f" (transaction 0x{bytes(receipt['transactionHash']).hex()} "
                f"failed in block {receipt['blockNumber']})"
            )
        super().__init__(message, "0x" + data.hex())
        self.contract = contract
        self.error = error
        """The decoded error, or None when there was no data or an unknown selector."""
        self.revert_data = data
        self.receipt = receipt
        """The failed transaction's receipt when it was mined; None when it was never sent."""

    def __str__(self) -> str:
        return str(self.message)


class NoRevert(AssertionError):
    """A call expected to revert went through."""


AccessList = list[dict[str, Any]]
"""An EIP-2930 access list: ``[{"address": …, "storageKeys": [hex, …]}]``."""


@dataclass(frozen=True)
class AccessListChoice:
    """What `Chain.access_list_for` decided: the list to send (None: none), and the two
    estimates it compared (None where there was nothing to estimate)."""

    access_list: AccessList | None
    gas_without: int | None
    gas_with: int | None
    candidate: AccessList | None = None
    """The list that was weighed (sent only when cheaper)."""

    @property
    def saving(self) -> int:
        """Gas the list saves (0 without one)."""
        if self.access_list is None or self.gas_without is None or self.gas_with is None:
            return 0
        return self.gas_without - self.gas_with


def _call_tx(function: ContractFunction, value: int) -> TxParams:
    # web3's own transact encodes the call this way; its public build_transaction would also
    # fill gas and fees, which the signer (or the node) does.
    data = function._encode_transaction_data()
    return {"to": function.address, "data": data, "value": Wei(value)}


def _json_tx(tx: dict[str, Any]) -> dict[str, Any]:
    """A call's fields as the node's JSON-RPC takes them (hex quantities and data)."""
    data = tx["data"]
    return {
        "from": tx["from"],
        "to": tx["to"],
        "data": data if isinstance(data, str) else "0x" + bytes(data).hex(),
        "value": hex(int(tx.get("value", 0))),
    }


class Chain:
    """One RPC endpoint: ``Chain(node.rpc_url)``, or ``Chain(url, signer)`` to sign here.

    ``accounts`` are the node's unlocked ones. The default sender is the signer given, else the
    first unlocked account.
    """

    def __init__(self, rpc_url: str, signer: Signer | None = None) -> None:
        self.rpc_url = rpc_url
        self.w3 = Web3(Web3.HTTPProvider(rpc_url))
        self.signers: dict[ChecksumAddress, Signer] = {}
        """Who signs for which address here; any other sender is left to the node."""
        self.default_sender: ChecksumAddress | None = None
        self._known: dict[ChecksumAddress, tuple[str, list[dict[str, Any]]]] = {}
        if signer is not None:
            self.add_signer(signer, default=True)

    @cached_property
    def accounts(self) -> list[ChecksumAddress]:
        """The node's unlocked accounts (anvil's dev accounts), asked for on first use: a public
        endpoint has none, and a chain used only with a signer never needs them."""
        return list(self.w3.eth.accounts)

    @property
    def sender(self) -> ChecksumAddress:
        """Who sends a transaction that names no sender."""
        return self._sender(None)

    def add_signer(self, signer: Signer, *, default: bool = False) -> None:
        """Sign transactions from ``signer.address`` with ``signer``; ``default`` makes it the
        sender of transactions that name none."""
        self.signers[signer.address] = signer
        if default:
            self.default_sender = signer.address

    # -- transactions ------------------------------------------------------------------------

    def wait(self, tx_hash: Any) -> TxReceipt:
        """The receipt of ``tx_hash``; raises ``TransactionFailed`` for a failed transaction."""
        receipt = self._receipt(tx_hash)
        if receipt["status"] != 1:
            raise TransactionFailed(receipt)
        return receipt

    def transact(
        self,
        function: ContractFunction,
        sender: str | None = None,
        value: int = 0,
        *,
        access_list: AccessList | None = None,
    ) -> TxReceipt:
        """Send a contract call as a transaction and return its receipt; with `access_list`
        (EIP-2930), storage it names is paid for up front, warm (`access_list_for`).

        A call that would revert raises ``TransactionRefused`` (a web3 ``ContractCustomError``)
        from gas estimation, before anything is sent, so ``revert_data`` can read it.
        """
        tx = _call_tx(function, value)
        if access_list:
            tx["accessList"] = cast(Any, access_list)
        return self.send(tx, sender, abi=cast(list[dict[str, Any]], function.contract_abi))

    def access_list_for(
        self, function: ContractFunction, sender: str | None = None
    ) -> AccessListChoice:
        """Whether to send `function` with an access list of the called contract's storage it
        reads: the node lists the slots (``eth_createAccessList``), and both ways are estimated.
        Each slot listed costs 1,900 gas instead of the 2,100 of its first read, and the
        contract's own entry 2,400, so the list pays from about 25 slots (a call that reads the
        keys of many non-signers). A node without ``eth_createAccessList`` means: no list."""
        tx = {**_call_tx(function, 0), "from": self._sender(sender)}
        try:
            without = int(self.w3.eth.estimate_gas(cast(TxParams, tx)))
            created = self.w3.provider.make_request(
                cast(Any, "eth_createAccessList"), [_json_tx(tx), "latest"]
            )
            entries = created["result"]["accessList"]
            target = str(function.address).lower()
            listed: AccessList = [
                {"address": e["address"], "storageKeys": list(e["storageKeys"])}
                for e in entries
                if str(e["address"]).lower() == target and e["storageKeys"]
            ]
            if not listed:
                return AccessListChoice(None, without, None)
            with_list = int(self.w3.eth.estimate_gas(cast(TxParams, {**tx, "accessList": listed})))
        except (Web3Exception, KeyError, TypeError, ValueError):
            return AccessListChoice(None, None, None)
        chosen = listed if with_list < without else None
        return AccessListChoice(chosen, without, with_list, listed)

    def send(
        self,
        transaction: TxParams,
        sender: str | None = None,
        *,
        contract: str | None = None,
        abi: Sequence[dict[str, Any]] = (),
    ) -> TxReceipt:
        """Send ``transaction`` from ``sender`` (the default sender if None) and wait for it.

        ``contract`` names the target in errors (default: the name the chain knows for ``to``);
        ``abi`` adds error entries to decode with. Raises ``TransactionRefused``.
        """
        sender_address = self._sender(sender)
        tx = cast(TxParams, {**transaction, "from": sender_address})
        signer = self.signers.get(sender_address) or UnlockedAccount(sender_address)
        try:
            tx_hash = signer.send_transaction(self.w3, tx)
        except ContractLogicError as exc:
            raise self.refusal(tx, contract, abi, _revert_bytes(exc)) from exc
        receipt = self._receipt(tx_hash)
        if receipt["status"] != 1:
            data, gas_limit = self._replay(receipt)
            raise self.refusal(tx, contract, abi, data, receipt, gas_limit)
        return receipt

    def deploy(
        self, artifact: Artifact, *args: Any, sender: str | None = None, value: int = 0
    ) -> Contract:
        """Deploy ``artifact`` with constructor ``args``; the contract bound to its ABI."""
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        tx: TxParams = {"data": data, "value": Wei(value)}
        receipt = self.send(tx, sender, contract=artifact.name, abi=artifact.abi)
        return self.contract(_created(receipt), artifact)

    def deploy_proxy(
        self, implementation: str, init_data: bytes = b"", sender: str | None = None
    ) -> ChecksumAddress:
        """Deploy an ERC-1967 proxy (``sesh.evm.proxy``) and run ``init_data`` in it at once.

        A proxy of a contract the chain knows takes its name and ABI (for errors).
        """
        known = self._known.get(Web3.to_checksum_address(implementation))
        name, abi = known if known else ("the proxy", [])
        tx: TxParams = {"data": HexBytes(proxy_initcode(implementation, init_data))}
        address = _created(self.send(tx, sender, contract=name, abi=abi))
        if known:
            self._known[address] = known
        return address

    def deploy_upgradeable(
        self,
        artifact: Artifact,
        initializer: str = "initialize",
        args: Sequence[Any] = (),
        sender: str | None = None,
        *,
        constructor_args: Sequence[Any] = (),
    ) -> tuple[Contract, Contract]:
        """Deploy the implementation, then a proxy initialised with ``initializer(*args)``.

        Returns (the proxy with the implementation's ABI, the implementation). The initialiser
        runs with ``sender`` as ``msg.sender``, as with OpenZeppelin's ERC1967Proxy.
        ``constructor_args`` go to the implementation's constructor (its immutables).
        """
        implementation = self.deploy(artifact, *constructor_args, sender=sender)
        init_data = bytes.fromhex(
            implementation.encode_abi(initializer, args=list(args)).removeprefix("0x")
        )
        address = self.deploy_proxy(implementation.address, init_data, sender)
        return self.contract(address, artifact), implementation

    def contract(self, address: str, artifact: Artifact) -> Contract:
        """``address`` bound to ``artifact``'s ABI; the chain remembers the name for errors."""
        checksummed = Web3.to_checksum_address(address)
        self._known[checksummed] = (artifact.name, artifact.abi)
        return self.w3.eth.contract(address=checksummed, abi=artifact.abi)

    def bind(self, address: str, artifact: Artifact) -> Bound:
        """``contract`` as the layers above ``sesh.evm`` hold it (``sesh.evm.contract``)."""
        return Bound(self.contract(address, artifact), artifact.name)

    def has_code(self, address: str) -> bool:
        """Whether a contract lives at ``address`` (false after the chain was reset)."""
        return len(self.w3.eth.get_code(Web3.to_checksum_address(address))) > 0

    def _receipt(self, tx_hash: Any) -> TxReceipt:
        return self.w3.eth.wait_for_transaction_receipt(
            tx_hash, timeout=RECEIPT_TIMEOUT_SECONDS, poll_latency=RECEIPT_POLL_SECONDS
        )

    def _sender(self, sender: str | None) -> ChecksumAddress:
        if sender:
            return Web3.to_checksum_address(sender)
        return self.default_sender or self.accounts[0]

    # -- reading -----------------------------------------------------------------------------

    def reachable(self) -> bool:
        """Whether a JSON-RPC node answers at ``rpc_url``."""
        return bool(self.w3.is_connected())

    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def eth_balance(self, address: str) -> int:
        """``address``'s ether, in wei."""
        return int(self.w3.eth.get_balance(Web3.to_checksum_address(address)))

    def dry_run(self, call: ContractFunction, sender: str) -> bytes | None:
        """Run ``call`` from ``sender`` as an ``eth_call`` on the latest block, sending nothing:
        None when it would go through, else its revert data (empty for a revert without a
        word). Use ``refusal_of`` to word it."""
        try:
            revert = revert_data(lambda: self.w3.eth.call(self.call_params(call, sender), "latest"))
        except NoRevert:
            return None
        return revert

    def call_params(self, call: ContractFunction, sender: str) -> TxParams:
        """``call`` as the parameters of an ``eth_call`` from ``sender`` (as ``transact`` encodes
        it: web3's public ``build_transaction`` would estimate gas, and fail on a revert)."""
        return {
            "from": Web3.to_checksum_address(sender),
            "to": call.address,
            "data": call._encode_transaction_data(),
        }

    def refusal_of(self, call: ContractFunction, sender: str, data: bytes) -> TransactionRefused:
        """The ``TransactionRefused`` that ``call`` from ``sender``, reverting with ``data``,
        would raise if sent: worded exactly as a sent transaction's refusal."""
        abi = cast(Sequence[dict[str, Any]], call.contract_abi)
        return self.refusal(self.call_params(call, sender), None, abi, data)

    def events(
        self, contract: Bound | Contract, event: str, receipt: TxReceipt
    ) -> list[dict[str, Any]]:
        """The arguments of every ``event`` that ``contract`` logged in ``receipt``, decoded, in
        order (logs of other contracts and events are skipped)."""
        from web3.logs import DISCARD

        events = web3_contract(contract).events
        decoded = getattr(events, event)().process_receipt(receipt, errors=DISCARD)
        return [dict(entry["args"]) for entry in decoded]

    def logs(
        self, contract: Bound | Contract, event: str, from_block: int = 0
    ) -> list[dict[str, Any]]:
        """The arguments of every ``event`` ``contract`` has logged since ``from_block``, in
        order."""
        events = web3_contract(contract).events
        found = getattr(events, event)().get_logs(from_block=from_block)
        return [dict(entry["args"]) for entry in found]

    # -- refusals ----------------------------------------------------------------------------

    def refusal(
        self,
        tx: TxParams,
        contract: str | None,
        abi: Sequence[dict[str, Any]],
        data: bytes,
        receipt: TxReceipt | None = None,
        gas_limit: int = 0,
    ) -> TransactionRefused:
        """The exception for a refused ``tx``, its error decoded with every ABI the chain knows
        (the target's last, so that its own errors win a selector clash). Public so that a
        caller who simulates a call itself (an eth_call before approving) words a refusal
        exactly as a sent transaction's."""
        to = str(tx["to"]) if tx.get("to") else None
        if contract is None:
            known = self._known.get(Web3.to_checksum_address(to)) if to else None
            contract = known[0] if known else (f"the contract at {to}" if to else "the deployment")
        error: DecodedRevert | None = None
        if not data:
            reason = "reverted without a reason"
            if receipt is not None and receipt["gasUsed"] >= gas_limit > 0:
                reason = f"ran out of gas (all {receipt['gasUsed']:,} used)"
        else:
            try:
                error = decode_revert([*self._all_abis(), *abi], data)
                reason = error.describe()
            except ValueError:
                reason = f"unknown error 0x{data[:4].hex()} (revert data 0x{data.hex()})"
        return TransactionRefused(contract, data, error, reason, receipt)

    def _all_abis(self) -> Iterator[dict[str, Any]]:
        for _, abi in self._known.values():
            yield from abi

    def _replay(self, receipt: TxReceipt) -> tuple[bytes, int]:
        """The revert data and gas limit of a mined failure: the same call again, on the state
        before its block (exact when the block holds only this transaction, as under anvil's
        automine). No data for a failure that did not revert (out of gas)."""
        sent = self.w3.eth.get_transaction(receipt["transactionHash"])
        call: dict[str, Any] = {
            "from": sent["from"],
            "data": sent["input"],
            "value": sent["value"],
            "gas": sent["gas"],
        }
        if sent.get("to"):
            call["to"] = sent["to"]
        try:
            self.w3.eth.call(cast(TxParams, call), receipt["blockNumber"] - 1)
        except ContractLogicError as exc:
            return _revert_bytes(exc), sent["gas"]
        except (Web3Exception, ValueError):  # out of gas, or a node that cannot replay
            pass
        return b"", sent["gas"]

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

    Works for custom errors (``ContractCustomError``, and so ``TransactionRefused``),
    ``Error(string)`` reverts and empty reverts (``ContractLogicError``), as web3 raises them
    against anvil.
    """
    try:
        action()
    except (ContractCustomError, ContractLogicError) as exc:
        return _revert_bytes(exc)
    raise NoRevert("expected a revert, but the call went through")


def _revert_bytes(exc: ContractLogicError) -> bytes:
    data = exc.data
    if isinstance(data, dict):  # some nodes nest it
        data = data.get("data", "")
    return bytes.fromhex((data or "0x").removeprefix("0x"))


def _created(receipt: TxReceipt) -> ChecksumAddress:
    address = receipt["contractAddress"]
    if address is None:
        raise ValueError("the receipt names no contract")
    return address
