# pragma version ~=0.4.3
"""
@title Token transfers that fail loudly
@notice Some ERC-20 tokens return nothing from `transfer`, some return
        `false` instead of reverting. `_safe_transfer` and
        `_safe_transfer_from` accept the first and
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
    self._check_answer(
        token,
        raw_call(
            token,
            abi_encode(to, amount, method_id=method_id("transfer(address,uint256)")),
            max_outsize=32,
        ),
    )


@internal
def _safe_transfer_from(token: address, owner: address, to: address, amount: uint256):
    """
    @dev Transfers `amount` of `token` from `owner` (who approved this
         contract) to `to`.
    @param token The 20-byte address of the ERC-20 token.
    @param owner The 20-byte address the tokens leave.
    @param to The 20-byte receiving address.
    @param amount The 32-byte amount of tokens.
    """
    self._check_answer(
        token,
        raw_call(
            token,
            abi_encode(
                owner, to, amount, method_id=method_id("transferFrom(address,address,uint256)")
            ),
            max_outsize=32,
        ),
    )


@internal
@view
def _check_answer(token: address, answer: Bytes[32]):
    """
    @dev SafeERC20's reading of a token's answer (see the header).
    @param token The 20-byte address of the ERC-20 token that answered.
    @param answer Its return data, cut to the first 32 bytes.
    """
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
