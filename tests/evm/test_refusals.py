"""A refused transaction names the contract's custom error and its arguments in words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import ContractCustomError

from sesh.evm.anvil import Anvil
from sesh.evm.artifacts import DecodedRevert, decode_revert, encode_error
from sesh.evm.chain import Chain, TransactionRefused, revert_data
from sesh.evm.compiler import compile_vyper
from sesh.evm.contract_set import ContractArtifacts, load_artifacts
from sesh.evm.deploy import deploy
from sesh.evm.profiles import PROFILES
from sesh.units import SESH

PULLER = Path(__file__).parent / "contracts" / "pulls_tokens.vy"
HOLDER = "0x" + "11" * 20
needs_anvil = pytest.mark.anvil

ABI = [
    {
        "type": "error",
        "name": "ContributionTotalMismatch",
        "inputs": [
            {"name": "required", "type": "uint256"},
            {"name": "provided", "type": "uint256"},
        ],
    },
    {
        "type": "error",
        "name": "Nested",
        "inputs": [
            {"name": "who", "type": "address"},
            {"name": "blob", "type": "bytes"},
            {"name": "ids", "type": "uint64[]"},
            {"name": "ok", "type": "bool"},
        ],
    },
]


# -- in words (pure) ---------------------------------------------------------------------------


def test_a_custom_error_reads_as_its_name_and_named_arguments() -> None:
    data = encode_error("ContributionTotalMismatch(uint256,uint256)", 120 * SESH, 1)
    decoded = decode_revert(ABI, data)
    assert decoded.arg_names == ("required", "provided")
    assert decoded.describe() == "ContributionTotalMismatch(required=120000000000, provided=1)"


def test_values_are_shown_as_they_are_pasted() -> None:
    data = encode_error("Nested(address,bytes,uint64[],bool)", HOLDER, b"\x01\xff", [1, 2], True)
    text = decode_revert(ABI, data).describe()
    checksummed = Web3.to_checksum_address(HOLDER)
    assert text == f"Nested(who={checksummed}, blob=0x01ff, ids=[1, 2], ok=true)"


def test_strings_panics_and_unnamed_arguments() -> None:
    assert decode_revert([], encode_error("Error(string)", "no")).describe() == '"no"'
    panic = decode_revert([], encode_error("Panic(uint256)", 0x11)).describe()
    assert panic == "Panic(0x11: arithmetic overflow or underflow)"
    assert DecodedRevert("E", (1, "x")).describe() == 'E(1, "x")'


def test_argument_names_do_not_change_equality() -> None:
    assert DecodedRevert("E", (1,), ("a",)) == DecodedRevert("E", (1,))


# -- on a chain --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    with Anvil(port=0) as node:
        yield Chain(node.rpc_url)


@pytest.fixture(scope="module")
def artifacts() -> ContractArtifacts:
    return load_artifacts()


@pytest.fixture(scope="module")
def rewards(chain: Chain, artifacts: ContractArtifacts) -> Any:
    deployment = deploy(chain, PROFILES["devnet"], artifacts, start=True)
    return chain.contract(deployment.service_node_rewards, artifacts.service_node_rewards)


def _mismatched_registration(rewards: Any, operator: str) -> Any:
    """A registration whose one contributor stakes 1 unit: refused before any BLS check."""
    return rewards.functions.addBLSPublicKey(
        (1, 2), (1, 2, 3, 4), (1, 0, 0, 0), [((operator, operator), 1)]
    )


EXPECTED = (
    "ServiceNodeRewards refused: ContributionTotalMismatch(required=120000000000, provided=1)"
)


@needs_anvil
def test_an_estimate_that_reverts_names_the_error(chain: Chain, rewards: Any) -> None:
    operator = chain.accounts[1]
    with pytest.raises(TransactionRefused) as refused:
        chain.transact(_mismatched_registration(rewards, operator), operator)
    assert str(refused.value) == EXPECTED
    assert refused.value.receipt is None
    assert refused.value.error is not None and refused.value.error.args == (120 * SESH, 1)


@needs_anvil
def test_a_mined_failure_names_the_error_and_the_transaction(chain: Chain, rewards: Any) -> None:
    operator = chain.accounts[1]
    call = _mismatched_registration(rewards, operator)
    tx = {"to": rewards.address, "data": call._encode_transaction_data(), "gas": 1_000_000}
    with pytest.raises(TransactionRefused) as refused:
        chain.send(tx, operator)  # a gas limit given: no estimate, so the chain mines it
    assert str(refused.value).startswith(EXPECTED + " (transaction 0x")
    assert refused.value.receipt is not None and refused.value.receipt["status"] == 0


@needs_anvil
def test_running_out_of_gas_says_so(chain: Chain, rewards: Any) -> None:
    tx = {"to": rewards.address, "data": rewards.functions.start()._encode_transaction_data()}
    with pytest.raises(TransactionRefused, match=r"ran out of gas \(all 22,000 used\)"):
        chain.send({**tx, "gas": 22_000})


@needs_anvil
def test_an_error_from_a_contract_called_on_the_way_is_decoded(
    chain: Chain, artifacts: ContractArtifacts
) -> None:
    owner = chain.accounts[2]
    token = chain.deploy(artifacts.sesh, 10**18, owner, owner, owner)
    puller = chain.deploy(compile_vyper(PULLER))
    with pytest.raises(TransactionRefused) as refused:
        chain.transact(puller.functions.pull(token.address, owner, 5))
    assert str(refused.value) == (
        f"pulls_tokens refused: ERC20InsufficientAllowance(spender={puller.address}, "
        "allowance=0, needed=5)"
    )


@needs_anvil
def test_a_revert_string_reads_as_itself(chain: Chain, artifacts: ContractArtifacts) -> None:
    owner = chain.accounts[0]
    with pytest.raises(TransactionRefused) as refused:
        chain.deploy(artifacts.sesh, 0, owner, owner, owner)
    assert str(refused.value) == 'SESH refused: "Shared: uint input is empty"'


@needs_anvil
def test_code_written_against_web3s_exceptions_still_works(chain: Chain, rewards: Any) -> None:
    operator = chain.accounts[1]
    call = _mismatched_registration(rewards, operator)
    with pytest.raises(ContractCustomError):
        chain.transact(call, operator)
    data = revert_data(lambda: chain.transact(call, operator))
    assert data == encode_error("ContributionTotalMismatch(uint256,uint256)", 120 * SESH, 1)
