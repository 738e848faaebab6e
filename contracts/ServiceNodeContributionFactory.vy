# pragma version ~=0.4.3
"""
@title Service node contribution factory
@custom:contract-name ServiceNodeContributionFactory
@license MIT
@notice Makes a ServiceNodeContribution contract for any operator who asks
        (the caller becomes its operator) and remembers every contract it
        made, so that others (the vesting contracts, the staking portal) can
        tell a genuine contribution contract with `owns`. The owner can
        pause new contracts.
@dev ABI-identical to the reference factory (version 1), behind an ERC-1967
     proxy with UUPS upgrades as our other upgradeable contracts. Each
     contribution contract is an EIP-1167 clone of one implementation,
     named by an immutable of this implementation, instead of a fresh
     deployment of the whole contract: the clone costs about 41,000 gas
     where a full deployment costs about 2.5 million. The clone is created
     and initialised in the same call, so no one can initialise it first.
     The implementation serves one rewards contract (its immutable), which
     `initialize` checks against its argument (`StakingRewardsContractMismatch`).
     Storage, in order (upgrades may only append):
       ownable2step       owner, pendingOwner
       initializable      initialized_version
       uups               erc1967_implementation (at the ERC-1967 slot)
       _config            rewards contract (160) | PAUSED bit: one read per deploy
       deployedContracts  every contribution contract made here
@custom:abi-errors NotInitializing
"""

from lib import errors
from lib import initializable
from lib import ownable2step
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


interface ServiceNodeRewards:
    def maxContributors() -> uint256: view


interface ServiceNodeContribution:
    def stakingRewardsContract() -> address: view
    def initialize(
        _maxContributors: uint256,
        key: structs.G1Point,
        sig: structs.BLSSignatureParams,
        params: structs.ServiceNodeParams,
        reserved: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND],
        _operator: address,
        _manualFinalize: bool,
    ): nonpayable


# -- constants ---------------------------------------------------------------------------------

# This implementation's version, as the reference numbers it.
VERSION: public(constant(uint256)) = 1
# @dev As ServiceNodeContribution: longer than any valid list, so that a few
#      reservations too many get its `TooManyReservedContributors`.
RESERVED_ARGUMENT_BOUND: constant(uint256) = 20
# @dev The fields of `_config`: the rewards contract (low 160 bits), the paused bit.
MASK_160: constant(uint256) = 2**160 - 1
PAUSED: constant(uint256) = 1 << 160


# -- immutables --------------------------------------------------------------------------------

# The ServiceNodeContribution implementation every clone delegates to.
CONTRIBUTION_IMPLEMENTATION: immutable(address)


# -- state -------------------------------------------------------------------------------------

# The rewards contract, and the PAUSED bit.
_config: uint256
# Every contribution contract this factory made.
deployedContracts: public(HashMap[address, bool])


# -- events ------------------------------------------------------------------------------------

event NewServiceNodeContributionContract:
    contributorContract: indexed(address)
    serviceNodePubkey: uint256
    operator: address


event Paused:
    account: address


event Unpaused:
    account: address


@deploy
def __init__(contribution_implementation: address):
    """
    @notice Deploys the factory's implementation, locked: only proxies
            pointing at it can be initialised.
    @param contribution_implementation The 20-byte address of the
           ServiceNodeContribution implementation the clones run.
    """
    CONTRIBUTION_IMPLEMENTATION = contribution_implementation
    uups.__init__()
    initializable._disable_initializers()


# Permissionless


@external
def initialize(_stakingRewardsContract: address):
    """
    @notice Sets up a freshly deployed proxy for one rewards contract, with
            the caller as owner, unpaused.
    @dev Once only (`InvalidInitialization`). `StakingRewardsContractMismatch`
         unless the contribution implementation serves the same rewards
         contract.
    @param _stakingRewardsContract The 20-byte ServiceNodeRewards proxy.
    """
    initializable._begin_initialization()
    served: address = staticcall ServiceNodeContribution(
        CONTRIBUTION_IMPLEMENTATION
    ).stakingRewardsContract()
    if served != _stakingRewardsContract:
        errors._staking_rewards_contract_mismatch(served, _stakingRewardsContract)
    self._config = convert(_stakingRewardsContract, uint256)
    ownable2step._initialize(msg.sender)
    initializable._end_initialization()


@external
def deploy(
    key: structs.G1Point,
    sig: structs.BLSSignatureParams,
    params: structs.ServiceNodeParams,
    reserved: DynArray[structs.ReservedContributor, RESERVED_ARGUMENT_BOUND],
    manualFinalize: bool,
) -> address:
    """
    @notice Makes a contribution contract for a node with BLS key `key`
            (`sig` its proof of possession, signed for the caller as
            operator), registration parameters `params`, reservations
            `reserved` (the caller first, or none) and the manual-finalize
            flag. The caller is its operator.
    @dev `EnforcedPause` while paused. The contract's maxContributors and
         staking requirement are the rewards contract's now. Emits
         `NewServiceNodeContributionContract`.
    @param key The node's 64-byte BLS key (a G1 point).
    @param sig The 128-byte proof of possession of `key` (a G2 point), signed
           for the caller.
    @param params The node's 32-byte Ed25519 key, its 64-byte signature (two
           words) and the 2-byte fee.
    @param reserved The reserved contribution slots, the caller's first: each
           a 20-byte address and a 32-byte amount.
    @param manualFinalize Whether the operator finalizes by hand (`finalize`)
           rather than the filling contribution registering the node.
    @return address The 20-byte address of the new contract.
    """
    config: uint256 = self._config
    if config & PAUSED != 0:
        errors._enforced_pause()
    rewards: address = convert(config & MASK_160, address)
    max_contributors: uint256 = staticcall ServiceNodeRewards(rewards).maxContributors()
    result: address = create_minimal_proxy_to(CONTRIBUTION_IMPLEMENTATION)
    extcall ServiceNodeContribution(result).initialize(
        max_contributors, key, sig, params, reserved, msg.sender, manualFinalize
    )
    self.deployedContracts[result] = True
    log NewServiceNodeContributionContract(
        contributorContract=result, serviceNodePubkey=params.serviceNodePubkey, operator=msg.sender
    )
    return result


# View


@external
@view
def owns(contractAddress: address) -> bool:
    """
    @notice Whether this factory made `contractAddress`.
    @param contractAddress The 20-byte address to check.
    @return bool True for a contribution contract made here.
    """
    return self.deployedContracts[contractAddress]


@external
@view
def stakingRewardsContract() -> address:
    """
    @notice The ServiceNodeRewards contract the nodes register in.
    @return address The 20-byte address of the rewards proxy.
    """
    return convert(self._config & MASK_160, address)


@external
@view
def paused() -> bool:
    """
    @notice Whether new contribution contracts are stopped.
    @return bool True while paused.
    """
    return self._config & PAUSED != 0


# Admin


@external
def pause():
    """
    @notice Stops new contribution contracts (existing ones go on).
    @dev Owner only. `EnforcedPause` if already paused.
    """
    ownable2step._check_owner()
    config: uint256 = self._config
    if config & PAUSED != 0:
        errors._enforced_pause()
    self._config = config | PAUSED
    log Paused(account=msg.sender)


@external
def unpause():
    """
    @notice Allows new contribution contracts again.
    @dev Owner only. `ExpectedPause` if not paused.
    """
    ownable2step._check_owner()
    config: uint256 = self._config
    if config & PAUSED == 0:
        errors._expected_pause()
    self._config = config ^ PAUSED
    log Unpaused(account=msg.sender)
