"""The province situation report: built for the Wipha drill, checked against
the live board, rendered as PDF, XLSX and text; role scope; CLI; the page."""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from dashboard import feedback as fb
from dashboard import scenario, situation
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.core.errors import NotFound
from dashboard.delegations import (
    DelegationDraft,
    StopInput,
    cancel_delegation,
    check_in,
    create_delegation,
    depart,
)
from dashboard.demo.accounts import DEMO_COMMUNE
from dashboard.events import active_events
from dashboard.geo import layers
from dashboard.i18n import translate
from dashboard.plans.model import PILLARS
from dashboard.plans.readiness import province_board
from dashboard.plans.tasks import update_task
from dashboard.reports import sitrep as sr
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.store.models.plans import PlanTask
from tests.support.apptest import open_view

#: The report time: real time, a few hours after the drill clock's day.
NOW = datetime(2025, 7, 20, 14, 0, tzinfo=UTC)

STAFF_33 = Principal(
    "demo-province", Role.PROVINCE, "BCH Hưng Yên", province_codes=frozenset({"33"})
)
STAFF_22 = Principal(
    "qn-staff", Role.PROVINCE, "BCH Quảng Ninh", province_codes=frozenset({"22"})
)
LEADER = Principal("demo-commune", Role.COMMUNE, "Đồng Châu", commune_code=DEMO_COMMUNE)
VOLUNTEER = Principal("demo-volunteer", Role.VOLUNTEER, "Đoàn viên")


def words(text: str) -> str:
    """Whitespace collapsed (justified PDF lines extract with double spaces)."""
    return " ".join(text.split())


def _event_id(ctx) -> int:
    with ctx.sessions() as s:
        (event,) = active_events(s, is_drill=True)
    return event.id


def _work(ctx) -> None:
    """Progress on the drill: ticks in a few communes (unequal per pillar),
    one blocked task, four delegations, three commune requests."""
    with ctx.sessions() as s:
        tasks = list(
            s.scalars(
                select(PlanTask)
                .where(PlanTask.province_code == "33")
                .order_by(PlanTask.commune_code, PlanTask.position)
            )
        )
    communes = sorted({t.commune_code for t in tasks})[:4]
    # Activation at the drill clock makes past deadlines "due now" (nothing
    # overdue); as if the plans had been activated a day earlier, some of
    # those deadlines passed an hour ago.
    late = {t.id for t in tasks if t.commune_code in communes[1:] and t.position % 2}
    with ctx.transaction() as s:
        s.execute(
            update(PlanTask)
            .where(PlanTask.id.in_(late), PlanTask.deadline_utc == DRILL_CLOCK)
            .values(deadline_utc=DRILL_CLOCK - timedelta(hours=1))
        )
    chosen = [
        t
        for t in tasks
        if t.commune_code in communes
        and t.evidence in ("none", "note", "number")
        and t.pillar in ("command", "forces", "information")
    ]
    with ctx.transaction() as s:
        for task in chosen:
            update_task(
                s,
                STAFF_33,
                task.id,
                task.version,
                status="done",
                note="Đã kiểm tra",
                number=1.0 if task.evidence == "number" else None,
                clock=DRILL_CLOCK,
            )
        blocked = next(
            t for t in tasks if t.commune_code == communes[-1] and t not in chosen
        )
        update_task(
            s,
            STAFF_33,
            blocked.id,
            blocked.version,
            status="blocked",
            reason="Thiếu xuồng",
            clock=DRILL_CLOCK,
        )
    event_id = _event_id(ctx)
    start = DRILL_CLOCK + timedelta(hours=1)

    def draft(n: int) -> DelegationDraft:
        return DelegationDraft(
            name=f"Đoàn công tác số {n}",
            leader_username="demo-province",
            leader_phone="0912 345 678",
            planned_departure_utc=start,
            planned_arrival_utc=start + timedelta(hours=2),
            communes=(StopInput(communes[n % len(communes)]),),
        )

    with ctx.transaction() as s:
        views = [
            create_delegation(s, STAFF_33, event_id, "33", draft(n), clock=DRILL_CLOCK)
            for n in range(1, 5)
        ]
        moved = depart(s, STAFF_33, views[0].id, views[0].version, clock=start)
        check_in(s, STAFF_33, moved.id, moved.version, clock=start)
        depart(s, STAFF_33, views[1].id, views[1].version, clock=start)
        cancel_delegation(
            s, STAFF_33, views[3].id, views[3].version, "Đổi kế hoạch", clock=start
        )
    with ctx.transaction() as s:
        items = [
            fb.raise_item(
                s,
                LEADER,
                commune_code=DEMO_COMMUNE,
                category="equipment",
                urgency=urgency,
                title=title,
                text="Chi tiết kèm theo.",
                clock=NOW - timedelta(hours=6),
            )
            for urgency, title in (
                ("critical", "Cần gấp xuồng cứu hộ"),
                ("urgent", "Thiếu áo phao"),
                ("normal", "Đề nghị tập huấn"),  # not urgent: left out
            )
        ]
        # Assigned, due an hour before the report: overdue at NOW.
        fb.assign(
            s,
            STAFF_33,
            items[0].id,
            items[0].version,
            department="Bộ Chỉ huy Quân sự tỉnh",
            owner="Trực ban",
            due_utc=NOW - timedelta(hours=1),
            clock=NOW - timedelta(hours=5),
        )


@pytest.fixture
def drill(demo_ctx):
    """The Wipha drill with some work done, its board and its sitrep."""
    _work(demo_ctx)
    report = sr.build_sitrep(demo_ctx, STAFF_33, "33", clock=NOW)
    with demo_ctx.sessions() as s:
        board = province_board(s, STAFF_33, _event_id(demo_ctx), "33", DRILL_CLOCK)
    return demo_ctx, report, board


# --------------------------------------------------------------------------- #
# the numbers


def test_the_sitrep_matches_the_board(drill):
    _ctx, s, board = drill
    assert s.is_drill and s.clock_utc == DRILL_CLOCK
    assert s.generated_utc == NOW
    assert s.province_name == "Hưng Yên"
    assert s.forecast is not None and s.forecast.storm_name == "WIPHA"
    assert s.forecast.issued_utc == DRILL_CLOCK
    assert s.event_id == _event_id(_ctx)
    assert len(s.communes) == len(board) > 0
    assert [c.commune_code for c in s.communes] == list(board["commune_code"])
    assert s.tasks == int(board["tasks"].sum())
    assert s.done == int(board["done"].sum()) > 0
    assert s.overdue_tasks == int(board["overdue"].sum()) > 0
    assert s.blocked_tasks == int(board["blocked"].sum()) == 1
    # The page's total: readiness weighted by each commune's task count.
    expected = (board["readiness"] * board["tasks"]).sum() / board["tasks"].sum()
    assert s.readiness == pytest.approx(expected)
    assert 0 < s.readiness < 1
    for pillar in PILLARS:
        column = board[f"readiness_{pillar}"]
        known = column.notna()
        weights = board.loc[known, "tasks"]
        want = (column[known] * weights).sum() / weights.sum()
        assert s.readiness_by_pillar[pillar] == pytest.approx(want)
    # Ticks were made in three pillars only: the others are at 0.
    assert s.readiness_by_pillar["command"] > 0
    assert s.readiness_by_pillar["materials"] == 0
    by_code = {c.commune_code: c for c in s.communes}
    for row in board.itertuples():
        assert by_code[row.commune_code].readiness == pytest.approx(row.readiness)
        assert by_code[row.commune_code].overdue == row.overdue


def test_the_exposure_counts_match_the_situation_table(drill):
    ctx, s, board = drill
    points = situation.commune_points(layers.full_polygons(layers.current_layer(ctx)))
    table = situation.exposure_table(drill_forecast(DRILL_CLOCK), points, DRILL_CLOCK)
    rows = table[table["province_code"] == "33"]
    rows = rows[(rows["max_wind_level"] >= 6) | rows["in_cone"]]
    assert s.exposed_total == len(rows) > 0
    assert s.exposed_by_risk == {
        int(k): int(v) for k, v in rows["risk_level"].value_counts().items()
    }
    assert [c.commune_code for c in s.exposed] == list(rows["commune_code"])
    assert len(s.most_exposed) == min(sr.TOP_EXPOSED, len(rows))
    planned = dict(zip(board["commune_code"], board["readiness"], strict=True))
    for c in s.exposed:
        if c.commune_code in planned:
            assert c.readiness == pytest.approx(planned[c.commune_code])
        else:
            assert c.readiness is None


def test_delegations_and_requests_are_counted(drill):
    _ctx, s, _board = drill
    assert s.delegations_by_status == {"on_site": 1, "en_route": 1, "planned": 1}
    assert len(s.delegations) == 3  # the cancelled one is left out
    assert {d.status for d in s.delegations} == {"on_site", "en_route", "planned"}
    titles = [r.title for r in s.urgent_requests]
    assert titles[0] == "Cần gấp xuồng cứu hộ"  # critical first
    assert sorted(titles) == ["Cần gấp xuồng cứu hộ", "Thiếu áo phao"]
    assert s.urgent_overdue == 1
    assert [r.overdue for r in s.urgent_requests] == [True, False]


def test_most_overdue_communes_come_first(drill):
    _ctx, s, board = drill
    late = s.most_overdue
    assert 0 < len(late) <= sr.TOP_OVERDUE
    assert late[0].overdue == int(board["overdue"].max())
    assert [c.overdue for c in late] == sorted((c.overdue for c in late), reverse=True)


def test_without_a_storm_event_the_report_is_empty_but_valid(ctx):
    s = sr.build_sitrep(ctx, SYSTEM, "22", clock=NOW)
    assert s.forecast is not None and s.forecast.storm_name == "WIPHA"
    assert s.event_id is None and s.communes == ()
    assert s.readiness is None
    assert s.exposed_total > 0  # the drill reaches Quảng Ninh
    assert translate("sitrep.no_plans", "vi") in sr.sitrep_text(s)
    assert sr.sitrep_pdf(s).startswith(b"%PDF")
    assert load_workbook(io.BytesIO(sr.sitrep_xlsx(s))).sheetnames == list(sr.SHEETS)


def test_live_mode_without_storms_says_so(ctx):
    with ctx.transaction() as s:
        scenario.set_live(s, SYSTEM)
    report = sr.build_sitrep(ctx, SYSTEM, "33", clock=NOW)
    assert not report.is_drill and report.forecast is None
    assert report.exposed_total == 0
    assert translate("sitrep.no_forecast", "en") in sr.sitrep_text(report, "en")


# --------------------------------------------------------------------------- #
# the renderers


def test_the_pdf_shows_the_province_the_time_the_forecast_and_the_numbers(drill):
    _ctx, s, board = drill
    data = sr.sitrep_pdf(s)
    assert data.startswith(b"%PDF")
    text = words("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "Báo cáo nhanh tình hình bão – Hưng Yên" in text
    assert "21:00 20/07/2025 (giờ Việt Nam)" in text  # NOW in Vietnam time
    assert "14:00 20/07/2025 UTC" in text
    assert "bão WIPHA – IBTrACS" in text
    assert "phát lúc 19:00 20/07/2025" in text  # the advisory's issue time
    total = round(
        100 * (board["readiness"] * board["tasks"]).sum() / board["tasks"].sum()
    )
    assert f"Sẵn sàng chung: {total}%" in text
    assert f"{len(board)} xã đã kích hoạt phương án" in text
    assert f"{int(board['done'].sum())}/{int(board['tasks'].sum())} việc" in text
    assert f"{s.exposed_total} xã chịu gió" in text
    assert f"{int(board['overdue'].sum())} việc quá hạn" in text
    assert "1 đoàn đang làm việc tại xã, 1 đoàn đang di chuyển" in text
    assert "2 kiến nghị khẩn/hỏa tốc" in text and "(1 quá hạn)" in text
    assert "Cần gấp xuồng cứu hộ" in text
    command = round(100 * s.readiness_by_pillar["command"])
    assert f"Chỉ huy tại chỗ {command}%" in text
    assert s.most_exposed[0].commune_name in text


def test_the_pdf_in_english(drill):
    _ctx, s, _board = drill
    data = sr.sitrep_pdf(s, lang="en")
    text = words("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "Storm situation report – Hưng Yên" in text
    assert f"Overall readiness: {sr.percent(s.readiness)}" in text


def test_the_workbook_has_the_sheets_and_the_board_values(drill):
    _ctx, s, board = drill
    wb = load_workbook(io.BytesIO(sr.sitrep_xlsx(s)))
    assert wb.sheetnames == [
        "summary",
        "exposed",
        "readiness",
        "delegations",
        "requests",
    ]
    summary = {r[0]: r[1] for r in wb["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["province_name"] == "Hưng Yên"
    assert summary["storm_name"] == "WIPHA"
    assert summary["scenario"] == "drill"
    assert summary["report_time_utc"] == NOW.replace(tzinfo=None)
    assert summary["report_time_vietnam"] == datetime(2025, 7, 20, 21, 0)
    assert summary["forecast_issued_utc"] == DRILL_CLOCK.replace(tzinfo=None)
    assert summary["tasks"] == int(board["tasks"].sum())
    assert summary["overdue_tasks"] == int(board["overdue"].sum())
    assert summary["readiness_percent"] == round(100 * s.readiness, 1)
    assert summary["exposed_communes"] == s.exposed_total
    assert summary["delegations_on_site"] == 1
    assert summary["urgent_requests"] == 2
    assert summary["urgent_requests_overdue"] == 1

    rows = list(wb["readiness"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(board)
    got = {r[header.index("commune_code")]: r for r in body}
    for row in board.itertuples():
        line = got[row.commune_code]
        assert line[header.index("readiness_percent")] == round(100 * row.readiness, 1)
        assert line[header.index("overdue")] == row.overdue
        command = line[header.index("readiness_command_percent")]
        if math.isnan(row.readiness_command):
            assert command is None
        else:
            assert command == round(100 * row.readiness_command, 1)

    assert wb["exposed"].max_row - 1 == s.exposed_total
    statuses = [r[2] for r in wb["delegations"].iter_rows(min_row=2, values_only=True)]
    assert sorted(statuses) == ["en_route", "on_site", "planned"]
    requests = list(wb["requests"].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in requests] == ["critical", "urgent"]
    assert [r[-1] for r in requests] == [True, False]


def test_the_text_is_short_and_says_what_matters(drill):
    _ctx, s, _board = drill
    text = sr.sitrep_text(s)
    assert len(text) < sr.TEXT_LIMIT
    assert "Hưng Yên" in text and "WIPHA" in text
    assert "DIỄN TẬP" in text
    assert f"Sẵn sàng: {sr.percent(s.readiness)}" in text
    assert f"Việc quá hạn: {s.overdue_tasks}" in text
    assert "21:00 20/07/2025" in text
    english = sr.sitrep_text(s, "en")
    assert f"Readiness: {sr.percent(s.readiness)}" in english
    assert len(english) < sr.TEXT_LIMIT


def test_the_text_stays_short_with_long_lists(drill):
    _ctx, s, _board = drill
    from dataclasses import replace

    long = replace(
        s,
        province_name="Tỉnh " + "rất dài " * 30,
        exposed=s.exposed * 20,
        exposed_by_risk={5: 500, 4: 400, 3: 300, 2: 200, 1: 100},
    )
    assert len(sr.sitrep_text(long)) <= sr.TEXT_LIMIT


# --------------------------------------------------------------------------- #
# role scope


@pytest.mark.parametrize(
    "actor",
    [STAFF_22, LEADER, VOLUNTEER],
    ids=["other-province", "commune-leader", "volunteer"],
)
def test_only_admin_and_the_province_build_it(demo_ctx, actor):
    with pytest.raises(Forbidden):
        sr.build_sitrep(demo_ctx, actor, "33", clock=NOW)


def test_the_province_and_an_admin_may(demo_ctx):
    mine = sr.build_sitrep(demo_ctx, STAFF_33, "33", clock=NOW)
    admin = sr.build_sitrep(demo_ctx, Principal("root", Role.ADMIN), "33", clock=NOW)
    assert mine.tasks == admin.tasks > 0


def test_unknown_province_and_naive_time_are_refused(demo_ctx):
    with pytest.raises(NotFound, match="no province"):
        sr.build_sitrep(demo_ctx, SYSTEM, "99", clock=NOW)
    with pytest.raises(ValueError, match="time zone"):
        sr.build_sitrep(demo_ctx, SYSTEM, "33", clock=datetime(2025, 7, 20, 14))


# --------------------------------------------------------------------------- #
# the command line


@pytest.fixture
def fresh_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("DASHBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_DEMO", raising=False)
    return tmp_path


def test_the_cli_writes_three_formats_on_a_fresh_data_dir(fresh_dir, capsys):
    from dashboard.cli import main

    paths = {fmt: fresh_dir / f"sitrep.{fmt}" for fmt in ("pdf", "xlsx", "txt")}
    for fmt, path in paths.items():
        assert (
            main(
                [
                    "report",
                    "sitrep",
                    "--province",
                    "33",
                    "--format",
                    fmt,
                    "--output",
                    str(path),
                ]
            )
            == 0
        )
        assert "Hưng Yên (WIPHA, drill" in capsys.readouterr().out
    pdf = words(
        "\n".join(
            p.extract_text()
            for p in PdfReader(io.BytesIO(paths["pdf"].read_bytes())).pages
        )
    )
    assert "Hưng Yên" in pdf and "WIPHA" in pdf
    assert translate("sitrep.no_plans", "vi") in pdf  # no demo: nothing activated
    wb = load_workbook(paths["xlsx"])
    assert wb.sheetnames == list(sr.SHEETS)
    summary = {r[0]: r[1] for r in wb["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["storm_name"] == "WIPHA" and summary["scenario"] == "drill"
    assert summary["exposed_communes"] > 0
    text = paths["txt"].read_text(encoding="utf-8")
    assert "WIPHA" in text and "DIỄN TẬP" in text and len(text) < sr.TEXT_LIMIT


def test_the_cli_demo_flag_reports_the_drill_plans(fresh_dir, capsys):
    from dashboard.cli import main

    path = fresh_dir / "sitrep.txt"
    args = ["report", "sitrep", "--province", "33", "--format", "txt"]
    assert main([*args, "--output", str(path), "--lang", "en", "--demo"]) == 0
    text = path.read_text(encoding="utf-8")
    assert "Readiness: 0%" in text  # the activated drill plans, nothing ticked
    assert "SITUATION REPORT – Hưng Yên" in text


def test_the_cli_refuses_bad_requests(fresh_dir, capsys):
    from dashboard.cli import main

    assert main(["report", "sitrep", "--province", "99", "--format", "txt"]) == 1
    assert "no province" in capsys.readouterr().err
    assert main(["report", "sitrep", "--province", "33", "--format", "pdf"]) == 1
    assert "--output" in capsys.readouterr().err
    assert not list((fresh_dir / "fresh").glob("*.pdf"))


# --------------------------------------------------------------------------- #
# the page


@pytest.mark.usefixtures("ui_environment")
class TestPage:
    def test_province_staff_build_and_download(self):
        at = open_view("sitrep", STAFF_33)
        assert not at.exception
        assert not at.selectbox  # one province: no choice to make
        (build,) = [b for b in at.button if b.label == translate("sitrep.page.build")]
        at = build.click().run()
        assert not at.exception
        (code,) = at.code
        assert "BÁO CÁO NHANH – Hưng Yên" in code.value
        assert "WIPHA" in code.value and "Sẵn sàng:" in code.value
        downloads = at.get("download_button")
        assert len(downloads) == 3

    def test_admin_picks_the_province(self):
        at = open_view("sitrep", Principal("root", Role.ADMIN), lang="en")
        (choice,) = at.selectbox
        at = choice.select("22").run()
        at = at.button(key="sitrep_build").click().run()
        assert not at.exception
        (code,) = at.code
        assert "SITUATION REPORT – Quảng Ninh" in code.value

    @pytest.mark.parametrize("who", [None, LEADER, VOLUNTEER])
    def test_others_are_told_who_it_is_for(self, who):
        at = open_view("sitrep", who)
        assert not at.exception
        assert [i.value for i in at.info] == [translate("sitrep.page.signin")]
        assert not at.button


def test_the_page_workbook_speaks_the_readers_language(drill):
    """Issue 15: English snake_case sheet and column names in the XLSX."""
    _ctx, s, _board = drill
    wb = load_workbook(io.BytesIO(sr.sitrep_xlsx(s, "vi")))
    assert wb.sheetnames[0] == translate("sitrep.xlsx.sheet.summary", "vi")
    snake = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        assert not [h for h in header if snake.match(str(h))], (ws.title, header)
    summary = wb.worksheets[0]
    items = [r[0] for r in summary.iter_rows(min_row=2, values_only=True)]
    assert not [i for i in items if snake.match(str(i))]
    values = {r[0]: r[1] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert values[translate("sitrep.xlsx.item.scenario", "vi")] == "Diễn tập"
