# pragma version ~=0.4.3
"""
@title A non-upgradeable contract owning itself through lib/ownable2step.vy
@notice Only for tests: the owner is a constructor argument (no initialize),
        and `guarded` is an owner-only function.
"""

from lib import ownable2step

initializes: ownable2step

exports: (
    ownable2step.owner,
    ownable2step.pendingOwner,
    ownable2step.transferOwnership,
    ownable2step.acceptOwnership,
    ownable2step.renounceOwnership,
)


# How often `guarded` ran.
calls: public(uint256)


@deploy
def __init__(initial_owner: address):
    ownable2step._initialize(initial_owner)


@external
def guarded():
    """
    @notice Owner only; counts its calls.
    """
    ownable2step._check_owner()
    self.calls += 1
