"""The package's shape: no import cycles, no imports hidden in functions to
dodge one, and no Streamlit outside the UI.

Read from the source with :mod:`ast` (nothing is imported), so a cycle that
Python happens to tolerate at run time still fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(p): p
    for p in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in p.parts
}


def _resolve(name: str) -> str | None:
    """The module of ours that ``import name`` loads (a package or a module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, *, top_level: bool) -> set[str]:
    """Our modules that *module* imports at its top level (or inside functions)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = tree.body if top_level else list(ast.walk(tree))
    if not top_level:
        nested = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                nested.update(ast.walk(node))
        nodes = [n for n in nodes if n in nested]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("dashboard"):
                target = _resolve(name)
                if target and target != module:
                    found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    graph = {m: _imports(m, top_level=True) for m in MODULES}
    # Importing a.b.c runs a/__init__ and a/b/__init__ first.
    for module, targets in graph.items():
        for target in list(targets):
            parts = target.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in MODULES and not (module + ".").startswith(parent + "."):
                    targets.add(parent)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle():
    assert _cycle(_graph()) is None, " → ".join(_cycle(_graph()) or [])


def test_a_cycle_is_found_when_there_is_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycle(graph) == ["a", "b", "c", "a"]


#: Imports inside functions that are allowed: the command line loads each
#: command's heavy dependencies only when that command runs.
LAZY_ALLOWED = {"dashboard.cli"}


@pytest.mark.parametrize("module", sorted(set(MODULES) - LAZY_ALLOWED))
def test_no_import_of_our_modules_inside_functions(module):
    assert _imports(module, top_level=False) == set()


def test_domain_code_never_imports_streamlit():
    offenders = []
    for module, path in MODULES.items():
        if module.startswith(("dashboard.ui", "dashboard.app", "dashboard.server")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] == "streamlit" for n in names):
                offenders.append(module)
    assert offenders == []
