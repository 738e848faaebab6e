# pragma version ~=0.4.3
"""
@title Test double for Arbitrum's L1 custom gateway and gateway router
@notice Only for tests. Answers both `registerTokenToL2` (the gateway's) and
        `setGateway` (the router's), and records the arguments, the ether
        received and what the calling token's `isArbitrumEnabled()` answered
        during the call, which is what the real gateway checks.
"""

interface ArbitrumToken:
    def isArbitrumEnabled() -> uint8: view


# Which function was called last: "registerTokenToL2" or "setGateway".
called: public(String[20])
# The first argument: the L2 token (gateway) or the gateway (router).
target: public(address)
# The remaining arguments, by their names in Arbitrum's interfaces.
maxGas: public(uint256)
gasPriceBid: public(uint256)
maxSubmissionCost: public(uint256)
creditBackAddress: public(address)
# msg.value of the call.
received: public(uint256)
# The calling token's answer to isArbitrumEnabled() during the call.
arbitrumEnabled: public(uint8)


@external
@payable
def registerTokenToL2(
    _l2Address: address,
    _maxGas: uint256,
    _gasPriceBid: uint256,
    _maxSubmissionCost: uint256,
    _creditBackAddress: address,
) -> uint256:
    """
    @notice The gateway's entry point; records the call.
    """
    self._record("registerTokenToL2", _l2Address, _maxGas, _gasPriceBid, _maxSubmissionCost, _creditBackAddress)
    return 1


@external
@payable
def setGateway(
    _gateway: address,
    _maxGas: uint256,
    _gasPriceBid: uint256,
    _maxSubmissionCost: uint256,
    _creditBackAddress: address,
) -> uint256:
    """
    @notice The router's entry point; records the call.
    """
    self._record("setGateway", _gateway, _maxGas, _gasPriceBid, _maxSubmissionCost, _creditBackAddress)
    return 2


@internal
@payable
def _record(
    called: String[20],
    target: address,
    max_gas: uint256,
    gas_price_bid: uint256,
    max_submission_cost: uint256,
    credit_back: address,
):
    self.called = called
    self.target = target
    self.maxGas = max_gas
    self.gasPriceBid = gas_price_bid
    self.maxSubmissionCost = max_submission_cost
    self.creditBackAddress = credit_back
    self.received = msg.value
    self.arbitrumEnabled = staticcall ArbitrumToken(msg.sender).isArbitrumEnabled()
