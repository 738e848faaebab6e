# pragma version ~=0.4.3
"""
@title Session Token (SESH)
@notice The ERC-20 token staked in the Session Network: "Session Token",
        symbol SESH, 9 decimals, with ERC-2612 permit and EIP-5267 domain
        discovery. The whole supply is minted at deployment to one genesis
        address; there is no minting or burning afterwards. It can register
        itself with Arbitrum's custom token gateway (`registerTokenOnL2`).
@dev ABI-identical to the reference SESH (version 2). Not upgradeable.
     Storage: the `erc20` module (balanceOf, allowance, totalSupply), then
     the `erc20_permit` module (nonces). Transient: `_registering`.
@custom:abi-errors ERC20InvalidSender, InvalidAccountNonce, ECDSAInvalidSignatureLength,
                   InvalidShortString, StringTooLong
"""

from lib import eip712
from lib import erc20
from lib import erc20_permit

initializes: erc20
initializes: eip712
initializes: erc20_permit[erc20 := erc20, eip712 := eip712]

exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.approve,
    erc20.transferFrom,
    erc20_permit.permit,
    erc20_permit.nonces,
    eip712.DOMAIN_SEPARATOR,
    eip712.eip712Domain,
)


interface IL1CustomGateway:
    def registerTokenToL2(
        _l2Address: address,
        _maxGas: uint256,
        _gasPriceBid: uint256,
        _maxSubmissionCost: uint256,
        _creditBackAddress: address,
    ) -> uint256: payable


interface IL1GatewayRouter:
    def setGateway(
        _gateway: address,
        _maxGas: uint256,
        _gasPriceBid: uint256,
        _maxSubmissionCost: uint256,
        _creditBackAddress: address,
    ) -> uint256: payable


# This contract's version, as the reference numbers it.
VERSION: public(constant(uint256)) = 2
# The token's ERC-20 metadata: name, symbol and decimals.
name: public(constant(String[13])) = "Session Token"
symbol: public(constant(String[4])) = "SESH"
DECIMALS: constant(uint8) = 9
# The permit domain's version, as OpenZeppelin's ERC20Permit sets it.
PERMIT_VERSION: constant(String[1]) = "1"
# What `isArbitrumEnabled` answers during registration (Arbitrum's magic value).
ARBITRUM_ENABLED: constant(uint8) = 177  # 0xb1


# Arbitrum's L1 custom gateway and gateway router (not checked for zero, as
# in the reference: a token deployed without them just cannot register).
gateway: public(immutable(address))
router: public(immutable(address))


# True only while `registerTokenOnL2` runs, when the gateway calls back
# `isArbitrumEnabled`. Transient (EIP-1153): it cannot outlive the call.
_registering: transient(bool)


# Declared by the reference through EIP-5267 and never emitted: the domain
# is fixed.
event EIP712DomainChanged:
    pass


@deploy
def __init__(
    total_supply: uint256,
    receiver_genesis_address: address,
    gateway_: address,
    router_: address,
):
    """
    @notice Mints `total_supply` to `receiver_genesis_address`.
    @dev The zero checks revert with the reference's own strings, in its
         order (address first).
    @param total_supply The 32-byte supply, in 10**-9 SESH; not zero.
    @param receiver_genesis_address The 20-byte address receiving the supply;
           not the zero address.
    @param gateway_ The 20-byte address of Arbitrum's L1 custom gateway.
    @param router_ The 20-byte address of Arbitrum's L1 gateway router.
    """
    assert receiver_genesis_address != empty(address), "Shared: Zero-address is not permitted"
    assert total_supply != 0, "Shared: uint input is empty"
    eip712.__init__(name, PERMIT_VERSION)
    erc20._mint(receiver_genesis_address, total_supply)
    gateway = gateway_
    router = router_


# Token metadata (name, symbol and VERSION are public constants above)


@external
@pure
def decimals() -> uint8:
    """
    @notice SESH has 9 decimals: 1 SESH is 10**9 units.
    @return uint8 9.
    """
    return DECIMALS


# Arbitrum custom gateway


@external
@view
def isArbitrumEnabled() -> uint8:
    """
    @notice Arbitrum's custom-gateway handshake: 0xb1 while this token is
            registering itself, a revert ("NOT_EXPECTED_CALL") otherwise.
    @return uint8 0xb1.
    """
    assert self._registering, "NOT_EXPECTED_CALL"
    return ARBITRUM_ENABLED


@external
@payable
def registerTokenOnL2(
    l2CustomTokenAddress: address,
    maxSubmissionCostForCustomGateway: uint256,
    maxSubmissionCostForRouter: uint256,
    maxGasForCustomGateway: uint256,
    maxGasForRouter: uint256,
    gasPriceBid: uint256,
    valueForGateway: uint256,
    valueForRouter: uint256,
    creditBackAddress: address,
):
    """
    @notice Registers this token with Arbitrum's custom gateway and gateway
            router, paying their retryable tickets from the ether sent.
    @dev Anyone may call it, as in the reference: the gateway and router are
         fixed at deployment, and Arbitrum ignores a second registration.
    @param l2CustomTokenAddress The 20-byte address of the token on L2.
    @param maxSubmissionCostForCustomGateway The 32-byte submission cost cap
           of the gateway's retryable ticket.
    @param maxSubmissionCostForRouter The 32-byte submission cost cap of the
           router's retryable ticket.
    @param maxGasForCustomGateway The 32-byte L2 gas limit for the gateway.
    @param maxGasForRouter The 32-byte L2 gas limit for the router.
    @param gasPriceBid The 32-byte L2 gas price bid.
    @param valueForGateway The 32-byte wei sent to the gateway.
    @param valueForRouter The 32-byte wei sent to the router.
    @param creditBackAddress The 20-byte address refunded on L2.
    """
    previous: bool = self._registering
    self._registering = True
    extcall IL1CustomGateway(gateway).registerTokenToL2(
        l2CustomTokenAddress,
        maxGasForCustomGateway,
        gasPriceBid,
        maxSubmissionCostForCustomGateway,
        creditBackAddress,
        value=valueForGateway,
    )
    extcall IL1GatewayRouter(router).setGateway(
        gateway,
        maxGasForRouter,
        gasPriceBid,
        maxSubmissionCostForRouter,
        creditBackAddress,
        value=valueForRouter,
    )
    self._registering = previous
