"""From signature shares to the one signature ServiceNodeRewards accepts (pure but for the BLS
arithmetic, which `sesh.bls` does).

The contract verifies against its aggregate of every registered key minus the keys of the ids
it is given as non-signers, so the signers must be exactly "the contract's set minus the
non-signers": a share whose key the contract does not hold (a node not registered yet, or
removed already) is dropped, and every contract key without a good share is a non-signer. The
shares are summed straight from their wire form (a share that is no point of the curve is
dropped and named) and verified once; if the sum fails, the bad shares are found by bisection
(`sesh.bls.find_bad_shares`), dropped and named, and the rest is what is left. A result the
contract would refuse (more non-signers than `blsNonSignerThreshold`, or no signer at all) is an
`AggregationError` that says why, before anyone pays gas for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sesh.bls import (
    G1Point,
    Signature,
    aggregate_public_keys,
    aggregate_signatures,
    decode_signatures,
    find_bad_shares,
    sum_encoded_signatures,
    verify,
)

NON_SIGNER_THRESHOLD_MAX = 4_000
"""The contract's default `blsNonSignerThresholdMax`."""


class AggregationError(Exception):
    """No signature the contract would accept: the message says why, for a person."""


class Share(NamedTuple):
    """One node's signature share: its Ed25519 key (who answered), its BLS key, the 128 bytes."""

    node: bytes
    bls_pubkey: G1Point
    signature: bytes


@dataclass(frozen=True, slots=True)
class Aggregate:
    message: bytes
    signature: Signature
    aggregate_pubkey: G1Point
    """The signers' key: the contract's aggregate minus the non-signers'."""
    non_signer_ids: tuple[int, ...]
    signers: tuple[bytes, ...]
    """The Ed25519 keys of the nodes whose shares are in the signature."""
    bad: tuple[bytes, ...]
    """The nodes whose shares did not verify (dropped)."""


def non_signer_limit(total: int, threshold_max: int = NON_SIGNER_THRESHOLD_MAX) -> int:
    """The contract's `blsNonSignerThreshold` for `total` registered nodes."""
    return min(total // 3, threshold_max)


def aggregate(
    message: bytes,
    dst: bytes,
    shares: Sequence[Share],
    contract_nodes: Mapping[int, G1Point],
    *,
    threshold_max: int = NON_SIGNER_THRESHOLD_MAX,
) -> Aggregate:
    """The contract-ready aggregate of `shares` over `message` (see the module docstring);
    `contract_nodes` is the contract's node list now: id → BLS key."""
    ids = {key.to_contract(): node_id for node_id, key in contract_nodes.items()}
    usable: dict[tuple[int, int], Share] = {}
    for share in shares:
        xy = share.bls_pubkey.to_contract()
        if xy in ids and xy not in usable:
            usable[xy] = share
    candidates = list(usable.values())
    signature, malformed = sum_encoded_signatures([s.signature for s in candidates])
    bad = [candidates[i].node for i in malformed]
    if malformed:
        dropped = set(malformed)
        candidates = [s for i, s in enumerate(candidates) if i not in dropped]
    key = aggregate_public_keys(share.bls_pubkey for share in candidates)
    if candidates and not verify(key, message, dst, signature):
        decoded = decode_signatures(s.signature for s in candidates)
        spoilt = set(
            find_bad_shares(
                [(s.bls_pubkey, sig) for s, sig in zip(candidates, decoded, strict=True)],
                message,
                dst,
            )
        )
        bad += [candidates[i].node for i in sorted(spoilt)]
        kept = [i for i in range(len(candidates)) if i not in spoilt]
        signature = aggregate_signatures(decoded[i] for i in kept)
        candidates = [candidates[i] for i in kept]
        key = aggregate_public_keys(share.bls_pubkey for share in candidates)
    good = candidates
    signed = {share.bls_pubkey.to_contract() for share in good}
    non_signers = tuple(sorted(i for k, i in ids.items() if k not in signed))
    limit = non_signer_limit(len(contract_nodes), threshold_max)
    if not good:
        raise AggregationError(
            f"no node signed (of {len(contract_nodes)} registered"
            + (f"; {len(bad)} answered with a bad signature" if bad else "")
            + ")"
        )
    if len(non_signers) > limit:
        spoilt_by = (
            f" ({len(bad)} answered with a bad signature: {', '.join(n.hex()[:16] for n in bad)})"
            if bad
            else ""
        )
        raise AggregationError(
            f"{len(good)} of {len(contract_nodes)} registered nodes signed: the contract accepts "
            f"at most {limit} non-signers, and {len(non_signers)} did not sign{spoilt_by}"
        )
    return Aggregate(
        message=message,
        signature=signature,
        aggregate_pubkey=key,
        non_signer_ids=non_signers,
        signers=tuple(share.node for share in good),
        bad=tuple(bad),
    )
