"""One name for the scenario's time: every function that takes "now" takes it
as ``clock`` (a :data:`dashboard.core.clock.Clock`), never ``now`` or
``clock_utc``.

Read from the source with :mod:`ast`, like the import rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"

#: Parameter names that mean the scenario's "now" under another name.
FORBIDDEN = {"now", "clock_utc"}


def _offenders(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        name = getattr(node, "name", "<lambda>")
        found += [
            f"{where}:{node.lineno} {name}({p.arg})"
            for p in params
            if p is not None and p.arg in FORBIDDEN
        ]
    return found


def test_no_function_takes_now_under_another_name():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(PACKAGE.parent))
        offenders += _offenders(path.read_text(encoding="utf-8"), where)
    assert offenders == [], "take the time as `clock: Clock`: " + ", ".join(offenders)


def test_an_offender_is_found():
    source = (
        "def a(session, now=None): ...\n"
        "class B:\n"
        "    def c(self, *, clock_utc): ...\n"
        "d = lambda now: now\n"
        "def e(session, clock=None): ...\n"
    )
    assert _offenders(source, "m.py") == [
        "m.py:1 a(now)",
        "m.py:3 c(clock_utc)",
        "m.py:4 <lambda>(now)",
    ]
