"""TokenConverter's constructor: tokens, both rates, the TGE, the owner; and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from sesh.evm.chain import Chain
from sesh.evm.compiler import Artifact

from ...support.contracts import error_of, reason_of
from .conftest import INITIAL_RATE, LATE_RATE, deploy_converter

pytestmark = pytest.mark.anvil

ZERO = "0x" + "00" * 20


def test_records_the_tokens_the_owner_and_the_initial_rate(
    chain: Chain, converter: Any, token_a: Any, token_b: Any, owner: str
) -> None:
    assert converter.functions.tokenA().call() == token_a.address
    assert converter.functions.tokenB().call() == token_b.address
    assert converter.functions.owner().call() == owner
    assert converter.functions.paused().call() is False
    assert converter.functions.conversionRateNumerator().call() == INITIAL_RATE[0]
    assert converter.functions.conversionRateDenominator().call() == INITIAL_RATE[1]


def test_the_deployer_becomes_owner_with_an_event(
    chain: Chain, converter_artifact: Artifact, token_a: Any, token_b: Any, tge: int, stranger: str
) -> None:
    converter = deploy_converter(
        chain, converter_artifact, token_a.address, token_b.address, tge, sender=stranger
    )
    assert converter.functions.owner().call() == stranger
    logs = converter.events.OwnershipTransferred().get_logs(from_block="latest")
    assert [(e.args.previousOwner, e.args.newOwner) for e in logs] == [(ZERO, stranger)]


def test_a_tge_long_past_starts_with_the_late_rate(
    chain: Chain, converter_artifact: Artifact, token_a: Any, token_b: Any
) -> None:
    old_tge = chain.timestamp() - 200 * 86_400
    converter = deploy_converter(
        chain, converter_artifact, token_a.address, token_b.address, old_tge
    )
    assert converter.functions.conversionRateNumerator().call() == LATE_RATE[0]
    assert converter.functions.conversionRateDenominator().call() == LATE_RATE[1]


@pytest.mark.parametrize("which", ["tokenA", "tokenB"])
def test_refuses_a_zero_token(
    chain: Chain, converter_artifact: Artifact, token_a: Any, token_b: Any, tge: int, which: str
) -> None:
    a = ZERO if which == "tokenA" else token_a.address
    b = ZERO if which == "tokenB" else token_b.address
    assert reason_of(lambda: deploy_converter(chain, converter_artifact, a, b, tge)) == (
        "Invalid token address"
    )


@pytest.mark.parametrize(
    ("initial", "late"),
    [((0, 2), (1, 4)), ((1, 0), (1, 4)), ((1, 2), (0, 4)), ((1, 2), (1, 0))],
    ids=["initial numerator", "initial denominator", "late numerator", "late denominator"],
)
def test_refuses_a_zero_rate_component(
    chain: Chain,
    converter_artifact: Artifact,
    token_a: Any,
    token_b: Any,
    tge: int,
    initial: tuple[int, int],
    late: tuple[int, int],
) -> None:
    def deploy() -> Any:
        return deploy_converter(
            chain, converter_artifact, token_a.address, token_b.address, tge, initial, late
        )

    assert error_of(deploy, []) == ("Error", ("Conversion rate must be greater than 0",))
