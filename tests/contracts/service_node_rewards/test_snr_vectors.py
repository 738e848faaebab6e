"""The shared BLS vectors, from a signer independent of sesh, accepted by the real contract.

The vectors bind their signatures to a made-up contract address (the tags hash it). anvil can
put code at any address, so the test puts a copy of our proxy there, pointing at the deployed
implementation, initialises it, and replays the vectors: each key's proof of possession through
`addBLSPublicKey` (sent as the vector's operator, impersonated), and the aggregate reward
signature, with its non-signers, through `updateRewardsBalance`.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3
from web3.logs import DISCARD

from sesh.bls import G1Point, aggregate_public_keys
from sesh.evm.chain import Chain

from ...support.contracts import error_of
from .conftest import RATIOS, STAKE

pytestmark = pytest.mark.anvil

ERC1967_IMPLEMENTATION_SLOT = int(
    "360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc", 16
)


def _point(value: dict[str, str]) -> tuple[int, int]:
    return int(value["X"], 16), int(value["Y"], 16)


def _signature(value: dict[str, str]) -> tuple[int, int, int, int]:
    return tuple(int(value[k], 16) for k in sorted(value))  # type: ignore[return-value]


def _at_vector_address(chain: Chain, rewards: Any, token: Any, pool: Any, owner: str,
                       domain: dict[str, Any]) -> Any:  # fmt: skip
    """A fresh, initialised ServiceNodeRewards proxy at the domain's contract address."""
    address = Web3.to_checksum_address(domain["contract"])
    implementation = chain.w3.eth.get_storage_at(rewards.address, ERC1967_IMPLEMENTATION_SLOT)
    chain.rpc("anvil_setCode", address, chain.w3.eth.get_code(rewards.address).to_0x_hex())
    chain.rpc(
        "anvil_setStorageAt",
        address,
        hex(ERC1967_IMPLEMENTATION_SLOT),
        "0x" + implementation.hex().rjust(64, "0"),
    )
    proxy = chain.w3.eth.contract(address=address, abi=rewards.abi)
    chain.transact(
        proxy.functions.initialize(token.address, pool.address, STAKE, 10, *RATIOS), owner
    )
    return proxy


def _local_domains(chain: Chain, vectors: dict[str, Any]) -> list[dict[str, Any]]:
    """The domains signed for anvil's chain id. (anvil can change the id it reports, but its
    dev accounts keep signing for the old one, so the others are checked through the verifier,
    which takes the tag as an argument.)"""
    domains = [d for d in vectors["domains"] if d["chainId"] == chain.w3.eth.chain_id]
    assert domains, "the shared vectors should include anvil's chain id"
    return domains


def _register(chain: Chain, proxy: Any, token: Any, owner: str, key: dict[str, Any]) -> int:
    """addBLSPublicKey with the vector's proof, sent by the vector's operator; the node id."""
    operator = Web3.to_checksum_address(key["pop"]["operator"])
    chain.rpc("anvil_impersonateAccount", operator)
    chain.rpc("anvil_setBalance", operator, hex(10**18))
    chain.transact(token.functions.transfer(operator, STAKE), owner)
    chain.transact(token.functions.approve(proxy.address, STAKE), operator)
    params = (int(key["pop"]["ed25519Pubkey"], 16), 0, 0, 0)
    call = proxy.functions.addBLSPublicKey(
        _point(key["pk"]), _signature(key["pop"]["sig"]), params, []
    )
    # The proof names its operator: sent by anyone else it proves nothing.
    assert error_of(lambda: call.call({"from": owner}), proxy.abi) == (
        "InvalidBLSProofOfPossession",
        (),
    )
    receipt = chain.transact(call, operator)
    chain.rpc("anvil_stopImpersonatingAccount", operator)
    (event,) = proxy.events.NewServiceNodeV2().process_receipt(receipt, errors=DISCARD)
    return int(event["args"]["serviceNodeID"])


def test_each_vector_key_registers_and_signs_a_balance_alone(
    chain: Chain, rewards: Any, token: Any, pool: Any, owner: str,
    bls_vectors: dict[str, Any],
) -> None:  # fmt: skip
    """Per key: its proof of possession registers it, and on a network of that key alone its
    reward signature records the balance (a wrong amount does not)."""
    for domain in _local_domains(chain, bls_vectors):
        for key in domain["keys"]:
            snapshot = chain.snapshot()
            proxy = _at_vector_address(chain, rewards, token, pool, owner, domain)
            chain.transact(proxy.functions.start(), owner)
            _register(chain, proxy, token, owner, key)
            reward = key["reward"]
            recipient = Web3.to_checksum_address(reward["recipient"])
            amount = int(reward["amount"])
            signature = _signature(reward["sig"])
            wrong = proxy.functions.updateRewardsBalance(recipient, amount + 1, signature, [])
            assert error_of(wrong.call, proxy.abi)[0] == "InvalidBLSSignature"
            chain.transact(proxy.functions.updateRewardsBalance(recipient, amount, signature, []))
            assert proxy.functions.recipients(recipient).call() == [amount, 0]
            chain.revert(snapshot)


def test_the_vector_aggregate_and_its_signature_without_the_non_signers(
    chain: Chain, rewards: Any, token: Any, pool: Any, verifier: Any, owner: str,
    bls_vectors: dict[str, Any],
) -> None:  # fmt: skip
    """All five keys registered give the vector's aggregate key. With two of five not signing
    the contract refuses the balance, as the reference does (a third of five rounds down to 1),
    so the aggregate signature is checked by the contract's own verifier."""
    for domain in _local_domains(chain, bls_vectors):
        snapshot = chain.snapshot()
        proxy = _at_vector_address(chain, rewards, token, pool, owner, domain)
        chain.transact(proxy.functions.start(), owner)
        ids = [_register(chain, proxy, token, owner, key) for key in domain["keys"]]
        aggregate = domain["aggregate"]
        assert tuple(proxy.functions.aggregatePubkey().call()) == _point(
            aggregate["aggregatePubkey"]
        )
        non_signers = sorted(ids[i] for i in aggregate["non_signer_key_indices"])
        recipient = Web3.to_checksum_address(aggregate["recipient"])
        call = proxy.functions.updateRewardsBalance(
            recipient, int(aggregate["amount"]), _signature(aggregate["signature"]), non_signers
        )
        assert error_of(call.call, proxy.abi) == ("InsufficientBLSSignatures", (3, 4))

        chain.revert(snapshot)


def test_every_vector_signature_passes_the_contracts_verifier(
    verifier: Any, bls_vectors: dict[str, Any]
) -> None:
    """Every domain (any chain id): proofs of possession, rewards, exits and liquidations of
    each key, and the aggregate without its non-signers; the aggregate of all five keys does
    not verify the same signature."""
    for domain in bls_vectors["domains"]:
        dst = bytes.fromhex(domain["tags"]["hashToG2Tag"][2:])
        for key in domain["keys"]:
            for kind in ("pop", "reward", "exit", "liquidate"):
                vector = key[kind]
                assert verifier.functions.verify(
                    _point(key["pk"]),
                    bytes.fromhex(vector["msg"][2:]),
                    dst,
                    _signature(vector["sig"]),
                ).call(), (domain["chainId"], kind)
        aggregate = domain["aggregate"]
        signers = [
            G1Point(*_point(k["pk"]))
            for i, k in enumerate(domain["keys"])
            if i not in aggregate["non_signer_key_indices"]
        ]
        message = bytes.fromhex(aggregate["msg"][2:])
        sig = _signature(aggregate["signature"])
        signers_key = aggregate_public_keys(signers).to_contract()
        assert verifier.functions.verify(signers_key, message, dst, sig).call()
        everyone = _point(aggregate["aggregatePubkey"])
        assert not verifier.functions.verify(everyone, message, dst, sig).call()
