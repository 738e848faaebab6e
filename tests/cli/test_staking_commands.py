"""The staking verbs end to end: `sesh stake`, `sesh contribution …`, `sesh vesting …` and
`sesh convert` against a devnet's contracts on anvil.

One chain for the module, set up exactly as `sesh devnet` sets it up (``ensure_contracts``: the
set, seeded with the devnet's nodes, the funded dev accounts, the open example node and the
example lock); every test starts from that state (snapshots). The verbs run in-process through
``sesh.cli.main``, with the deployment record and the RPC URL a user would pass; one test runs
the real command. Signers: ``--unlocked`` for dev account 0, otherwise ``--key-env`` with a dev
account's key.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey, VerifyKey

from sesh.bls import SecretKey
from sesh.cli import main
from sesh.devnet import DevnetContracts, ensure_contracts
from sesh.devnet.seeding import DEFAULT_NODES
from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.chain import Chain
from sesh.evm.contract_set import contract_loader
from sesh.keys import NodeKeys

pytestmark = pytest.mark.anvil

SESH = 10**9
DAY = 86_400
KEY_ENV = "SESH_TEST_STAKER_KEY"
ACCOUNTS = [key.address for key in dev_keys()]
OPERATOR, RESERVED, BENEFICIARY, STAKER, OPERATOR_B, STAKER_B = 1, 2, 3, 4, 5, 6
"""Dev accounts: the example node's operator and reserved contributor, the example lock's
beneficiary (all three as the devnet makes them), and three more for these tests."""
NEW_NODE = DEFAULT_NODES + 1
"""The id of the first node a test registers: the devnet seeded nodes 1 to DEFAULT_NODES."""


def _bound(name: str, address: Callable[[Net], str]) -> Any:
    """A property of Net: the contract ``name`` at ``address(net)``, bound."""
    return property(lambda net: net.bind(name, address(net)))


@dataclass
class Net:
    rpc_url: str
    data_dir: Path
    contracts: DevnetContracts
    chain: Chain
    load: Callable[[str], Any]

    @property
    def record(self) -> Path:
        return self.data_dir / "contracts.json"

    def bind(self, name: str, address: str) -> Any:
        return self.chain.contract(address, self.load(name))

    example_node = _bound(
        "ServiceNodeContribution", lambda net: net.contracts.examples.open_contribution
    )
    example_lock = _bound("TokenVestingStaking", lambda net: net.contracts.examples.vesting_lock)
    rewards = _bound(
        "ServiceNodeRewards", lambda net: net.contracts.deployment.service_node_rewards
    )
    token = _bound("SESH", lambda net: net.contracts.deployment.sesh)
    woxen = _bound("WrappedOxen", lambda net: net.contracts.deployment.old_token or "")
    converter = _bound("TokenConverter", lambda net: net.contracts.deployment.token_converter or "")


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    data = tmp_path_factory.mktemp("devnet-data")
    with Anvil(port=0) as node:
        contracts = ensure_contracts(node.rpc_url, data, io.StringIO())
        yield Net(
            node.rpc_url, data, contracts, Chain(node.rpc_url), contract_loader(data / "build")
        )


@pytest.fixture(autouse=True)
def _isolated(net: Net) -> Iterator[None]:
    snapshot = net.chain.snapshot()
    yield
    net.chain.revert(snapshot)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def refused(self, verb: str, message: str) -> str:
        """Assert a one-line refusal of ``verb`` containing ``message``; the line."""
        assert self.code == 1, (self.out, self.err)
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith(f"sesh {verb}: error: "), lines[0]
        assert message in lines[0], lines[0]
        return lines[0]

    def usage_error(self, verb: str, message: str) -> None:
        assert self.code == 2, (self.out, self.err)
        assert self.err.strip() == f"sesh {verb}: error: {message}" or message in self.err
        assert "Traceback" not in self.err

    def created(self) -> str:
        match = re.search(r"created ServiceNodeContribution (0x[0-9a-fA-F]{40})", self.out)
        assert match, self.out
        return match.group(1)


Sesh = Callable[..., Result]


@pytest.fixture
def sesh(net: Net, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Sesh:
    """Run a `sesh` command against the module's devnet, signed by dev account ``signer``
    (None: no signing options)."""

    def run(*args: str, signer: int | None = None) -> Result:
        argv = [*args, "--deployment", str(net.record), "--rpc", net.rpc_url]
        if signer == 0:
            argv.append("--unlocked")
        elif signer is not None:
            monkeypatch.setenv(KEY_ENV, dev_keys()[signer].private_key)
            argv += ["--key-env", KEY_ENV]
        code = main(argv)
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Result(code, out, err)

    return run


_next_key = iter(range(1, 1_000))


@pytest.fixture
def node_keys(tmp_path: Path) -> Callable[[], Path]:
    """Make a new node's key directory, as `sesh keys new` would."""

    def make() -> Path:
        n = next(_next_key)
        directory = tmp_path / f"node{n}"
        NodeKeys(SecretKey.from_int(0x5E5E_0000 + 7_919 * n), SigningKey(bytes([n]) * 32)).save(
            directory
        )
        return directory

    return make


def new_node(net: Net) -> dict[str, Any]:
    """The args of the latest NewServiceNodeV2 event."""
    logs = net.rewards.events.NewServiceNodeV2().get_logs(from_block=0)
    return dict(logs[-1]["args"])


@dataclass(frozen=True)
class Footprint:
    """What sending anything leaves behind: the chain's height (anvil mines every transaction),
    the signer's nonce, and the allowance the signer gave ``spender``."""

    block: int
    nonce: int
    allowance: int


@contextmanager
def nothing_sent(net: Net, signer: int, spender: str, token: Any = None) -> Iterator[None]:
    """The block runs without ``signer`` sending anything: no block mined, no nonce used, no
    allowance given to ``spender``."""
    before = footprint(net, signer, spender, token)
    yield
    assert footprint(net, signer, spender, token) == before


def footprint(net: Net, signer: int, spender: str, token: Any = None) -> Footprint:
    owner = ACCOUNTS[signer]
    return Footprint(
        net.chain.w3.eth.block_number,
        net.chain.w3.eth.get_transaction_count(owner),
        (token or net.token).functions.allowance(owner, spender).call(),
    )


# -- sesh stake --------------------------------------------------------------------------------


def test_stake_registers_a_solo_node_signed_by_its_keys(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    keys = node_keys()
    before = footprint(net, STAKER, net.rewards.address)
    result = sesh("stake", "--keys", str(keys), signer=STAKER)
    assert result.code == 0, result.err
    assert f"approved ServiceNodeRewards {net.rewards.address} to take 120 SESH" in result.out
    after = footprint(net, STAKER, net.rewards.address)
    assert after.nonce == before.nonce + 2  # the approval, then the registration...
    assert after.allowance == 0  # ...which spent it all
    assert f"registered node {NEW_NODE}: BLS key 0x" in result.out
    assert f"staked 120 SESH from {ACCOUNTS[STAKER]}" in result.out
    event = new_node(net)
    (contributor,) = event["contributors"]
    assert contributor["staker"]["addr"] == ACCOUNTS[STAKER]
    assert contributor["stakedAmount"] == 120 * SESH
    # The Ed25519 signature is real: the node's key over its Ed25519 key ‖ its BLS key.
    node = NodeKeys.load(keys)
    params = event["serviceNode"]
    signature = params["serviceNodeSignature1"].to_bytes(32, "big")
    signature += params["serviceNodeSignature2"].to_bytes(32, "big")
    VerifyKey(node.ed25519_public_key).verify(
        node.ed25519_public_key + node.bls_public_key.to_bytes(), signature
    )


def test_stake_can_sign_the_rewards_to_a_beneficiary(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    result = sesh(
        "stake", "--keys", str(node_keys()), "--beneficiary", ACCOUNTS[STAKER_B], signer=STAKER
    )
    assert result.code == 0, result.err
    assert f"rewards to {ACCOUNTS[STAKER_B]}" in result.out
    (contributor,) = new_node(net)["contributors"]
    assert contributor["staker"]["beneficiary"] == ACCOUNTS[STAKER_B]


def test_staking_the_same_node_twice_is_refused_in_words_before_approving(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    keys = str(node_keys())
    assert sesh("stake", "--keys", keys, signer=STAKER).code == 0
    with nothing_sent(net, STAKER_B, net.rewards.address):
        again = sesh("stake", "--keys", keys, signer=STAKER_B)
        again.refused(
            "stake", f"ServiceNodeRewards refused: BLSPubkeyAlreadyExists(serviceNodeID={NEW_NODE})"
        )
        assert "approved" not in again.out


def test_stake_with_a_contract_contributes_to_it(net: Net, sesh: Sesh) -> None:
    node = net.example_node
    result = sesh("stake", "--contract", node.address, "--amount", "10", signer=STAKER)
    assert result.code == 0, result.err
    assert f"contributed 10 SESH to {node.address}" in result.out
    assert "60 SESH open in 7 slot(s)" in result.out
    assert node.functions.contributions(ACCOUNTS[STAKER]).call() == 10 * SESH


def test_a_contribution_below_the_minimum_is_refused_in_words(net: Net, sesh: Sesh) -> None:
    node = net.example_node.address
    with nothing_sent(net, STAKER, node):
        result = sesh("stake", "--contract", node, "--amount", "1", signer=STAKER)
        result.refused(
            "stake",
            "ServiceNodeContribution refused: "
            "ContributionBelowMinAmount(contributed=1000000000, min=8750000000)",
        )


def test_a_solo_stake_beyond_the_balance_is_refused_up_front(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    poor = ACCOUNTS[STAKER]
    keep = 100 * SESH  # 20 SESH short of the requirement
    balance = net.token.functions.balanceOf(poor).call()
    net.chain.transact(net.token.functions.transfer(ACCOUNTS[0], balance - keep), poor)
    with nothing_sent(net, STAKER, net.rewards.address):
        result = sesh("stake", "--keys", str(node_keys()), signer=STAKER)
        result.refused("stake", f"error: {poor} holds 100 SESH, 120 SESH needed")


# -- sesh contribution -------------------------------------------------------------------------


def test_show_explains_the_example_node_as_the_contract_counts(net: Net, sesh: Sesh) -> None:
    node = net.example_node
    text = sesh("contribution", "show", node.address)
    assert text.code == 0, text.err
    assert "open for contributions (1)" in text.out
    assert f"{ACCOUNTS[OPERATOR]} (operator)" in text.out
    assert "70 SESH open in 8 slot(s); minimum contribution 8.75 SESH" in text.out
    data = json.loads(sesh("contribution", "show", node.address, "--json").out)
    assert data["minimum_contribution_sesh"] == "8.75"
    assert int(float(data["minimum_contribution_sesh"]) * SESH) == (
        node.functions.minimumContribution().call()
    )
    assert data["reserved"][1] == {
        "address": ACCOUNTS[RESERVED],
        "amount_sesh": "20",
        "received": False,
    }
    assert data["fee_percent"] == "5" and data["manual_finalize"] is False


def test_show_needs_a_contract_at_the_address(sesh: Sesh) -> None:
    sesh("contribution", "show", "0x1234").usage_error(
        "contribution show", "the address '0x1234' is not an address"
    )
    empty = sesh("contribution", "show", "0x000000000000000000000000000000000000dEaD")
    empty.refused("contribution show", "there is no contract at 0x")


def test_create_makes_a_contract_with_fee_reservations_and_the_operators_stake(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    result = sesh(
        "contribution", "create", "--keys", str(node_keys()), "--fee", "2.5",
        "--reserve", f"{ACCOUNTS[OPERATOR_B]}:40", "--reserve", f"{ACCOUNTS[STAKER_B]}:20",
        "--manual-finalize", "--amount", "40", signer=OPERATOR_B,
    )  # fmt: skip
    assert result.code == 0, result.err
    contract = net.bind("ServiceNodeContribution", result.created())
    f = contract.functions
    assert f.operator().call() == ACCOUNTS[OPERATOR_B]
    assert f.serviceNodeParams().call()[3] == 250
    assert f.manualFinalize().call() is True
    assert f.status().call() == 1
    assert f.getReserved().call() == [
        [ACCOUNTS[OPERATOR_B], ACCOUNTS[STAKER_B]],
        [40 * SESH, 20 * SESH],
        [True, False],
    ]
    assert "contributed 40 SESH" in result.out and "fee 2.5 %" in result.out
    factory = net.bind(
        "ServiceNodeContributionFactory", net.contracts.deployment.contribution_factory or ""
    )
    assert factory.functions.owns(contract.address).call() is True


def test_create_refuses_reservations_that_do_not_start_with_the_operator(
    sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    result = sesh(
        "contribution", "create", "--keys", str(node_keys()),
        "--reserve", f"{ACCOUNTS[STAKER_B]}:40", signer=OPERATOR_B,
    )  # fmt: skip
    result.refused(
        "contribution create",
        "ServiceNodeContributionFactory refused: FirstReservedContributorMustBeOperator(index=0, "
        f"operator={ACCOUNTS[OPERATOR_B]})",
    )


def test_reserve_replaces_the_reservations_and_refuses_a_slot_below_its_minimum(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    created = sesh("contribution", "create", "--keys", str(node_keys()), signer=OPERATOR_B)
    assert created.code == 0, created.err
    assert "next, the operator's contribution (at least 30 SESH)" in created.out
    address = created.created()
    result = sesh(
        "contribution", "reserve", address, "--reserve", f"{ACCOUNTS[OPERATOR_B]}:30",
        "--reserve", f"{ACCOUNTS[STAKER]}:15", signer=OPERATOR_B,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert f"{ACCOUNTS[STAKER]}  15 SESH" in result.out
    reserved = net.bind("ServiceNodeContribution", address).functions.getReserved().call()
    assert reserved[0] == [ACCOUNTS[OPERATOR_B], ACCOUNTS[STAKER]]
    too_small = sesh(
        "contribution", "reserve", address, "--reserve", f"{ACCOUNTS[OPERATOR_B]}:30",
        "--reserve", f"{ACCOUNTS[STAKER]}:1", signer=OPERATOR_B,
    )  # fmt: skip
    too_small.refused(
        "contribution reserve",
        "ReservedContributionBelowMinAmount(index=1, contributed=1000000000, min=10000000000)",
    )
    cleared = sesh("contribution", "reserve", address, "--clear", signer=OPERATOR_B)
    assert cleared.code == 0 and "cleared the reservations" in cleared.out
    sesh("contribution", "reserve", address, signer=OPERATOR_B).usage_error(
        "contribution reserve", "give the reservations (--reserve ADDR:SESH …) or --clear"
    )


def test_a_manual_node_is_finalized_by_its_operator_only(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    created = sesh(
        "contribution", "create", "--keys", str(node_keys()), "--manual-finalize",
        "--amount", "30", signer=OPERATOR_B,
    )  # fmt: skip
    address = created.created()
    filled = sesh("contribution", "contribute", address, "--amount", "90", signer=STAKER_B)
    assert filled.code == 0, filled.err
    assert "status: full, waiting for the operator to finalize" in filled.out
    assert f"sesh contribution finalize {address}" in filled.out
    sesh("contribution", "finalize", address, signer=STAKER_B).refused(
        "contribution finalize",
        f"OnlyOperatorIsAuthorised(addr={ACCOUNTS[STAKER_B]}, operator={ACCOUNTS[OPERATOR_B]})",
    )
    done = sesh("contribution", "finalize", address, signer=OPERATOR_B)
    assert done.code == 0, done.err
    assert f"node {NEW_NODE} is registered in ServiceNodeRewards" in done.out
    contributors = new_node(net)["contributors"]
    assert [c["staker"]["addr"] for c in contributors] == [ACCOUNTS[OPERATOR_B], ACCOUNTS[STAKER_B]]
    shown = json.loads(sesh("contribution", "show", address, "--json").out)
    assert shown["status"] == 3 and shown["open_sesh"] == "0"


def test_a_contribution_the_contract_refuses_sends_nothing_not_even_the_approval(
    net: Net, sesh: Sesh
) -> None:
    # Dev account 2 holds a 20 SESH reservation in the example node: 1 SESH is refused by the
    # contract, not by the token, so approving first would only waste gas and leave an
    # allowance behind.
    node = net.example_node.address
    with nothing_sent(net, RESERVED, node):
        result = sesh("contribution", "contribute", node, "--amount", "1", signer=RESERVED)
        result.refused(
            "contribution contribute",
            "ServiceNodeContribution refused: "
            "ContributionBelowReservedAmount(contributed=1000000000, reserved=20000000000)",
        )
        assert "approved" not in result.out


def test_a_contribution_beyond_the_balance_is_refused_up_front(net: Net, sesh: Sesh) -> None:
    node = net.example_node.address
    with nothing_sent(net, STAKER, node):
        result = sesh("contribution", "contribute", node, "--amount", "1000001", signer=STAKER)
        result.refused(
            "contribution contribute",
            f"error: {ACCOUNTS[STAKER]} holds 1,000,000 SESH, 1,000,001 SESH needed",
        )


def test_a_contribution_approves_what_it_lacks_and_a_retry_only_contributes(
    net: Net, sesh: Sesh
) -> None:
    node = net.example_node.address
    before = footprint(net, STAKER, node)
    first = sesh("contribution", "contribute", node, "--amount", "10", signer=STAKER)
    assert first.code == 0, first.err
    assert f"approved ServiceNodeContribution {node} to take 10 SESH" in first.out
    after = footprint(net, STAKER, node)
    assert (after.nonce, after.allowance) == (before.nonce + 2, 0)
    # An allowance left from an earlier attempt is used as it is: one transaction.
    net.chain.transact(net.token.functions.approve(node, 5 * SESH), ACCOUNTS[STAKER])
    primed = footprint(net, STAKER, node)
    top_up = sesh("contribution", "contribute", node, "--amount", "5", signer=STAKER)
    assert top_up.code == 0, top_up.err
    assert "approved" not in top_up.out
    assert footprint(net, STAKER, node).nonce == primed.nonce + 1
    assert net.example_node.functions.contributions(ACCOUNTS[STAKER]).call() == 15 * SESH


def test_create_with_an_amount_beyond_the_balance_creates_nothing(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    factory = net.contracts.deployment.contribution_factory or ""
    operator = ACCOUNTS[OPERATOR_B]
    held = net.token.functions.balanceOf(operator).call()
    net.chain.transact(net.token.functions.transfer(ACCOUNTS[0], held - 10 * SESH), operator)
    with nothing_sent(net, OPERATOR_B, factory):
        result = sesh(
            "contribution", "create", "--keys", str(node_keys()), "--amount", "30",
            signer=OPERATOR_B,
        )  # fmt: skip
        result.refused("contribution create", f"error: {operator} holds 10 SESH, 30 SESH needed")
        assert result.out == ""


def test_the_contribution_that_completes_an_automatic_node_registers_it(
    net: Net, sesh: Sesh
) -> None:
    node = net.example_node.address
    reserved = sesh("contribution", "contribute", node, "--amount", "20", signer=RESERVED)
    assert reserved.code == 0, reserved.err
    # A reservation was counted as taken already: what is open does not change.
    assert "70 SESH open in 8 slot(s); minimum contribution 8.75 SESH" in reserved.out
    last = sesh(
        "contribution", "contribute", node, "--amount", "70", "--beneficiary",
        ACCOUNTS[STAKER_B], signer=STAKER,
    )  # fmt: skip
    assert last.code == 0, last.err
    assert f"the stake is complete: node {NEW_NODE} is registered in ServiceNodeRewards" in last.out
    stakers = [
        (c["staker"]["addr"], c["staker"]["beneficiary"], c["stakedAmount"])
        for c in new_node(net)["contributors"]
    ]
    assert stakers == [
        (ACCOUNTS[OPERATOR], ACCOUNTS[OPERATOR], 30 * SESH),
        (ACCOUNTS[RESERVED], ACCOUNTS[RESERVED], 20 * SESH),
        (ACCOUNTS[STAKER], ACCOUNTS[STAKER_B], 70 * SESH),
    ]


def test_a_contribution_can_be_withdrawn_a_day_later(net: Net, sesh: Sesh) -> None:
    node = net.example_node.address
    before = net.token.functions.balanceOf(ACCOUNTS[STAKER]).call()
    assert sesh("contribution", "contribute", node, "--amount", "10", signer=STAKER).code == 0
    early = sesh("contribution", "withdraw", node, signer=STAKER)
    early.refused("contribution withdraw", "ServiceNodeContribution refused: WithdrawTooEarly(")
    net.chain.mine(net.chain.timestamp() + DAY)
    result = sesh("contribution", "withdraw", node, signer=STAKER)
    assert result.code == 0, result.err
    assert f"withdrew 10 SESH from {node} to {ACCOUNTS[STAKER]}" in result.out
    assert net.token.functions.balanceOf(ACCOUNTS[STAKER]).call() == before


def test_reset_refunds_everyone_and_only_the_operator_may(net: Net, sesh: Sesh) -> None:
    node = net.example_node
    sesh("contribution", "reset", node.address, signer=STAKER).refused(
        "contribution reset", "ServiceNodeContribution refused: OnlyOperatorIsAuthorised("
    )
    result = sesh("contribution", "reset", node.address, signer=OPERATOR)
    assert result.code == 0, result.err
    assert f"refunded 30 SESH to {ACCOUNTS[OPERATOR]}" in result.out
    assert node.functions.status().call() == 0
    assert node.functions.getReserved().call() == [[], [], []]


# -- sesh vesting ------------------------------------------------------------------------------


def test_show_explains_the_example_lock(net: Net, sesh: Sesh) -> None:
    lock = net.example_lock.address
    text = sesh("vesting", "show", lock)
    assert text.code == 0, text.err
    assert f"TokenVestingStaking {lock}" in text.out
    assert f"beneficiary   {ACCOUNTS[BENEFICIARY]}" in text.out
    assert "holds         1,000 SESH" in text.out and "(passed)" in text.out
    data = json.loads(sesh("vesting", "show", lock, "--json").out)
    assert data["kind"] == "TokenVestingStaking"
    assert data["revoker"] == ACCOUNTS[0]
    assert data["start"] <= data["now"] < data["end"]
    assert (data["balance_sesh"], data["releasable_sesh"]) == ("1000", "0")
    assert (data["staked_sesh"], data["stakes"]) == ("0", [])


def test_create_deploys_and_funds_a_staking_lock(net: Net, sesh: Sesh) -> None:
    result = sesh(
        "vesting", "create", "--beneficiary", ACCOUNTS[STAKER], "--amount", "500",
        "--start", "+1h", "--end", "+30d", "--revoker", ACCOUNTS[0], "--transferable",
        signer=0,
    )  # fmt: skip
    assert result.code == 0, result.err
    match = re.search(r"deployed TokenVestingStaking (0x[0-9a-fA-F]{40})", result.out)
    assert match, result.out
    lock = net.bind("TokenVestingStaking", match.group(1)).functions
    assert lock.beneficiary().call() == ACCOUNTS[STAKER]
    assert lock.transferableBeneficiary().call() is True
    assert lock.end().call() - lock.start().call() == 30 * DAY - 3_600
    assert lock.snContribFactory().call() == net.contracts.deployment.contribution_factory
    assert net.token.functions.balanceOf(match.group(1)).call() == 500 * SESH


def test_create_makes_a_vesting_lock_without_staking(net: Net, sesh: Sesh) -> None:
    result = sesh(
        "vesting", "create", "--beneficiary", ACCOUNTS[STAKER], "--amount", "100",
        "--end", "+10d", "--no-staking", signer=0,
    )  # fmt: skip
    assert result.code == 0, result.err
    match = re.search(r"deployed TokenVestingNoStaking (0x[0-9a-fA-F]{40})", result.out)
    assert match, result.out
    assert "a fifth vests then" in result.out and "none (irrevocable)" in result.out
    shown = json.loads(sesh("vesting", "show", match.group(1), "--json").out)
    assert shown["kind"] == "TokenVestingNoStaking" and shown["balance_sesh"] == "100"


def test_create_refuses_to_lock_more_than_the_signer_holds_before_deploying(
    net: Net, sesh: Sesh
) -> None:
    with nothing_sent(net, STAKER, ACCOUNTS[0]):  # no lock was deployed
        result = sesh(
            "vesting", "create", "--beneficiary", ACCOUNTS[STAKER_B], "--amount", "1000000.5",
            "--end", "+30d", signer=STAKER,
        )  # fmt: skip
        result.refused(
            "vesting create",
            f"error: {ACCOUNTS[STAKER]} holds 1,000,000 SESH, 1,000,000.5 SESH needed",
        )


def test_create_refuses_a_start_in_the_past_in_words(sesh: Sesh) -> None:
    result = sesh(
        "vesting", "create", "--beneficiary", ACCOUNTS[STAKER], "--amount", "1",
        "--start", "2020-01-01", "--end", "+1d", signer=0,
    )  # fmt: skip
    result.refused(
        "vesting create", 'TokenVestingStaking refused: "Vesting: start before current time"'
    )


def test_the_beneficiary_stakes_a_solo_node_from_the_lock(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    lock = net.example_lock.address
    result = sesh("vesting", "stake", lock, "--keys", str(node_keys()), signer=BENEFICIARY)
    assert result.code == 0, result.err
    assert f"registered node {NEW_NODE} from lock {lock}" in result.out
    (contributor,) = new_node(net)["contributors"]
    assert contributor["staker"]["addr"] == lock  # the lock is the staker...
    assert contributor["staker"]["beneficiary"] == ACCOUNTS[BENEFICIARY]  # ...rewards to them
    assert net.token.functions.balanceOf(lock).call() == 880 * SESH
    shown = sesh("vesting", "show", lock)
    assert "staked        120 SESH" in shown.out and f"120 SESH in node {NEW_NODE}" in shown.out


def test_only_the_beneficiary_stakes_from_the_lock(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    lock = net.example_lock.address
    result = sesh("vesting", "stake", lock, "--keys", str(node_keys()), signer=STAKER)
    result.refused(
        "vesting stake", 'TokenVestingStaking refused: "Vesting: Caller must be beneficiary"'
    )


def test_the_lock_contributes_to_a_factory_made_node(net: Net, sesh: Sesh) -> None:
    lock, node = net.example_lock.address, net.example_node
    result = sesh(
        "vesting", "stake", lock, "--contract", node.address, "--amount", "10",
        signer=BENEFICIARY,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert f"contributed 10 SESH from lock {lock} to {node.address}" in result.out
    assert node.functions.contributions(lock).call() == 10 * SESH
    data = json.loads(sesh("vesting", "show", lock, "--json").out)
    assert data["staked_sesh"] == "10"
    assert data["stakes"] == [{"amount_sesh": "10", "node_id": None, "contract": node.address}]


def test_release_pays_the_beneficiary_at_the_end_and_not_before(net: Net, sesh: Sesh) -> None:
    lock = net.example_lock.address
    early = sesh("vesting", "release", lock, signer=BENEFICIARY)
    early.refused("vesting release", 'TokenVestingStaking refused: "Vesting: no tokens are due"')
    net.chain.mine(net.contracts.examples.vesting_end)
    before = net.token.functions.balanceOf(ACCOUNTS[BENEFICIARY]).call()
    result = sesh("vesting", "release", lock, signer=BENEFICIARY)
    assert result.code == 0, result.err
    assert f"released 1,000 SESH from {lock} to {ACCOUNTS[BENEFICIARY]}" in result.out
    assert net.token.functions.balanceOf(ACCOUNTS[BENEFICIARY]).call() == before + 1_000 * SESH


# -- sesh convert ------------------------------------------------------------------------------


def test_convert_pays_sesh_at_the_rate_in_force(net: Net, sesh: Sesh) -> None:
    before = net.token.functions.balanceOf(ACCOUNTS[STAKER]).call()
    converter = net.converter.address
    result = sesh("convert", "--amount", "1000", signer=STAKER)
    assert result.code == 0, result.err
    assert "rate in force: 1 SESH per 2 wOXEN" in result.out
    assert f"approved TokenConverter {converter} to take 1,000 wOXEN" in result.out
    assert footprint(net, STAKER, converter, net.woxen).allowance == 0
    assert "converted 1,000 wOXEN into 500 SESH" in result.out
    assert net.token.functions.balanceOf(ACCOUNTS[STAKER]).call() == before + 500 * SESH
    logs = net.bind("TokenConverter", net.contracts.deployment.token_converter or "")
    (event,) = logs.events.Conversion().get_logs(from_block=0)
    assert event["args"]["user"] == ACCOUNTS[STAKER]


def test_converting_more_woxen_than_held_is_refused_up_front(net: Net, sesh: Sesh) -> None:
    with nothing_sent(net, STAKER, net.converter.address, net.woxen):
        result = sesh("convert", "--amount", "100001", signer=STAKER)
        result.refused(
            "convert", f"error: {ACCOUNTS[STAKER]} holds 100,000 wOXEN, 100,001 wOXEN needed"
        )


def test_a_conversion_beyond_the_converters_stock_is_refused_before_approving(
    net: Net, sesh: Sesh
) -> None:
    # The deployer holds most of the stand-in's wOXEN; the converter only 10,000,000 SESH.
    with nothing_sent(net, 0, net.converter.address, net.woxen):
        result = sesh("convert", "--amount", "20000002", signer=0)
        result.refused("convert", 'TokenConverter refused: "Insufficient Token B in contract"')
        assert "approved" not in result.out


# -- input mistakes ----------------------------------------------------------------------------


def test_bad_input_is_one_clear_line_and_exit_2(net: Net, sesh: Sesh) -> None:
    node = net.example_node.address
    sesh("convert", "--amount", "12.3.4", signer=STAKER).usage_error(
        "convert", "--amount: '12.3.4' is not an amount of wOXEN"
    )
    sesh("stake", "--amount", "5", signer=STAKER).usage_error(
        "stake", "--amount goes with --contract"
    )
    sesh("stake", "--contract", node, signer=STAKER).usage_error(
        "stake", "--contract needs --amount"
    )
    sesh("contribution", "create", "--fee", "150", signer=STAKER).usage_error(
        "contribution create", "--fee: '150': a fee is between 0 and 100 percent"
    )
    sesh("contribution", "contribute", node, "--amount", "1", "--beneficiary", "me",
         signer=STAKER).usage_error(
        "contribution contribute", "--beneficiary 'me' is not an address"
    )  # fmt: skip
    sesh(
        "vesting", "create", "--beneficiary", ACCOUNTS[STAKER], "--amount", "1",
        "--start", "+2d", "--end", "+1d", signer=0,
    ).usage_error("vesting create", "is before --start")  # fmt: skip


def test_missing_node_keys_are_one_line(sesh: Sesh, tmp_path: Path) -> None:
    result = sesh("stake", "--keys", str(tmp_path / "none"), signer=STAKER)
    result.refused("stake", "key_bls not found (make keys with `sesh keys new`)")


def test_without_a_deployment_the_verbs_point_at_the_devnet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no devnet-data here
    code = main(["contribution", "show", "0x000000000000000000000000000000000000dEaD"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "sesh contribution show: error: no deployment record at devnet-data/contracts.json: "
        "run `sesh devnet` in this directory, or name a record with --deployment FILE"
    )


def test_the_real_command_shows_and_refuses_in_one_line(net: Net) -> None:
    node = net.example_node.address
    common = ["--deployment", str(net.record), "--rpc", net.rpc_url]
    command = [sys.executable, "-m", "sesh.cli"]
    shown = subprocess.run(
        [*command, "contribution", "show", node, *common],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "minimum contribution 8.75 SESH" in shown.stdout
    env = {**os.environ, KEY_ENV: dev_keys()[STAKER].private_key}
    refused = subprocess.run(
        [*command, "stake", "--contract", node, "--amount", "1", *common, "--key-env", KEY_ENV],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "sesh stake: error: ServiceNodeContribution refused: ContributionBelowMinAmount("
        )
    )
    assert "Traceback" not in refused.stderr
    assert dev_keys()[STAKER].private_key[2:] not in refused.stdout + refused.stderr


# -- refusals that used to send something, or say it in codes ----------------------------------


def test_create_with_a_registered_key_is_refused_before_anything_is_sent(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    keys = str(node_keys())
    assert sesh("stake", "--keys", keys, signer=STAKER).code == 0
    with nothing_sent(net, OPERATOR_B, net.contracts.deployment.contribution_factory or ""):
        result = sesh("contribution", "create", "--keys", keys, "--amount", "30", signer=OPERATOR_B)
        result.refused(
            "contribution create", f"is already registered in ServiceNodeRewards as node {NEW_NODE}"
        )
        assert "created" not in result.out


def test_contributing_to_a_node_registered_by_other_means_is_refused(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    keys = str(node_keys())
    created = sesh("contribution", "create", "--keys", keys, "--amount", "30", signer=OPERATOR_B)
    address = created.created()
    # sesh refuses a solo stake of these keys now (below); another tool may not.
    register_directly(net, Path(keys), STAKER)
    with nothing_sent(net, STAKER_B, address):
        result = sesh("contribution", "contribute", address, "--amount", "20", signer=STAKER_B)
        result.refused("contribution contribute", f"contract {address} could never complete")
    lock = net.example_lock.address
    with nothing_sent(net, BENEFICIARY, address):
        sesh(
            "vesting", "stake", lock, "--contract", address, "--amount", "20", signer=BENEFICIARY
        ).refused("vesting stake", f"contract {address} could never complete")


def register_directly(net: Net, keys: Path, signer: int) -> None:
    """Register the node in ``keys`` solo by calling ServiceNodeRewards directly, as any other
    tool could, without sesh's checks."""
    node, staker = NodeKeys.load(keys), ACCOUNTS[signer]
    requirement = net.rewards.functions.stakingRequirement().call()
    signed = node.sign_registration(staker, net.chain.w3.eth.chain_id, net.rewards.address)
    net.chain.transact(net.token.functions.approve(net.rewards.address, requirement), staker)
    net.chain.transact(
        net.rewards.functions.addBLSPublicKey(
            signed.bls_public_key.to_contract(),
            signed.proof_of_possession.to_contract(),
            signed.service_node_params(),
            [],
        ),
        staker,
    )


def test_keys_an_open_contract_collects_for_are_not_staked_again(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    keys = str(node_keys())
    address = sesh(
        "contribution", "create", "--keys", keys, "--amount", "30", signer=OPERATOR_B
    ).created()
    with nothing_sent(net, STAKER, net.rewards.address):
        sesh("stake", "--keys", keys, signer=STAKER).refused(
            "stake", f"the contribution contract {address} already collects the stake"
        )
    with nothing_sent(net, STAKER_B, net.contracts.deployment.contribution_factory or ""):
        sesh("contribution", "create", "--keys", keys, signer=STAKER_B).refused(
            "contribution create", "another contribution contract for it would strand"
        )


def test_an_operators_first_contribution_below_its_minimum_creates_nothing(
    net: Net, sesh: Sesh, node_keys: Callable[[], Path]
) -> None:
    factory = net.contracts.deployment.contribution_factory or ""
    with nothing_sent(net, OPERATOR_B, factory):
        sesh(
            "contribution", "create", "--keys", str(node_keys()), "--amount", "5",
            signer=OPERATOR_B,
        ).usage_error(
            "contribution create",
            "--amount 5 SESH is below the operator's minimum contribution, 30 SESH "
            "(a quarter of the 120 SESH stake)",
        )  # fmt: skip
        sesh(
            "contribution", "create", "--keys", str(node_keys()), "--amount", "121",
            signer=OPERATOR_B,
        ).usage_error(
            "contribution create", "--amount 121 SESH is above the stake, 120 SESH"
        )  # fmt: skip


def test_withdrawing_without_a_contribution_sends_nothing(net: Net, sesh: Sesh) -> None:
    node = net.example_node.address
    with nothing_sent(net, STAKER, node):
        sesh("contribution", "withdraw", node, signer=STAKER).refused(
            "contribution withdraw", "has no contribution in"
        )


def test_a_locks_contribution_is_withdrawn_back_into_the_lock(net: Net, sesh: Sesh) -> None:
    lock, node = net.example_lock.address, net.example_node.address
    staked = sesh(
        "vesting", "stake", lock, "--contract", node, "--amount", "10", signer=BENEFICIARY
    )
    assert staked.code == 0, staked.err
    net.chain.mine(net.chain.timestamp() + 86_401)  # the contract's withdrawal delay
    done = sesh("vesting", "withdraw", lock, "--contract", node, "--json", signer=BENEFICIARY)
    assert done.code == 0, done.err
    outcome = json.loads(done.out)
    assert outcome["withdrawn"] == 10 * SESH and outcome["balance"] == 1_000 * SESH
    assert net.example_node.functions.contributions(lock).call() == 0
    sesh("vesting", "withdraw", lock, "--contract", node, signer=BENEFICIARY).refused(
        "vesting withdraw", "has no contribution in"
    )


def test_a_missing_keystore_is_said_before_any_password_is_asked(
    sesh: Sesh, tmp_path: Path
) -> None:
    missing = tmp_path / "none.json"
    sesh("convert", "--amount", "1", "--keystore", str(missing)).usage_error(
        "convert", f"no keystore file at {missing}"
    )
