# pragma version ~=0.4.3
"""
@title A token whose transfers answer false, for the vesting tests
@notice Only for tests: everyone holds `held`, and `transfer` moves nothing
        and answers false, as some old tokens do instead of reverting.
"""

# What `balanceOf` answers, for any account.
held: public(uint256)


@deploy
def __init__(held: uint256):
    self.held = held


@external
@view
def balanceOf(owner: address) -> uint256:
    return self.held


@external
def transfer(to: address, amount: uint256) -> bool:
    return False
