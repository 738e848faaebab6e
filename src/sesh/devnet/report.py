"""What a running devnet tells its user: the human summary and the one ``--json`` line.

Kept apart from the work of starting things so that both outputs are built from one dict
(``describe``): the JSON object is that dict as is, and the human text only lays it out, so the
two can never disagree about an address or a balance.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sesh.cli.shell.output import table
from sesh.devnet.contracts import DEV_ACCOUNT_WOXEN, DevnetContracts
from sesh.devnet.examples import (
    OPEN_NODE_OPERATOR,
    OPEN_NODE_OPERATOR_STAKE,
    OPEN_NODE_RESERVED_FOR,
    OPEN_NODE_RESERVED_STAKE,
    VESTING_AMOUNT,
    VESTING_BENEFICIARY,
)
from sesh.devnet.layout import EXAMPLES_FILE
from sesh.devnet.seeding import staker_of
from sesh.evm.anvil import DEV_MNEMONIC, DevAccount
from sesh.units import format_amount, format_time, plain_amount

if TYPE_CHECKING:
    from sesh.evm.anvil import Anvil

HISTORY_NOTE = (
    "anvil restores blocks, receipts and the latest state after a restart, "
    "but not the state at older blocks"
)


def describe(
    chain: Anvil,
    data_dir: Path,
    accounts: list[DevAccount],
    contracts: DevnetContracts,
    lost_blocks: list[int],
) -> dict[str, Any]:
    """Everything a user or a script needs to use the devnet; the --json output as is."""
    assert chain.state_file is not None
    deployment = contracts.deployment
    genesis = contracts.genesis
    return {
        "rpc_url": chain.rpc_url,
        "chain_id": chain.chain_id,
        "hardfork": chain.hardfork,
        "data_dir": str(data_dir),
        "state_file": str(chain.state_file),
        "log_file": str(chain.log_file),
        "resumed": chain.resumed,
        "recovered_from_backup": chain.recovered_from_backup,
        "restored_block": chain.restored_block,
        "lost_blocks": lost_blocks,
        "anvil_pid": chain.pid,
        "note": HISTORY_NOTE,
        "mnemonic": DEV_MNEMONIC,
        "profile": deployment.profile,
        "contracts": deployment.contracts,
        "implementations": deployment.implementations,
        "contracts_file": str(contracts.path),
        "contracts_deployed": contracts.deployed,
        "contracts_completed": contracts.completed,
        "rewards_started": contracts.started,
        "examples": contracts.examples.to_json(),
        "examples_file": str(data_dir / EXAMPLES_FILE),
        "genesis": str(genesis.path) if genesis else None,
        "genesis_l2_block": genesis.genesis.l2_block.number if genesis else None,
        "node_keys": [node.to_json() for node in genesis.nodes] if genesis else [],
        "accounts": [
            {
                "index": account.index,
                "address": account.address,
                "private_key": account.private_key,
                # Strings: 10,000 ETH in wei does not fit a JavaScript number.
                "balance_wei": str(account.balance_wei),
                "balance_eth": format(account.balance_eth.normalize(), "f"),
                "balance_sesh": plain_amount(contracts.sesh_balances.get(account.address, 0)),
                "balance_woxen": plain_amount(contracts.woxen_balances.get(account.address, 0)),
            }
            for account in accounts
        ],
    }


def print_human(info: dict[str, Any], accounts: list[DevAccount], out: TextIO) -> None:
    if info["recovered_from_backup"]:
        state = "resumed from the backup (the state file was damaged; see chain/*.corrupt)"
    elif info["resumed"]:
        state = "resumed from the saved state"
    else:
        state = "started fresh"
    if info["lost_blocks"]:
        state += f", {len(info['lost_blocks'])} block(s) lost (see the warning above)"
    rows = [
        ("RPC URL", info["rpc_url"]),
        ("chain id", str(info["chain_id"])),
        ("hardfork", info["hardfork"]),
        ("data dir", info["data_dir"]),
        ("chain", state),
        ("anvil log", info["log_file"]),
    ]
    print("sesh devnet is running\n", file=out)
    for label, value in rows:
        print(f"  {label:<10} {value}", file=out)
    print(f"  {'':<10} ({info['note']})", file=out)

    how = "deployed now" if info["contracts_deployed"] else "deployed by an earlier run"
    if info["contracts_completed"]:
        how += ", completed now"
    print(f"\nContracts (profile {info['profile']}, {how}; {info['contracts_file']}):\n", file=out)
    width = max(len(name) for name in info["contracts"])
    for name, address in info["contracts"].items():
        notes = []
        if name in info["implementations"]:
            notes.append(f"proxy; implementation {info['implementations'][name]}")
        if name == "ServiceNodeRewards":
            notes.append("started" if info["rewards_started"] else "not started")
        if name == "ServiceNodeContributionFactory":
            clones = info["implementations"].get("ServiceNodeContribution")
            notes.append(f"contribution contracts run {clones}")
        if name == "wOXEN":
            notes.append("stand-in for the old token")
        note = f"  ({'; '.join(notes)})" if notes else ""
        print(f"  {name:<{width}} {address}{note}", file=out)

    node, lock = info["examples"]["open_contribution"], info["examples"]["vesting_lock"]
    indent = " " * 16
    print(f"\nExamples to play with ({info['examples_file']}):\n", file=out)
    print(
        f"  open node     {node['address']}  ServiceNodeContribution, open for contributions\n"
        f"{indent}operator {node['operator']} (account {OPEN_NODE_OPERATOR}) has put in "
        f"{format_amount(OPEN_NODE_OPERATOR_STAKE)}\n"
        f"{indent}{format_amount(OPEN_NODE_RESERVED_STAKE)} reserved for {node['reserved_for']} "
        f"(account {OPEN_NODE_RESERVED_FOR})\n"
        f"{indent}sesh contribution show {node['address']}",
        file=out,
    )
    print(
        f"  vesting lock  {lock['address']}  TokenVestingStaking, "
        f"{format_amount(VESTING_AMOUNT)} for {lock['beneficiary']} (account "
        f"{VESTING_BENEFICIARY})\n"
        f"{indent}staking open now; everything released at its end, {format_time(lock['end'])}\n"
        f"{indent}sesh vesting show {lock['address']}",
        file=out,
    )
    print(
        f"  wOXEN         accounts 1 to 9 hold {format_amount(DEV_ACCOUNT_WOXEN, 'wOXEN')} each: "
        "sesh convert --amount 1000 --key-env VAR",
        file=out,
    )

    if info["genesis"]:
        print(
            f"\nSeeded nodes (genesis {info['genesis']}, L2 block {info['genesis_l2_block']}):\n",
            file=out,
        )
        node_rows = []
        for node in info["node_keys"]:
            keys = Path(node["dir"])
            index = int(keys.parent.name)
            node_rows.append(
                [str(index), node["ed25519"], f"account {staker_of(index)}", str(keys)]
            )
        headers = ["#", "Ed25519 key", "staked by", "keys"]
        print(textwrap.indent(table(node_rows, headers, right=(0,)), "  "), file=out)

    print(f'\nFunded dev accounts (public test keys, mnemonic "{info["mnemonic"]}"):\n', file=out)
    account_rows = [
        [
            str(account.index),
            account.address,
            f"{account.balance_eth:,.4f}",
            f"{Decimal(shown['balance_sesh']):,}",
            account.private_key,
        ]
        for account, shown in zip(accounts, info["accounts"], strict=True)
    ]
    headers = ["#", "address", "balance (ETH)", "SESH", "private key"]
    print(textwrap.indent(table(account_rows, headers, right=(0, 2, 3)), "  "), file=out)
    print("\nPress Ctrl-C to stop; the chain state is kept for the next `sesh devnet`.", file=out)
    out.flush()
