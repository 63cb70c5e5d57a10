"""Every benchmark that ``python benchmarks/run.py`` names can be loaded.

The benchmarks run outside the test suite (they take minutes), so a moved
import broke ``--only activation`` without any test noticing (the
restructure moved ``open_context`` to ``dashboard.bootstrap``).
"""

from __future__ import annotations

import importlib

import pytest

from benchmarks.run import BENCHMARKS


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_the_benchmark_module_loads_and_has_run(name):
    module = importlib.import_module(BENCHMARKS[name])
    assert callable(module.run)
