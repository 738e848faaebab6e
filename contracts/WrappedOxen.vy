# pragma version ~=0.4.3
"""
@title Wrapped OXEN stand-in (devnet and testnet only)
@custom:contract-name WrappedOxen
@license MIT
@notice A plain ERC-20 named "Wrapped OXEN" (symbol wOXEN, 9 decimals, as
        the real token), for chains where the real wOXEN does not exist: the
        devnet and test chains. It gives the TokenConverter something to
        convert from. The whole supply is minted at deployment to one
        address; there is no minting or burning afterwards.
@dev NOT the real wOXEN and not a reference contract: it has no entry in
     the ABI parity test. `sesh deploy` deploys it only for profiles that
     name no old token (local, testnet); on mainnet the profile names the
     real wOXEN instead.
     Storage: the `erc20` module (balanceOf, allowance, totalSupply).
"""

from lib import erc20

initializes: erc20

exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.approve,
    erc20.transferFrom,
)


name: public(constant(String[12])) = "Wrapped OXEN"
symbol: public(constant(String[5])) = "wOXEN"
DECIMALS: constant(uint8) = 9


@deploy
def __init__(total_supply: uint256, receiver: address):
    """
    @notice Mints `total_supply` to `receiver`.
    @param total_supply The 32-byte supply, in 10**-9 wOXEN.
    @param receiver The 20-byte address receiving the supply (not zero).
    """
    erc20._mint(receiver, total_supply)


@external
@pure
def decimals() -> uint8:
    """
    @notice 9 decimals, as the real wOXEN: 1 wOXEN is 10**9 units.
    @return uint8 9.
    """
    return DECIMALS
