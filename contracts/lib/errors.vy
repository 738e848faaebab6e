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
     Storage: none; only constants and pure helpers.
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
# ServiceNodeRewards: declared in the reference but never raised there either.
RECIPIENT_ADDRESS_DOES_NOT_MATCH: constant(Bytes[4]) = method_id("RecipientAddressDoesNotMatch(address,address,uint256)")
# ServiceNodeRewards: internal guards of the reference's list code that our list
# cannot reach (no caller deletes the sentinel; totalNodes never goes below 0).
DELETE_SENTINEL_NODE_NOT_ALLOWED: constant(Bytes[4]) = method_id("DeleteSentinelNodeNotAllowed()")
INSUFFICIENT_NODES: constant(Bytes[4]) = method_id("InsufficientNodes()")


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


# ServiceNodeRewards (the reference's IServiceNodeRewards errors, OZ Pausable, and
# the few sesh adds, marked "sesh only"; docs/compatibility.md gives the reasons)


@internal
@pure
def _enforced_pause():
    """
    @dev The contract is paused.
    """
    raw_revert(method_id("EnforcedPause()"))


@internal
@pure
def _expected_pause():
    """
    @dev `unpause` while the contract is not paused.
    """
    raw_revert(method_id("ExpectedPause()"))


@internal
@pure
def _contract_not_started():
    """
    @dev The owner has not called `start` yet.
    """
    raw_revert(method_id("ContractNotStarted()"))


@internal
@pure
def _contract_already_started():
    """
    @dev Seeding after `start`.
    """
    raw_revert(method_id("ContractAlreadyStarted()"))


@internal
@pure
def _positive_number_requirement():
    """
    @dev An owner setter was given zero.
    """
    raw_revert(method_id("PositiveNumberRequirement()"))


@internal
@pure
def _liquidator_penalty_too_high():
    """
    @dev (liquidator + pool) · 3 exceeds the recipient ratio.
    """
    raw_revert(method_id("LiquidatorPenaltyTooHigh()"))


@internal
@pure
def _parameter_above_bound(parameter: uint256, bound: uint256):
    """
    @dev sesh only: a parameter above a bound the contract is compiled with (a list length Vyper must know, or what a packed storage field holds).
    @param parameter The 32-byte value refused.
    @param bound The 32-byte largest value the contract accepts.
    """
    raw_revert(abi_encode(parameter, bound, method_id=method_id("ParameterAboveBound(uint256,uint256)")))


@internal
@pure
def _max_contributors_exceeded():
    """
    @dev More contributors than `maxContributors`.
    """
    raw_revert(method_id("MaxContributorsExceeded()"))


@internal
@pure
def _insufficient_contributors():
    """
    @dev A seeded node without contributors.
    """
    raw_revert(method_id("InsufficientContributors()"))


@internal
@pure
def _contribution_total_mismatch(required: uint256, provided: uint256):
    """
    @dev The stakes do not add up to the staking requirement.
    @param required The 32-byte staking requirement.
    @param provided The 32-byte sum of the stakes given.
    """
    raw_revert(abi_encode(required, provided, method_id=method_id("ContributionTotalMismatch(uint256,uint256)")))


@internal
@pure
def _insufficient_operator_contribution(operatorContribution: uint256):
    """
    @dev The operator (first contributor) stakes less than a quarter of the requirement.
    @param operatorContribution The 32-byte stake of the first contributor.
    """
    raw_revert(abi_encode(operatorContribution, method_id=method_id("InsufficientOperatorContribution(uint256)")))


@internal
@pure
def _null_address():
    """
    @dev The zero address where an account is needed.
    """
    raw_revert(method_id("NullAddress()"))


@internal
@pure
def _null_bls_pubkey():
    """
    @dev A BLS public key with a zero coordinate.
    """
    raw_revert(method_id("NullBLSPubkey()"))


@internal
@pure
def _null_ed25519_pubkey():
    """
    @dev A zero Ed25519 public key.
    """
    raw_revert(method_id("NullEd25519Pubkey()"))


@internal
@pure
def _bls_pubkey_already_exists(serviceNodeID: uint64):
    """
    @dev The BLS key is already registered.
    @param serviceNodeID The 8-byte id of the node holding the key.
    """
    raw_revert(abi_encode(serviceNodeID, method_id=method_id("BLSPubkeyAlreadyExists(uint64)")))


@internal
@pure
def _ed25519_pubkey_already_exists(serviceNodeID: uint64):
    """
    @dev The Ed25519 key is already registered.
    @param serviceNodeID The 8-byte id of the node holding the key.
    """
    raw_revert(abi_encode(serviceNodeID, method_id=method_id("Ed25519PubkeyAlreadyExists(uint64)")))


@internal
@pure
def _bls_pubkey_does_not_exist(blsPubkey: uint256[2]):
    """
    @dev No registered node has this BLS key.
    @param blsPubkey The 64-byte key (X, Y) no node holds.
    """
    raw_revert(abi_encode(blsPubkey, method_id=method_id("BLSPubkeyDoesNotExist((uint256,uint256))")))


@internal
@pure
def _bls_pubkey_does_not_match(serviceNodeID: uint64, blsPubkey: uint256[2]):
    """
    @dev The node's stored key differs from the given one.
    @param serviceNodeID The 8-byte node id.
    @param blsPubkey The 64-byte key (X, Y) given.
    """
    raw_revert(abi_encode(serviceNodeID, blsPubkey, method_id=method_id("BLSPubkeyDoesNotMatch(uint64,(uint256,uint256))")))


@internal
@pure
def _invalid_bls_proof_of_possession():
    """
    @dev The proof of possession does not verify, or the key is not a point of G1.
    """
    raw_revert(method_id("InvalidBLSProofOfPossession()"))


@internal
@pure
def _invalid_bls_signature(aggregatePubkey: uint256[2]):
    """
    @dev The network signature does not verify against the signers' aggregate key.
    @param aggregatePubkey The 64-byte key (X, Y) the signature was checked against.
    """
    raw_revert(abi_encode(aggregatePubkey, method_id=method_id("InvalidBLSSignature((uint256,uint256))")))


@internal
@pure
def _insufficient_bls_signatures(numSigners: uint256, requiredSigners: uint256):
    """
    @dev More non-signers than the threshold allows.
    @param numSigners The 32-byte number of signers implied.
    @param requiredSigners The 32-byte number of signers needed.
    """
    raw_revert(abi_encode(numSigners, requiredSigners, method_id=method_id("InsufficientBLSSignatures(uint256,uint256)")))


@internal
@pure
def _non_signer_ids_not_increasing(previousID: uint64, serviceNodeID: uint64):
    """
    @dev sesh only: the non-signer ids must be strictly increasing, so none is subtracted twice.
    @param previousID The 8-byte id before it in the list.
    @param serviceNodeID The 8-byte id out of order.
    """
    raw_revert(abi_encode(previousID, serviceNodeID, method_id=method_id("NonSignerIDsNotIncreasing(uint64,uint64)")))


@internal
@pure
def _service_node_doesnt_exist(serviceNodeID: uint64):
    """
    @dev No live node has this id.
    @param serviceNodeID The 8-byte id.
    """
    raw_revert(abi_encode(serviceNodeID, method_id=method_id("ServiceNodeDoesntExist(uint64)")))


@internal
@pure
def _max_pubkey_aggregations_exceeded():
    """
    @dev Too many registrations in this block.
    """
    raw_revert(method_id("MaxPubkeyAggregationsExceeded()"))


@internal
@pure
def _caller_not_contributor(serviceNodeID: uint64, contributor: address):
    """
    @dev Only a contributor of the node may ask for its exit.
    @param serviceNodeID The 8-byte node id.
    @param contributor The 20-byte caller.
    """
    raw_revert(abi_encode(serviceNodeID, contributor, method_id=method_id("CallerNotContributor(uint64,address)")))


@internal
@pure
def _small_contributor_leave_too_early(serviceNodeID: uint64, contributor: address):
    """
    @dev A contributor under a quarter of the stake asks to leave within 30 days of registration.
    @param serviceNodeID The 8-byte node id.
    @param contributor The 20-byte caller.
    """
    raw_revert(abi_encode(serviceNodeID, contributor, method_id=method_id("SmallContributorLeaveTooEarly(uint64,address)")))


@internal
@pure
def _leave_request_too_early(serviceNodeID: uint64, timestamp: uint256, currentTimestamp: uint256):
    """
    @dev A repeated leave request within the hour, or an exit before the wait is over.
    @param serviceNodeID The 8-byte node id.
    @param timestamp The 32-byte time from which it is allowed.
    @param currentTimestamp The 32-byte time now.
    """
    raw_revert(abi_encode(serviceNodeID, timestamp, currentTimestamp, method_id=method_id("LeaveRequestTooEarly(uint64,uint256,uint256)")))


@internal
@pure
def _leave_request_not_initiated_yet(serviceNodeID: uint64):
    """
    @dev An exit after the wait, without a leave request.
    @param serviceNodeID The 8-byte node id.
    """
    raw_revert(abi_encode(serviceNodeID, method_id=method_id("LeaveRequestNotInitiatedYet(uint64)")))


@internal
@pure
def _signature_expired(serviceNodeID: uint64, timestamp: uint256, currentTimestamp: uint256):
    """
    @dev The exit or liquidation signature is older than `signatureExpiry`.
    @param serviceNodeID The 8-byte node id.
    @param timestamp The 32-byte time the signature names.
    @param currentTimestamp The 32-byte time now.
    """
    raw_revert(abi_encode(serviceNodeID, timestamp, currentTimestamp, method_id=method_id("SignatureExpired(uint64,uint256,uint256)")))


@internal
@pure
def _exit_too_early(serviceNodeID: uint64, addedTimestamp: uint256, currentTimestamp: uint256):
    """
    @dev A signed exit or liquidation of a node younger than the minimum exit age.
    @param serviceNodeID The 8-byte node id.
    @param addedTimestamp The 32-byte time the node joined.
    @param currentTimestamp The 32-byte time now.
    """
    raw_revert(abi_encode(serviceNodeID, addedTimestamp, currentTimestamp, method_id=method_id("ExitTooEarly(uint64,uint256,uint256)")))


@internal
@pure
def _recipient_rewards_too_low():
    """
    @dev A signed balance not above the one stored (a replay).
    """
    raw_revert(method_id("RecipientRewardsTooLow()"))


@internal
@pure
def _max_claim_exceeded():
    """
    @dev A claim above what is unclaimed.
    """
    raw_revert(method_id("MaxClaimExceeded()"))


@internal
@pure
def _claim_threshold_exceeded():
    """
    @dev The claims of this cycle would pass `claimThreshold`.
    """
    raw_revert(method_id("ClaimThresholdExceeded()"))


# TokenConverter and vesting (OpenZeppelin ReentrancyGuard; the vesting
# contracts revert with the reference's strings and need no custom error;
# TokenConverter's pause and ownership errors are the ones above)


@internal
@pure
def _reentrancy_guard_reentrant_call():
    """
    @dev A guarded function was entered again before its first call returned.
    """
    raw_revert(method_id("ReentrancyGuardReentrantCall()"))


# ServiceNodeContribution and its factory (the reference's IServiceNodeContribution
# errors; the factory's pause, ownership and initialisation errors are the ones above)

# Declared in the reference but never raised there either: a changed staking
# requirement is reported as RewardsContractMaxContributorsChanged.
REWARDS_CONTRACT_STAKING_REQUIREMENT_CHANGED: constant(Bytes[4]) = method_id("RewardsContractStakingRequirementChanged(uint256,uint256)")


@internal
@pure
def _only_operator_is_authorised(addr: address, operator: address):
    """
    @dev Only the node's operator may call this.
    @param addr The 20-byte caller.
    @param operator The 20-byte operator.
    """
    raw_revert(abi_encode(addr, operator, method_id=method_id("OnlyOperatorIsAuthorised(address,address)")))


@internal
@pure
def _require_wait_for_operator_contrib_status(status: uint8):
    """
    @dev Keys, fee and reservations change only before the operator's first contribution.
    @param status The 1-byte current status.
    """
    raw_revert(abi_encode(status, method_id=method_id("RequireWaitForOperatorContribStatus(uint8)")))


@internal
@pure
def _fee_exceeds_possible_value(fee: uint16, maximum: uint16):
    """
    @dev A fee above 100 % (10,000).
    @param fee The 2-byte fee given.
    @param maximum The 2-byte largest fee.
    """
    raw_revert(abi_encode(fee, maximum, method_id=method_id("FeeExceedsPossibleValue(uint16,uint16)")))


@internal
@pure
def _too_many_reserved_contributors(length: uint256, maximum: uint256):
    """
    @dev More reservations than contributors allowed.
    @param length The 32-byte number of reservations given.
    @param maximum The 32-byte maxContributors.
    """
    raw_revert(abi_encode(length, maximum, method_id=method_id("TooManyReservedContributors(uint256,uint256)")))


@internal
@pure
def _first_reserved_contributor_must_be_operator(index: uint256, operator: address):
    """
    @dev The first reservation is not the operator's.
    @param index The 32-byte position (0).
    @param operator The 20-byte operator.
    """
    raw_revert(abi_encode(index, operator, method_id=method_id("FirstReservedContributorMustBeOperator(uint256,address)")))


@internal
@pure
def _reserved_contributor_has_zero_address(index: uint256):
    """
    @dev A reservation for the zero address.
    @param index The 32-byte position of the reservation.
    """
    raw_revert(abi_encode(index, method_id=method_id("ReservedContributorHasZeroAddress(uint256)")))


@internal
@pure
def _duplicate_address_in_reserved_contributor(index: uint256):
    """
    @dev An address reserved twice.
    @param index The 32-byte position of the repeat.
    """
    raw_revert(abi_encode(index, method_id=method_id("DuplicateAddressInReservedContributor(uint256)")))


@internal
@pure
def _reserved_contribution_below_min_amount(index: uint256, contributed: uint256, minimum: uint256):
    """
    @dev A reservation below the minimum for its slot.
    @param index The 32-byte position of the reservation.
    @param contributed The 32-byte amount reserved.
    @param minimum The 32-byte minimum for the slot.
    """
    raw_revert(abi_encode(index, contributed, minimum, method_id=method_id("ReservedContributionBelowMinAmount(uint256,uint256,uint256)")))


@internal
@pure
def _reserved_contribution_exceeds_staking_requirement(index: uint256, contributed: uint256, remaining: uint256):
    """
    @dev The reservations together exceed the staking requirement.
    @param index The 32-byte position of the reservation.
    @param contributed The 32-byte amount reserved.
    @param remaining The 32-byte part of the requirement still unreserved.
    """
    raw_revert(abi_encode(index, contributed, remaining, method_id=method_id("ReservedContributionExceedsStakingRequirement(uint256,uint256,uint256)")))


@internal
@pure
def _contribute_funds_not_possible(status: uint8):
    """
    @dev Contributions are taken only in states 0 and 1.
    @param status The 1-byte current status.
    """
    raw_revert(abi_encode(status, method_id=method_id("ContributeFundsNotPossible(uint8)")))


@internal
@pure
def _rewards_contract_max_contributors_changed(oldMax: uint256, newMax: uint256):
    """
    @dev The rewards contract's maxContributors (or staking requirement) is not the one cached.
    @param oldMax The 32-byte value cached at creation.
    @param newMax The 32-byte value the rewards contract has now.
    """
    raw_revert(abi_encode(oldMax, newMax, method_id=method_id("RewardsContractMaxContributorsChanged(uint256,uint256)")))


@internal
@pure
def _first_contribution_must_be_operator(contributor: address, operator: address):
    """
    @dev Someone other than the operator contributes first.
    @param contributor The 20-byte caller.
    @param operator The 20-byte operator.
    """
    raw_revert(abi_encode(contributor, operator, method_id=method_id("FirstContributionMustBeOperator(address,address)")))


@internal
@pure
def _contribution_below_reserved_amount(contributed: uint256, reserved: uint256):
    """
    @dev A reserved contributor pays less than their reservation.
    @param contributed The 32-byte amount paid.
    @param reserved The 32-byte amount reserved.
    """
    raw_revert(abi_encode(contributed, reserved, method_id=method_id("ContributionBelowReservedAmount(uint256,uint256)")))


@internal
@pure
def _contribution_below_min_amount(contributed: uint256, minimum: uint256):
    """
    @dev A new contributor pays less than `minimumContribution()`.
    @param contributed The 32-byte amount paid.
    @param minimum The 32-byte minimum.
    """
    raw_revert(abi_encode(contributed, minimum, method_id=method_id("ContributionBelowMinAmount(uint256,uint256)")))


@internal
@pure
def _contribution_exceeds_staking_requirement(totalContributed: uint256, totalReserved: uint256, stakingRequirement: uint256):
    """
    @dev Contributions plus unfilled reservations would exceed the requirement.
    @param totalContributed The 32-byte total with this contribution.
    @param totalReserved The 32-byte unfilled reservations.
    @param stakingRequirement The 32-byte staking requirement.
    """
    raw_revert(abi_encode(totalContributed, totalReserved, stakingRequirement, method_id=method_id("ContributionExceedsStakingRequirement(uint256,uint256,uint256)")))


@internal
@pure
def _contribution_max_contributors_exceeded(maxContributors: uint256):
    """
    @dev One contributor more than allowed (the contribution contract's form of this error).
    @param maxContributors The 32-byte maxContributors.
    """
    raw_revert(abi_encode(maxContributors, method_id=method_id("MaxContributorsExceeded(uint256)")))


@internal
@pure
def _finalize_not_possible(status: uint8):
    """
    @dev Finalize outside state 2.
    @param status The 1-byte current status.
    """
    raw_revert(abi_encode(status, method_id=method_id("FinalizeNotPossible(uint8)")))


@internal
@pure
def _withdraw_too_early(contribTime: uint256, blockTime: uint256, delayRequired: uint256):
    """
    @dev A withdrawal within a day of the last contribution.
    @param contribTime The 32-byte time of the last contribution.
    @param blockTime The 32-byte time now.
    @param delayRequired The 32-byte delay (WITHDRAWAL_DELAY).
    """
    raw_revert(abi_encode(contribTime, blockTime, delayRequired, method_id=method_id("WithdrawTooEarly(uint256,uint256,uint256)")))


@internal
@pure
def _beneficiary_updating_disabled_node_is_not_open(ed25519Pubkey: uint256):
    """
    @dev A beneficiary change outside states 1 and 2 (after registration it would change nothing).
    @param ed25519Pubkey The 32-byte Ed25519 key of the node.
    """
    raw_revert(abi_encode(ed25519Pubkey, method_id=method_id("BeneficiaryUpdatingDisabledNodeIsNotOpen(uint256)")))


@internal
@pure
def _non_contributor_updated_beneficiary(nonContributorAddr: address):
    """
    @dev A beneficiary change by someone who has not contributed.
    @param nonContributorAddr The 20-byte caller.
    """
    raw_revert(abi_encode(nonContributorAddr, method_id=method_id("NonContributorUpdatedBeneficiary(address)")))


@internal
@pure
def _rescue_not_possible(status: uint8):
    """
    @dev A rescue while contributions are held (states 1 and 2).
    @param status The 1-byte current status.
    """
    raw_revert(abi_encode(status, method_id=method_id("RescueNotPossible(uint8)")))


@internal
@pure
def _rescue_balance_is_empty(token: address):
    """
    @dev Nothing of `token` to rescue.
    @param token The 20-byte token address.
    """
    raw_revert(abi_encode(token, method_id=method_id("RescueBalanceIsEmpty(address)")))


@internal
@pure
def _calc_min_contribution_given_bad_contrib_args(numContributors: uint256, maxNumContributors: uint256):
    """
    @dev No contributor slot is left to compute a minimum for.
    @param numContributors The 32-byte number of contributors (and unfilled reservations).
    @param maxNumContributors The 32-byte maxContributors.
    """
    raw_revert(abi_encode(numContributors, maxNumContributors, method_id=method_id("CalcMinContributionGivenBadContribArgs(uint256,uint256)")))


@internal
@pure
def _staking_rewards_contract_mismatch(implementationRewards: address, stakingRewards: address):
    """
    @dev sesh only: the factory is set up for a rewards contract other than the one its contribution implementation serves.
    @param implementationRewards The 20-byte rewards contract of the contribution implementation.
    @param stakingRewards The 20-byte rewards contract given to `initialize`.
    """
    raw_revert(abi_encode(implementationRewards, stakingRewards, method_id=method_id("StakingRewardsContractMismatch(address,address)")))
