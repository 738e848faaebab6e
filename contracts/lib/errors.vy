# pragma version ~=0.4.3
"""
@title Custom errors, encoded exactly as Solidity encodes them
@notice The reference contracts revert with OpenZeppelin's custom errors; so do
        ours. Each error has one internal helper here that reverts with
        `selector ‖ abi_encode(arguments)`, the bytes a Solidity `revert
        Name(args)` produces, so wallets, explorers and the reference's own
        tools decode our reverts unchanged.
@dev Rules of this file, which `sesh.evm.artifacts` relies on to build the
     published ABI (Vyper's own ABI output has no `error` entries):
     - every error signature is written once, as the literal argument of
       `method_id(...)`, in canonical form (no spaces, no argument names);
     - a helper's parameters are the error's arguments, in order, and their
       names become the argument names in the ABI;
     - an error a contract raises is found by the call `errors._helper(...)`
       in the contract or in a module it imports;
     - errors the reference ABI declares but sesh can never raise are
       constants (the first section below); a contract publishes them by
       naming them in its `@custom:abi-errors` header tag.
     Helpers are `@pure` so that view and pure functions may call them; an
     uncalled helper costs nothing (Vyper leaves it out of the bytecode).
"""


# Declared only: in the reference ABI, never raised by sesh (the reason is
# beside each; docs/compatibility.md lists them per contract).

# OpenZeppelin Nonces: permit uses the unchecked nonce, so a replay fails as a
# wrong signer instead (ERC2612InvalidSigner), in the reference as here.
INVALID_ACCOUNT_NONCE: constant(Bytes[4]) = method_id("InvalidAccountNonce(address,uint256)")
# OpenZeppelin ECDSA: our permit takes (v, r, s), never a packed signature.
ECDSA_INVALID_SIGNATURE_LENGTH: constant(Bytes[4]) = method_id("ECDSAInvalidSignatureLength(uint256)")
# OpenZeppelin ShortStrings (EIP-712 name and version): ours are constants.
INVALID_SHORT_STRING: constant(Bytes[4]) = method_id("InvalidShortString()")
STRING_TOO_LONG: constant(Bytes[4]) = method_id("StringTooLong(string)")
# ERC-20 sender check: every path that moves tokens starts from msg.sender or
# from an allowance, and the zero address has neither.
ERC20_INVALID_SENDER: constant(Bytes[4]) = method_id("ERC20InvalidSender(address)")
# OpenZeppelin Initializable: we have no `onlyInitializing` functions.
NOT_INITIALIZING: constant(Bytes[4]) = method_id("NotInitializing()")
# OpenZeppelin Address (under SafeERC20): token calls send no ether, and a
# failed call bubbles up its own revert data.
ADDRESS_INSUFFICIENT_BALANCE: constant(Bytes[4]) = method_id("AddressInsufficientBalance(address)")
FAILED_INNER_CALL: constant(Bytes[4]) = method_id("FailedInnerCall()")


# Ownable / Ownable2Step


@internal
@pure
def _ownable_unauthorized_account(account: address):
    """
    @dev The caller `account` is not the owner (or not the pending owner).
    @param account The 20-byte address that is not authorised.
    """
    raw_revert(abi_encode(account, method_id=method_id("OwnableUnauthorizedAccount(address)")))


@internal
@pure
def _ownable_invalid_owner(owner: address):
    """
    @dev `owner` cannot become the owner (the zero address at initialisation).
    @param owner The 20-byte address refused as owner.
    """
    raw_revert(abi_encode(owner, method_id=method_id("OwnableInvalidOwner(address)")))


# Initializable


@internal
@pure
def _invalid_initialization():
    """
    @dev `initialize` was called a second time, or on a locked implementation.
    """
    raw_revert(method_id("InvalidInitialization()"))


# UUPS upgrades (ERC-1822 / ERC-1967)


@internal
@pure
def _uups_unauthorized_call_context():
    """
    @dev An upgrade function was called directly on the implementation, or
         `proxiableUUID` through a proxy.
    """
    raw_revert(method_id("UUPSUnauthorizedCallContext()"))


@internal
@pure
def _uups_unsupported_proxiable_uuid(slot: bytes32):
    """
    @dev The new implementation's `proxiableUUID` is not the ERC-1967 slot.
    @param slot The 32-byte slot the new implementation answered.
    """
    raw_revert(abi_encode(slot, method_id=method_id("UUPSUnsupportedProxiableUUID(bytes32)")))


@internal
@pure
def _erc1967_invalid_implementation(implementation: address):
    """
    @dev `implementation` is not a UUPS implementation (no code, or no
         `proxiableUUID`).
    @param implementation The 20-byte address refused as implementation.
    """
    raw_revert(abi_encode(implementation, method_id=method_id("ERC1967InvalidImplementation(address)")))


@internal
@pure
def _erc1967_non_payable():
    """
    @dev Ether was sent with an upgrade that calls nothing.
    """
    raw_revert(method_id("ERC1967NonPayable()"))


# SafeERC20 / Address


@internal
@pure
def _safe_erc20_failed_operation(token: address):
    """
    @dev `token` answered `false` to a transfer.
    @param token The 20-byte address of the token.
    """
    raw_revert(abi_encode(token, method_id=method_id("SafeERC20FailedOperation(address)")))


@internal
@pure
def _address_empty_code(target: address):
    """
    @dev A call expected to reach a contract found no code at `target`.
    @param target The 20-byte address without code.
    """
    raw_revert(abi_encode(target, method_id=method_id("AddressEmptyCode(address)")))


# ERC-20 (OpenZeppelin's draft-IERC6093 errors)


@internal
@pure
def _erc20_insufficient_balance(sender: address, balance: uint256, needed: uint256):
    """
    @dev `sender` holds `balance`, less than the `needed` amount.
    @param sender The 20-byte address tokens would leave.
    @param balance The 32-byte balance of `sender`.
    @param needed The 32-byte amount asked for.
    """
    raw_revert(
        abi_encode(
            sender,
            balance,
            needed,
            method_id=method_id("ERC20InsufficientBalance(address,uint256,uint256)"),
        )
    )


@internal
@pure
def _erc20_invalid_receiver(receiver: address):
    """
    @dev Tokens cannot go to `receiver` (the zero address).
    @param receiver The 20-byte address refused as receiver.
    """
    raw_revert(abi_encode(receiver, method_id=method_id("ERC20InvalidReceiver(address)")))


@internal
@pure
def _erc20_insufficient_allowance(spender: address, allowance: uint256, needed: uint256):
    """
    @dev `spender` may move only `allowance`, less than the `needed` amount.
    @param spender The 20-byte address spending the allowance.
    @param allowance The 32-byte remaining allowance.
    @param needed The 32-byte amount asked for.
    """
    raw_revert(
        abi_encode(
            spender,
            allowance,
            needed,
            method_id=method_id("ERC20InsufficientAllowance(address,uint256,uint256)"),
        )
    )


@internal
@pure
def _erc20_invalid_approver(approver: address):
    """
    @dev `approver` (the zero address) cannot grant an allowance.
    @param approver The 20-byte address refused as approver.
    """
    raw_revert(abi_encode(approver, method_id=method_id("ERC20InvalidApprover(address)")))


@internal
@pure
def _erc20_invalid_spender(spender: address):
    """
    @dev `spender` (the zero address) cannot receive an allowance.
    @param spender The 20-byte address refused as spender.
    """
    raw_revert(abi_encode(spender, method_id=method_id("ERC20InvalidSpender(address)")))


# ERC-2612 permit and ECDSA


@internal
@pure
def _erc2612_expired_signature(deadline: uint256):
    """
    @dev The permit's `deadline` has passed.
    @param deadline The 32-byte deadline timestamp of the permit.
    """
    raw_revert(abi_encode(deadline, method_id=method_id("ERC2612ExpiredSignature(uint256)")))


@internal
@pure
def _erc2612_invalid_signer(signer: address, owner: address):
    """
    @dev The permit was signed by `signer`, not by `owner`.
    @param signer The 20-byte address recovered from the signature.
    @param owner The 20-byte address named in the permit.
    """
    raw_revert(abi_encode(signer, owner, method_id=method_id("ERC2612InvalidSigner(address,address)")))


@internal
@pure
def _ecdsa_invalid_signature():
    """
    @dev The signature does not recover to any address.
    """
    raw_revert(method_id("ECDSAInvalidSignature()"))


@internal
@pure
def _ecdsa_invalid_signature_s(s: bytes32):
    """
    @dev The signature's `s` is in the upper half of the curve order (EIP-2).
    @param s The 32-byte `s` value of the signature.
    """
    raw_revert(abi_encode(s, method_id=method_id("ECDSAInvalidSignatureS(bytes32)")))
