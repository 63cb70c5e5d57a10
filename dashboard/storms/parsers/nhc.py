"""NHC products: the Forecast/Advisory text (TCM) and the GIS GeoJSON layers.

Winds are 1-minute means, radii nmi (largest extent in each quadrant).

Lead times
----------
NHC's forecasts are valid at the synoptic time (3 h before the advisory) plus
12, 24, 36, 48, 60, 72, 96 and 120 h. The GIS ``TAU`` counts from that
synoptic time; the text shows only valid times and is issued 3 h later. Both
parsers therefore use the synoptic time as base (``extra["base_utc"]``), so
``lead_hours`` equals the GIS ``TAU`` and the two products give the same
points. The one exception is the advisory position: GIS calls it ``TAU`` 0
(``VALIDTIME`` = synoptic time) but it is the position at the advisory time,
so it is placed at the advisory time with ``lead_hours`` 3. The text also gives
the centre at the synoptic time (``AT 29/0600Z CENTER WAS LOCATED NEAR``),
which becomes a past point at lead 0.

The text writes ``DD/HHMMZ``; month and year come from its header line
(``0900 UTC SUN AUG 29 2021``). In the GIS ``5day_pts`` layer, ``ADVDATE`` is
local time with its zone abbreviation (``400 AM CDT Sun Aug 29 2021``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from dashboard.storms.model import Forecast, ForecastError, Radii, TrackPoint
from dashboard.storms.parsers._common import (
    check_lat_lon,
    iso_z,
    lead_hours,
    load_json,
    refuse_html,
    resolve_day_time,
    signed_coordinate,
    to_text,
    unwrap_longitudes,
    utc,
)

SOURCE = "NHC"
WHAT_TEXT = "an NHC forecast/advisory (TCM) text"
WHAT_GIS = "NHC GIS GeoJSON (5day_pts, 5day_pgn or forecastradii layer)"
SYNOPTIC_OFFSET = timedelta(hours=3)

US_ZONES = {
    "UTC": 0, "GMT": 0, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6,
    "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "HST": -10, "ChST": 10,
}  # fmt: skip
MONTHS = {
    m: i + 1
    for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())
}

_HEADER = re.compile(
    r"^\s*(\d{3,4})\s+UTC\s+[A-Z]{3}\s+([A-Z]{3})\s+(\d{1,2})\s+(\d{4})\s*$", re.M
)
_TITLE = re.compile(
    r"^\s*([A-Z\- ]+?)\s+([A-Z\-]+)\s+FORECAST/ADVISORY NUMBER\s+(\d+)\s*$", re.M
)
_STORM_ID = re.compile(r"\b((?:AL|EP|CP)\d{6})\b")
_LATLON = r"(\d{1,2}\.\d)([NS])\s+(\d{1,3}\.\d)([EW])"
_CENTER = re.compile(
    r"CENTER LOCATED NEAR\s+" + _LATLON + r"\s+AT\s+(\d{2})/(\d{2})(\d{2})Z"
)
_PAST_CENTER = re.compile(
    r"AT\s+(\d{2})/(\d{2})(\d{2})Z CENTER WAS LOCATED NEAR\s+" + _LATLON
)
_VALID = re.compile(
    r"^(FORECAST|OUTLOOK) VALID\s+(\d{2})/(\d{2})(\d{2})Z\s*(.*)$", re.M
)
_POS = re.compile(r"^" + _LATLON)
_MAXWIND_NOW = re.compile(
    r"MAX SUSTAINED WINDS\s+(\d+)\s+KT WITH GUSTS TO\s+(\d+)\s+KT"
)
_MAXWIND = re.compile(r"MAX WIND\s+(\d+)\s+KT\.\.\.GUSTS\s+(\d+)\s+KT")
_PRESSURE = re.compile(r"ESTIMATED MINIMUM CENTRAL PRESSURE\s+(\d{3,4})\s+MB")
_RADII = re.compile(r"^\s*(34|50|64) KT\.+\s*(.*?)\.?\s*$", re.M)
_RADII_PART = re.compile(r"(\d+)\s*(NE|SE|SW|NW)")


def looks_like_tcm(text: str) -> bool:
    """Whether *text* looks like an NHC forecast/advisory."""
    return "FORECAST/ADVISORY" in text.upper()


def _header_time(text: str) -> datetime:
    match = _HEADER.search(text)
    if not match:
        raise ForecastError(
            "no issue line like '0900 UTC SUN AUG 29 2021': truncated or not "
            + WHAT_TEXT
        )
    hhmm, month, day, year = match.groups()
    if month not in MONTHS:
        raise ForecastError(f"unknown month {month!r} in the issue line")
    hhmm = hhmm.zfill(4)
    return utc(int(year), MONTHS[month], int(day), int(hhmm[:2]), int(hhmm[2:]))


def _radii_lines(chunk: str, where: str) -> dict[int, Radii]:
    radii: dict[int, Radii] = {}
    for match in _RADII.finditer(chunk):
        parts = {q.lower(): float(v) for v, q in _RADII_PART.findall(match.group(2))}
        if len(parts) != 4:
            raise ForecastError(
                f"{where}: {match.group(1)} KT radii list {len(parts)} of 4 quadrants"
            )
        radii[int(match.group(1))] = Radii(**parts)
    return radii


def _position(lat: str, ns: str, lon: str, ew: str, where: str) -> tuple[float, float]:
    lat_v, lon_v = signed_coordinate(lat, ns), signed_coordinate(lon, ew)
    check_lat_lon(lat_v, lon_v, where)
    return lat_v, lon_v


def _current_point(text: str, issued: datetime, base: datetime) -> TrackPoint:
    center = _CENTER.search(text)
    if not center:
        raise ForecastError(
            "no 'CENTER LOCATED NEAR ... AT DD/HHMMZ' line: truncated or not "
            + WHAT_TEXT
        )
    lat, lon = _position(*center.groups()[:4], "advisory position")
    valid = resolve_day_time(
        int(center.group(5)), int(center.group(6)), int(center.group(7)), issued
    )
    head = text[center.end() : _first_forecast(text)]
    winds = _MAXWIND_NOW.search(head)
    pressure = _PRESSURE.search(text)
    radii = _radii_lines(head.split("12 FT SEAS")[0], "advisory position")
    return TrackPoint(
        valid_utc=valid,
        lead_hours=lead_hours(valid, base),
        lat=lat,
        lon=lon,
        vmax_kt=float(winds.group(1)) if winds else None,
        gust_kt=float(winds.group(2)) if winds else None,
        mslp_hpa=float(pressure.group(1)) if pressure else None,
        r34_nm=radii.get(34),
        r50_nm=radii.get(50),
        r64_nm=radii.get(64),
        is_forecast=False,
    )


def _first_forecast(text: str) -> int:
    match = _VALID.search(text)
    return match.start() if match else len(text)


def _forecast_points(
    text: str, issued: datetime, base: datetime
) -> tuple[list[TrackPoint], list[str]]:
    matches = list(_VALID.finditer(text))
    points, notes = [], []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        valid = resolve_day_time(
            int(match.group(2)), int(match.group(3)), int(match.group(4)), issued
        )
        rest = match.group(5).strip()
        where = f"forecast valid {iso_z(valid)}"
        pos = _POS.match(rest)
        if not pos:
            if rest.startswith("...") or "DISSIPATED" in rest:
                notes.append(f"{iso_z(valid)} {rest.strip('.')}")
                continue
            raise ForecastError(f"{where}: no position in {rest!r}")
        lat, lon = _position(*pos.groups(), where)
        chunk = text[match.end() : end]
        winds = _MAXWIND.search(chunk)
        radii = _radii_lines(chunk, where)
        label = rest[pos.end() :].strip(". ")
        if label:
            notes.append(f"{iso_z(valid)} {label}")
        points.append(
            TrackPoint(
                valid_utc=valid,
                lead_hours=lead_hours(valid, base),
                lat=lat,
                lon=lon,
                vmax_kt=float(winds.group(1)) if winds else None,
                gust_kt=float(winds.group(2)) if winds else None,
                r34_nm=radii.get(34),
                r50_nm=radii.get(50),
                r64_nm=radii.get(64),
                is_forecast=True,
            )
        )
    return points, notes


def parse_tcm(data: bytes | str) -> Forecast:
    """Parse an NHC forecast/advisory (TCM) text."""
    text = to_text(data, WHAT_TEXT).upper()
    refuse_html(text.lower(), WHAT_TEXT)
    if not looks_like_tcm(text):
        raise ForecastError(f"no 'FORECAST/ADVISORY NUMBER' title: not {WHAT_TEXT}")
    issued = _header_time(text)
    base = issued - SYNOPTIC_OFFSET
    points = []
    past = _PAST_CENTER.search(text)
    if past:
        valid = resolve_day_time(
            int(past.group(1)), int(past.group(2)), int(past.group(3)), issued
        )
        lat, lon = _position(*past.groups()[3:], "earlier position")
        points.append(
            TrackPoint(
                valid_utc=valid,
                lead_hours=lead_hours(valid, base),
                lat=lat,
                lon=lon,
                is_forecast=False,
            )
        )
    points.append(_current_point(text, issued, base))
    forecasts, notes = _forecast_points(text, issued, base)
    points.extend(forecasts)
    title = _TITLE.search(text)
    storm_id = _STORM_ID.search(text)
    number = int(title.group(3)) if title else None
    return Forecast(
        storm_id=storm_id.group(1) if storm_id else "unknown",
        storm_name=title.group(2) if title else "",
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=1,
        points=unwrap_longitudes(points),
        product=f"NHC forecast/advisory {number}"
        if number
        else "NHC forecast/advisory",
        extra={
            "base_utc": iso_z(base),
            "storm_class": title.group(1) if title else "",
            "notes": notes,
        },
    )


# --------------------------------------------------------------------- GIS


def _features(data: bytes | str) -> list[Mapping[str, Any]]:
    text = to_text(data, WHAT_GIS)
    doc = load_json(text, WHAT_GIS)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ForecastError(f"not a GeoJSON FeatureCollection: expected {WHAT_GIS}")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise ForecastError(
            f"the FeatureCollection has no features: expected {WHAT_GIS}"
        )
    return features


def gis_layer(features: list[Mapping[str, Any]]) -> str:
    """``pts``, ``pgn``, ``radii``, ``lin`` or ``ww`` from the feature properties."""
    props = features[0].get("properties") or {}
    if "TAU" in props and "MAXWIND" in props:
        return "pts"
    if "RADII" in props and "NE" in props:
        return "radii"
    if "TCWW" in props:
        return "ww"
    geometry_type = (features[0].get("geometry") or {}).get("type")
    if "FCSTPRD" in props and geometry_type in ("Polygon", "MultiPolygon"):
        return "pgn"
    if "FCSTPRD" in props and geometry_type in ("LineString", "MultiLineString"):
        return "lin"
    raise ForecastError(
        f"unknown NHC GIS layer (properties {sorted(props)[:6]}...): expected {WHAT_GIS}"
    )


def looks_like_nhc_gis(doc: Any) -> bool:
    """Whether a parsed GeoJSON document is an NHC GIS layer."""
    try:
        gis_layer(doc["features"])
    except (ForecastError, KeyError, TypeError, IndexError):
        return False
    return True


def _advdate_utc(text: str) -> datetime:
    """``400 AM CDT Sun Aug 29 2021`` → 2021-08-29 09:00 UTC."""
    match = re.match(
        r"^\s*(\d{3,4})\s+(AM|PM)\s+([A-Za-z]+)\s+\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{4})\s*$",
        text,
    )
    if not match:
        raise ForecastError(
            f"ADVDATE {text!r} is not like '400 AM CDT Sun Aug 29 2021'"
        )
    hhmm, ampm, zone, month, day, year = match.groups()
    if zone not in US_ZONES or month.upper() not in MONTHS:
        raise ForecastError(f"ADVDATE {text!r}: unknown time zone or month")
    hhmm = hhmm.zfill(4)
    hour = int(hhmm[:2]) % 12 + (12 if ampm == "PM" else 0)
    local = utc(int(year), MONTHS[month.upper()], int(day), hour, int(hhmm[2:]))
    return local - timedelta(hours=US_ZONES[zone])


def _num(props: Mapping[str, Any], key: str, missing: float = 9999.0) -> float | None:
    value = props.get(key)
    if value is None or value == "":
        return None
    value = float(value)
    return None if value == missing else value


def parse_gis_points(
    data: bytes | str,
    *,
    radii_data: bytes | str | None = None,
    cone_data: bytes | str | None = None,
) -> Forecast:
    """Parse ``5day_pts`` (optionally with ``forecastradii`` and ``5day_pgn``).

    ``VALIDTIME`` is ``DD/HHMM`` UTC; month and year come from ``ADVDATE``.
    """
    features = _features(data)
    if gis_layer(features) != "pts":
        raise ForecastError(
            "expected the 5day_pts layer (properties TAU, MAXWIND, VALIDTIME)"
        )
    first = features[0]["properties"]
    issued = _advdate_utc(str(first.get("ADVDATE", "")))
    base = issued - SYNOPTIC_OFFSET
    radii = parse_gis_radii(radii_data) if radii_data is not None else {}
    points = [_gis_point(f["properties"], issued, base, radii) for f in features]
    points.sort(key=lambda p: p.valid_utc)
    basin = str(first.get("BASIN", "")).upper()
    number = int(float(first.get("STORMNUM", 0)))
    storm_id = f"{basin}{number:02d}{issued.year}"
    name = str(first.get("STORMNAME", "")).split()[-1] if first.get("STORMNAME") else ""
    return Forecast(
        storm_id=storm_id,
        storm_name=name.upper(),
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=1,
        points=unwrap_longitudes(points),
        product=f"NHC GIS advisory {first.get('ADVISNUM', '')}",
        cone_geojson=parse_gis_cone(cone_data) if cone_data is not None else None,
        extra={
            "base_utc": iso_z(base),
            "storm_type": first.get("STORMTYPE"),
            "point_details": [
                {
                    "tau": _num(f["properties"], "TAU"),
                    "dvlbl": f["properties"].get("DVLBL"),
                    "dir_deg": _num(f["properties"], "TCDIR"),
                    "speed_kt": _num(f["properties"], "TCSPD"),
                }
                for f in features
            ],
        },
    )


def _gis_point(
    props: Mapping[str, Any],
    issued: datetime,
    base: datetime,
    radii: Mapping[float, dict[int, Radii]],
) -> TrackPoint:
    tau = _num(props, "TAU")
    if tau is None:
        raise ForecastError("a 5day_pts feature has no TAU")
    lat, lon = _num(props, "LAT"), _num(props, "LON")
    if lat is None or lon is None:
        raise ForecastError(f"the TAU {tau:g} point has no LAT/LON")
    check_lat_lon(lat, lon, f"TAU {tau:g}")
    valid = issued if tau == 0 else _validtime(str(props.get("VALIDTIME", "")), issued)
    expected = base + timedelta(hours=tau)
    if tau and valid != expected:
        raise ForecastError(
            f"TAU {tau:g}: VALIDTIME {props.get('VALIDTIME')} is not synoptic time + TAU"
        )
    point_radii = radii.get(tau, {})
    return TrackPoint(
        valid_utc=valid,
        lead_hours=lead_hours(valid, base),
        lat=lat,
        lon=lon,
        vmax_kt=_num(props, "MAXWIND"),
        gust_kt=_num(props, "GUST"),
        mslp_hpa=_num(props, "MSLP"),
        r34_nm=point_radii.get(34),
        r50_nm=point_radii.get(50),
        r64_nm=point_radii.get(64),
        is_forecast=tau > 0,
    )


def _validtime(text: str, anchor: datetime) -> datetime:
    match = re.fullmatch(r"(\d{2})/(\d{2})(\d{2})", text.strip())
    if not match:
        raise ForecastError(f"VALIDTIME {text!r} is not DD/HHMM")
    return resolve_day_time(
        int(match.group(1)), int(match.group(2)), int(match.group(3)), anchor
    )


def parse_gis_radii(data: bytes | str) -> dict[float, dict[int, Radii]]:
    """``forecastradii`` / ``initialradii`` → {TAU: {34|50|64: Radii}}."""
    features = _features(data)
    if gis_layer(features) != "radii":
        raise ForecastError(
            "expected a forecastradii layer (properties RADII, NE, SE, SW, NW, TAU)"
        )
    out: dict[float, dict[int, Radii]] = {}
    for feature in features:
        props = feature["properties"]
        tau, threshold = _num(props, "TAU"), _num(props, "RADII")
        values = [_num(props, q) for q in ("NE", "SE", "SW", "NW")]
        if tau is None or threshold is None or any(v is None for v in values):
            raise ForecastError(
                f"a radii feature lacks TAU, RADII or a quadrant: {dict(props)}"
            )
        out.setdefault(tau, {})[int(threshold)] = Radii(*values)  # type: ignore[arg-type]
    return out


def parse_gis_cone(data: bytes | str) -> dict[str, Any]:
    """``5day_pgn`` → the cone geometry (GeoJSON dict, lon/lat)."""
    features = _features(data)
    if gis_layer(features) != "pgn":
        raise ForecastError("expected the 5day_pgn cone layer (a polygon with FCSTPRD)")
    geometry = features[0].get("geometry")
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ForecastError("the cone feature has no polygon geometry")
    return dict(geometry)


def parse_gis(data: bytes | str) -> Forecast:
    """Parse a single GIS layer given alone (only ``5day_pts`` is a forecast)."""
    layer = gis_layer(_features(data))
    if layer != "pts":
        raise ForecastError(
            f"the {layer} layer alone holds no track; parse 5day_pts with "
            "parse_gis_points(..., radii_data=..., cone_data=...)"
        )
    return parse_gis_points(data)
