# pragma version ~=0.4.3
"""
@title A token whose `transfer` answers whatever a test sets
@notice Only for tests of safe transfers: it can answer true, false, nothing,
        a malformed word, or revert with chosen data. `balanceOf` answers a
        settable balance for everyone; it records the last transfer it took.
"""

# The raw return data of `transfer` (or the revert data when `fails`).
answer: public(Bytes[128])
# Whether `transfer` reverts (with `answer` as revert data).
fails: public(bool)
# What `balanceOf` answers, for any account.
held: public(uint256)
# The recipient and amount of the last `transfer` that did not revert.
last_to: public(address)
last_amount: public(uint256)


@deploy
def __init__():
    self.answer = abi_encode(True)
    self.held = 10**18


@external
def set_answer(answer: Bytes[128], fails: bool):
    self.answer = answer
    self.fails = fails


@external
@view
def balanceOf(owner: address) -> uint256:
    return self.held


@external
@raw_return
def transfer(to: address, amount: uint256) -> Bytes[128]:
    if self.fails:
        raw_revert(self.answer)
    self.last_to = to
    self.last_amount = amount
    return self.answer
