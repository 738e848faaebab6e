"""What `show` prints, from a contract's state: pure functions over hand-made states."""

from __future__ import annotations

from dataclasses import replace

from sesh import devnet
from sesh.cli.shell.defaults import DEFAULT_RPC, DEVNET_DEPLOYMENT
from sesh.staking.contribution import (
    ContributionState,
    Contributor,
    NodeParams,
    OpenStake,
    Reservation,
    contribution_json,
    describe_contribution,
    describe_open,
)
from sesh.staking.vesting import NO_STAKING, STAKING, VestingState, describe_lock, lock_json

SESH = 10**9
OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
RESERVED = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
OTHER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
CONTRACT = "0x6F1216D1BFe15c98520CA1434FC1d9D57AC95321"
NOW = 1_767_225_600

OPEN = ContributionState(
    address=CONTRACT,
    status=1,
    operator=OPERATOR,
    node=NodeParams(bls_public_key=(1, 2), ed25519_public_key=0xED, fee=500),
    manual_finalize=False,
    stake=OpenStake(
        staking_requirement=120 * SESH,
        max_contributors=10,
        contributors=(Contributor(OPERATOR, OPERATOR, 30 * SESH),),
        reservations=(
            Reservation(OPERATOR, 30 * SESH, True),
            Reservation(RESERVED, 20 * SESH, False),
        ),
    ),
)


def test_the_verbs_default_to_the_devnets_record_and_port() -> None:
    assert DEVNET_DEPLOYMENT == devnet.DEFAULT_DATA_DIR / devnet.CONTRACTS_FILE
    assert DEFAULT_RPC.endswith(f":{devnet.DEFAULT_PORT}")


def test_an_open_contract_reads_as_what_is_open_and_the_minimum() -> None:
    text = "\n".join(describe_contribution(OPEN))
    assert "open for contributions (1)" in text
    assert "operator fee  5 %" in text
    assert "120 SESH: 30 SESH contributed, 20 SESH reserved and not yet received" in text
    assert "70 SESH open in 8 slot(s); minimum contribution 8.75 SESH" in text
    assert f"{OPERATOR} (operator)" in text
    assert "not yet received" in text and "automatic" in text
    assert "0x" + "00" * 31 + "01" + "00" * 31 + "02" in text  # the BLS key, X ‖ Y


def test_the_json_has_every_figure_as_exact_sesh() -> None:
    data = contribution_json(OPEN)
    assert data["status"] == 1 and data["fee"] == 500 and data["fee_percent"] == "5"
    assert data["open_sesh"] == "70" and data["open_slots"] == 8
    assert data["minimum_contribution_sesh"] == "8.75"
    assert data["contributors"] == [
        {"address": OPERATOR, "beneficiary": OPERATOR, "amount_sesh": "30", "operator": True}
    ]
    assert data["reserved"][1] == {"address": RESERVED, "amount_sesh": "20", "received": False}


def test_a_full_or_finalized_contract_has_nothing_open() -> None:
    contributors = (*OPEN.stake.contributors, Contributor(OTHER, OTHER, 70 * SESH))
    full = replace(OPEN, status=2, stake=replace(OPEN.stake, contributors=contributors))
    assert describe_open(full) == "nothing open: the whole stake is contributed or reserved"
    registered = replace(full, status=3)
    assert describe_open(registered) == "nothing open: the node is registered"
    assert contribution_json(registered)["minimum_contribution_sesh"] is None
    assert contribution_json(registered)["open_slots"] == 0


def test_a_beneficiary_other_than_the_contributor_is_shown() -> None:
    contributors = (Contributor(OPERATOR, OTHER, 30 * SESH),)
    state = replace(OPEN, stake=replace(OPEN.stake, contributors=contributors))
    assert f"rewards to {OTHER}" in "\n".join(describe_contribution(state))


LOCK = VestingState(
    kind=STAKING,
    address=CONTRACT,
    beneficiary=OTHER,
    revoker=None,
    revoked=False,
    transferable=False,
    opens=NOW - 60,
    end=NOW + 30 * 86_400,
    balance=1_000 * SESH,
    released=0,
    now=NOW,
)


def test_a_staking_lock_reads_as_its_schedule_and_releasable_amount() -> None:
    text = "\n".join(describe_lock(LOCK))
    assert "revoker       none (irrevocable)" in text
    assert "(passed)" in text and "(in 30 d)" in text
    assert "holds         1,000 SESH" in text
    assert "releasable    0 SESH now" in text
    ended = replace(LOCK, now=LOCK.end)
    assert lock_json(ended)["releasable_sesh"] == "1000"
    assert lock_json(LOCK)["start"] == NOW - 60


def test_a_vesting_lock_reads_as_its_cliff() -> None:
    lock = replace(LOCK, kind=NO_STAKING, opens=NOW, end=NOW + 1_000, revoker=OPERATOR)
    text = "\n".join(describe_lock(lock))
    assert "cliff" in text and "a fifth vests then" in text
    assert lock_json(lock)["releasable_sesh"] == "200"  # a fifth of 1,000 at the cliff
    assert lock_json(lock)["cliff"] == NOW
