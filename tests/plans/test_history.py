"""Readable history: who, what changed from what to what, when (Vietnam time)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dashboard.plans.history import describe
from dashboard.plans.tasks import HistoryEntry


def entry(**changes):
    base = {
        "at": datetime(2025, 7, 20, 12, 0, tzinfo=UTC),
        "actor": "demo-commune",
        "actor_role": "commune",
        "action": "update",
        "object_type": "plan_task",
        "object_id": "167",
        "old_value": json.dumps(
            {"status": "todo", "evidence_photo": "", "version": 1, "updated_at": "x"}
        ),
        "new_value": json.dumps(
            {"status": "done", "evidence_photo": "p.jpg", "version": 2}
        ),
        "reason": "",
    }
    base.update(changes)
    return HistoryEntry(**base)


def test_a_task_update_reads_as_a_sentence():
    line = describe(entry(), "vi", {"167": "Kiểm tra loa truyền thanh"})
    assert line.when == "19:00 20/07/2025"
    assert line.who == "demo-commune"
    assert line.what == "Cập nhật việc «Kiểm tra loa truyền thanh»"
    assert line.changes == ("Trạng thái: Chưa làm → Đã xong", "Ảnh: — → đã có ảnh")
    text = " ".join((line.what, *line.changes))
    for raw in ("plan_task", "167", "version", "updated_at", "todo", "None"):
        assert raw not in text


def test_english_too():
    line = describe(entry(), "en", {"167": "Check the loudspeakers"})
    assert line.what == "Updated task “Check the loudspeakers”"
    assert line.changes[0].startswith("Status: ")
    assert "→" in line.changes[0]
