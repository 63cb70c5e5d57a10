"""Helpers shared by the tests (no fixtures here; see conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip the calling test when *condition* is false, or fail under ``CI=true``.

    CI must run every test: a missing PostgreSQL, browser or shared data set
    there is an error, not a reason to skip.
    """
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def shared_file(*parts: str) -> Path:
    """Path of a file in ``../shared/data``; skips (fails in CI) when absent."""
    path = SHARED_DATA.joinpath(*parts)
    require(path.exists(), f"{path} is missing (the real data lives in ../shared)")
    return path
