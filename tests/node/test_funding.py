"""Funding: the node calls the pool's payoutReleased() on a schedule and warns when the ledger has
issued more than the pool has released."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sesh.cli import main
from sesh.evm.chain import Chain
from sesh.l2.position import BlockRef
from sesh.node.funding import Funding, PoolView, check_funding, evm_payer

from .conftest import SESH, Network, make_cluster, make_tracker, seed_genesis

# -- the check (pure) ----------------------------------------------------------------------------


def view(paid_out: int, released: int) -> PoolView:
    return PoolView(l2_height=10, paid_out=paid_out, released=released, contract_balance=0)


def test_issued_within_the_release_is_covered() -> None:
    check = check_funding(5, issued=900, view=view(paid_out=700, released=1_000))
    assert not check.ahead and check.shortfall == 0
    assert check.unpaid == 300  # a payoutReleased() away


def test_issued_beyond_the_release_is_flagged_with_the_shortfall() -> None:
    check = check_funding(5, issued=1_250, view=view(paid_out=1_000, released=1_000))
    assert check.ahead and check.shortfall == 250
    assert "250 more than the pool has released" in check.message()
    assert check.to_json()["ahead"] is True


def test_impossible_figures_are_refused() -> None:
    with pytest.raises(ValueError):
        check_funding(5, issued=1, view=view(paid_out=10, released=5))


def test_funding_reads_through_a_call_reader_and_records_through_a_writer() -> None:
    """No node, store or tracker: three calls at the safe block in, two status entries out."""
    answers = {"totalPaidOut()": 700, "calculateReleasedAmount()": 1_000, "balanceOf(address)": 5}
    asked: list[tuple[int, int]] = []

    def calls_at(calls: Sequence[tuple[str, bytes]], at: BlockRef) -> list[bytes]:
        asked.append((at.number, len(calls)))
        return [value.to_bytes(32, "big") for value in answers.values()]

    recorded: dict[str, Any] = {}
    funding = Funding(
        pool="0x" + "11" * 20,
        token="0x" + "22" * 20,
        rewards="0x" + "33" * 20,
        calls_at=calls_at,
        record=recorded.__setitem__,
        payer=lambda: "0xfeed",
        check_interval=0,
    )
    funding.after_block(7, 1_200, None)  # no safe block yet: paid, not checked
    assert recorded["payout"]["tx"] == "0xfeed" and "funding" not in recorded and not asked
    funding.after_block(8, 1_200, BlockRef(40, b"\x01" * 32))
    assert asked == [(40, 3)]
    assert recorded["funding"]["shortfall"] == 200 and recorded["funding"]["height"] == 8


# -- on anvil --------------------------------------------------------------------------------------


@pytest.mark.anvil
def test_the_node_pays_out_and_warns_while_the_ledger_is_ahead_of_the_pool(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    net = network
    s1 = net.chain.accounts[1]
    first, genesis = seed_genesis(net, s1)
    net.start()
    tracker = make_tracker(net)
    data_dir = tmp_path / "node0"
    payer = evm_payer(Chain(net.chain.rpc_url), net.deployment.reward_rate_pool)
    funding = Funding(
        pool=net.deployment.reward_rate_pool,
        token=net.deployment.sesh,
        rewards=net.deployment.service_node_rewards,
        calls_at=tracker.calls_at,
        record=lambda key, value: None,  # the store's, once the node has opened it
        payer=payer,
        payout_interval=3_600,  # once, at the first block
        check_interval=0,
    )
    node = make_cluster(net, tmp_path, first, genesis, funding=funding)
    # The node records through its store, as `sesh node run` makes it.
    funding.record = node.store.set_status
    net.chain.mine(net.chain.timestamp() + 10)  # the pool has released ten seconds' worth

    node.step()
    paid_out = int(net.pool.functions.totalPaidOut().call())
    assert paid_out > 0
    payout = node.store.status()["payout"]["value"]
    assert payout["tx"].startswith("0x") and "error" not in payout

    # Blocks back to back (the test's clock) issue a block's worth of rewards each while the L2
    # clock stands still: the ledger runs ahead of the pool.
    node.steps(60)
    check = funding.last_check
    assert check is not None and check.ahead and check.issued > 5 * SESH
    assert main(["node", "status", "--data-dir", str(data_dir)]) == 0
    assert "WARNING        the ledger has issued" in capsys.readouterr().out

    # An hour of L2 time releases far more than that: covered again.
    net.chain.mine(net.chain.timestamp() + 3_600)
    node.step()
    check = funding.last_check
    assert check is not None and not check.ahead and check.unpaid > 0
    assert main(["node", "status", "--data-dir", str(data_dir), "--json"]) == 0
    assert "WARNING" not in capsys.readouterr().out
    node.close()
