"""The node RPC's replies as plain JSON values, built from the chain and the ledger.

Pure: these functions read the objects they are given and build dicts; they take no lock and
know nothing of HTTP (`sesh.node.rpc` serves them, `sesh.node.rpc_methods` reads under the
node's lock). Conventions (docs/api.md, "Node JSON-RPC"): byte strings (hashes, keys,
signatures) are lowercase hex without ``0x``; a BLS key is 128 digits, X then Y, 32 bytes each;
Ethereum addresses keep their lowercase ``0x`` form; amounts, heights and times are JSON
integers (amounts may exceed 2^53).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sesh.l2.events as l2
from sesh.consensus.chain import Chain
from sesh.consensus.engine import ConsensusNode
from sesh.consensus.quorum import Quorum
from sesh.ledger import (
    Block,
    LedgerState,
    NodeInfo,
    PendingInfo,
    PendingItem,
    ServiceNodePurge,
    active_count,
    item_id,
    pending_events,
)
from sesh.ledger.params import FULL_SCORE, NetworkProfile
from sesh.ledger.queries import PORTIONS_FOR_OPERATOR_MAX, ExitListEntry, exit_liquidation_list
from sesh.ledger.records import RemovalKind, RemovedNode, ServiceNode

FIRST_HARD_FORK = 21
"""The reference's hard fork version the Session Network's rules start from (HF21, node.md
§2); `hard_fork` adds one for each of the profile's upgrades the chain has reached."""

UNKNOWN_NODE_FIELDS = ("last_uptime_proof", "service_node_version", "swarm_id")
"""Fields of the reference's node list that the ledger cannot know yet (uptime proofs, node
versions and swarms come with the network layer): present, always null."""


def hex_bls(key: tuple[int, int]) -> str:
    """A BLS public key as 128 lowercase hex digits: X then Y, 32 bytes each, big-endian."""
    return key[0].to_bytes(32, "big").hex() + key[1].to_bytes(32, "big").hex()


def hex_keys(keys: Iterable[bytes]) -> list[str]:
    return [key.hex() for key in keys]


def hard_fork(profile: NetworkProfile, height: int) -> int:
    return FIRST_HARD_FORK + sum(1 for _, fork in profile.hardforks if fork <= height)


# -- the chain ---------------------------------------------------------------------------------


def immutable(chain: Chain) -> tuple[int, str]:
    """The immutable height and its block hash."""
    height = chain.immutable_height()
    block_hash = chain.hash_at(height)
    assert block_hash is not None
    return height, block_hash.hex()


def info_json(
    engine: ConsensusNode,
    profile: NetworkProfile,
    *,
    pubkey: bytes,
    bls_pubkey: tuple[int, int] | None,
    version: str,
    registered: bool | None,
    l2_status: dict[str, Any] | None,
) -> dict[str, Any]:
    """get_info. `height` counts blocks as the reference does (the top block's height + 1);
    `registered` None means: as the ledger says (this node's key is in the node list)."""
    chain = engine.chain
    ledger = chain.ledger
    own = ledger.nodes.get(pubkey)
    immutable_height, immutable_hash = immutable(chain)
    requirement = ledger.staking_requirement
    current = engine.round
    return {
        "height": chain.height + 1,
        "top_block_hash": chain.tip.hex(),
        "state_hash": ledger.state_hash.hex(),
        "immutable_height": immutable_height,
        "immutable_block_hash": immutable_hash,
        "block_timestamp": ledger.timestamp,
        "pulse_target_timestamp": int(engine.target_time()),
        "pulse_round": None if current is None else current.quorum.round,
        "active_node_count": active_count(ledger),
        "node_count": len(ledger.nodes),
        "staking_requirement": requirement,
        "max_contributors": profile.max_contributors,
        "min_operator_contribution": requirement // 4,
        "l2_height": ledger.l2_height,
        "nettype": profile.nettype,
        "version": version,
        "hard_fork": hard_fork(profile, chain.height),
        "service_node": own is not None if registered is None else bool(registered),
        "service_node_active": own is not None and own.active,
        "pubkey": pubkey.hex(),
        "pubkey_bls": None if bls_pubkey is None else hex_bls(bls_pubkey),
        "stalled": engine.stalled,
        "evidence_count": len(chain.evidence),
        "l2": l2_status,
        "status": "ok",
    }


# -- blocks ----------------------------------------------------------------------------------


def block_header(block: Block, tip_height: int) -> dict[str, Any]:
    """`block_header` of get_last_block_header and get_block; `depth` is the number of blocks
    on top of it."""
    return {
        "height": block.height,
        "hash": block.hash().hex(),
        "prev_hash": block.prev_hash.hex(),
        "state_hash": block.state_hash.hex(),
        "timestamp": block.timestamp,
        "round": block.round,
        "producer": block.producer.hex(),
        "random_value": block.random_value.hex(),
        "l2_height": block.l2_height,
        "l2_reward": block.l2_reward,
        "validators": hex_keys(block.validators),
        "signatures": [
            {"validator": s.validator.hex(), "signature": s.signature.hex()}
            for s in block.signatures
        ],
        "producer_signature": block.producer_signature.hex(),
        "depth": tip_height - block.height,
    }


def origin_json(origin: l2.L2Origin) -> dict[str, Any]:
    return {
        "chain_id": origin.chain_id,
        "block_number": origin.block_number,
        "block_hash": origin.block_hash.hex(),
        "log_index": origin.log_index,
    }


def contributors_json(contributors: Iterable[l2.Contributor]) -> list[dict[str, Any]]:
    return [
        {"amount": c.amount, "address": c.address, "beneficiary": c.beneficiary}
        for c in contributors
    ]


def exit_list_json(state: LedgerState) -> list[dict[str, Any]]:
    """`bls_exit_liquidation_list`: the recently removed nodes, oldest removal first, as the
    reference's liquidator and staking backend read them (each contributor carries a `version`,
    which the reference backend removes before use)."""
    return [_exit_entry_json(state.removed[e.node.pubkey], e) for e in exit_liquidation_list(state)]


def _exit_entry_json(removed: RemovedNode, entry: ExitListEntry) -> dict[str, Any]:
    node = removed.info
    return {
        "service_node_pubkey": node.pubkey.hex(),
        "height": entry.height,
        "liquidation_height": entry.liquidation_height,
        "type": "exit" if entry.kind is RemovalKind.EXIT else "deregister",
        "info": {
            "bls_public_key": hex_bls(node.bls_pubkey),
            "service_node_id": node.service_node_id,
            "operator_address": node.operator,
            "portions_for_operator": node.fee * PORTIONS_FOR_OPERATOR_MAX // 10_000,
            "operator_fee": node.fee,
            "requested_unlock_height": node.requested_unlock_height,
            "registration_height": node.registration_height,
            "staking_requirement": node.staking_requirement,
            "contributors": [{**c, "version": 0} for c in contributors_json(node.contributors)],
        },
    }


def item_json(item: PendingItem) -> dict[str, Any]:
    """An event of a block (a contract event or a purge): `kind` (the class name, as
    `sesh.ledger.pending_events` names it), its `id` (what the network votes by), its L2
    `origin` (null for a purge, which the network makes itself) and its fields."""
    out: dict[str, Any] = {"kind": type(item).__name__, "id": item_id(item).hex()}
    if isinstance(item, ServiceNodePurge):
        out.update(
            origin=None,
            chain_id=item.chain_id,
            l2_height=item.l2_height,
            pubkey_bls=hex_bls(item.bls_pubkey),
        )
        return out
    out["origin"] = origin_json(item.origin)
    if isinstance(item, l2.StakingRequirementUpdated):
        out["staking_requirement"] = item.new_requirement
        return out
    out.update(service_node_id=item.service_node_id, pubkey_bls=hex_bls(item.bls_pubkey))
    if isinstance(item, l2.ServiceNodeLiquidated):
        out["liquidator"] = item.liquidator
        return out
    out["initiator"] = item.initiator
    if isinstance(item, l2.NewServiceNode):
        out.update(
            pubkey_ed25519=item.ed25519_pubkey.to_bytes(32, "big").hex(),
            ed25519_signature=item.ed25519_signature.hex(),
            fee=item.fee,
            contributors=contributors_json(item.contributors),
            seeded=item.seeded,
        )
    elif isinstance(item, l2.ServiceNodeExit):
        out["returned_amount"] = item.returned_amount
    return out


def checkpoint_json(chain: Chain, height: int) -> dict[str, Any] | None:
    """The checkpoint of main-chain `height`: its members, the votes it needs, the votes for
    its block and whether they suffice (null when `height` is not a checkpoint height). The
    chain forgets votes below its immutable height: there `votes` and `checkpointed` are null.
    """
    if not chain.checkpoint_due(height):
        return None
    members, needed = chain.members(height)
    out: dict[str, Any] = {
        "members": hex_keys(sorted(members)),
        "votes_needed": needed,
        "votes": None,
        "checkpointed": None,
    }
    if height >= chain.immutable_height():
        votes = sorted(chain.votes_for(height), key=lambda v: v.sender)
        counted = sum(1 for v in votes if v.sender in members)
        out["votes"] = [{"voter": v.sender.hex(), "signature": v.signature.hex()} for v in votes]
        out["checkpointed"] = bool(needed) and counted >= needed
    return out


def block_json(chain: Chain, block: Block) -> dict[str, Any]:
    """get_block: the header, the events decoded, the votes and decisions, the checkpoint
    votes when the height is a checkpoint height, and the canonical encoding (`blob`)."""
    return {
        "block_header": block_header(block, chain.height),
        "events": [item_json(item) for item in block.events],
        "votes": list(block.votes),
        "decisions": [
            {
                "kind": d.kind.name.lower(),
                "service_node_pubkey": d.service_node_pubkey.hex(),
                "reasons": d.reasons,
            }
            for d in block.decisions
        ],
        "checkpoint": checkpoint_json(chain, block.height),
        "blob": block.encode().hex(),
    }


# -- the node list -----------------------------------------------------------------------------


_INFO_FIELDS = (
    "service_node_id",
    "active",
    "funded",
    "payable",
    "registration_height",
    "registration_l2_height",
    "requested_unlock_height",
    "state_height",
    "earned_downtime_blocks",
    "decommission_count",
    "last_reward_block_height",
    "total_contributed",
    "staking_requirement",
    "portions_for_operator",
    "operator_fee",
    "operator_address",
    "pending_rewards",
    "is_removable",
    "is_liquidatable",
)
"""Fields of the ledger's `NodeInfo` shown as they are (their names are the reference's)."""

SERVICE_NODE_FIELDS = frozenset(
    (
        "service_node_pubkey",
        "pubkey_ed25519",
        "pubkey_bls",
        "contributors",
        "total_reserved",
        "last_leader",
        "last_validator",
        *_INFO_FIELDS,
        *UNKNOWN_NODE_FIELDS,
    )
)
"""Every field of a `service_node_state` (what get_service_nodes' `fields` may name)."""


def service_node_state(
    info: NodeInfo, record: ServiceNode, fields: frozenset[str] | None = None
) -> dict[str, Any]:
    """One entry of get_service_nodes' `service_node_states` (node.md §6 names where it has
    them): every field, or those of `fields`. A node in the ledger is fully staked, so its
    `total_reserved` is `total_contributed`; `last_leader` and `last_validator` are the rotation
    heights of its record (0: never)."""
    state = {
        "service_node_pubkey": info.pubkey.hex(),
        "pubkey_ed25519": info.pubkey.hex(),
        "pubkey_bls": hex_bls(info.bls_pubkey),
        "contributors": contributors_json(info.contributors),
        "total_reserved": info.total_contributed,
        "last_leader": record.last_leader,
        "last_validator": record.last_validator,
        **{name: getattr(info, name) for name in _INFO_FIELDS},
        **dict.fromkeys(UNKNOWN_NODE_FIELDS),
    }
    return state if fields is None else {k: v for k, v in state.items() if k in fields}


# -- pending events ----------------------------------------------------------------------------


def pending_json(info: PendingInfo, item: PendingItem, profile: NetworkProfile) -> dict[str, Any]:
    """A pending event and its points (one round-0 vote is `FULL_SCORE` points); it is denied
    at `timeout_height` if undecided by then."""
    return {
        "id": info.event_id.hex(),
        "kind": info.kind,
        "included_height": info.included_height,
        "confirmations": info.confirmations,
        "denials": info.denials,
        "timeout_height": info.included_height + profile.vote_timeout_blocks,
        "event": item_json(item),
    }


def pending_events_json(state: LedgerState) -> dict[str, Any]:
    """get_pending_events: every pending event in id order (the order blocks vote in)."""
    profile = state.profile
    return {
        "top_block_height": state.height,
        "full_vote": FULL_SCORE,
        "accept_margin": profile.vote_accept_margin * FULL_SCORE,
        "pending_events": [
            pending_json(p, state.pending[p.event_id].item, profile) for p in pending_events(state)
        ],
    }


# -- quorums and checkpoints -----------------------------------------------------------------------


def quorum_json(quorum: Quorum) -> dict[str, Any]:
    return {
        "round": quorum.round,
        "producer": quorum.producer.hex(),
        "validators": hex_keys(quorum.validators),
        "threshold": quorum.threshold,
    }


def checkpoints_json(chain: Chain, start: int, end: int) -> list[dict[str, Any]]:
    """The checkpointed main-chain heights from `start` to `end`: block hash and voters (the
    members whose votes count)."""
    out = []
    for height in chain.checkpoint_heights():
        if not start <= height <= end:
            continue
        block_hash = chain.hash_at(height)
        assert block_hash is not None
        members, needed = chain.members(height)
        voters = sorted(v.sender for v in chain.votes_for(height) if v.sender in members)
        out.append(
            {
                "height": height,
                "block_hash": block_hash.hex(),
                "votes_needed": needed,
                "voters": hex_keys(voters),
            }
        )
    return out
