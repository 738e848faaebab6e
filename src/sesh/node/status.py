"""What `sesh node status` shows, and the summary the node writes with every block for it.

The node computes a small summary of the chain after each block (`chain_summary`) and stores
it in the block's transaction; the funding check and the last payout are stored as they happen.
`read_status` reads only the store (read-only, while the node runs), so status never needs the
ledger in memory, an RPC endpoint or the node's lock; `format_status` prints it for people.
"""

from __future__ import annotations

import fcntl
import time
from pathlib import Path
from typing import Any

from sesh.evm.addresses import to_checksum
from sesh.ledger import UNITS_PER_ATOM, NodeState, conservation
from sesh.ledger.records import RemovalKind
from sesh.ledger.state import LedgerState
from sesh.units import format_amount, format_moment

LOCK_FILE = "node.lock"
"""Held (flock) by the running node: a second node on the same data dir is refused, and status
tells whether one runs."""


def chain_summary(
    ledger: LedgerState,
    *,
    produced_at: float,
    l2: dict[str, Any],
    unconfirmed_events: int,
    rewards: dict[str, Any],
) -> dict[str, Any]:
    """The chain after the newest block, as JSON-ready values (O(nodes): a count per state)."""
    active = decommissioned = unlocking = 0
    for node in ledger.nodes.values():
        if node.state is NodeState.ACTIVE:
            active += 1
        else:
            decommissioned += 1
        if node.requested_unlock_height:
            unlocking += 1
    exited = sum(1 for e in ledger.removed.values() if e.kind is RemovalKind.EXIT)
    return {
        "height": ledger.height,
        "blockHash": "0x" + ledger.block_hash.hex(),
        "stateHash": "0x" + ledger.state_hash.hex(),
        "l2Height": ledger.l2_height,
        "producedAt": produced_at,
        "nodes": {
            "active": active,
            "decommissioned": decommissioned,
            "unlocking": unlocking,
            "payable": ledger.payable_count,
            "recentlyRemoved": len(ledger.removed),
            "recentlyRemovedExit": exited,
            "recentlyRemovedDeregistered": len(ledger.removed) - exited,
            "purged": len(ledger.purged),
        },
        "pendingEvents": len(ledger.pending),
        "unconfirmedL2Events": unconfirmed_events,
        "stakingRequirement": ledger.staking_requirement,
        "issued": ledger.issued,
        "rewards": rewards,
        "l2": l2,
    }


def rewards_summary(ledger: LedgerState) -> dict[str, Any]:
    """issued = paid + dust (`sesh.ledger.conservation`, O(nodes)), at the current height; dust
    is exact, in units of 10⁻¹⁸ atom."""
    c = conservation(ledger)
    dust_units = c.dust * UNITS_PER_ATOM
    assert dust_units.denominator == 1
    return {
        "height": ledger.height,
        "issued": c.issued,
        "paid": c.paid,
        "dustUnits": int(dust_units),
        "returnedStakes": ledger.stake_credited,
    }


# -- reading ---------------------------------------------------------------------------------------


def node_running(data_dir: Path) -> bool:
    """Whether a node holds the data dir's lock now."""
    path = data_dir / LOCK_FILE
    if not path.exists():
        return False
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def read_status(data_dir: Path) -> dict[str, Any]:
    """Everything `sesh node status` shows, from the store alone. Raises `StoreError`."""
    from sesh.node.store import Store

    with Store.open(data_dir, readonly=True) as store:
        meta = store.meta()
        summary = store.summary()
        status = store.status()
        position = store.position()
        accounts = store.account_count()
        snapshots = store.snapshot_heights()
    funding = status.get("funding", {}).get("value")
    payout = status.get("payout", {}).get("value")
    keys = status.get("keys", {}).get("value")
    warnings = []
    if keys and keys.get("registered") is False:
        warnings.append(
            f"the node's keys in {keys.get('directory')} are not registered in the rewards "
            "contract (checked at start)"
        )
    if funding and funding.get("ahead"):
        warnings.append(funding.get("message"))
    if summary and summary.get("l2", {}).get("error"):
        warnings.append(f"last L2 poll failed: {summary['l2']['error']}")
    return {
        "dataDir": str(data_dir),
        "running": node_running(data_dir),
        "chainId": meta.get("chainId"),
        "rewardsContract": meta.get("rewardsContract"),
        "profile": meta.get("profile"),
        "producer": meta.get("producer"),
        "chain": summary,
        "l2SafeHeight": (
            position[1].safe.number if position is not None and position[1].safe else None
        ),
        "accounts": accounts,
        "snapshots": snapshots,
        "funding": funding,
        "payout": payout,
        "keys": keys,
        "warnings": warnings,
    }


def _when(timestamp: float | None, now: float) -> str:
    return "-" if timestamp is None else format_moment(timestamp, now)


def _or(value: Any, unknown: str) -> str:
    """``value`` as text, or words for what is not known (never "None")."""
    return unknown if value is None else str(value)


def _l2_line(info: dict[str, Any], l2: dict[str, Any]) -> str:
    safe = _or(info.get("l2SafeHeight"), "none yet")
    if l2.get("latest") is None:
        why = "the last poll reached no provider" if l2.get("error") else "not read yet"
        return f"L2 safe height {safe} (the chain's latest block is unknown: {why})"
    via = f", via {l2['provider']}" if l2.get("provider") else ""
    return f"L2 safe height {safe} (latest seen {l2['latest']}{via})"


def _keys_line(keys: dict[str, Any]) -> str:
    registered = keys.get("registered")
    if registered is None:
        state = "registration unknown (L2 was unreachable at start)"
    elif registered:
        state = f"registered in the rewards contract as node {keys.get('serviceNodeId')}"
    else:
        state = "NOT registered in the rewards contract"
    return f"node keys      {keys.get('directory')}: {state} (checked at start)"


def format_status(info: dict[str, Any], now: float | None = None) -> str:
    """`read_status` for people."""
    now = time.time() if now is None else now
    chain = info.get("chain")
    rewards = info.get("rewardsContract")
    lines = [
        f"node store     {info['dataDir']} ({'running' if info['running'] else 'not running'})",
        f"network        {_or(info.get('profile'), 'unknown')} profile, L2 chain "
        f"{_or(info.get('chainId'), 'unknown')}, rewards contract "
        f"{to_checksum(rewards) if rewards else 'unknown'}",
    ]
    keys = info.get("keys")
    if keys:
        lines.append(_keys_line(keys))
    if not chain:
        lines.append("no block yet")
        for warning in info.get("warnings", []):
            lines.append(f"WARNING        {warning}")
        return "\n".join(lines)
    nodes = chain["nodes"]
    rewards = chain.get("rewards") or {}
    lines += [
        f"height         {chain['height']:,}",
        f"block hash     {chain['blockHash']}",
        f"state hash     {chain['stateHash']}",
        f"last block     {_when(chain.get('producedAt'), now)}",
        _l2_line(info, chain.get("l2") or {}),
        f"nodes          {nodes['active']} active ({nodes['payable']} paid), "
        f"{nodes['decommissioned']} decommissioned, {nodes['unlocking']} unlocking, "
        f"{nodes['recentlyRemoved']} recently removed, {nodes['purged']} purged",
        f"events         {chain['pendingEvents']} pending a vote, "
        f"{chain['unconfirmedL2Events']} reported by L2 and not confirmed",
        f"requirement    {format_amount(chain['stakingRequirement'])}",
        f"issued         {format_amount(chain['issued'])}",
    ]
    if rewards:
        dust = rewards["dustUnits"] / UNITS_PER_ATOM
        lines.append(
            f"paid + dust    {format_amount(rewards['paid'])} + {dust:.6f} atoms "
            f"(at block {rewards['height']:,}; issued then {format_amount(rewards['issued'])})"
        )
    lines.append(f"accounts       {info['accounts']:,}")
    funding = info.get("funding")
    if funding:
        lines.append(
            f"funding        pool released {format_amount(funding['released'])}, paid to the "
            f"rewards contract {format_amount(funding['paidOut'])} (checked at block "
            f"{funding['height']:,})"
        )
    payout = info.get("payout")
    if payout:
        outcome = payout.get("tx") or f"failed: {payout.get('error')}"
        lines.append(f"last payout    {_when(payout.get('at'), now)}: {outcome}")
    for warning in info.get("warnings", []):
        lines.append(f"WARNING        {warning}")
    return "\n".join(lines)
