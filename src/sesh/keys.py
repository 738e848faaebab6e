"""A node's two keys, as files: the key-file library the node, the devnet and the verbs use.

A Session node has a BLS key (it signs rewards, exits and liquidations, and the contract knows it
by its G1 public key) and an Ed25519 key (it identifies the node on the network; its public key is
the contracts' ``ed25519Pubkey``). Both live as small text files in a key directory:

* ``key_bls``: ``0x`` and 64 hex digits, as the reference node writes it;
* ``key_ed25519``: ``0x`` and the 64-hex-digit seed (the reference node's raw 64-byte
  seed ‖ public key file is read too).

Losing a key file loses the node, so ``NodeKeys.save`` never overwrites one. The `sesh keys`
command is ``sesh.cli.commands.keys``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from sesh.bls import DomainTags, G1Point, SecretKey, Signature, proof_of_possession_message

BLS_FILE = "key_bls"
ED25519_FILE = "key_ed25519"


def sesh_home() -> Path:
    """Where sesh keeps a user's files: ``$SESH_HOME``, or ``~/.sesh``."""
    home = os.environ.get("SESH_HOME")
    return Path(home) if home else Path.home() / ".sesh"


def default_key_dir() -> Path:
    """``$SESH_HOME/keys``, or ``~/.sesh/keys``."""
    return sesh_home() / "keys"


class KeyFileError(Exception):
    """A key file that is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Registration:
    """What a registration (``addBLSPublicKey``, a contribution contract, a vesting lock) needs
    from the node, signed for one operator on one rewards contract.

    The Ed25519 signature is the node's over its Ed25519 key ‖ its BLS key (32 + 64 bytes), as
    the reference node signs it: ServiceNodeRewards passes it through without checking, and the
    network checks it when it sees the registration.
    """

    bls_public_key: G1Point
    proof_of_possession: Signature
    ed25519_public_key: bytes
    ed25519_signature: bytes

    def service_node_params(self, fee: int = 0) -> tuple[int, int, int, int]:
        """The contracts' ``ServiceNodeParams``: (Ed25519 key, signature halves, fee in 1/100 %)."""
        return (
            int.from_bytes(self.ed25519_public_key, "big"),
            int.from_bytes(self.ed25519_signature[:32], "big"),
            int.from_bytes(self.ed25519_signature[32:], "big"),
            fee,
        )


@dataclass(frozen=True)
class NodeKeys:
    """The BLS and Ed25519 keys of one node, and their public keys (worked out once, when the
    keys are made or loaded: the BLS one costs a scalar multiplication)."""

    bls: SecretKey
    ed25519: SigningKey
    bls_public_key: G1Point = field(init=False, repr=False, compare=False)
    ed25519_public_key: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bls_public_key", self.bls.public_key())
        object.__setattr__(self, "ed25519_public_key", bytes(self.ed25519.verify_key))

    @classmethod
    def generate(cls) -> NodeKeys:
        return cls(SecretKey.generate(), SigningKey.generate())

    def save(self, directory: Path) -> None:
        """Write both files (mode 0600); refuses if either exists."""
        directory.mkdir(parents=True, exist_ok=True)
        targets = [directory / BLS_FILE, directory / ED25519_FILE]
        for path in targets:
            if path.exists():
                raise KeyFileError(f"{path} already exists: refusing to overwrite a node's key")
        seed = bytes(self.ed25519)  # PyNaCl: bytes(SigningKey) is the 32-byte seed
        for path, text in zip(targets, [self.bls.to_hex(), "0x" + seed.hex()], strict=True):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text + "\n")

    @classmethod
    def load(cls, directory: Path) -> NodeKeys:
        return cls(_read_bls(directory / BLS_FILE), _read_ed25519(directory / ED25519_FILE))

    def sign_registration(self, operator: str, chain_id: int, contract: str) -> Registration:
        """The proof of possession of the BLS key for this operator (the first contributor: the
        human operator, or a vesting lock's address), chain and rewards contract (its proxy),
        and the Ed25519 signature over Ed25519 key ‖ BLS key."""
        tags = DomainTags.for_contract(chain_id, contract)
        pk = self.bls_public_key
        message = proof_of_possession_message(tags, pk, operator, self.ed25519_public_key)
        pop = self.bls.sign(message, tags.hash_to_g2)
        ed_sig = self.ed25519.sign(self.ed25519_public_key + pk.to_bytes()).signature
        return Registration(pk, pop, self.ed25519_public_key, bytes(ed_sig))

    def registration(self, operator: str, chain_id: int, contract: str) -> dict[str, Any]:
        """``sign_registration`` as JSON: what ``addBLSPublicKey`` needs from the node (the
        contract's ``serviceNodeSignature1/2`` are the Ed25519 signature's halves)."""
        signed = self.sign_registration(operator, chain_id, contract)
        pop, ed_sig = signed.proof_of_possession, signed.ed25519_signature
        return {
            "operator": operator,
            "chain_id": chain_id,
            "contract": contract,
            "proof_of_possession": {
                "sigs": [f"0x{v:064x}" for v in pop.to_contract()],
                "hex": pop.to_hex(),
            },
            "ed25519_signature": {
                "service_node_signature_1": "0x" + ed_sig[:32].hex(),
                "service_node_signature_2": "0x" + ed_sig[32:].hex(),
            },
        }

    def describe(self) -> dict[str, Any]:
        pk = self.bls_public_key
        return {
            "bls_public_key": pk.to_hex(),
            "bls_public_key_xy": [f"0x{pk.x:064x}", f"0x{pk.y:064x}"],
            "ed25519_public_key": "0x" + self.ed25519_public_key.hex(),
        }


def _read_text_or_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(f"{path} not found (make keys with `sesh keys new`)") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot read {path}: {exc}") from exc


def _read_bls(path: Path) -> SecretKey:
    data = _read_text_or_bytes(path)
    try:
        if len(data) == 32:  # the reference node also accepts raw bytes
            return SecretKey.from_bytes(data)
        return SecretKey.from_hex(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError(f"{path}: not a BLS secret key ({exc})") from exc


def _read_ed25519(path: Path) -> SigningKey:
    data = _read_text_or_bytes(path)
    if len(data) == 64:  # the reference node's seed ‖ public key
        key = SigningKey(data[:32])
        if bytes(key.verify_key) != data[32:]:
            raise KeyFileError(f"{path}: the stored public key does not match the seed")
        return key
    try:
        text = data.decode("ascii").strip()
        body = text[2:] if text.startswith("0x") else text
        seed = bytes.fromhex(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError(f"{path}: not hexadecimal") from exc
    if len(seed) != 32:
        raise KeyFileError(f"{path}: an Ed25519 seed is 32 bytes")
    return SigningKey(seed)
