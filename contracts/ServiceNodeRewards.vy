# pragma version ~=0.4.3
"""
@title Service node rewards
@custom:contract-name ServiceNodeRewards
@license MIT
@notice The staking and reward contract of the Session network. Nodes join by
        staking the staking requirement with a BLS key and a proof of
        possession; they leave by a network-signed exit, by waiting 30 days
        after a leave request, or by a network-signed liquidation that pays a
        penalty. Rewards (and returned stakes) reach stakers as lifetime
        balances signed by at least two thirds of the network, checked here
        against one aggregate BLS key, and are then claimed.
@dev ABI-identical to the reference ServiceNodeRewards (version 1): every
     function, event and custom error, deployed behind an ERC-1967 proxy and
     set up by `initialize`. Differences, each for a reason given in
     docs/compatibility.md:
     - the non-signer ids of a network signature must be strictly increasing
       and name live nodes (`NonSignerIDsNotIncreasing`,
       `ServiceNodeDoesntExist`); a signature whose signers' key is the point
       at infinity is refused;
     - a registered BLS key must be a point of G1 (`InvalidBLSProofOfPossession`);
     - list lengths Vyper must bound, and the packed storage below, put upper
       limits on a few owner parameters (`ParameterAboveBound`);
     - the five tags are computed from the chain id and the proxy address
       when used, not stored;
     - the BLS hash and pairing run in the BLSVerifier contract (code size);
     - UUPS upgrades (`upgradeToAndCall`, `proxiableUUID`) replace the
       reference's transparent proxy admin; the paginated node list view
       `serviceNodeIDsPage` is added.

     Storage, in order (upgrades may only append; each variable is
     described where it is declared):
       ownable2step     owner, pendingOwner
       initializable    initialized_version
       uups             erc1967_implementation (at the ERC-1967 slot)
       designatedToken, foundationPool, _status, stakingRequirement,
       maxContributors, liquidatorRewardRatio, poolShareOfLiquidationRatio,
       recipientRatio, nextServiceNodeID, totalNodes, blsNonSignerThreshold,
       blsNonSignerThresholdMax, signatureExpiry, claimThreshold, claimCycle,
       currentClaimTotal, currentClaimCycle, lastHeightPubkeyWasAggregated,
       numPubkeyAggregationsForHeight, _aggregate (2 slots)
       node_list        _nodes: the node records (lib/node_list.vy), one
                        packed record a node, so that a registration writes
                        five slots where the reference writes eleven;
                        `serviceNodes(id)` unpacks one into the reference's
                        struct
       serviceNodeIDs, ed25519ToServiceNodeID, _recipients

     Non-signer ids are read straight from the calldata. Vyper copies a
     uint64[] argument into memory (to range-check it) and places every later
     memory variable after the array's full bound, so a local variable in
     the same function would pay memory expansion for 10,000 ids on every
     call. The external functions that take ids therefore hold no local
     variables: they hand the work to internal functions, whose memory lies
     below the copy, and those read the ids (already checked by the copy)
     with `slice(msg.data, ...)`. The cost per non-signer stays flat.
@custom:abi-errors NotInitializing, AddressInsufficientBalance, FailedInnerCall, DeleteSentinelNodeNotAllowed, InsufficientNodes, RecipientAddressDoesNotMatch
"""

from ethereum.ercs import IERC20

from lib import errors
from lib import initializable
from lib import node_list
from lib import ownable2step
from lib import safe_erc20
from lib import structs
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


interface BLSVerifier:
    def verify(
        pubkey: uint256[2], message: Bytes[148], dst: bytes32, signature: uint256[4]
    ) -> bool: view


# -- types -------------------------------------------------------------------------------------


struct Recipient:
    # The lifetime rewards the network signed for the address.
    rewards: uint256
    # How much of them the address has claimed.
    claimed: uint256


# -- constants ---------------------------------------------------------------------------------

# This implementation's version, as the reference numbers it.
VERSION: public(constant(uint256)) = 1
# The id that stands for "no node" at both ends of the node list.
LIST_SENTINEL: public(constant(uint64)) = node_list.SENTINEL
# How long after an exit request anyone may remove the node without a
# signature: 30 days.
MAX_SERVICE_NODE_EXIT_WAIT_TIME: public(constant(uint256)) = 30 * 86_400
# The least `maxPermittedPubkeyAggregations()` answers, however few nodes.
MAX_PERMITTED_PUBKEY_AGGREGATIONS_LOWER_BOUND: public(constant(uint256)) = 20
# The leave rules of lib/node_list.vy, under the reference's getter names:
# the wait between exit requests, a small contributor's wait before one, and
# the share of the stake (1/divisor) below which a contributor is small.
MIN_TIME_BEFORE_REPEATED_LEAVE_REQUEST: public(constant(uint256)) = node_list.MIN_TIME_BEFORE_REPEATED_LEAVE_REQUEST
SMALL_CONTRIBUTOR_LEAVE_DELAY: public(constant(uint256)) = node_list.SMALL_CONTRIBUTOR_LEAVE_DELAY
SMALL_CONTRIBUTOR_DIVISOR: public(constant(uint256)) = node_list.SMALL_CONTRIBUTOR_DIVISOR

# @dev The bounds Vyper needs for lists. The owner cannot set maxContributors or
#      blsNonSignerThresholdMax above them (`ParameterAboveBound`).
MAX_CONTRIBUTORS_BOUND: constant(uint256) = structs.MAX_CONTRIBUTORS
MAX_NON_SIGNERS: constant(uint256) = 10_000
# @dev addBLSPublicKey accepts a longer list than it can store, so that a few
#      contributors too many get the reference's `MaxContributorsExceeded`
#      rather than Vyper's bare revert of an over-long argument.
CONTRIBUTORS_ARGUMENT_BOUND: constant(uint256) = 2 * MAX_CONTRIBUTORS_BOUND
# @dev Nodes per `seedPublicKeyList` call; the reference's scripts send 100.
SEED_BATCH: constant(uint256) = 100
# @dev The most nodes `allServiceNodeIDs` returns; `serviceNodeIDsPage` has no
#      such limit (PAGE_BOUND per call, any number of calls).
LIST_BOUND: constant(uint256) = 10_000
PAGE_BOUND: constant(uint256) = 1_000
# @dev Deposits and stakes are packed into 96 bits; 2^96 atomic units is about
#      3.3e11 times the SESH supply.
MAX_STAKING_REQUIREMENT: constant(uint256) = 2**96 - 1

# @dev Where the offset of the `ids` array sits in the calldata of the
#      signature-checked functions: the selector, then the static head words.
UPDATE_IDS_HEAD: constant(uint256) = 4 + 32 * 6
EXIT_IDS_HEAD: constant(uint256) = 4 + 32 * 7

# @dev The BN254 base field modulus, for G1 negation and the curve check.
FIELD_MODULUS: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
# @dev The BN254 point-addition precompile (EIP-196).
EC_ADD: constant(address) = 0x0000000000000000000000000000000000000006

# @dev The `_status` bits. INITIALIZED keeps the slot non-zero from `initialize` on,
#      so that `start` and `pause` rewrite a non-zero slot (2,900 gas, not 20,000).
PAUSED: constant(uint256) = 1
STARTED: constant(uint256) = 2
INITIALIZED: constant(uint256) = 4

# The reference's domain tags, hashed with the chain id and this contract's
# address when used (see the header).
POP_TAG: constant(Bytes[27]) = b"BLS_SIG_TRYANDINCREMENT_POP"
REWARD_TAG: constant(Bytes[30]) = b"BLS_SIG_TRYANDINCREMENT_REWARD"
EXIT_TAG: constant(Bytes[28]) = b"BLS_SIG_TRYANDINCREMENT_EXIT"
LIQUIDATE_TAG: constant(Bytes[33]) = b"BLS_SIG_TRYANDINCREMENT_LIQUIDATE"
HASH_TO_G2_TAG: constant(Bytes[25]) = b"BLS_SIG_HASH_TO_FIELD_TAG"


# -- immutables (in the implementation's code, so the same behind any proxy) -------------------

# @dev The BLS verifier contract (see BLSVerifier.vy).
VERIFIER: immutable(BLSVerifier)
# @dev How old a node must be before a signed exit or liquidation: 2 hours in
#      the reference, 0 in its local-devnet build.
MINIMUM_EXIT_AGE: immutable(uint256)


# -- state -------------------------------------------------------------------------------------

# The staked token (SESH): stakes come in and rewards go out in it.
designatedToken: public(IERC20)
# Where the pool's share of a liquidated deposit goes.
foundationPool: public(address)
# PAUSED | STARTED | INITIALIZED, one slot so that every guarded call reads it once.
_status: uint256
# The stake of a new node, in atomic units (below 2^96).
stakingRequirement: public(uint256)
# The most contributors a new node may list (at most MAX_CONTRIBUTORS_BOUND).
maxContributors: public(uint256)
# The liquidator's part of a liquidated deposit, against the two below.
liquidatorRewardRatio: public(uint256)
# The foundation pool's part of a liquidated deposit.
poolShareOfLiquidationRatio: public(uint256)
# The stakers' part of a liquidated deposit (never zero).
recipientRatio: public(uint256)
# The id the next registered node gets (ids start at 1 and are never reused).
nextServiceNodeID: public(uint64)
# How many nodes are live.
totalNodes: public(uint256)
# The most non-signers a network signature may list: a third of the nodes, capped.
blsNonSignerThreshold: public(uint256)
# The cap on blsNonSignerThreshold (at most MAX_NON_SIGNERS).
blsNonSignerThresholdMax: public(uint256)
# How long, in seconds, a signed exit or liquidation stays valid.
signatureExpiry: public(uint256)
# The most all claims together may take in one claim cycle.
claimThreshold: public(uint256)
# The length, in seconds, of a claim cycle.
claimCycle: public(uint256)
# What was claimed in the current claim cycle.
currentClaimTotal: public(uint256)
# The current claim cycle's index: block.timestamp // claimCycle when it began.
currentClaimCycle: public(uint256)
# The block of the latest registration, for the per-block limit.
lastHeightPubkeyWasAggregated: public(uint256)
# Registrations in that block.
numPubkeyAggregationsForHeight: public(uint256)
# The sum of every live node's BLS key.
_aggregate: structs.G1Point
# The node records, in the slot the rewards contract has always kept them in: its
# `initializes:` stands here because Vyper places a module's storage where it is declared.
initializes: node_list
# A node's id by its BLS key, keyed by the 64-byte abi.encode(X, Y) as the reference's
# getter takes it (0: none).
serviceNodeIDs: public(HashMap[Bytes[64], uint64])
# A node's id by its Ed25519 key (0: none).
ed25519ToServiceNodeID: public(HashMap[uint256, uint64])
# Each address's lifetime rewards and what it has claimed of them.
_recipients: HashMap[address, Recipient]


# -- events ------------------------------------------------------------------------------------

event NewServiceNodeV2:
    serviceNodeID: indexed(uint64)
    initiator: address
    pubkey: structs.G1Point
    serviceNode: structs.ServiceNodeParams
    contributors: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND]


event NewSeededServiceNode:
    serviceNodeID: indexed(uint64)
    blsPubkey: structs.G1Point
    ed25519Pubkey: uint256


event ServiceNodeExitRequest:
    serviceNodeID: indexed(uint64)
    initiator: address
    pubkey: structs.G1Point


event ServiceNodeExit:
    serviceNodeID: indexed(uint64)
    initiator: address
    returnedAmount: uint256
    pubkey: structs.G1Point


event ServiceNodeLiquidated:
    serviceNodeID: indexed(uint64)
    initiator: address
    pubkey: structs.G1Point


event RewardsBalanceUpdated:
    recipientAddress: indexed(address)
    amount: uint256
    previousBalance: uint256


event RewardsClaimed:
    recipientAddress: indexed(address)
    amount: uint256


event StakingRequirementUpdated:
    newRequirement: uint256


event SignatureExpiryUpdated:
    newExpiry: uint256


event BLSNonSignerThresholdMaxUpdated:
    newMax: uint256


event ClaimThresholdUpdated:
    newThreshold: uint256


event ClaimCycleUpdated:
    newValue: uint256


event LiquidationRatiosUpdated:
    liquidatorRatio: uint256
    poolRatio: uint256
    recipientRatio: uint256


event Paused:
    account: address


event Unpaused:
    account: address


@deploy
def __init__(verifier: address, minimum_exit_age: uint256):
    """
    @notice Deploys the implementation, locked: only proxies pointing at it
            can be initialised.
    @param verifier The BLSVerifier contract.
    @param minimum_exit_age Seconds a node must live before a signed exit or
           liquidation: 7,200 as in the reference, 0 for a local devnet.
    """
    VERIFIER = BLSVerifier(verifier)
    MINIMUM_EXIT_AGE = minimum_exit_age
    uups.__init__()
    initializable._disable_initializers()


@external
def initialize(
    _token: address,
    _foundationPool: address,
    _stakingRequirement: uint256,
    _maxContributors: uint256,
    _liquidatorRewardRatio: uint256,
    _poolShareOfLiquidationRatio: uint256,
    _recipientRatio: uint256,
):
    """
    @notice Sets up a freshly deployed proxy, with the caller as owner: the
            staked token, the pool that receives liquidation shares, the
            staking requirement, the most contributors per node, and the
            liquidation ratios. The contract starts unstarted and unpaused.
    @dev Once only (`InvalidInitialization`). Refuses a zero recipient ratio
         (`PositiveNumberRequirement`), penalties above a quarter
         (`LiquidatorPenaltyTooHigh`), and values above the compiled bounds
         (`ParameterAboveBound`). Unlike the reference it also refuses a zero
         staking requirement or maxContributors (`PositiveNumberRequirement`,
         as their setters do: a zero requirement makes nodes free, zero
         contributors makes registration impossible) and a zero token or pool
         (`NullAddress`): a proxy initialised wrong cannot be initialised again.
         Each parameter goes through the validator its setter uses, so a bad
         value reverts with the setter's error. Emits
         `LiquidationRatiosUpdated`, as the reference does, but no
         `StakingRequirementUpdated`: the reference's initialize does not,
         and nodes read the first requirement from the contract.
    @param _token The 20-byte address of the staked token.
    @param _foundationPool The 20-byte address that receives the pool's
           share of liquidations.
    @param _stakingRequirement The 32-byte stake of a node, below 2^96.
    @param _maxContributors The 32-byte most contributors per node, 1 to 10.
    @param _liquidatorRewardRatio The 32-byte liquidator's ratio.
    @param _poolShareOfLiquidationRatio The 32-byte pool's ratio.
    @param _recipientRatio The 32-byte stakers' ratio.
    """
    initializable._begin_initialization()
    self._set_liquidation_ratios(
        _liquidatorRewardRatio, _poolShareOfLiquidationRatio, _recipientRatio
    )
    if _token == empty(address) or _foundationPool == empty(address):
        errors._null_address()
    self._check_staking_requirement(_stakingRequirement)
    self._check_positive(_maxContributors)
    if _maxContributors > MAX_CONTRIBUTORS_BOUND:
        errors._parameter_above_bound(_maxContributors, MAX_CONTRIBUTORS_BOUND)
    self._status = INITIALIZED
    self.designatedToken = IERC20(_token)
    self.foundationPool = _foundationPool
    self.stakingRequirement = _stakingRequirement
    self.maxContributors = _maxContributors
    self.blsNonSignerThresholdMax = 4_000
    self.signatureExpiry = 600
    self.claimThreshold = 1_000_000 * 10**9
    self.claimCycle = 12 * 3_600
    self.nextServiceNodeID = 1
    ownable2step._initialize(msg.sender)
    initializable._end_initialization()


# -- registration ------------------------------------------------------------------------------


@external
def addBLSPublicKey(
    blsPubkey: structs.G1Point,
    blsSignature: structs.BLSSignatureParams,
    serviceNodeParams: structs.ServiceNodeParams,
    contributors: DynArray[structs.Contributor, CONTRIBUTORS_ARGUMENT_BOUND],
):
    """
    @notice Registers a node: its BLS key (with a proof of possession signed
            for the operator, the first contributor, or the caller when
            `contributors` is empty), its Ed25519 key, and its contributors,
            whose stakes must sum to the staking requirement with at least a
            quarter from the operator. The caller pays the whole stake.
    @dev Paused or unstarted: `EnforcedPause`, `ContractNotStarted`. At most
         `maxPermittedPubkeyAggregations()` per block. Emits
         `NewServiceNodeV2`, then pulls the stake with transferFrom.
    @param blsPubkey The node's BLS key, a point of G1.
    @param blsSignature The proof of possession of `blsPubkey`.
    @param serviceNodeParams The node's Ed25519 key, its signature and the
           operator's fee.
    @param contributors The contributors, the operator first; empty for a
           node staked wholly by the caller.
    """
    self._check_active()
    requirement: uint256 = self.stakingRequirement
    stakers: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND] = []
    if len(contributors) > self.maxContributors:
        errors._max_contributors_exceeded()
    for c: structs.Contributor in contributors:
        stakers.append(c)
    if len(contributors) == 0:
        stakers = [
            structs.Contributor(
                staker=structs.Staker(addr=msg.sender, beneficiary=msg.sender), stakedAmount=requirement
            )
        ]
    else:
        total: uint256 = 0
        for c: structs.Contributor in contributors:
            total += c.stakedAmount
        if total != requirement:
            errors._contribution_total_mismatch(requirement, total)
        operator_stake: uint256 = contributors[0].stakedAmount
        if operator_stake * SMALL_CONTRIBUTOR_DIVISOR < requirement:
            errors._insufficient_operator_contribution(operator_stake)
    existing: uint64 = self.serviceNodeIDs[abi_encode(blsPubkey.X, blsPubkey.Y)]
    if existing != 0:
        errors._bls_pubkey_already_exists(existing)
    if blsPubkey.X == 0 or blsPubkey.Y == 0:
        errors._null_bls_pubkey()
    self._check_proof_of_possession(
        blsPubkey, blsSignature, stakers[0].staker.addr, serviceNodeParams.serviceNodePubkey
    )
    if serviceNodeParams.serviceNodePubkey == 0:
        errors._null_ed25519_pubkey()
    serviceNodeID: uint64 = self._insert(
        blsPubkey, serviceNodeParams.serviceNodePubkey, block.timestamp, requirement, stakers, True
    )
    self._update_threshold()
    log NewServiceNodeV2(
        serviceNodeID=serviceNodeID,
        initiator=msg.sender,
        pubkey=blsPubkey,
        serviceNode=serviceNodeParams,
        contributors=stakers,
    )
    safe_erc20._safe_transfer_from(self.designatedToken.address, msg.sender, self, requirement)


@external
def validateProofOfPossession(
    blsPubkey: structs.G1Point, blsSignature: structs.BLSSignatureParams, caller: address, serviceNodePubkey: uint256
):
    """
    @notice Reverts `InvalidBLSProofOfPossession` unless `blsSignature` proves
            possession of `blsPubkey` for operator `caller` and Ed25519 key
            `serviceNodePubkey`, bound to this chain and contract.
    @dev For contribution contracts, to refuse a bad key before anyone pays.
    @param blsPubkey The BLS key.
    @param blsSignature The proof of possession.
    @param caller The 20-byte operator the proof was signed for.
    @param serviceNodePubkey The 32-byte Ed25519 key the proof was signed for.
    """
    self._check_proof_of_possession(blsPubkey, blsSignature, caller, serviceNodePubkey)


@external
def seedPublicKeyList(nodes: DynArray[structs.SeedServiceNode, SEED_BATCH]):
    """
    @notice Before `start`, the owner copies existing nodes in: key, Ed25519
            key, registration time and contributors, without proofs of
            possession (the owner checked them off-chain) and without tokens.
    @dev Owner only; `ContractAlreadyStarted` after `start`. Emits
         `NewSeededServiceNode` per node. May be called many times.
    @param nodes Up to 100 nodes, appended in this order.
    """
    ownable2step._check_owner()
    if self._status & STARTED != 0:
        errors._contract_already_started()
    for i: uint256 in range(len(nodes), bound=SEED_BATCH):
        self._seed(nodes[i])
    self._update_threshold()


# -- leaving -----------------------------------------------------------------------------------


@external
def initiateExitBLSPublicKey(serviceNodeID: uint64):
    """
    @notice A contributor asks for the node's exit. Contributors of less than
            a quarter of the stake may ask only 30 days after registration;
            a repeated request needs an hour since the last one and does not
            move the first request's time.
    @dev Emits `ServiceNodeExitRequest`. No tokens move. The rules are
         node_list's `_request_leave`.
    @param serviceNodeID The 8-byte id of a node the caller contributed to.
    """
    self._check_active()
    node_list._request_leave(serviceNodeID, msg.sender)
    log ServiceNodeExitRequest(
        serviceNodeID=serviceNodeID, initiator=msg.sender, pubkey=node_list._pubkey(serviceNodeID)
    )


@external
def exitBLSPublicKeyWithSignature(
    blsPubkey: structs.G1Point,
    timestamp: uint256,
    blsSignature: structs.BLSSignatureParams,
    ids: DynArray[uint64, MAX_NON_SIGNERS],
):
    """
    @notice Removes a node on the network's signed word (at least two thirds
            signing; `ids` are the nodes that did not sign, in increasing
            order). The node must be at least the minimum exit age old and
            the signature at most `signatureExpiry` seconds old.
    @dev Emits `ServiceNodeExit` with the whole deposit as returnedAmount; no
         tokens move here: the network pays the stake back through the
         stakers' reward balances. No local variables here (see the header).
    @param blsPubkey The node's BLS key.
    @param timestamp The 32-byte unix time the network signed.
    @param blsSignature The network's aggregate signature.
    @param ids The non-signers' ids, strictly increasing.
    """
    self._exit_with_signature(blsPubkey, timestamp, blsSignature, len(ids))


@external
def exitBLSPublicKeyAfterWaitTime(serviceNodeID: uint64):
    """
    @notice Anyone may remove a node 30 days after its first leave request.
    @dev `LeaveRequestNotInitiatedYet` without a request (or for an unknown
         id); `LeaveRequestTooEarly` before the 30 days are over (the last
         second included). Emits `ServiceNodeExit`; no tokens move.
    @param serviceNodeID The 8-byte id of the node.
    """
    self._check_active()
    requested: uint256 = 0
    word: uint256 = 0
    requested, word = node_list._pending_exit(serviceNodeID)
    if requested == 0:
        errors._leave_request_not_initiated_yet(serviceNodeID)
    allowed: uint256 = requested + MAX_SERVICE_NODE_EXIT_WAIT_TIME
    if block.timestamp < allowed:
        errors._leave_request_too_early(serviceNodeID, allowed, block.timestamp)
    point: uint256[2] = node_list._unpack_key(word)
    key: structs.G1Point = structs.G1Point(X=point[0], Y=point[1])
    deposit: uint256 = self._remove(serviceNodeID, key)
    self._update_threshold()
    log ServiceNodeExit(
        serviceNodeID=serviceNodeID, initiator=msg.sender, returnedAmount=deposit, pubkey=key
    )


@external
def liquidateBLSPublicKeyWithSignature(
    blsPubkey: structs.G1Point,
    timestamp: uint256,
    blsSignature: structs.BLSSignatureParams,
    ids: DynArray[uint64, MAX_NON_SIGNERS],
):
    """
    @notice Removes a misbehaving node on the network's signed word and takes
            a penalty from its deposit: the liquidator's share (rounded down)
            to the caller, the pool's share (rounded up) to the foundation
            pool. The rest goes back to the stakers through reward balances.
    @dev Emits `ServiceNodeLiquidated`, then `ServiceNodeExit` with the
         deposit less the penalty. No local variables here (see the header).
    @param blsPubkey The node's BLS key.
    @param timestamp The 32-byte unix time the network signed.
    @param blsSignature The network's aggregate signature.
    @param ids The non-signers' ids, strictly increasing.
    """
    self._liquidate_with_signature(blsPubkey, timestamp, blsSignature, len(ids))


# -- rewards -----------------------------------------------------------------------------------


@external
def updateRewardsBalance(
    recipientAddress: address,
    recipientRewards: uint256,
    blsSignature: structs.BLSSignatureParams,
    ids: DynArray[uint64, MAX_NON_SIGNERS],
):
    """
    @notice Records `recipientRewards`, the lifetime total the network signed
            for `recipientAddress`. Anyone may relay it; the total only grows.
    @dev `RecipientRewardsTooLow` unless above the stored total (so replays
         fail). Emits `RewardsBalanceUpdated`. No local variables here (see
         the header).
    @param recipientAddress The 20-byte address the rewards are for.
    @param recipientRewards The 32-byte lifetime total, in atomic units.
    @param blsSignature The network's aggregate signature.
    @param ids The non-signers' ids, strictly increasing.
    """
    self._update_rewards_balance(recipientAddress, recipientRewards, blsSignature, len(ids))


@external
def claimRewards(amount: uint256 = max_value(uint256)):
    """
    @notice Pays the caller `amount` of their unclaimed rewards, or all of
            them when called without an argument. Claims of everyone
            together are capped at `claimThreshold` per `claimCycle` window.
    @dev Not pausable, as in the reference. `MaxClaimExceeded` above the
         unclaimed amount; `ClaimThresholdExceeded` above the cap. Emits
         `RewardsClaimed`.
    @param amount The 32-byte amount; omitted means everything unclaimed.
    """
    rewards: uint256 = self._recipients[msg.sender].rewards
    claimed: uint256 = self._recipients[msg.sender].claimed
    unclaimed: uint256 = rewards - claimed
    # claimRewards() is the 4-byte call; claimRewards(uint256) carries a word.
    claim: uint256 = unclaimed if len(msg.data) == 4 else amount
    if claim > unclaimed:
        errors._max_claim_exceeded()
    cycle: uint256 = block.timestamp // self.claimCycle
    total: uint256 = self.currentClaimTotal
    # As the reference: a new window only when the index grows (see
    # docs/compatibility.md on raising claimCycle).
    if cycle > self.currentClaimCycle:
        self.currentClaimCycle = cycle
        total = 0
    total += claim
    if total > self.claimThreshold:
        errors._claim_threshold_exceeded()
    self.currentClaimTotal = total
    self._recipients[msg.sender].claimed = claimed + claim
    log RewardsClaimed(recipientAddress=msg.sender, amount=claim)
    safe_erc20._safe_transfer(self.designatedToken.address, msg.sender, claim)


# -- the node list -----------------------------------------------------------------------------


@external
def rederiveTotalNodesAndAggregatePubkey():
    """
    @notice Recounts the nodes and re-sums their keys by walking the list.
    @dev As the reference: an empty list leaves the aggregate as it was, and
         the non-signer threshold is not recomputed.
    """
    count: uint256 = 0
    total: uint256[2] = [0, 0]
    current: uint64 = node_list._first()
    for i: uint64 in range(max_value(uint64)):
        if current == 0:
            break
        total = self._g1_add(total, node_list._unpack_key(node_list._key_word(current)))
        count += 1
        current = node_list._after(current)
    self.totalNodes = count
    if count != 0:
        self._aggregate = structs.G1Point(X=total[0], Y=total[1])


@external
@view
def allServiceNodeIDs() -> (DynArray[uint64, LIST_BOUND], DynArray[structs.G1Point, LIST_BOUND]):
    """
    @notice Every node's id and key, in registration order.
    @dev Up to 10,000 nodes, and costly as a call on a big network (three
         storage reads per node); `serviceNodeIDsPage` reads any network in
         pages.
    @return DynArray[uint64, 10000] The ids.
    @return DynArray[structs.G1Point, 10000] The keys, in the same order.
    """
    ids: DynArray[uint64, LIST_BOUND] = []
    keys: DynArray[structs.G1Point, LIST_BOUND] = []
    current: uint64 = node_list._first()
    for i: uint256 in range(LIST_BOUND + 1):
        if current == 0:
            break
        ids.append(current)
        keys.append(node_list._pubkey(current))
        current = node_list._after(current)
    return ids, keys


@external
@view
def serviceNodeIDsPage(
    startID: uint64, maxCount: uint256
) -> (DynArray[uint64, PAGE_BOUND], DynArray[structs.G1Point, PAGE_BOUND], uint64):
    """
    @notice A page of the node list: up to `maxCount` (at most 1,000) nodes
            from node `startID` on (0: from the first), in registration
            order, and the id to start the next page from (0 at the end).
    @dev sesh only (the reference has `allServiceNodeIDs` alone).
         `ServiceNodeDoesntExist(startID)` if `startID` names no node.
    @param startID The 8-byte id of the page's first node; 0 for the list's head.
    @param maxCount The 32-byte most nodes wanted (more than 1,000 reads 1,000).
    @return DynArray[uint64, 1000] The ids.
    @return DynArray[structs.G1Point, 1000] The keys, in the same order.
    @return uint64 The next page's startID; 0 after the last node.
    """
    current: uint64 = startID
    if startID == 0:
        current = node_list._first()
    elif not node_list._exists(startID):
        errors._service_node_doesnt_exist(startID)
    ids: DynArray[uint64, PAGE_BOUND] = []
    keys: DynArray[structs.G1Point, PAGE_BOUND] = []
    for i: uint256 in range(min(maxCount, PAGE_BOUND), bound=PAGE_BOUND):
        if current == 0:
            break
        ids.append(current)
        keys.append(node_list._pubkey(current))
        current = node_list._after(current)
    return ids, keys, current


@external
@view
def serviceNodes(serviceNodeID: uint64) -> structs.ServiceNode:
    """
    @notice Everything stored about a node (all zero for an unknown id; id 0
            is the list's sentinel).
    @param serviceNodeID The 8-byte id.
    @return structs.ServiceNode The node, in the reference's struct.
    """
    return node_list._service_node(serviceNodeID)


@external
@view
def aggregatePubkey() -> structs.G1Point:
    """
    @notice The sum of every live node's BLS key.
    @return structs.G1Point The aggregate key; (0, 0) before the first node.
    """
    return self._aggregate


@external
@view
def recipients(recipientAddress: address) -> (uint256, uint256):
    """
    @notice The lifetime rewards signed for an address, and how much of them
            it has claimed.
    @param recipientAddress The 20-byte address.
    @return uint256 The lifetime rewards, in atomic units.
    @return uint256 The part of them already claimed.
    """
    return self._recipients[recipientAddress].rewards, self._recipients[recipientAddress].claimed


@external
@view
def maxPermittedPubkeyAggregations() -> uint256:
    """
    @notice How many registrations one block may hold: 2 % of the nodes, at
            least 20.
    @return uint256 The per-block limit.
    """
    return max(MAX_PERMITTED_PUBKEY_AGGREGATIONS_LOWER_BOUND, self.totalNodes * 2 // 100)


@external
@view
def isStarted() -> bool:
    """
    @notice Whether the owner has called `start`: registration, exits and
            reward updates are open, seeding is over.
    @return bool True once started.
    """
    return self._status & STARTED != 0


@external
@view
def paused() -> bool:
    """
    @notice Whether the owner has paused registrations, exits, liquidations
            and reward updates.
    @return bool True while paused.
    """
    return self._status & PAUSED != 0


@external
@view
def proofOfPossessionTag() -> bytes32:
    """
    @notice The domain tag of proofs of possession.
    @return bytes32 keccak256("BLS_SIG_TRYANDINCREMENT_POP" ‖ chain id ‖ this
            contract's address).
    """
    return self._tag(POP_TAG)


@external
@view
def rewardTag() -> bytes32:
    """
    @notice The domain tag of reward balance signatures.
    @return bytes32 keccak256("BLS_SIG_TRYANDINCREMENT_REWARD" ‖ chain id ‖
            this contract's address).
    """
    return self._tag(REWARD_TAG)


@external
@view
def exitTag() -> bytes32:
    """
    @notice The domain tag of exit signatures.
    @return bytes32 keccak256("BLS_SIG_TRYANDINCREMENT_EXIT" ‖ chain id ‖ this
            contract's address).
    """
    return self._tag(EXIT_TAG)


@external
@view
def liquidateTag() -> bytes32:
    """
    @notice The domain tag of liquidation signatures.
    @return bytes32 keccak256("BLS_SIG_TRYANDINCREMENT_LIQUIDATE" ‖ chain id ‖
            this contract's address).
    """
    return self._tag(LIQUIDATE_TAG)


@external
@view
def hashToG2Tag() -> bytes32:
    """
    @notice The domain separation tag of the hash to G2.
    @return bytes32 keccak256("BLS_SIG_HASH_TO_FIELD_TAG" ‖ chain id ‖ this
            contract's address).
    """
    return self._tag(HASH_TO_G2_TAG)


# -- owner -------------------------------------------------------------------------------------


@external
def start():
    """
    @notice Opens registration, exits and reward updates, and ends seeding.
            Cannot be undone.
    """
    ownable2step._check_owner()
    self._status |= STARTED


@external
def pause():
    """
    @notice Stops registrations, exits, liquidations and reward updates
            (not claims). `EnforcedPause` if already paused.
    """
    ownable2step._check_owner()
    status: uint256 = self._status
    if status & PAUSED != 0:
        errors._enforced_pause()
    self._status = status | PAUSED
    log Paused(account=msg.sender)


@external
def unpause():
    """
    @notice Lifts a pause. `ExpectedPause` if not paused.
    """
    ownable2step._check_owner()
    status: uint256 = self._status
    if status & PAUSED == 0:
        errors._expected_pause()
    self._status = status ^ PAUSED
    log Unpaused(account=msg.sender)


@external
def setStakingRequirement(newRequirement: uint256):
    """
    @notice The stake of future registrations; nodes keep their deposit.
    @dev Owner only. `PositiveNumberRequirement` for zero,
         `ParameterAboveBound` from 2^96 on. Emits `StakingRequirementUpdated`.
    @param newRequirement The 32-byte stake, in atomic units.
    """
    ownable2step._check_owner()
    self._check_staking_requirement(newRequirement)
    self.stakingRequirement = newRequirement
    log StakingRequirementUpdated(newRequirement=newRequirement)


@external
def setSignatureExpiry(newExpiry: uint256):
    """
    @notice How long, in seconds, an exit or liquidation signature stays valid.
    @dev Owner only. `PositiveNumberRequirement` for zero. Emits
         `SignatureExpiryUpdated`.
    @param newExpiry The 32-byte validity in seconds.
    """
    ownable2step._check_owner()
    self._check_positive(newExpiry)
    self.signatureExpiry = newExpiry
    log SignatureExpiryUpdated(newExpiry=newExpiry)


@external
def setBLSNonSignerThresholdMax(newMax: uint256):
    """
    @notice The most non-signers a network signature may list (the threshold
            is a third of the nodes, capped at this). Applies from the next
            registration or removal.
    @dev Owner only. `PositiveNumberRequirement` for zero,
         `ParameterAboveBound` above 10,000. Emits
         `BLSNonSignerThresholdMaxUpdated`.
    @param newMax The 32-byte cap.
    """
    ownable2step._check_owner()
    self._check_positive(newMax)
    if newMax > MAX_NON_SIGNERS:
        errors._parameter_above_bound(newMax, MAX_NON_SIGNERS)
    self.blsNonSignerThresholdMax = newMax
    log BLSNonSignerThresholdMaxUpdated(newMax=newMax)


@external
def setClaimThreshold(newThreshold: uint256):
    """
    @notice The most all claims together may take per claim cycle.
    @dev Owner only. `PositiveNumberRequirement` for zero. Emits
         `ClaimThresholdUpdated`.
    @param newThreshold The 32-byte amount, in atomic units.
    """
    ownable2step._check_owner()
    self._check_positive(newThreshold)
    self.claimThreshold = newThreshold
    log ClaimThresholdUpdated(newThreshold=newThreshold)


@external
def setClaimCycle(newValue: uint256):
    """
    @notice The length, in seconds, of the claim windows.
    @dev Owner only. `PositiveNumberRequirement` for zero. Emits
         `ClaimCycleUpdated`.
    @param newValue The 32-byte length in seconds.
    """
    ownable2step._check_owner()
    self._check_positive(newValue)
    self.claimCycle = newValue
    log ClaimCycleUpdated(newValue=newValue)


@external
def setLiquidationRatios(
    _liquidatorRewardRatio: uint256, _poolShareOfLiquidationRatio: uint256, _recipientRatio: uint256
):
    """
    @notice How a liquidated deposit splits between the liquidator, the pool
            and the stakers; the first two together at most a quarter of the
            third.
    @dev Owner only. `PositiveNumberRequirement` for a zero stakers' ratio,
         `LiquidatorPenaltyTooHigh` above a quarter. Emits
         `LiquidationRatiosUpdated`.
    @param _liquidatorRewardRatio The 32-byte liquidator's ratio.
    @param _poolShareOfLiquidationRatio The 32-byte pool's ratio.
    @param _recipientRatio The 32-byte stakers' ratio.
    """
    ownable2step._check_owner()
    self._set_liquidation_ratios(
        _liquidatorRewardRatio, _poolShareOfLiquidationRatio, _recipientRatio
    )


# -- internal: guards and parameters -----------------------------------------------------------


@internal
@view
def _check_active():
    """
    @dev whenNotPaused and whenStarted, from one storage read.
    """
    status: uint256 = self._status
    if status & PAUSED != 0:
        errors._enforced_pause()
    if status & STARTED == 0:
        errors._contract_not_started()


@internal
@pure
def _check_positive(amount: uint256):
    """
    @dev `PositiveNumberRequirement` for zero.
    @param amount The 32-byte value to check.
    """
    if amount == 0:
        errors._positive_number_requirement()


@internal
@pure
def _check_staking_requirement(requirement: uint256):
    """
    @dev The staking requirement's validator, for `initialize` and
         `setStakingRequirement`: positive and below 2^96 (it is packed into
         96 bits, see lib/node_list.vy).
    @param requirement The 32-byte stake.
    """
    self._check_positive(requirement)
    if requirement > MAX_STAKING_REQUIREMENT:
        errors._parameter_above_bound(requirement, MAX_STAKING_REQUIREMENT)


@internal
def _set_liquidation_ratios(liquidator: uint256, pool: uint256, recipient: uint256):
    """
    @dev Validates, writes and logs the liquidation ratios, for `initialize`
         and `setLiquidationRatios`.
    @param liquidator The 32-byte liquidator's ratio.
    @param pool The 32-byte pool's ratio.
    @param recipient The 32-byte stakers' ratio, positive, at least three
           times the other two together.
    """
    self._check_positive(recipient)
    if (liquidator + pool) * 3 > recipient:
        errors._liquidator_penalty_too_high()
    self.liquidatorRewardRatio = liquidator
    self.poolShareOfLiquidationRatio = pool
    self.recipientRatio = recipient
    log LiquidationRatiosUpdated(
        liquidatorRatio=liquidator, poolRatio=pool, recipientRatio=recipient
    )


@internal
def _update_threshold():
    """
    @dev The non-signer threshold: a third of the nodes, at most the maximum.
    """
    self.blsNonSignerThreshold = min(self.totalNodes // 3, self.blsNonSignerThresholdMax)


# -- internal: the list ------------------------------------------------------------------------


@internal
def _insert(
    key: structs.G1Point,
    ed25519: uint256,
    added: uint256,
    deposit: uint256,
    stakers: DynArray[structs.Contributor, MAX_CONTRIBUTORS_BOUND],
    started: bool,
) -> uint64:
    """
    @dev Appends a node at the tail of the list, indexes its keys, adds its
         key to the aggregate and counts it, after the reference's last key
         check (`Ed25519PubkeyAlreadyExists`) and, once started, the
         per-block registration limit. The callers have made the other key
         checks, in the reference's order of errors.
    @param key The node's BLS key: not zero, not registered.
    @param ed25519 The node's Ed25519 key, not zero.
    @param added When the node registered.
    @param deposit The node's stake.
    @param stakers The contributors, the operator first.
    @param started Whether the contract is started (the callers know).
    @return uint64 The node's id.
    """
    existing: uint64 = self.ed25519ToServiceNodeID[ed25519]
    if existing != 0:
        errors._ed25519_pubkey_already_exists(existing)
    total: uint256 = self.totalNodes
    if started:
        count: uint256 = 0
        if block.number == self.lastHeightPubkeyWasAggregated:
            count = self.numPubkeyAggregationsForHeight
        else:
            self.lastHeightPubkeyWasAggregated = block.number
        if count >= max(MAX_PERMITTED_PUBKEY_AGGREGATIONS_LOWER_BOUND, total * 2 // 100):
            errors._max_pubkey_aggregations_exceeded()
        self.numPubkeyAggregationsForHeight = count + 1

    serviceNodeID: uint64 = self.nextServiceNodeID
    self.nextServiceNodeID = serviceNodeID + 1
    node_list._append(serviceNodeID, key, ed25519, added, deposit, stakers)
    self.serviceNodeIDs[abi_encode(key.X, key.Y)] = serviceNodeID
    self.ed25519ToServiceNodeID[ed25519] = serviceNodeID

    aggregate: uint256[2] = self._g1_add([self._aggregate.X, self._aggregate.Y], [key.X, key.Y])
    self._aggregate = structs.G1Point(X=aggregate[0], Y=aggregate[1])
    self.totalNodes = total + 1
    return serviceNodeID


@internal
def _remove(serviceNodeID: uint64, key: structs.G1Point) -> uint256:
    """
    @dev Unlinks a live node, frees its keys, takes its key out of the
         aggregate and uncounts it.
    @param serviceNodeID A live node's id.
    @param key The node's BLS key (the caller has it already).
    @return uint256 The node's deposit.
    """
    deposit: uint256 = 0
    ed25519: uint256 = 0
    deposit, ed25519 = node_list._unlink(serviceNodeID)
    self.serviceNodeIDs[abi_encode(key.X, key.Y)] = 0
    self.ed25519ToServiceNodeID[ed25519] = 0
    aggregate: uint256[2] = self._g1_add(
        [self._aggregate.X, self._aggregate.Y], self._g1_negate([key.X, key.Y])
    )
    self._aggregate = structs.G1Point(X=aggregate[0], Y=aggregate[1])
    self.totalNodes -= 1
    return deposit


@internal
def _seed(node: structs.SeedServiceNode):
    """
    @dev One node of `seedPublicKeyList`: 1..maxContributors contributors, no
         zero address, stakes summing to the requirement; no proof of
         possession, no per-block limit, no tokens.
    """
    count: uint256 = len(node.contributors)
    if count == 0:
        errors._insufficient_contributors()
    if count > self.maxContributors:
        errors._max_contributors_exceeded()
    requirement: uint256 = self.stakingRequirement
    total: uint256 = 0
    for c: structs.Contributor in node.contributors:
        if c.staker.addr == empty(address):
            errors._null_address()
        total += c.stakedAmount
    if total != requirement:
        errors._contribution_total_mismatch(requirement, total)
    key: structs.G1Point = node.blsPubkey
    if key.X == 0 or key.Y == 0:
        errors._null_bls_pubkey()
    if not self._on_curve(key):
        errors._invalid_bls_proof_of_possession()
    if node.ed25519Pubkey == 0:
        errors._null_ed25519_pubkey()
    existing: uint64 = self.serviceNodeIDs[abi_encode(key.X, key.Y)]
    if existing != 0:
        errors._bls_pubkey_already_exists(existing)
    serviceNodeID: uint64 = self._insert(
        key, node.ed25519Pubkey, node.addedTimestamp, requirement, node.contributors, False
    )
    log NewSeededServiceNode(
        serviceNodeID=serviceNodeID, blsPubkey=node.blsPubkey, ed25519Pubkey=node.ed25519Pubkey
    )


# -- internal: signatures ----------------------------------------------------------------------


@internal
@view
def _tag(base: Bytes[33]) -> bytes32:
    """
    @dev keccak256(base ‖ chain id ‖ this contract's address): the
         reference's buildTag, from the proxy's address under delegatecall.
    """
    return keccak256(concat(base, convert(chain.id, bytes32), convert(self, bytes20)))


@internal
@view
def _on_curve(key: structs.G1Point) -> bool:
    """
    @dev Whether `key` is a point of G1 (y² = x³ + 3 with both coordinates
         reduced; G1 has cofactor 1, so this is also the subgroup check).
    """
    if key.X >= FIELD_MODULUS or key.Y >= FIELD_MODULUS:
        return False
    x: uint256 = key.X
    rhs: uint256 = uint256_addmod(uint256_mulmod(uint256_mulmod(x, x, FIELD_MODULUS), x, FIELD_MODULUS), 3, FIELD_MODULUS)
    return uint256_mulmod(key.Y, key.Y, FIELD_MODULUS) == rhs


@internal
@view
def _check_proof_of_possession(
    key: structs.G1Point, signature: structs.BLSSignatureParams, operator: address, ed25519: uint256
):
    """
    @dev The proof of possession signs popTag ‖ X ‖ Y ‖ operator ‖ ed25519.
         A key that is not a point of G1 has no valid proof.
    """
    if not self._on_curve(key):
        errors._invalid_bls_proof_of_possession()
    message: Bytes[148] = concat(
        self._tag(POP_TAG),
        convert(key.X, bytes32),
        convert(key.Y, bytes32),
        convert(operator, bytes20),
        convert(ed25519, bytes32),
    )
    if not self._verify([key.X, key.Y], message, signature):
        errors._invalid_bls_proof_of_possession()


@internal
@view
def _verify(key: uint256[2], message: Bytes[148], signature: structs.BLSSignatureParams) -> bool:
    return staticcall VERIFIER.verify(
        key,
        message,
        self._tag(HASH_TO_G2_TAG),
        [signature.sigs0, signature.sigs1, signature.sigs2, signature.sigs3],
    )


@internal
@view
def _check_enough_signers(num_ids: uint256):
    """
    @dev The reference's hasEnoughSigners: at most `blsNonSignerThreshold`
         non-signers (`InsufficientBLSSignatures(signers, required)`). With
         none listed there is nothing to read.
    """
    if num_ids == 0:
        return
    threshold: uint256 = self.blsNonSignerThreshold
    if num_ids > threshold:
        total: uint256 = self.totalNodes
        errors._insufficient_bls_signatures(total - num_ids, total - threshold)


@internal
@view
def _check_network_signature(
    message: Bytes[148], signature: structs.BLSSignatureParams, num_ids: uint256, ids_head: uint256
):
    """
    @dev The network signature: checked against the aggregate key less the
         keys of the non-signers, whose ids follow the calldata word at
         `ids_head` (see the header), which must be live and strictly
         increasing (the caller checked their number). A signers' key at infinity is refused: the pairing
         would then accept the signature at infinity for any message.
    """
    signers: uint256[2] = [self._aggregate.X, self._aggregate.Y]
    if num_ids != 0:
        signers = self._g1_add(signers, self._g1_negate(self._sum_non_signers(num_ids, ids_head)))
    if signers[0] == 0 and signers[1] == 0:
        errors._invalid_bls_signature(signers)
    if not self._verify(signers, message, signature):
        errors._invalid_bls_signature(signers)


@internal
@view
def _sum_non_signers(num_ids: uint256, ids_head: uint256) -> uint256[2]:
    """
    @dev Σ of the non-signers' keys. The ids are read from the calldata: the
         word at `ids_head` is the offset of the array (after the selector),
         which holds its length and then one word per id, each already
         range-checked by Vyper's copy of the argument.
    """
    # The calldata offset of the low 8 bytes of the word before the first id (the length).
    position: uint256 = 28 + convert(slice(msg.data, ids_head, 32), uint256)
    total: Bytes[64] = concat(empty(bytes32), empty(bytes32))
    previous: uint64 = 0
    for i: uint256 in range(num_ids, bound=MAX_NON_SIGNERS):
        position = unsafe_add(position, 32)
        # An id's low 8 bytes: the argument's copy already refused a word above 2^64.
        serviceNodeID: uint64 = convert(slice(msg.data, position, 8), uint64)
        # node_list's record read in place, not through `_key_word`: a call per id.
        word: uint256 = node_list._nodes[serviceNodeID].key
        if word == 0:
            errors._service_node_doesnt_exist(serviceNodeID)
        if serviceNodeID <= previous:
            errors._non_signer_ids_not_increasing(previous, serviceNodeID)
        previous = serviceNodeID
        # node_list's `_unpack_key` and `_g1_add` written out here: an internal call copies
        # its arguments and result, a few hundred gas for every non-signer.
        x: uint256 = word & node_list.KEY_X_MASK
        root: Bytes[32] = raw_call(
            node_list.MODEXP,
            abi_encode(
                node_list.WORD,
                node_list.WORD,
                node_list.WORD,
                uint256_addmod(uint256_mulmod(uint256_mulmod(x, x, FIELD_MODULUS), x, FIELD_MODULUS), 3, FIELD_MODULUS),
                node_list.SQRT_EXPONENT,
                FIELD_MODULUS,
            ),
            max_outsize=32,
            is_static_call=True,
        )
        y: uint256 = convert(root, uint256)
        if (y ^ (word >> node_list.KEY_PARITY_SHIFT)) & 1 != 0:
            y = unsafe_sub(FIELD_MODULUS, y)
        total = raw_call(
            EC_ADD, concat(total, convert(x, bytes32), convert(y, bytes32)), max_outsize=64, is_static_call=True
        )
    return [extract32(total, 0, output_type=uint256), extract32(total, 32, output_type=uint256)]


@internal
@view
def _g1_add(a: uint256[2], b: uint256[2]) -> uint256[2]:
    """
    @dev a + b through precompile 0x06 (keys are checked on registration, so
         the call only fails on a corrupted state, and then reverts).
    """
    out: Bytes[64] = raw_call(EC_ADD, abi_encode(a, b), max_outsize=64, is_static_call=True)
    return [extract32(out, 0, output_type=uint256), extract32(out, 32, output_type=uint256)]


@internal
@pure
def _g1_negate(a: uint256[2]) -> uint256[2]:
    if a[0] == 0 and a[1] == 0:
        return a
    return [a[0], FIELD_MODULUS - (a[1] % FIELD_MODULUS)]


@internal
def _exit_with_signature(
    key: structs.G1Point, timestamp: uint256, signature: structs.BLSSignatureParams, num_ids: uint256
):
    self._check_active()
    serviceNodeID: uint64 = self._check_exit_signature(
        key, timestamp, signature, num_ids, self._tag(EXIT_TAG)
    )
    deposit: uint256 = self._remove(serviceNodeID, key)
    self._update_threshold()
    log ServiceNodeExit(
        serviceNodeID=serviceNodeID, initiator=msg.sender, returnedAmount=deposit, pubkey=key
    )


@internal
def _liquidate_with_signature(
    key: structs.G1Point, timestamp: uint256, signature: structs.BLSSignatureParams, num_ids: uint256
):
    self._check_active()
    serviceNodeID: uint64 = self._check_exit_signature(
        key, timestamp, signature, num_ids, self._tag(LIQUIDATE_TAG)
    )
    log ServiceNodeLiquidated(serviceNodeID=serviceNodeID, initiator=msg.sender, pubkey=key)
    deposit: uint256 = self._remove(serviceNodeID, key)
    self._update_threshold()
    liquidator_ratio: uint256 = self.liquidatorRewardRatio
    pool_ratio: uint256 = self.poolShareOfLiquidationRatio
    ratio_sum: uint256 = liquidator_ratio + pool_ratio + self.recipientRatio
    # The liquidator's share rounds down and the pool's up (audit C M-02).
    liquidator_amount: uint256 = deposit * liquidator_ratio // ratio_sum
    pool_amount: uint256 = 0
    if pool_ratio != 0:
        pool_amount = (deposit * pool_ratio + ratio_sum - 1) // ratio_sum
    log ServiceNodeExit(
        serviceNodeID=serviceNodeID,
        initiator=msg.sender,
        returnedAmount=deposit - liquidator_amount - pool_amount,
        pubkey=key,
    )
    token: address = self.designatedToken.address
    if liquidator_ratio != 0:
        safe_erc20._safe_transfer(token, msg.sender, liquidator_amount)
    if pool_ratio != 0:
        safe_erc20._safe_transfer(token, self.foundationPool, pool_amount)


@internal
@view
def _check_exit_signature(
    key: structs.G1Point, timestamp: uint256, signature: structs.BLSSignatureParams, num_ids: uint256, tag: bytes32
) -> uint64:
    """
    @dev The checks a signed exit and a signed liquidation share, in the
         reference's order; the message is tag ‖ X ‖ Y ‖ timestamp.
    @return The node's id.
    """
    self._check_enough_signers(num_ids)
    serviceNodeID: uint64 = self.serviceNodeIDs[abi_encode(key.X, key.Y)]
    if serviceNodeID == 0:
        errors._bls_pubkey_does_not_exist([key.X, key.Y])
    if block.timestamp > timestamp + self.signatureExpiry:
        errors._signature_expired(serviceNodeID, timestamp, block.timestamp)
    matches: bool = False
    added: uint256 = 0
    matches, added = node_list._key_matches(serviceNodeID, key)
    if not matches:
        errors._bls_pubkey_does_not_match(serviceNodeID, [key.X, key.Y])
    if block.timestamp < added + MINIMUM_EXIT_AGE:
        errors._exit_too_early(serviceNodeID, added, block.timestamp)
    message: Bytes[148] = concat(
        tag, convert(key.X, bytes32), convert(key.Y, bytes32), convert(timestamp, bytes32)
    )
    self._check_network_signature(message, signature, num_ids, EXIT_IDS_HEAD)
    return serviceNodeID


@internal
def _update_rewards_balance(
    recipient: address, rewards: uint256, signature: structs.BLSSignatureParams, num_ids: uint256
):
    self._check_active()
    self._check_enough_signers(num_ids)
    if recipient == empty(address):
        errors._null_address()
    previous: uint256 = self._recipients[recipient].rewards
    if rewards <= previous:
        errors._recipient_rewards_too_low()
    message: Bytes[148] = concat(
        self._tag(REWARD_TAG), convert(recipient, bytes20), convert(rewards, bytes32)
    )
    self._check_network_signature(message, signature, num_ids, UPDATE_IDS_HEAD)
    self._recipients[recipient].rewards = rewards
    log RewardsBalanceUpdated(recipientAddress=recipient, amount=rewards, previousBalance=previous)
