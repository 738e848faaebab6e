"""Every `sesh` command explains itself: a description and help for every option."""

from __future__ import annotations

import argparse

import pytest

from sesh.cli import main
from sesh.cli.commands import build_parser


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(build_parser()))


@pytest.mark.parametrize("path,parser", COMMANDS, ids=[" ".join(p) or "sesh" for p, _ in COMMANDS])
def test_every_command_has_a_description_and_helped_options(
    path: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    assert parser.description and len(parser.description) > 30, path
    for action in parser._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"{' '.join(path)} {action.option_strings} has no help"


def test_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    for path, _ in COMMANDS:
        with pytest.raises(SystemExit) as done:
            main([*path, "--help"])
        assert done.value.code == 0
        assert "usage: sesh" in capsys.readouterr().out


def test_the_known_commands_are_there() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"devnet", "deploy", "keys", "keys new", "keys show"} <= names
    assert {"stake", "convert", "contribution", "vesting"} <= names
    for action in ("create", "reserve", "contribute", "finalize", "withdraw", "reset", "show"):
        assert f"contribution {action}" in names
    for action in ("create", "show", "release", "stake"):
        assert f"vesting {action}" in names


SENDS = {
    ("deploy",), ("stake",), ("convert",),
    *(("contribution", a) for a in ("create", "reserve", "contribute", "finalize", "withdraw",
                                     "reset")),
    *(("vesting", a) for a in ("create", "release", "stake")),
}  # fmt: skip
READS = {("contribution", "show"), ("vesting", "show")}


def test_every_transacting_verb_signs_as_deploy_does() -> None:
    """One set of signing options, shared: the same flags on every verb that sends, none on a
    verb that only reads."""
    signing = {"--keystore", "--key-env", "--unlocked", "--password-env"}
    parsers = dict(COMMANDS)
    for path in SENDS | READS:
        flags = {flag for action in parsers[path]._actions for flag in action.option_strings}
        if path in SENDS:
            assert signing <= flags, path
        else:
            assert not signing & flags, path
