# pragma version ~=0.4.3
"""
@title Test harness exposing lib/safe_erc20.vy
@notice Only for tests: `transfer` calls `_safe_transfer` once.
"""

from lib import safe_erc20


@external
def transfer(token: address, to: address, amount: uint256):
    safe_erc20._safe_transfer(token, to, amount)
