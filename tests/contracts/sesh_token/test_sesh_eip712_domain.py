"""SESH's EIP-712 domain: EIP-5267 discovery and the separator permits are signed under."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from sesh.evm.chain import Chain

pytestmark = pytest.mark.anvil


def test_eip712_domain_reports_name_version_chain_and_contract(token: Any, chain: Chain) -> None:
    fields, name, version, chain_id, verifying_contract, salt, extensions = (
        token.functions.eip712Domain().call()
    )
    assert fields == b"\x0f"
    assert (name, version) == ("Session Token", "1")
    assert chain_id == chain.w3.eth.chain_id
    assert verifying_contract == token.address
    assert salt == b"\x00" * 32
    assert extensions == []


def test_domain_separator_is_the_eip712_hash_of_the_domain(token: Any, chain: Chain) -> None:
    type_hash = keccak(
        text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                type_hash,
                keccak(text="Session Token"),
                keccak(text="1"),
                chain.w3.eth.chain_id,
                token.address,
            ],
        )
    )
    assert token.functions.DOMAIN_SEPARATOR().call() == expected
