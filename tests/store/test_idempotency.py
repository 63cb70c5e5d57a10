"""Which idempotency keys the store accepts (the browser makes them)."""

from __future__ import annotations

import pytest

from dashboard.store.idempotency import MAX_KEY, clean_key
from dashboard.store.models.delegations import FollowUp
from dashboard.store.models.feedback import FeedbackItem

UUID = "0b9f3c1e-7d2a-4c5b-9e8f-1a2b3c4d5e6f"
HEX = "0b9f3c1e7d2a4c5b9e8f1a2b3c4d5e6f"  # crypto.getRandomValues fallback


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (UUID, UUID),
        (f" {UUID}\n", UUID),
        (HEX, HEX),
        ("", None),
        (None, None),
        (42, None),
        ("0b9f3c1e", None),  # too short to be random enough
        ("a" * (MAX_KEY + 1), None),
        (UUID[:-1] + "'", None),
        (UUID.replace("-", " "), None),
    ],
)
def test_clean_key(value, expected):
    assert clean_key(value) == expected


def test_the_key_fits_its_column():
    for model in (FeedbackItem, FollowUp):
        assert model.__table__.c.client_key.type.length == MAX_KEY
