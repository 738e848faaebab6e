"""Paying a contract in tokens: approve only what a call needs, and only when it would succeed.

A stake, a contribution or a conversion is a call in which a contract pulls tokens from the
sender, so it needs an allowance first. Approving blindly costs a transaction and leaves an
allowance behind when the call is then refused for another reason (a contribution below the
sender's reservation, a node already registered). ``pay`` checks the balance, and before
approving anything runs the call as an ``eth_call`` without the allowance: only a call that
fails where the token pulls the payment (``pull_failure``, or a revert traced to the token:
``reverted_in``) gets the approval, then the call; any other revert is the contract's refusal,
raised in words, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sesh.evm.artifacts import decode_revert
from sesh.units import format_amount

if TYPE_CHECKING:
    from web3.types import TxReceipt

    from sesh.evm.chain import Chain
    from sesh.evm.contract import Bound, Call

_PULL_ERRORS: list[dict[str, Any]] = [
    {"type": "error", "name": name, "inputs": [{"type": kind} for kind in kinds]}
    for name, kinds in (
        ("ERC20InsufficientAllowance", ("address", "uint256", "uint256")),  # spender, …
        ("ERC20InsufficientBalance", ("address", "uint256", "uint256")),  # sender, …
        ("SafeERC20FailedOperation", ("address",)),  # token
    )
]
"""The errors a token pull fails with, whoever the token: OpenZeppelin 5's (IERC6093), which
SESH and the wOXEN stand-in raise, and SafeERC20's for a token that answers false."""
_PULL_REASONS = frozenset(
    {"ERC20: insufficient allowance", "ERC20: transfer amount exceeds allowance"}
)
"""The allowance error as a revert string, from OpenZeppelin 4 tokens (as an existing wOXEN may
be): 4.5 and later, and before. Not their balance error, which names nobody: ``pay`` has read
the sender's balance already, so a short balance there is someone else's."""


class InsufficientBalance(ValueError):
    """The sender holds less than the call takes; the message says both, in tokens."""


def token_amount(token: Bound, atoms: int) -> str:
    """``atoms`` of ``token`` in words, with its own symbol and decimals (``"1.5 wOXEN"``)."""
    symbol = str(token.view("symbol"))
    decimals = int(token.view("decimals"))
    return format_amount(atoms, symbol, decimals)


def check_balance(token: Bound, owner: str, amount: int) -> None:
    """``InsufficientBalance`` unless ``owner`` holds ``amount`` of ``token``: said up front,
    as the token would only say it once the allowance is there (it checks that first)."""
    balance = int(token.view("balanceOf", owner))
    if balance < amount:
        raise InsufficientBalance(
            f"{owner} holds {token_amount(token, balance)}, {token_amount(token, amount)} needed"
        )


def pay(
    chain: Chain,
    token: Bound,
    spender: Bound,
    amount: int,
    call: Call,
    *,
    what: str,
    report: Callable[[str], None],
) -> TxReceipt:
    """Send ``call`` from the chain's sender, in which ``spender`` (a contract named ``what``)
    takes ``amount`` of ``token``; its receipt. ``report`` gets a line when an approval is sent.

    The sender must hold ``amount`` (``check_balance``). When the allowance falls short, the
    call is first run as an ``eth_call`` on the latest block: if it fails only where the token
    pulls the payment, ``spender`` is approved and the call sent; any other revert is raised as
    the chain raises a refusal (``TransactionRefused``, the contract's error in words) and
    nothing is sent, neither the approval nor the call. With the allowance already there (a
    retry) the call goes straight out: its gas estimate reports a refusal before anything is
    sent."""
    sender = chain.sender
    check_balance(token, sender, amount)
    allowance = int(token.view("allowance", sender, spender.address))
    if allowance < amount and _needs_allowance(chain, token, spender, call):
        report(approve(chain, token, spender, amount, what))
    return chain.transact(call)


def approve(chain: Chain, token: Bound, spender: Bound, amount: int, what: str) -> str:
    """Let ``spender`` (named ``what``) take ``amount`` of ``token`` from the chain's sender;
    the line saying so."""
    chain.transact(token.call("approve", spender.address, amount))
    return f"approved {what} {spender.address} to take {token_amount(token, amount)}"


def _needs_allowance(chain: Chain, token: Bound, spender: Bound, call: Call) -> bool:
    """Run ``call`` without the allowance. True: it fails where the token pulls the payment,
    which the approval cures; False: it goes through as it is, so there is nothing to approve.
    Any other revert is the contract's refusal: raised, in the chain's words."""
    sender = chain.sender
    data = chain.dry_run(call, sender)
    if data is None:
        return False
    if pull_failure(data, token=token.address, spender=spender.address, owner=sender):
        return True
    traced = reverted_in(chain, chain.call_params(call, sender), token.address, data)
    if traced or (traced is None and not data):
        # From the token; or a revert without a word, which a node that cannot trace leaves
        # unexplained: approve and send, as without the check.
        return True
    raise chain.refusal_of(call, sender, data)


def pull_failure(data: bytes, *, token: str, spender: str, owner: str) -> bool:
    """Whether revert ``data`` is ``token`` refusing to let ``spender`` pull ``owner``'s tokens:
    an allowance or balance error naming them, a token answering false, or an OpenZeppelin 4
    token's allowance error."""
    try:
        error = decode_revert(_PULL_ERRORS, data)
    except ValueError:  # no data, or another error
        return False
    if error.name == "Error":
        return error.args[0] in _PULL_REASONS
    named = {
        "ERC20InsufficientAllowance": spender,
        "ERC20InsufficientBalance": owner,
        "SafeERC20FailedOperation": token,
    }.get(error.name)  # None for a Panic
    return named is not None and str(error.args[0]).lower() == named.lower()


def reverted_in(chain: Chain, tx: Mapping[str, Any], address: str, data: bytes) -> bool | None:
    """Whether ``tx``, run on the latest block, reverts with ``data`` raised by a call to
    ``address`` and passed up unchanged (``debug_traceCall``'s call tree); None when the node
    cannot trace."""
    from web3.exceptions import Web3Exception

    try:
        tree = chain.rpc("debug_traceCall", tx, "latest", {"tracer": "callTracer"})
    except (RuntimeError, OSError, Web3Exception, ValueError):
        return None
    if not isinstance(tree, dict):
        return None
    wanted = "0x" + data.hex()
    frames = [tree]
    while frames:
        frame = frames.pop()
        if (
            frame.get("error")
            and str(frame.get("to", "")).lower() == address.lower()
            and str(frame.get("output") or "0x").lower() == wanted
        ):
            return True
        frames.extend(frame.get("calls") or [])
    return False
