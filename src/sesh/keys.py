"""A node's two keys and the `sesh keys` command.

A Session node has a BLS key (it signs rewards, exits and liquidations, and the contract knows it
by its G1 public key) and an Ed25519 key (it identifies the node on the network; its public key is
the contracts' ``ed25519Pubkey``). Both live as small text files in a key directory:

* ``key_bls``: ``0x`` and 64 hex digits, as the reference node writes it;
* ``key_ed25519``: ``0x`` and the 64-hex-digit seed (the reference node's raw 64-byte
  seed ‖ public key file is read too).

Losing a key file loses the node, so ``sesh keys new`` never overwrites one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
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
    """The BLS and Ed25519 keys of one node."""

    bls: SecretKey
    ed25519: SigningKey

    @classmethod
    def generate(cls) -> NodeKeys:
        return cls(SecretKey.generate(), SigningKey.generate())

    @property
    def bls_public_key(self) -> G1Point:
        return self.bls.public_key()

    @property
    def ed25519_public_key(self) -> bytes:
        return bytes(self.ed25519.verify_key)

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
            "chainId": chain_id,
            "contract": contract,
            "proofOfPossession": {
                "sigs": [hex(v) for v in pop.to_contract()],
                "hex": pop.to_hex(),
            },
            "ed25519Signature": {
                "serviceNodeSignature1": "0x" + ed_sig[:32].hex(),
                "serviceNodeSignature2": "0x" + ed_sig[32:].hex(),
            },
        }

    def describe(self) -> dict[str, Any]:
        pk = self.bls_public_key
        return {
            "blsPublicKey": pk.to_hex(),
            "blsPublicKeyXY": [hex(pk.x), hex(pk.y)],
            "ed25519PublicKey": "0x" + self.ed25519_public_key.hex(),
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


# -- the `sesh keys` command ------------------------------------------------------------------


def register(subparsers: Any) -> None:
    keys = subparsers.add_parser(
        "keys",
        help="make and show a node's BLS and Ed25519 keys",
        description=(
            "A node has two keys: a BLS key, which signs rewards, exits and liquidations "
            "(the rewards contract knows the node by its public key), and an Ed25519 key, which "
            "identifies the node on the network. These commands make and show them."
        ),
    )
    sub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    sub.required = True

    new = sub.add_parser(
        "new",
        help="make a new pair of keys",
        description="Make a new BLS key and a new Ed25519 key and write them to the key "
        "directory (key_bls, key_ed25519, mode 0600). Never overwrites existing keys.",
    )
    _add_common(new)
    new.set_defaults(run=_run_new)

    show = sub.add_parser(
        "show",
        help="show the public keys, and the proof of possession for a registration",
        description="Print both public keys. Given --operator, --chain-id and --contract, also "
        "print the BLS proof of possession and the Ed25519 signature that a registration "
        "(addBLSPublicKey) with that operator on that ServiceNodeRewards contract needs.",
    )
    _add_common(show)
    show.add_argument("--operator", help="the operator's Ethereum address (the first contributor)")
    show.add_argument("--chain-id", type=int, help="the chain id of the rewards contract")
    show.add_argument("--contract", help="the ServiceNodeRewards (proxy) address")
    show.set_defaults(run=_run_show)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"the key directory (default: {default_key_dir()}, or $SESH_HOME/keys)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _emit(args: argparse.Namespace, info: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print("\n".join(lines))


def _run_new(args: argparse.Namespace) -> int:
    directory = args.dir or default_key_dir()
    keys = NodeKeys.generate()
    try:
        keys.save(directory)
    except KeyFileError as exc:
        print(f"sesh keys new: {exc}", file=sys.stderr)
        return 1
    info = {"directory": str(directory), **keys.describe()}
    _emit(
        args,
        info,
        [
            f"new keys written to {directory}",
            f"  BLS public key      {info['blsPublicKey']}",
            f"  Ed25519 public key  {info['ed25519PublicKey']}",
            "keep these files safe: they are the node",
        ],
    )
    return 0


def _run_show(args: argparse.Namespace) -> int:
    directory = args.dir or default_key_dir()
    try:
        keys = NodeKeys.load(directory)
    except KeyFileError as exc:
        print(f"sesh keys show: {exc}", file=sys.stderr)
        return 1
    info = keys.describe()
    lines = [
        f"BLS public key      {info['blsPublicKey']}",
        f"Ed25519 public key  {info['ed25519PublicKey']}",
    ]
    wanted = (args.operator, args.chain_id, args.contract)
    if any(v is not None for v in wanted):
        if any(v is None for v in wanted):
            print(
                "sesh keys show: a proof of possession needs all of --operator, --chain-id "
                "and --contract",
                file=sys.stderr,
            )
            return 2
        try:
            reg = keys.registration(args.operator, args.chain_id, args.contract)
        except ValueError as exc:
            print(f"sesh keys show: {exc}", file=sys.stderr)
            return 2
        info["registration"] = reg
        lines += [
            f"proof of possession for operator {args.operator} on chain {args.chain_id}, "
            f"contract {args.contract}:",
            f"  sigs0..3            {', '.join(reg['proofOfPossession']['sigs'])}",
            f"  128-byte form       {reg['proofOfPossession']['hex']}",
            f"  Ed25519 signature   {reg['ed25519Signature']['serviceNodeSignature1']}",
            f"                      {reg['ed25519Signature']['serviceNodeSignature2']}",
        ]
    _emit(args, info, lines)
    return 0
