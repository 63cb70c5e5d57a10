"""The delegation leader's visit as one card (phone mode), with AppTest on a
real store: check in, verify the commune's tasks, record the findings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dashboard import delegations as dlg
from dashboard.auth import SYSTEM
from dashboard.bootstrap import open_context
from dashboard.store.models.delegations import Delegation, TaskVerification
from dashboard.store.models.plans import PlanTask
from dashboard.ui.components.delegations.visit_card import (
    leader_first,
    verification_counts,
)
from tests.delegations.test_ui import (
    PROVINCE,
    button,
    dong_chau_visit,
    markdown_text,
    open_event_with_a_plan,
    vi,
)
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

CARDS = {"phone_mode_saved": True}
#: Columns of the tables a desktop shows for one delegation (list, stops,
#: members, tasks to verify): none of them on the card.
VISIT_TABLES = (
    "dlg.col.departure",
    "dlg.col.confirmed",
    "dlg.col.member",
    "dlg.col.task",
)


def test_the_leaders_own_active_delegation_comes_first():
    views = [
        SimpleNamespace(id=1, leader_username="a", status="planned"),
        SimpleNamespace(id=2, leader_username="me", status="returned"),
        SimpleNamespace(id=3, leader_username="me", status="on_site"),
        SimpleNamespace(id=4, leader_username="b", status="en_route"),
        SimpleNamespace(id=5, leader_username="me", status="planned"),
    ]
    assert [v.id for v in leader_first(views, "me")] == [3, 5, 1, 2, 4]
    assert [v.id for v in leader_first(views, "nobody")] == [1, 2, 3, 4, 5]


def test_verification_counts():
    def task(result):
        return SimpleNamespace(
            verification=None if result is None else SimpleNamespace(result=result)
        )

    tasks = [task(None), task("verified"), task("problem_found"), task("verified")]
    assert verification_counts(tasks) == (3, 4, 1)
    assert verification_counts([]) == (0, 0, 0)


def _delegation() -> tuple[int, list[int]]:
    """A delegation led by demo-province to Đồng Châu; its plan task ids."""
    event_id = open_event_with_a_plan()
    ctx = open_context()
    with ctx.transaction() as s:
        view = dlg.create_delegation(
            s,
            SYSTEM,
            event_id,
            "33",
            dong_chau_visit(
                "Đoàn kiểm tra ven biển", arrive_after=3, with_secretary=True
            ),
        )
        tasks = list(
            s.scalars(
                select(PlanTask.id)
                .where(PlanTask.event_id == event_id, PlanTask.commune_code == "13003")
                .order_by(PlanTask.position, PlanTask.id)
            )
        )
    ctx.engine.dispose()
    return view.id, tasks


def _verifications(delegation_id: int) -> dict[int, tuple[str, str]]:
    ctx = open_context()
    with ctx.sessions() as s:
        rows = s.scalars(
            select(TaskVerification).where(
                TaskVerification.delegation_id == delegation_id
            )
        )
        found = {r.plan_task_id: (r.result, r.note) for r in rows}
    ctx.engine.dispose()
    return found


def test_the_leader_checks_in_verifies_and_records_findings_from_the_card():
    did, tasks = _delegation()
    first, second = tasks[:2]
    at = open_view("delegations", PROVINCE, state=CARDS)
    assert not at.exception, at.exception
    assert at.toggle(key="phone_mode").value is True
    columns = {c for frame in at.dataframe for c in frame.value.columns}
    assert not columns & {vi(key) for key in VISIT_TABLES}, columns
    text = markdown_text(at)
    assert "**Đoàn kiểm tra ven biển**" in text
    assert "**Xã Đồng Châu**" in text
    assert "Dự kiến đến: 22:00 20/07/2025 (sau 3 giờ)" in text
    assert "Gió cấp 6 đến xã: " in text
    assert "Phạm Thị Ánh · Thư ký · 0987654321" in text
    assert vi("dlg.verify.check_in_first") in [c.value for c in at.caption]
    assert not [b for b in at.button if (b.key or "").startswith("dlg_vok_")]

    at.button(key=f"dlg_check_in_{did}").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == vi("dlg.done.check_in")
    ctx = open_context()
    with ctx.sessions() as s:
        assert s.get(Delegation, did).status == "on_site"
    ctx.engine.dispose()
    assert not [b for b in at.button if b.key == f"dlg_check_in_{did}"]
    assert at.button(key=f"dlg_check_out_{did}").label == vi("dlg.action.check_out")

    # One tap: the first task is verified.
    at.button(key=f"dlg_vok_{did}_{first}").click().run()
    assert not at.exception, at.exception
    assert _verifications(did) == {first: ("verified", "")}

    # "Có vấn đề" asks what is wrong; without it nothing is stored.
    at.button(key=f"dlg_vbad_{did}_{second}").click().run()
    note = at.text_area(key=f"dlg_problem_note_{did}_{second}")
    assert note.label == vi("dlg.card.problem_note")
    button(at, vi("field.save")).click().run()
    assert not at.exception, at.exception
    assert at.error, "an empty note is refused"
    assert _verifications(did) == {first: ("verified", "")}
    at.text_area(key=f"dlg_problem_note_{did}_{second}").input("Chưa có phao")
    button(at, vi("field.save")).click().run()
    assert not at.exception, at.exception
    assert _verifications(did) == {
        first: ("verified", ""),
        second: ("problem_found", "Chưa có phao"),
    }
    captions = [c.value for c in at.caption]
    assert vi("dlg.card.progress", checked=2, total=len(tasks), problems=1) in captions
    assert "Chưa có phao" in captions

    at.text_area(key=f"dlg_findings_text_{did}").input("Đê biển an toàn")
    button(at, vi("dlg.findings.save")).click().run()
    assert not at.exception, at.exception
    ctx = open_context()
    with ctx.sessions() as s:
        assert s.get(Delegation, did).findings == "Đê biển an toàn"
    ctx.engine.dispose()
