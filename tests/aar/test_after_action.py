"""After-action review: damage reports (validation, roles, versions, audit) and
the per-commune comparison on a scenario with known figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dashboard import aar
from dashboard.accounts import principal_of
from dashboard.auth import Forbidden, Principal, Role
from dashboard.core.errors import Conflict
from dashboard.delegations import (
    DelegationDraft,
    StopInput,
    cancel_delegation,
    check_in,
    confirm_visit,
    create_delegation,
    depart,
)
from dashboard.plans.activation import CommuneExposure
from dashboard.plans.tasks import update_task
from dashboard.store.models.core import AuditEntry, User
from dashboard.store.models.plans import CommunePlan, PlanTask, PlanTemplate, StormEvent

T0 = datetime(2025, 7, 19, 0, 0, tzinfo=UTC)
ETA = datetime(2025, 7, 21, 6, 0, tzinfo=UTC)  # 13:00 Vietnam time
DONG_CHAU, TAN_HUNG, PHO_HIEN, HONG_VU = "13003", "11977", "11953", "13159"  # Hưng Yên
THANH_DONG = "10507"  # Hải Phòng (31)

ADMIN = Principal("root", Role.ADMIN, "Admin")
STAFF = Principal("lead33", Role.PROVINCE, "BCH Hưng Yên", frozenset({"33"}))
OTHER_STAFF = Principal("hp", Role.PROVINCE, "BCH Hải Phòng", frozenset({"31"}))
LEADER = Principal("dc", Role.COMMUNE, "UBND xã Đồng Châu", commune_code=DONG_CHAU)
NEIGHBOUR = Principal("th", Role.COMMUNE, "UBND xã Tân Hưng", commune_code=TAN_HUNG)
VOLUNTEER = Principal("vol", Role.VOLUNTEER, "Đoàn viên")

#: Priorities of every plan's four tasks: weights 3, 3, 2, 1 (total 9).
PRIORITIES = (1, 1, 2, 3)


def h(hours: float) -> datetime:
    """*hours* relative to the level-6 arrival."""
    return ETA + timedelta(hours=hours)


def zeros(**overrides):
    values = {
        "people_evacuated": 0,
        "houses_damaged": 0,
        "deaths": 0,
        "injured": 0,
        "missing": 0,
    }
    values.update(overrides)
    return values


class World:
    """A storm event with plans in Hưng Yên (and one in Hải Phòng).

    Đồng Châu: tasks 1 and 2 done before the ETA, task 4 done then undone
    before it, task 3 done 3 h after → 6/9 at the ETA, 8/9 now (not ready).
    Tân Hưng: tasks 1-3 done before the ETA (task 3 one hour before), task 4
    not applicable → 8/8 (ready). Phố Hiến: a plan, but level-6 winds never
    came. Hồng Vũ: no plan, damage reported.
    """

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        with ctx.transaction() as s:
            s.add(
                User(
                    username="lead33",
                    display_name="Nguyễn Thị Hương",
                    password_hash="-",
                    role="province",
                    province_codes="33",
                    created_at=T0,
                )
            )
            event = StormEvent(
                name="Bão số 3 (Wipha)",
                storm_id="2025197N14131",
                is_drill=True,
                status="active",
                created_at=T0,
                created_by="system",
            )
            template = PlanTemplate(
                name="Ven biển", updated_at=T0, updated_by="system", version=1
            )
            s.add_all([event, template])
            s.flush()
            self.event_id = event.id
            self.tasks: dict[str, list[int]] = {}
            for code, province, eta, wind in (
                (DONG_CHAU, "33", ETA, 9),
                (TAN_HUNG, "33", ETA, 8),
                (PHO_HIEN, "33", None, 5),
                (THANH_DONG, "31", ETA, 10),
            ):
                plan = CommunePlan(
                    event_id=event.id,
                    commune_code=code,
                    province_code=province,
                    template_id=template.id,
                    eta_utc=eta,
                    max_wind_level=wind,
                    risk_level=3,
                    activated_at=T0,
                    activated_by="system",
                    updated_at=T0,
                )
                s.add(plan)
                s.flush()
                rows = [
                    PlanTask(
                        plan_id=plan.id,
                        event_id=event.id,
                        commune_code=code,
                        province_code=province,
                        position=i,
                        title_vi=f"Việc {i}",
                        title_en=f"Task {i}",
                        pillar="forces",
                        priority=priority,
                        deadline_kind="before_eta",
                        offset_hours=-12,
                        deadline_utc=h(-12),
                        evidence="none",
                        status="todo",
                        updated_at=T0,
                        updated_by="system",
                    )
                    for i, priority in enumerate(PRIORITIES, start=1)
                ]
                s.add_all(rows)
                s.flush()
                self.tasks[code] = [r.id for r in rows]
            self.lead = principal_of(
                s.scalar(select(User).where(User.username == "lead33"))
            )

        self.set(DONG_CHAU, 0, "done", h(-20))
        self.set(DONG_CHAU, 1, "done", h(-2))
        self.set(DONG_CHAU, 3, "done", h(-10))
        self.set(DONG_CHAU, 3, "todo", h(-5))
        self.set(DONG_CHAU, 2, "done", h(3))
        self.set(TAN_HUNG, 0, "done", h(-30))
        self.set(TAN_HUNG, 1, "done", h(-20))
        self.set(TAN_HUNG, 2, "done", h(-1))
        self.set(TAN_HUNG, 3, "not_applicable", h(-10), reason="Không có kho")
        self.set(THANH_DONG, 0, "done", h(-10))

        with ctx.transaction() as s:
            # D1 covers both communes and checked in 15 h before the wind.
            d1 = self.delegation(s, "Đoàn 1", [DONG_CHAU, TAN_HUNG], h(-20))
            d1 = depart(s, self.lead, d1.id, d1.version, clock=h(-18))
            check_in(s, self.lead, d1.id, d1.version, clock=h(-15))
            # D2 reached Tân Hưng only after the wind came.
            d2 = self.delegation(s, "Đoàn 2", [TAN_HUNG], h(-2))
            d2 = depart(s, self.lead, d2.id, d2.version, clock=h(-1))
            check_in(s, self.lead, d2.id, d2.version, clock=h(2))
            # D3 for Đồng Châu was cancelled.
            d3 = self.delegation(s, "Đoàn 3", [DONG_CHAU], h(-20))
            cancel_delegation(s, STAFF, d3.id, d3.version, "Đường ngập", clock=h(-19))
            # D4 never checked in, but Tân Hưng confirmed its visit 3 h before.
            d4 = self.delegation(s, "Đoàn 4", [TAN_HUNG], h(-6))
            confirm_visit(s, NEIGHBOUR, d4.id, TAN_HUNG, clock=h(-3))

    def set(self, code, index, status, at, reason=None):
        with self.ctx.transaction() as s:
            task = s.get(PlanTask, self.tasks[code][index])
            update_task(
                s, ADMIN, task.id, task.version, status=status, reason=reason, clock=at
            )

    def delegation(self, s, name, communes, departure):
        draft = DelegationDraft(
            name=name,
            leader_username="lead33",
            leader_phone="0912 345 678",
            planned_departure_utc=departure,
            planned_arrival_utc=departure + timedelta(hours=2),
            communes=[StopInput(c) for c in communes],
        )
        return create_delegation(s, STAFF, self.event_id, "33", draft, clock=h(-24))


@pytest.fixture
def world(ctx) -> World:
    return World(ctx)


def report_damage(world, actor=LEADER, commune=DONG_CHAU, version=None, **values):
    fields = zeros(
        people_evacuated=1250, houses_damaged=37, deaths=1, injured=4, missing=0
    )
    fields.update(values)
    with world.ctx.transaction() as s:
        return aar.record_damage(
            s,
            actor,
            world.event_id,
            commune,
            notes="Sạt lở 200 m bờ kè",
            expected_version=version,
            clock=h(30),
            **fields,
        )


# --------------------------------------------------------------------------- #
# damage reports


def test_a_commune_reports_damage_and_the_province_corrects_it(world):
    first = report_damage(world)
    assert (first.people_evacuated, first.houses_damaged, first.deaths) == (1250, 37, 1)
    assert (first.version, first.reported_by, first.casualties) == (1, "dc", 5)
    assert first.storm_id == "2025197N14131" and first.province_code == "33"
    with pytest.raises(Conflict):
        report_damage(world)  # "first report" again: someone reported already
    second = report_damage(world, STAFF, version=1, houses_damaged="1.037")
    assert (second.houses_damaged, second.version, second.reported_by) == (
        1037,
        2,
        "lead33",
    )
    with pytest.raises(Conflict):
        report_damage(world, version=1)
    with world.ctx.sessions() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "damage_report")
            .order_by(AuditEntry.id)
        ).all()
        stored = aar.get_damage(s, LEADER, world.event_id, DONG_CHAU)
        listed = aar.damage_reports(s, STAFF, world.event_id, "33")
    assert [r.action for r in rows] == ["damage.report", "damage.correct"]
    assert json.loads(rows[1].old_value)["houses_damaged"] == 37
    assert json.loads(rows[1].new_value)["houses_damaged"] == 1037
    assert stored.houses_damaged == 1037
    assert [d.commune_code for d in listed] == [DONG_CHAU]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deaths", -1, "deaths: must be 0 or more, got -1"),
        ("injured", "-2", "injured: must be 0 or more, got -2"),
        ("missing", "abc", "missing: must be a whole number"),
        ("houses_damaged", 2.5, "houses_damaged: must be a whole number"),
        ("houses_damaged", "2,5", "houses_damaged: must be a whole number"),
        ("people_evacuated", True, "people_evacuated: must be a whole number"),
        ("people_evacuated", "", "people_evacuated: is required"),
        ("people_evacuated", None, "people_evacuated: must be a whole number"),
        ("deaths", 10**9, "deaths: 1000000000 is more than"),
    ],
)
def test_figures_must_be_whole_numbers_of_zero_or_more(world, field, value, message):
    with pytest.raises(aar.DamageError, match=message) as caught:
        report_damage(world, **{field: value})
    assert caught.value.field == field
    with world.ctx.sessions() as s:
        assert aar.get_damage(s, ADMIN, world.event_id, DONG_CHAU) is None


def test_form_text_with_thousands_separators_is_read(world):
    view = report_damage(world, people_evacuated=" 1 250 ", houses_damaged="12")
    assert (view.people_evacuated, view.houses_damaged) == (1250, 12)


@pytest.mark.parametrize(
    ("who", "commune", "allowed"),
    [
        (LEADER, DONG_CHAU, True),
        (LEADER, TAN_HUNG, False),
        (STAFF, TAN_HUNG, True),
        (OTHER_STAFF, DONG_CHAU, False),
        (OTHER_STAFF, THANH_DONG, True),
        (ADMIN, THANH_DONG, True),
        (VOLUNTEER, DONG_CHAU, False),
    ],
)
def test_who_reports_damage(world, who, commune, allowed):
    if allowed:
        assert report_damage(world, who, commune).commune_code == commune
    else:
        with pytest.raises(Forbidden):
            report_damage(world, who, commune)


def test_damage_needs_a_known_event_and_commune(world):
    with world.ctx.transaction() as s:
        with pytest.raises(aar.DamageError, match="event: no storm event 999"):
            aar.record_damage(s, ADMIN, 999, DONG_CHAU, **zeros())
        with pytest.raises(aar.DamageError, match="commune: unknown"):
            aar.record_damage(s, ADMIN, world.event_id, "99999", **zeros())


# --------------------------------------------------------------------------- #
# the review


def test_after_action_on_the_scenario(world):
    report_damage(world)
    report_damage(
        world,
        STAFF,
        HONG_VU,
        people_evacuated=40,
        houses_damaged=3,
        deaths=0,
        injured=0,
    )
    with world.ctx.sessions() as s:
        frame = aar.after_action(s, STAFF, "33", world.event_id)
    assert list(frame.columns) == aar.AAR_COLUMNS
    assert frame["commune_code"].tolist() == [DONG_CHAU, PHO_HIEN, HONG_VU, TAN_HUNG]
    rows = frame.set_index("commune_code")

    dc = rows.loc[DONG_CHAU]
    assert (dc.max_wind_level, dc.eta_utc, dc.tasks, dc.done_by_eta) == (9, ETA, 4, 2)
    assert dc.readiness_at_eta == pytest.approx(6 / 9)
    assert dc.readiness_now == pytest.approx(8 / 9)
    assert dc.delegations_on_site == 1  # D1; D3 was cancelled
    assert (dc.people_evacuated, dc.houses_damaged, dc.deaths, dc.injured) == (
        1250,
        37,
        1,
        4,
    )
    assert dc.damage_notes == "Sạt lở 200 m bờ kè" and dc.damage_reported
    assert dc.ready_in_time is False

    th = rows.loc[TAN_HUNG]
    assert (th.tasks, th.done_by_eta, th.readiness_at_eta, th.readiness_now) == (
        4,
        3,
        1.0,
        1.0,
    )
    assert th.delegations_on_site == 2  # D1 checked in, D4 confirmed; not D2
    assert th.ready_in_time is True and not th.damage_reported
    assert pd.isna(th.people_evacuated)

    ph = rows.loc[PHO_HIEN]  # level-6 winds never came
    assert pd.isna(ph.eta_utc) and pd.isna(ph.readiness_at_eta)
    assert ph.ready_in_time is None and pd.isna(ph.delegations_on_site)
    assert ph.readiness_now == 0.0

    hv = rows.loc[HONG_VU]  # no plan, damage reported
    assert not hv.has_plan and hv.tasks == 0 and hv.ready_in_time is None
    assert (hv.people_evacuated, hv.houses_damaged) == (40, 3)

    assert aar.summary(frame) == {
        "communes": 4,
        "ready": 1,
        "not_ready": 1,
        "unknown": 2,
        "not_ready_codes": [DONG_CHAU],
        "people_evacuated": 1290,
        "houses_damaged": 40,
        "deaths": 1,
        "injured": 4,
        "missing": 0,
        "damage_reported": 2,
    }


def test_threshold_and_a_later_forecast_change_the_answer(world):
    later = {TAN_HUNG: CommuneExposure(TAN_HUNG, h(-2), h(4), 10, 4)}
    with world.ctx.sessions() as s:
        lenient = aar.after_action(s, ADMIN, "33", world.event_id, threshold=0.6)
        moved = aar.after_action(s, ADMIN, "33", world.event_id, exposures=later)
        with pytest.raises(ValueError, match="threshold"):
            aar.after_action(s, ADMIN, "33", world.event_id, threshold=0)
        with pytest.raises(LookupError):
            aar.after_action(s, ADMIN, "33", 999)
    assert lenient.set_index("commune_code").loc[DONG_CHAU, "ready_in_time"] is True
    th = moved.set_index("commune_code").loc[TAN_HUNG]
    # The wind came 2 h earlier: task 3 (done 1 h before the old ETA) was late.
    assert (th.max_wind_level, th.eta_utc, th.done_by_eta) == (10, h(-2), 2)
    assert th.readiness_at_eta == pytest.approx(6 / 8)
    assert th.ready_in_time is False
    assert th.delegations_on_site == 2  # D1 (h-15) and D4's confirmation (h-3)


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
def test_who_reads_the_review(world, who, allowed):
    with world.ctx.sessions() as s:
        if allowed:
            assert len(aar.after_action(s, who, "33", world.event_id)) == 3
        else:
            with pytest.raises(Forbidden):
                aar.after_action(s, who, "33", world.event_id)
            with pytest.raises(Forbidden):
                aar.damage_reports(s, who, world.event_id, "33")


def test_other_provinces_stay_out(world):
    with world.ctx.sessions() as s:
        frame = aar.after_action(s, OTHER_STAFF, "31", world.event_id)
    assert frame["commune_code"].tolist() == [THANH_DONG]
    assert frame.loc[0, "readiness_at_eta"] == pytest.approx(3 / 9)


def test_latest_event_finds_the_storm(world):
    with world.ctx.sessions() as s:
        assert aar.latest_event(s, "2025197N14131") == world.event_id
        assert aar.latest_event(s, "2025197N14131", is_drill=False) is None


def test_exports_are_readable_and_neutralised(world):
    with world.ctx.transaction() as s:
        aar.record_damage(
            s,
            LEADER,
            world.event_id,
            DONG_CHAU,
            notes="=cmd|' /C calc'!A0",
            clock=h(30),
            **zeros(houses_damaged=5),
        )
    with world.ctx.sessions() as s:
        frame = aar.after_action(s, STAFF, "33", world.event_id)
    rows = list(csv.reader(io.StringIO(aar.to_csv(frame).decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["Mã xã", "Xã, phường", "Cấp gió lớn nhất"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Mã xã"] == DONG_CHAU
    assert first["Gió cấp 6 đến (giờ Việt Nam)"] == "21/07/2025 13:00"
    assert first["Mức sẵn sàng khi gió đến (%)"] == "66.7"
    assert first["Sẵn sàng kịp thời"] == "không"
    assert first["Ghi chú thiệt hại"] == "'=cmd|' /C calc'!A0"
    english = list(csv.reader(io.StringIO(aar.to_csv(frame, "en").decode("utf-8-sig"))))
    assert english[0][-1] == "Ready in time"

    book = load_workbook(io.BytesIO(aar.to_xlsx(frame, title="Bão số 3 – Hưng Yên")))
    sheet = book.active
    assert sheet.title == "Rút kinh nghiệm"
    assert sheet["A1"].value == "Bão số 3 – Hưng Yên"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    header, first = values[0], dict(zip(values[0], values[1], strict=True))
    assert first["Mức sẵn sàng khi gió đến (%)"] == 66.7
    assert first["Số nhà hư hỏng"] == 5
    assert first["Ghi chú thiệt hại"] == "'=cmd|' /C calc'!A0"
    assert "Đoàn công tác có mặt khi gió đến" in header
