"""A hypothesis state machine against one contribution contract on anvil.

Random contributions (the operator's, reserved and public ones, top-ups, amounts around every
limit), withdrawals before and after the delay, resets, new reservations, manual and automatic
registration, and new keys after a registration. A plain Python model of the reference's rules
predicts each outcome, down to the custom error and its arguments (including ServiceNodeRewards
refusing a key it already holds after a reset), and checks:

- after every step, the contract's views agree with the model (status, contributors with
  beneficiaries and amounts, reservations, totals), contributions plus unfilled reservations
  never exceed the staking requirement, and the contract holds exactly the contributions not
  yet registered;
- at every withdrawal and reset, each participant gets back exactly what they paid (nothing
  after registration), and at the end of each run every participant's balance is what they
  started with, less what they paid, plus what came back;
- a registration puts exactly the model's contributors and beneficiaries, with their amounts
  and in its order, in ServiceNodeRewards (read back with rewards.serviceNodes(id)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sesh.evm.chain import Chain, revert_data

from ...support.contracts import Rewind, error_of, run_against_chain
from .conftest import DAY, MAX_CONTRIBUTORS, STAKE, ZERO, Status, System, fresh_node, logs

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

Outcome = tuple[str, tuple[Any, ...]] | None
"""None: the call goes through; ("", ()) a revert without data; else (error, arguments)."""


@dataclass
class Staker:
    addr: str
    beneficiary: str
    amount: int
    time: int


@dataclass
class Reservation:
    addr: str
    amount: int
    received: bool = False


@dataclass
class Model:
    """The reference's rules, in Python."""

    operator: str
    status: int = Status.WAIT_FOR_OPERATOR
    manual: bool = False
    stakers: list[Staker] = field(default_factory=list)
    reserved: list[Reservation] = field(default_factory=list)
    registered_as: int | None = None
    """The node id the current BLS key is registered under (a reset keeps the key)."""

    @property
    def total(self) -> int:
        return sum(s.amount for s in self.stakers)

    def unfilled(self) -> tuple[int, int]:
        open_ = [r for r in self.reserved if not r.received]
        return sum(r.amount for r in open_), len(open_)

    def index(self, who: str) -> int | None:
        return next((i for i, s in enumerate(self.stakers) if s.addr == who), None)

    @staticmethod
    def minimum(remaining: int, n: int) -> Outcome | int:
        if n >= MAX_CONTRIBUTORS:
            return ("CalcMinContributionGivenBadContribArgs", (n, MAX_CONTRIBUTORS))
        if remaining == 0:
            return ("", ())  # the reference's (0 - 1) underflows
        return (remaining - 1) // (4 if n == 0 else MAX_CONTRIBUTORS - n) + 1

    def contribution_outcome(self, who: str, amount: int) -> Outcome:
        if self.status not in (Status.WAIT_FOR_OPERATOR, Status.OPEN):
            return ("ContributeFundsNotPossible", (self.status,))
        if self.status == Status.WAIT_FOR_OPERATOR and who != self.operator:
            return ("FirstContributionMustBeOperator", (who, self.operator))
        unfilled, count = self.unfilled()
        reservation = next((r for r in self.reserved if r.addr == who and not r.received), None)
        if reservation is not None:
            if amount < reservation.amount:
                return ("ContributionBelowReservedAmount", (amount, reservation.amount))
            unfilled -= reservation.amount
        elif self.index(who) is None:
            minimum = self.minimum(STAKE - self.total - unfilled, len(self.stakers) + count)
            if not isinstance(minimum, int):
                return minimum
            if amount < minimum:
                return ("ContributionBelowMinAmount", (amount, minimum))
        if self.total + amount + unfilled > STAKE:
            return ("ContributionExceedsStakingRequirement", (self.total + amount, unfilled, STAKE))
        if self.total + amount == STAKE and not self.manual:
            return self.registration_outcome()
        return None

    def registration_outcome(self) -> Outcome:
        """ServiceNodeRewards refuses a key it already holds."""
        if self.registered_as is not None:
            return ("BLSPubkeyAlreadyExists", (self.registered_as,))
        return None

    def reservation_outcome(self, entries: list[tuple[str, int]]) -> Outcome:
        if self.status != Status.WAIT_FOR_OPERATOR:
            return ("RequireWaitForOperatorContribStatus", (self.status,))
        if len(entries) > MAX_CONTRIBUTORS:
            return ("TooManyReservedContributors", (len(entries), MAX_CONTRIBUTORS))
        remaining = STAKE
        for i, (addr, amount) in enumerate(entries):
            if i == 0 and addr != self.operator:
                return ("FirstReservedContributorMustBeOperator", (0, self.operator))
            if addr in [a for a, _ in entries[:i]]:
                return ("DuplicateAddressInReservedContributor", (i,))
            minimum = self.minimum(remaining, i)
            if not isinstance(minimum, int):
                return minimum
            if amount < minimum:
                return ("ReservedContributionBelowMinAmount", (i, amount, minimum))
            if amount > remaining:
                return ("ReservedContributionExceedsStakingRequirement", (i, amount, remaining))
            remaining -= amount
        return None


def run_machine(system: System, chain: Chain, operator: str, others: list[str]) -> None:
    participants = [operator, *others]
    contract, _, _ = system.create(operator)
    for who in participants:
        system.approve(contract, who, 2**256 - 1)
    start_balances = {who: system.balance(who) for who in participants}
    abi = [*system.contribution_artifact.abi, *system.rewards.abi]
    rewind = Rewind(chain)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            rewind()
            self.model = Model(operator)
            self.paid = dict.fromkeys(participants, 0)
            self.refunded = dict.fromkeys(participants, 0)

        # -- helpers ---------------------------------------------------------------------

        def expect(self, call: Any, sender: str, outcome: Outcome) -> Any:
            """Send ``call`` if the model says it goes through, else check its refusal."""
            if outcome is None:
                return chain.transact(call, sender)
            if outcome == ("", ()):
                assert revert_data(lambda: call.call({"from": sender})) == b""
            else:
                assert error_of(lambda: call.call({"from": sender}), abi) == outcome
            return None

        def registration(self, receipt: Any) -> None:
            """The node the receipt registered holds exactly the model's contributors."""
            node_id = system.registered_id(receipt)
            self.model.registered_as = node_id
            assert system.node_contributors(node_id) == [
                (s.addr, s.beneficiary, s.amount) for s in self.model.stakers
            ]

        def refund_all(self, call: Any) -> None:
            """Send a resetting call; everyone gets back exactly what they put in (nothing
            after registration: the stake is in ServiceNodeRewards)."""
            owed = dict.fromkeys(participants, 0)
            if self.model.status != Status.FINALIZED:
                for s in self.model.stakers:
                    owed[s.addr] += s.amount
            before = {who: system.balance(who) for who in participants}
            chain.transact(call, operator)
            for who in participants:
                assert system.balance(who) - before[who] == owed[who]
                self.refunded[who] += owed[who]
            self.model.stakers = []
            self.model.reserved = []
            self.model.status = Status.WAIT_FOR_OPERATOR

        # -- rules -----------------------------------------------------------------------

        @precondition(lambda self: self.model.status in (Status.WAIT_FOR_OPERATOR, Status.OPEN))
        @rule(
            burst=st.lists(
                st.tuples(
                    st.integers(0, 3),
                    st.integers(0, 99),
                    st.integers(0, 11),
                    st.integers(0, 100),
                    st.integers(-1, len(participants) - 1),
                ),
                min_size=1,
                max_size=4,
            )
        )
        def contribute(self, burst: list[tuple[int, int, int, int, int]]) -> None:
            for action in burst:
                if self.model.status not in (Status.WAIT_FOR_OPERATOR, Status.OPEN):
                    break
                self._contribute(*action)

        def _contribute(
            self, source: int, pick: int, kind: int, part: int, beneficiary: int
        ) -> None:
            model = self.model
            # Who: anyone, a reservation holder, or a contributor topping up; in state 0
            # mostly the operator (the only one allowed).
            pool = participants
            if source == 1 and any(not r.received for r in model.reserved):
                pool = [r.addr for r in model.reserved if not r.received]
            elif source == 2 and model.stakers:
                pool = [s.addr for s in model.stakers]
            sender = pool[pick % len(pool)]
            if model.status == Status.WAIT_FOR_OPERATOR and source != 3:
                sender = operator
            unfilled, count = model.unfilled()
            reservation = next(
                (r for r in model.reserved if r.addr == sender and not r.received), None
            )
            room = STAKE - model.total - unfilled + (reservation.amount if reservation else 0)
            minimum = model.minimum(STAKE - model.total - unfilled, len(model.stakers) + count)
            floor = 1
            if reservation is not None:
                floor = reservation.amount
            elif model.index(sender) is None and isinstance(minimum, int):
                floor = minimum
            # Mostly valid amounts, and each limit and its neighbour now and then (hypothesis
            # favours small choices, so the first is the plainest).
            between = floor + max(0, room - floor) * part // 100
            amount = [
                floor, between, floor - 1, room, floor, between, room + 1,
                room, between, floor, floor + (between - floor) // 4, part,
            ][kind]  # fmt: skip
            named = ZERO if beneficiary < 0 else participants[beneficiary]
            outcome = model.contribution_outcome(sender, amount)
            receipt = self.expect(
                contract.functions.contributeFunds(amount, named), sender, outcome
            )
            if receipt is None:
                return
            desired = named if named != ZERO else sender
            now = chain.timestamp()
            if reservation is not None:
                reservation.received = True
            index = model.index(sender)
            if index is None:
                model.stakers.append(Staker(sender, desired, amount, now))
            else:
                model.stakers[index].amount += amount
                model.stakers[index].beneficiary = desired
                model.stakers[index].time = now
            self.paid[sender] += amount
            model.status = Status.OPEN
            if model.total == STAKE:
                model.status = Status.WAIT_FOR_FINALIZED
                if not model.manual:
                    self.registration(receipt)
                    model.status = Status.FINALIZED

        @rule(pick=st.integers(0, 99), anyone=st.booleans(), early=st.booleans())
        def withdraw(self, pick: int, anyone: bool, early: bool) -> None:
            model = self.model
            if not early:
                chain.mine(chain.timestamp() + DAY)
            # Mostly a public contributor; sometimes anyone (the operator resets everything).
            public = [s.addr for s in model.stakers[1:]]
            pool = participants if anyone or not public else public
            sender = pool[pick % len(pool)]
            if sender == operator:
                self.refund_all(contract.functions.withdrawContribution())
                return
            index = model.index(sender)
            since = model.stakers[index].time if index is not None else 0
            call = contract.functions.withdrawContribution()
            if chain.timestamp() - since < DAY:
                name, args = error_of(lambda: call.call({"from": sender}), abi)
                assert (name, args[0], args[2]) == ("WithdrawTooEarly", since, DAY)
                return
            before = system.balance(sender)
            receipt = chain.transact(call, sender)
            if index is None:
                assert receipt["logs"] == []
                return
            staker = model.stakers[index]
            last = model.stakers.pop()
            if last is not staker:
                model.stakers[index] = last
            for r in model.reserved:
                if r.addr == sender:
                    r.received = False
            if model.status == Status.FINALIZED:
                assert logs(contract.events.WithdrawContribution, receipt) == []
                return
            assert logs(contract.events.WithdrawContribution, receipt) == [
                {"contributor": sender, "amount": staker.amount}
            ]
            assert system.balance(sender) == before + staker.amount
            self.refunded[sender] += staker.amount
            if model.status == Status.WAIT_FOR_FINALIZED:
                model.status = Status.OPEN

        @precondition(lambda self: self.model.status != Status.FINALIZED and self.model.stakers)
        @rule(manual=st.booleans())
        def reset(self, manual: bool) -> None:
            self.refund_all(contract.functions.reset())
            if manual != self.model.manual:
                chain.transact(contract.functions.updateManualFinalize(manual), operator)
                self.model.manual = manual

        @precondition(lambda self: self.model.registered_as is not None)
        @rule(manual=st.booleans())
        def start_over_with_new_keys(self, manual: bool) -> None:
            # The registered key cannot register twice; a reused contract needs a new node.
            node = fresh_node()
            call = contract.functions.resetUpdateAndContribute(
                node.xy, system.pop(node, operator), system.params(node), [], manual, ZERO, 0
            )
            self.refund_all(call)
            self.model.manual = manual
            self.model.registered_as = None

        @precondition(lambda self: self.model.status == Status.WAIT_FOR_FINALIZED)
        @rule()
        def finalize(self) -> None:
            outcome = self.model.registration_outcome()
            receipt = self.expect(contract.functions.finalize(), operator, outcome)
            if receipt is not None:
                self.registration(receipt)
                self.model.status = Status.FINALIZED

        @precondition(lambda self: self.model.status == Status.WAIT_FOR_OPERATOR)
        @rule(
            entries=st.lists(
                st.tuples(st.integers(0, len(participants) - 1), st.integers(1, 100)), max_size=4
            ),
            operator_first=st.integers(0, 4),
        )
        def reserve(self, entries: list[tuple[int, int]], operator_first: int) -> None:
            # Amounts are shares of what is left at each entry, so some pass and some do not;
            # the first entry is the operator's but one time in five.
            reserved: list[tuple[str, int]] = []
            remaining = STAKE
            for i, (who, part) in enumerate(entries):
                amount = max(1, remaining * part // 100)
                addr = operator if i == 0 and operator_first else participants[who]
                reserved.append((addr, amount))
                remaining = max(0, remaining - amount)
            outcome = self.model.reservation_outcome(reserved)
            call = contract.functions.updateReservedContributors([list(r) for r in reserved])
            if self.expect(call, operator, outcome) is not None:
                self.model.reserved = [Reservation(a, x) for a, x in reserved]

        @rule(days=st.sampled_from([1, 2]))
        def wait(self, days: int) -> None:
            chain.mine(chain.timestamp() + days * DAY)

        # -- invariants --------------------------------------------------------------------

        @invariant()
        def views_agree_with_the_model(self) -> None:
            model = self.model
            views = contract.functions
            assert views.status().call() == model.status
            assert views.getContributions().call() == [
                [s.addr for s in model.stakers],
                [s.beneficiary for s in model.stakers],
                [s.amount for s in model.stakers],
            ]
            assert views.getReserved().call() == [
                [r.addr for r in model.reserved],
                [r.amount for r in model.reserved],
                [r.received for r in model.reserved],
            ]

        @invariant()
        def contributions_and_unfilled_reservations_fit_the_requirement(self) -> None:
            total = contract.functions.totalContribution().call()
            reserved = contract.functions.totalReservedContribution().call()
            assert (total, reserved) == (self.model.total, self.model.unfilled()[0])
            assert total + reserved <= STAKE
            held = 0 if self.model.status == Status.FINALIZED else total
            assert system.balance(contract.address) == held

        def teardown(self) -> None:
            # Every participant: start, less what they paid, plus what came back.
            for who in participants:
                expected = start_balances[who] - self.paid[who] + self.refunded[who]
                assert system.balance(who) == expected

    run_against_chain(Machine, examples=10, steps=25)


def test_the_contract_agrees_with_the_model(
    system: System, chain: Chain, operator: str, contributors: list[str], stranger: str
) -> None:
    run_machine(system, chain, operator, [*contributors, stranger])
