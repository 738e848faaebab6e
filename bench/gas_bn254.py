"""bench/gas.py section `bn254`: the BLS building blocks of contracts/lib/bn254.vy.

Measured through a small harness contract, receipt − 21,000, over ``--samples`` random reward
messages.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path
from typing import Any

from web3 import Web3

from gas_table import Row, Section, simple_section
from sesh.bls import DomainTags, SecretKey, map_to_twist, reward_message
from sesh.evm.anvil import Anvil
from sesh.evm.compiler import compile_vyper

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "contracts" / "bn254" / "bn254_harness.vy"
BASE_TX = 21_000


def _deploy_harness(w3: Web3) -> Any:
    artifact = compile_vyper(HARNESS)
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": artifact.bytecode})
    receipt = w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.01)
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)


def _gas(w3: Web3, call: Any) -> int:
    tx = call.transact({"from": w3.eth.accounts[0], "gas": 10_000_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.01)
    assert receipt["status"] == 1
    return int(receipt["gasUsed"])


def measure(samples: int) -> list[tuple[str, str, str]]:
    with Anvil(port=0) as node:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        harness = _deploy_harness(w3)
        tags = DomainTags.for_contract(w3.eth.chain_id, harness.address)
        sk = SecretKey.from_int(0x5E55)
        pk = list(sk.public_key().to_contract())
        by_counter: dict[int, list[int]] = {}
        hashes, clears, verifies = [], [], []
        for i in range(samples):
            message = reward_message(tags, "0x" + os.urandom(20).hex(), 10**9 + i)
            point, counter, _ = map_to_twist(message, tags.hash_to_g2)
            h = _gas(w3, harness.functions.hash_tx(message, tags.hash_to_g2)) - BASE_TX
            by_counter.setdefault(counter, []).append(h)
            hashes.append(h)
            clears.append(_gas(w3, harness.functions.clear_tx(list(point.to_contract()))) - BASE_TX)
            sig = list(sk.sign(message, tags.hash_to_g2).to_contract())
            verifies.append(
                _gas(w3, harness.functions.verify_tx(pk, message, tags.hash_to_g2, sig)) - BASE_TX
            )
    first_try = by_counter.get(0, [0])
    return [
        (
            "hash to G2, 84-byte reward message (receipt − 21,000)",
            "883,194–928,439 (avg 893,287)",
            f"{min(hashes):,}–{max(hashes):,} (avg {statistics.mean(hashes):,.0f})",
        ),
        (
            "  of which: one try of the map (counter 0)",
            "≈ 30.6k",
            f"≈ {min(first_try) - min(clears):,}",
        ),
        ("  of which: cofactor clearing", "≈ 854k", f"{int(statistics.median(clears)):,}"),
        (
            "hash + pairing check (2 pairs): one signature check (receipt − 21,000)",
            "≈ 1.01M",
            f"{min(verifies):,}–{max(verifies):,}",
        ),
    ]


def section(options: argparse.Namespace) -> Section:
    rows = [Row(name, ref, ours) for name, ref, ours in measure(options.samples)]
    return simple_section("BLS building blocks (contracts/lib/bn254.vy)", rows)
