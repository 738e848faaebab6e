# pragma version ~=0.4.3
"""
@title ERC-20 core with OpenZeppelin's custom errors
@notice Balances, allowances and the total supply; `transfer`, `approve` and
        `transferFrom` behave and revert exactly like OpenZeppelin's ERC20
        (5.0): `ERC20InvalidReceiver`, `ERC20InsufficientBalance`,
        `ERC20InsufficientAllowance`, `ERC20InvalidSpender`,
        `ERC20InvalidApprover`. An allowance of max_value(uint256) is
        unlimited and never decreases. Spending an allowance logs no
        `Approval`.
@dev Name, symbol and decimals belong to the host. Minting is internal.
     Storage:
       balanceOf    HashMap[address, uint256]
       allowance    HashMap[address, HashMap[address, uint256]]
       totalSupply  uint256
     Arithmetic: every balance is at most totalSupply, and totalSupply is
     checked when minting, so credits cannot overflow and debits are checked
     against the balance first; those two use unsafe_* (see each line).
"""

from lib import errors


# Tokens held, per account.
balanceOf: public(HashMap[address, uint256])
# Tokens an owner lets a spender move: owner → spender → amount.
allowance: public(HashMap[address, HashMap[address, uint256]])
# Tokens in existence: the sum of all balances.
totalSupply: public(uint256)


event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256


event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` tokens from the caller to `to`.
    @param to The 20-byte receiving address (not the zero address).
    @param amount The 32-byte amount of tokens.
    @return bool Always true; failures revert.
    """
    self._transfer(msg.sender, to, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice Lets `spender` move up to `amount` of the caller's tokens,
            replacing any earlier allowance.
    @param spender The 20-byte address allowed to spend (not the zero address).
    @param amount The 32-byte allowance; max_value(uint256) means unlimited.
    @return bool Always true; failures revert.
    """
    self._approve(msg.sender, spender, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` tokens from `owner` to `to` out of the caller's
            allowance.
    @param owner The 20-byte address tokens leave.
    @param to The 20-byte receiving address (not the zero address).
    @param amount The 32-byte amount of tokens.
    @return bool Always true; failures revert.
    """
    self._spend_allowance(owner, msg.sender, amount)
    self._transfer(owner, to, amount)
    return True


@internal
def _transfer(owner: address, to: address, amount: uint256):
    """
    @dev Moves `amount` from `owner` to `to` and logs `Transfer`. `owner` is
         never the zero address here (see errors.vy, ERC20InvalidSender).
    @param owner The 20-byte address tokens leave.
    @param to The 20-byte receiving address.
    @param amount The 32-byte amount of tokens.
    """
    if to == empty(address):
        errors._erc20_invalid_receiver(empty(address))
    balance: uint256 = self.balanceOf[owner]
    if balance < amount:
        errors._erc20_insufficient_balance(owner, balance, amount)
    # Safe: balance >= amount was just checked.
    self.balanceOf[owner] = unsafe_sub(balance, amount)
    # Safe: the sum of all balances is totalSupply, checked at minting.
    self.balanceOf[to] = unsafe_add(self.balanceOf[to], amount)
    log Transfer(sender=owner, receiver=to, value=amount)


@internal
def _approve(owner: address, spender: address, amount: uint256):
    """
    @dev Sets the allowance and logs `Approval`.
    @param owner The 20-byte address granting the allowance.
    @param spender The 20-byte address receiving it.
    @param amount The 32-byte allowance.
    """
    if owner == empty(address):
        errors._erc20_invalid_approver(empty(address))
    if spender == empty(address):
        errors._erc20_invalid_spender(empty(address))
    self.allowance[owner][spender] = amount
    log Approval(owner=owner, spender=spender, value=amount)


@internal
def _spend_allowance(owner: address, spender: address, amount: uint256):
    """
    @dev Takes `amount` out of the allowance (not an unlimited one), without
         an `Approval` log. As in the reference, the zero address as owner is
         refused here, as an approver.
    @param owner The 20-byte address whose allowance is spent.
    @param spender The 20-byte address spending it.
    @param amount The 32-byte amount.
    """
    current: uint256 = self.allowance[owner][spender]
    if current == max_value(uint256):
        return
    if current < amount:
        errors._erc20_insufficient_allowance(spender, current, amount)
    if owner == empty(address):
        errors._erc20_invalid_approver(empty(address))
    # Safe: current >= amount was just checked.
    self.allowance[owner][spender] = unsafe_sub(current, amount)


@internal
def _mint(to: address, amount: uint256):
    """
    @dev Creates `amount` tokens for `to` and logs a `Transfer` from the zero
         address.
    @param to The 20-byte receiving address (not the zero address).
    @param amount The 32-byte amount of tokens.
    """
    if to == empty(address):
        errors._erc20_invalid_receiver(empty(address))
    # Checked: this is the overflow check every later credit relies on.
    self.totalSupply += amount
    # Safe: a balance never exceeds totalSupply.
    self.balanceOf[to] = unsafe_add(self.balanceOf[to], amount)
    log Transfer(sender=empty(address), receiver=to, value=amount)
