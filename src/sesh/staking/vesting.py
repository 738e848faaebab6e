"""`sesh vesting`: locked SESH (TokenVestingStaking, TokenVestingNoStaking).

A lock holds SESH for a beneficiary. A staking lock (the investors' kind) releases everything
at its end and, from its start, lets the beneficiary stake the locked SESH: register solo nodes
with the lock as the staker, or contribute to multi-contributor nodes made by the factory; what
the network pays back lands in the lock. A no-staking lock vests a fifth at its cliff and the
rest linearly until its end. Either may name a revoker, who can take back what has not vested.

``create`` deploys a lock and funds it from the signer; ``show`` explains one; ``release``
pays the beneficiary what is due; ``stake`` stakes from a staking lock.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import sesh.staking.nodes as nodes
from sesh.cli.shell.errors import CommandError
from sesh.cli.shell.options import add_command
from sesh.evm.addresses import ZERO_ADDRESS, same_address, to_checksum
from sesh.keys import NodeKeys
from sesh.staking.connection import (
    Connection,
    add_action,
    add_actions,
    address_option,
    connect,
    parse_option,
)
from sesh.staking.contribution import FINALIZED, read_contribution, report_progress
from sesh.staking.rules import releasable_no_staking_lock, releasable_staking_lock
from sesh.staking.stake import Registered
from sesh.units import (
    format_amount,
    format_duration,
    format_time,
    parse_positive_amount,
    parse_time,
    plain_amount,
)

LOCK = ("LOCK", "the vesting contract's address")
"""The positional argument of the actions that act on one contract."""

STAKING = "TokenVestingStaking"
NO_STAKING = "TokenVestingNoStaking"


# -- a lock's state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stake:
    """Some of a lock's SESH, staked: in registered node ``node_id``, or waiting in the
    contribution contract ``contract`` for its node to register."""

    amount: int
    node_id: int | None = None
    contract: str | None = None


def read_stakes(conn: Connection, lock: str) -> tuple[Stake, ...]:
    """Where ``lock`` has SESH staked now: every registered node with the lock among its
    contributors (the node list read a page at a time), and every contribution contract the
    factory made that holds a contribution of the lock's and has not registered its node."""
    rewards = conn.rewards
    stakes: list[Stake] = []
    start = 0
    while True:
        ids, _, start = rewards.view("serviceNodeIDsPage", start, 1_000)
        for node_id in ids:
            contributors = rewards.view("serviceNodes", node_id)[8]
            amount = sum(int(c[1]) for c in contributors if same_address(c[0][0], lock))
            if amount:
                stakes.append(Stake(amount, node_id=int(node_id)))
        if not start:
            break
    factory = conn.deployment.contribution_factory
    if factory is not None:
        made = conn.bind("ServiceNodeContributionFactory", factory)
        for event in conn.chain.logs(made, "NewServiceNodeContributionContract"):
            contract = conn.bind("ServiceNodeContribution", event["contributorContract"])
            if int(contract.view("status")) == FINALIZED:
                continue  # its node is in the list above
            amount = int(contract.view("contributions", lock))
            if amount:
                stakes.append(Stake(amount, contract=contract.address))
    return tuple(stakes)


@dataclass(frozen=True)
class VestingState:
    """Everything ``show`` tells about one lock, at the chain's time ``now``."""

    kind: str
    """``TokenVestingStaking`` or ``TokenVestingNoStaking``."""
    address: str
    beneficiary: str
    revoker: str | None
    revoked: bool
    transferable: bool
    opens: int
    """The staking lock's ``start`` (staking opens), the other's ``cliff`` (a fifth vests)."""
    end: int
    balance: int
    """The lock's SESH now."""
    released: int
    """SESH released to the beneficiary so far (known for the no-staking lock only)."""
    now: int
    stakes: tuple[Stake, ...] = ()
    """Where the lock's staked SESH is (a staking lock only): registered nodes it stakes in,
    and contribution contracts it has paid into that have not registered their node yet."""

    @property
    def staked(self) -> int:
        return sum(stake.amount for stake in self.stakes)

    @property
    def releasable(self) -> int:
        if self.kind == STAKING:
            return releasable_staking_lock(self.balance, self.end, self.now, self.revoked)
        return releasable_no_staking_lock(
            self.balance, self.released, self.opens, self.end, self.now, self.revoked
        )


def lock_kind(conn: Connection, address: str) -> str:
    """Which kind of lock lives at ``address`` (the staking lock has ``rewardsContract()``,
    the other ``cliff()``); ValueError if neither answers."""
    from sesh.evm.failures import chain_errors

    for kind, probe in ((STAKING, "rewardsContract"), (NO_STAKING, "cliff")):
        try:
            conn.bind(kind, address).view(probe)
            return kind
        except chain_errors():
            continue
    raise ValueError(f"{address} is not a vesting contract (TokenVesting[No]Staking)")


def read_lock(conn: Connection, address: str) -> VestingState:
    """The state of the lock at ``address``, now."""
    kind = lock_kind(conn, address)
    lock = conn.bind(kind, address)
    view = lock.view
    if kind == STAKING:
        beneficiary, revoker, opens = view("beneficiary"), view("revoker"), view("start")
        released = 0
    else:
        beneficiary, revoker = view("getBeneficiary"), view("getRevoker")
        opens, released = view("cliff"), view("released", conn.deployment.sesh)
    revoker_address = to_checksum(revoker)
    return VestingState(
        kind=kind,
        address=lock.address,
        beneficiary=to_checksum(beneficiary),
        revoker=None if revoker_address == ZERO_ADDRESS else revoker_address,
        revoked=bool(view("revoked")),
        transferable=bool(view("transferableBeneficiary")),
        opens=int(opens),
        end=int(view("end")),
        balance=int(conn.token.view("balanceOf", lock.address)),
        released=int(released),
        now=conn.timestamp(),
        stakes=read_stakes(conn, lock.address) if kind == STAKING else (),
    )


def _when(timestamp: int, now: int) -> str:
    if timestamp > now:
        return f"{format_time(timestamp)} (in {format_duration(timestamp - now)})"
    return f"{format_time(timestamp)} (passed)"


def describe_lock(state: VestingState) -> list[str]:
    """``sesh vesting show``'s lines."""
    transferable = "transferable" if state.transferable else "not transferable"
    revoker = state.revoker or "none (irrevocable)"
    lines = [
        f"{state.kind} {state.address}",
        f"  beneficiary   {state.beneficiary} ({transferable})",
        f"  revoker       {revoker}" + ("; REVOKED" if state.revoked else ""),
    ]
    if state.kind == STAKING:
        lines += [
            f"  staking from  {_when(state.opens, state.now)}",
            f"  ends          {_when(state.end, state.now)}: "
            + (
                "the balance goes to the revoker then"
                if state.revoked
                else "the whole balance is released then"
            ),
        ]
    else:
        lines += [
            f"  cliff         {_when(state.opens, state.now)}: a fifth vests then",
            f"  ends          {_when(state.end, state.now)}: the rest vests linearly until then",
            f"  released      {format_amount(state.released)} so far",
        ]
    if state.kind == STAKING:
        lines.append(f"  staked        {format_amount(state.staked)}")
        for stake in state.stakes:
            where = (
                f"node {stake.node_id}"
                if stake.node_id is not None
                else f"contribution contract {stake.contract} (node not registered yet)"
            )
            lines.append(f"                {format_amount(stake.amount)} in {where}")
    lines += [
        f"  holds         {format_amount(state.balance)}",
        f"  releasable    {format_amount(state.releasable)} now ({format_time(state.now)})",
    ]
    return lines


def lock_json(state: VestingState) -> dict[str, Any]:
    """``sesh vesting show --json``."""
    return {
        "kind": state.kind,
        "address": state.address,
        "beneficiary": state.beneficiary,
        "revoker": state.revoker,
        "revoked": state.revoked,
        "transferable_beneficiary": state.transferable,
        ("start" if state.kind == STAKING else "cliff"): state.opens,
        "end": state.end,
        "balance_sesh": plain_amount(state.balance),
        "released_sesh": plain_amount(state.released),
        "releasable_sesh": plain_amount(state.releasable),
        "staked_sesh": plain_amount(state.staked),
        "stakes": [
            {"amount_sesh": plain_amount(s.amount), "node_id": s.node_id, "contract": s.contract}
            for s in state.stakes
        ],
        "now": state.now,
    }


# -- actions -----------------------------------------------------------------------------------


def create_lock(
    conn: Connection,
    *,
    beneficiary: str,
    amount: int,
    opens: int,
    end: int,
    revoker: str | None = None,
    transferable: bool = False,
    staking: bool = True,
) -> Any:
    """Deploy a lock from the signer and fund it with ``amount`` SESH; the lock, bound.
    ``opens`` is the staking lock's start or the other's cliff. A signer short of ``amount``
    is told before the lock is deployed (not left with a lock it cannot fund)."""
    conn.check_balance(conn.token, amount)
    revoker_address = revoker or ZERO_ADDRESS
    if staking:
        factory = conn.require("ServiceNodeContributionFactory", "contribution_factory")
        lock = conn.chain.deploy(
            conn.load(STAKING),
            beneficiary,
            revoker_address,
            opens,
            end,
            transferable,
            conn.deployment.service_node_rewards,
            factory,
            conn.deployment.sesh,
        )
    else:
        lock = conn.chain.deploy(
            conn.load(NO_STAKING), beneficiary, revoker_address, opens, end, transferable
        )
    conn.chain.transact(conn.token.call("transfer", lock.address, amount))
    return lock


# -- the command -------------------------------------------------------------------------------

_DESCRIPTION = """\
Locked SESH: vesting contracts.

  create   deploy a lock for a beneficiary and fund it from the signer: a staking lock
           (TokenVestingStaking: everything is released at --end, and from --start the
           beneficiary may stake the locked SESH), or with --no-staking a vesting lock
           (TokenVestingNoStaking: a fifth vests at --start, the cliff, the rest linearly
           until --end)
  show     explain a lock: who, when, what it holds and what is releasable now
  release  pay the beneficiary what is due (signed by the beneficiary)
  revoke   revoke a lock and take its SESH (signed by its revoker)
  withdraw take a lock's contribution back from a contribution contract (beneficiary)
  stake    stake from a staking lock (signed by the beneficiary): register a solo node whose
           staker is the lock, or contribute to a multi-contributor node made by the factory

Times are +90s, +10m, +2h, +30d, +1w, +1y (from the chain's time), a date (2026-01-01, UTC),
a date and time (2026-01-01T12:00Z) or a unix time."""

_EPILOG = """\
examples (on the devnet):
  sesh vesting create --beneficiary 0x90F7… --amount 1000 --start +1m --end +30d --unlocked
  sesh vesting show 0xLOCK
  sesh vesting stake 0xLOCK --keys node3 --key-env BENEFICIARY_KEY
  sesh vesting stake 0xLOCK --contract 0xCONTRACT --amount 10 --key-env BENEFICIARY_KEY"""


_HELP = "locked SESH: create, show, release, revoke, withdraw, stake"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh vesting` and its actions to the command tree."""
    parser = add_command(subparsers, "vesting", _HELP, _DESCRIPTION, _EPILOG)
    sub = add_actions(parser, "vesting_command")

    create = add_action(
        sub,
        "create",
        _create,
        signs=True,
        help="deploy and fund a lock",
        description="Deploy a TokenVestingStaking lock (or with --no-staking a "
        "TokenVestingNoStaking one) for --beneficiary and send it --amount SESH from the "
        "signer. Times as in `sesh vesting --help`.",
    )
    create.add_argument(
        "--beneficiary", required=True, metavar="ADDR", help="who the SESH is locked for"
    )
    create.add_argument("--amount", required=True, metavar="SESH", help="how much to lock")
    create.add_argument(
        "--start",
        default="+1m",
        metavar="WHEN",
        help="when staking opens (with --no-staking: the cliff, when a fifth vests); must be "
        "in the future (default: +1m)",
    )
    create.add_argument(
        "--end",
        required=True,
        metavar="WHEN",
        help="when the lock ends (everything is released or vested); not before --start",
    )
    create.add_argument(
        "--revoker",
        metavar="ADDR",
        help="who may revoke the lock (default: nobody; the lock is irrevocable)",
    )
    create.add_argument(
        "--transferable",
        action="store_true",
        help="let the beneficiary hand the lock to another address",
    )
    create.add_argument(
        "--no-staking",
        action="store_true",
        help="a TokenVestingNoStaking lock: a fifth at the cliff (--start), the rest linearly",
    )

    add_action(
        sub,
        "show",
        _show,
        signs=False,
        help="explain a lock",
        description="Print a lock's beneficiary, revoker, schedule, balance and what is "
        "releasable now. Sends nothing, so needs no signer.",
        target=LOCK,
    )

    add_action(
        sub,
        "release",
        _release,
        signs=True,
        help="pay the beneficiary what is due",
        description="Call release(SESH) on a lock, signed by its beneficiary: everything from "
        "the end on (staking lock), or what has vested and not been released (no-staking).",
        target=LOCK,
    )

    add_action(
        sub,
        "revoke",
        _revoke,
        signs=True,
        help="revoke a lock (its revoker only)",
        description="Call revoke(SESH) on a lock, signed by its revoker: the first call (up to "
        "the lock's end) revokes it, and the revoker then takes the lock's SESH, now and as "
        "staked SESH comes back (call again to collect it). A lock without a revoker cannot "
        "be revoked.",
        target=LOCK,
    )

    withdraw = add_action(
        sub,
        "withdraw",
        _withdraw,
        signs=True,
        help="take a lock's contribution back from a contribution contract",
        description="Withdraw what a TokenVestingStaking lock contributed to a contribution "
        "contract whose node is not registered yet (withdrawContribution, a day after the "
        "contribution), signed by the lock's beneficiary: the SESH goes back into the lock.",
        target=LOCK,
    )
    withdraw.add_argument(
        "--contract", required=True, metavar="ADDR", help="the contribution contract"
    )

    stake = add_action(
        sub,
        "stake",
        _stake,
        signs=True,
        help="stake from a staking lock",
        description="Stake a TokenVestingStaking lock's SESH, signed by its beneficiary (from "
        "the lock's start): register the solo node in --keys, the lock as its staker (the "
        "node's keys sign the registration for the lock's address), or with --contract "
        "--amount contribute to a ServiceNodeContribution made by the factory.",
        target=LOCK,
    )
    nodes.add_keys_option(stake, "the node's key directory for a solo node")
    stake.add_argument(
        "--contract", metavar="ADDR", help="contribute to this contribution contract instead"
    )
    stake.add_argument("--amount", metavar="SESH", help="with --contract: how much")
    stake.add_argument(
        "--beneficiary",
        metavar="ADDR",
        help="where the node's rewards are signed to (default: the signer); they are paid "
        "out to that address, not into the lock",
    )


def _lock(conn: Connection, text: str) -> tuple[str, Any]:
    """(kind, the lock bound) at the address the user typed."""

    address = conn.code_at(text, "the lock")
    try:
        kind = lock_kind(conn, address)
    except ValueError as error:
        raise CommandError(str(error)) from None
    return kind, conn.bind(kind, address)


def _create(args: argparse.Namespace) -> dict[str, Any]:

    beneficiary = address_option("--beneficiary", args.beneficiary)
    revoker = address_option("--revoker", args.revoker)
    amount = parse_option("--amount", args.amount, parse_positive_amount)
    assert beneficiary is not None
    conn = connect(args, signs=True)
    now = conn.timestamp()
    opens = parse_option("--start", args.start, lambda text: parse_time(text, now))
    end = parse_option("--end", args.end, lambda text: parse_time(text, now))
    if end < opens:
        raise CommandError(
            f"--end ({format_time(end)}) is before --start ({format_time(opens)})", 2
        )
    kind = NO_STAKING if args.no_staking else STAKING
    print(
        f"creating a {kind} lock from {conn.sender} ({conn.how}) on chain {conn.chain_id}",
        flush=True,
    )
    lock = create_lock(
        conn,
        beneficiary=beneficiary,
        amount=amount,
        opens=opens,
        end=end,
        revoker=revoker,
        transferable=args.transferable,
        staking=not args.no_staking,
    )
    print(f"  deployed {kind} {lock.address}")
    print(f"  locked {format_amount(amount)} in it for {beneficiary}")
    state = read_lock(conn, lock.address)
    print("\n".join(describe_lock(state)[1:]))
    return lock_json(state)


def _show(args: argparse.Namespace) -> dict[str, Any]:
    conn = connect(args, signs=False)
    _, lock = _lock(conn, args.lock)
    state = read_lock(conn, lock.address)
    if not args.json:
        print("\n".join(describe_lock(state)))
    return lock_json(state)


def _release(args: argparse.Namespace) -> dict[str, Any]:
    conn = connect(args, signs=True)
    _, lock = _lock(conn, args.lock)
    receipt = conn.chain.transact(lock.call("release", conn.deployment.sesh))
    events = conn.chain.events(lock, "TokensReleased", receipt)
    amount = int(events[0]["amount"]) if events else 0
    print(f"released {format_amount(amount)} from {lock.address} to {conn.sender}")
    balance = read_lock(conn, lock.address).balance
    print(f"  the lock now holds {format_amount(balance)}")
    return {"lock": lock.address, "released": amount, "to": conn.sender, "balance": balance}


def _revoke(args: argparse.Namespace) -> dict[str, Any]:
    conn = connect(args, signs=True)
    _, lock = _lock(conn, args.lock)
    before = read_lock(conn, lock.address)
    if before.revoker is None:
        raise CommandError(f"{lock.address} has no revoker: it is irrevocable")
    if before.revoker != conn.sender:
        raise CommandError(
            f"only the lock's revoker, {before.revoker}, may revoke it (the signer is "
            f"{conn.sender})"
        )
    if not before.revoked and before.now > before.end:
        raise CommandError(
            f"{lock.address} ended {format_time(before.end)}: a lock is revoked up to its end, "
            "and everything in it is its beneficiary's since"
        )
    receipt = conn.chain.transact(lock.call("revoke", conn.deployment.sesh))
    events = conn.chain.events(lock, "TokensRevokedReleased", receipt)
    taken = int(events[0]["amount"]) if events else 0
    after = read_lock(conn, lock.address)
    print(
        ("revoked " if not before.revoked else "collected from revoked ")
        + f"{lock.address}: {format_amount(taken)} to the revoker {conn.sender}"
    )
    print(f"  the lock now holds {format_amount(after.balance)}")
    if after.balance and not taken and after.kind == STAKING:
        print(
            f"  a staking lock's SESH goes to the revoker from its end, {format_time(after.end)}:"
            " run this again then"
        )
    return {
        "lock": lock.address,
        "revoked": after.revoked,
        "taken": taken,
        "balance": after.balance,
    }


def _withdraw(args: argparse.Namespace) -> dict[str, Any]:
    conn = connect(args, signs=True)
    kind, lock = _lock(conn, args.lock)
    if kind != STAKING:
        raise CommandError(f"{lock.address} is a {kind}: it has no contributions")
    contract = conn.contract_at("ServiceNodeContribution", args.contract, "--contract")
    held = int(contract.view("contributions", lock.address))
    if not held:
        raise CommandError(f"{lock.address} has no contribution in {contract.address}")
    receipt = conn.chain.transact(lock.call("withdrawContribution", contract.address))
    events = conn.chain.events(contract, "WithdrawContribution", receipt)
    amount = int(events[0]["amount"]) if events else 0
    print(f"withdrew {format_amount(amount)} from {contract.address} back into {lock.address}")
    balance = read_lock(conn, lock.address).balance
    print(f"  the lock now holds {format_amount(balance)}")
    return {
        "lock": lock.address,
        "contract": contract.address,
        "withdrawn": amount,
        "balance": balance,
    }


def _stake(args: argparse.Namespace) -> dict[str, Any]:
    choice = nodes.read_stake_choice(args)
    beneficiary = choice.beneficiary
    if choice.amount is None:
        keys, key_dir, conn = nodes.solo_stake(args)
        kind, lock = _lock(conn, args.lock)
        if kind != STAKING:
            raise CommandError(f"{lock.address} is a {kind}: it cannot stake")
        done = stake_solo_from_lock(conn, lock, keys, beneficiary or conn.sender or "")
        print(
            f"registered node {done.node_id} from lock {lock.address} (the node in {key_dir}): "
            f"{nodes.describe_node(done.registration)}"
        )
        print(
            f"  staked {format_amount(done.stake)} of the lock's SESH; rewards to "
            f"{beneficiary or conn.sender}"
        )
        return {
            "lock": lock.address,
            "node_id": done.node_id,
            "bls_public_key": done.registration.bls_public_key.to_hex(),
            "stake": done.stake,
            "beneficiary": beneficiary or conn.sender,
        }
    amount = choice.amount
    conn = connect(args, signs=True)
    kind, lock = _lock(conn, args.lock)
    if kind != STAKING:
        raise CommandError(f"{lock.address} is a {kind}: it cannot stake")
    contract = conn.contract_at("ServiceNodeContribution", args.contract, "--contract")
    state = read_contribution(contract)
    if state.status != FINALIZED:
        nodes.refuse_registered(conn, state.node.bls_public_key, f"contract {contract.address}")
    receipt = conn.chain.transact(
        lock.call("contributeFunds", contract.address, amount, beneficiary or conn.sender)
    )
    print(
        f"contributed {format_amount(amount)} from lock {lock.address} to {contract.address} "
        f"(rewards to {beneficiary or conn.sender})"
    )
    return {
        "lock": lock.address,
        "contract": contract.address,
        "amount": amount,
        "beneficiary": beneficiary or conn.sender,
        **report_progress(conn, contract, receipt),
    }


def stake_solo_from_lock(
    conn: Connection, lock: Any, keys: NodeKeys, beneficiary: str
) -> Registered:
    """Register ``keys``' node with the lock as its staker (and operator: the proof of
    possession is signed for the lock's address), its rewards signed to ``beneficiary``."""
    rewards = conn.rewards
    requirement = int(rewards.view("stakingRequirement"))
    signed = keys.sign_registration(lock.address, conn.chain_id, rewards.address)
    receipt = conn.chain.transact(
        lock.call(
            "addBLSPublicKey",
            signed.bls_public_key.to_contract(),
            signed.proof_of_possession.to_contract(),
            signed.service_node_params(),
            beneficiary,
        )
    )
    return Registered(nodes.new_node_id(conn, receipt), signed, requirement, receipt)
