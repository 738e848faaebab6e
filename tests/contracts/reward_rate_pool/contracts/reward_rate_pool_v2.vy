# pragma version ~=0.4.3
"""
@title A second RewardRatePool implementation, for upgrade tests only
@notice Keeps RewardRatePool's storage layout (the same modules in the same
        order, then the same variables) and appends one variable, `note`,
        which `migrate` sets during `upgradeToAndCall`. It can be upgraded
        again, and reports VERSION 2.
"""

from ethereum.ercs import IERC20

from lib import initializable
from lib import ownable2step
from lib import uups

initializes: ownable2step
initializes: initializable
initializes: uups[ownable2step := ownable2step]

exports: (
    ownable2step.owner,
    ownable2step.pendingOwner,
    uups.upgradeToAndCall,
    uups.proxiableUUID,
)


VERSION: public(constant(uint256)) = 2


# RewardRatePool's variables, unchanged.
sesh_token: IERC20
beneficiary: public(address)
totalPaidOut: public(uint256)
lastPaidOutTime: public(uint256)
# New in version 2.
note: public(uint256)


@deploy
def __init__():
    uups.__init__()
    initializable._disable_initializers()


@external
def migrate(new_note: uint256):
    """
    @notice The migration step run by `upgradeToAndCall`; refuses zero.
    @param new_note The value to store in `note`.
    """
    ownable2step._check_owner()
    assert new_note != 0, "note must not be zero"
    self.note = new_note


@external
@view
def SESH() -> address:
    """
    @notice The SESH token, as version 1 stored it.
    """
    return self.sesh_token.address
