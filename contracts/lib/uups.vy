# pragma version ~=0.4.3
"""
@title UUPS upgrades for contracts behind an ERC-1967 proxy
@notice The proxy (sesh.evm.proxy) is a fixed 58-byte forwarder; the upgrade
        logic lives here, in the implementation, and runs in the proxy's
        storage through delegatecall. The owner calls
        `upgradeToAndCall(newImplementation, data)` on the proxy; the new
        implementation must answer `proxiableUUID()` with the ERC-1967 slot,
        which stops an upgrade to a contract that could not upgrade again.
@dev OpenZeppelin UUPSUpgradeable semantics and errors. The reference deploys
     transparent proxies instead; `upgradeToAndCall` and `proxiableUUID` are
     the two functions our implementations add to the reference ABI (see
     docs/compatibility.md).
     Storage:
       erc1967_implementation  address  at slot 0x3608…2bbc (ERC-1967), pinned
                                        there by sesh.evm.compiler by its name
     Immutable:
       _SELF  the implementation's own address, which tells a direct call
              (self == _SELF) from a call through a proxy
"""

from lib import errors
from lib import ownable2step

uses: ownable2step


# keccak256("eip1967.proxy.implementation") - 1
ERC1967_IMPLEMENTATION_SLOT: constant(bytes32) = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc
# Longest call data `upgradeToAndCall` forwards to the new implementation:
# room for a migration call with a few dozen arguments.
MAX_UPGRADE_CALLDATA: constant(uint256) = 4_096


# The implementation's own address (see the header).
_SELF: immutable(address)


# The implementation the proxy delegates to. Its name is what the compiler
# pins to ERC1967_IMPLEMENTATION_SLOT; never rename it.
erc1967_implementation: address


event Upgraded:
    implementation: indexed(address)


@deploy
def __init__():
    """
    @notice Prepares an implementation for UUPS upgrades through its proxies.
    @dev Records the implementation's own address.
    """
    _SELF = self


@external
@view
def proxiableUUID() -> bytes32:
    """
    @notice The storage slot this implementation expects the proxy to keep
            its address in (ERC-1822).
    @dev Only on the implementation itself: through a proxy it reverts with
         `UUPSUnauthorizedCallContext()`, so a proxy can never be mistaken for
         an implementation.
    @return bytes32 The ERC-1967 implementation slot.
    """
    if self != _SELF:
        errors._uups_unauthorized_call_context()
    return ERC1967_IMPLEMENTATION_SLOT


@external
@payable
def upgradeToAndCall(newImplementation: address, data: Bytes[MAX_UPGRADE_CALLDATA]):
    """
    @notice Points the proxy at `newImplementation`, then, if `data` is not
            empty, runs `data` on it in the proxy's storage (a migration or
            re-initialisation step), bubbling up its revert.
    @dev Owner only (`OwnableUnauthorizedAccount`), and only through an
         ERC-1967 proxy that points at this implementation
         (`UUPSUnauthorizedCallContext`). Emits `Upgraded`.
    @param newImplementation The 20-byte address of the new implementation.
    @param data The call to make on the new implementation, or empty.
    """
    self._check_proxy()
    ownable2step._check_owner()
    self._upgrade_to_and_call(newImplementation, data)


@internal
@view
def _check_proxy():
    """
    @dev Reverts unless this runs in a proxy's storage and that proxy points
         at this implementation.
    """
    if self == _SELF or self.erc1967_implementation != _SELF:
        errors._uups_unauthorized_call_context()


@internal
@payable
def _upgrade_to_and_call(new_implementation: address, data: Bytes[MAX_UPGRADE_CALLDATA]):
    """
    @dev Checks `new_implementation` speaks UUPS, stores it, logs, and makes
         the follow-up call.
    @param new_implementation The 20-byte address of the new implementation.
    @param data The call to delegate to it, or empty.
    """
    success: bool = False
    answer: Bytes[32] = b""
    success, answer = raw_call(
        new_implementation,
        method_id("proxiableUUID()"),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    if not success or len(answer) != 32:
        # No code, no such function, or a revert: not an implementation.
        errors._erc1967_invalid_implementation(new_implementation)
    slot: bytes32 = extract32(answer, 0)
    if slot != ERC1967_IMPLEMENTATION_SLOT:
        errors._uups_unsupported_proxiable_uuid(slot)

    self.erc1967_implementation = new_implementation
    log Upgraded(implementation=new_implementation)

    if len(data) == 0:
        if msg.value != 0:
            errors._erc1967_non_payable()
        return
    # revert_on_failure (the default) bubbles the callee's revert data up.
    raw_call(new_implementation, data, is_delegate_call=True)
