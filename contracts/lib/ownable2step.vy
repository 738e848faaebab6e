# pragma version ~=0.4.3
"""
@title Two-step ownership with OpenZeppelin's names and behaviour
@notice `transferOwnership` only names a pending owner; ownership changes when
        that account calls `acceptOwnership`. `renounceOwnership` leaves the
        contract without an owner (and cancels a pending transfer), after
        which every owner-only function reverts.
@dev Public names are the reference ABI's (camelCase); internals are
     snake_case. The module has no `__init__`: the host calls
     `_initialize(owner)` from its constructor or, behind a proxy, from its
     `initialize` function.
     Storage (in the host's order of `initializes`):
       owner         address   the account allowed to call owner-only functions
       pendingOwner  address   the account allowed to accept ownership
"""

from lib import errors


# The account allowed to call owner-only functions; empty before
# initialisation and after `renounceOwnership`.
owner: public(address)
# The account that may call `acceptOwnership`; empty when no transfer is
# pending.
pendingOwner: public(address)


event OwnershipTransferStarted:
    previousOwner: indexed(address)
    newOwner: indexed(address)


event OwnershipTransferred:
    previousOwner: indexed(address)
    newOwner: indexed(address)


@external
def transferOwnership(newOwner: address):
    """
    @notice Names `newOwner` as the pending owner; the current owner stays in
            charge until `newOwner` accepts. Naming the zero address cancels a
            pending transfer.
    @dev Owner only (`OwnableUnauthorizedAccount`).
    @param newOwner The 20-byte address that may accept ownership.
    """
    self._check_owner()
    self.pendingOwner = newOwner
    log OwnershipTransferStarted(previousOwner=self.owner, newOwner=newOwner)


@external
def acceptOwnership():
    """
    @notice Makes the pending owner (the caller) the owner.
    @dev Reverts with `OwnableUnauthorizedAccount(caller)` for anyone else.
    """
    if msg.sender != self.pendingOwner:
        errors._ownable_unauthorized_account(msg.sender)
    self._transfer_ownership(msg.sender)


@external
def renounceOwnership():
    """
    @notice Leaves the contract without an owner, for good.
    @dev Owner only (`OwnableUnauthorizedAccount`). Also clears a pending
         transfer, as OpenZeppelin's Ownable2Step does.
    """
    self._check_owner()
    self._transfer_ownership(empty(address))


@internal
def _initialize(initial_owner: address):
    """
    @dev Sets the first owner; called once, from a constructor or an
         `initialize` function. The zero address is refused with
         `OwnableInvalidOwner`.
    @param initial_owner The 20-byte address of the first owner.
    """
    if initial_owner == empty(address):
        errors._ownable_invalid_owner(empty(address))
    self._transfer_ownership(initial_owner)


@internal
@view
def _check_owner():
    """
    @dev Reverts with `OwnableUnauthorizedAccount(caller)` unless the caller
         is the owner.
    """
    if msg.sender != self.owner:
        errors._ownable_unauthorized_account(msg.sender)


@internal
def _transfer_ownership(new_owner: address):
    """
    @dev Makes `new_owner` the owner at once and clears any pending owner.
    @param new_owner The 20-byte address of the new owner (may be empty).
    """
    self.pendingOwner = empty(address)
    previous_owner: address = self.owner
    self.owner = new_owner
    log OwnershipTransferred(previousOwner=previous_owner, newOwner=new_owner)
