"""A fresh activation has no task overdue: a deadline already past is "due now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.plans.model import due_now, planned_if_moved

NOW = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)


def test_a_past_deadline_becomes_due_now_and_keeps_its_original():
    planned = NOW - timedelta(hours=18)  # ETA − 48 h, 30 h before the storm
    deadline = due_now(planned, NOW)
    assert deadline == NOW
    assert planned_if_moved(deadline, planned) == planned


def test_a_future_deadline_stays():
    planned = NOW + timedelta(hours=6)
    assert due_now(planned, NOW) == planned
    assert planned_if_moved(planned, planned) is None


def test_no_deadline_stays_none():
    assert due_now(None, NOW) is None
