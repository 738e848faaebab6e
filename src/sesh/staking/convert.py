"""`sesh convert`: old wOXEN into SESH, through the deployment's TokenConverter.

The converter pays SESH for wOXEN at the rate in force (1 SESH per 2 wOXEN at first, another
rate from 180 days after the TGE), out of a stock its owner deposits; the wOXEN stays in the
converter. The signer approves the converter for the wOXEN and calls ``convertTokens``
(``Connection.pay``: the balance is checked first, and a conversion the converter would refuse
is reported before the approval is sent); the command prints the rate it met and what came
back (the ``Conversion`` event, not a recomputation, so it is what the contract really paid).
"""

from __future__ import annotations

import argparse
from typing import Any

from sesh.cli.shell.options import add_command
from sesh.staking.connection import add_verb, connect, parse_option
from sesh.units import format_amount, parse_positive_amount

_DESCRIPTION = """\
Convert wOXEN (the old token; a stand-in on the devnet) into SESH through the deployment's
TokenConverter, signed by the signer: approve the converter for the wOXEN, then convertTokens.
The converter pays at the rate in force: 1 SESH per 2 wOXEN until 180 days after the TGE, then
the late rate. Prints the rate and what was received."""

_EPILOG = """\
example (on the devnet, where every dev account holds 100,000 wOXEN):
  sesh convert --amount 1000 --key-env SESH_KEY"""


_HELP = "convert wOXEN into SESH through the TokenConverter"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sesh convert` to the command tree."""
    parser = add_command(subparsers, "convert", _HELP, _DESCRIPTION, _EPILOG)
    parser.add_argument(
        "--amount", required=True, metavar="WOXEN", help="how much wOXEN to convert, e.g. 1000"
    )
    add_verb(parser, _run, signs=True)


def _run(args: argparse.Namespace) -> dict[str, Any]:
    conn = connect(args, signs=True)
    converter = conn.converter
    old = conn.bind("WrappedOxen", converter.view("tokenA"))
    symbol = str(old.view("symbol"))
    decimals = int(old.view("decimals"))
    amount = parse_option(
        "--amount", args.amount, lambda t: parse_positive_amount(t, decimals, symbol)
    )
    numerator = int(converter.view("conversionRateNumerator"))
    denominator = int(converter.view("conversionRateDenominator"))
    print(f"converting {symbol} from {conn.sender} ({conn.how}) on chain {conn.chain_id}")
    print(f"  rate in force: {numerator:,} SESH per {denominator:,} {symbol}", flush=True)
    receipt = conn.pay(
        old, converter, amount, converter.call("convertTokens", amount), "TokenConverter"
    )
    (event,) = conn.chain.events(converter, "Conversion", receipt)
    received = int(event["amountB"])
    print(f"  converted {format_amount(amount, symbol, decimals)} into {format_amount(received)}")
    balance = int(conn.token.view("balanceOf", conn.sender))
    print(f"  {conn.sender} now holds {format_amount(balance)}")
    return {"from": conn.sender, "converted": amount, "received": received, "balance": balance}
