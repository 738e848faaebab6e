"""sesh.evm.artifacts: error entries derived from the sources, and revert decoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_utils import keccak

from sesh.evm.artifacts import (
    ErrorSignature,
    SourceError,
    abi_param,
    canonical_type,
    contract_errors,
    decode_revert,
    encode_error,
    load_error_catalogue,
    split_signature,
)

PRAGMA = "# pragma version ~=0.4.3\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PRAGMA + text)
    return path


# -- signatures ---------------------------------------------------------------------------------


def test_a_signature_splits_into_name_and_types() -> None:
    assert split_signature("ERC20InsufficientBalance(address,uint256,uint256)") == (
        "ERC20InsufficientBalance",
        ("address", "uint256", "uint256"),
    )
    assert split_signature("InvalidInitialization()") == ("InvalidInitialization", ())


def test_tuple_arguments_stay_whole() -> None:
    assert split_signature("BLSPubkeyDoesNotMatch(uint64,(uint256,uint256))")[1] == (
        "uint64",
        "(uint256,uint256)",
    )
    assert split_signature("E((address,(bytes32,bool))[],uint8)")[1] == (
        "(address,(bytes32,bool))[]",
        "uint8",
    )


def test_a_signature_with_spaces_is_not_canonical() -> None:
    with pytest.raises(ValueError):
        split_signature("E(uint256, address)")


def test_tuple_types_become_abi_components_and_back() -> None:
    param = abi_param("(address,(bytes32,bool))[]", "items")
    assert param["type"] == "tuple[]"
    assert [c["type"] for c in param["components"]] == ["address", "tuple"]
    assert canonical_type(param) == "(address,(bytes32,bool))[]"


def test_an_error_abi_entry_has_typed_named_inputs() -> None:
    entry = ErrorSignature("ERC2612InvalidSigner(address,address)", ("signer", "owner")).abi_entry()
    assert entry == {
        "type": "error",
        "name": "ERC2612InvalidSigner",
        "inputs": [{"name": "signer", "type": "address"}, {"name": "owner", "type": "address"}],
    }


def test_an_error_selector_is_the_keccak_of_its_signature() -> None:
    assert ErrorSignature("OwnableUnauthorizedAccount(address)").selector.hex() == "118cdaa7"


# -- the catalogue ------------------------------------------------------------------------------


def test_the_project_catalogue_knows_helpers_and_declared_errors() -> None:
    catalogue = load_error_catalogue()
    assert catalogue.helpers["_erc20_invalid_receiver"].signature == "ERC20InvalidReceiver(address)"
    assert catalogue.helpers["_erc20_invalid_receiver"].arg_names == ("receiver",)
    assert catalogue.by_name("StringTooLong").signature == "StringTooLong(string)"


HELPER = """
@internal
@pure
def _bad(a: address, b: uint256):
    raw_revert(abi_encode({args}, method_id=method_id("{sig}")))
"""


@pytest.mark.parametrize(
    ("args", "sig", "complaint"),
    [
        ("b, a", "Bad(address,uint256)", "not its parameters in order"),
        ("a, b", "Bad(uint256,uint256)", "is not uint256"),
        ("a", "Bad(address)", "not its parameters"),
        ("a, b", "Bad(address,uint256,bool)", "parameters for"),
    ],
)
def test_a_helper_that_does_not_encode_its_signature_is_refused(
    tmp_path: Path, args: str, sig: str, complaint: str
) -> None:
    errors = write(tmp_path / "errors.vy", HELPER.format(args=args, sig=sig))
    with pytest.raises(SourceError, match=complaint):
        load_error_catalogue(errors)


def test_a_helper_with_more_than_the_revert_is_refused(tmp_path: Path) -> None:
    errors = write(
        tmp_path / "errors.vy",
        '@internal\n@pure\ndef _e():\n    x: uint256 = 1\n    raw_revert(method_id("E()"))\n',
    )
    with pytest.raises(SourceError, match="one raw_revert"):
        load_error_catalogue(errors)


def test_an_error_defined_twice_is_refused(tmp_path: Path) -> None:
    errors = write(
        tmp_path / "errors.vy",
        'E: constant(Bytes[4]) = method_id("E()")\n'
        '@internal\n@pure\ndef _e():\n    raw_revert(method_id("E()"))\n',
    )
    with pytest.raises(SourceError, match="twice"):
        load_error_catalogue(errors)


# -- which errors a contract publishes ----------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small contracts tree: errors, a module raising one of them, a contract using both."""
    write(
        tmp_path / "lib" / "errors.vy",
        'NEVER: constant(Bytes[4]) = method_id("Never()")\n'
        "@internal\n@pure\ndef _one(x: uint256):\n"
        '    raw_revert(abi_encode(x, method_id=method_id("One(uint256)")))\n'
        '@internal\n@pure\ndef _two():\n    raw_revert(method_id("Two()"))\n'
        '@internal\n@pure\ndef _unused():\n    raw_revert(method_id("Unused()"))\n',
    )
    write(
        tmp_path / "lib" / "guard.vy",
        "from lib import errors as e\n@internal\ndef _check():\n    e._two()\n",
    )
    write(
        tmp_path / "Main.vy",
        '"""\n@title main\n@custom:abi-errors Never\n"""\n'
        "from lib import errors\nfrom lib import guard\n"
        "@external\ndef f():\n    errors._one(1)\n    guard._check()\n",
    )
    return tmp_path


def test_a_contract_publishes_the_errors_its_modules_raise_and_those_it_declares(
    project: Path,
) -> None:
    catalogue = load_error_catalogue(project / "lib" / "errors.vy")
    found = contract_errors(project / "Main.vy", search_paths=[project], catalogue=catalogue)
    assert [e.signature for e in found] == ["Never()", "One(uint256)", "Two()"]


def test_calling_a_helper_errors_vy_lacks_is_refused(project: Path) -> None:
    write(project / "Other.vy", "from lib import errors\n@external\ndef f():\n    errors._nope()\n")
    catalogue = load_error_catalogue(project / "lib" / "errors.vy")
    with pytest.raises(SourceError, match="_nope"):
        contract_errors(project / "Other.vy", search_paths=[project], catalogue=catalogue)


def test_declaring_an_unknown_error_is_refused(project: Path) -> None:
    write(project / "Other.vy", '"""\n@custom:abi-errors Nowhere\n"""\n')
    catalogue = load_error_catalogue(project / "lib" / "errors.vy")
    with pytest.raises(SourceError, match="Nowhere"):
        contract_errors(project / "Other.vy", search_paths=[project], catalogue=catalogue)


# -- reverts ------------------------------------------------------------------------------------


ABI = [ErrorSignature("ERC20InsufficientBalance(address,uint256,uint256)").abi_entry()]


def test_encode_error_is_selector_then_abi_encoding() -> None:
    data = encode_error("ERC20InvalidReceiver(address)", "0x" + "00" * 20)
    assert data == keccak(text="ERC20InvalidReceiver(address)")[:4] + b"\x00" * 32


def test_a_custom_error_decodes_to_its_name_and_arguments() -> None:
    holder = "0x" + "11" * 20
    data = encode_error("ERC20InsufficientBalance(address,uint256,uint256)", holder, 3, 4)
    decoded = decode_revert(ABI, "0x" + data.hex())
    assert (decoded.name, decoded.args) == ("ERC20InsufficientBalance", (holder, 3, 4))


def test_a_revert_string_decodes_as_error() -> None:
    decoded = decode_revert([], encode_error("Error(string)", "NOT_EXPECTED_CALL"))
    assert (decoded.name, decoded.args) == ("Error", ("NOT_EXPECTED_CALL",))


def test_unknown_or_empty_revert_data_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        decode_revert(ABI, b"\xde\xad\xbe\xef")
    with pytest.raises(ValueError, match="short"):
        decode_revert(ABI, b"")
