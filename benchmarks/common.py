"""Helpers for the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        raise SystemExit(
            f"{path} is missing: benchmarks run on the real data in ../shared"
        )
    return path


def best_of(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Smallest wall time in seconds over *repeat* runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result
