"""`sesh claim`: the rewards the network has signed for, moved into the signer's wallet; and
`sesh rewards ADDRESS`: what an address has earned, recorded, claimed, and may claim now.

The verb asks a node (`bls_rewards_request`) for the network's signature over the signer's
lifetime balance, and checks the answer itself before sending anything: the message is the one
the contract will build (`sesh.bls.reward_message` with this deployment's tags), and the
aggregate verifies against the contract's own `aggregatePubkey` minus the keys of the nodes the
answer names as non-signers — exactly what `updateRewardsBalance` checks, so a node that lies
costs nothing but an error. Then `updateRewardsBalance` is sent only if the contract's record is
behind the signed balance, and `claimRewards` only if something is unclaimed. Each transaction
is estimated first, so a refusal (a claim limit, an expired or spent signature) is worded before
any gas is paid.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sesh.bls import G2Point, reward_message
from sesh.cli.shell.errors import CommandError
from sesh.cli.shell.options import add_command
from sesh.staking.connection import Connection, Outcome, add_verb, connect
from sesh.staking.signed import ask_node, check_aggregate, send_signed, tags_of
from sesh.units import format_amount

_HELP = "claim the rewards the network has signed for"
_DESCRIPTION = """\
Claim the signer's rewards: ask a node of the network for its BLS signature over the signer's
lifetime balance, check it against the rewards contract's keys, record it with
updateRewardsBalance (when the contract's record is behind) and claim with claimRewards. A
later claim pays only what was earned since. Nothing is sent if the signature does not check."""

_EPILOG = """\
examples:
  sesh claim --key-env STAKER_KEY      on the devnet, asking its first node (a staker's key)
  sesh claim --key-env KEY --node http://127.0.0.1:PORT/json_rpc --json"""


_REWARDS_HELP = "show an address's rewards: earned, recorded, claimed, claimable now"
_REWARDS_DESCRIPTION = """\
Show an address's rewards: what the network has signed it earned (at its finalised height),
what the rewards contract has recorded and paid, what a claim would pay, and the network-wide
claim limit as claimRewards applies it now (the limit's total resets only when a claim lands in
a new cycle, so a total from a cycle that is over does not count). Nothing is sent."""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    node_url: Callable[[argparse.Namespace], str],
) -> None:
    """Add `sesh claim` and `sesh rewards`; `node_url` picks the node to ask (the command layer
    knows the devnet)."""
    parser = add_command(subparsers, "claim", _HELP, _DESCRIPTION, _EPILOG)
    _node_option(parser)
    add_verb(parser, lambda args: claim(args, node_url(args)), signs=True)
    parser = add_command(subparsers, "rewards", _REWARDS_HELP, _REWARDS_DESCRIPTION)
    parser.add_argument("address", metavar="ADDRESS", help="the address to show")
    _node_option(parser)
    add_verb(parser, lambda args: rewards(args, node_url), signs=False)


def _node_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--node",
        metavar="URL",
        help="a node's JSON-RPC (http://HOST:PORT/json_rpc; default: the devnet's first node)",
    )


def check_signature(conn: Connection, address: str, reply: Any) -> tuple[int, G2Point, list[int]]:
    """(amount, signature, non-signer ids) of a node's `bls_rewards_request` reply, checked as
    the contract will check it; a CommandError naming what is wrong otherwise."""
    try:
        amount = int(reply["amount"])
    except (KeyError, TypeError, ValueError) as error:
        raise CommandError(f"the node's answer is malformed ({error})") from None
    message = reward_message(tags_of(conn), address, amount)
    signature, ids = check_aggregate(conn, message, reply)
    return amount, signature, ids


def ask_signature(node: str, address: str) -> Any:
    """The node's `bls_rewards_request` reply for `address` (CommandError in words if none)."""
    return ask_node(node, "bls_rewards_request", {"address": address})


def rewards(args: argparse.Namespace, node_url: Callable[[argparse.Namespace], str]) -> Outcome:
    from sesh.staking.connection import address_option
    from sesh.staking.rules import claim_limit
    from sesh.units import format_moment

    address = address_option("ADDRESS", args.address)
    assert address is not None
    conn = connect(args, signs=False)
    recorded, claimed = (int(v) for v in conn.rewards.view("recipients", address))
    earned: int | None = None
    height = None
    why = ""
    try:
        reply = ask_signature(node_url(args), address)
        earned, _, _ = check_signature(conn, address, reply)
        height = reply["height"]
    except CommandError as error:
        why = str(error)
        if "has no rewards" in why:
            earned, why = 0, ""
    now = conn.timestamp()
    limit = claim_limit(
        int(conn.rewards.view("claimThreshold")),
        int(conn.rewards.view("claimCycle")),
        int(conn.rewards.view("currentClaimTotal")),
        int(conn.rewards.view("currentClaimCycle")),
        now,
    )
    claimable = max(earned if earned is not None else recorded, recorded) - claimed
    print(f"{address} on chain {conn.chain_id}")
    if earned is None:
        print(f"  earned          unknown: {why}")
    else:
        at = f" (signed at the network's block {height})" if height is not None else ""
        print(f"  earned          {format_amount(earned)}{at}")
    print(f"  recorded        {format_amount(recorded)} by the rewards contract")
    print(f"  claimed         {format_amount(claimed)}")
    print(f"  claimable now   {format_amount(min(claimable, limit.available))}")
    print(
        f"  network limit   {format_amount(limit.available)} left for every claim together, "
        f"whole again {format_moment(limit.resets_at, now)}"
    )
    return {
        "address": address,
        "earned": earned,
        "height": height,
        "recorded": recorded,
        "claimed": claimed,
        "claimable": min(claimable, limit.available),
        "limit_available": limit.available,
        "limit_resets_at": limit.resets_at,
    }


def claim(args: argparse.Namespace, node: str) -> Outcome:
    conn = connect(args, signs=True)
    address = conn.sender
    assert address is not None
    reply = ask_signature(node, address)
    amount, signature, ids = check_signature(conn, address, reply)
    recorded, claimed = (int(v) for v in conn.rewards.view("recipients", address))
    print(
        f"the network signed {format_amount(amount)} earned by {address} (at its block "
        f"{reply['height']}, {len(ids)} non-signer(s)); the contract has recorded "
        f"{format_amount(recorded)}, claimed {format_amount(claimed)}"
    )
    updated, saving = None, 0
    if amount > recorded:
        call = conn.rewards.call(
            "updateRewardsBalance", address, amount, signature.to_contract(), ids
        )
        receipt, saving = send_signed(conn, call)
        updated = "0x" + bytes(receipt["transactionHash"]).hex()
        print(f"  recorded the signed balance: {updated}")
        recorded = amount
    paid, tx = 0, None
    if recorded > claimed:
        before = int(conn.token.view("balanceOf", address))
        receipt = conn.chain.transact(conn.rewards.call("claimRewards"))
        tx = "0x" + bytes(receipt["transactionHash"]).hex()
        paid = int(conn.token.view("balanceOf", address)) - before
        print(f"claimed {format_amount(paid)}: {tx}")
    else:
        print("nothing to claim: every signed reward is claimed already")
    return {
        "address": address,
        "signed_amount": amount,
        "height": reply["height"],
        "non_signer_ids": ids,
        "update_tx": updated,
        "access_list_saving": saving,
        "claimed": paid,
        "claim_tx": tx,
    }
