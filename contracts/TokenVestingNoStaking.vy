# pragma version ~=0.4.3
"""
@title Token vesting, without staking
@custom:contract-name TokenVestingNoStaking
@license MIT
@notice Holds tokens for a beneficiary and lets them out on a schedule:
        nothing before the cliff, a fifth of the grant at the cliff, the rest
        linearly until the end, everything from the end on. The grant is the
        contract's balance plus what it has released, per token, so tokens
        sent in later vest on the same schedule. The revoker (if any) may
        revoke once, before the end: what has vested by then stays for the
        beneficiary, the rest goes back to the revoker at once.
@dev ABI-identical to the reference TokenVestingNoStaking, with its revert
     strings. The schedule reads block timestamps, which a sequencer can
     skew by seconds: use periods far longer than that.
     `revoked` is one flag for the whole contract, as in the reference: after
     revoking one token, every token counts as fully vested and none can be
     revoked.
     Storage, in order:
       _beneficiary  who receives vested tokens
       _revoker      who may revoke (empty: not revocable)
       released      per token, how much the beneficiary has received
       revoked       whether the vesting was revoked
@custom:abi-errors AddressInsufficientBalance, FailedInnerCall
"""

from ethereum.ercs import IERC20

from lib import safe_erc20


# The part of the grant that vests at the cliff: 1/5 = 20 %.
CLIFF_DENOMINATOR: public(constant(uint256)) = 5


# Whether the beneficiary may hand the grant to another address.
transferableBeneficiary: public(immutable(bool))
# Nothing vests before this unix time; a fifth vests at it.
cliff: public(immutable(uint256))
# Everything has vested from this unix time on.
end: public(immutable(uint256))


# Who receives vested tokens.
_beneficiary: address
# Who may revoke the vesting; the zero address makes it irrevocable.
_revoker: address
# Per token, everything released to the beneficiary so far.
released: public(HashMap[address, uint256])
# Whether the revoker revoked the vesting (then all that remains has vested).
revoked: public(bool)


event TokensReleased:
    token: indexed(address)
    amount: uint256


event TokenVestingRevoked:
    token: indexed(address)
    refund: uint256


event BeneficiaryTransferred:
    oldBeneficiary: address
    newBeneficiary: address


event RevokerTransferred:
    oldRevoker: address
    newRevoker: address


@deploy
def __init__(
    beneficiary_: address,
    revoker_: address,
    cliff_: uint256,
    end_: uint256,
    transferableBeneficiary_: bool,
):
    """
    @notice Sets up a vesting for `beneficiary_`; send the tokens afterwards.
    @dev The reference's checks and strings: a zero beneficiary, a cliff
         after the end, or a cliff not in the future are refused.
    @param beneficiary_ The 20-byte address that receives vested tokens.
    @param revoker_ The 20-byte address that may revoke; zero for none.
    @param cliff_ The 32-byte unix time of the cliff (after now).
    @param end_ The 32-byte unix time the vesting ends (not before the cliff).
    @param transferableBeneficiary_ Whether the beneficiary may hand the lock
           to another address (`transferBeneficiary`).
    """
    self._check_address(beneficiary_)
    assert cliff_ <= end_, "Vesting: cliff_ after end_"
    assert block.timestamp < cliff_, "Vesting: cliff before current time"
    self._beneficiary = beneficiary_
    self._revoker = revoker_
    cliff = cliff_
    end = end_
    transferableBeneficiary = transferableBeneficiary_


# Beneficiary


@external
def release(token: address):
    """
    @notice Sends the beneficiary everything of `token` that has vested and
            not been released yet.
    @dev Beneficiary only ("Vesting: not the beneficiary"); "Vesting: no
         tokens are due" when nothing is. Emits `TokensReleased`.
    @param token The 20-byte address of the vested ERC-20 token.
    """
    assert msg.sender == self._beneficiary, "Vesting: not the beneficiary"
    balance: uint256 = staticcall IERC20(token).balanceOf(self)
    unreleased: uint256 = self._releasable(token, balance)
    assert unreleased > 0, "Vesting: no tokens are due"
    self.released[token] += unreleased
    log TokensReleased(token=token, amount=unreleased)
    safe_erc20._safe_transfer(token, msg.sender, unreleased)


@external
def transferBeneficiary(beneficiary_: address):
    """
    @notice Hands the grant to `beneficiary_`, if the vesting allows it.
    @dev Beneficiary only; not to the zero address; "Vesting: beneficiary not
         transferrable" (the reference's spelling) unless allowed. Emits
         `BeneficiaryTransferred`.
    @param beneficiary_ The 20-byte address of the new beneficiary.
    """
    assert msg.sender == self._beneficiary, "Vesting: not the beneficiary"
    self._check_address(beneficiary_)
    assert transferableBeneficiary, "Vesting: beneficiary not transferrable"
    log BeneficiaryTransferred(oldBeneficiary=msg.sender, newBeneficiary=beneficiary_)
    self._beneficiary = beneficiary_


# Revoker


@external
def revoke(token: address):
    """
    @notice Ends the vesting early: what has vested of `token` stays for the
            beneficiary (and counts as fully vested from now on), the rest
            goes to the revoker.
    @dev Revoker only ("Vesting: not the revoker"); once ("Vesting: token
         revoked"); not after the end ("Vesting: vesting expired"; the end
         second itself is allowed, and then refunds nothing). Emits
         `TokenVestingRevoked(token, refund)` before the transfer.
    @param token The 20-byte address of the vested ERC-20 token.
    """
    assert msg.sender == self._revoker, "Vesting: not the revoker"
    assert not self.revoked, "Vesting: token revoked"
    assert block.timestamp <= end, "Vesting: vesting expired"
    balance: uint256 = staticcall IERC20(token).balanceOf(self)
    refund: uint256 = balance - self._releasable(token, balance)
    self.revoked = True
    log TokenVestingRevoked(token=token, refund=refund)
    safe_erc20._safe_transfer(token, msg.sender, refund)


@external
def transferRevoker(revoker_: address):
    """
    @notice Hands the power to revoke to `revoker_`.
    @dev Revoker only; not to the zero address. Emits `RevokerTransferred`.
    @param revoker_ The 20-byte address of the new revoker.
    """
    assert msg.sender == self._revoker, "Vesting: not the revoker"
    self._check_address(revoker_)
    log RevokerTransferred(oldRevoker=msg.sender, newRevoker=revoker_)
    self._revoker = revoker_


# View


@external
@view
def getBeneficiary() -> address:
    """
    @notice Who receives vested tokens.
    @return address The 20-byte beneficiary.
    """
    return self._beneficiary


@external
@view
def getRevoker() -> address:
    """
    @notice Who may revoke the vesting (zero: nobody).
    @return address The 20-byte revoker.
    """
    return self._revoker


# Internal


@internal
@view
def _releasable(token: address, balance: uint256) -> uint256:
    """
    @dev What has vested of `token` and not been released, the contract
         holding `balance` of it.
    @param token The 20-byte token address.
    @param balance The 32-byte balance of this contract in `token`.
    @return uint256 The 32-byte releasable amount.
    """
    if block.timestamp < cliff:
        return 0
    released: uint256 = self.released[token]
    grant: uint256 = balance + released
    if block.timestamp >= end or self.revoked:
        return grant - released
    at_cliff: uint256 = grant // CLIFF_DENOMINATOR
    # end > cliff here: block.timestamp lies in [cliff, end).
    vested: uint256 = at_cliff + (grant - at_cliff) * (block.timestamp - cliff) // (end - cliff)
    return vested - released


@internal
@pure
def _check_address(account: address):
    """
    @dev The reference's `nzAddr` guard, with its string.
    @param account The 20-byte address that must not be zero.
    """
    assert account != empty(address), "Shared: Zero-address is not permitted"
