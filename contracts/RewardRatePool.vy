# pragma version ~=0.4.3
"""
@title Reward rate pool
@notice Holds the SESH that funds service-node rewards and releases it to
        the beneficiary (the rewards contract) at a simple annual rate of
        15.1 % of its current balance, per second: with daily payouts that
        compounds to about 14 % of the pool per year. Anyone may trigger a
        payout; the owner may change the beneficiary.
@dev ABI-identical to the reference RewardRatePool (version 1), deployed the
     same way: behind an ERC-1967 proxy and set up by `initialize`. The
     reference's transparent proxy is replaced by UUPS (lib/uups.vy), which
     adds `upgradeToAndCall` and `proxiableUUID`.
     Storage, in order (upgrades may only append):
       ownable2step    owner, pendingOwner
       initializable   initialized_version
       uups            erc1967_implementation (at the ERC-1967 slot)
       sesh_token      the SESH token
       beneficiary     who receives payouts
       totalPaidOut    all SESH paid out so far
       lastPaidOutTime timestamp of the last payout (or of initialisation)
     Arithmetic is checked throughout, as in the reference: a payout formula
     that would overflow reverts.
@custom:abi-errors NotInitializing, AddressInsufficientBalance, FailedInnerCall
"""

from ethereum.ercs import IERC20

from lib import initializable
from lib import ownable2step
from lib import safe_erc20
from lib import uups

initializes: ownable2step
initializes: initializable
initializes: uups[ownable2step := ownable2step]

exports: (
    ownable2step.owner,
    ownable2step.pendingOwner,
    ownable2step.transferOwnership,
    ownable2step.acceptOwnership,
    ownable2step.renounceOwnership,
    uups.upgradeToAndCall,
    uups.proxiableUUID,
)


# This implementation's version, as the reference numbers it.
VERSION: public(constant(uint256)) = 1
# 15.1 % a year, in tenths of a percent (see the header).
ANNUAL_SIMPLE_PAYOUT_RATE: public(constant(uint64)) = 151
# The unit of ANNUAL_SIMPLE_PAYOUT_RATE: 1,000 = 100 %.
BASIS_POINTS: public(constant(uint64)) = 1_000
# The payout year: 365 days of 86,400 seconds.
SECONDS_PER_YEAR: constant(uint256) = 365 * 86_400
# `rewardRate` is the payout of one Oxen block: 2 minutes.
BLOCK_TIME: constant(uint256) = 120


# The SESH token the pool holds and pays out.
sesh_token: IERC20
# The account that receives every payout.
beneficiary: public(address)
# The sum of all payouts so far.
totalPaidOut: public(uint256)
# When the last payout happened (initialisation counts as one).
lastPaidOutTime: public(uint256)


event FundsReleased:
    amount: uint256


event BeneficiaryUpdated:
    newBeneficiary: address


@deploy
def __init__():
    """
    @notice Deploys the implementation, locked: only proxies pointing at it
            can be initialised.
    """
    uups.__init__()
    initializable._disable_initializers()


# Permissionless


@external
def initialize(_beneficiary: address, _sesh: address):
    """
    @notice Sets up a freshly deployed proxy: the payout beneficiary, the
            token, the payout clock (starting now) and the owner (the caller).
    @dev Once only (`InvalidInitialization`). Emits `OwnershipTransferred`,
         then `Initialized(1)`. The beneficiary is not checked, as in the
         reference.
    @param _beneficiary The 20-byte address that will receive payouts.
    @param _sesh The 20-byte address of the SESH token.
    """
    initializable._begin_initialization()
    self.beneficiary = _beneficiary
    self.lastPaidOutTime = block.timestamp
    self.sesh_token = IERC20(_sesh)
    ownable2step._initialize(msg.sender)
    initializable._end_initialization()


@external
def payoutReleased():
    """
    @notice Pays the beneficiary everything released since the last payout:
            balance · 15.1 % · elapsed seconds / one year.
    @dev Emits `FundsReleased(amount)` before the transfer, as the reference
         does. A zero payout still transfers (zero tokens) and logs.
    """
    token: IERC20 = self.sesh_token
    balance: uint256 = staticcall token.balanceOf(self)
    released: uint256 = self._payout(balance, block.timestamp - self.lastPaidOutTime)
    self.totalPaidOut += released
    self.lastPaidOutTime = block.timestamp
    log FundsReleased(amount=released)
    safe_erc20._safe_transfer(token.address, self.beneficiary, released)


# View


@external
@view
def SESH() -> address:
    """
    @notice The SESH token the pool pays out.
    @return address The 20-byte token address.
    """
    return self.sesh_token.address


@external
@view
def rewardRate() -> uint256:
    """
    @notice The payout of one 2-minute block at the current rate, on the
            balance that would remain after a payout now.
    @return uint256 The 32-byte amount per 2 minutes.
    """
    balance: uint256 = staticcall self.sesh_token.balanceOf(self)
    paid: uint256 = self.totalPaidOut
    released: uint256 = paid + self._payout(balance, block.timestamp - self.lastPaidOutTime)
    return self._payout(balance + paid - released, BLOCK_TIME)


@external
@view
def calculateTotalDeposited() -> uint256:
    """
    @notice Everything ever deposited: the balance plus all payouts.
    @return uint256 The 32-byte total.
    """
    return staticcall self.sesh_token.balanceOf(self) + self.totalPaidOut


@external
@view
def calculateReleasedAmount() -> uint256:
    """
    @notice All payouts so far plus what a payout now would release.
    @return uint256 The 32-byte cumulative released amount.
    """
    balance: uint256 = staticcall self.sesh_token.balanceOf(self)
    return self.totalPaidOut + self._payout(balance, block.timestamp - self.lastPaidOutTime)


@external
@pure
def calculatePayoutAmount(balance: uint256, timeElapsed: uint256) -> uint256:
    """
    @notice The payout on `balance` over `timeElapsed` seconds:
            floor(balance · 151 · timeElapsed / (1,000 · 365 days)).
    @param balance The 32-byte principal.
    @param timeElapsed The 32-byte period in seconds.
    @return uint256 The 32-byte payout.
    """
    return self._payout(balance, timeElapsed)


# Admin


@external
def setBeneficiary(newBeneficiary: address):
    """
    @notice Sends future payouts to `newBeneficiary`.
    @dev Owner only (`OwnableUnauthorizedAccount`). Emits
         `BeneficiaryUpdated`. Not checked for zero, as in the reference.
    @param newBeneficiary The 20-byte address of the new beneficiary.
    """
    ownable2step._check_owner()
    self.beneficiary = newBeneficiary
    log BeneficiaryUpdated(newBeneficiary=newBeneficiary)


# Internal


@internal
@pure
def _payout(balance: uint256, time_elapsed: uint256) -> uint256:
    """
    @dev The payout formula, multiplied out before the one division (the
         reference's order, so the same inputs floor and overflow alike).
    @param balance The 32-byte principal.
    @param time_elapsed The 32-byte period in seconds.
    @return uint256 The 32-byte payout.
    """
    rate: uint256 = convert(ANNUAL_SIMPLE_PAYOUT_RATE, uint256)
    scale: uint256 = convert(BASIS_POINTS, uint256) * SECONDS_PER_YEAR
    return balance * rate * time_elapsed // scale
