"""Every page that lists exposed communes lists the same ones.

The situation map's ranking, the readiness page's activation proposals, the
delegations page's coverage table, the situation report and the exposure
command all take :func:`dashboard.situation.exposed_communes` of the one
storm that :func:`dashboard.scenario.shown_forecasts` picks, at the same
clock (the Wipha drill).
"""

from __future__ import annotations

import pytest

from dashboard import delegations as dlg
from dashboard import forecasts, scenario, situation
from dashboard.auth import SYSTEM, Principal, Role
from dashboard.bootstrap import open_context
from dashboard.geo import layers
from dashboard.i18n import translate
from dashboard.reports.sitrep import build_sitrep
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

WIPHA = "2025197N14131"
COMMUNE_COLUMN = translate("col.commune", "vi")


def staff(province: str) -> Principal:
    return Principal(
        f"staff{province}",
        Role.PROVINCE,
        "Cán bộ",
        province_codes=frozenset({province}),
    )


def expected(province: str) -> set[str]:
    """The rule, applied directly to the shown storm's exposure."""
    ctx = open_context()
    with ctx.sessions() as session:
        sc = scenario.current(session)
    (info,) = scenario.shown_forecasts(ctx, sc)
    with ctx.sessions() as session:
        advisory = forecasts.forecast(session, info.id)
    points = situation.commune_points(layers.full_polygons(layers.current_layer(ctx)))
    table = situation.exposure_table(advisory, points, sc.clock_utc)
    ctx.engine.dispose()
    return set(situation.exposed_communes(table, province)["commune_name"])


def test_the_rule_is_the_coloured_map():
    names = expected("33")
    assert "Xã Đồng Châu" in names  # the coastal demo commune of Hưng Yên
    assert 0 < len(names) < 200


def test_map_delegations_and_report_list_the_same_communes():
    names = expected("33")

    at = open_view("map_page", staff("33"))
    assert not at.exception, at.exception
    assert set(at.dataframe[-1].value[COMMUNE_COLUMN]) == names

    ctx = open_context()
    with ctx.transaction() as s:
        dlg.ensure_event(s, SYSTEM, WIPHA, "Ứng phó bão WIPHA", None, True)
    at = open_view("delegations", staff("33"))
    assert not at.exception, at.exception
    at.selectbox(key="dlg_min_risk").set_value(1).run()
    assert not at.exception, at.exception
    coverage = next(d for d in at.dataframe if COMMUNE_COLUMN in _columns(d))
    assert set(_data(coverage)[COMMUNE_COLUMN]) == names

    report = build_sitrep(ctx, SYSTEM, "33")
    assert {c.commune_name for c in report.exposed} == names
    ctx.engine.dispose()


def test_readiness_proposes_the_same_communes():
    names = expected("31")
    assert names  # Hải Phòng's coast is exposed to Wipha
    at = open_view("readiness", staff("31"))
    assert not at.exception, at.exception
    editor = at.get("arrow_data_frame") or []
    proposed = [e for e in at.get("data_editor") or editor if "commune" in _columns(e)]
    assert proposed, "no activation proposal table"
    assert set(_data(proposed[0])["commune"]) == names


def _data(element):
    value = element.value
    return value.data if hasattr(value, "data") else value


def _columns(element) -> list[str]:
    return list(_data(element).columns)
