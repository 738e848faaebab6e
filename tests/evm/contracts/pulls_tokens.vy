# pragma version ~=0.4.3
"""
@title Pulls tokens it was never allowed to
@notice Test helper for readable refusals: the token's own custom error
        (ERC20InsufficientAllowance) comes back through this contract, whose
        ABI does not declare it.
"""

from ethereum.ercs import IERC20


@external
def pull(token: IERC20, owner: address, amount: uint256):
    """
    @notice Moves `amount` of `owner`'s tokens here; reverts as the token does.
    """
    assert extcall token.transferFrom(owner, self, amount)
