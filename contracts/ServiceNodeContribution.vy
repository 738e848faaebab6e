# pragma version ~=0.4.3
"""
@title Service node contribution
@custom:contract-name ServiceNodeContribution
@license MIT
@notice Pools the stake of one service node from several contributors. The
        operator opens it with at least a quarter of the staking requirement
        (or their reservation); others then contribute, each at least the
        minimum that keeps the remaining slots fillable, into slots the
        operator may reserve for named contributors. When the stake is
        complete the node is registered in ServiceNodeRewards with every
        contributor and beneficiary, at once or when the operator calls
        `finalize`. Until then contributors may withdraw a day after their
        last contribution, and the operator may reset everything, refunding
        all.
@dev ABI-identical to the reference ServiceNodeContribution except how it
     comes to be: the factory makes each one as an EIP-1167 clone of one
     implementation (about 41,000 gas, where a full copy of this contract's
     12.5 KB of code costs 200 gas a byte), so the reference's constructor becomes
     `initialize`, run by the factory in the same call that creates the
     clone (nobody can initialise a factory-made clone before it). The
     implementation's constructor takes only the rewards contract; it
     locks the implementation itself. Values shared by every clone (the
     rewards contract, the token) are immutables of the implementation;
     everything per node is in the clone's storage. docs/compatibility.md
     lists every difference and its reason.

     Storage, packed so that a clone's set-up writes 11 slots and each
     contribution about two:
       _header       operator (160) | status << 160 | manual finalize bit 168
                     | fee << 176 (16) | maxContributors << 192 (8)
                     | contributor count << 200 (8) | reservation count << 208
                     (8) | received bitmap << 216 (16) | INITIALIZED bit 255
       _amounts      stakingRequirement (96) | total contributed << 96 (96)
                     | operator's contribution time << 192 (64)
       _bls_pubkey, _bls_signature, _ed25519_pubkey, _ed25519_signature
                     what finalize hands to addBLSPublicKey, which checks the
                     proof of possession again
       _stakers      two words per contributor, in list order, the operator
                     first: address | amount << 160, then (beneficiary XOR
                     address) | contribution time << 160 (the operator's time
                     is in `_amounts`, so a self-benefiting operator writes
                     only the first word)
       _reservations address | amount << 160 per reservation; whether it was
                     received is its bit in the header
     Amounts fit 96 bits: the total never exceeds the staking requirement,
     which ServiceNodeRewards keeps below 2^96. Contributor and reservation
     words past the counts are stale and never read: a reset or withdrawal
     only lowers a count, so the next contributor rewrites a non-zero slot.
@custom:abi-errors AddressInsufficientBalance, FailedInnerCall,
                   RewardsContractStakingRequirementChanged
"""

from ethereum.ercs import IERC20

from lib import errors
from lib import safe_erc20
from lib import structs


interface ServiceNodeRewards:
    def designatedToken() -> address: view
    def stakingRequirement() -> uint256: view
    def maxContributors() -> uint256: view
    def validateProofOfPossession(
        blsPubkey: structs.G1Point,
        blsSignature: structs.BLSSignatureParams,
        caller: address,
        serviceNodePubkey: uint256,
    ): nonpayable
    def addBLSPublicKey(
        blsPubkey: structs.G1Point,
        blsSignature: structs.BLSSignatureParams,
        serviceNodeParams: structs.ServiceNodeParams,
        contributors: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND],
    ): nonpayable


# -- constants ---------------------------------------------------------------------------------

# How long a contributor must leave a contribution before withdrawing it.
WITHDRAWAL_DELAY: public(constant(uint64)) = 86_400
# The largest fee, in 1/100 of a percent (10,000 = 100 %).
MAX_FEE: public(constant(uint16)) = 10_000

# The states of a contribution contract (the reference's Status enum).
WAIT_FOR_OPERATOR_CONTRIB: constant(uint256) = 0
OPEN_FOR_PUBLIC_CONTRIB: constant(uint256) = 1
WAIT_FOR_FINALIZED: constant(uint256) = 2
FINALIZED: constant(uint256) = 3

# @dev ServiceNodeRewards' own bound on maxContributors, and so on every list here.
MAX_CONTRIBUTORS_BOUND: constant(uint256) = structs.MAX_CONTRIBUTORS
# @dev A reservation list longer than the bound, so that a few too many get the
#      reference's `TooManyReservedContributors` rather than Vyper's bare revert.
RESERVED_ARGUMENT_BOUND: constant(uint256) = 2 * MAX_CONTRIBUTORS_BOUND
# @dev ServiceNodeRewards keeps the staking requirement below 2^96 (see the header).
MAX_STAKING_REQUIREMENT: constant(uint256) = 2**96 - 1

MASK_8: constant(uint256) = 2**8 - 1
MASK_16: constant(uint256) = 2**16 - 1
MASK_64: constant(uint256) = 2**64 - 1
MASK_96: constant(uint256) = 2**96 - 1
MASK_160: constant(uint256) = 2**160 - 1

# @dev The `_header` fields (see the header).
STATUS_SHIFT: constant(uint256) = 160
MANUAL_FINALIZE_BIT: constant(uint256) = 1 << 168
FEE_SHIFT: constant(uint256) = 176
MAX_CONTRIBUTORS_SHIFT: constant(uint256) = 192
COUNT_SHIFT: constant(uint256) = 200
RESERVED_COUNT_SHIFT: constant(uint256) = 208
RECEIVED_SHIFT: constant(uint256) = 216
INITIALIZED_BIT: constant(uint256) = 1 << 255
# @dev What a reset keeps: operator, manual-finalize flag, fee, maxContributors and the
#      initialised bit (status, counts and received bits go back to zero).
KEPT_BY_RESET: constant(uint256) = (
    MASK_160
    | MANUAL_FINALIZE_BIT
    | (MASK_16 << FEE_SHIFT)
    | (MASK_8 << MAX_CONTRIBUTORS_SHIFT)
    | INITIALIZED_BIT
)

# @dev The `_amounts` fields (see the header).
TOTAL_SHIFT: constant(uint256) = 96
OPERATOR_TIME_SHIFT: constant(uint256) = 192


# -- immutables (in the implementation's code, so shared by every clone) -----------------------

# The ServiceNodeRewards contract this node registers in.
REWARDS: immutable(ServiceNodeRewards)
# The staked token, ServiceNodeRewards' designated token.
SESH: public(immutable(IERC20))


# -- state -------------------------------------------------------------------------------------

# Operator, status, flags, fee and counts in one word (see the header).
_header: uint256
# Staking requirement, total contributed and the operator's contribution time.
_amounts: uint256
# The node's BLS key.
_bls_pubkey: structs.G1Point
# The proof of possession of `_bls_pubkey`, for operator and Ed25519 key.
_bls_signature: structs.BLSSignatureParams
# The node's Ed25519 key.
_ed25519_pubkey: uint256
# The Ed25519 signature ServiceNodeRewards passes on to the network.
_ed25519_signature: uint256[2]
# Two words per contributor, in list order (see the header).
_stakers: uint256[2 * MAX_CONTRIBUTORS_BOUND]
# One word per reservation, in the operator's order.
_reservations: uint256[MAX_CONTRIBUTORS_BOUND]


# -- events ------------------------------------------------------------------------------------

event Filled:
    pass


event Finalized:
    pass


event NewContribution:
    contributor: indexed(address)
    beneficiary: address
    amount: uint256


event OpenForPublicContribution:
    pass


event Reset:
    pass


event UpdateFee:
    newFee: uint16


event UpdateManualFinalize:
    newValue: bool


event UpdatePubkeys:
    newBLSPubkey: structs.G1Point
    newEd25519Pubkey: uint256


event UpdateReservedContributors:
    newReservedContributors: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND]


event UpdateStakerBeneficiary:
    staker: indexed(address)
    newBeneficiary: address


event WithdrawContribution:
    contributor: indexed(address)
    amount: uint256


@deploy
def __init__(_stakingRewardsContract: address):
    """
    @notice Deploys the implementation every clone runs, for one rewards
            contract and its token, and locks it: only clones can be
            initialised.
    @param _stakingRewardsContract The 20-byte address of the ServiceNodeRewards proxy.
    """
    assert _stakingRewardsContract != empty(address), "Shared: Zero-address is not permitted"
    REWARDS = ServiceNodeRewards(_stakingRewardsContract)
    SESH = IERC20(staticcall ServiceNodeRewards(_stakingRewardsContract).designatedToken())
    self._header = INITIALIZED_BIT


@external
def initialize(
    _maxContributors: uint256,
    key: structs.G1Point,
    sig: structs.BLSSignatureParams,
    params: structs.ServiceNodeParams,
    reserved: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND],
    _operator: address,
    _manualFinalize: bool,
):
    """
    @notice Sets up a fresh clone for `_operator`, as the reference's
            constructor does: the staking requirement read from the rewards
            contract now, the node's keys (the proof of possession is checked
            at once), fee, reservations and manual-finalize flag.
    @dev Once only, and never on the implementation (`InvalidInitialization`).
         The factory calls it in the same call that creates the clone.
         Emits what the reference's constructor emits: UpdateReservedContributors([]),
         Reset, UpdatePubkeys, UpdateFee, UpdateReservedContributors,
         UpdateManualFinalize.
    @param _maxContributors The 32-byte most contributors, ServiceNodeRewards'
           `maxContributors` (1 to 10).
    @param key The node's BLS key: a G1 point, two 32-byte words (X, Y).
    @param sig The proof of possession of the key, signed for the operator: a G2
           point, four 32-byte words.
    @param params The node's 32-byte Ed25519 key, its 64-byte signature (two words)
           and the 2-byte fee in 1/100 of a percent.
    @param reserved The reserved slots, the operator's first: each a 20-byte
           address and the 32-byte amount it must contribute.
    @param _operator The 20-byte address of the node's operator.
    @param _manualFinalize Whether the operator registers the full node with
           `finalize` (true) or the completing contribution does (false).
    """
    if self._header != 0:
        errors._invalid_initialization()
    assert _maxContributors != 0, "Shared: uint input is empty"
    if _maxContributors > MAX_CONTRIBUTORS_BOUND:
        errors._parameter_above_bound(_maxContributors, MAX_CONTRIBUTORS_BOUND)
    requirement: uint256 = staticcall REWARDS.stakingRequirement()
    if requirement > MAX_STAKING_REQUIREMENT:
        errors._parameter_above_bound(requirement, MAX_STAKING_REQUIREMENT)
    self._header = (
        convert(_operator, uint256) | (_maxContributors << MAX_CONTRIBUTORS_SHIFT) | INITIALIZED_BIT
    )
    self._amounts = requirement
    # The reference's constructor runs its reset first, which announces an empty contract.
    log UpdateReservedContributors(newReservedContributors=[])
    log Reset()
    self._update_pubkeys(
        key,
        sig,
        params.serviceNodePubkey,
        params.serviceNodeSignature1,
        params.serviceNodeSignature2,
    )
    self._update_fee(params.fee)
    self._update_reserved_contributors(reserved)
    self._update_manual_finalize(_manualFinalize)


# -- contributors ------------------------------------------------------------------------------


@external
def contributeFunds(amount: uint256, beneficiary: address):
    """
    @notice Contributes `amount` of SESH (approved beforehand) with rewards
            going to `beneficiary` (zero: the caller). The operator goes
            first; a reserved contributor pays at least their reservation, a
            new one at least `minimumContribution()`, and a contributor
            topping up anything. The contribution that completes the stake
            registers the node unless manual finalize is on.
    @dev States 0 and 1 only (`ContributeFundsNotPossible`). Reverts
         `RewardsContractMaxContributorsChanged` if the rewards contract's
         maxContributors or staking requirement changed since creation (the
         reference uses that error for both). A top-up also sets the
         beneficiary (zero: the caller), as in the reference.
    @param amount The 32-byte amount, in atomic units of SESH.
    @param beneficiary The 20-byte address that receives this contributor's
           rewards; zero means the caller.
    """
    self._contribute(msg.sender, beneficiary, amount)


@external
def withdrawContribution():
    """
    @notice Takes the caller's contribution back, a day after their last
            contribution; the operator's withdrawal resets the whole
            contract. A reservation stays, unfilled again. After the node is
            registered this only removes the bookkeeping: the stake is in
            ServiceNodeRewards.
    @dev `WithdrawTooEarly` within the delay. A full contract waiting for
         `finalize` opens again. Emits `WithdrawContribution` only when
         tokens are refunded; a non-contributor's call does nothing.
    """
    header: uint256 = self._header
    if msg.sender == convert(header & MASK_160, address):
        self._reset()
        return
    count: uint256 = (header >> COUNT_SHIFT) & MASK_8
    index: uint256 = self._index_of(msg.sender, count)
    contributed_at: uint256 = 0
    if index < count:
        contributed_at = self._stakers[2 * index + 1] >> 160
    delay: uint256 = convert(WITHDRAWAL_DELAY, uint256)
    if block.timestamp - contributed_at < delay:
        errors._withdraw_too_early(contributed_at, block.timestamp, delay)
    if index == count:
        return

    amount: uint256 = self._stakers[2 * index] >> 160
    # Swap with the last and drop it; the operator (index 0) never leaves this way.
    last: uint256 = count - 1
    if index != last:
        self._stakers[2 * index] = self._stakers[2 * last]
        self._stakers[2 * index + 1] = self._stakers[2 * last + 1]
    header = (header & ~(MASK_8 << COUNT_SHIFT)) | (last << COUNT_SHIFT)
    # Keep the reservation, not received any more.
    reservations: uint256 = (header >> RESERVED_COUNT_SHIFT) & MASK_8
    for j: uint256 in range(reservations, bound=MAX_CONTRIBUTORS_BOUND):
        if convert(self._reservations[j] & MASK_160, address) == msg.sender:
            header &= ~(1 << (RECEIVED_SHIFT + j))
            break
    amounts: uint256 = self._amounts
    total: uint256 = ((amounts >> TOTAL_SHIFT) & MASK_96) - amount
    self._amounts = (amounts & ~(MASK_96 << TOTAL_SHIFT)) | (total << TOTAL_SHIFT)

    status: uint256 = (header >> STATUS_SHIFT) & MASK_8
    if status == FINALIZED:
        # The stake is in ServiceNodeRewards; only the bookkeeping goes.
        self._header = header
        return
    if status == WAIT_FOR_FINALIZED:
        header = self._with_status(header, OPEN_FOR_PUBLIC_CONTRIB)
    self._header = header
    log WithdrawContribution(contributor=msg.sender, amount=amount)
    safe_erc20._safe_transfer(SESH.address, msg.sender, amount)


@external
def updateBeneficiary(newBeneficiary: address):
    """
    @notice Sends the caller's share of the node's rewards to
            `newBeneficiary` (zero: the caller), while the node is still
            being filled or waits for `finalize`; afterwards the list lives
            in ServiceNodeRewards.
    @dev `BeneficiaryUpdatingDisabledNodeIsNotOpen(ed25519)` in states 0 and
         3, `NonContributorUpdatedBeneficiary(caller)` for a non-contributor.
         No event when nothing changes.
    @param newBeneficiary The 20-byte address that receives the caller's
           rewards; zero means the caller.
    """
    header: uint256 = self._header
    status: uint256 = (header >> STATUS_SHIFT) & MASK_8
    if status != OPEN_FOR_PUBLIC_CONTRIB and status != WAIT_FOR_FINALIZED:
        errors._beneficiary_updating_disabled_node_is_not_open(self._ed25519_pubkey)
    count: uint256 = (header >> COUNT_SHIFT) & MASK_8
    index: uint256 = self._index_of(msg.sender, count)
    if index == count:
        errors._non_contributor_updated_beneficiary(msg.sender)
    desired: address = newBeneficiary
    if desired == empty(address):
        desired = msg.sender
    slot: uint256 = 2 * index + 1
    word: uint256 = self._stakers[slot]
    updated: uint256 = self._beneficiary_word(word, msg.sender, desired)
    if updated != word:
        self._stakers[slot] = updated


# -- operator ----------------------------------------------------------------------------------


@external
def finalize():
    """
    @notice Registers the node in ServiceNodeRewards with every contributor
            and beneficiary, paying the stake from this contract.
    @dev Operator only. State 2 only (`FinalizeNotPossible(status)`).
    """
    self._check_operator()
    self._finalize()


@external
def reset():
    """
    @notice Refunds every contributor (nothing moves after registration:
            the stake is in ServiceNodeRewards), forgets contributions and
            reservations, and reopens the contract for the operator's first
            contribution. Keys, fee and manual-finalize flag stay.
    @dev Operator only. Emits UpdateReservedContributors([]) and Reset.
    """
    self._check_operator()
    self._reset()


@external
def resetUpdateAndContribute(
    key: structs.G1Point,
    sig: structs.BLSSignatureParams,
    params: structs.ServiceNodeParams,
    reserved: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND],
    _manualFinalize: bool,
    beneficiary: address,
    amount: uint256,
):
    """
    @notice `reset`, then new keys, fee, reservations and manual-finalize
            flag, then (if `amount` is not zero) the operator's first
            contribution, in one transaction.
    @dev Operator only.
    @param key The node's BLS key: a G1 point, two 32-byte words (X, Y).
    @param sig The proof of possession of the key, signed for the operator: a G2
           point, four 32-byte words.
    @param params The node's 32-byte Ed25519 key, its 64-byte signature (two words)
           and the 2-byte fee in 1/100 of a percent.
    @param reserved The reserved slots, the operator's first: each a 20-byte
           address and the 32-byte amount it must contribute.
    @param _manualFinalize Whether the operator registers the full node with
           `finalize`.
    @param beneficiary The 20-byte address that receives the operator's rewards;
           zero means the operator.
    @param amount The 32-byte first contribution of the operator; zero: none.
    """
    self._check_operator()
    self._reset()
    self._update_pubkeys(
        key,
        sig,
        params.serviceNodePubkey,
        params.serviceNodeSignature1,
        params.serviceNodeSignature2,
    )
    self._update_fee(params.fee)
    self._update_reserved_contributors(reserved)
    self._update_manual_finalize(_manualFinalize)
    if amount > 0:
        self._contribute(msg.sender, beneficiary, amount)


@external
def updateManualFinalize(_manualFinalize: bool):
    """
    @notice Whether the contribution that completes the stake waits for the
            operator's `finalize` (true) or registers the node at once.
    @dev Operator only, any state.
    @param _manualFinalize Whether the completing contribution waits for
           `finalize`.
    """
    self._check_operator()
    self._update_manual_finalize(_manualFinalize)


@external
def updateFee(fee: uint16):
    """
    @notice The operator's fee, in 1/100 of a percent, before the operator's
            first contribution.
    @dev Operator only; state 0 only (`RequireWaitForOperatorContribStatus`);
         at most MAX_FEE (`FeeExceedsPossibleValue`).
    @param fee The 2-byte fee, in 1/100 of a percent (at most 10,000).
    """
    self._check_operator()
    self._update_fee(fee)


@external
def updatePubkeys(
    newBLSPubkey: structs.G1Point,
    newBLSSig: structs.BLSSignatureParams,
    ed25519Pubkey: uint256,
    ed25519Sig0: uint256,
    ed25519Sig1: uint256,
):
    """
    @notice New BLS and Ed25519 keys for the node, before the operator's
            first contribution. The proof of possession is checked now, for
            this operator, so nobody pays into a node that cannot register.
    @dev Operator only; state 0 only.
    @param newBLSPubkey The node's BLS key: a G1 point, two 32-byte words (X, Y).
    @param newBLSSig The proof of possession of the key, signed for the operator: a G2
           point, four 32-byte words.
    @param ed25519Pubkey The node's 32-byte Ed25519 key.
    @param ed25519Sig0 The first 32-byte word of the Ed25519 signature.
    @param ed25519Sig1 The second 32-byte word of the Ed25519 signature.
    """
    self._check_operator()
    self._update_pubkeys(newBLSPubkey, newBLSSig, ed25519Pubkey, ed25519Sig0, ed25519Sig1)


@external
def updateReservedContributors(
    reserved: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND]
):
    """
    @notice Replaces the reservations, before the operator's first
            contribution: at most maxContributors, the operator first, no
            zero or repeated address, each at least the minimum for its slot
            and all together at most the staking requirement.
    @dev Operator only; state 0 only.
    @param reserved The reserved slots, the operator's first: each a 20-byte
           address and the 32-byte amount it must contribute.
    """
    self._check_operator()
    self._update_reserved_contributors(reserved)


@external
def rescueERC20(tokenAddress: address):
    """
    @notice Sends this contract's whole balance of `tokenAddress` to the
            operator: tokens sent here by mistake. Only while no
            contribution is held (state 0) or after registration (state 3).
    @dev Operator only. `RescueNotPossible(status)`, `RescueBalanceIsEmpty`.
    @param tokenAddress The 20-byte address of the token to rescue.
    """
    operator: address = self._check_operator()
    status: uint256 = (self._header >> STATUS_SHIFT) & MASK_8
    if status != FINALIZED and status != WAIT_FOR_OPERATOR_CONTRIB:
        errors._rescue_not_possible(convert(status, uint8))
    balance: uint256 = staticcall IERC20(tokenAddress).balanceOf(self)
    if balance == 0:
        errors._rescue_balance_is_empty(tokenAddress)
    safe_erc20._safe_transfer(tokenAddress, operator, balance)


# -- views -------------------------------------------------------------------------------------


@external
@view
def stakingRewardsContract() -> address:
    """
    @notice The ServiceNodeRewards contract the node registers in.
    @return address The 20-byte address of ServiceNodeRewards (its proxy).
    """
    return REWARDS.address


@external
@view
def operator() -> address:
    """
    @notice The node's operator: the first contributor, who manages this
            contract.
    @return address The 20-byte address of the operator.
    """
    return convert(self._header & MASK_160, address)


@external
@view
def status() -> uint8:
    """
    @notice 0 waiting for the operator, 1 open, 2 full (waiting for
            finalize), 3 registered.
    @return uint8 The 1-byte status.
    """
    return convert((self._header >> STATUS_SHIFT) & MASK_8, uint8)


@external
@view
def manualFinalize() -> bool:
    """
    @notice Whether the contribution that completes the stake waits for the
            operator's `finalize`.
    @return bool True if the full node waits for `finalize`.
    """
    return self._header & MANUAL_FINALIZE_BIT != 0


@external
@view
def maxContributors() -> uint256:
    """
    @notice The most contributors, ServiceNodeRewards' value at creation.
    @return uint256 The 32-byte limit (at most 10).
    """
    return (self._header >> MAX_CONTRIBUTORS_SHIFT) & MASK_8


@external
@view
def stakingRequirement() -> uint256:
    """
    @notice The stake, ServiceNodeRewards' requirement at creation.
    @return uint256 The 32-byte stake, in atomic units of SESH.
    """
    return self._amounts & MASK_96


@external
@view
def blsPubkey() -> (uint256, uint256):
    """
    @notice The node's BLS key.
    @return uint256 The 32-byte X of the G1 point.
    @return uint256 The 32-byte Y of the G1 point.
    """
    return self._bls_pubkey.X, self._bls_pubkey.Y


@external
@view
def _blsSignature() -> (uint256, uint256, uint256, uint256):
    """
    @notice The proof of possession, as the reference's public variable
            getter returns it (four words).
    @return uint256 The 32-byte sigs0 (x, real part).
    @return uint256 The 32-byte sigs1 (x, imaginary part).
    @return uint256 The 32-byte sigs2 (y, real part).
    @return uint256 The 32-byte sigs3 (y, imaginary part).
    """
    sig: structs.BLSSignatureParams = self._bls_signature
    return sig.sigs0, sig.sigs1, sig.sigs2, sig.sigs3


@external
@view
def blsSignature() -> structs.BLSSignatureParams:
    """
    @notice The proof of possession of the node's BLS key.
    @return BLSSignatureParams The four 32-byte words of the G2 point.
    """
    return self._bls_signature


@external
@view
def _serviceNodeParams() -> (uint256, uint256, uint256, uint16):
    """
    @notice The registration parameters, as the reference's public variable
            getter returns them (four values).
    @return uint256 The 32-byte Ed25519 key.
    @return uint256 The first 32-byte word of the Ed25519 signature.
    @return uint256 The second 32-byte word of the Ed25519 signature.
    @return uint16 The 2-byte fee, in 1/100 of a percent.
    """
    params: structs.ServiceNodeParams = self._params()
    return (
        params.serviceNodePubkey,
        params.serviceNodeSignature1,
        params.serviceNodeSignature2,
        params.fee,
    )


@external
@view
def serviceNodeParams() -> structs.ServiceNodeParams:
    """
    @notice The node's Ed25519 key, its signature and the operator's fee.
    @return ServiceNodeParams The 32-byte Ed25519 key, the two 32-byte words of
            its signature and the 2-byte fee.
    """
    return self._params()


@external
@view
def contributions(stakerAddr: address) -> uint256:
    """
    @notice What `stakerAddr` has contributed (0 for a non-contributor).
    @param stakerAddr The 20-byte address of the contributor.
    @return uint256 The 32-byte amount, in atomic units of SESH.
    """
    count: uint256 = (self._header >> COUNT_SHIFT) & MASK_8
    index: uint256 = self._index_of(stakerAddr, count)
    if index == count:
        return 0
    return self._stakers[2 * index] >> 160


@external
@view
def contributionTimestamp(stakerAddr: address) -> uint256:
    """
    @notice When `stakerAddr` last contributed (0 for a non-contributor).
    @param stakerAddr The 20-byte address of the contributor.
    @return uint256 The 32-byte unix time of the last contribution.
    """
    count: uint256 = (self._header >> COUNT_SHIFT) & MASK_8
    index: uint256 = self._index_of(stakerAddr, count)
    if index == count:
        return 0
    if index == 0:
        return self._amounts >> OPERATOR_TIME_SHIFT
    return self._stakers[2 * index + 1] >> 160


@external
@view
def _contributorAddresses(index: uint256) -> (address, address):
    """
    @notice Contributor `index` (0 is the operator) and their beneficiary.
    @param index The 32-byte position in the list, below
           `contributorAddressesLength()`.
    @return address The 20-byte contributor.
    @return address The 20-byte beneficiary.
    """
    staker: structs.Staker = self._staker(index)
    return staker.addr, staker.beneficiary


@external
@view
def contributorAddresses(index: uint256) -> structs.Staker:
    """
    @notice Contributor `index` (0 is the operator) and their beneficiary.
    @param index The 32-byte position in the list, below
           `contributorAddressesLength()`.
    @return Staker The 20-byte contributor and the 20-byte beneficiary.
    """
    return self._staker(index)


@external
@view
def contributorAddressesLength() -> uint256:
    """
    @notice How many contributors there are, the operator included.
    @return uint256 The 32-byte count (at most 10).
    """
    return (self._header >> COUNT_SHIFT) & MASK_8


@external
@view
def operatorContribution() -> uint256:
    """
    @notice The operator's contribution (the first in the list), or 0.
    @return uint256 The 32-byte amount, in atomic units of SESH.
    """
    if (self._header >> COUNT_SHIFT) & MASK_8 == 0:
        return 0
    return self._stakers[0] >> 160


@external
@view
def getContributions() -> (
    DynArray[address, MAX_CONTRIBUTORS_BOUND],
    DynArray[address, MAX_CONTRIBUTORS_BOUND],
    DynArray[uint256, MAX_CONTRIBUTORS_BOUND],
):
    """
    @notice Every contributor, their beneficiary and contribution, in list
            order (the operator first).
    @return DynArray[address, 10] The 20-byte contributors.
    @return DynArray[address, 10] Their 20-byte beneficiaries.
    @return DynArray[uint256, 10] Their 32-byte contributions.
    """
    addrs: DynArray[address, MAX_CONTRIBUTORS_BOUND] = []
    beneficiaries: DynArray[address, MAX_CONTRIBUTORS_BOUND] = []
    amounts: DynArray[uint256, MAX_CONTRIBUTORS_BOUND] = []
    contributors: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND] = self._contributor_list()
    for c: structs.Contributor in contributors:
        addrs.append(c.staker.addr)
        beneficiaries.append(c.staker.beneficiary)
        amounts.append(c.stakedAmount)
    return addrs, beneficiaries, amounts


@external
@view
def getReserved() -> (
    DynArray[address, MAX_CONTRIBUTORS_BOUND],
    DynArray[uint256, MAX_CONTRIBUTORS_BOUND],
    DynArray[bool, MAX_CONTRIBUTORS_BOUND],
):
    """
    @notice Every reservation: address, amount and whether it was received.
    @return DynArray[address, 10] The 20-byte reserved addresses.
    @return DynArray[uint256, 10] Their 32-byte amounts.
    @return DynArray[bool, 10] Whether each was received.
    """
    header: uint256 = self._header
    addrs: DynArray[address, MAX_CONTRIBUTORS_BOUND] = []
    amounts: DynArray[uint256, MAX_CONTRIBUTORS_BOUND] = []
    received: DynArray[bool, MAX_CONTRIBUTORS_BOUND] = []
    reservations: uint256 = (header >> RESERVED_COUNT_SHIFT) & MASK_8
    for j: uint256 in range(reservations, bound=MAX_CONTRIBUTORS_BOUND):
        word: uint256 = self._reservations[j]
        addrs.append(convert(word & MASK_160, address))
        amounts.append(word >> 160)
        received.append(header & (1 << (RECEIVED_SHIFT + j)) != 0)
    return addrs, amounts, received


@external
@view
def reservedContributions(stakerAddr: address) -> (uint256, bool):
    """
    @notice The amount reserved for `stakerAddr` and whether it was received
            ((0, false) without a reservation).
    @param stakerAddr The 20-byte address to look up.
    @return uint256 The 32-byte reserved amount.
    @return bool Whether it was received.
    """
    header: uint256 = self._header
    reservations: uint256 = (header >> RESERVED_COUNT_SHIFT) & MASK_8
    for j: uint256 in range(reservations, bound=MAX_CONTRIBUTORS_BOUND):
        word: uint256 = self._reservations[j]
        if convert(word & MASK_160, address) == stakerAddr:
            return word >> 160, header & (1 << (RECEIVED_SHIFT + j)) != 0
    return 0, False


@external
@view
def reservedContributionsAddresses(index: uint256) -> address:
    """
    @notice The address of reservation `index`, in the operator's order.
    @dev Reverts without data at or past the number of reservations.
    @param index The 32-byte position in the reservation list.
    @return address The 20-byte reserved address.
    """
    assert index < (self._header >> RESERVED_COUNT_SHIFT) & MASK_8
    return convert(self._reservations[index] & MASK_160, address)


@external
@view
def totalContribution() -> uint256:
    """
    @notice Everything contributed so far, together.
    @return uint256 The 32-byte total, in atomic units of SESH.
    """
    return (self._amounts >> TOTAL_SHIFT) & MASK_96


@external
@view
def totalReservedContribution() -> uint256:
    """
    @notice The reservations not received yet, together.
    @return uint256 The 32-byte amount, in atomic units of SESH.
    """
    amount: uint256 = 0
    count: uint256 = 0
    amount, count = self._unfilled(self._header)
    return amount


@external
@view
def minimumContribution() -> uint256:
    """
    @notice The least a new, unreserved contributor may contribute now: the
            stake not yet contributed or reserved, shared among the slots
            left (a quarter of it for the operator's first contribution).
    @return uint256 The 32-byte minimum, in atomic units of SESH.
    """
    header: uint256 = self._header
    amounts: uint256 = self._amounts
    unfilled: uint256 = 0
    unfilled_count: uint256 = 0
    unfilled, unfilled_count = self._unfilled(header)
    return self._calc_minimum_contribution(
        (amounts & MASK_96) - ((amounts >> TOTAL_SHIFT) & MASK_96) - unfilled,
        ((header >> COUNT_SHIFT) & MASK_8) + unfilled_count,
        (header >> MAX_CONTRIBUTORS_SHIFT) & MASK_8,
    )


@external
@pure
def calcMinimumContribution(
    contributionRemaining: uint256, numContributors: uint256, maxNumContributors: uint256
) -> uint256:
    """
    @notice The minimum for the next contributor: a quarter of what remains
            for the first, else what remains over the slots left, rounded up.
    @dev `CalcMinContributionGivenBadContribArgs` when no slot is left.
    @param contributionRemaining The 32-byte stake not yet contributed or
           reserved.
    @param numContributors The 32-byte number of contributors and unfilled
           reservations so far.
    @param maxNumContributors The 32-byte most contributors.
    @return uint256 The 32-byte minimum, in atomic units of SESH.
    """
    return self._calc_minimum_contribution(
        contributionRemaining, numContributors, maxNumContributors
    )


@external
@pure
def minimumOperatorContribution(_stakingRequirement: uint256) -> uint256:
    """
    @notice A quarter of `_stakingRequirement`, rounded up.
    @param _stakingRequirement The 32-byte stake of a node.
    @return uint256 The 32-byte minimum, in atomic units of SESH.
    """
    return self._calc_minimum_contribution(_stakingRequirement, 0, 1)


# -- internal: the state machine ---------------------------------------------------------------


@internal
def _contribute(caller: address, beneficiary: address, amount: uint256):
    """
    @dev contributeFunds, in the reference's order of checks and events.
         Everything is checked on values in memory before storage is written.
    """
    header: uint256 = self._header
    status: uint256 = (header >> STATUS_SHIFT) & MASK_8
    if status != WAIT_FOR_OPERATOR_CONTRIB and status != OPEN_FOR_PUBLIC_CONTRIB:
        errors._contribute_funds_not_possible(convert(status, uint8))
    max_contributors: uint256 = (header >> MAX_CONTRIBUTORS_SHIFT) & MASK_8
    current: uint256 = staticcall REWARDS.maxContributors()
    if current != max_contributors:
        errors._rewards_contract_max_contributors_changed(max_contributors, current)
    amounts: uint256 = self._amounts
    requirement: uint256 = amounts & MASK_96
    current = staticcall REWARDS.stakingRequirement()
    if current != requirement:
        # The reference reports a changed requirement with this error too.
        errors._rewards_contract_max_contributors_changed(requirement, current)

    operator: address = convert(header & MASK_160, address)
    if status == WAIT_FOR_OPERATOR_CONTRIB:
        if caller != operator:
            errors._first_contribution_must_be_operator(caller, operator)
        status = OPEN_FOR_PUBLIC_CONTRIB
        log OpenForPublicContribution()

    # The unfilled reservations, and the caller's among them.
    unfilled: uint256 = 0
    unfilled_count: uint256 = 0
    reserved_bit: uint256 = 0
    reserved_amount: uint256 = 0
    reservations: uint256 = (header >> RESERVED_COUNT_SHIFT) & MASK_8
    for j: uint256 in range(reservations, bound=MAX_CONTRIBUTORS_BOUND):
        bit: uint256 = 1 << (RECEIVED_SHIFT + j)
        if header & bit == 0:
            reservation: uint256 = self._reservations[j]
            if convert(reservation & MASK_160, address) == caller:
                reserved_bit = bit
                reserved_amount = reservation >> 160
            unfilled += reservation >> 160
            unfilled_count += 1

    count: uint256 = (header >> COUNT_SHIFT) & MASK_8
    index: uint256 = self._index_of(caller, count)
    total: uint256 = (amounts >> TOTAL_SHIFT) & MASK_96
    if reserved_bit != 0:
        if amount < reserved_amount:
            errors._contribution_below_reserved_amount(amount, reserved_amount)
        header |= reserved_bit
        unfilled -= reserved_amount
    elif index == count:
        minimum: uint256 = self._calc_minimum_contribution(
            requirement - total - unfilled, count + unfilled_count, max_contributors
        )
        if amount < minimum:
            errors._contribution_below_min_amount(amount, minimum)

    desired: address = beneficiary
    if desired == empty(address):
        desired = caller
    is_new: bool = index == count
    staked: uint256 = amount
    if is_new:
        count += 1
    else:
        staked += self._stakers[2 * index] >> 160
    total += amount
    if total + unfilled > requirement:
        errors._contribution_exceeds_staking_requirement(total, unfilled, requirement)
    if count > max_contributors:
        errors._contribution_max_contributors_exceeded(max_contributors)

    # Checked: staked <= total <= requirement < 2^96, so the packed fields hold them.
    self._stakers[2 * index] = convert(caller, uint256) | (staked << 160)
    slot: uint256 = 2 * index + 1
    second: uint256 = convert(desired, uint256) ^ convert(caller, uint256)
    stored: uint256 = 0
    if index == 0 or not is_new:
        stored = self._stakers[slot]
        if not is_new:
            # A top-up sets (and announces) the beneficiary, as the reference does.
            second = self._beneficiary_word(stored, caller, desired) & MASK_160
    if index == 0:
        # The operator's time lives in `_amounts`; its second word only when it changes.
        if second != stored:
            self._stakers[slot] = second
        amounts = requirement | (total << TOTAL_SHIFT) | (block.timestamp << OPERATOR_TIME_SHIFT)
    else:
        self._stakers[slot] = second | (block.timestamp << 160)
        amounts = (amounts & ~(MASK_96 << TOTAL_SHIFT)) | (total << TOTAL_SHIFT)
    self._amounts = amounts

    if total == requirement:
        status = WAIT_FOR_FINALIZED
        log Filled()
    header = (header & ~(MASK_8 << COUNT_SHIFT)) | (count << COUNT_SHIFT)
    self._header = self._with_status(header, status)
    log NewContribution(contributor=caller, beneficiary=desired, amount=amount)
    safe_erc20._safe_transfer_from(SESH.address, caller, self, amount)
    if status == WAIT_FOR_FINALIZED and header & MANUAL_FINALIZE_BIT == 0:
        self._finalize()


@internal
def _finalize():
    """
    @dev Registers the node: state 3, then approve the stake and call
         addBLSPublicKey with the contributors in list order (the rewards
         contract pulls the stake from here and checks the proof of
         possession again).
    """
    header: uint256 = self._header
    status: uint256 = (header >> STATUS_SHIFT) & MASK_8
    if status != WAIT_FOR_FINALIZED:
        errors._finalize_not_possible(convert(status, uint8))
    self._header = self._with_status(header, FINALIZED)
    log Finalized()
    contributors: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND] = self._contributor_list()
    extcall SESH.approve(REWARDS.address, self._amounts & MASK_96)
    extcall REWARDS.addBLSPublicKey(
        self._bls_pubkey, self._bls_signature, self._params(), contributors
    )


@internal
def _reset():
    """
    @dev Refunds everyone unless the stake is registered, then empties the
         list and the reservations and returns to state 0. Only counts and
         totals are written (see the header on stale words).
    """
    header: uint256 = self._header
    if (header >> STATUS_SHIFT) & MASK_8 != FINALIZED:
        for i: uint256 in range((header >> COUNT_SHIFT) & MASK_8, bound=MAX_CONTRIBUTORS_BOUND):
            word: uint256 = self._stakers[2 * i]
            safe_erc20._safe_transfer(SESH.address, convert(word & MASK_160, address), word >> 160)
    self._header = header & KEPT_BY_RESET
    self._amounts = self._amounts & MASK_96
    log UpdateReservedContributors(newReservedContributors=[])
    log Reset()


@internal
def _update_manual_finalize(manual: bool):
    header: uint256 = self._header & ~MANUAL_FINALIZE_BIT
    if manual:
        header |= MANUAL_FINALIZE_BIT
    self._header = header
    log UpdateManualFinalize(newValue=manual)


@internal
def _update_fee(fee: uint16):
    header: uint256 = self._require_wait_for_operator_contrib()
    if fee > MAX_FEE:
        errors._fee_exceeds_possible_value(fee, MAX_FEE)
    self._header = (header & ~(MASK_16 << FEE_SHIFT)) | (convert(fee, uint256) << FEE_SHIFT)
    log UpdateFee(newFee=fee)


@internal
def _update_pubkeys(
    key: structs.G1Point,
    sig: structs.BLSSignatureParams,
    ed25519: uint256,
    ed25519_sig0: uint256,
    ed25519_sig1: uint256,
):
    """
    @dev The proof of possession must name this contract's operator, as the
         registration will.
    """
    header: uint256 = self._require_wait_for_operator_contrib()
    operator: address = convert(header & MASK_160, address)
    extcall REWARDS.validateProofOfPossession(key, sig, operator, ed25519)
    self._bls_pubkey = key
    self._bls_signature = sig
    self._ed25519_pubkey = ed25519
    self._ed25519_signature = [ed25519_sig0, ed25519_sig1]
    log UpdatePubkeys(newBLSPubkey=key, newEd25519Pubkey=ed25519)


@internal
def _update_reserved_contributors(
    reserved: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND]
):
    """
    @dev The reference's checks, in its order, entry by entry: the operator
         first, no zero address, no repeat, at least the minimum for the
         slot given what remains, at most what remains.
    """
    header: uint256 = self._require_wait_for_operator_contrib()
    max_contributors: uint256 = (header >> MAX_CONTRIBUTORS_SHIFT) & MASK_8
    length: uint256 = len(reserved)
    if length > max_contributors:
        errors._too_many_reserved_contributors(length, max_contributors)
    operator: address = convert(header & MASK_160, address)
    remaining: uint256 = self._amounts & MASK_96
    for i: uint256 in range(length, bound=MAX_CONTRIBUTORS_BOUND):
        entry: structs.ReservedContributor = reserved[i]
        if i == 0 and entry.addr != operator:
            errors._first_reserved_contributor_must_be_operator(0, operator)
        if entry.addr == empty(address):
            errors._reserved_contributor_has_zero_address(i)
        for j: uint256 in range(i, bound=MAX_CONTRIBUTORS_BOUND):
            if reserved[j].addr == entry.addr:
                errors._duplicate_address_in_reserved_contributor(i)
        minimum: uint256 = self._calc_minimum_contribution(remaining, i, max_contributors)
        if entry.amount < minimum:
            errors._reserved_contribution_below_min_amount(i, entry.amount, minimum)
        if entry.amount > remaining:
            errors._reserved_contribution_exceeds_staking_requirement(i, entry.amount, remaining)
        remaining -= entry.amount
        self._reservations[i] = convert(entry.addr, uint256) | (entry.amount << 160)
    header &= ~((MASK_8 << RESERVED_COUNT_SHIFT) | (MASK_16 << RECEIVED_SHIFT))
    self._header = header | (length << RESERVED_COUNT_SHIFT)
    log UpdateReservedContributors(newReservedContributors=reserved)


# -- internal: guards and reading --------------------------------------------------------------


@internal
@view
def _check_operator() -> address:
    """
    @dev onlyOperator: `OnlyOperatorIsAuthorised(caller, operator)`.
    """
    operator: address = convert(self._header & MASK_160, address)
    if msg.sender != operator:
        errors._only_operator_is_authorised(msg.sender, operator)
    return operator


@internal
@view
def _require_wait_for_operator_contrib() -> uint256:
    """
    @dev The updates of keys, fee and reservations are for state 0 only.
    @return The header, for the caller to update.
    """
    header: uint256 = self._header
    status: uint256 = (header >> STATUS_SHIFT) & MASK_8
    if status != WAIT_FOR_OPERATOR_CONTRIB:
        errors._require_wait_for_operator_contrib_status(convert(status, uint8))
    return header


@internal
@pure
def _with_status(header: uint256, status: uint256) -> uint256:
    return (header & ~(MASK_8 << STATUS_SHIFT)) | (status << STATUS_SHIFT)


@internal
def _beneficiary_word(word: uint256, staker: address, desired: address) -> uint256:
    """
    @dev A contributor's second word with `desired` as beneficiary (the
         time bits kept); announces the change if there is one.
    """
    addr: uint256 = convert(staker, uint256)
    if convert((word & MASK_160) ^ addr, address) == desired:
        return word
    log UpdateStakerBeneficiary(staker=staker, newBeneficiary=desired)
    return (word & ~MASK_160) | (convert(desired, uint256) ^ addr)


@internal
@view
def _index_of(staker: address, count: uint256) -> uint256:
    """
    @dev The list position of `staker`, or `count` when not a contributor
         (a loop of at most ten reads beats a lookup table, whose every
         entry would cost a fresh slot).
    """
    for i: uint256 in range(count, bound=MAX_CONTRIBUTORS_BOUND):
        if convert(self._stakers[2 * i] & MASK_160, address) == staker:
            return i
    return count


@internal
@view
def _staker(index: uint256) -> structs.Staker:
    assert index < (self._header >> COUNT_SHIFT) & MASK_8
    addr: uint256 = self._stakers[2 * index] & MASK_160
    beneficiary: uint256 = (self._stakers[2 * index + 1] & MASK_160) ^ addr
    return structs.Staker(addr=convert(addr, address), beneficiary=convert(beneficiary, address))


@internal
@view
def _contributor_list() -> DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND]:
    contributors: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND] = []
    for i: uint256 in range((self._header >> COUNT_SHIFT) & MASK_8, bound=MAX_CONTRIBUTORS_BOUND):
        word: uint256 = self._stakers[2 * i]
        addr: uint256 = word & MASK_160
        beneficiary: uint256 = (self._stakers[2 * i + 1] & MASK_160) ^ addr
        staker: structs.Staker = structs.Staker(
            addr=convert(addr, address), beneficiary=convert(beneficiary, address)
        )
        contributors.append(structs.Contributor(staker=staker, stakedAmount=word >> 160))
    return contributors


@internal
@view
def _unfilled(header: uint256) -> (uint256, uint256):
    """
    @dev The reservations not received yet: their sum and their number.
    """
    amount: uint256 = 0
    count: uint256 = 0
    reservations: uint256 = (header >> RESERVED_COUNT_SHIFT) & MASK_8
    for j: uint256 in range(reservations, bound=MAX_CONTRIBUTORS_BOUND):
        if header & (1 << (RECEIVED_SHIFT + j)) == 0:
            amount += self._reservations[j] >> 160
            count += 1
    return amount, count


@internal
@view
def _params() -> structs.ServiceNodeParams:
    return structs.ServiceNodeParams(
        serviceNodePubkey=self._ed25519_pubkey,
        serviceNodeSignature1=self._ed25519_signature[0],
        serviceNodeSignature2=self._ed25519_signature[1],
        fee=convert((self._header >> FEE_SHIFT) & MASK_16, uint16),
    )


@internal
@pure
def _calc_minimum_contribution(
    remaining: uint256, contributors: uint256, maximum: uint256
) -> uint256:
    """
    @dev ceil(remaining / 4) for the first contributor, else
         ceil(remaining / slots left), written as (x - 1) // d + 1 as the
         reference does (so nothing remaining reverts, as its underflow does).
    """
    if maximum <= contributors:
        errors._calc_min_contribution_given_bad_contrib_args(contributors, maximum)
    if contributors == 0:
        return (remaining - 1) // 4 + 1
    return (remaining - 1) // (maximum - contributors) + 1
