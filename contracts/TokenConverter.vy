# pragma version ~=0.4.3
"""
@title Token converter
@custom:contract-name TokenConverter
@license MIT
@notice Swaps the old token (A, wrapped OXEN) for the new one (B, SESH) at a
        fixed rate, one way: holders send A, which stays here for good, and
        receive B from a stock the owner deposits. The migration has two
        rates: the initial rate until 180 days after the token generation
        event (TGE), and the late rate from that second on, so converting
        late can be made to cost more. The owner can change the rate in force,
        top up or take back B, and pause conversions.
@dev ABI-identical to the reference TokenConverter (Ownable, ReentrancyGuard,
     Pausable; its revert strings unchanged) but for the constructor, which
     also takes the TGE and the late rate (docs/compatibility.md):
       (tokenA, tokenB, initialNumerator, initialDenominator,
        tge, lateNumerator, lateDenominator)
     The late rate applies when block.timestamp >= tge + 180 days. The rate
     getters and `updateConversionRate` act on the rate in force at the time
     of the call, so before the switch the owner can only change the initial
     rate, and after it only the late one.
     Ownership is one-step, as OpenZeppelin's Ownable (no pending owner).
     The reentrancy lock lives in transient storage (EIP-1153) and reverts
     with OpenZeppelin's `ReentrancyGuardReentrantCall()`.
     Storage, in order:
       owner   the account allowed to call owner-only functions
       paused  whether conversions are stopped
       _rates  [initial rate, late rate], each (numerator, denominator)
     Transient: _entered (the reentrancy lock).
@custom:abi-errors AddressInsufficientBalance, FailedInnerCall
"""

from ethereum.ercs import IERC20

from lib import errors
from lib import safe_erc20


struct Rate:
    numerator: uint256
    denominator: uint256


# How long after the TGE the initial rate lasts: 180 days.
INITIAL_RATE_DURATION: constant(uint256) = 180 * 86_400
# Indices into `_rates`.
INITIAL: constant(uint256) = 0
LATE: constant(uint256) = 1


# The token converted from (kept here; nothing can take it out again).
tokenA: public(immutable(IERC20))
# The token paid out, from the stock the owner deposits.
tokenB: public(immutable(IERC20))
# The first second of the late rate: TGE + 180 days.
LATE_RATE_FROM: immutable(uint256)


# The account allowed to call owner-only functions; empty after renouncing.
owner: public(address)
# True while conversions are stopped (deposits and withdrawals still work).
paused: public(bool)
# The initial and the late rate; amountB = floor(amountA · numerator / denominator).
_rates: Rate[2]
# True while `convertTokens` runs, so that a token calling back is refused.
_entered: transient(bool)


event Conversion:
    user: indexed(address)
    amountA: uint256
    amountB: uint256


event RateUpdated:
    numerator: uint256
    denominator: uint256


event TokenBDeposited:
    amount: uint256


event TokenBWithdrawn:
    amount: uint256


event OwnershipTransferred:
    previousOwner: indexed(address)
    newOwner: indexed(address)


event Paused:
    account: address


event Unpaused:
    account: address


@deploy
def __init__(
    _tokenA: address,
    _tokenB: address,
    _initialNumerator: uint256,
    _initialDenominator: uint256,
    _tge: uint256,
    _lateNumerator: uint256,
    _lateDenominator: uint256,
):
    """
    @notice Sets the two tokens, the two rates and the TGE; the deployer
            becomes the owner. Conversions are open at once (not paused).
    @dev Reverts "Invalid token address" for a zero token and "Conversion rate
         must be greater than 0" for any zero rate component, the reference's
         strings. The TGE may lie in the past (a late deployment starts with
         whichever rate is then in force).
    @param _tokenA The 20-byte address of the token converted from.
    @param _tokenB The 20-byte address of the token paid out.
    @param _initialNumerator The 32-byte numerator of the initial rate.
    @param _initialDenominator The 32-byte denominator of the initial rate.
    @param _tge The 32-byte unix time of the token generation event.
    @param _lateNumerator The 32-byte numerator of the rate from TGE + 180 days.
    @param _lateDenominator The 32-byte denominator of the rate from TGE + 180 days.
    """
    assert _tokenA != empty(address) and _tokenB != empty(address), "Invalid token address"
    assert (
        _initialNumerator > 0
        and _initialDenominator > 0
        and _lateNumerator > 0
        and _lateDenominator > 0
    ), "Conversion rate must be greater than 0"
    tokenA = IERC20(_tokenA)
    tokenB = IERC20(_tokenB)
    LATE_RATE_FROM = _tge + INITIAL_RATE_DURATION
    self._rates[INITIAL] = Rate(numerator=_initialNumerator, denominator=_initialDenominator)
    self._rates[LATE] = Rate(numerator=_lateNumerator, denominator=_lateDenominator)
    self._transfer_ownership(msg.sender)


# Permissionless


@external
def convertTokens(_amountA: uint256):
    """
    @notice Takes `_amountA` of token A from the caller (who approved this
            contract) and pays floor(_amountA · numerator / denominator) of
            token B at the rate in force.
    @dev Refused while paused (`EnforcedPause`), for zero ("Amount must be
         greater than 0"), when B's stock is short ("Insufficient Token B in
         contract"), and on reentry (`ReentrancyGuardReentrantCall`). Emits
         `Conversion` before the transfers, as the reference does.
    @param _amountA The 32-byte amount of token A to convert.
    """
    if self._entered:
        errors._reentrancy_guard_reentrant_call()
    self._entered = True
    if self.paused:
        errors._enforced_pause()
    assert _amountA > 0, "Amount must be greater than 0"
    rate: Rate = self._rates[self._in_force()]
    amountB: uint256 = _amountA * rate.numerator // rate.denominator
    assert staticcall tokenB.balanceOf(self) >= amountB, "Insufficient Token B in contract"
    log Conversion(user=msg.sender, amountA=_amountA, amountB=amountB)
    safe_erc20._safe_transfer_from(tokenA.address, msg.sender, self, _amountA)
    safe_erc20._safe_transfer(tokenB.address, msg.sender, amountB)
    self._entered = False


# View


@external
@view
def conversionRateNumerator() -> uint256:
    """
    @notice The numerator of the rate in force now.
    @return uint256 The 32-byte numerator.
    """
    return self._rates[self._in_force()].numerator


@external
@view
def conversionRateDenominator() -> uint256:
    """
    @notice The denominator of the rate in force now.
    @return uint256 The 32-byte denominator.
    """
    return self._rates[self._in_force()].denominator


# Admin


@external
def updateConversionRate(_newNumerator: uint256, _newDenominator: uint256):
    """
    @notice Changes the rate in force now: the initial rate before TGE +
            180 days, the late rate from then on.
    @dev Owner only. "Conversion rate components must be greater than 0" for
         a zero component. Emits `RateUpdated`.
    @param _newNumerator The 32-byte new numerator.
    @param _newDenominator The 32-byte new denominator.
    """
    self._check_owner()
    assert (
        _newNumerator > 0 and _newDenominator > 0
    ), "Conversion rate components must be greater than 0"
    self._rates[self._in_force()] = Rate(numerator=_newNumerator, denominator=_newDenominator)
    log RateUpdated(numerator=_newNumerator, denominator=_newDenominator)


@external
def depositTokenB(_amount: uint256):
    """
    @notice Adds `_amount` of token B to the stock, from the owner (who
            approved this contract). Works while paused.
    @dev Owner only; "Amount must be greater than 0" for zero. Emits
         `TokenBDeposited` before the transfer, as the reference does.
    @param _amount The 32-byte amount of token B.
    """
    self._check_owner()
    assert _amount > 0, "Amount must be greater than 0"
    log TokenBDeposited(amount=_amount)
    safe_erc20._safe_transfer_from(tokenB.address, msg.sender, self, _amount)


@external
def withdrawTokenB(_amount: uint256):
    """
    @notice Sends `_amount` of token B from the stock to the owner. Works
            while paused.
    @dev Owner only; "Amount must be greater than 0" for zero, "Insufficient
         balance" above the stock. Emits `TokenBWithdrawn`.
    @param _amount The 32-byte amount of token B.
    """
    self._check_owner()
    assert _amount > 0, "Amount must be greater than 0"
    assert staticcall tokenB.balanceOf(self) >= _amount, "Insufficient balance"
    log TokenBWithdrawn(amount=_amount)
    safe_erc20._safe_transfer(tokenB.address, msg.sender, _amount)


@external
def pause():
    """
    @notice Stops conversions.
    @dev Owner only; `EnforcedPause` if already paused. Emits `Paused`.
    """
    self._check_owner()
    if self.paused:
        errors._enforced_pause()
    self.paused = True
    log Paused(account=msg.sender)


@external
def unpause():
    """
    @notice Resumes conversions.
    @dev Owner only; `ExpectedPause` if not paused. Emits `Unpaused`.
    """
    self._check_owner()
    if not self.paused:
        errors._expected_pause()
    self.paused = False
    log Unpaused(account=msg.sender)


@external
def transferOwnership(newOwner: address):
    """
    @notice Makes `newOwner` the owner at once (one step, as OpenZeppelin's
            Ownable).
    @dev Owner only; `OwnableInvalidOwner(0)` for the zero address (use
         `renounceOwnership`). Emits `OwnershipTransferred`.
    @param newOwner The 20-byte address of the new owner.
    """
    self._check_owner()
    if newOwner == empty(address):
        errors._ownable_invalid_owner(empty(address))
    self._transfer_ownership(newOwner)


@external
def renounceOwnership():
    """
    @notice Leaves the contract without an owner, for good: rates, the stock
            of token B and the pause switch are then fixed.
    @dev Owner only. Emits `OwnershipTransferred` to the zero address.
    """
    self._check_owner()
    self._transfer_ownership(empty(address))


# Internal


@internal
@view
def _in_force() -> uint256:
    """
    @dev The index of the rate in force: the late rate from its first second
         on (inclusive), the initial rate before.
    @return uint256 INITIAL or LATE.
    """
    if block.timestamp >= LATE_RATE_FROM:
        return LATE
    return INITIAL


@internal
@view
def _check_owner():
    """
    @dev `OwnableUnauthorizedAccount(caller)` unless the caller is the owner.
    """
    if msg.sender != self.owner:
        errors._ownable_unauthorized_account(msg.sender)


@internal
def _transfer_ownership(new_owner: address):
    """
    @dev Sets the owner and logs the change.
    @param new_owner The 20-byte address of the new owner (may be empty).
    """
    previous_owner: address = self.owner
    self.owner = new_owner
    log OwnershipTransferred(previousOwner=previous_owner, newOwner=new_owner)
