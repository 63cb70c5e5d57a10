"""Commune feedback: workflow, role scope, audit, concurrency, attachments,
notification badges and the weekly summary (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from dashboard import feedback as fb
from dashboard.auth import Forbidden, Principal, Role
from dashboard.core.errors import Conflict
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.feedback import FeedbackItem
from tests.support.race import send_twice_at_once

COMMUNE = "13003"  # Xã Đồng Châu, Hưng Yên (33)
NEIGHBOUR = "11977"  # Xã Tân Hưng, also Hưng Yên
ELSEWHERE = "10507"  # Phường Thành Đông, Hải Phòng (31)

LEADER = Principal("leader", Role.COMMUNE, "UBND xã Đồng Châu", commune_code=COMMUNE)
NEIGHBOUR_LEADER = Principal("neighbour", Role.COMMUNE, commune_code=NEIGHBOUR)
FAR_LEADER = Principal("far", Role.COMMUNE, commune_code=ELSEWHERE)
STAFF = Principal("staff", Role.PROVINCE, "BCH Hưng Yên", frozenset({"33"}))
STAFF_2 = Principal("staff2", Role.PROVINCE, "BCH Hưng Yên 2", frozenset({"33"}))
OTHER_STAFF = Principal("hp", Role.PROVINCE, "BCH Hải Phòng", frozenset({"31"}))
ADMIN = Principal("root", Role.ADMIN, "Admin")
VOLUNTEER = Principal("vol", Role.VOLUNTEER, "Đoàn viên")

T0 = datetime(2025, 7, 16, 3, 0, tzinfo=UTC)  # Wednesday 10:00 Vietnam time


def raise_one(session, actor=LEADER, commune=COMMUNE, now=T0, **overrides):
    fields = {
        "category": "equipment",
        "urgency": "urgent",
        "title": "Thiếu áo phao",
        "text": "Xã cần thêm 200 áo phao cho các hộ ven sông.",
    }
    fields.update(overrides)
    return fb.raise_item(session, actor, commune_code=commune, clock=now, **fields)


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def drive_to(session, status, now=T0):
    """A new item moved to *status* by the regular path."""
    item = raise_one(session, now=now)
    if status in ("assigned", "answered", "closed"):
        item = fb.assign(
            session,
            STAFF,
            item.id,
            item.version,
            department="Sở Nông nghiệp và Môi trường",
            owner="Nguyễn Văn An",
            due_utc=now + timedelta(hours=24),
            clock=now + timedelta(hours=1),
        )
    if status in ("answered", "closed"):
        item = fb.answer(
            session,
            STAFF,
            item.id,
            item.version,
            text="Đã chuyển 200 áo phao từ kho tỉnh.",
            clock=now + timedelta(hours=3),
        )
    if status == "closed":
        item = fb.close(
            session, STAFF, item.id, item.version, clock=now + timedelta(hours=5)
        )
    assert item.status == status
    return item


ACTIONS = {
    "assign": lambda s, who, it: fb.assign(
        s,
        who,
        it.id,
        it.version,
        department="Sở Xây dựng",
        owner="Trần Thị Bình",
        due_utc=T0 + timedelta(days=2),
        clock=T0 + timedelta(hours=6),
    ),
    "answer": lambda s, who, it: fb.answer(
        s, who, it.id, it.version, text="Trả lời.", clock=T0 + timedelta(hours=6)
    ),
    "close": lambda s, who, it: fb.close(
        s, who, it.id, it.version, clock=T0 + timedelta(hours=6)
    ),
    "reopen": lambda s, who, it: fb.reopen(
        s,
        who,
        it.id,
        it.version,
        reason="Chưa nhận được.",
        clock=T0 + timedelta(hours=6),
    ),
}

# (action, from status) → resulting status, or None when refused.
WORKFLOW = {
    ("assign", "received"): "assigned",
    ("assign", "assigned"): "assigned",
    ("assign", "answered"): None,
    ("assign", "closed"): None,
    ("answer", "received"): None,
    ("answer", "assigned"): "answered",
    ("answer", "answered"): None,
    ("answer", "closed"): None,
    ("close", "received"): None,
    ("close", "assigned"): None,
    ("close", "answered"): "closed",
    ("close", "closed"): None,
    ("reopen", "received"): None,
    ("reopen", "assigned"): None,
    ("reopen", "answered"): "received",
    ("reopen", "closed"): "received",
}


@pytest.mark.parametrize(("action", "start"), sorted(WORKFLOW))
def test_workflow_transitions(ctx, action, start):
    expected = WORKFLOW[(action, start)]
    with ctx.transaction() as s:
        item = drive_to(s, start)
    with ctx.transaction() as s:
        if expected is None:
            with pytest.raises(fb.FeedbackError, match=f"status: cannot {action}"):
                ACTIONS[action](s, STAFF, item)
        else:
            after = ACTIONS[action](s, STAFF, item)
            assert after.status == expected
            assert after.version == item.version + 1
    with ctx.sessions() as s:
        stored = fb.get_item(s, STAFF, item.id)
    assert stored.status == (expected or start)


def test_the_workflow_table_matches_the_service():
    allowed = {(a, s) for (a, s), result in WORKFLOW.items() if result}
    assert allowed == {(a, s) for a, starts in fb.TRANSITIONS.items() for s in starts}


def test_step_times_follow_the_workflow(ctx):
    with ctx.transaction() as s:
        item = drive_to(s, "closed")
    times = item.step_times(clock=T0 + timedelta(days=9))
    assert times.to_assign == timedelta(hours=1)
    assert times.to_answer == timedelta(hours=2)
    assert times.to_close == timedelta(hours=2)
    assert times.open_for == timedelta(hours=5)  # closed: the clock stopped
    assert item.assigned_by == item.answered_by == item.closed_by == "staff"
    assert item.department == "Sở Nông nghiệp và Môi trường"
    assert item.due_utc == T0 + timedelta(hours=24)


def test_reopen_starts_a_new_cycle_and_keeps_the_reason(ctx):
    with ctx.transaction() as s:
        item = drive_to(s, "answered")
        item = fb.reopen(
            s,
            LEADER,
            item.id,
            item.version,
            reason="Chưa nhận được áo phao.",
            clock=T0 + timedelta(days=1),
        )
    assert item.status == "received"
    assert item.reopen_reason == "Chưa nhận được áo phao."
    assert item.raised_at == T0 + timedelta(days=1)
    assert item.assigned_at is item.answered_at is item.closed_at is None
    assert item.department == "Sở Nông nghiệp và Môi trường"  # kept as a hint
    times = item.step_times(clock=T0 + timedelta(days=1, hours=2))
    assert times.to_assign is None
    assert times.open_for == timedelta(hours=2)


# --------------------------------------------------------------------------- #
# role scope


@pytest.mark.parametrize(
    "who", [NEIGHBOUR_LEADER, STAFF, OTHER_STAFF, ADMIN, VOLUNTEER]
)
def test_only_the_communes_leader_raises_for_it(ctx, who):
    with ctx.transaction() as s, pytest.raises(Forbidden):
        raise_one(s, actor=who)
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FeedbackItem)) == 0


@pytest.mark.parametrize("action", sorted(fb.TRANSITIONS))
@pytest.mark.parametrize("who", [NEIGHBOUR_LEADER, FAR_LEADER, OTHER_STAFF, VOLUNTEER])
def test_outsiders_can_change_nothing(ctx, action, who):
    start = {"assign": "received", "answer": "assigned", "close": "answered"}
    with ctx.transaction() as s:
        item = drive_to(s, start.get(action, "answered"))
    with ctx.transaction() as s, pytest.raises(Forbidden):
        ACTIONS[action](s, who, item)
    with ctx.sessions() as s:
        assert fb.get_item(s, STAFF, item.id).version == item.version


@pytest.mark.parametrize("action", ["assign", "answer", "close"])
def test_the_commune_leader_does_not_triage(ctx, action):
    start = {"assign": "received", "answer": "assigned", "close": "answered"}[action]
    with ctx.transaction() as s:
        item = drive_to(s, start)
    with ctx.transaction() as s, pytest.raises(Forbidden):
        ACTIONS[action](s, LEADER, item)


def test_admin_triages_anywhere(ctx):
    with ctx.transaction() as s:
        item = raise_one(s)
        assert ACTIONS["assign"](s, ADMIN, item).status == "assigned"


@pytest.mark.parametrize("who", [NEIGHBOUR_LEADER, FAR_LEADER, OTHER_STAFF, VOLUNTEER])
def test_outsiders_read_nothing(ctx, who, tmp_path):
    with ctx.transaction() as s:
        item = fb.raise_item(
            s,
            LEADER,
            commune_code=COMMUNE,
            category="other",
            urgency="normal",
            title="Ảnh",
            text="Xem ảnh.",
            attachment=fb.Attachment("a.png", png_bytes()),
            data_dir=tmp_path,
            clock=T0,
        )
    with ctx.sessions() as s:
        with pytest.raises(Forbidden):
            fb.get_item(s, who, item.id)
        with pytest.raises(Forbidden):
            fb.history(s, who, item.id)
        with pytest.raises(Forbidden):
            fb.attachment_file(s, who, item.id, tmp_path)
        if who.role is Role.VOLUNTEER:
            with pytest.raises(Forbidden):
                fb.list_items(s, who)
        else:
            assert fb.list_items(s, who) == []


def test_lists_are_scoped(ctx):
    with ctx.transaction() as s:
        mine = raise_one(s)
        theirs = raise_one(s, actor=NEIGHBOUR_LEADER, commune=NEIGHBOUR)
        far = raise_one(s, actor=FAR_LEADER, commune=ELSEWHERE)
    with ctx.sessions() as s:
        assert [i.id for i in fb.list_items(s, LEADER)] == [mine.id]
        assert {i.id for i in fb.list_items(s, STAFF)} == {mine.id, theirs.id}
        assert [i.id for i in fb.list_items(s, OTHER_STAFF)] == [far.id]
        assert len(fb.list_items(s, ADMIN)) == 3
        with pytest.raises(Forbidden):
            fb.list_items(s, LEADER, commune_code=NEIGHBOUR)
        with pytest.raises(Forbidden):
            fb.list_items(s, STAFF, province_code="31")


def test_queue_order_and_filters(ctx):
    with ctx.transaction() as s:
        normal = raise_one(s, urgency="normal", title="a", now=T0)
        urgent_late = raise_one(s, urgency="urgent", title="b", now=T0)
        urgent_soon = raise_one(s, urgency="urgent", title="c", now=T0)
        critical = raise_one(s, urgency="critical", category="funding", title="d")
        closed = drive_to(s, "closed")  # urgent, but closed: last
        for item, hours in ((urgent_late, 48), (urgent_soon, 6)):
            fb.assign(
                s,
                STAFF,
                item.id,
                item.version,
                department="Sở",
                owner="A",
                due_utc=T0 + timedelta(hours=hours),
                clock=T0,
            )
    with ctx.sessions() as s:
        queue = [i.id for i in fb.list_items(s, STAFF, province_code="33")]
        assert queue == [
            critical.id,
            urgent_soon.id,
            urgent_late.id,
            normal.id,
            closed.id,
        ]
        filtered = fb.list_items(
            s, STAFF, statuses=["received"], urgencies=["critical", "normal"]
        )
        assert [i.id for i in filtered] == [critical.id, normal.id]
        assert [i.id for i in fb.list_items(s, STAFF, categories=["funding"])] == [
            critical.id
        ]
        with pytest.raises(fb.FeedbackError, match="status"):
            fb.list_items(s, STAFF, statuses=["lost"])


# --------------------------------------------------------------------------- #
# validation


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"urgency": "panic"}, "urgency"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
    ],
)
def test_raise_names_the_bad_field(ctx, overrides, field):
    with ctx.transaction() as s, pytest.raises(fb.FeedbackError) as caught:
        raise_one(s, **overrides)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"department": " "}, "department"),
        ({"owner": ""}, "owner"),
        ({"due_utc": datetime(2025, 7, 17, 12)}, "due"),
    ],
)
def test_assign_names_the_bad_field(ctx, kwargs, field):
    with ctx.transaction() as s:
        item = raise_one(s)
    args = {"department": "Sở", "owner": "A", "due_utc": T0 + timedelta(days=1)}
    args.update(kwargs)
    with ctx.transaction() as s, pytest.raises(fb.FeedbackError) as caught:
        fb.assign(s, STAFF, item.id, item.version, **args)
    assert caught.value.field == field


def test_answer_and_reopen_need_text(ctx):
    with ctx.transaction() as s:
        item = drive_to(s, "assigned")
    with (
        ctx.transaction() as s,
        pytest.raises(fb.FeedbackError, match="answer: is required"),
    ):
        fb.answer(s, STAFF, item.id, item.version, text="  ")
    with ctx.transaction() as s:
        item = fb.answer(s, STAFF, item.id, item.version, text="Đã xử lý.")
    with (
        ctx.transaction() as s,
        pytest.raises(fb.FeedbackError, match="reason: is required"),
    ):
        fb.reopen(s, LEADER, item.id, item.version, reason="")


# --------------------------------------------------------------------------- #
# audit and concurrency


def test_every_change_is_audited(ctx):
    with ctx.transaction() as s:
        item = drive_to(s, "closed")
        fb.reopen(s, LEADER, item.id, item.version, reason="Thiếu 50 áo.")
    with ctx.sessions() as s:
        rows = fb.history(s, LEADER, item.id)
    assert [(r.action, r.actor) for r in rows] == [
        ("feedback.raise", "leader"),
        ("feedback.assign", "staff"),
        ("feedback.answer", "staff"),
        ("feedback.close", "staff"),
        ("feedback.reopen", "leader"),
    ]
    answered = rows[2]
    assert json.loads(answered.old_value)["status"] == "assigned"
    assert (
        json.loads(answered.new_value)["answer"] == "Đã chuyển 200 áo phao từ kho tỉnh."
    )
    assert rows[-1].reason == "Thiếu 50 áo."


def test_a_refused_change_leaves_no_audit_row(ctx):
    with ctx.transaction() as s:
        item = raise_one(s)
    with ctx.transaction() as s, pytest.raises(Forbidden):
        fb.answer(s, OTHER_STAFF, item.id, item.version, text="x")
    with ctx.sessions() as s:
        count = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.object_type == "feedback_item")
        )
    assert count == 1


def test_a_stale_version_is_refused_and_nothing_is_written(ctx):
    with ctx.transaction() as s:
        item = raise_one(s)
    with ctx.transaction() as s:
        fb.assign(
            s,
            STAFF_2,
            item.id,
            item.version,
            department="Sở Tài chính",
            owner="Lê C",
            due_utc=T0 + timedelta(days=1),
            clock=T0,
        )
    with ctx.transaction() as s, pytest.raises(Conflict) as caught:
        fb.assign(
            s,
            STAFF,
            item.id,
            item.version,
            department="Sở Xây dựng",
            owner="Phạm D",
            due_utc=T0 + timedelta(days=3),
            clock=T0,
        )
    assert caught.value.current["updated_by"] == "staff2"
    assert caught.value.current["version"] == item.version + 1
    assert "staff2" in str(caught.value)
    with ctx.sessions() as s:
        now = fb.get_item(s, STAFF, item.id)
        assert (now.department, now.owner, now.version) == ("Sở Tài chính", "Lê C", 2)
        assert [r.action for r in fb.history(s, STAFF, item.id)] == [
            "feedback.raise",
            "feedback.assign",
        ]


def test_the_database_refuses_a_concurrent_write(ctx):
    """Both read version 1; the second flush finds the row changed."""
    with ctx.transaction() as s:
        item = raise_one(s)
    first = ctx.sessions()
    second = ctx.sessions()
    try:
        a = first.get(FeedbackItem, item.id)
        b = second.get(FeedbackItem, item.id)
        assert a.version == b.version == 1
        fb.assign(
            first,
            STAFF,
            item.id,
            1,
            department="Sở A",
            owner="A",
            due_utc=T0 + timedelta(days=1),
            clock=T0,
        )
        first.commit()
        with pytest.raises(Conflict):
            fb.assign(
                second,
                STAFF_2,
                item.id,
                1,
                department="Sở B",
                owner="B",
                due_utc=T0 + timedelta(days=1),
                clock=T0,
            )
        second.rollback()
    finally:
        first.close()
        second.close()
    with ctx.sessions() as s:
        assert fb.get_item(s, STAFF, item.id).department == "Sở A"


# --------------------------------------------------------------------------- #
# attachments


def stored_files(data_dir):
    folder = data_dir / "feedback"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_good_png_is_stored_under_the_data_dir(ctx):
    data_dir = ctx.settings.data_dir
    with ctx.transaction() as s:
        item = fb.raise_item(
            s,
            LEADER,
            commune_code=COMMUNE,
            category="infrastructure",
            urgency="critical",
            title="Đê sạt lở",
            text="Ảnh hiện trường.",
            attachment=fb.Attachment("../../etc/đê sạt.PNG", png_bytes()),
            data_dir=data_dir,
            clock=T0,
        )
    assert item.attachment_mime == "image/png"
    assert item.attachment_name == "đê sạt.PNG"
    files = stored_files(data_dir)
    assert len(files) == 1 and files[0].endswith(".png")
    with ctx.sessions() as s:
        name, mime, data = fb.attachment_file(s, STAFF, item.id, data_dir)
    assert (name, mime, data) == ("đê sạt.PNG", "image/png", png_bytes())


def test_a_pdf_is_accepted(ctx):
    with ctx.transaction() as s:
        item = raise_one(
            s,
            attachment=fb.Attachment("cv.pdf", pdf_bytes()),
            data_dir=ctx.settings.data_dir,
        )
    assert item.attachment_mime == "application/pdf"
    assert stored_files(ctx.settings.data_dir)[0].endswith(".pdf")


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("photo.png", ELF, "only PNG"),
        ("scan.pdf", MZ, "only PNG"),
        ("map.svg", SVG, "only PNG"),
        ("note.png", HTML, "only PNG"),
        ("empty.png", b"", "empty"),
        ("big.png", png_bytes() + b"\x00" * fb.MAX_ATTACHMENT_BYTES, "at most"),
        ("broken.png", png_bytes()[:40], "cannot be read"),
        ("broken.pdf", b"%PDF-1.4\n%garbage only\n", "cannot be read|no pages"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(ctx, name, data, match):
    with ctx.transaction() as s, pytest.raises(fb.FeedbackError, match=match) as caught:
        raise_one(
            s, attachment=fb.Attachment(name, data), data_dir=ctx.settings.data_dir
        )
    assert caught.value.field == "attachment"
    assert stored_files(ctx.settings.data_dir) == []
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FeedbackItem)) == 0


def test_the_file_is_removed_when_the_transaction_rolls_back(ctx):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), ctx.transaction() as s:
        raise_one(
            s,
            attachment=fb.Attachment("a.png", png_bytes()),
            data_dir=ctx.settings.data_dir,
        )
        assert len(stored_files(ctx.settings.data_dir)) == 1
        raise Boom
    assert stored_files(ctx.settings.data_dir) == []


# --------------------------------------------------------------------------- #
# notifications


def test_badges_for_province_and_commune(ctx):
    with ctx.transaction() as s:
        a = raise_one(s)
        raise_one(s, title="Thiếu kinh phí", category="funding")
        raise_one(s, actor=FAR_LEADER, commune=ELSEWHERE)
    with ctx.sessions() as s:
        assert fb.unseen_count(s, STAFF) == 2
        assert fb.unseen_count(s, STAFF_2) == 2
        assert fb.unseen_count(s, OTHER_STAFF) == 1
        assert fb.unseen_count(s, ADMIN) == 3
        assert fb.unseen_count(s, LEADER) == 0  # nothing answered yet
        assert fb.unseen_count(s, VOLUNTEER) == 0
        assert {i.id: i.is_new for i in fb.list_items(s, STAFF)}[a.id] is True
    with ctx.transaction() as s:
        assert fb.mark_seen(s, STAFF, [a.id]) == 1
    with ctx.sessions() as s:
        assert fb.unseen_count(s, STAFF) == 1
        assert fb.unseen_count(s, STAFF_2) == 2  # per user
        assert fb.get_item(s, STAFF, a.id).is_new is False
    with ctx.transaction() as s:
        item = fb.assign(
            s,
            STAFF_2,
            a.id,
            a.version,
            department="Sở",
            owner="A",
            due_utc=T0 + timedelta(days=1),
            clock=T0,
        )
        item = fb.answer(s, STAFF_2, a.id, item.version, text="Đã cấp.")
    with ctx.sessions() as s:
        assert fb.unseen_count(s, LEADER) == 1
        assert fb.unseen_count(s, NEIGHBOUR_LEADER) == 0
        assert [i.is_new for i in fb.list_items(s, LEADER) if i.id == a.id] == [True]
    with ctx.transaction() as s:
        fb.mark_seen(s, LEADER)
        fb.mark_seen(s, STAFF)
    with ctx.sessions() as s:
        assert fb.unseen_count(s, LEADER) == 0
        assert fb.unseen_count(s, STAFF) == 0
    # A reopen is new for the province again, not for the leader who did it.
    with ctx.transaction() as s:
        fb.reopen(s, LEADER, a.id, item.version, reason="Chưa nhận.")
    with ctx.sessions() as s:
        assert fb.unseen_count(s, STAFF) == 1
        assert fb.unseen_count(s, LEADER) == 0


def test_mark_seen_refuses_items_outside_the_scope(ctx):
    with ctx.transaction() as s:
        item = raise_one(s)
    with ctx.transaction() as s, pytest.raises(Forbidden):
        fb.mark_seen(s, OTHER_STAFF, [item.id])


def test_open_urgent_lists_what_waits_for_the_province(ctx):
    with ctx.transaction() as s:
        raise_one(s, urgency="normal")
        waiting = raise_one(s, urgency="critical")
        assigned = drive_to(s, "assigned")  # urgent, due T0 + 24 h
        drive_to(s, "answered")
        raise_one(s, actor=FAR_LEADER, commune=ELSEWHERE, urgency="critical")
    with ctx.sessions() as s:
        rows = fb.open_urgent(s, STAFF, "33")
        with pytest.raises(Forbidden):
            fb.open_urgent(s, OTHER_STAFF, "33")
    assert [r.id for r in rows] == [waiting.id, assigned.id]
    assert [r.overdue(T0 + timedelta(hours=30)) for r in rows] == [False, True]


# --------------------------------------------------------------------------- #
# weekly summary

NOW = datetime(2025, 7, 23, 5, 0, tzinfo=UTC)  # Wednesday 12:00 Vietnam time
THIS_WEEK = date(2025, 7, 21)
LAST_WEEK = date(2025, 7, 14)


def test_weekly_summary_counts_per_week_commune_and_category(ctx):
    # Monday 21/07 00:00 Vietnam time is Sunday 20/07 17:00 UTC.
    monday = datetime(2025, 7, 20, 17, 0, tzinfo=UTC)
    with ctx.transaction() as s:
        raise_one(s, urgency="critical", now=monday)  # this week (first second)
        raise_one(s, urgency="normal", now=monday + timedelta(days=1))
        raise_one(
            s, category="funding", urgency="normal", now=monday - timedelta(seconds=1)
        )
        drive_to(s, "answered", now=monday - timedelta(days=3))  # last week, urgent
        raise_one(
            s,
            actor=NEIGHBOUR_LEADER,
            commune=NEIGHBOUR,
            category="staffing",
            urgency="urgent",
            now=monday + timedelta(hours=2),
        )
        raise_one(s, now=monday - timedelta(weeks=3))  # outside a 2-week window
        raise_one(s, actor=FAR_LEADER, commune=ELSEWHERE, now=monday)  # other province
    with ctx.sessions() as s:
        frame = fb.weekly_summary(s, STAFF, "33", weeks=2, clock=NOW)
        wide = fb.weekly_summary(s, ADMIN, "33", weeks=8, clock=NOW)
    rows = {
        (r.week_start, r.commune_code, r.category): (
            r.raised,
            r.urgent,
            r.answered,
            r.awaiting,
        )
        for r in frame.itertuples()
    }
    assert rows == {
        (LAST_WEEK, COMMUNE, "equipment"): (1, 1, 1, 0),
        (LAST_WEEK, COMMUNE, "funding"): (1, 0, 0, 1),
        (THIS_WEEK, COMMUNE, "equipment"): (2, 1, 0, 2),
        (THIS_WEEK, NEIGHBOUR, "staffing"): (1, 1, 0, 1),
    }
    assert set(frame["commune_name"]) == {"Xã Đồng Châu", "Xã Tân Hưng"}
    assert int(wide["raised"].sum()) == 6
    assert wide["week_start"].min() == date(2025, 6, 30)


def test_weekly_summary_is_for_province_staff_of_that_province(ctx):
    with ctx.sessions() as s:
        for who in (LEADER, OTHER_STAFF, VOLUNTEER):
            with pytest.raises(Forbidden):
                fb.weekly_summary(s, who, "33", clock=NOW)
        with pytest.raises(fb.FeedbackError, match="weeks"):
            fb.weekly_summary(s, STAFF, "33", weeks=0, clock=NOW)
        empty = fb.weekly_summary(s, STAFF, "33", clock=NOW)
    assert empty.empty and "raised" in empty.columns


def test_a_due_date_in_the_past_is_refused(ctx):
    """Issue 15: a due date in 2020 was accepted."""
    with ctx.transaction() as s:
        item = raise_one(s)
    with ctx.transaction() as s, pytest.raises(fb.FeedbackError) as caught:
        fb.assign(
            s,
            STAFF,
            item.id,
            item.version,
            department="Sở Xây dựng",
            owner="Trần Thị Bình",
            due_utc=datetime(2020, 1, 1, tzinfo=UTC),
            clock=T0,
        )
    assert (caught.value.key, caught.value.field) == ("errors.in_past", "due")


def test_a_text_over_the_limit_is_refused_not_cut(ctx):
    """Issue 15: the text was silently cut at 5,000 characters."""
    with ctx.transaction() as s, pytest.raises(fb.FeedbackError) as caught:
        raise_one(s, text="a" * (fb.MAX_TEXT + 1))
    assert caught.value.key == "errors.too_long"
    assert caught.value.params["length"] == fb.MAX_TEXT + 1
    assert caught.value.params["limit"] == fb.MAX_TEXT


# --------------------------------------------------------------------------- #
# idempotency: a resend of the same draft is stored once

KEY = "0b9f3c1e-7d2a-4c5b-9e8f-1a2b3c4d5e6f"
OTHER_KEY = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def audit_count(ctx) -> int:
    with ctx.sessions() as s:
        return s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "feedback.raise")
        )


def item_count(ctx) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(FeedbackItem))


def test_the_same_key_twice_stores_one_item_and_one_audit_row(ctx):
    with ctx.transaction() as s:
        first = raise_one(s, client_key=KEY)
    with ctx.transaction() as s:  # the resend after a dropped connection
        again = raise_one(s, client_key=KEY, now=T0 + timedelta(minutes=3))
    assert again == first
    assert (item_count(ctx), audit_count(ctx)) == (1, 1)


def test_two_keys_are_two_items(ctx):
    with ctx.transaction() as s:
        a = raise_one(s, client_key=KEY)
        b = raise_one(s, client_key=OTHER_KEY)
        c, d = raise_one(s), raise_one(s)  # no key (no JavaScript): as before
    assert len({a.id, b.id, c.id, d.id}) == 4
    assert (item_count(ctx), audit_count(ctx)) == (4, 4)


def test_a_key_belongs_to_its_author(ctx):
    """Another leader sending the same key gets their own item, never the
    first leader's (the key is unique per author)."""
    with ctx.transaction() as s:
        mine = raise_one(s, client_key=KEY)
        theirs = raise_one(s, actor=FAR_LEADER, commune=ELSEWHERE, client_key=KEY)
    assert mine.id != theirs.id and theirs.commune_code == ELSEWHERE
    assert item_count(ctx) == 2


def test_a_resend_stores_its_attachment_once(ctx):
    data_dir = ctx.settings.data_dir
    for _ in range(2):
        with ctx.transaction() as s:
            raise_one(
                s,
                client_key=KEY,
                attachment=fb.Attachment("a.png", png_bytes()),
                data_dir=data_dir,
            )
    assert len(stored_files(data_dir)) == 1
    assert item_count(ctx) == 1


def test_two_sends_of_one_draft_at_once_store_one_item(ctx):
    """The second send has looked for the key and found nothing when the
    first commits: the database's unique index decides, and the second
    returns the first's item (its attachment file removed again)."""
    data_dir = ctx.settings.data_dir

    def send(s):
        return raise_one(
            s,
            client_key=KEY,
            attachment=fb.Attachment("a.png", png_bytes()),
            data_dir=data_dir,
        )

    first, second = send_twice_at_once(ctx, "feedback_items", send)
    assert second.id == first.id
    assert (item_count(ctx), audit_count(ctx)) == (1, 1)
    assert len(stored_files(data_dir)) == 1


def test_a_key_the_browser_cannot_make_is_ignored(ctx):
    with ctx.transaction() as s:
        a = raise_one(s, client_key="x' OR 1=1 --")
        b = raise_one(s, client_key="x' OR 1=1 --")
    assert a.id != b.id
    with ctx.sessions() as s:
        assert set(s.scalars(select(FeedbackItem.client_key))) == {None}
