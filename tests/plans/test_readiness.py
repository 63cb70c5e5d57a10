"""Readiness math on tiny literal cases; profiles; the PDF checklist."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import update

from dashboard.i18n import translate
from dashboard.plans.export import board_csv, board_xlsx, checklist_pdf
from dashboard.plans.model import priority_score
from dashboard.plans.profiles import coastal_mask, guess_profiles
from dashboard.plans.readiness import (
    national_summary,
    progress_over_time,
    province_board,
    share,
)
from dashboard.plans.tasks import plan_tasks, update_task
from dashboard.store.models.plans import PlanTask
from tests.support.plans_helpers import (
    ADMIN,
    CLOCK,
    COMMUNE,
    DONG_CHAU,
    OTHER_33,
    PROVINCE_22,
    PROVINCE_33,
    make_setup,
)


@pytest.mark.parametrize(
    ("wind", "hours", "ready", "expected"),
    [
        (12, 0, 0.0, 100.0),
        (12, 0, 1.0, 0.0),
        (6, 0, 0.0, 50.0),
        (12, 24, 0.0, 50.0),
        (12, -5, 0.5, 50.0),  # arrived already: no time left
        (12, None, 0.0, 25.0),  # no level-6 arrival: counts as 72 h
        (0, 0, 0.0, 0.0),
    ],
)
def test_priority_score(wind, hours, ready, expected):
    assert priority_score(wind, hours, ready) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("w_done", "w_applicable", "expected"),
    [(0, 10, 0.0), (5, 10, 0.5), (10, 10, 1.0), (0, 0, 1.0), (None, None, 1.0)],
)
def test_share(w_done, w_applicable, expected):
    assert share(w_done, w_applicable) == expected


# (priority, status) of each task of a commune -> expected weighted readiness
CASES = [
    ([(1, "done"), (3, "todo")], 3 / 4),
    ([(1, "todo"), (3, "done")], 1 / 4),
    ([(2, "done"), (2, "not_applicable"), (2, "todo")], 1 / 2),
    ([(1, "blocked"), (2, "in_progress"), (3, "done")], 1 / 6),
    ([(1, "not_applicable")], 1.0),
]


@pytest.mark.parametrize(("tasks", "expected"), CASES)
def test_board_readiness_is_priority_weighted(ctx, tasks, expected):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    rows = setup.tasks(ctx, DONG_CHAU)
    with ctx.transaction() as s:
        for row, (priority, status) in zip(rows, tasks + [(3, "x")] * 99, strict=False):
            if status == "x":
                s.execute(
                    update(PlanTask)
                    .where(PlanTask.id == row.id)
                    .values(status="not_applicable")
                )
            else:
                s.execute(
                    update(PlanTask)
                    .where(PlanTask.id == row.id)
                    .values(priority=priority, status=status)
                )
    with ctx.sessions() as s:
        board = province_board(s, PROVINCE_33, setup.event_id, "33", CLOCK)
        summary = national_summary(s, ADMIN, setup.event_id, CLOCK)
    assert board.loc[0, "readiness"] == pytest.approx(expected)
    assert summary.loc[0, "readiness"] == pytest.approx(expected)
    assert summary.loc[0, "communes"] == 1


def test_board_sorted_by_score_and_scoped(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU, OTHER_33))
    first = setup.task(ctx, OTHER_33, "none")
    with ctx.transaction() as s:
        for task in setup.tasks(ctx, OTHER_33):
            s.execute(
                update(PlanTask).where(PlanTask.id == task.id).values(status="done")
            )
    with ctx.sessions() as s:
        board = province_board(s, PROVINCE_33, setup.event_id, "33", CLOCK)
        with pytest.raises(PermissionError):
            province_board(s, PROVINCE_22, setup.event_id, "33", CLOCK)
    assert list(board["commune_code"]) == [DONG_CHAU, OTHER_33]
    assert board.loc[1, "score"] == 0 and board.loc[0, "score"] > 0
    assert first.id
    assert (
        board_csv(board).decode("utf-8-sig").splitlines()[0].startswith("commune_code")
    )
    frame = pd.read_excel(io.BytesIO(board_xlsx(board)), dtype={"commune_code": str})
    assert list(frame["commune_code"]) == [DONG_CHAU, OTHER_33]
    assert frame.loc[1, "readiness"] == 100


def test_progress_over_time(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "none")
    with ctx.transaction() as s:
        update_task(
            s, COMMUNE, task.id, 1, status="done", clock=CLOCK + timedelta(hours=1)
        )
    with ctx.sessions() as s:
        progress = progress_over_time(s, PROVINCE_33, setup.event_id, "33")
    assert progress["readiness"].iloc[0] == 0
    assert 0 < progress["readiness"].iloc[-1] < 1
    assert len(progress) == 2


def test_pdf_checklist_has_vietnamese_titles(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    with ctx.sessions() as s:
        tasks = plan_tasks(s, COMMUNE, setup.plans[DONG_CHAU])
    data = checklist_pdf(
        "Phương án ứng phó bão — Xã Đồng Châu",
        "Hưng Yên",
        tasks,
        lambda key, **kw: translate(key, "vi", **kw),
        "vi",
        lambda t: "trước 06:00 21/7",
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Xã Đồng Châu" in text
    assert "Kêu gọi tàu thuyền vào nơi tránh trú an toàn và kiểm đếm" in text
    assert translate("plans.pillar.command", "vi") in text


def test_profiles_of_known_communes():
    profiles = guess_profiles()
    assert profiles[DONG_CHAU] == {"coastal", "riverine"}
    assert profiles["00004"] == {"urban"}  # Phường Ba Đình, Hà Nội: no sea
    islands = [c for c, p in profiles.items() if "island" in p]
    assert len(islands) == 13 and all("coastal" in profiles[c] for c in islands)


def test_coastal_rule_on_a_toy_coast():
    # Three communes in a line west → east in Nghệ An (sea to the east).
    frame = pd.DataFrame(
        {
            "commune_code": ["a", "b", "c"],
            "commune_type": ["xã", "xã", "xã"],
            "province_code": ["40", "40", "40"],
            "lat": [19.0, 19.0, 19.0],
            "lon": [105.50, 105.55, 105.60],
            "area_km2": [20.0, 20.0, 20.0],
        }
    )
    assert list(coastal_mask(frame)) == [False, False, True]
    assert not coastal_mask(frame.assign(province_code="01")).any()


def test_the_printed_plan_carries_the_evidence_recorded(ctx):
    """Issue 15: the printed plan left out the notes and numbers."""
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    noted = setup.task(ctx, DONG_CHAU, "note")
    counted = setup.task(ctx, DONG_CHAU, "number")
    with ctx.transaction() as s:
        update_task(
            s, COMMUNE, noted.id, 1, status="done", note="Đã họp ban chỉ huy xã"
        )
        update_task(s, COMMUNE, counted.id, 1, status="done", number=1234)
    with ctx.sessions() as s:
        tasks = plan_tasks(s, COMMUNE, setup.plans[DONG_CHAU])
    data = checklist_pdf(
        "Phương án",
        "Hưng Yên",
        tasks,
        lambda key, **kw: translate(key, "vi", **kw),
        "vi",
        lambda t: "",
    )
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages
    )
    assert "Ghi chú: Đã họp ban chỉ huy xã" in text
    assert "Số liệu: 1,234" in text
    assert "Cập nhật bởi" in text
