"""Shared set-up of the plans tests: an event with a few activated communes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from dashboard import scenario
from dashboard.auth import Principal, Role
from dashboard.context import AppContext
from dashboard.events import open_event_for_forecast
from dashboard.plans.activation import CommuneExposure, activate_plans
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.plans import CommunePlan, PlanTask

CLOCK = DRILL_CLOCK
ETA = datetime(2025, 7, 21, 6, 0, tzinfo=UTC)
CLOSEST = datetime(2025, 7, 21, 12, 0, tzinfo=UTC)

#: Two communes of Hưng Yên (33) and one of Quảng Ninh (22).
DONG_CHAU, OTHER_33, HA_TU_22 = "13003", "11977", "06652"

ADMIN = Principal("admin1", Role.ADMIN, "Admin")
PROVINCE_33 = Principal(
    "hy-staff", Role.PROVINCE, "Hưng Yên staff", province_codes=frozenset({"33"})
)
PROVINCE_22 = Principal(
    "qn-staff", Role.PROVINCE, "Quảng Ninh staff", province_codes=frozenset({"22"})
)
COMMUNE = Principal("dc-leader", Role.COMMUNE, "Đồng Châu", commune_code=DONG_CHAU)
OTHER_COMMUNE = Principal("tx-leader", Role.COMMUNE, "Tân Hưng", commune_code=OTHER_33)
VOLUNTEER = Principal("vol", Role.VOLUNTEER, "Đoàn viên")


@dataclass
class Setup:
    event_id: int
    plans: dict[str, int]  # commune code -> plan id

    def tasks(self, ctx: AppContext, code: str) -> list[PlanTask]:
        with ctx.sessions() as s:
            return list(
                s.scalars(
                    select(PlanTask)
                    .where(PlanTask.plan_id == self.plans[code])
                    .order_by(PlanTask.position)
                )
            )

    def task(self, ctx: AppContext, code: str, evidence: str) -> PlanTask:
        return next(t for t in self.tasks(ctx, code) if t.evidence == evidence)


def exposure(code: str, shift_hours: float = 0) -> CommuneExposure:
    shift = timedelta(hours=shift_hours)
    return CommuneExposure(code, ETA + shift, CLOSEST + shift, 9, 3)


def make_setup(ctx: AppContext, codes=(DONG_CHAU, OTHER_33, HA_TU_22)) -> Setup:
    forecast_id, _ = scenario.ensure_drill_forecast(
        ctx, scenario.Scenario(scenario.DRILL, CLOCK)
    )
    with ctx.transaction() as s:
        event = open_event_for_forecast(s, ADMIN, forecast_id, clock=CLOCK)
        activate_plans(
            s,
            ADMIN,
            event.id,
            [exposure(c) for c in codes],
            {DONG_CHAU: "coastal,riverine", OTHER_33: "urban", HA_TU_22: "urban"},
            clock=CLOCK,
        )
    with ctx.sessions() as s:
        plans = dict(
            s.execute(
                select(CommunePlan.commune_code, CommunePlan.id).where(
                    CommunePlan.event_id == event.id
                )
            ).all()
        )
    return Setup(event.id, plans)


def jpeg_bytes(size=(800, 600), fmt="JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()
