"""ERC-2612 permits for SESH: an allowance granted by an EIP-712 signature instead of a
transaction, so a staker can approve and stake in one transaction sent by someone else.

The domain is SESH's (name "Session Token", version "1", the chain id and the token address);
the signature is made with eth_account, the same code wallets use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account

PERMIT_TYPES = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


@dataclass(frozen=True)
class Permit:
    """A signed permit: the arguments of ``permit(owner, spender, value, deadline, v, r, s)``."""

    owner: str
    spender: str
    value: int
    deadline: int
    v: int
    r: bytes
    s: bytes

    def args(self) -> tuple[str, str, int, int, int, bytes, bytes]:
        return (self.owner, self.spender, self.value, self.deadline, self.v, self.r, self.s)

    def call(self, token: Any) -> Any:
        """The web3 contract function ``token.permit(...)`` ready to transact."""
        return token.functions.permit(*self.args())


def sign_permit(
    private_key: str | bytes,
    *,
    token: str,
    chain_id: int,
    owner: str,
    spender: str,
    value: int,
    nonce: int,
    deadline: int,
    name: str = "Session Token",
    version: str = "1",
) -> Permit:
    """A permit for ``owner``'s tokens signed with ``private_key`` (which need not be the
    owner's: tests sign wrong permits on purpose)."""
    domain = {"name": name, "version": version, "chainId": chain_id, "verifyingContract": token}
    message = {
        "owner": owner,
        "spender": spender,
        "value": value,
        "nonce": nonce,
        "deadline": deadline,
    }
    signed = Account.sign_typed_data(private_key, domain, PERMIT_TYPES, message)
    return Permit(
        owner,
        spender,
        value,
        deadline,
        signed.v,
        signed.r.to_bytes(32, "big"),
        signed.s.to_bytes(32, "big"),
    )
