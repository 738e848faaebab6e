"""sesh.evm.signing: keys from a keystore or the environment sign real type-2 transactions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from sesh.evm.anvil import Anvil, dev_keys
from sesh.evm.chain import Chain
from sesh.evm.signing import (
    BASE_FEE_HEADROOM,
    LocalSigner,
    SignerError,
    UnlockedAccount,
    compute_fees,
    compute_gas_limit,
    first_unlocked_account,
    from_env,
    from_keystore,
    from_private_key,
    read_password,
)

RECIPIENT = Web3.to_checksum_address("0x000000000000000000000000000000000000bEEF")
KEY = dev_keys()[3].private_key
ADDRESS = dev_keys()[3].address
PASSWORD = "correct horse battery staple"
needs_anvil = pytest.mark.anvil


@pytest.fixture(scope="module")
def keystore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dev key 3 in a keystore (PBKDF2 with few rounds: the format, not the cost, is tested)."""
    path = tmp_path_factory.mktemp("keystore") / "deployer.json"
    path.write_text(json.dumps(Account.encrypt(KEY, PASSWORD, kdf="pbkdf2", iterations=1_000)))
    return path


@pytest.fixture(scope="module")
def node() -> Iterator[Anvil]:
    with Anvil(port=0) as anvil:
        yield anvil


def _sent(chain: Chain, tx_hash: Any) -> Any:
    chain.wait(tx_hash)
    return chain.w3.eth.get_transaction(tx_hash)


# -- fees and gas ------------------------------------------------------------------------------


def test_the_fee_cap_is_twice_the_base_fee_plus_the_tip() -> None:
    fees = compute_fees(base_fee=10, priority_fee=3)
    assert BASE_FEE_HEADROOM == 2
    assert (fees.max_fee_per_gas, fees.max_priority_fee_per_gas) == (23, 3)
    assert compute_fees(0, 0).max_fee_per_gas == 0  # Arbitrum can quote a zero tip
    with pytest.raises(ValueError):
        compute_fees(-1, 0)


def test_the_gas_limit_is_the_estimate_plus_a_tenth() -> None:
    assert compute_gas_limit(21_000) == 23_100
    assert compute_gas_limit(0) == 0


# -- where keys come from ----------------------------------------------------------------------


def test_a_key_in_the_environment_signs_as_its_address() -> None:
    signer = from_env("SESH_TEST_KEY", {"SESH_TEST_KEY": KEY})
    assert signer.address == ADDRESS
    assert KEY[2:] not in repr(signer) and ADDRESS in repr(signer)


@pytest.mark.parametrize(
    "value",
    ["0x1234", "not a key at all", "0x" + "zz" * 32, "0x" + "00" * 32, KEY + "00"],
    ids=["short", "text", "not-hex", "zero", "long"],
)
def test_a_bad_key_is_refused_without_showing_it(value: str) -> None:
    with pytest.raises(SignerError) as refused:
        from_env("SESH_TEST_KEY", {"SESH_TEST_KEY": value})
    assert "SESH_TEST_KEY" in str(refused.value)
    assert value not in str(refused.value)
    assert refused.value.__cause__ is None  # no chained exception can echo it either


def test_an_unset_variable_is_named() -> None:
    with pytest.raises(SignerError, match="SESH_MISSING is not set"):
        from_env("SESH_MISSING", {})


def test_a_keystore_opens_with_its_password(keystore: Path) -> None:
    assert from_keystore(keystore, PASSWORD).address == ADDRESS


def test_a_wrong_password_is_named(keystore: Path) -> None:
    with pytest.raises(SignerError, match="wrong password"):
        from_keystore(keystore, "guess")


@pytest.mark.parametrize(
    "content,complaint",
    [(None, "no such keystore"), ("{", "not a JSON keystore"), ("[1]", "no crypto")],
)
def test_what_is_not_a_keystore_is_refused(
    tmp_path: Path, content: str | None, complaint: str
) -> None:
    path = tmp_path / "keystore.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SignerError, match=complaint):
        from_keystore(path, PASSWORD)


def test_the_password_comes_from_the_environment_or_the_terminal() -> None:
    assert read_password("PW", environ={"PW": "secret"}) == "secret"
    with pytest.raises(SignerError, match="PW is not set"):
        read_password("PW", environ={})
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed"

    assert read_password(None, environ={}, prompt=prompt, interactive=True) == "typed"
    assert asked == ["keystore password: "]
    with pytest.raises(SignerError, match="--password-env"):
        read_password(None, environ={}, prompt=prompt, interactive=False)


# -- on a chain --------------------------------------------------------------------------------


@needs_anvil
def test_a_keystore_key_sends_type_2_transactions_with_consecutive_nonces(
    node: Anvil, keystore: Path
) -> None:
    signer = from_keystore(keystore, PASSWORD)
    chain = Chain(node.rpc_url, signer)
    first = chain.w3.eth.get_transaction_count(signer.address)
    sent = []
    for amount in (1, 2, 3):
        base_fee = chain.w3.eth.get_block("latest")["baseFeePerGas"]
        tip = chain.w3.eth.max_priority_fee
        receipt = chain.send({"to": RECIPIENT, "value": amount})
        tx = chain.w3.eth.get_transaction(receipt["transactionHash"])
        assert tx["type"] == 2
        assert (tx["maxFeePerGas"], tx["maxPriorityFeePerGas"]) == (2 * base_fee + tip, tip)
        assert tx["gas"] == compute_gas_limit(21_000)
        sent.append(tx)
    assert [tx["nonce"] for tx in sent] == [first, first + 1, first + 2]
    assert all(tx["from"] == signer.address for tx in sent)


@needs_anvil
def test_an_environment_key_deploys_and_calls_contracts(node: Anvil) -> None:
    from sesh.evm.artifacts import compile_contract
    from sesh.evm.compiler import CONTRACTS_DIR

    signer = from_env("SESH_TEST_KEY", {"SESH_TEST_KEY": dev_keys()[4].private_key})
    chain = Chain(node.rpc_url, signer)
    token = chain.deploy(
        compile_contract(CONTRACTS_DIR / "SESH.vy"), 10**18, signer.address, RECIPIENT, RECIPIENT
    )
    receipt = chain.transact(token.functions.transfer(RECIPIENT, 5))
    assert chain.w3.eth.get_transaction(receipt["transactionHash"])["type"] == 2
    assert token.functions.balanceOf(RECIPIENT).call() == 5
    assert token.functions.balanceOf(signer.address).call() == 10**18 - 5


@needs_anvil
def test_nonces_run_ahead_of_a_node_that_lags(
    make_anvil: Callable[..., Anvil], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three transactions sent before any is mined, to a node whose transaction count ignores
    pending ones (as a load-balanced endpoint can answer): our own count keeps them apart."""
    node = make_anvil(block_time=1).start()
    signer = from_private_key(dev_keys()[5].private_key)
    chain = Chain(node.rpc_url, signer)
    mined_count = chain.w3.eth.get_transaction_count
    monkeypatch.setattr(
        chain.w3.eth,
        "get_transaction_count",
        lambda address, block="latest": mined_count(address, "latest"),
    )
    hashes = [
        signer.send_transaction(chain.w3, {"to": RECIPIENT, "value": amount})
        for amount in (1, 2, 3)
    ]
    txs = [_sent(chain, tx_hash) for tx_hash in hashes]
    assert [tx["nonce"] for tx in txs] == [0, 1, 2]


@needs_anvil
def test_the_node_signs_for_its_unlocked_accounts(node: Anvil) -> None:
    chain = Chain(node.rpc_url)
    account = first_unlocked_account(chain.w3)
    assert account == UnlockedAccount(Web3.to_checksum_address(dev_keys()[0].address))
    chain.add_signer(account, default=True)
    assert chain.send({"to": RECIPIENT, "value": 7})["status"] == 1


def test_local_signers_keep_their_key_private() -> None:
    signer = from_private_key(KEY)
    assert isinstance(signer, LocalSigner)
    assert KEY[2:].lower() not in repr(signer).lower()
    assert KEY[2:].lower() not in str(signer).lower()
