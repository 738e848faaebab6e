# pragma version ~=0.4.3
"""
@title Token vesting with staking
@custom:contract-name TokenVestingStaking
@license MIT
@notice An investor's lock: it holds SESH for a beneficiary until `end`, when
        the whole balance becomes releasable at once. Meanwhile (from
        `start`) the beneficiary may stake the locked tokens: register solo
        service nodes in ServiceNodeRewards, with this contract as the staker,
        ask for their exit, claim what the network pays back (rewards and
        returned stakes land here, locked like the rest), and contribute to
        multi-contributor nodes made by the contribution factory. The revoker
        may revoke the lock: from then on the revoker, not the beneficiary,
        runs the staking calls, and the balance goes to the revoker, but only
        from `end` on, like a release.
@dev ABI-identical to the reference TokenVestingStaking, with its revert
     strings. A node registered from here has one contributor: this
     contract, with the reward beneficiary the caller names; so the proof of
     possession must be signed over this contract's address.
     The contribution contracts and their factory are called through the
     interfaces below (the reference's ABI); only contracts the factory
     `owns` are touched. Staking calls pass the rewards contract's and the
     contribution contract's own errors up unchanged.
     Timing (block timestamps; audit B 2): `release` and a sweeping `revoke`
     both work from `end` on, inclusive; a first `revoke` works up to `end`,
     inclusive. At exactly `end` whoever calls first takes the balance.
     Storage, in order:
       beneficiary  who receives the balance at the end
       revoker      who may revoke (empty: not revocable)
       revoked      whether the lock was revoked
@custom:abi-errors AddressInsufficientBalance, FailedInnerCall
"""

from ethereum.ercs import IERC20

from lib import safe_erc20
from lib import structs


interface ServiceNodeRewards:
    def stakingRequirement() -> uint256: view
    def addBLSPublicKey(
        blsPubkey: structs.G1Point,
        blsSignature: structs.BLSSignatureParams,
        serviceNodeParams: structs.ServiceNodeParams,
        contributors: DynArray[structs.Contributor, 1],
    ): nonpayable
    def initiateExitBLSPublicKey(serviceNodeID: uint64): nonpayable


# `claimRewards()` and `claimRewards(uint256)` are two functions of the rewards
# contract; a Vyper interface holds one function per name.
interface RewardsClaimAll:
    def claimRewards(): nonpayable


interface RewardsClaimAmount:
    def claimRewards(amount: uint256): nonpayable


interface ServiceNodeContribution:
    def contributeFunds(amount: uint256, beneficiary: address): nonpayable
    def withdrawContribution(): nonpayable
    def updateBeneficiary(newBeneficiary: address): nonpayable


interface ServiceNodeContributionFactory:
    def owns(contractAddress: address) -> bool: view


# Whether the beneficiary may hand the lock to another address.
transferableBeneficiary: public(immutable(bool))
# Staking is possible from this unix time on.
start: public(immutable(uint256))
# The whole balance is releasable from this unix time on.
end: public(immutable(uint256))
# The locked token.
SESH: public(immutable(IERC20))
# Where nodes are registered and rewards claimed.
rewardsContract: public(immutable(ServiceNodeRewards))
# Which contribution contracts may receive this lock's tokens: those it made.
snContribFactory: public(immutable(ServiceNodeContributionFactory))


# Who receives the balance at the end, and runs the staking calls until revoked.
beneficiary: public(address)
# Who may revoke the lock; the zero address makes it irrevocable.
revoker: public(address)
# Whether the lock was revoked (then the revoker takes over).
revoked: public(bool)


event TokensReleased:
    token: indexed(address)
    amount: uint256


event TokensRevokedReleased:
    token: indexed(address)
    amount: uint256


event TokenVestingRevoked:
    token: indexed(address)


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
    start_: uint256,
    end_: uint256,
    transferableBeneficiary_: bool,
    rewardsContract_: address,
    snContribFactory_: address,
    sesh_: address,
):
    """
    @notice Sets up a lock for `beneficiary_`; send the SESH afterwards.
    @dev The reference's checks and strings: zero beneficiary, rewards
         contract or token; a start after the end; a start not in the future.
         The factory and the revoker may be zero.
    @param beneficiary_ The 20-byte address that receives the balance.
    @param revoker_ The 20-byte address that may revoke; zero for none.
    @param start_ The 32-byte unix time staking opens (after now).
    @param end_ The 32-byte unix time the lock ends (not before the start).
    @param transferableBeneficiary_ Whether the beneficiary may hand the lock
           to another address (`transferBeneficiary`).
    @param rewardsContract_ The 20-byte ServiceNodeRewards address (its proxy).
    @param snContribFactory_ The 20-byte ServiceNodeContributionFactory address.
    @param sesh_ The 20-byte address of the SESH token.
    """
    self._check_address(beneficiary_)
    self._check_address(rewardsContract_)
    self._check_address(sesh_)
    assert start_ <= end_, "Vesting: start_ after end_"
    assert block.timestamp < start_, "Vesting: start before current time"
    self.beneficiary = beneficiary_
    self.revoker = revoker_
    start = start_
    end = end_
    transferableBeneficiary = transferableBeneficiary_
    rewardsContract = ServiceNodeRewards(rewardsContract_)
    snContribFactory = ServiceNodeContributionFactory(snContribFactory_)
    SESH = IERC20(sesh_)


# -- staking in ServiceNodeRewards -------------------------------------------------------------


@external
def addBLSPublicKey(
    blsPubkey: structs.G1Point,
    blsSignature: structs.BLSSignatureParams,
    serviceNodeParams: structs.ServiceNodeParams,
    snBeneficiary: address,
):
    """
    @notice Registers a solo node staked with the full staking requirement
            from this lock. The lock is the node's only contributor (and
            operator), so `blsSignature` must prove possession for this
            contract's address; its rewards are signed to `snBeneficiary`.
    @dev Beneficiary (revoker once revoked), from `start`; `snBeneficiary`
         not zero. Approves the requirement to the rewards contract, which
         pulls it.
    @param blsPubkey The node's 64-byte BLS public key.
    @param blsSignature The 128-byte proof of possession.
    @param serviceNodeParams The node's 32-byte Ed25519 key, its 64-byte
           signature (two words) and the 2-byte fee.
    @param snBeneficiary The 20-byte address the node's rewards are signed to.
    """
    self._check_staking_caller()
    self._check_address(snBeneficiary)
    requirement: uint256 = staticcall rewardsContract.stakingRequirement()
    lock: DynArray[structs.Contributor, 1] = [
        structs.Contributor(staker=structs.Staker(addr=self, beneficiary=snBeneficiary), stakedAmount=requirement)
    ]
    extcall SESH.approve(rewardsContract.address, requirement)
    extcall rewardsContract.addBLSPublicKey(blsPubkey, blsSignature, serviceNodeParams, lock)


@external
def initiateExitBLSPublicKey(serviceNodeID: uint64):
    """
    @notice Asks for the exit of a node this lock contributes to.
    @dev Beneficiary (revoker once revoked), from `start`.
    @param serviceNodeID The 8-byte node id.
    """
    self._check_staking_caller()
    extcall rewardsContract.initiateExitBLSPublicKey(serviceNodeID)


@external
def claimRewards(amount: uint256 = max_value(uint256)):
    """
    @notice Claims this lock's rewards (and returned stakes) from the rewards
            contract into the lock: all of them, or `amount`.
    @dev Beneficiary (revoker once revoked), from `start`. `claimRewards()`
         and `claimRewards(uint256)` are told apart by the selector and call
         the rewards contract's function of the same signature.
    @param amount The 32-byte amount; omitted means everything unclaimed.
    """
    self._check_staking_caller()
    if convert(slice(msg.data, 0, 4), bytes4) == method_id("claimRewards()", output_type=bytes4):
        extcall RewardsClaimAll(rewardsContract.address).claimRewards()
    else:
        extcall RewardsClaimAmount(rewardsContract.address).claimRewards(amount)


# -- staking in multi-contributor nodes --------------------------------------------------------


@external
def contributeFunds(snContribAddr: address, amount: uint256, snContribBeneficiary: address):
    """
    @notice Contributes `amount` from this lock to a contribution contract
            made by the factory, with rewards signed to `snContribBeneficiary`.
    @dev Beneficiary (revoker once revoked), from `start`; the beneficiary
         not zero; the contract made by the factory ("Contract address is not
         a valid multi-contributor SN contract").
    @param snContribAddr The 20-byte contribution contract.
    @param amount The 32-byte amount of SESH.
    @param snContribBeneficiary The 20-byte reward beneficiary.
    """
    self._check_staking_caller()
    self._check_address(snContribBeneficiary)
    contribution: ServiceNodeContribution = self._contribution_contract(snContribAddr)
    extcall SESH.approve(snContribAddr, amount)
    extcall contribution.contributeFunds(amount, snContribBeneficiary)


@external
def withdrawContribution(snContribAddr: address):
    """
    @notice Takes this lock's contribution back out of a contribution
            contract made by the factory (the tokens return here).
    @dev Beneficiary (revoker once revoked), from `start`; the contract made
         by the factory.
    @param snContribAddr The 20-byte contribution contract.
    """
    self._check_staking_caller()
    extcall self._contribution_contract(snContribAddr).withdrawContribution()


@external
def updateBeneficiary(snContribAddr: address, snContribBeneficiary: address):
    """
    @notice Changes the reward beneficiary of this lock's contribution in a
            contribution contract made by the factory.
    @dev Beneficiary (revoker once revoked), from `start`; the beneficiary
         not zero; the contract made by the factory.
    @param snContribAddr The 20-byte contribution contract.
    @param snContribBeneficiary The 20-byte new reward beneficiary.
    """
    self._check_staking_caller()
    self._check_address(snContribBeneficiary)
    extcall self._contribution_contract(snContribAddr).updateBeneficiary(snContribBeneficiary)


# -- the lock ----------------------------------------------------------------------------------


@external
def release(token: address):
    """
    @notice From `end` on, sends the beneficiary the lock's whole balance of
            `token`.
    @dev Beneficiary only, not revoked ("Vesting: token revoked"); "Vesting:
         no tokens are due" before `end` or with nothing held. Emits
         `TokensReleased`.
    @param token The 20-byte address of the ERC-20 token.
    """
    assert msg.sender == self.beneficiary, "Vesting: Caller must be beneficiary"
    assert not self.revoked, "Vesting: token revoked"
    amount: uint256 = self._releasable(token)
    assert amount > 0, "Vesting: no tokens are due"
    log TokensReleased(token=token, amount=amount)
    safe_erc20._safe_transfer(token, msg.sender, amount)


@external
def revoke(token: address):
    """
    @notice Revokes the lock (the first call, up to `end`), and from `end`
            on sends the revoker the lock's balance of `token`. Call again
            after `end`, or for tokens that arrive later (staked tokens
            coming back), to collect them.
    @dev Revoker only. A first call after `end` is "Vesting: vesting
         expired". Emits `TokenVestingRevoked(token)` on the first call and
         `TokensRevokedReleased` when tokens move.
    @param token The 20-byte address of the ERC-20 token.
    """
    assert msg.sender == self.revoker, "Vesting: Caller must be revoker"
    if not self.revoked:
        assert block.timestamp <= end, "Vesting: vesting expired"
        self.revoked = True
        log TokenVestingRevoked(token=token)
    amount: uint256 = self._releasable(token)
    if amount > 0:
        log TokensRevokedReleased(token=token, amount=amount)
        safe_erc20._safe_transfer(token, msg.sender, amount)


@external
def transferBeneficiary(beneficiary_: address):
    """
    @notice Hands the lock to `beneficiary_`, if the lock allows it.
    @dev Beneficiary only; not to the zero address; "Vesting: beneficiary not
         transferable" unless allowed. Emits `BeneficiaryTransferred`. Node
         and contribution reward beneficiaries are not changed.
    @param beneficiary_ The 20-byte address of the new beneficiary.
    """
    assert msg.sender == self.beneficiary, "Vesting: Caller must be beneficiary"
    self._check_address(beneficiary_)
    assert transferableBeneficiary, "Vesting: beneficiary not transferable"
    log BeneficiaryTransferred(oldBeneficiary=msg.sender, newBeneficiary=beneficiary_)
    self.beneficiary = beneficiary_


@external
def transferRevoker(revoker_: address):
    """
    @notice Hands the power to revoke to `revoker_`.
    @dev Revoker only; not to the zero address. Emits `RevokerTransferred`.
    @param revoker_ The 20-byte address of the new revoker.
    """
    assert msg.sender == self.revoker, "Vesting: Caller must be revoker"
    self._check_address(revoker_)
    log RevokerTransferred(oldRevoker=msg.sender, newRevoker=revoker_)
    self.revoker = revoker_


# -- internal ----------------------------------------------------------------------------------


@internal
@view
def _check_staking_caller():
    """
    @dev The staking calls belong to the beneficiary, or to the revoker once
         revoked, and open at `start` (the reference's modifiers, in order).
    """
    if self.revoked:
        assert msg.sender == self.revoker, "Vesting: Caller must be revoker"
    else:
        assert msg.sender == self.beneficiary, "Vesting: Caller must be beneficiary"
    assert block.timestamp >= start, "Vesting: not started"


@internal
@view
def _contribution_contract(snContribAddr: address) -> ServiceNodeContribution:
    """
    @dev `snContribAddr` as a contribution contract, if the factory made it.
    @param snContribAddr The 20-byte address to check.
    @return ServiceNodeContribution The same address, typed.
    """
    assert staticcall snContribFactory.owns(
        snContribAddr
    ), "Contract address is not a valid multi-contributor SN contract"
    return ServiceNodeContribution(snContribAddr)


@internal
@view
def _releasable(token: address) -> uint256:
    """
    @dev Everything the lock holds of `token` from `end` on (inclusive),
         nothing before: the whole grant vests at `end`.
    @param token The 20-byte token address.
    @return uint256 The 32-byte releasable amount.
    """
    if block.timestamp < end:
        return 0
    return staticcall IERC20(token).balanceOf(self)


@internal
@pure
def _check_address(account: address):
    """
    @dev The reference's `nzAddr` guard, with its string.
    @param account The 20-byte address that must not be zero.
    """
    assert account != empty(address), "Shared: Zero-address is not permitted"
