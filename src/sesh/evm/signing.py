"""Who signs a transaction: a key held in this process, or the node.

On a public chain the deployer's key belongs to the operator and never leaves this process:
``LocalSigner`` fills each transaction (nonce, gas limit, EIP-1559 fees, chain id), signs it
with eth_account (the code wallets use) and sends the raw bytes. The key comes from an
encrypted JSON keystore (``from_keystore``, the format geth, clef and Foundry's ``cast wallet``
write) or from an environment variable (``from_env``). On a development node the accounts are
unlocked and the node signs: ``UnlockedAccount`` sends ``eth_sendTransaction`` and lets the node
fill the rest, as anvil does for its dev accounts.

Why build and sign here rather than through web3's ``SignAndSendRawMiddleware``: the middleware
asks the node for the pending transaction count before every transaction, and a load-balanced
RPC endpoint may answer from a node that has not seen our previous transaction yet, so two
transactions in a row could get the same nonce. ``LocalSigner`` keeps its own count and only
ever moves it forward (the larger of its count and the node's). The fee rule is ours too, one
pure function with its reason (``compute_fees``), rather than a default buried in middleware.

A private key never appears in a message, a repr or a log line: errors about a key say what is
wrong with it, never what it is.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.types import TxParams

BASE_FEE_HEADROOM = 2
"""``maxFeePerGas`` is this many times the latest base fee, plus the tip. The base fee can rise
by at most 12.5 % a block (EIP-1559), so twice today's survives six full blocks in a row before
the transaction would have to wait. It is a cap, not a price: the chain charges the base fee of
the block that includes the transaction, plus the tip. web3 uses the same rule."""

GAS_MARGIN_DIVISOR = 10
"""The gas limit is the estimate plus a tenth. An estimate is exact only for the state it ran on;
another transaction landing first, or (on Arbitrum) a moving L1 price, which is part of the gas
there, can make the exact figure fall short. Unused gas is refunded, so the margin costs nothing
but balance headroom."""


class SignerError(Exception):
    """A key or keystore that cannot be used; the message says why, and never shows the key."""


class Signer(Protocol):
    """Something that can send transactions from ``address``."""

    @property
    def address(self) -> ChecksumAddress: ...

    def send_transaction(self, w3: Web3, transaction: TxParams) -> HexBytes:
        """Send ``transaction`` (``to``, ``data``, ``value``; ``from`` is ours) and return its
        hash; raises web3's ``ContractLogicError`` family if the gas estimate reverts."""
        ...


# -- fees and gas (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fees:
    """The two EIP-1559 fee fields of a type-2 transaction, in wei per gas."""

    max_fee_per_gas: int
    max_priority_fee_per_gas: int


def compute_fees(base_fee: int, priority_fee: int) -> Fees:
    """The fee cap and tip for a transaction sent now (see ``BASE_FEE_HEADROOM``)."""
    if base_fee < 0 or priority_fee < 0:
        raise ValueError("fees cannot be negative")
    return Fees(BASE_FEE_HEADROOM * base_fee + priority_fee, priority_fee)


def compute_gas_limit(estimate: int) -> int:
    """The gas limit for a transaction estimated at ``estimate`` (see ``GAS_MARGIN_DIVISOR``)."""
    return estimate + estimate // GAS_MARGIN_DIVISOR


# -- signers -----------------------------------------------------------------------------------


class LocalSigner:
    """A key held in this process; builds, signs and sends type-2 (EIP-1559) transactions."""

    def __init__(self, account: LocalAccount) -> None:
        self._account = account
        self._next_nonce: int | None = None

    @property
    def address(self) -> ChecksumAddress:
        return self._account.address

    def __repr__(self) -> str:
        return f"LocalSigner({self.address})"

    def send_transaction(self, w3: Web3, transaction: TxParams) -> HexBytes:
        filled = self.fill(w3, transaction)
        signed = self._account.sign_transaction(cast(Any, filled))
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        self._next_nonce = int(filled["nonce"]) + 1
        return tx_hash

    def fill(self, w3: Web3, transaction: TxParams) -> TxParams:
        """``transaction`` with everything signing needs; the gas estimate comes first, so a
        transaction that would revert raises before a nonce is taken."""
        tx: dict[str, Any] = {k: v for k, v in transaction.items() if v is not None}
        tx["from"] = self.address
        tx.setdefault("value", 0)
        if "gas" not in tx:
            tx["gas"] = compute_gas_limit(w3.eth.estimate_gas(cast(TxParams, tx)))
        if "nonce" not in tx:
            pending = w3.eth.get_transaction_count(self.address, "pending")
            tx["nonce"] = max(pending, self._next_nonce or 0)
        tx.setdefault("chainId", int(w3.eth.chain_id))
        if not {"gasPrice", "maxFeePerGas"} & tx.keys():
            base_fee = w3.eth.get_block("latest").get("baseFeePerGas")
            if base_fee is None:  # a chain without EIP-1559: a legacy transaction
                tx["gasPrice"] = w3.eth.gas_price
            else:
                fees = compute_fees(int(base_fee), int(w3.eth.max_priority_fee))
                tx["maxFeePerGas"] = fees.max_fee_per_gas
                tx["maxPriorityFeePerGas"] = fees.max_priority_fee_per_gas
                tx["type"] = 2
        return cast(TxParams, tx)


@dataclass(frozen=True)
class UnlockedAccount:
    """An account the node signs for (anvil's dev accounts); the node fills nonce and fees."""

    address: ChecksumAddress

    def send_transaction(self, w3: Web3, transaction: TxParams) -> HexBytes:
        return w3.eth.send_transaction(cast(TxParams, {**transaction, "from": self.address}))


def first_unlocked_account(w3: Web3) -> UnlockedAccount:
    """The node's first unlocked account; a public RPC endpoint has none."""
    accounts = list(w3.eth.accounts)
    if not accounts:
        raise SignerError(
            "the node has no unlocked accounts (a public RPC endpoint never has): "
            "sign with a keystore or a key instead"
        )
    return UnlockedAccount(accounts[0])


# -- where keys come from ----------------------------------------------------------------------


def from_private_key(key: str | bytes, source: str = "the key") -> LocalSigner:
    """A signer for a raw private key (32 bytes, or 0x and 64 hex digits)."""
    if isinstance(key, str):
        key = key.strip()
        body = key[2:] if key[:2].lower() == "0x" else key
        if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
            raise SignerError(f"{source} is not a private key (expected 0x and 64 hex digits)")
    try:
        account = Account.from_key(key)
    except Exception:  # its message could echo the key: say only what is wrong
        raise SignerError(f"{source} is not a valid secp256k1 private key") from None
    return LocalSigner(account)


def from_env(variable: str, environ: Mapping[str, str] | None = None) -> LocalSigner:
    """A signer for the private key in environment variable ``variable``."""
    environ = os.environ if environ is None else environ
    value = environ.get(variable)
    if not value:
        raise SignerError(f"the environment variable {variable} is not set (it holds the key)")
    return from_private_key(value, f"the value of {variable}")


def from_keystore(path: Path, password: str) -> LocalSigner:
    """A signer for the key in encrypted JSON keystore ``path`` (Web3 Secret Storage, v3)."""
    try:
        keystore = json.loads(path.read_text())
    except FileNotFoundError:
        raise SignerError(f"{path}: no such keystore file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SignerError(f"{path}: cannot read it ({exc})") from None
    except ValueError:
        raise SignerError(f"{path}: not a JSON keystore") from None
    if not isinstance(keystore, dict) or "crypto" not in {k.lower() for k in keystore}:
        raise SignerError(f"{path}: not a JSON keystore (no crypto section)")
    try:
        key = Account.decrypt(keystore, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise SignerError(f"{path}: wrong password") from None
        raise SignerError(f"{path}: not a keystore this version can read ({exc})") from None
    except Exception:
        raise SignerError(f"{path}: not a keystore this version can read") from None
    return LocalSigner(Account.from_key(key))


def read_password(
    variable: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> str:
    """The keystore's password: from environment variable ``variable``, else asked for on the
    terminal (not echoed). Without a terminal there is no one to ask, so that is an error."""
    environ = os.environ if environ is None else environ
    if variable is not None:
        if variable not in environ:
            raise SignerError(f"the environment variable {variable} is not set (the password)")
        return environ[variable]
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise SignerError("no terminal to ask for the keystore password: name a --password-env")
    return (prompt or getpass.getpass)("keystore password: ")
