"""What `sesh node status` and the node's log say when things are not fine: a reader that
leaves early, an L2 that is down (said in words, and logged once, not every block)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sesh.node.status import format_status, read_status
from sesh.node.store import Store

from ..l2.fake_chain import FakeChain
from .test_node import running, steps


def test_status_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    """`sesh node status | head -0`: the reader is gone before anything is written."""
    Store.open(tmp_path).close()
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sesh.cli", "node", "status", "--data-dir", str(tmp_path)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def down(chain: FakeChain) -> None:
    chain.failing.update({"block_number", "blocks", "logs", "calls", "chain_id"})


def test_the_status_says_in_words_what_is_unknown_while_l2_is_down(tmp_path: Path) -> None:
    chain, node = running(tmp_path, 2)
    down(chain)
    steps(node, 1)
    text = format_status(read_status(tmp_path / "node0"))
    assert "None" not in text
    assert "the chain's latest block is unknown: the last poll reached no provider" in text
    assert "WARNING        last L2 poll failed" in text


def test_an_l2_outage_is_logged_once_and_its_end_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chain, node = running(tmp_path, 2)
    caplog.set_level(logging.INFO, logger="sesh")
    caplog.clear()
    down(chain)
    steps(node, 6)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == len(node.running), [r.getMessage() for r in warnings]  # each node
    assert all("L2 poll failed" in w.getMessage() for w in warnings)
    caplog.clear()
    chain.failing.clear()
    steps(node, 3)
    assert [r.getMessage() for r in caplog.records if "again" in r.getMessage()] == [
        "L2 answers again (fake)"
    ] * len(node.running)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
