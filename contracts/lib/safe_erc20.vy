# pragma version ~=0.4.3
"""
@title Token transfers that fail loudly
@notice Some ERC-20 tokens return nothing from `transfer`, some return
        `false` instead of reverting. `_safe_transfer` accepts the first and
        turns the second into `SafeERC20FailedOperation(token)`, as
        OpenZeppelin's SafeERC20 (5.0) does.
@dev Outcomes, in the reference's order: a reverting token bubbles its revert
     data up unchanged; empty return data from an address without code is
     `AddressEmptyCode(token)`; return data that is not an ABI bool reverts
     (empty data, as Solidity's abi.decode does); `false` is
     `SafeERC20FailedOperation(token)`. One difference: a token that reverts
     with empty data makes us revert with empty data where OpenZeppelin says
     `FailedInnerCall()`.
     Stateless: no storage.
"""

from lib import errors


@internal
def _safe_transfer(token: address, to: address, amount: uint256):
    """
    @dev Transfers `amount` of `token` from this contract to `to`.
    @param token The 20-byte address of the ERC-20 token.
    @param to The 20-byte receiving address.
    @param amount The 32-byte amount of tokens.
    """
    answer: Bytes[32] = raw_call(
        token,
        abi_encode(to, amount, method_id=method_id("transfer(address,uint256)")),
        max_outsize=32,
    )
    if len(answer) == 0:
        if not token.is_contract:
            errors._address_empty_code(token)
        return
    # abi.decode(answer, (bool)): a short answer or a value other than 0 or 1
    # is malformed. A longer answer was cut to its first word, which is all
    # abi.decode reads.
    assert len(answer) == 32
    value: uint256 = convert(answer, uint256)
    assert value <= 1
    if value == 0:
        errors._safe_erc20_failed_operation(token)
