"""`sesh contribution`: multi-contributor nodes, through ServiceNodeContribution contracts.

A node's operator asks the factory for a contribution contract (``create``; the signer becomes
its operator), may reserve slots for named contributors (``reserve``), contributes first (at
least a quarter of the stake, or their reservation), and others then contribute
(``contribute``) until the stake is complete; the contract then registers the node at once, or
when the operator calls ``finalize`` (manual finalize). Until then a contributor may
``withdraw`` a day after contributing, and the operator may ``reset`` the contract, refunding
everyone. ``show`` reads a contract's state and explains it.

Reading a contract (``read_contribution``) and explaining it (``describe_contribution``,
``contribution_json``) are separate: the second is pure, over a ``ContributionState``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sesh.staking.nodes as nodes
from sesh.cli.shell.errors import CommandError
from sesh.cli.shell.options import add_command
from sesh.evm.addresses import ZERO_ADDRESS, to_checksum
from sesh.keys import NodeKeys
from sesh.staking.connection import (
    Connection,
    add_action,
    add_actions,
    address_option,
    connect,
    parse_option,
)
from sesh.staking.rules import (
    CONTRIBUTION_STATUS,
    Contributor,
    OpenStake,
    Reservation,
    calc_minimum_contribution,
    parse_reservation,
)
from sesh.units import (
    format_amount,
    format_fee,
    parse_fee,
    parse_positive_amount,
    plain_amount,
)

CONTRACT = ("CONTRACT", "the ServiceNodeContribution contract's address")
"""The positional argument of the actions that act on one contract."""

FINALIZED = nodes.FINALIZED


# -- a contract's state ------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeParams:
    """The node a contract registers once its stake is complete: its keys and the operator's
    fee (``blsPubkey``, ``serviceNodeParams``)."""

    bls_public_key: tuple[int, int]
    ed25519_public_key: int
    fee: int
    """The operator's fee, in 1/100 of a percent."""

    @property
    def bls_public_key_hex(self) -> str:
        x, y = self.bls_public_key
        return "0x" + x.to_bytes(32, "big").hex() + y.to_bytes(32, "big").hex()

    @property
    def ed25519_public_key_hex(self) -> str:
        return f"0x{self.ed25519_public_key:064x}"


@dataclass(frozen=True)
class ContributionState:
    """Everything ``show`` tells about one ServiceNodeContribution contract."""

    address: str
    status: int
    """The reference's Status enum (``CONTRIBUTION_STATUS`` says it in words)."""
    operator: str
    node: NodeParams
    manual_finalize: bool
    stake: OpenStake

    @property
    def status_text(self) -> str:
        return CONTRIBUTION_STATUS.get(self.status, f"unknown status {self.status}")


def read_contribution(contract: Any) -> ContributionState:
    """The state of the ServiceNodeContribution bound in ``contract``."""
    view = contract.view
    addresses, beneficiaries, amounts = view("getContributions")
    reserved_addresses, reserved_amounts, received = view("getReserved")
    x, y = view("blsPubkey")
    params = view("serviceNodeParams")
    checksum = to_checksum
    return ContributionState(
        address=contract.address,
        status=int(view("status")),
        operator=checksum(view("operator")),
        node=NodeParams(
            bls_public_key=(int(x), int(y)),
            ed25519_public_key=int(params[0]),
            fee=int(params[3]),
        ),
        manual_finalize=bool(view("manualFinalize")),
        stake=OpenStake(
            staking_requirement=int(view("stakingRequirement")),
            max_contributors=int(view("maxContributors")),
            contributors=tuple(
                Contributor(checksum(a), checksum(b), int(n))
                for a, b, n in zip(addresses, beneficiaries, amounts, strict=True)
            ),
            reservations=tuple(
                Reservation(checksum(a), int(n), bool(r))
                for a, n, r in zip(reserved_addresses, reserved_amounts, received, strict=True)
            ),
        ),
    )


def describe_open(state: ContributionState) -> str:
    """What is still open, in one line: the amount, the slots and the minimum."""
    stake = state.stake
    if state.status == FINALIZED:
        return "nothing open: the node is registered"
    if stake.open_amount == 0:
        return "nothing open: the whole stake is contributed or reserved"
    minimum = stake.minimum_contribution
    if minimum is None:
        return (
            f"{format_amount(stake.open_amount)} left but no free slot: only reserved "
            "contributors can join"
        )
    return (
        f"{format_amount(stake.open_amount)} open in {stake.open_slots} slot(s); "
        f"minimum contribution {format_amount(minimum)}"
    )


def describe_contribution(state: ContributionState) -> list[str]:
    """``sesh contribution show``'s lines."""
    stake = state.stake
    finalize = (
        "manual: the operator calls finalize when the stake is complete"
        if state.manual_finalize
        else "automatic: the contribution that completes the stake registers the node"
    )

    def who(address: str) -> str:
        return f"{address} (operator)" if address == state.operator else address

    width = max([len(who(c.address)) for c in stake.contributors] + [42])
    lines = [
        f"ServiceNodeContribution {state.address}",
        f"  status        {state.status_text} ({state.status})",
        f"  operator      {state.operator}",
        f"  node          BLS key {state.node.bls_public_key_hex}",
        f"                Ed25519 key {state.node.ed25519_public_key_hex}",
        f"  operator fee  {format_fee(state.node.fee)}",
        f"  finalize      {finalize}",
        f"  stake         {format_amount(stake.staking_requirement)}: "
        f"{format_amount(stake.contributed)} contributed, "
        f"{format_amount(stake.reserved_unfilled)} reserved and not yet received",
        f"  open          {describe_open(state)}",
        f"  contributors  {len(stake.contributors)} of at most {stake.max_contributors}",
    ]
    for c in stake.contributors:
        rewards = "" if c.beneficiary == c.address else f"  rewards to {c.beneficiary}"
        lines.append(f"    {who(c.address):<{width}}  {format_amount(c.amount):>18}{rewards}")
    lines.append(f"  reserved      {len(stake.reservations)} slot(s)")
    for r in stake.reservations:
        done = "received" if r.received else "not yet received"
        lines.append(f"    {who(r.address):<{width}}  {format_amount(r.amount):>18}  {done}")
    return lines


def contribution_json(state: ContributionState) -> dict[str, Any]:
    """``sesh contribution show --json``: amounts as exact decimal strings of SESH."""
    stake = state.stake
    minimum = stake.minimum_contribution
    return {
        "address": state.address,
        "status": state.status,
        "status_text": state.status_text,
        "operator": state.operator,
        "bls_public_key": state.node.bls_public_key_hex,
        "ed25519_public_key": state.node.ed25519_public_key_hex,
        "fee": state.node.fee,
        "fee_percent": format_fee(state.node.fee).removesuffix(" %"),
        "manual_finalize": state.manual_finalize,
        "staking_requirement_sesh": plain_amount(stake.staking_requirement),
        "contributed_sesh": plain_amount(stake.contributed),
        "reserved_unfilled_sesh": plain_amount(stake.reserved_unfilled),
        "open_sesh": plain_amount(stake.open_amount if state.status != FINALIZED else 0),
        "open_slots": stake.open_slots if state.status != FINALIZED else 0,
        "max_contributors": stake.max_contributors,
        "minimum_contribution_sesh": (
            plain_amount(minimum) if minimum is not None and state.status != FINALIZED else None
        ),
        "contributors": [
            {
                "address": c.address,
                "beneficiary": c.beneficiary,
                "amount_sesh": plain_amount(c.amount),
                "operator": c.address == state.operator,
            }
            for c in stake.contributors
        ],
        "reserved": [
            {"address": r.address, "amount_sesh": plain_amount(r.amount), "received": r.received}
            for r in stake.reservations
        ],
    }


# -- actions -----------------------------------------------------------------------------------


def create_contribution(
    conn: Connection,
    keys: NodeKeys,
    *,
    fee: int = 0,
    reserved: Sequence[tuple[str, int]] = (),
    manual_finalize: bool = False,
) -> Any:
    """Ask the factory for a contribution contract for ``keys``' node, the signer as operator;
    the new contract, bound."""
    assert conn.sender is not None
    factory = conn.factory
    # The clone's errors (a bad reservation, a bad fee) surface through the factory's call:
    # show the chain their ABI so that the refusal reads in words.
    implementation = conn.require(
        "ServiceNodeContribution implementation", "service_node_contribution_implementation"
    )
    conn.bind("ServiceNodeContribution", implementation)
    rewards = conn.deployment.service_node_rewards
    signed = keys.sign_registration(conn.sender, conn.chain_id, rewards)
    receipt = conn.chain.transact(
        factory.call(
            "deploy",
            signed.bls_public_key.to_contract(),
            signed.proof_of_possession.to_contract(),
            signed.service_node_params(fee),
            [list(r) for r in reserved],
            manual_finalize,
        )
    )
    (event,) = conn.chain.events(factory, "NewServiceNodeContributionContract", receipt)
    return conn.bind("ServiceNodeContribution", event["contributorContract"])


def contribute(
    conn: Connection, contract: Any, amount: int, beneficiary: str | None
) -> dict[str, Any]:
    """Approve and contribute ``amount`` from the signer, rewards to ``beneficiary`` (default:
    the signer); print what happened, and the node's id if this completed and registered it;
    the outcome for ``--json``.
    A contribution the contract refuses is reported before the approval is sent, and so is one
    to a contract whose node is already registered by other means (it could never finalize)."""
    state = read_contribution(contract)
    if state.status != FINALIZED:
        nodes.refuse_registered(conn, state.node.bls_public_key, f"contract {contract.address}")
    call = contract.call("contributeFunds", amount, beneficiary or ZERO_ADDRESS)
    receipt = conn.pay(conn.token, contract, amount, call, "ServiceNodeContribution")
    print(
        f"  contributed {format_amount(amount)} to {contract.address} "
        f"(rewards to {beneficiary or conn.sender})"
    )
    return {
        "contract": contract.address,
        "contributor": conn.sender,
        "amount": amount,
        "beneficiary": beneficiary or conn.sender,
        **report_progress(conn, contract, receipt),
    }


def report_progress(conn: Connection, contract: Any, receipt: Any) -> dict[str, Any]:
    """The contract's state after ``receipt``, in a line or two; as JSON, its status and the
    id of the node it registered (None if it did not)."""
    state = read_contribution(contract)
    node_id = nodes.new_node_id(conn, receipt)
    progress = {"status": state.status, "node_id": node_id if node_id >= 0 else None}
    if node_id >= 0:
        print(f"  the stake is complete: node {node_id} is registered in ServiceNodeRewards")
        return progress
    print(f"  status: {state.status_text}; {describe_open(state)}")
    if state.status == 2:
        print(
            f"  the operator ({state.operator}) registers the node with `sesh contribution "
            f"finalize {contract.address}`"
        )
    return progress


# -- the command -------------------------------------------------------------------------------

_DESCRIPTION = """\
Multi-contributor nodes: a ServiceNodeContribution contract collects a node's stake from up to
10 contributors and registers the node when the stake is complete.

  create      the signer (the operator) asks the factory for a contract for the node in --keys,
              with a fee, reserved slots and manual or automatic finalize; --amount also makes
              the operator's first contribution (at least a quarter of the stake, or the
              operator's reservation)
  reserve     replace the reserved slots (operator, before the operator's first contribution)
  contribute  contribute SESH (the same as `sesh stake --contract`)
  finalize    register the node once the stake is complete (operator, manual finalize)
  withdraw    take a contribution back, a day after making it (the operator's withdrawal
              resets the whole contract)
  reset       refund everyone and start over (operator)
  show        explain a contract's state: status, contributors, reservations, what is open and
              the minimum contribution (--json for scripts)"""

_EPILOG = """\
examples (on the devnet):
  sesh contribution create --keys node2 --fee 5 --reserve 0xOPERATOR:30 --reserve 0x3C44…:20 \\
      --amount 30 --key-env SESH_KEY
  sesh contribution show 0xCONTRACT
  sesh contribution contribute 0xCONTRACT --amount 10 --key-env OTHER_KEY"""


_HELP = "multi-contributor nodes: create, reserve, contribute, finalize, withdraw, reset, show"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh contribution` and its actions to the command tree."""
    parser = add_command(subparsers, "contribution", _HELP, _DESCRIPTION, _EPILOG)
    sub = add_actions(parser, "contribution_command")

    create = add_action(
        sub,
        "create",
        _create,
        signs=True,
        help="make a contribution contract for a node (the signer is its operator)",
        description="Ask the ServiceNodeContributionFactory for a ServiceNodeContribution "
        "contract for the node whose keys are in --keys; the signer becomes its operator. The "
        "node's keys sign the registration for the signer now; the contract checks it.",
    )
    nodes.add_keys_option(create, "the node's key directory, from `sesh keys new`")
    create.add_argument(
        "--fee",
        default="0",
        metavar="PERCENT",
        help="the operator's fee on the node's rewards, in percent with up to two decimals "
        "(default: 0)",
    )
    create.add_argument(
        "--reserve",
        action="append",
        default=[],
        metavar="ADDR:SESH",
        help="reserve a slot for ADDR of SESH; repeat for more; the operator's own reservation "
        "comes first (the contract requires it when there are any)",
    )
    create.add_argument(
        "--manual-finalize",
        action="store_true",
        help="wait for the operator's `finalize` once the stake is complete (default: the "
        "completing contribution registers the node)",
    )
    create.add_argument(
        "--amount",
        metavar="SESH",
        help="also make the operator's first contribution, of this much",
    )
    create.add_argument(
        "--beneficiary",
        metavar="ADDR",
        help="with --amount: where the operator's rewards are signed to (default: the signer)",
    )

    reserve = add_action(
        sub,
        "reserve",
        _reserve,
        signs=True,
        help="replace the reserved slots (operator)",
        description="Replace a contract's reservations (updateReservedContributors), before "
        "the operator's first contribution. The operator's own reservation comes first.",
        target=CONTRACT,
    )
    reserve.add_argument(
        "--reserve",
        action="append",
        default=[],
        metavar="ADDR:SESH",
        help="reserve a slot for ADDR of SESH; repeat for more",
    )
    reserve.add_argument("--clear", action="store_true", help="remove every reservation")

    contribute_parser = add_action(
        sub,
        "contribute",
        _contribute,
        signs=True,
        help="contribute SESH to a contract",
        description="Approve and contribute SESH to a ServiceNodeContribution contract, from "
        "the signer. A newcomer without a reservation gives at least the minimum contribution "
        "(`show` prints it); a reserved contributor gives at least the reservation.",
        target=CONTRACT,
    )
    contribute_parser.add_argument(
        "--amount", required=True, metavar="SESH", help="how much, e.g. 20 or 12.5"
    )
    contribute_parser.add_argument(
        "--beneficiary",
        metavar="ADDR",
        help="where the contributor's rewards are signed to (default: the signer)",
    )

    for name, help_text, description, action in (
        (
            "finalize",
            "register the node once its stake is complete (operator)",
            "Register the node in ServiceNodeRewards with every contributor, paying the stake "
            "from the contract (operator only; the stake must be complete).",
            _finalize,
        ),
        (
            "withdraw",
            "take the signer's contribution back",
            "Withdraw the signer's contribution, a day after their last one. The operator's "
            "withdrawal resets the whole contract, refunding everyone.",
            _withdraw,
        ),
        (
            "reset",
            "refund everyone and start over (operator)",
            "Refund every contributor, forget contributions and reservations, and wait for the "
            "operator's first contribution again (operator only).",
            _reset,
        ),
    ):
        add_action(
            sub, name, action, signs=True, help=help_text, description=description, target=CONTRACT
        )

    add_action(
        sub,
        "show",
        _show,
        signs=False,
        help="explain a contract's state",
        description="Print a ServiceNodeContribution contract's state: status, operator, node "
        "keys, fee, contributors, reservations, what is still open and the minimum "
        "contribution. Sends nothing, so needs no signer.",
        target=CONTRACT,
    )


def _reservations(args: argparse.Namespace) -> list[tuple[str, int]]:
    return [parse_option("--reserve", text, parse_reservation) for text in args.reserve]


def _open(args: argparse.Namespace, *, signs: bool = True) -> tuple[Connection, Any]:
    conn = connect(args, signs=signs)
    return conn, conn.contract_at("ServiceNodeContribution", args.contract)


def _create(args: argparse.Namespace) -> dict[str, Any]:

    fee = parse_option("--fee", args.fee, parse_fee)
    reserved = _reservations(args)
    amount = (
        None
        if args.amount is None
        else parse_option("--amount", args.amount, parse_positive_amount)
    )
    beneficiary = address_option("--beneficiary", args.beneficiary)
    if beneficiary is not None and amount is None:
        raise CommandError("--beneficiary goes with --amount", 2)
    keys, key_dir = nodes.load_keys(args.keys)
    conn = connect(args, signs=True)
    key = keys.bls_public_key.to_contract()
    nodes.refuse_registered(conn, key, "a contribution contract for it")
    nodes.refuse_open_contract(conn, key, "another contribution contract for it")
    if amount is not None:  # before the contract is made, not after
        _check_operator_amount(conn, amount, reserved)
        conn.check_balance(conn.token, amount)
    print(
        f"creating a contribution contract for the node in {key_dir}, operator {conn.sender} "
        f"({conn.how}), on chain {conn.chain_id}",
        flush=True,
    )
    contract = create_contribution(
        conn, keys, fee=fee, reserved=reserved, manual_finalize=args.manual_finalize
    )
    print(f"  created ServiceNodeContribution {contract.address}")
    print(f"  node: {nodes.describe_node(keys)}")
    state = read_contribution(contract)
    shown = ", ".join(f"{r.address} {format_amount(r.amount)}" for r in state.stake.reservations)
    print(
        f"  fee {format_fee(state.node.fee)}; reserved: {shown or 'none'}; finalize: "
        f"{'manual' if state.manual_finalize else 'automatic'}"
    )
    outcome = {
        "contract": contract.address,
        "operator": state.operator,
        "bls_public_key": keys.bls_public_key.to_hex(),
        "fee": state.node.fee,
        "reserved": [{"address": r.address, "amount": r.amount} for r in state.stake.reservations],
        "manual_finalize": state.manual_finalize,
        "contribution": None,
    }
    if amount is not None:
        try:
            outcome["contribution"] = contribute(conn, contract, amount, beneficiary)
        except CommandError as error:
            raise CommandError(
                f"{error} (the contract {contract.address} was created: contribute with "
                f"`sesh contribution contribute {contract.address} --amount …`)",
                error.code,
            ) from None
    else:
        own = state.stake.reservation_of(state.operator)
        least = own.amount if own else state.stake.minimum_contribution
        print(
            f"  next, the operator's contribution (at least {format_amount(least or 0)}): "
            f"sesh contribution contribute {contract.address} --amount …"
        )
    return outcome


def _check_operator_amount(conn: Connection, amount: int, reserved: list[tuple[str, int]]) -> None:
    """A usage CommandError when the operator's first contribution is below what the contract
    takes from it (its own reservation, else a quarter of the stake) or above the stake: said
    before the contract is made, not after."""
    requirement = int(conn.rewards.view("stakingRequirement"))
    if reserved:
        least, why = reserved[0][1], "the operator's own reservation"
    else:
        least = calc_minimum_contribution(requirement, 0, 1)
        why = f"a quarter of the {format_amount(requirement)} stake"
    if amount < least:
        raise CommandError(
            f"--amount {format_amount(amount)} is below the operator's minimum contribution, "
            f"{format_amount(least)} ({why})",
            2,
        )
    if amount > requirement:
        raise CommandError(
            f"--amount {format_amount(amount)} is above the stake, {format_amount(requirement)}",
            2,
        )


def _reserve(args: argparse.Namespace) -> dict[str, Any]:

    reserved = _reservations(args)
    if bool(reserved) == bool(args.clear):
        raise CommandError("give the reservations (--reserve ADDR:SESH …) or --clear", 2)
    conn, contract = _open(args)
    conn.chain.transact(contract.call("updateReservedContributors", [list(r) for r in reserved]))
    if not reserved:
        print(f"cleared the reservations of {contract.address}")
    else:
        print(f"reservations of {contract.address} are now:")
        for address, amount in reserved:
            print(f"  {address}  {format_amount(amount)}")
    print(f"  {describe_open(read_contribution(contract))}")
    return {
        "contract": contract.address,
        "reserved": [{"address": address, "amount": amount} for address, amount in reserved],
    }


def _contribute(args: argparse.Namespace) -> dict[str, Any]:
    amount = parse_option("--amount", args.amount, parse_positive_amount)
    beneficiary = address_option("--beneficiary", args.beneficiary)
    conn, contract = _open(args)
    print(f"contributing from {conn.sender} ({conn.how}) on chain {conn.chain_id}", flush=True)
    return contribute(conn, contract, amount, beneficiary)


def _finalize(args: argparse.Namespace) -> dict[str, Any]:
    conn, contract = _open(args)
    receipt = conn.chain.transact(contract.call("finalize"))
    print(f"finalized {contract.address}")
    return {"contract": contract.address, **report_progress(conn, contract, receipt)}


def _withdraw(args: argparse.Namespace) -> dict[str, Any]:
    conn, contract = _open(args)
    before = read_contribution(contract)
    if conn.sender != before.operator and not any(
        c.address == conn.sender for c in before.stake.contributors
    ):
        raise CommandError(
            f"{conn.sender} has no contribution in {contract.address}: nothing to withdraw (a "
            "vesting lock's contribution is withdrawn with `sesh vesting withdraw`)"
        )
    receipt = conn.chain.transact(contract.call("withdrawContribution"))
    outcome: dict[str, Any] = {"contract": contract.address, "withdrawn": 0, "reset": False}
    if conn.sender == before.operator:
        print(f"the operator withdrew: {contract.address} was reset")
        return {**outcome, "reset": True, "refunded": _print_refunds(before)}
    events = conn.chain.events(contract, "WithdrawContribution", receipt)
    if events:
        amount = outcome["withdrawn"] = int(events[0]["amount"])
        print(f"withdrew {format_amount(amount)} from {contract.address} to {conn.sender}")
    else:
        print(
            f"removed {conn.sender} from {contract.address}'s list (the node is registered: "
            "its stake stays in ServiceNodeRewards)"
        )
    after = read_contribution(contract)
    print(f"  status: {after.status_text}")
    return {**outcome, "status": after.status}


def _reset(args: argparse.Namespace) -> dict[str, Any]:
    conn, contract = _open(args)
    before = read_contribution(contract)
    conn.chain.transact(contract.call("reset"))
    print(f"reset {contract.address}: it waits for the operator's contribution again")
    return {"contract": contract.address, "refunded": _print_refunds(before)}


def _print_refunds(before: ContributionState) -> list[dict[str, Any]]:
    """Say who got what back when the contract was reset; the same as JSON."""
    if before.status == FINALIZED:
        print("  nothing refunded: the node is registered, its stake is in ServiceNodeRewards")
        return []
    for c in before.stake.contributors:
        print(f"  refunded {format_amount(c.amount)} to {c.address}")
    return [{"address": c.address, "amount": c.amount} for c in before.stake.contributors]


def _show(args: argparse.Namespace) -> dict[str, Any]:
    _, contract = _open(args, signs=False)
    state = read_contribution(contract)
    if not args.json:
        print("\n".join(describe_contribution(state)))
    return contribution_json(state)
