# pragma version ~=0.4.3
"""
@title A token that misbehaves on request, for TokenConverter tests
@notice Only for tests. Plain balances without allowances (anyone may move
        anyone's tokens with `transferFrom`), and two switches:
        `answer_false` makes transfers answer false instead of moving tokens,
        `reenter` makes `transferFrom` first call `convertTokens(1)` on the
        converter it names.
"""


interface Converter:
    def convertTokens(_amountA: uint256): nonpayable


# Balances, as any ERC-20.
balanceOf: public(HashMap[address, uint256])
# When set, `transfer` and `transferFrom` answer false and move nothing.
answer_false: public(bool)
# When not empty, `transferFrom` calls back `convertTokens(1)` on it.
reenter: public(address)


@external
def mint(to: address, amount: uint256):
    self.balanceOf[to] += amount


@external
def set_answer_false(answer_false: bool):
    self.answer_false = answer_false


@external
def set_reenter(converter: address):
    self.reenter = converter


@external
def transfer(to: address, amount: uint256) -> bool:
    if self.answer_false:
        return False
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[to] += amount
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    if self.reenter != empty(address):
        extcall Converter(self.reenter).convertTokens(1)
    if self.answer_false:
        return False
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount
    return True
