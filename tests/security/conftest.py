"""Security tests: cheap password hashing (the throttle and the hashing
slots are what is tested, not Argon2's cost)."""

from __future__ import annotations

import pytest

from dashboard import accounts
from tests.support.auth import FAST_HASHER


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
