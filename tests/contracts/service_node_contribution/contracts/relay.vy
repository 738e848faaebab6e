# pragma version ~=0.4.3
"""
@title A contract that calls on someone's behalf
@notice Only for tests: whatever it forwards reaches the target with this
        contract as msg.sender, as a phishing or a wallet contract would.
        A refused call bubbles the target's revert data up unchanged.
"""


@external
def forward(target: address, data: Bytes[4_096]) -> Bytes[1_024]:
    """
    @notice Calls `target` with `data` and returns what it answered.
    """
    return raw_call(target, data, max_outsize=1_024)
