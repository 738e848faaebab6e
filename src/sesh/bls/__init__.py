"""BN254 BLS exactly as ServiceNodeRewards verifies it.

Public keys are in G1, signatures in G2, and the hash to G2 is the contract's own
try-and-increment; tags bind every signature to one chain id and one contract address. See
``docs/architecture.md`` for how the pieces fit, and ``reference/contracts.md`` §1 for the scheme.

Two backends do the group arithmetic: pure Python (py_ecc) everywhere, and herumi mcl when the
``fast`` extra is installed (``sesh.bls.backends``). Every function takes an optional ``backend``;
the default is the fastest one that passes its self-test.
"""

from sesh.bls.api import (
    aggregate_public_keys,
    aggregate_signatures,
    check_subgroup,
    clear_cofactor,
    decode_signatures,
    find_bad_shares,
    hash_to_g2,
    is_in_subgroup,
    signers_key,
    sum_encoded_signatures,
    verify,
    verify_aggregate,
    verify_hashed,
)
from sesh.bls.backends import Backend, available_backends, get_backend, load_backend
from sesh.bls.errors import (
    BLSError,
    HashToCurveFailed,
    InvalidEncoding,
    InvalidSecretKey,
    NotInSubgroup,
    NotOnCurve,
)
from sesh.bls.hash_to_curve import expand_message_xmd, hash_to_field, map_to_twist
from sesh.bls.keys import SecretKey
from sesh.bls.messages import (
    exit_message,
    liquidate_message,
    proof_of_possession_message,
    reward_message,
)
from sesh.bls.points import G1Bytes, G1Point, G2Bytes, G2Point, Signature
from sesh.bls.tags import DomainTags, build_tag, keccak256

__all__ = [
    "BLSError",
    "Backend",
    "DomainTags",
    "G1Bytes",
    "G1Point",
    "G2Bytes",
    "G2Point",
    "HashToCurveFailed",
    "InvalidEncoding",
    "InvalidSecretKey",
    "NotInSubgroup",
    "NotOnCurve",
    "SecretKey",
    "Signature",
    "aggregate_public_keys",
    "aggregate_signatures",
    "available_backends",
    "build_tag",
    "check_subgroup",
    "clear_cofactor",
    "decode_signatures",
    "exit_message",
    "expand_message_xmd",
    "find_bad_shares",
    "get_backend",
    "hash_to_field",
    "hash_to_g2",
    "is_in_subgroup",
    "keccak256",
    "liquidate_message",
    "load_backend",
    "map_to_twist",
    "proof_of_possession_message",
    "reward_message",
    "signers_key",
    "sum_encoded_signatures",
    "verify",
    "verify_aggregate",
    "verify_hashed",
]
