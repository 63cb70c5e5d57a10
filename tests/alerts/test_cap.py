"""CAP 1.2 messages of the Wipha drill, validated with the official OASIS XSD.

Expectations are derived from the exposure table (the wind model may change
the numbers), plus literal spot values the standard and the brief fix.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from lxml import etree

from dashboard.alerts import cap
from dashboard.alerts.cap import AlertRef, CapValidationError
from dashboard.plans.templates import read_starter
from dashboard.scenario.drill import DRILL_CLOCK
from tests.alerts.conftest import HUNG_YEN, SENDER

NS = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
SEVERITY = {5: "Extreme", 4: "Severe", 3: "Moderate", 2: "Minor", 1: "Minor"}


def _doc(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _build(drill, province, **kwargs):
    kwargs.setdefault("is_drill", True)
    return cap.build_province_alert(
        drill.forecast, drill.table, province, DRILL_CLOCK, SENDER, **kwargs
    )


def _provinces(drill) -> list[str]:
    """Hưng Yên, plus the exposed province with the most risk groups and the
    one with the fewest exposed communes (both computed from the table)."""
    exposed = drill.table[drill.table["max_wind_level"] >= 6]
    groups = exposed.groupby("province_code")["risk_level"].nunique()
    sizes = exposed.groupby("province_code").size()
    picks = [HUNG_YEN, str(groups.idxmax()), str(sizes.idxmin())]
    return list(dict.fromkeys(picks))


def test_the_drill_exposes_hung_yen_and_others(drill):
    assert not drill.exposed(HUNG_YEN).empty
    assert len(_provinces(drill)) >= 2


@pytest.mark.parametrize("pick", [0, 1, 2])
def test_drill_alerts_are_valid_cap_with_one_area_per_risk_group(drill, pick):
    provinces = _provinces(drill)
    if pick >= len(provinces):
        pytest.skip("fewer distinct exposed provinces than picks")
    province = provinces[pick]
    rows = drill.exposed(province)
    alert = _build(drill, province, polygons=drill.polygons)
    assert alert is not None
    cap.validate(alert.xml)  # official XSD plus the standard's text rules
    doc = _doc(alert.xml)

    assert doc.findtext("c:status", namespaces=NS) == "Exercise"
    assert doc.findtext("c:msgType", namespaces=NS) == "Alert"
    assert doc.findtext("c:scope", namespaces=NS) == "Public"
    assert doc.findtext("c:sent", namespaces=NS) == "2025-07-20T19:00:00+07:00"
    assert doc.findtext("c:references", namespaces=NS) is None
    infos = doc.findall("c:info", NS)
    assert [i.findtext("c:language", namespaces=NS) for i in infos] == [
        "vi-VN",
        "en-US",
    ]

    levels = sorted(set(rows["risk_level"].astype(int)), reverse=True)
    expected = {
        level: sorted(rows.loc[rows["risk_level"] == level, "commune_code"])
        for level in levels
    }
    eta = pd.to_datetime(rows["level6_eta_utc"], utc=True)
    for info in infos:
        assert info.findtext("c:category", namespaces=NS) == "Met"
        assert info.findtext("c:severity", namespaces=NS) == SEVERITY[max(levels)]
        areas = info.findall("c:area", NS)
        assert len(areas) == len(levels)
        geocoded = []
        for level, area in zip(levels, areas, strict=True):
            codes = [
                g.findtext("c:value", namespaces=NS)
                for g in area.findall("c:geocode", NS)
            ]
            names = {
                g.findtext("c:valueName", namespaces=NS)
                for g in area.findall("c:geocode", NS)
            }
            assert names == {"VN-commune-code"}
            assert sorted(codes) == expected[level]
            geocoded += codes
            assert area.findall("c:polygon", NS), "polygons were given"
            for polygon in area.findall("c:polygon", NS):
                assert cap.polygon_problems(polygon.text) == []
            desc = area.findtext("c:areaDesc", namespaces=NS)
            assert str(level) in desc
        # every exposed commune geocoded exactly once per info block
        assert sorted(geocoded) == sorted(rows["commune_code"])
        assert len(geocoded) == len(set(geocoded))
        if eta.notna().any():
            onset = eta.min().to_pydatetime()
            assert info.findtext("c:onset", namespaces=NS) == cap.cap_time(onset)
        else:
            assert info.find("c:onset", NS) is None
    assert alert.commune_count == len(rows)


def test_spot_values_of_hung_yen(drill):
    rows = drill.exposed(HUNG_YEN)
    alert = _build(drill, HUNG_YEN)
    doc = _doc(alert.xml)
    vi, en = doc.findall("c:info", NS)
    assert alert.identifier == (
        "canhbao@phongthudansu.example.vn.2025197N14131.33.20250720T1200Z"
    )
    assert doc.findtext("c:identifier", namespaces=NS) == alert.identifier
    assert vi.findtext("c:event", namespaces=NS) == "Bão"
    assert en.findtext("c:event", namespaces=NS) == "Tropical storm"
    assert vi.findtext("c:headline", namespaces=NS).startswith("DIỄN TẬP – Bão WIPHA")
    assert "Hưng Yên" in vi.findtext("c:headline", namespaces=NS)
    assert en.findtext("c:headline", namespaces=NS).startswith("EXERCISE – Storm WIPHA")
    assert "Exercise" in doc.findtext("c:note", namespaces=NS)
    assert f"{len(rows)} communes" in en.findtext("c:description", namespaces=NS)
    assert vi.find("c:area/c:polygon", NS) is None  # no polygons given
    # instruction: every public-information task of the starter template
    tasks = [t for t in read_starter()[2] if t.pillar == "information"]
    assert len(tasks) >= 1
    for task in tasks:
        assert task.title_vi in vi.findtext("c:instruction", namespaces=NS)
        assert task.title_en in en.findtext("c:instruction", namespaces=NS)
    # urgency from the hours to the first level-6 wind
    eta = pd.to_datetime(rows["level6_eta_utc"], utc=True).min()
    hours = (eta - pd.Timestamp(DRILL_CLOCK)).total_seconds() / 3600
    assert alert.urgency == cap.urgency_for(hours)
    assert vi.findtext("c:urgency", namespaces=NS) == alert.urgency
    expires = max(
        DRILL_CLOCK + timedelta(hours=24), eta.to_pydatetime() + timedelta(hours=12)
    )
    assert vi.findtext("c:expires", namespaces=NS) == cap.cap_time(expires)


def test_identifier_is_stable_per_storm_province_and_advisory(drill):
    first = _build(drill, HUNG_YEN)
    again = _build(drill, HUNG_YEN)
    assert first.identifier == again.identifier and first.xml == again.xml
    later = cap.alert_identifier(
        SENDER, drill.forecast.storm_id, HUNG_YEN, DRILL_CLOCK + timedelta(hours=6)
    )
    other = cap.alert_identifier(SENDER, drill.forecast.storm_id, "22", DRILL_CLOCK)
    assert len({first.identifier, later, other}) == 3


def test_real_storm_is_actual_and_update_references_the_previous(drill):
    previous = AlertRef(SENDER, "earlier.alert", datetime(2025, 7, 20, 6, tzinfo=UTC))
    alert = _build(drill, HUNG_YEN, is_drill=False, references=[previous])
    cap.validate(alert.xml)
    doc = _doc(alert.xml)
    assert doc.findtext("c:status", namespaces=NS) == "Actual"
    assert doc.findtext("c:msgType", namespaces=NS) == "Update"
    assert doc.find("c:note", NS) is None
    assert doc.findtext("c:references", namespaces=NS) == (
        f"{SENDER},earlier.alert,2025-07-20T13:00:00+07:00"
    )


def test_no_alert_for_a_province_without_exposed_communes(drill):
    table = drill.table
    exposed = set(table.loc[table["max_wind_level"] >= 6, "province_code"])
    quiet = sorted(set(table["province_code"]) - exposed)
    assert quiet, "the drill exposes every province?"
    assert _build(drill, quiet[0]) is None


def test_no_alert_for_a_province_that_is_only_watched(drill):
    """Communes in the cone, or at level 6 only if the track shifts, are
    watched, not exposed: a province with only those gets no alert."""
    table = drill.table
    exposed = set(table.loc[table["max_wind_level"] >= 6, "province_code"])
    watched = set(table.loc[table["risk_level"].between(1, 2), "province_code"])
    only_watched = sorted(watched - exposed)
    assert only_watched, "the drill has no province that is only watched?"
    assert _build(drill, only_watched[0]) is None


def test_high_risk_maps_to_extreme_evacuate_immediate_observed(drill):
    table = drill.table.copy()
    mask = table["province_code"] == HUNG_YEN
    first = table.index[mask][0]
    table.loc[mask, "risk_level"] = 4
    table.loc[first, "risk_level"] = 5
    table.loc[first, "level6_eta_utc"] = pd.Timestamp(DRILL_CLOCK)
    alert = cap.build_province_alert(
        drill.forecast, table, HUNG_YEN, DRILL_CLOCK, SENDER
    )
    cap.validate(alert.xml)
    assert (alert.severity, alert.response_type, alert.urgency, alert.certainty) == (
        "Extreme",
        "Evacuate",
        "Immediate",
        "Observed",
    )
    assert [(a.risk_level, len(a.commune_codes)) for a in alert.areas] == [
        (5, 1),
        (4, int(mask.sum()) - 1),
    ]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0, "Immediate"),
        (5.9, "Immediate"),
        (6, "Expected"),
        (23.9, "Expected"),
        (24, "Future"),
        (None, "Future"),
    ],
)
def test_urgency(hours, expected):
    assert cap.urgency_for(hours) == expected


def test_severity_certainty_response():
    assert [cap.severity_for(r) for r in (5, 4, 3, 2, 1)] == [
        "Extreme",
        "Severe",
        "Moderate",
        "Minor",
        "Minor",
    ]
    with pytest.raises(cap.CapError):
        cap.severity_for(0)
    assert cap.certainty_for(True, True) == "Observed"
    assert cap.certainty_for(False, True) == "Likely"
    assert cap.certainty_for(False, False) == "Possible"
    assert [cap.response_type_for(r) for r in (5, 4, 3, 1)] == [
        "Evacuate",
        "Evacuate",
        "Prepare",
        "Prepare",
    ]


# -- invalid messages ---------------------------------------------------------


def _with_polygon(drill, text: str) -> bytes:
    doc = _doc(_build(drill, HUNG_YEN, polygons=drill.polygons).xml)
    doc.find("c:info/c:area/c:polygon", NS).text = text
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(
    "polygon",
    [
        "20.9,106.0 21.0,106.1 20.9,106.0",  # 3 points
        "20.9,106.0 21.0,106.1 21.0,106.0 20.8,106.0",  # not closed
        "20.9;106.0 21.0,106.1 21.0,106.0 20.9;106.0",  # not lat,lon
        "95.0,106.0 21.0,106.1 21.0,106.0 95.0,106.0",  # latitude out of range
    ],
)
def test_a_broken_polygon_fails_validation(drill, polygon):
    xml = _with_polygon(drill, polygon)
    with pytest.raises(CapValidationError, match="polygon"):
        cap.validate(xml)


def test_schema_violations_fail_validation(drill):
    good = _build(drill, HUNG_YEN).xml
    cap.validate(good)
    for old, new in [
        (b"<severity>Moderate</severity>", b"<severity>Catastrophic</severity>"),
        (
            b"<sent>2025-07-20T19:00:00+07:00</sent>",
            b"<sent>2025-07-20T12:00:00Z</sent>",
        ),
        (b"<scope>Public</scope>", b""),  # a required element
    ]:
        assert old in good
        with pytest.raises(CapValidationError, match="schema"):
            cap.validate(good.replace(old, new))


def test_update_without_references_and_spaces_in_identifier_fail(drill):
    good = _build(drill, HUNG_YEN).xml
    problems = cap.problems(
        good.replace(b"<msgType>Alert</msgType>", b"<msgType>Update</msgType>")
    )
    assert problems == ["msgType Update needs references"]
    alert = _build(drill, HUNG_YEN)
    spaced = good.replace(alert.identifier.encode(), b"an id with spaces")
    assert cap.problems(spaced) == [
        "identifier 'an id with spaces' has spaces, commas, < or &"
    ]


def test_not_xml_fails_validation():
    with pytest.raises(CapValidationError, match="well-formed"):
        cap.validate(b"<alert")


def test_sender_with_spaces_is_refused(drill):
    with pytest.raises(cap.CapError, match="sender"):
        cap.build_province_alert(
            drill.forecast, drill.table, HUNG_YEN, DRILL_CLOCK, "Ban chi huy"
        )
