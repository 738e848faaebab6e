"""bench/gas.py section `tokens`: SESH and RewardRatePool transactions.

Every figure is ``receipt.gasUsed`` of a real transaction on a fresh anvil (hardfork cancun, the
reference table's), so it includes the 21,000 base and the calldata. The reference column is
reference/gas.md §2 (the ERC-20 rows were measured on the reference's MockERC20, an OpenZeppelin
ERC20; the pool row through its transparent proxy). "–" means the reference has no such row.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gas_table import Row, Section, simple_section
from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.artifacts import compile_contract
from sesh.evm.chain import Chain
from sesh.evm.permit import sign_permit

ROOT = Path(__file__).resolve().parents[1]
SUPPLY = 240_000_000 * 10**9
POOL_DEPOSIT = 40_000_000 * 10**9
HOUR = 3_600


def measure() -> list[Row]:
    sesh = compile_contract(ROOT / "contracts" / "SESH.vy")
    pool_artifact = compile_contract(ROOT / "contracts" / "RewardRatePool.vy")
    with Anvil(port=0) as node:
        chain = Chain(node.rpc_url)
        deployer, holder, fresh, spender, receiver = chain.accounts[:5]
        token = chain.deploy(sesh, SUPPLY, holder, deployer, deployer)
        functions = token.functions

        def gas(function: Any, sender: str) -> int:
            return int(chain.transact(function, sender)["gasUsed"])

        # holder → a never-funded address: a zero balance slot becomes non-zero.
        transfer_fresh = gas(functions.transfer(fresh, 10**9), holder)
        # holder → the same address again: both balance slots already non-zero.
        transfer_existing = gas(functions.transfer(fresh, 10**9), holder)
        # a first allowance: zero slot becomes non-zero.
        approve_fresh = gas(functions.approve(spender, 10 * 10**9), holder)
        # the spender moves part of it to an existing holder (allowance stays non-zero).
        transfer_from = gas(functions.transferFrom(holder, fresh, 10**9), spender)
        # a permit by a holder with nonce 0 for a new spender: nonce and allowance slots fresh.
        owner_key = dev_keys()[1]
        signed = sign_permit(
            owner_key.private_key,
            token=token.address,
            chain_id=chain.w3.eth.chain_id,
            owner=owner_key.address,
            spender=receiver,
            value=10**9,
            nonce=0,
            deadline=chain.timestamp() + HOUR,
        )
        permit = gas(signed.call(token), receiver)

        pool, _ = chain.deploy_upgradeable(
            pool_artifact, args=[receiver, token.address], sender=deployer
        )
        chain.transact(functions.transfer(pool.address, POOL_DEPOSIT), holder)
        for _ in range(2):  # the first payout makes the totals non-zero; measure the second
            chain.set_next_timestamp(pool.functions.lastPaidOutTime().call() + HOUR)
            payout = gas(pool.functions.payoutReleased(), deployer)

    return [
        Row("SESH `transfer`, to a fresh address", 51_728, transfer_fresh),
        Row("SESH `transfer`, to an existing holder", 34_628, transfer_existing),
        Row("SESH `approve`, fresh allowance", 46_276, approve_fresh),
        Row("SESH `transferFrom`, partial allowance, existing receiver", None, transfer_from),
        Row("SESH `permit`, first permit of the owner", None, permit),
        Row("RewardRatePool `payoutReleased`, 1 h after the last payout", 77_760, payout),
    ]


def section(options: argparse.Namespace) -> Section:
    return simple_section("SESH and RewardRatePool", measure())
