# pragma version ~=0.4.3
"""
@title An implementation that claims another proxy storage slot
@notice Only for tests: upgrading to it must fail, as a proxy could not find
        its implementation after the switch.
"""


@external
@view
def proxiableUUID() -> bytes32:
    """
    @notice A slot that is not ERC-1967's.
    """
    return keccak256("not the ERC-1967 slot")
