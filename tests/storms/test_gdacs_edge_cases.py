"""GDACS event-list edge cases met by the feed poller."""

from __future__ import annotations

import json

import pytest

from dashboard.storms.model import ForecastError
from dashboard.storms.parsers import gdacs


def event(severity):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [110.0, 18.0]},
        "properties": {
            "Class": "Point_Centroid",
            "eventtype": "TC",
            "eventid": 9001,
            "episodeid": 1,
            "eventname": "TEST-26",
            "name": "Tropical Cyclone TEST-26",
            "fromdate": "2026-08-20T00:00:00",
            "todate": "2026-08-21T18:00:00",
            "datemodified": "2026-08-21T19:00:00",
            "source": "JTWC",
            "country": "Viet Nam",
            "severitydata": {"severity": severity, "severityunit": "km/h"},
        },
    }


def test_no_active_cyclone_is_an_empty_list_not_an_error():
    assert gdacs.parse(json.dumps({"type": "FeatureCollection", "features": []})) == []


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([1, 2], "not a JSON object"),
        ([event("strong")], "severity 'strong' is not a number"),
    ],
)
def test_malformed_events_are_refused_clearly(features, message):
    with pytest.raises(ForecastError, match=message):
        gdacs.parse(json.dumps({"type": "FeatureCollection", "features": features}))


def test_a_good_event_still_parses():
    (forecast,) = gdacs.parse(
        json.dumps({"type": "FeatureCollection", "features": [event(65)]})
    )
    assert forecast.storm_id == "GDACS-9001"
    assert forecast.extra["max_wind_kt"] == pytest.approx(65 / 1.852, rel=1e-3)
