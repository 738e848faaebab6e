"""bench/gas.py section `vesting`: TokenConverter and the vesting contracts, reference/gas.md §3.

The set is deployed as bench/gas_rewards.py deploys it (the testnet profile: stake 20,000 SESH,
ratios 3/17/9980, the 2-hour minimum exit age, the contribution factory) on a fresh anvil
(hardfork cancun) and started; a converter of its own and the locks are deployed beside it.
Every figure is ``receipt.gasUsed`` of a real
transaction, so it includes the 21,000 base and the calldata.

The reference figures come from its own test suite (hardhat-gas-reporter, min–max over the
suite), not from a benchmark with the same scenario, and two of them ran against mocks:
- its vesting ``addBLSPublicKey`` called ``MockServiceNodeRewards``, so it has no proof of
  possession check (hash to G2 and pairing, about 1M gas) and no node storage: the row shows
  what the lock adds around a real registration on our side, it does not compare;
- its vesting ``contributeFunds`` called a contribution contract wired to that mock.
Its ERC-20s are OpenZeppelin MockERC20s; ours are SESH.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3.logs import DISCARD

from gas_table import Section
from sesh.bls import DomainTags, SecretKey, proof_of_possession_message
from sesh.evm.anvil import Anvil
from sesh.evm.artifacts import compile_contract
from sesh.evm.chain import Chain
from sesh.evm.contract_set import load_artifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
SESH = 10**9
PROFILE = PROFILES["testnet"]
STAKE = PROFILE.staking_requirement
DAY = 86_400

MOCK_NOTE = "reference against MockServiceNodeRewards: no PoP check, no node storage"


@dataclass(frozen=True)
class Row:
    """One measured transaction."""

    operation: str
    case: str
    reference: int | tuple[int, int] | None
    """gas.md §3: one figure, a (min, max) range over the reference suite, or None."""
    ours: int
    note: str = ""


def measure() -> list[Row]:
    """Every row, from one fresh anvil."""
    artifacts = load_artifacts()
    converter_artifact = compile_contract(CONTRACTS / "TokenConverter.vy")
    staking_artifact = compile_contract(CONTRACTS / "TokenVestingStaking.vy")
    no_staking_artifact = compile_contract(CONTRACTS / "TokenVestingNoStaking.vy")
    rows: list[Row] = []
    with Anvil(port=0) as node:
        chain = Chain(node.rpc_url)
        owner, holder, beneficiary, operator = chain.accounts[:4]
        deployment = deploy(chain, PROFILE, artifacts, start=True)
        token = chain.contract(deployment.sesh, artifacts.sesh)
        rewards = chain.contract(deployment.service_node_rewards, artifacts.service_node_rewards)
        tags = DomainTags.for_contract(chain.w3.eth.chain_id, rewards.address)

        def gas(call: Any, sender: str) -> int:
            return int(chain.transact(call, sender)["gasUsed"])

        # -- TokenConverter: a second SESH stands in for wOXEN, rate 1/2 as deployed ----------
        old_token = chain.deploy(artifacts.sesh, 240_000_000 * SESH, owner, owner, owner)
        tge = chain.timestamp()
        converter = chain.deploy(
            converter_artifact, old_token.address, token.address, 1, 2, tge, 1, 4
        )
        chain.transact(token.functions.approve(converter.address, 2**256 - 1), owner)
        chain.transact(converter.functions.depositTokenB(1_000_000 * SESH), owner)
        chain.transact(old_token.functions.transfer(holder, 1_000 * SESH), owner)
        # As the reference's suite: the holder approves exactly two conversions.
        amount = 10 * SESH
        chain.transact(old_token.functions.approve(converter.address, 2 * amount), holder)
        convert = converter.functions.convertTokens(amount)
        rows.append(
            Row(
                "TokenConverter.convertTokens",
                "first of two approved (holder's SESH and converter's wOXEN balances were zero)",
                107_135,
                gas(convert, holder),
                "reference: suite maximum",
            )
        )
        rows.append(
            Row(
                "TokenConverter.convertTokens",
                "second (every balance non-zero; the allowance drops to zero)",
                63_335,
                gas(convert, holder),
                "reference: suite minimum",
            )
        )

        # -- the locks -------------------------------------------------------------------------
        start = chain.timestamp() + 100
        end = start + 365 * DAY

        def staking_lock(grant: int, factory: str) -> Any:
            lock = chain.deploy(
                staking_artifact,
                beneficiary,
                owner,
                start,
                end,
                True,
                rewards.address,
                factory,
                token.address,
            )
            chain.transact(token.functions.transfer(lock.address, grant), owner)
            return lock

        def pop_for(secret: SecretKey, ed25519: int, operator_address: str) -> Any:
            message = proof_of_possession_message(
                tags, secret.public_key(), operator_address, ed25519
            )
            return secret.sign(message, tags.hash_to_g2).to_contract()

        assert deployment.contribution_factory is not None
        factory = chain.contract(deployment.contribution_factory, artifacts.contribution_factory)
        lock = staking_lock(2 * STAKE, factory.address)
        no_staking = chain.deploy(no_staking_artifact, beneficiary, owner, start, end, True)
        chain.transact(token.functions.transfer(no_staking.address, 1_000 * SESH), owner)
        chain.mine(start)

        secret, ed25519 = SecretKey.from_int(0xBE_4C_0001), 0xED_BE_0001
        register = lock.functions.addBLSPublicKey(
            secret.public_key().to_contract(),
            pop_for(secret, ed25519, lock.address),
            (ed25519, 0, 0, 0),
            beneficiary,
        )
        rows.append(
            Row(
                "TokenVestingStaking.addBLSPublicKey",
                "solo node from the lock, real ServiceNodeRewards (PoP checked)",
                265_000,
                gas(register, beneficiary),
                MOCK_NOTE + " (≈265k)",
            )
        )

        rows.extend(
            _contribution_rows(
                chain,
                factory,
                artifacts.service_node_contribution,
                token,
                lock,
                pop_for,
                operator,
                gas,
            )
        )

        chain.mine(start + (end - start) // 2)
        rows.append(
            Row(
                "TokenVestingNoStaking.release",
                "midway, first release (beneficiary's balance was zero)",
                None,
                gas(no_staking.functions.release(token.address), beneficiary),
            )
        )
        chain.mine(end)
        rows.append(
            Row(
                "TokenVestingNoStaking.release",
                "at the end, the rest (every balance non-zero)",
                None,
                gas(no_staking.functions.release(token.address), beneficiary),
            )
        )
        fresh = chain.accounts[8]
        chain.transact(lock.functions.transferBeneficiary(fresh), beneficiary)
        rows.append(
            Row(
                "TokenVestingStaking.release",
                "at the end, whole balance to a beneficiary holding no SESH",
                58_046,
                gas(lock.functions.release(token.address), fresh),
            )
        )
    return rows


def _contribution_rows(
    chain: Chain,
    factory: Any,
    contribution_artifact: Any,
    token: Any,
    lock: Any,
    pop_for: Callable[[SecretKey, int, str], Any],
    operator: str,
    gas: Callable[[Any, str], int],
) -> list[Row]:
    """contributeFunds from the lock: a public share, then one that fills the node."""
    owner = chain.accounts[0]
    chain.transact(token.functions.transfer(operator, STAKE), owner)
    secret, ed25519 = SecretKey.from_int(0xC0_4C_0001), 0xED_C0_0001
    receipt = chain.transact(
        factory.functions.deploy(
            secret.public_key().to_contract(),
            pop_for(secret, ed25519, operator),
            (ed25519, 0, 0, 0),
            [],
            False,
        ),
        operator,
    )
    (event,) = factory.events.NewServiceNodeContributionContract().process_receipt(
        receipt, errors=DISCARD
    )
    contribution = chain.contract(event.args.contributorContract, contribution_artifact)
    quarter = STAKE // 4
    chain.transact(token.functions.approve(contribution.address, quarter), operator)
    chain.transact(contribution.functions.contributeFunds(quarter, operator), operator)
    beneficiary = lock.functions.beneficiary().call()
    public = lock.functions.contributeFunds(contribution.address, quarter, beneficiary)
    filling = lock.functions.contributeFunds(contribution.address, 2 * quarter, beneficiary)
    return [
        Row(
            "TokenVestingStaking.contributeFunds",
            "25 % public contribution from the lock, not filling",
            (100_831, 178_817),
            gas(public, beneficiary),
            "reference: suite range, contribution contract on the mock rewards",
        ),
        Row(
            "TokenVestingStaking.contributeFunds",
            "filling 50 % from the lock + auto-finalize (registers the node, PoP checked)",
            None,
            gas(filling, beneficiary),
        ),
    ]


def _fmt(value: int | tuple[int, int] | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, tuple):
        return f"{value[0]:,}–{value[1]:,}"
    return f"{value:,}"


def table(rows: list[Row]) -> str:
    """The rows as a markdown table, with the notes numbered below it."""
    notes: list[str] = []
    lines = ["| operation | case | reference | ours |", "|---|---|---|---|"]
    for row in rows:
        marker = ""
        if row.note:
            if row.note not in notes:
                notes.append(row.note)
            marker = f" [{notes.index(row.note) + 1}]"
        lines.append(
            f"| {row.operation} | {row.case} | {_fmt(row.reference)}{marker} | **{row.ours:,}** |"
        )
    lines.append("")
    lines.extend(f"[{i}] {note}" for i, note in enumerate(notes, 1))
    return "\n".join(lines)


def section(options: argparse.Namespace) -> Section:
    """The rows as a bench/gas.py section; a row against the reference's mocks never counts as
    over (it does not compare)."""
    rows = measure()
    over = [
        f"{row.operation}, {row.case}"
        for row in rows
        if row.reference is not None
        and not row.note.startswith(MOCK_NOTE)
        and row.ours > (row.reference[1] if isinstance(row.reference, tuple) else row.reference)
    ]
    return Section("TokenConverter and vesting", table(rows), over)
