"""`sesh stake`: register a solo node, or contribute to a multi-contributor node.

Solo: the signer is the operator and the only contributor. The node's keys (``sesh keys new``)
sign the registration for exactly this operator, chain and rewards contract (the proof of
possession, and the Ed25519 signature over Ed25519 key ‖ BLS key); the signer approves the
staking requirement and calls ``addBLSPublicKey``, which pulls it (``Connection.pay``: a
registration the contract would refuse is reported before the approval is sent). With
``--contract`` the signer contributes to a ServiceNodeContribution instead (``sesh
contribution contribute``, under the name a staker looks for first).

The registration itself is ``register_solo``, a plain function over a ``Connection``, so that
the devnet and tests use what the command uses.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import sesh.staking.nodes as nodes
from sesh.cli.shell.options import add_command
from sesh.keys import NodeKeys, Registration
from sesh.staking.connection import Connection, add_verb, connect
from sesh.staking.contribution import contribute
from sesh.units import format_amount


@dataclass(frozen=True)
class Registered:
    """A node ServiceNodeRewards just registered."""

    node_id: int
    registration: Registration
    stake: int
    receipt: Any


def register_solo(conn: Connection, keys: NodeKeys, beneficiary: str | None = None) -> Registered:
    """Register ``keys``' node with the signer as operator and sole contributor, staking the
    whole requirement; its rewards are signed to ``beneficiary`` (default: the signer)."""
    assert conn.sender is not None
    rewards = conn.rewards
    requirement = int(rewards.view("stakingRequirement"))
    signed = keys.sign_registration(conn.sender, conn.chain_id, rewards.address)
    contributors: list[Any] = []
    if beneficiary is not None and beneficiary != conn.sender:
        contributors = [((conn.sender, beneficiary), requirement)]
    call = rewards.call(
        "addBLSPublicKey",
        signed.bls_public_key.to_contract(),
        signed.proof_of_possession.to_contract(),
        signed.service_node_params(),
        contributors,
    )
    receipt = conn.pay(conn.token, rewards, requirement, call, "ServiceNodeRewards")
    return Registered(nodes.new_node_id(conn, receipt), signed, requirement, receipt)


# -- the command -------------------------------------------------------------------------------

_DESCRIPTION = """\
Stake SESH in the Session Network, signed by the signer (--keystore, --key-env or --unlocked).

Without --contract: register a solo node. The signer is its operator and only contributor, and
pays the whole staking requirement (120 SESH on the devnet). The node's keys come from --keys
(made by `sesh keys new`); they sign the registration for this signer, chain and rewards contract.

With --contract ADDR --amount SESH: contribute to a multi-contributor node's
ServiceNodeContribution contract instead (the same as `sesh contribution contribute`)."""

_EPILOG = """\
examples (on the devnet, as dev account 1):
  export SESH_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
  sesh keys new --dir node1
  sesh stake --keys node1 --key-env SESH_KEY
  sesh stake --contract 0x… --amount 20 --key-env SESH_KEY"""


_HELP = "register a solo node, or contribute to a multi-contributor node"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh stake` to the command tree."""
    parser = add_command(subparsers, "stake", _HELP, _DESCRIPTION, _EPILOG)
    nodes.add_keys_option(parser, "the node's key directory, from `sesh keys new`")
    parser.add_argument(
        "--contract",
        metavar="ADDR",
        help="contribute to this ServiceNodeContribution contract instead of registering a "
        "solo node (needs --amount)",
    )
    parser.add_argument(
        "--amount", metavar="SESH", help="with --contract: how much to contribute, e.g. 20 or 12.5"
    )
    parser.add_argument(
        "--beneficiary",
        metavar="ADDR",
        help="where the node's rewards are signed to (default: the signer)",
    )
    add_verb(parser, _run, signs=True)


def _run(args: argparse.Namespace) -> dict[str, Any]:
    choice = nodes.read_stake_choice(args)
    beneficiary = choice.beneficiary
    if choice.amount is None:
        keys, key_dir, conn = nodes.solo_stake(args)
        print(
            f"registering the node in {key_dir} from {conn.sender} ({conn.how}) "
            f"on chain {conn.chain_id}",
            flush=True,
        )
        done = register_solo(conn, keys, beneficiary)
        print(f"  registered node {done.node_id}: {nodes.describe_node(done.registration)}")
        print(
            f"  staked {format_amount(done.stake)} from {conn.sender}; rewards to "
            f"{beneficiary or conn.sender}"
        )
        return {
            "node_id": done.node_id,
            "bls_public_key": done.registration.bls_public_key.to_hex(),
            "ed25519_public_key": "0x" + done.registration.ed25519_public_key.hex(),
            "operator": conn.sender,
            "stake": done.stake,
            "beneficiary": beneficiary or conn.sender,
        }
    amount = choice.amount
    conn = connect(args, signs=True)
    contract = conn.contract_at("ServiceNodeContribution", args.contract, "--contract")
    print(f"contributing from {conn.sender} ({conn.how}) on chain {conn.chain_id}", flush=True)
    return contribute(conn, contract, amount, beneficiary)
