# pragma version ~=0.4.3
"""
@title Run-once initialisation for contracts behind a proxy
@notice A proxied contract cannot use its constructor for its own state (the
        constructor runs in the implementation's storage, not the proxy's), so
        it has an `initialize` function instead, which this module lets run
        only once. The implementation's own constructor locks it for good, so
        nobody can initialise (and so own) the implementation itself.
@dev OpenZeppelin Initializable semantics for version 1: `Initialized(1)`
     after the first initialisation, `InvalidInitialization()` on any later
     one, `Initialized(max uint64)` when the constructor disables initialisers.
     The host calls `_begin_initialization()` first in `initialize` and
     `_end_initialization()` last, which gives the reference's event order.
     Storage:
       initialized_version  uint64  0 new, 1 initialised, max locked
"""

from lib import errors


# The version the contract was initialised to: 0 before `initialize`, 1 after
# it, max_value(uint64) when initialisers are disabled (an implementation).
initialized_version: uint64


event Initialized:
    version: uint64


@internal
def _begin_initialization():
    """
    @dev Marks the contract initialised, or reverts with
         `InvalidInitialization()` if it already was (or is locked).
    """
    if self.initialized_version != 0:
        errors._invalid_initialization()
    self.initialized_version = 1


@internal
def _end_initialization():
    """
    @dev Announces the initialisation, after the host has set its state.
    """
    log Initialized(version=1)


@internal
def _disable_initializers():
    """
    @dev Locks the contract against any initialisation; for the constructor
         of an implementation that only ever runs behind a proxy.
    """
    self.initialized_version = max_value(uint64)
    log Initialized(version=max_value(uint64))
