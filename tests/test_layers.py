"""The layers hold: no import cycle anywhere in sesh, counting imports made for type checking
and inside functions (a cycle there is still two modules that cannot be understood apart), and
the pure core loads no I/O (tests/ledger/test_purity.py). The layer order itself is import-linter's
(pyproject.toml, run by scripts/test.sh)."""

from __future__ import annotations

from .support.imports import cycle_from, import_graph


def test_no_module_of_sesh_is_part_of_an_import_cycle() -> None:
    graph = import_graph()
    assert "sesh.node.funding" in graph and "sesh.bls.hash_to_curve" in graph
    cycles = [c for m in sorted(graph) if (c := cycle_from(graph, m)) is not None]
    assert cycles == []


def test_the_command_line_shell_sits_below_every_verb() -> None:
    graph = import_graph()
    shell = [m for m in graph if m.startswith("sesh.cli.shell")]
    assert shell
    for module in shell:
        above = {t for t in graph[module] if not t.startswith(("sesh.cli.shell", "sesh.evm"))}
        assert above <= {"sesh.keys", "sesh.units", "sesh.cli"}, (module, above)
