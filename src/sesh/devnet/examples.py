"""The two examples a new devnet makes, so that a new user has something to stake into at once.

A bare contract set leaves a newcomer with nothing to look at: `sesh contribution show` needs a
contribution contract and `sesh vesting` a lock. So a new devnet makes, with the staking verbs'
own functions (``sesh.staking``), an open multi-contributor node (a factory-made contribution
contract, the operator's stake in, one slot reserved, public slots open) and a vesting lock that
can stake at once, and keeps their addresses in ``<data dir>/examples.json``. Made with the
verbs' code, they also prove on every fresh start that the verbs work against the contracts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sesh.bls import SecretKey
from sesh.devnet.layout import CONTRACTS_FILE, EXAMPLES_FILE, NODES_DIR
from sesh.evm.addresses import ZERO_ADDRESS, to_checksum
from sesh.evm.anvil import dev_keys
from sesh.evm.record import Deployment
from sesh.keys import BLS_FILE, ED25519_FILE, NodeKeys
from sesh.units import SESH

if TYPE_CHECKING:
    from sesh.evm.chain import Chain
    from sesh.evm.compiler import Artifact

OPEN_NODE_OPERATOR = 1
"""The dev account that operates the open example node..."""
OPEN_NODE_RESERVED_FOR = 2
"""...and the one its reserved slot is for."""
OPEN_NODE_FEE = 500
"""Its operator's fee: 5 %, in the contract's 1/100 of a percent."""
OPEN_NODE_OPERATOR_STAKE = 30 * SESH
"""The operator's stake in it: a quarter of the local 120 SESH, the least allowed..."""
OPEN_NODE_RESERVED_STAKE = 20 * SESH
"""...and the reserved slot's (at least 90/9 = 10 SESH, the slot's minimum)."""
VESTING_BENEFICIARY = 3
"""The dev account the example lock is for; dev account 0 funds it and may revoke it."""
VESTING_AMOUNT = 1_000 * SESH
"""What the example lock holds: eight local stakes."""
VESTING_START_DELAY = 60
"""Seconds from now to the lock's start (its constructor wants a start in the future); the
devnet then moves its clock there, so that the lock can stake at once."""
VESTING_DURATION = 30 * 86_400
"""From the lock's start to its end (when it releases everything)."""


@dataclass(frozen=True)
class DevnetExamples:
    """The examples a new devnet makes to play with; kept in ``EXAMPLES_FILE``."""

    open_contribution: str
    """A factory-made ServiceNodeContribution, open for contributions."""
    operator: str
    reserved_for: str
    node_keys: str
    """The directory with the open node's keys."""
    vesting_lock: str
    """A TokenVestingStaking holding SESH for ``beneficiary``."""
    beneficiary: str
    revoker: str
    vesting_start: int
    vesting_end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "open_contribution": {
                "address": self.open_contribution,
                "operator": self.operator,
                "reserved_for": self.reserved_for,
                "node_keys": self.node_keys,
            },
            "vesting_lock": {
                "address": self.vesting_lock,
                "beneficiary": self.beneficiary,
                "revoker": self.revoker,
                "start": self.vesting_start,
                "end": self.vesting_end,
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> DevnetExamples:
        """ValueError (or KeyError/TypeError) for anything but what ``to_json`` writes."""
        node, lock = data["open_contribution"], data["vesting_lock"]
        return cls(
            str(node["address"]),
            str(node["operator"]),
            str(node["reserved_for"]),
            str(node["node_keys"]),
            str(lock["address"]),
            str(lock["beneficiary"]),
            str(lock["revoker"]),
            int(lock["start"]),
            int(lock["end"]),
        )


def saved_examples(chain: Chain, data_dir: Path, messages: TextIO) -> DevnetExamples | None:
    """The examples a previous run saved, if readable and still on the chain."""
    path = data_dir / EXAMPLES_FILE
    try:
        examples = DevnetExamples.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"ignoring {path}: {error}", file=messages, flush=True)
        return None
    if not (chain.has_code(examples.open_contribution) and chain.has_code(examples.vesting_lock)):
        return None
    return examples


def open_node_keys(data_dir: Path) -> tuple[NodeKeys, Path]:
    """The open example node's keys, in DATA_DIR/nodes/open-node/: derived from a fixed label
    (so a fresh devnet makes the same node every time) and saved there the first time, for a
    node process to run it later."""
    from eth_utils.crypto import keccak
    from nacl.signing import SigningKey

    directory = data_dir / NODES_DIR / "open-node"
    if (directory / BLS_FILE).exists() and (directory / ED25519_FILE).exists():
        return NodeKeys.load(directory), directory
    bls = SecretKey.from_int(int.from_bytes(keccak(b"sesh devnet open node: BLS"), "big"))
    ed25519 = SigningKey(keccak(b"sesh devnet open node: Ed25519"))
    keys = NodeKeys(bls, ed25519)
    keys.save(directory)
    return keys, directory


def make_examples(
    chain: Chain, deployment: Deployment, data_dir: Path, load: Callable[[str], Artifact]
) -> DevnetExamples:
    """Make the examples with the staking verbs' own functions: the open contribution contract
    (dev account 1 operates it, has put in a quarter of the stake, reserved a slot for dev
    account 2; the rest is open), and the vesting lock for dev account 3 (funded and revocable
    by dev account 0), whose start the chain's clock is then moved to."""
    from sesh.evm.chain import Chain as ChainType
    from sesh.evm.signing import UnlockedAccount
    from sesh.staking.connection import Connection
    from sesh.staking.contribution import create_contribution
    from sesh.staking.vesting import create_lock

    accounts = [to_checksum(key.address) for key in dev_keys()]

    def as_account(index: int) -> Connection:
        signed = ChainType(chain.rpc_url)
        signed.add_signer(UnlockedAccount(accounts[index]), default=True)
        path = data_dir / CONTRACTS_FILE
        return Connection(signed, deployment, path, load, accounts[index], "unlocked")

    operator = as_account(OPEN_NODE_OPERATOR)
    keys, keys_dir = open_node_keys(data_dir)
    reserved = [
        (accounts[OPEN_NODE_OPERATOR], OPEN_NODE_OPERATOR_STAKE),
        (accounts[OPEN_NODE_RESERVED_FOR], OPEN_NODE_RESERVED_STAKE),
    ]
    contract = create_contribution(operator, keys, fee=OPEN_NODE_FEE, reserved=reserved)
    operator.allow(operator.token, contract, OPEN_NODE_OPERATOR_STAKE, "ServiceNodeContribution")
    operator.chain.transact(
        contract.call("contributeFunds", OPEN_NODE_OPERATOR_STAKE, ZERO_ADDRESS)
    )

    funder = as_account(0)
    start = chain.timestamp() + VESTING_START_DELAY
    lock = create_lock(
        funder,
        beneficiary=accounts[VESTING_BENEFICIARY],
        amount=VESTING_AMOUNT,
        opens=start,
        end=start + VESTING_DURATION,
        revoker=accounts[0],
    )
    if chain.timestamp() < start:
        chain.mine(start)  # staking from the lock works at once
    return DevnetExamples(
        open_contribution=contract.address,
        operator=accounts[OPEN_NODE_OPERATOR],
        reserved_for=accounts[OPEN_NODE_RESERVED_FOR],
        node_keys=str(keys_dir),
        vesting_lock=lock.address,
        beneficiary=accounts[VESTING_BENEFICIARY],
        revoker=accounts[0],
        vesting_start=start,
        vesting_end=start + VESTING_DURATION,
    )
