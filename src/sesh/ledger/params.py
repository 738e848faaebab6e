"""Network parameters: what differs between mainnet, testnet and a devnet, in one frozen value.

Every duration is written in seconds and turned into a number of blocks by the profile's block
time (rounded up, so a wait is never shorter than its duration): a devnet with 2-second blocks
waits 43,200 blocks for a day where mainnet waits 720. Counts that are *votes* or a *window
of blocks* (the 30-block vote timeout, the 15-block reward minimum, the 10 deactivations per
block) stay counts: they measure agreement between producers, not time.

The reward pool's `rewardRate()` is an amount per 120 seconds (the reference chain's block
time). A block pays that rate scaled by `block_time / 120`, with the remainder carried to the
next block, so every profile issues exactly the same SESH per hour at a constant rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property

from sesh.keccak import keccak256

SESH = 10**9
"""Atomic units per SESH (the token has 9 decimals)."""

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

FULL_SCORE = 2520
"""One producer's vote on a pending event in a round-0 block; 2520 divides by 1..10, so a vote
in round r weighs exactly FULL_SCORE / (r + 1)."""

ETH_BLS_INITIAL_REWARD = 22_983_257_229
"""The reference's first reward: 40M SESH × 15.1 % / 365 / 720, in atomic units per 2 minutes."""

REWARD_RATE_PERIOD = 120
"""Seconds one `rewardRate()` of the pool pays for (the reference chain's block time)."""

FEE_DENOMINATOR = 10_000
"""Operator fees are in 1/100 of a percent."""


def _blocks(seconds: int, block_time: int) -> int:
    return -(-seconds // block_time)


def _encode_value(value: object) -> bytes:
    if isinstance(value, bool):
        raise TypeError("a profile field is an int, a str or (name, height) pairs, not a bool")
    if isinstance(value, int):
        return value.to_bytes(32, "big")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a profile string must not contain NUL")
        return value.encode() + b"\x00"
    if isinstance(value, tuple):
        return len(value).to_bytes(32, "big") + b"".join(_encode_value(v) for v in value)
    raise TypeError(f"cannot encode a profile field of type {type(value).__name__}")


@dataclass(frozen=True)
class NetworkProfile:
    """The constants of one network. Durations are seconds; `*_blocks` properties convert."""

    name: str
    block_time: int
    """Seconds between blocks: 120 on mainnet, 2 on a devnet."""
    l2_chain_id: int
    """The chain the rewards contract lives on; events from another chain are refused."""
    l2_confirmations: int
    """L2 blocks between the chain's tip and the newest block whose events the tracker reports.
    Every producer must count the same (a vote on an event is a vote on what L2 showed), and it
    must outlast any rollback the L2 can make: a node stops when a rollback undoes an event
    its ledger has confirmed."""
    staking_requirement: int
    """The stake of a full node at genesis (atomic SESH); `StakingRequirementUpdated` changes it."""
    initial_reward_rate: int = ETH_BLS_INITIAL_REWARD
    """The pool's rate used for the first `reward_window` blocks (override at genesis with the
    pool's `rewardRate()` then)."""
    max_contributors: int = 10
    maturity: int = DAY
    """A node is paid once it has been active this long (since registration or recommission)."""
    unlock_delay: int = 15 * DAY
    """From a confirmed exit request to the node leaving the list."""
    liquidation_grace: int = 7 * DAY
    """From removal to the moment the network will sign a liquidation."""
    stake_lock: int = 30 * DAY
    """A slashed stake is paid this long after the node's removal."""
    purge_min_age: int = DAY
    """A node missing from the contract is purged only once registered longer than this."""
    initial_credit: int = 2 * HOUR
    credit_per_day: int = 48 * MINUTE
    max_credit: int = 48 * HOUR
    decommission_min_credit: int = 2 * HOUR
    """A failing active node with less credit than this is deregistered, not decommissioned."""
    deregistration_grace: int = 7 * DAY
    """No deregistration this long after a hardfork height."""
    max_deactivations_per_block: int = 10
    vote_accept_margin: int = 5
    """An event is accepted with `margin` full votes more for than against (and twice as many)."""
    vote_timeout_blocks: int = 30
    reward_window: int = 15
    """A block pays the minimum clamped rate of the previous this many blocks."""
    reward_max_decrease: int = 25_000
    """The rate may fall by at most 1/this of the previous block's rate per block."""
    reward_max_increase: int = 50_000
    """The rate may rise by at most 1/this of the previous block's rate per block."""
    hardforks: tuple[tuple[str, int], ...] = field(default=())
    """(name, height) of each network upgrade; deregistrations wait `deregistration_grace`
    after each."""

    def __post_init__(self) -> None:
        if self.block_time <= 0:
            raise ValueError("block_time must be positive")
        if self.l2_confirmations < 0:
            raise ValueError("l2_confirmations must not be negative")
        if self.staking_requirement <= 0:
            raise ValueError("staking_requirement must be positive")
        if not 1 <= self.max_contributors <= 255:
            raise ValueError("max_contributors must be 1..255")
        if self.reward_window < 1:
            raise ValueError("reward_window must be at least 1")

    @property
    def nettype(self) -> str:
        """The network's kind, as `get_info` names it (the reference's liquidator checks it):
        a variant of a profile (`devnet-fast`) is of its kind (`devnet`)."""
        return self.name.split("-")[0]

    def blocks(self, seconds: int) -> int:
        """`seconds` as a number of blocks, rounded up."""
        return _blocks(seconds, self.block_time)

    @cached_property
    def maturity_blocks(self) -> int:
        return self.blocks(self.maturity)

    @cached_property
    def unlock_blocks(self) -> int:
        return self.blocks(self.unlock_delay)

    @cached_property
    def liquidation_grace_blocks(self) -> int:
        return self.blocks(self.liquidation_grace)

    @cached_property
    def stake_lock_blocks(self) -> int:
        return self.blocks(self.stake_lock)

    @cached_property
    def purge_min_age_blocks(self) -> int:
        return self.blocks(self.purge_min_age)

    @cached_property
    def initial_credit_blocks(self) -> int:
        return self.blocks(self.initial_credit)

    @cached_property
    def credit_per_day_blocks(self) -> int:
        return self.blocks(self.credit_per_day)

    @cached_property
    def day_blocks(self) -> int:
        return self.blocks(DAY)

    @cached_property
    def max_credit_blocks(self) -> int:
        return self.blocks(self.max_credit)

    @cached_property
    def decommission_min_credit_blocks(self) -> int:
        return self.blocks(self.decommission_min_credit)

    @cached_property
    def deregistration_grace_blocks(self) -> int:
        return self.blocks(self.deregistration_grace)

    def vote_weight(self, round_: int) -> int:
        """One vote in a block produced in pulse round `round_`."""
        return FULL_SCORE // (round_ + 1)

    def in_deregistration_grace(self, height: int) -> bool:
        """Whether `height` is within `deregistration_grace` after a hardfork."""
        grace = self.deregistration_grace_blocks
        return any(fork <= height < fork + grace for _, fork in self.hardforks)

    def hardfork_height(self, name: str) -> int | None:
        for fork_name, height in self.hardforks:
            if fork_name == name:
                return height
        return None

    def encode(self) -> bytes:
        """Every field, canonically, in declaration order: name, then value (a string as UTF-8,
        an integer as a 32-byte word, the hardforks as a count and their pairs). Derived from
        the dataclass's fields, so a new field enters the digest by being declared, and a
        field of a type this does not know how to encode is an error, not a silent omission.
        Two ledgers with different profiles never agree by chance."""
        out = bytearray()
        for spec in fields(self):
            out += spec.name.encode() + b"\x00" + _encode_value(getattr(self, spec.name))
        return bytes(out)

    @cached_property
    def digest(self) -> bytes:
        return keccak256(b"sesh.ledger.profile" + self.encode())


ARBITRUM_CONFIRMATIONS = 280
"""The reference's ``L2_TRACKER_SAFE_BLOCKS``: 70 s of Arbitrum blocks."""

DEVNET_CONFIRMATIONS = 10
"""The devnet saves its chain after every block with a transaction, and runs of empty blocks
(one a second when idle) at least every second (``sesh.evm.anvil.SAVE_IDLE_SECONDS``; later on
a long chain, whose save takes longer), so a kill -9 loses at most a few empty blocks and a
clean stop none: 10 blocks is several times that, and the producers' votes add more before the
ledger confirms an event. A deeper loss is said by the devnet; the node then stops and says
so."""

MAINNET = NetworkProfile(
    name="mainnet",
    block_time=120,
    l2_chain_id=42161,
    l2_confirmations=ARBITRUM_CONFIRMATIONS,
    staking_requirement=25_000 * SESH,
)

TESTNET = NetworkProfile(
    name="testnet",
    block_time=120,
    l2_chain_id=421614,
    l2_confirmations=ARBITRUM_CONFIRMATIONS,
    staking_requirement=20_000 * SESH,
    unlock_delay=DAY,
    liquidation_grace=2 * HOUR,
    stake_lock=2 * DAY,
)
"""The reference testnet's timers: 24 h unlock, 2 h liquidation grace, 2-day stake lock."""

DEVNET = NetworkProfile(
    name="devnet",
    block_time=2,
    l2_chain_id=31337,
    l2_confirmations=DEVNET_CONFIRMATIONS,
    staking_requirement=120 * SESH,
    maturity=MINUTE,
    unlock_delay=3 * MINUTE,
    liquidation_grace=2 * MINUTE,
    stake_lock=10 * MINUTE,
    purge_min_age=5 * MINUTE,
    deregistration_grace=0,
)
"""Two-second blocks (a quorum round needs a few message round trips between processes) on
anvil's chain id, the `local` deployment's 120 SESH, minutes where the real networks wait days
(a first reward within a minute of staking, an exit 3 minutes after its request, a liquidation
2 minutes after that: a node's whole life in a quarter of an hour); credits keep mainnet's
durations."""

DEVNET_FAST = replace(
    DEVNET,
    name="devnet-fast",
    maturity=10,
    unlock_delay=20,
    liquidation_grace=10,
    stake_lock=30,
    purge_min_age=30,
)
"""`sesh devnet --fast-timers`: the devnet with seconds for minutes (maturity 10 s, unlock 20 s,
liquidation grace 10 s, stake lock 30 s), for tests and quick demos."""

PROFILES: dict[str, NetworkProfile] = {p.name: p for p in (MAINNET, TESTNET, DEVNET, DEVNET_FAST)}
