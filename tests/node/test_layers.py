"""The node's packages import downwards only: no import cycle among sesh.node, sesh.l2,
sesh.ledger and sesh.keccak, counting imports made for type checking and inside functions (a
cycle there is still two modules that cannot be understood apart)."""

from __future__ import annotations

import ast
from pathlib import Path

import sesh

PACKAGES = ("sesh.node", "sesh.l2", "sesh.ledger", "sesh.keccak")


def module_files() -> dict[str, Path]:
    root = Path(sesh.__file__).parent.parent
    modules = {}
    for path in root.joinpath("sesh").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def ours(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PACKAGES)


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        if not ours(name):
            continue
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {t for t in targets if t in modules and ours(t) and t != name}
    return graph


def cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start → … → start, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        current, path = stack.pop()
        for following in sorted(graph.get(current, ())):
            if following == start:
                return [*path, start]
            if following not in seen:
                seen.add(following)
                stack.append((following, [*path, following]))
    return None


def test_the_node_l2_and_ledger_packages_have_no_import_cycle() -> None:
    graph = import_graph()
    assert "sesh.node.funding" in graph and "sesh.ledger.state" in graph
    cycles = [c for m in sorted(graph) if (c := cycle_from(graph, m)) is not None]
    assert cycles == []


def test_funding_knows_nothing_of_the_node() -> None:
    assert not any(t.startswith("sesh.node") for t in import_graph()["sesh.node.funding"])
