"""Demo plans: the Wipha drill activated for the demo province's exposed communes."""

from __future__ import annotations

from sqlalchemy import select

from dashboard import scenario, situation
from dashboard.auth import SYSTEM
from dashboard.context import AppContext
from dashboard.demo.accounts import DEMO_PROVINCE
from dashboard.events import open_event_for_forecast
from dashboard.plans.activation import activate_plans, exposures, propose_communes
from dashboard.plans.profiles import layer_profiles
from dashboard.plans.templates import ensure_starter
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.store.models.plans import CommunePlan, StormEvent


def seed_demo_plans(ctx: AppContext, province_code: str = DEMO_PROVINCE) -> list[int]:
    """Activate the drill plans of *province_code* once; return the new plan ids.

    Does nothing when the province already has a plan in a drill event.
    """
    with ctx.sessions() as session:
        found = session.scalar(
            select(CommunePlan.id)
            .join(StormEvent, StormEvent.id == CommunePlan.event_id)
            .where(
                StormEvent.is_drill.is_(True),
                CommunePlan.province_code == province_code,
            )
            .limit(1)
        )
    if found is not None:
        return []
    clock = DRILL_CLOCK
    forecast_id, _ = scenario.ensure_drill_forecast(
        ctx, scenario.Scenario(scenario.DRILL, clock)
    )
    points = situation.layer_points(ctx)
    table = situation.exposure_table(drill_forecast(clock), points, clock)
    proposed = propose_communes(table, layer_profiles(ctx), province_code)
    by_code = exposures(proposed)
    with ctx.transaction() as session:
        ensure_starter(session)
        event = open_event_for_forecast(session, SYSTEM, forecast_id)
        return activate_plans(
            session,
            SYSTEM,
            event.id,
            by_code.values(),
            dict(zip(proposed["commune_code"], proposed["profiles"], strict=True)),
        )
