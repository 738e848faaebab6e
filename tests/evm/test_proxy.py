"""sesh.evm.proxy: the raw ERC-1967 proxy forwards everything, of any size, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sesh.evm.anvil import Anvil
from sesh.evm.artifacts import encode_error
from sesh.evm.chain import Chain, revert_data
from sesh.evm.compiler import ERC1967_IMPLEMENTATION_SLOT, Artifact, compile_vyper
from sesh.evm.proxy import RUNTIME, proxy_initcode

TARGET = Path(__file__).parent / "contracts" / "proxy_target.vy"
needs_anvil = pytest.mark.anvil


def test_the_runtime_is_58_bytes_and_names_the_erc1967_slot() -> None:
    assert len(RUNTIME) == 58
    assert ERC1967_IMPLEMENTATION_SLOT.to_bytes(32, "big") in RUNTIME


def test_the_initcode_embeds_the_implementation_runtime_and_init_data() -> None:
    implementation = "0x" + "ab" * 20
    code = proxy_initcode(implementation, b"\x01\x02")
    assert bytes.fromhex("ab" * 20) in code
    assert code.endswith(RUNTIME + b"\x01\x02")


def test_init_data_beyond_the_two_byte_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        proxy_initcode("0x" + "ab" * 20, b"\x00" * 0x10000)


@pytest.fixture(scope="module")
def target_artifact() -> Artifact:
    return compile_vyper(TARGET)


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    with Anvil(port=0) as node:
        yield Chain(node.rpc_url)


@pytest.fixture(scope="module")
def implementation(chain: Chain, target_artifact: Artifact) -> Any:
    return chain.deploy(target_artifact)


@pytest.fixture(scope="module")
def proxy(chain: Chain, implementation: Any, target_artifact: Artifact) -> Any:
    init = bytes.fromhex(implementation.encode_abi("initialize", args=[41]).removeprefix("0x"))
    address = chain.deploy_proxy(implementation.address, init, chain.accounts[3])
    return chain.w3.eth.contract(address=address, abi=target_artifact.abi)


@needs_anvil
def test_the_deployed_code_is_the_runtime(chain: Chain, proxy: Any) -> None:
    assert bytes(chain.w3.eth.get_code(proxy.address)) == RUNTIME


@needs_anvil
def test_the_implementation_address_is_at_the_erc1967_slot(
    chain: Chain, proxy: Any, implementation: Any
) -> None:
    word = chain.w3.eth.get_storage_at(proxy.address, ERC1967_IMPLEMENTATION_SLOT)
    assert word[-20:] == bytes.fromhex(implementation.address[2:])


@needs_anvil
def test_init_data_runs_in_the_proxys_storage_with_the_deployer_as_sender(
    chain: Chain, proxy: Any, implementation: Any
) -> None:
    assert proxy.functions.stored().call() == 41
    assert proxy.functions.initializer().call() == chain.accounts[3]
    assert implementation.functions.stored().call() == 0


@needs_anvil
def test_calls_run_in_the_proxys_context(proxy: Any) -> None:
    assert proxy.functions.whoami().call() == proxy.address


@needs_anvil
def test_return_data_of_any_size_comes_back_whole(proxy: Any) -> None:
    # 1,000 words: 32 KB of return data, far beyond any fixed forwarding buffer.
    assert proxy.functions.words(1_000).call() == list(range(1_000))
    assert proxy.functions.words(0).call() == []


@needs_anvil
def test_revert_data_comes_back_whole(proxy: Any) -> None:
    data = revert_data(lambda: proxy.functions.fail().call())
    assert data == encode_error(
        "Error(string)", "a revert reason longer than one word, bubbled up unchanged"
    )


@needs_anvil
def test_ether_reaches_the_implementation_code(chain: Chain, proxy: Any) -> None:
    assert proxy.functions.deposit().call({"value": 12_345}) == 12_345


@needs_anvil
def test_a_failing_initialization_reverts_the_deployment_with_its_reason(
    chain: Chain, implementation: Any
) -> None:
    init = bytes.fromhex(implementation.encode_abi("initialize", args=[0]).removeprefix("0x"))
    data = revert_data(lambda: chain.deploy_proxy(implementation.address, init))
    assert data == encode_error(
        "Error(string)", "initialize: zero is not a value, and this reason is long"
    )


@needs_anvil
def test_a_proxy_without_init_data_starts_with_empty_storage(
    chain: Chain, implementation: Any, target_artifact: Artifact
) -> None:
    address = chain.deploy_proxy(implementation.address)
    bare = chain.w3.eth.contract(address=address, abi=target_artifact.abi)
    assert bare.functions.stored().call() == 0
    assert bytes(chain.w3.eth.get_code(address)) == RUNTIME
