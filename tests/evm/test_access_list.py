"""`Chain.access_list_for` on anvil: a signed update with many non-signers (each one's key a
cold storage read) goes cheaper with an access list of the rewards contract's slots, and a call
with none is sent without one (a list never costs more). The gas is each receipt's."""

from __future__ import annotations

import pytest

from sesh.bls import SecretKey, reward_message
from sesh.bls.params import R
from sesh.evm.anvil import Anvil
from sesh.evm.chain import AccessListChoice, Chain
from sesh.evm.contract_set import ContractArtifacts
from sesh.evm.profiles import PROFILES

from ..support.anvil import artifacts as artifacts
from ..support.network import SESH, RewardsNetwork
from ..support.nodes import node_maker

pytestmark = [pytest.mark.anvil]

NODES = 60
fresh_node = node_maker(0x5EED_0000, 7_717, 0xACC_0000)


def test_an_access_list_is_sent_only_when_it_saves_gas(
    anvil: Anvil, artifacts: ContractArtifacts
) -> None:
    chain = Chain(anvil.rpc_url)
    net = RewardsNetwork.deployed(chain, PROFILES["devnet"], artifacts)
    owner = chain.accounts[0]
    nodes = [fresh_node() for _ in range(NODES)]
    entries = [(n.xy, n.ed25519, 1, [((owner, owner), 120 * SESH)]) for n in nodes]
    chain.transact(net.rewards.functions.seedPublicKeyList(entries), owner)
    net.start()
    ids = list(range(1, NODES + 1))

    def update(recipient: str, non_signers: list[int]) -> tuple[AccessListChoice, int, int]:
        """(the choice, gas with it, gas of the same transaction without a list)."""
        amount = 1_000 * SESH
        secret = sum(
            n.secret.scalar for i, n in zip(ids, nodes, strict=True) if i not in non_signers
        )
        signature = SecretKey.from_int(secret % R).sign(
            reward_message(net.tags, recipient, amount), net.tags.hash_to_g2
        )
        call = net.rewards.functions.updateRewardsBalance(
            recipient, amount, signature.to_contract(), non_signers
        )
        choice = chain.access_list_for(call)
        snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
        plain = int(chain.transact(call)["gasUsed"])
        chain.w3.provider.make_request("evm_revert", [snapshot])
        return choice, int(chain.transact(call, access_list=choice.access_list)["gasUsed"]), plain

    recipients = [chain.w3.eth.account.create().address for _ in range(2)]
    choice, with_list, plain = update(recipients[0], ids[: NODES // 3])
    assert choice.access_list is not None and choice.saving > 0
    assert plain - with_list > 0  # the receipts agree with the estimates

    none, sent, plain = update(recipients[1], [])
    assert none.access_list is None and sent == plain
    assert none.gas_with is None or none.gas_with >= none.gas_without
