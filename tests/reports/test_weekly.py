"""Weekly report to the Ministry: counts on a seeded week, forwards, the summary
text, the national roll-up, the renderers (text, PDF, XLSX, DOCX), roles."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from dashboard import feedback as fb
from dashboard.auth import Forbidden, Principal, Role
from dashboard.core.errors import Conflict
from dashboard.reports import weekly, weekly_render
from dashboard.reports.forwards import (
    ForwardError,
    forward_to_ministry,
    forwards_of_item,
)
from dashboard.store.models.core import AuditEntry

COMMUNE = "13003"  # Xã Đồng Châu, Hưng Yên (33)
NEIGHBOUR = "11977"  # Xã Tân Hưng, Hưng Yên (33)
ELSEWHERE = "10507"  # Phường Thành Đông, Hải Phòng (31)

LEADER = Principal("leader", Role.COMMUNE, "UBND xã Đồng Châu", commune_code=COMMUNE)
NEIGHBOUR_LEADER = Principal("neighbour", Role.COMMUNE, commune_code=NEIGHBOUR)
FAR_LEADER = Principal("far", Role.COMMUNE, commune_code=ELSEWHERE)
STAFF = Principal("staff", Role.PROVINCE, "BCH Hưng Yên", frozenset({"33"}))
OTHER_STAFF = Principal("hp", Role.PROVINCE, "BCH Hải Phòng", frozenset({"31"}))
ADMIN = Principal("root", Role.ADMIN, "Admin")
VOLUNTEER = Principal("vol", Role.VOLUNTEER, "Đoàn viên")

WEEK = "2025-W29"  # Monday 14/07/2025 – Sunday 20/07/2025, Vietnam time
START = datetime(2025, 7, 13, 17, 0, tzinfo=UTC)  # Monday 00:00 Vietnam time
END = START + timedelta(weeks=1)
NOW = datetime(2025, 7, 25, 3, 0, tzinfo=UTC)  # printed the week after
MINISTRY = "Bộ Nông nghiệp và Môi trường"


def day(d: int, hour: int = 3) -> datetime:
    return datetime(2025, 7, d, hour, 0, tzinfo=UTC)


def raise_(s, when, leader=LEADER, commune=COMMUNE, category="equipment", title=None):
    return fb.raise_item(
        s,
        leader,
        commune_code=commune,
        category=category,
        urgency="urgent",
        title=title or f"Kiến nghị {category} {when:%d/%m %H:%M}",
        text="Xã cần hỗ trợ.",
        clock=when,
    )


def assign(s, item, when):
    return fb.assign(
        s,
        STAFF,
        item.id,
        item.version,
        department="Sở Nông nghiệp và Môi trường",
        owner="Nguyễn Văn An",
        due_utc=when + timedelta(hours=24),
        clock=when,
    )


def answer(s, item, when):
    return fb.answer(s, STAFF, item.id, item.version, text="Đã xử lý.", clock=when)


def seed(ctx) -> dict[str, int]:
    """The week's scenario; returns item ids by letter.

    A, B, H answered in the week (4 h, 10 h, 2 h); F raised the week before
    and answered in the week (216 h); C forwarded; G answered only after the
    week; H reopened before the week ended; E raised the week before, never
    answered (the oldest); D titled like a formula.
    """
    ids: dict[str, int] = {}
    with ctx.transaction() as s:
        a = assign(s, raise_(s, day(14)), day(14, 4))
        a = answer(s, a, day(14, 7))
        ids["A"] = a.id
        b = assign(s, raise_(s, day(15)), day(15, 4))
        b = answer(s, b, day(15, 13))
        b = fb.close(s, STAFF, b.id, b.version, clock=day(15, 14))
        ids["B"] = b.id
        c = assign(s, raise_(s, day(16), category="funding"), day(16, 4))
        ids["C"] = c.id
        forward_to_ministry(
            s, STAFF, c.id, MINISTRY, note="Vượt thẩm quyền của tỉnh.", clock=day(17)
        )
        d = raise_(
            s,
            day(17),
            NEIGHBOUR_LEADER,
            NEIGHBOUR,
            "staffing",
            title='=HYPERLINK("http://x")',
        )
        ids["D"] = d.id
        e = raise_(s, day(9), NEIGHBOUR_LEADER, NEIGHBOUR, "staffing")
        ids["E"] = e.id
        f = assign(
            s, raise_(s, day(9, 5), NEIGHBOUR_LEADER, NEIGHBOUR, "other"), day(9, 6)
        )
        f = answer(s, f, day(18, 5))
        ids["F"] = f.id
        g = assign(s, raise_(s, day(18)), day(18, 4))
        g = answer(s, g, day(22))
        ids["G"] = g.id
        h = assign(s, raise_(s, day(19)), day(19, 4))
        h = answer(s, h, day(19, 5))
        h = fb.reopen(s, LEADER, h.id, h.version, reason="Chưa đủ.", clock=day(20, 1))
        ids["H"] = h.id
        raise_(s, day(16), FAR_LEADER, ELSEWHERE)  # another province
        raise_(s, day(21))  # the week after
    return ids


def test_week_bounds_are_vietnam_mondays():
    assert weekly.week_bounds(WEEK) == (START, END)
    assert weekly.current_iso_week(START) == WEEK
    assert weekly.current_iso_week(START - timedelta(seconds=1)) == "2025-W28"
    for bad in ("2025-29", "2025-W54", "2021-W53", "x"):
        with pytest.raises(weekly.ReportError, match="week"):
            weekly.week_bounds(bad)


def test_weekly_report_counts_a_seeded_week(ctx):
    ids = seed(ctx)
    with ctx.sessions() as s:
        report = weekly.weekly_report(s, STAFF, "33", WEEK, clock=NOW)
    got = {
        (r.commune_code, r.category): (r.raised, r.answered, r.forwarded, r.open)
        for r in report.rows
    }
    assert got == {
        (NEIGHBOUR, "other"): (0, 1, 0, 0),
        (NEIGHBOUR, "staffing"): (1, 0, 0, 2),
        (COMMUNE, "equipment"): (4, 3, 0, 2),
        (COMMUNE, "funding"): (1, 0, 1, 1),
    }
    assert report.totals == {"raised": 6, "answered": 4, "forwarded": 1, "open": 5}
    assert report.open_total == 5
    assert sorted(report.answer_hours) == [2.0, 4.0, 10.0, 216.0]
    assert report.median_hours_to_answer == 7.0
    assert report.mean_hours_to_answer == 58.0
    assert [o.id for o in report.oldest_unanswered] == [
        ids["E"],
        ids["C"],
        ids["D"],
        ids["G"],
        ids["H"],
    ]
    oldest = report.oldest_unanswered[0]
    assert oldest.age_hours == 278.0  # 09/07 03:00 → 20/07 17:00 UTC
    assert oldest.commune_name == "Xã Tân Hưng"
    assert report.oldest_unanswered[3].status == "assigned"  # G: answered later
    assert report.oldest_unanswered[4].status == "received"  # H: reopened
    [fwd] = report.forwarded_items
    assert (fwd.item_id, fwd.ministry, fwd.commune_name) == (
        ids["C"],
        MINISTRY,
        "Xã Đồng Châu",
    )
    assert report.as_of_utc == END
    assert report.week_label == "14/07/2025 – 20/07/2025"
    assert report.by_category()["equipment"] == {
        "raised": 4,
        "answered": 3,
        "forwarded": 0,
        "open": 2,
    }


def test_a_past_week_is_rebuilt_as_it_was(ctx):
    seed(ctx)
    with ctx.sessions() as s:
        report = weekly.weekly_report(s, ADMIN, "33", "2025-W28", clock=NOW)
    got = {
        (r.commune_code, r.category): (r.raised, r.answered, r.forwarded, r.open)
        for r in report.rows
    }
    # E received, F assigned at the end of week 28; F's answer came in week 29.
    assert got == {
        (NEIGHBOUR, "other"): (1, 0, 0, 1),
        (NEIGHBOUR, "staffing"): (1, 0, 0, 1),
    }
    assert report.answer_hours == ()
    assert report.median_hours_to_answer is None


def test_the_current_week_counts_up_to_now(ctx):
    seed(ctx)
    with ctx.sessions() as s:
        report = weekly.weekly_report(s, STAFF, "33", WEEK, clock=day(16, 12))
        with pytest.raises(weekly.ReportError, match="not begun"):
            weekly.weekly_report(s, STAFF, "33", "2025-W31", clock=day(16, 12))
    assert report.as_of_utc == day(16, 12)
    assert report.totals == {"raised": 3, "answered": 2, "forwarded": 0, "open": 3}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (ADMIN, True),
        (STAFF, True),
        (OTHER_STAFF, False),
        (LEADER, False),
        (VOLUNTEER, False),
    ],
)
def test_who_reads_the_weekly_report(ctx, who, allowed):
    with ctx.sessions() as s:
        if allowed:
            assert weekly.weekly_report(s, who, "33", WEEK, clock=NOW).rows == ()
        else:
            with pytest.raises(Forbidden):
                weekly.weekly_report(s, who, "33", WEEK, clock=NOW)


# --------------------------------------------------------------------------- #
# forwards


def test_forwarding_is_province_staff_only_audited_and_once(ctx):
    with ctx.transaction() as s:
        item = raise_(s, day(16))
    with ctx.transaction() as s:
        for who in (LEADER, OTHER_STAFF, VOLUNTEER):
            with pytest.raises(Forbidden):
                forward_to_ministry(s, who, item.id, MINISTRY, clock=day(17))
        with pytest.raises(ForwardError, match="ministry: is required"):
            forward_to_ministry(s, STAFF, item.id, "  ", clock=day(17))
        view = forward_to_ministry(
            s, STAFF, item.id, MINISTRY, "ghi chú", clock=day(17)
        )
        assert (view.ministry, view.forwarded_by, view.forwarded_at) == (
            MINISTRY,
            "staff",
            day(17),
        )
    with ctx.transaction() as s:
        with pytest.raises(ForwardError, match="already forwarded"):
            forward_to_ministry(s, ADMIN, item.id, MINISTRY, clock=day(17, 5))
        forward_to_ministry(s, ADMIN, item.id, "Bộ Tài chính", clock=day(17, 5))
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "feedback.forward")
        ).all()
        assert [json.loads(r.new_value)["ministry"] for r in rows] == [
            MINISTRY,
            "Bộ Tài chính",
        ]
        assert [r.actor for r in rows] == ["staff", "root"]
        assert [f.ministry for f in forwards_of_item(s, STAFF, item.id)] == [
            MINISTRY,
            "Bộ Tài chính",
        ]
        with pytest.raises(Forbidden):
            forwards_of_item(s, LEADER, item.id)
        # The item's own workflow is untouched.
        assert fb.get_item(s, STAFF, item.id).status == "received"


def test_a_closed_item_is_not_forwarded(ctx):
    with ctx.transaction() as s:
        item = answer(s, assign(s, raise_(s, day(14)), day(14, 4)), day(14, 5))
        item = fb.close(s, STAFF, item.id, item.version, clock=day(14, 6))
    with ctx.transaction() as s, pytest.raises(ForwardError, match="status"):
        forward_to_ministry(s, STAFF, item.id, MINISTRY, clock=day(15))


# --------------------------------------------------------------------------- #
# summary text


def test_summary_text_is_saved_per_week_with_versions(ctx):
    with ctx.transaction() as s:
        note = weekly.save_summary(s, STAFF, "33", WEEK, " Bản nháp. ", clock=day(18))
        assert (note.text, note.version) == ("Bản nháp.", 1)
    with ctx.transaction() as s:
        with pytest.raises(Conflict):
            weekly.save_summary(s, STAFF, "33", WEEK, "Khác", None, clock=day(18, 5))
        note = weekly.save_summary(
            s, STAFF, "33", WEEK, "Bản cuối.", 1, clock=day(18, 6)
        )
        assert note.version == 2
    with ctx.transaction() as s:
        with pytest.raises(Conflict):
            weekly.save_summary(s, STAFF, "33", WEEK, "Cũ", 1, clock=day(18, 7))
        for who in (LEADER, OTHER_STAFF, VOLUNTEER):
            with pytest.raises(Forbidden):
                weekly.save_summary(s, who, "33", WEEK, "x", 2)
    with ctx.sessions() as s:
        assert weekly.get_summary(s, STAFF, "33", WEEK).text == "Bản cuối."
        assert weekly.get_summary(s, STAFF, "33", "2025-W30") is None
        report = weekly.weekly_report(s, STAFF, "33", WEEK, clock=NOW)
        given = weekly.weekly_report(s, STAFF, "33", WEEK, "Khác hẳn", clock=NOW)
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == f"33/{WEEK}")
        ).all()
    assert report.summary_text == "Bản cuối."
    assert given.summary_text == "Khác hẳn"
    assert actions == ["weekly_report.summary", "weekly_report.summary"]


# --------------------------------------------------------------------------- #
# national roll-up


def test_national_rollup_is_for_admins(ctx):
    seed(ctx)
    with ctx.transaction() as s:
        weekly.save_summary(s, STAFF, "33", WEEK, "Ổn định.", clock=day(18))
    with ctx.sessions() as s:
        for who in (STAFF, LEADER, VOLUNTEER):
            with pytest.raises(Forbidden):
                weekly.national_rollup(s, who, WEEK, clock=NOW)
        rollup = weekly.national_rollup(s, ADMIN, WEEK, clock=NOW)
    frame = rollup.frame.set_index("province_code")
    assert len(frame) == 34
    assert frame.loc["33", ["raised", "answered", "forwarded", "open"]].tolist() == [
        6,
        4,
        1,
        5,
    ]
    assert frame.loc["31", ["raised", "open"]].tolist() == [1, 1]
    assert frame.loc["01", ["raised", "open"]].tolist() == [0, 0]
    assert bool(frame.loc["33", "has_summary"]) and not frame.loc["31", "has_summary"]
    assert rollup.totals == {"raised": 7, "answered": 4, "forwarded": 1, "open": 6}
    text = weekly_render.rollup_to_text(rollup)
    assert len(text) < 1000 and "Hưng Yên 5" in text
    book = load_workbook(io.BytesIO(weekly_render.rollup_to_xlsx(rollup)))
    assert book.sheetnames == ["Toàn quốc", "Đánh giá của tỉnh"]
    assert book["Đánh giá của tỉnh"]["C2"].value == "Ổn định."


# --------------------------------------------------------------------------- #
# renderers


@pytest.fixture
def report(ctx):
    seed(ctx)
    with ctx.sessions() as s:
        return weekly.weekly_report(
            s,
            STAFF,
            "33",
            WEEK,
            "+84 cần bổ sung kinh phí; các xã chủ động.\nĐề nghị Bộ hỗ trợ.",
            clock=NOW,
        )


def test_text_is_vietnamese_and_short(report):
    text = weekly_render.to_text(report)
    assert len(text) < 1000
    assert text.startswith("UBND tỉnh Hưng Yên – báo cáo kiến nghị của xã tuần 29/2025")
    assert "Tiếp nhận 6, đã trả lời 4, chuyển Bộ 1, còn chờ xử lý 5." in text
    assert "trung vị 7,0 giờ, trung bình 58,0 giờ" in text
    assert f"→ {MINISTRY}" in text
    assert "Tỉnh đánh giá: +84 cần bổ sung kinh phí" in text


def test_text_stays_under_1000_characters_with_a_long_summary(report):
    from dataclasses import replace

    long = replace(report, summary_text="Nội dung rất dài. " * 200)
    text = weekly_render.to_text(long)
    assert len(text) < 1000 and text.endswith("…")
    assert "còn chờ xử lý 5" in text


def test_docx_is_an_administrative_report(report):
    data = weekly_render.to_docx(report, issued_on=date(2025, 7, 21))
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    text = "\n".join(parts)
    for expected in (
        "UBND TỈNH HƯNG YÊN",
        "Số: …/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hưng Yên, ngày 21 tháng 7 năm 2025",
        "BÁO CÁO",
        "Kính gửi: Bộ Nội vụ.",
        "Ủy ban nhân dân tỉnh Hưng Yên kính báo cáo Bộ Nội vụ./.",
        "I. KẾT QUẢ TIẾP NHẬN, XỬ LÝ",
        "IV. ĐÁNH GIÁ, ĐỀ XUẤT",
        "Đề nghị Bộ hỗ trợ.",
        "đến hết ngày 20/07/2025 còn 5 kiến nghị đang chờ xử lý",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "Xã Đồng Châu",
        MINISTRY,
    ):
        assert expected in text, expected
    # The header: issuing body left, national motto right.
    left, right = document.tables[0].rows[0].cells
    assert left.paragraphs[0].text == "UBND TỈNH HƯNG YÊN"
    assert right.paragraphs[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert right.paragraphs[1].runs[0].bold


def test_pdf_has_the_figures_with_diacritics(report):
    data = weekly_render.to_pdf(report, printed_at=NOW)
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(data)).pages
    )
    assert "UBND TỈNH HƯNG YÊN" in text
    assert "Kính gửi: Bộ Nội vụ" in text
    assert "Xã Đồng Châu" in text
    assert "Trang thiết bị" in text
    assert MINISTRY in text


def test_xlsx_neutralises_formula_cells(report):
    book = load_workbook(io.BytesIO(weekly_render.to_xlsx(report)))
    assert book.sheetnames == ["Tổng hợp", "Theo xã", "Chờ lâu nhất", "Chuyển Bộ"]
    oldest = book["Chờ lâu nhất"]
    titles = [row[3] for row in oldest.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in titles
    summary = [c.value for c in book["Tổng hợp"]["A"] if c.value]
    assert any(v.startswith("Đánh giá, đề xuất của tỉnh: +84") for v in summary)
    every = [
        c.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert not [v for v in every if v[:1] in "=+-@"]
    commune = book["Theo xã"]
    assert [c.value for c in commune[1]] == weekly_render.COMMUNE_HEADER
    totals = {
        (r[0], r[2]): r[3:] for r in commune.iter_rows(min_row=2, values_only=True)
    }
    assert totals[(COMMUNE, "Trang thiết bị")] == (4, 3, 0, 2)


def test_render_serves_every_format(report):
    for fmt in ("pdf", "xlsx", "docx", "txt"):
        data = weekly_render.render(report, fmt)
        assert data[:4] in (b"%PDF", b"PK\x03\x04") or fmt == "txt"
        assert weekly_render.file_name(report, fmt) == f"bao_cao_tuan_33_{WEEK}.{fmt}"
    assert weekly_render.render(report, "txt").decode("utf-8") == weekly_render.to_text(
        report
    )
    with pytest.raises(ValueError, match="unknown format"):
        weekly_render.render(report, "odt")
