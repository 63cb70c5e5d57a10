"""GDACS tropical-cyclone API: the event list and the per-event geometry.

Times without a zone (``fromdate``, ``todate``, ``polygondate``) are UTC.

Event list (``geteventlist``)
    One :class:`Forecast` per TC event, holding a single analysed point: the
    ``Point_Centroid`` position at ``todate``. ``severitydata`` is the event's
    maximum wind (km/h) over its life, not the current intensity, so it goes to
    ``extra["max_wind_kt"]`` and the point's ``vmax_kt`` stays empty.

Geometry (``getgeometry``)
    Track points from the ``Point_Polygon_Point_N`` circles (centre of the
    circle; ``key`` = MMDDHHMM UTC, the year from ``polygondate``). Points at or
    before the issue time (the points' ``polygondate``, equal to ``todate``)
    are past, later ones forecast; ``Line_Line_N.forecast`` is not used
    because GDACS sets it wrongly on travelled segments. ``Poly_Cones`` becomes
    ``cone_geojson``; the per-time ``Poly_Green/Orange/Red`` wind-radii areas
    (60/90/120 km/h ≈ 34/50/64 kt, zero-area ones dropped) and the merged
    swaths go to ``extra``.

Wind averaging: the ``source`` agency's (JTWC and NOAA 1 minute; RSMC
La Réunion and other RSMCs 10 minutes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shapely.geometry import shape

from dashboard.storms.model import Forecast, ForecastError, TrackPoint
from dashboard.storms.parsers._common import (
    KT_PER_KMH,
    check_lat_lon,
    iso_z,
    lead_hours,
    load_json,
    parse_iso_utc,
    to_text,
    unwrap_longitudes,
    utc,
)

SOURCE = "GDACS"
WHAT = "GDACS TC GeoJSON (event list or event geometry)"
SOURCE_AVERAGING = {"JTWC": 1, "NOAA": 1, "NHC": 1, "CPHC": 1}
COLOUR_KMH = {"Poly_Green": 60, "Poly_Orange": 90, "Poly_Red": 120}
COLOUR_KT = {"Poly_Green": 34, "Poly_Orange": 50, "Poly_Red": 64}
POINT_CLASS = "Point_Polygon_Point_"


def _collection(
    data: bytes | str | Mapping[str, Any], *, allow_empty: bool = False
) -> list[Mapping[str, Any]]:
    doc = data if isinstance(data, Mapping) else load_json(to_text(data, WHAT), WHAT)
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection":
        raise ForecastError(f"not a GeoJSON FeatureCollection: expected {WHAT}")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ForecastError(
            f"the FeatureCollection has no 'features' list: expected {WHAT}"
        )
    if not all(isinstance(f, Mapping) for f in features):
        raise ForecastError(f"a feature is not a JSON object: expected {WHAT}")
    if not features and not allow_empty:
        raise ForecastError("the GDACS feature collection is empty (no events)")
    return features


def kind(features: list[Mapping[str, Any]]) -> str:
    """``eventlist`` or ``geometry``."""
    classes = {str((f.get("properties") or {}).get("Class", "")) for f in features}
    if any(c.startswith(POINT_CLASS) for c in classes):
        return "geometry"
    if classes == {"Point_Centroid"}:
        return "eventlist"
    raise ForecastError(
        f"GeoJSON without GDACS 'Class' values (found {sorted(classes)[:5]}): expected {WHAT}"
    )


def looks_like_gdacs(doc: Any) -> bool:
    """Whether a parsed JSON document is GDACS TC output."""
    try:
        kind(list(doc["features"]))
    except (ForecastError, KeyError, TypeError):
        return False
    return True


def _averaging(props: Mapping[str, Any]) -> int:
    return SOURCE_AVERAGING.get(str(props.get("source", "")).upper(), 10)


def _countries(props: Mapping[str, Any]) -> dict[str, Any]:
    affected = props.get("affectedcountries") or []
    return {
        "country": props.get("country", ""),
        "iso3": props.get("iso3", ""),
        "affectedcountries": [
            a.get("countryname", "") for a in affected if isinstance(a, Mapping)
        ],
        "affected_iso3": [
            a.get("iso3", "") for a in affected if isinstance(a, Mapping)
        ],
    }


def _event_extra(props: Mapping[str, Any]) -> dict[str, Any]:
    severity = props.get("severitydata") or {}
    max_kt = None
    if isinstance(severity, Mapping) and severity.get("severityunit") == "km/h":
        try:
            max_kt = float(severity["severity"]) * KT_PER_KMH
        except (KeyError, TypeError, ValueError) as exc:
            raise ForecastError(
                f"event {props.get('eventid')}: severity {severity.get('severity')!r} "
                "is not a number of km/h"
            ) from exc
    return _countries(props) | {
        "eventid": props.get("eventid"),
        "episodeid": props.get("episodeid"),
        "eventname": props.get("eventname"),
        "alertlevel": props.get("alertlevel"),
        "alertscore": props.get("alertscore"),
        "iscurrent": str(props.get("iscurrent", "")).lower() == "true",
        "fromdate": props.get("fromdate"),
        "todate": props.get("todate"),
        "agency": props.get("source"),
        "max_wind_kt": max_kt,
        "severity_text": severity.get("severitytext")
        if isinstance(severity, Mapping)
        else None,
        "url": props.get("url"),
    }


def _name(props: Mapping[str, Any]) -> str:
    """``KAJIKI-25`` → ``KAJIKI``."""
    name = str(props.get("eventname", ""))
    head, _, tail = name.rpartition("-")
    return head if head and tail.isdigit() else name


def _event(feature: Mapping[str, Any]) -> Forecast:
    props = feature.get("properties") or {}
    eventid = props.get("eventid")
    geometry = feature.get("geometry") or {}
    if geometry.get("type") != "Point":
        raise ForecastError(
            f"event {eventid}: centroid geometry is {geometry.get('type')}, not Point"
        )
    try:
        lon, lat = (float(c) for c in geometry["coordinates"][:2])
    except (KeyError, TypeError, ValueError) as exc:
        raise ForecastError(
            f"event {eventid}: unreadable centroid coordinates"
        ) from exc
    check_lat_lon(lat, lon, f"event {eventid}")
    if "todate" not in props:
        raise ForecastError(
            f"event {eventid}: no 'todate' (time of the latest position)"
        )
    valid = parse_iso_utc(str(props["todate"]), f"event {eventid} todate")
    issued = parse_iso_utc(
        str(props.get("datemodified") or props["todate"]), "datemodified"
    )
    return Forecast(
        storm_id=f"GDACS-{eventid}",
        storm_name=_name(props),
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=_averaging(props),
        points=(
            TrackPoint(
                valid_utc=valid, lead_hours=0.0, lat=lat, lon=lon, is_forecast=False
            ),
        ),
        product="GDACS event list",
        extra=_event_extra(props) | {"base_utc": iso_z(valid)},
    )


def parse_event_list(data: bytes | str | Mapping[str, Any]) -> list[Forecast]:
    """One single-point :class:`Forecast` per TC event of a GDACS event list."""
    features = _collection(data)
    if kind(features) != "eventlist":
        raise ForecastError("this is a GDACS geometry, not an event list")
    return [
        _event(f)
        for f in features
        if str((f.get("properties") or {}).get("eventtype", "TC")).upper() == "TC"
    ]


def _key_time(key: str, anchor: datetime, where: str) -> datetime:
    """``08211800`` (MMDDHHMM) → the year that puts it nearest *anchor*."""
    if len(key) != 8 or not key.isdigit():
        raise ForecastError(f"{where}: key {key!r} is not MMDDHHMM")
    month, day, hour, minute = int(key[:2]), int(key[2:4]), int(key[4:6]), int(key[6:])
    candidates = [utc(anchor.year + dy, month, day, hour, minute) for dy in (-1, 0, 1)]
    return min(candidates, key=lambda c: abs(c - anchor))


def _centre(feature: Mapping[str, Any], where: str) -> tuple[float, float]:
    try:
        geom = shape(feature["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ForecastError(f"{where}: unreadable geometry") from exc
    if geom.is_empty:
        raise ForecastError(f"{where}: empty geometry")
    minx, miny, maxx, maxy = geom.bounds
    lon, lat = round((minx + maxx) / 2, 3), round((miny + maxy) / 2, 3)
    check_lat_lon(lat, lon, where)
    return lat, lon


def _issue_time(features: list[Mapping[str, Any]]) -> datetime:
    for feature in features:
        props = feature.get("properties") or {}
        if str(props.get("Class", "")).startswith(POINT_CLASS) and props.get(
            "polygondate"
        ):
            return parse_iso_utc(str(props["polygondate"]), "polygondate")
    props = features[0].get("properties") or {}
    if props.get("todate"):
        return parse_iso_utc(str(props["todate"]), "todate")
    raise ForecastError("no polygondate or todate to date the track points")


def _radii_areas(
    features: list[Mapping[str, Any]], anchor: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    areas, swaths = [], []
    for feature in features:
        props = feature.get("properties") or {}
        cls = str(props.get("Class", ""))
        if cls not in COLOUR_KMH:
            continue
        geometry = feature.get("geometry")
        if not geometry or shape(geometry).area == 0:
            continue
        entry = {
            "class": cls,
            "wind_kmh": COLOUR_KMH[cls],
            "approx_kt": COLOUR_KT[cls],
            "geometry": geometry,
        }
        if props.get("key"):
            valid = _key_time(str(props["key"]), anchor, cls)
            areas.append(entry | {"valid_utc": iso_z(valid)})
        else:
            swaths.append(entry | {"label": props.get("polygonlabel")})
    return areas, swaths


def parse_geometry(data: bytes | str | Mapping[str, Any]) -> Forecast:
    """The track, cone and wind areas of one GDACS event geometry."""
    features = _collection(data)
    if kind(features) != "geometry":
        raise ForecastError("this is a GDACS event list, not an event geometry")
    issued = _issue_time(features)
    points = []
    for feature in features:
        props = feature.get("properties") or {}
        cls = str(props.get("Class", ""))
        if not cls.startswith(POINT_CLASS):
            continue
        where = f"{cls} ({props.get('polygonlabel', '')})"
        valid = _key_time(str(props.get("key", "")), issued, where)
        lat, lon = _centre(feature, where)
        points.append(
            TrackPoint(
                valid_utc=valid,
                lead_hours=lead_hours(valid, issued),
                lat=lat,
                lon=lon,
                is_forecast=valid > issued,
            )
        )
    points.sort(key=lambda p: p.valid_utc)
    cone = next(
        (
            f.get("geometry")
            for f in features
            if (f.get("properties") or {}).get("Class") == "Poly_Cones"
        ),
        None,
    )
    areas, swaths = _radii_areas(features, issued)
    props = features[0].get("properties") or {}
    return Forecast(
        storm_id=f"GDACS-{props.get('eventid')}",
        storm_name=_name(props),
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=_averaging(props),
        points=unwrap_longitudes(points),
        product="GDACS geometry",
        cone_geojson=dict(cone) if cone else None,
        extra=_event_extra(props)
        | {
            "base_utc": iso_z(issued),
            "wind_radii_areas": areas,
            "wind_swaths": swaths,
            "segment_classes": _segment_classes(features),
        },
    )


def _segment_classes(features: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Intensity class (TD/TS/HU...) of each track segment, with its end points."""
    out = []
    for feature in features:
        props = feature.get("properties") or {}
        if str(props.get("Class", "")).startswith("Line_Line_"):
            coords = (feature.get("geometry") or {}).get("coordinates") or []
            out.append({"class": props.get("polygonlabel"), "coordinates": coords})
    return out


def parse(data: bytes | str | Mapping[str, Any]) -> list[Forecast]:
    """Event list → one forecast per event; geometry → a one-element list.

    An empty collection is what the event list says when no cyclone is
    active: no forecasts, not an error.
    """
    features = _collection(data, allow_empty=True)
    if not features:
        return []
    if kind(features) == "geometry":
        return [parse_geometry(data)]
    return parse_event_list(data)
