# pragma version ~=0.4.3
"""
@title The reference's structs
@custom:contract-name structs
@license MIT
@notice The structs of the reference's IServiceNodeRewards and
        IServiceNodeContribution, declared once for every contract that
        takes, returns, logs or forwards them: ServiceNodeRewards, the
        contribution contract and its factory, and TokenVestingStaking.
@dev Field names and order are the reference's: they are the published ABI's
     tuple components, and the calldata layout the other contracts use to
     call each other. A struct's name never reaches the ABI.
     Stateless: no storage.
"""

# @dev The most contributors a node may have: the bound Vyper needs for the
#      lists below. ServiceNodeRewards refuses a larger `maxContributors`
#      (`ParameterAboveBound`), and so every contract bounds its lists by it.
MAX_CONTRIBUTORS: constant(uint256) = 10


struct G1Point:
    # The x coordinate, below the BN254 base field modulus.
    X: uint256
    # The y coordinate; (0, 0) stands for the point at infinity.
    Y: uint256


struct BLSSignatureParams:
    # A G2 point: x = sigs0 + sigs1·i, y = sigs2 + sigs3·i (the reverse of
    # the EIP-197 precompile's order, which takes the imaginary part first).
    sigs0: uint256
    sigs1: uint256
    sigs2: uint256
    sigs3: uint256


struct ServiceNodeParams:
    # The node's Ed25519 key.
    serviceNodePubkey: uint256
    # The Ed25519 signature, in two words, that the network checks.
    serviceNodeSignature1: uint256
    serviceNodeSignature2: uint256
    # The operator's fee, in 1/100 of a percent (10,000 = 100 %).
    fee: uint16


struct Staker:
    # Who staked, and who may withdraw the stake.
    addr: address
    # Who receives the rewards.
    beneficiary: address


struct Contributor:
    staker: Staker
    # The contributor's stake, in atomic units of the staked token.
    stakedAmount: uint256


struct ReservedContributor:
    # The address a contribution slot is reserved for.
    addr: address
    # The amount it must contribute.
    amount: uint256


struct SeedServiceNode:
    # The BLS key (unchecked: the owner seeds nodes checked off-chain).
    blsPubkey: G1Point
    # The Ed25519 key.
    ed25519Pubkey: uint256
    # When the node registered on the chain it is copied from.
    addedTimestamp: uint256
    # 1 to maxContributors contributors, stakes summing to the requirement.
    contributors: DynArray[Contributor, MAX_CONTRIBUTORS]


struct ServiceNode:
    # The next node in registration order (0: none).
    next: uint64
    # The previous node in registration order (0: none).
    prev: uint64
    # The first contributor.
    operator: address
    # The BLS key.
    blsPubkey: G1Point
    # When the node registered.
    addedTimestamp: uint256
    # The first leave request (0: none).
    leaveRequestTimestamp: uint256
    # The latest leave request (0: none).
    latestLeaveRequestTimestamp: uint256
    # The stake, returned to the stakers when the node leaves.
    deposit: uint256
    # Every contributor, the operator first.
    contributors: DynArray[Contributor, MAX_CONTRIBUTORS]
    # The Ed25519 key.
    ed25519Pubkey: uint256
