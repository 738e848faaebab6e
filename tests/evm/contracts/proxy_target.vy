# pragma version ~=0.4.3
"""
@title Implementation behind the raw ERC-1967 proxy, for sesh.evm.proxy tests
@notice Only for tests: returns data of a chosen size, reverts with a long
        reason, records who initialised it and what ether arrived.
"""

# Set by `initialize`.
stored: public(uint256)
# msg.sender seen by `initialize`.
initializer: public(address)


@external
def initialize(stored: uint256):
    assert stored != 0, "initialize: zero is not a value, and this reason is long"
    self.stored = stored
    self.initializer = msg.sender


@external
@view
def words(count: uint256) -> DynArray[uint256, 1024]:
    out: DynArray[uint256, 1024] = []
    for i: uint256 in range(count, bound=1024):
        out.append(i)
    return out


@external
@view
def whoami() -> address:
    return self


@external
@payable
def deposit() -> uint256:
    return msg.value


@external
def fail():
    raise "a revert reason longer than one word, bubbled up unchanged"
