"""`sesh keys` end to end: files on disk, public keys, and a proof of possession that verifies."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from sesh.bls import (
    DomainTags,
    G1Point,
    Signature,
    proof_of_possession_message,
    verify,
)
from sesh.keys import NodeKeys

OPERATOR = "0x749c32a327872908257efde4c6f978196d92c7b5"
CONTRACT = "0xfb504e3d050e529e8d3e91c8eb6726c769a10e98"


def sesh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sesh.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_new_writes_both_keys_privately(tmp_path: Path) -> None:
    result = sesh("keys", "new", "--dir", str(tmp_path / "k"), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    for name in ("key_bls", "key_ed25519"):
        path = tmp_path / "k" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().startswith("0x") and len(path.read_text().strip()) == 66
    keys = NodeKeys.load(tmp_path / "k")
    assert info["bls_public_key"] == keys.bls_public_key.to_hex()
    assert info["ed25519_public_key"] == "0x" + keys.ed25519_public_key.hex()


def test_new_never_overwrites(tmp_path: Path) -> None:
    assert sesh("keys", "new", "--dir", str(tmp_path)).returncode == 0
    before = (tmp_path / "key_bls").read_text()
    again = sesh("keys", "new", "--dir", str(tmp_path))
    assert again.returncode == 1
    assert "refusing to overwrite" in again.stderr
    assert (tmp_path / "key_bls").read_text() == before


def test_show_gives_a_proof_of_possession_the_contract_would_accept(tmp_path: Path) -> None:
    assert sesh("keys", "new", "--dir", str(tmp_path)).returncode == 0
    result = sesh(
        "keys", "show", "--dir", str(tmp_path), "--json",
        "--operator", OPERATOR, "--chain-id", "31337", "--contract", CONTRACT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    pk = G1Point.from_hex(info["bls_public_key"])
    tags = DomainTags.for_contract(31337, CONTRACT)
    ed = bytes.fromhex(info["ed25519_public_key"][2:])
    message = proof_of_possession_message(tags, pk, OPERATOR, ed)
    pop = Signature.from_hex(info["registration"]["proof_of_possession"]["hex"])
    assert verify(pk, message, tags.hash_to_g2, pop)
    other_operator = proof_of_possession_message(tags, pk, CONTRACT, ed)
    assert not verify(pk, other_operator, tags.hash_to_g2, pop)


def test_show_reads_the_reference_nodes_raw_key_files(tmp_path: Path) -> None:
    keys = NodeKeys.generate()
    (tmp_path / "key_bls").write_bytes(keys.bls.scalar.to_bytes(32, "big"))
    seed = bytes(keys.ed25519)
    (tmp_path / "key_ed25519").write_bytes(seed + keys.ed25519_public_key)
    result = sesh("keys", "show", "--dir", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["bls_public_key"] == keys.bls_public_key.to_hex()


def test_show_without_keys_says_how_to_make_them(tmp_path: Path) -> None:
    result = sesh("keys", "show", "--dir", str(tmp_path))
    assert result.returncode == 1
    assert "sesh keys new" in result.stderr


def test_show_with_a_partial_registration_is_refused(tmp_path: Path) -> None:
    assert sesh("keys", "new", "--dir", str(tmp_path)).returncode == 0
    result = sesh("keys", "show", "--dir", str(tmp_path), "--operator", OPERATOR)
    assert result.returncode == 2
    assert "--chain-id" in result.stderr


def test_show_with_a_bad_operator_address_is_refused(tmp_path: Path) -> None:
    assert sesh("keys", "new", "--dir", str(tmp_path)).returncode == 0
    result = sesh(
        "keys", "show", "--dir", str(tmp_path),
        "--operator", "0x1234", "--chain-id", "1", "--contract", CONTRACT,
    )  # fmt: skip
    assert result.returncode == 2
    assert "is not an address (0x and 40 hex digits)" in result.stderr
