"""Vietnam NCHMF storm bulletins, entered by hand in a CSV template.

NCHMF publishes no machine-readable feed; an operator copies each bulletin
("Tin bão trên Biển Đông", "Tin bão khẩn cấp", ...) into the CSV made by
:func:`template_csv`, one row per time: the first (earliest) row is the current
position, the others the forecasts. Columns:

``storm_name``, ``storm_number``
    International name and the national number of the year ("bão số 3").
``issued_local``
    Issue time of the bulletin (first row is enough; optional).
``time_local``
    Vietnam local time (ICT, UTC+7): ``13h/20/7/2025``, ``13h30/20/7/2025``,
    ``13 giờ ngày 20/7/2025`` or ISO ``2025-07-20T13:00`` (an explicit offset is
    honoured). A missing year is taken from another row or ``issued_local``.
``lat``, ``lon``
    Degrees, decimal point or decimal comma (``20,5``).
``beaufort_level``, ``gust_level``
    Vietnamese Beaufort level or range (``9-10``); empty or ``<6`` = below 6.
``danger_lat_min``, ``danger_lat_max``, ``danger_lon_min``, ``danger_lon_max``
    The danger zone (sustained wind ≥ level 6 and/or gusts ≥ level 8) as bands;
    an empty side is open and clipped by the East Sea domain 5-23°N, 100-120°E.
``risk_level``, ``note``
    Disaster risk level (1-5) and free text.

Wind averaging period: 2 minutes
--------------------------------
The bulletins do not state it. We take 2 minutes because Vietnam's surface
observations, against which NCHMF verifies its storm intensities, report the
wind as a 2-minute mean (the convention shared with China's CMA), and because
the levels NCHMF gave for WIPHA 2025 match the CMA 2-minute winds better than
JMA's 10-minute ones: at 2025-07-20 06 UTC NCHMF gave level 12 (63.6-71.7 kt)
while IBTrACS has CMA 68 kt (level 12) and JMA 60 kt (level 11); at
2025-07-19 06 UTC NCHMF gave 9-10 (40-55 kt), CMA 54 kt, JMA 50 kt. Treat it as
an informed assumption.

A stated level becomes one wind in knots: the middle of the m/s span of the
level or range (:func:`dashboard.storms.beaufort.representative_kt`); the
range itself is kept in ``extra["point_details"]``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

from dashboard.core.time import VIETNAM_TZ
from dashboard.storms import beaufort
from dashboard.storms.filtering import EAST_SEA_BOX
from dashboard.storms.model import Forecast, ForecastError, TrackPoint
from dashboard.storms.parsers._common import (
    check_lat_lon,
    iso_z,
    lead_hours,
    load_json,
    refuse_html,
    to_text,
)

SOURCE = "NCHMF"
WIND_AVERAGING_MINUTES = 2
COLUMNS = (
    "storm_name",
    "storm_number",
    "issued_local",
    "time_local",
    "lat",
    "lon",
    "beaufort_level",
    "gust_level",
    "danger_lat_min",
    "danger_lat_max",
    "danger_lon_min",
    "danger_lon_max",
    "risk_level",
    "note",
)
REQUIRED = ("time_local", "lat", "lon")
WHAT = "the NCHMF bulletin CSV template (columns " + ", ".join(COLUMNS) + ")"
WHAT_FACTS = "NCHMF bulletin facts JSON (with a 'bulletins' list)"

_VN_TIME = re.compile(
    r"^\s*(?:hồi\s*)?(\d{1,2})\s*(?:h|giờ)\s*(\d{1,2})?\s*(?:phút)?\s*(?:ngày)?\s*/?\s*"
    r"(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{2}|\d{4}))?\s*$",
    re.IGNORECASE,
)
_LEVELS = re.compile(
    r"^\s*(?:cấp\s*)?(\d{1,2})\s*(?:[-–]\s*(\d{1,2}))?\s*$", re.IGNORECASE
)


def template_csv() -> str:
    """The empty template: the header line only."""
    return ",".join(COLUMNS) + "\n"


def write_template(path: str) -> None:
    """Write the empty template to *path* (UTF-8 with BOM, so Excel shows Vietnamese)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(template_csv())


def looks_like_template(text: str) -> bool:
    """Whether the header has the template's key columns."""
    header = text.lstrip("\ufeff").split("\n", 1)[0].lower()
    return "time_local" in header and "beaufort_level" in header


def looks_like_facts(doc: Any) -> bool:
    """Whether a parsed JSON document is the NCHMF facts file."""
    return isinstance(doc, Mapping) and isinstance(doc.get("bulletins"), list)


# ------------------------------------------------------------------ values


def parse_decimal(text: str | None, column: str, where: str) -> float | None:
    """``20,5`` or ``20.5`` → 20.5; empty → ``None``."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip().replace(",", ".").rstrip("°NnEe ").strip()
    try:
        return float(cleaned)
    except ValueError as exc:
        raise ForecastError(f"{where}: {column} {text!r} is not a number") from exc


def parse_levels(text: str | None, column: str, where: str) -> tuple[int, int] | None:
    """``9-10`` → (9, 10); ``12`` → (12, 12); empty or ``<6`` → ``None``."""
    if text is None or not text.strip() or text.strip().startswith("<"):
        return None
    match = _LEVELS.match(text)
    if not match:
        raise ForecastError(
            f"{where}: {column} {text!r} is not a Beaufort level like 9 or 9-10"
        )
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not (0 <= low <= high <= beaufort.ABOVE_17):
        raise ForecastError(
            f"{where}: {column} {text!r} is not a level range within 0-17"
        )
    return low, high


def parse_local_time(
    text: str, where: str, default_year: int | None = None
) -> datetime:
    """Vietnam local time (see the module docstring) → UTC.

    Raises
    ------
    ForecastError
        For unreadable text, impossible dates, or a missing year with no
        *default_year*.
    """
    text = (text or "").strip()
    if not text:
        raise ForecastError(f"{where}: time_local is empty")
    match = _VN_TIME.match(text)
    if match:
        hour, minute, day, month, year = match.groups()
        if year is None:
            if default_year is None:
                raise ForecastError(
                    f"{where}: {text!r} has no year and no other row gives one"
                )
            year_value = default_year
        else:
            year_value = int(year) + (2000 if len(year) == 2 else 0)
        try:
            local = datetime(
                year_value,
                int(month),
                int(day),
                int(hour),
                int(minute or 0),
                tzinfo=VIETNAM_TZ,
            )
        except ValueError as exc:
            raise ForecastError(f"{where}: impossible time {text!r}: {exc}") from exc
        return local.astimezone(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ForecastError(
            f"{where}: time {text!r} is neither like 13h/20/7/2025 nor ISO 2025-07-20T13:00"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM_TZ)
    return value.astimezone(UTC)


def _explicit_year(text: str) -> int | None:
    match = _VN_TIME.match(text or "")
    if match:
        year = match.group(5)
        return None if year is None else int(year) + (2000 if len(year) == 2 else 0)
    match = re.match(r"^\s*(\d{4})-\d{2}-\d{2}", text or "")
    return int(match.group(1)) if match else None


def danger_polygon(
    lat_min: float | None,
    lat_max: float | None,
    lon_min: float | None,
    lon_max: float | None,
    where: str = "danger zone",
) -> dict[str, Any]:
    """The danger-zone bands as a GeoJSON polygon clipped to the East Sea domain."""
    d_lon_min, d_lat_min, d_lon_max, d_lat_max = EAST_SEA_BOX
    for name, value, low, high in (
        ("danger_lat_min", lat_min, -90, 90),
        ("danger_lat_max", lat_max, -90, 90),
        ("danger_lon_min", lon_min, -180, 360),
        ("danger_lon_max", lon_max, -180, 360),
    ):
        if value is not None and not low <= value <= high:
            raise ForecastError(f"{where}: {name} {value} is impossible")
    if lat_min is not None and lat_max is not None and lat_min >= lat_max:
        raise ForecastError(
            f"{where}: danger_lat_min {lat_min} is not below danger_lat_max {lat_max}"
        )
    if lon_min is not None and lon_max is not None and lon_min >= lon_max:
        raise ForecastError(
            f"{where}: danger_lon_min {lon_min} is not below danger_lon_max {lon_max}"
        )
    zone = box(
        d_lon_min if lon_min is None else lon_min,
        d_lat_min if lat_min is None else lat_min,
        d_lon_max if lon_max is None else lon_max,
        d_lat_max if lat_max is None else lat_max,
    ).intersection(box(*EAST_SEA_BOX))
    if zone.is_empty or zone.area == 0:
        raise ForecastError(
            f"{where}: the danger zone lies outside the East Sea domain 5-23N, 100-120E"
        )
    return _plain(mapping(zone))


def _plain(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """A shapely mapping with lists instead of tuples (plain GeoJSON)."""
    return json.loads(json.dumps(geometry))


def _union(zones: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    if not zones:
        return None
    return _plain(mapping(unary_union([shape(z) for z in zones])))


# --------------------------------------------------------------- template


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise ForecastError(f"empty input: expected {WHAT}")
    header = lines[0]
    delimiter = (
        ";"
        if header.count(";") > header.count(",")
        else ("\t" if "\t" in header else ",")
    )
    reader = csv.DictReader(lines, delimiter=delimiter)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ForecastError(f"missing column(s) {', '.join(missing)}: expected {WHAT}")
    unknown = [c for c in columns if c and c not in COLUMNS]
    if unknown:
        raise ForecastError(f"unknown column(s) {', '.join(unknown)}: expected {WHAT}")
    reader.fieldnames = columns
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ForecastError(
                f"row {number}: wrong number of cells for {len(columns)} columns (truncated row?)"
            )
        rows.append({k: (v or "").strip() for k, v in row.items()})
    if not rows:
        raise ForecastError("the template has a header but no rows")
    return columns, rows


def _default_year(rows: Sequence[Mapping[str, str]]) -> int | None:
    for row in rows:
        for column in ("time_local", "issued_local"):
            year = _explicit_year(row.get(column, ""))
            if year is not None:
                return year
    return None


def _first(rows: Sequence[Mapping[str, str]], column: str) -> str:
    return next((r[column] for r in rows if r.get(column)), "")


def _point(
    values: Mapping[str, Any], base: datetime, is_forecast: bool, where: str
) -> TrackPoint:
    sustained, gust = values["sustained"], values["gust"]
    return TrackPoint(
        valid_utc=values["valid"],
        lead_hours=lead_hours(values["valid"], base),
        lat=values["lat"],
        lon=values["lon"],
        vmax_kt=beaufort.representative_kt(*sustained) if sustained else None,
        gust_kt=beaufort.representative_kt(*gust) if gust else None,
        is_forecast=is_forecast,
    )


def _details(values: Mapping[str, Any]) -> dict[str, Any]:
    sustained, gust = values["sustained"], values["gust"]
    out: dict[str, Any] = {
        "valid_utc": iso_z(values["valid"]),
        "beaufort": sustained,
        "gust_beaufort": gust,
    }
    if sustained:
        out["vmax_kt_range"] = (
            beaufort.kt_range(sustained[0])[0],
            beaufort.kt_range(sustained[1])[1],
        )
    out["risk_level"] = values.get("risk_level")
    out["note"] = values.get("note", "")
    return out


def _build(
    entries: list[dict[str, Any]],
    *,
    storm_name: str,
    storm_number: str,
    issued: datetime | None,
    product: str,
    base: datetime | None = None,
) -> Forecast:
    """Entries → forecast; *base* (analysis time) defaults to the earliest entry."""
    entries.sort(key=lambda e: e["valid"])
    times = [e["valid"] for e in entries]
    if len(set(times)) != len(times):
        raise ForecastError("two rows have the same time")
    base = base or entries[0]["valid"]
    points = tuple(
        _point(e, base, is_forecast=e["valid"] > base, where=e["where"])
        for e in entries
    )
    zones = [
        {
            "valid_utc": iso_z(e["valid"]),
            "geometry": e["zone"],
            "bounds": e["zone_bounds"],
        }
        for e in entries
        if e["zone"] is not None
    ]
    season = base.astimezone(VIETNAM_TZ).year
    number = storm_number.strip()
    storm_id = (
        f"VN-{season}-{int(number):02d}"
        if number.isdigit()
        else f"VN-{season}-{storm_name or 'unnamed'}"
    )
    return Forecast(
        storm_id=storm_id,
        storm_name=storm_name.upper(),
        source=SOURCE,
        issued_utc=issued or base,
        wind_averaging_minutes=WIND_AVERAGING_MINUTES,
        points=points,
        product=product,
        cone_geojson=_union([z["geometry"] for z in zones]),
        extra={
            "base_utc": iso_z(base),
            "storm_number": number,
            "danger_zones": zones,
            "point_details": [_details(e) for e in entries],
        },
    )


def _zone(bounds: tuple[float | None, ...], where: str) -> dict[str, Any] | None:
    if all(b is None for b in bounds):
        return None
    return danger_polygon(*bounds, where=f"{where} danger zone")


def parse_template(data: bytes | str) -> Forecast:
    """Parse a filled NCHMF template into one :class:`Forecast`."""
    text = to_text(data, WHAT)
    refuse_html(text, WHAT)
    _, rows = _rows(text)
    year = _default_year(rows)
    entries = []
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        lat = parse_decimal(row.get("lat"), "lat", where)
        lon = parse_decimal(row.get("lon"), "lon", where)
        if lat is None or lon is None:
            raise ForecastError(f"{where}: lat and lon are required")
        check_lat_lon(lat, lon, where)
        bounds = tuple(
            parse_decimal(row.get(c), c, where)
            for c in (
                "danger_lat_min",
                "danger_lat_max",
                "danger_lon_min",
                "danger_lon_max",
            )
        )
        risk = row.get("risk_level", "")
        entries.append(
            {
                "where": where,
                "valid": parse_local_time(row["time_local"], where, year),
                "lat": lat,
                "lon": lon,
                "sustained": parse_levels(
                    row.get("beaufort_level"), "beaufort_level", where
                ),
                "gust": parse_levels(row.get("gust_level"), "gust_level", where),
                "zone": _zone(bounds, where),
                "zone_bounds": bounds,
                "risk_level": int(risk) if risk.isdigit() else None,
                "note": row.get("note", ""),
            }
        )
    issued_text = _first(rows, "issued_local")
    issued = (
        parse_local_time(issued_text, "issued_local", year) if issued_text else None
    )
    return _build(
        entries,
        storm_name=_first(rows, "storm_name"),
        storm_number=_first(rows, "storm_number"),
        issued=issued,
        product="NCHMF bulletin (manual entry)",
    )


# ------------------------------------------------------------------ facts


def _facts_entry(
    item: Mapping[str, Any], time_key: str, where: str
) -> dict[str, Any] | None:
    lat, lon = item.get("lat"), item.get("lon")
    if lat is None or lon is None:
        return None
    check_lat_lon(float(lat), float(lon), where)
    zone = item.get("danger_zone") or None
    bounds = (
        tuple(zone.get(k) for k in ("lat_min", "lat_max", "lon_min", "lon_max"))
        if zone
        else (None,) * 4
    )
    risk = item.get("disaster_risk_level") or {}
    return {
        "where": where,
        "valid": parse_local_time(str(item[time_key]), where),
        "lat": float(lat),
        "lon": float(lon),
        "sustained": parse_levels(
            item.get("beaufort_sustained"), "beaufort_sustained", where
        ),
        "gust": parse_levels(item.get("beaufort_gust"), "beaufort_gust", where),
        "zone": _zone(bounds, where),
        "zone_bounds": bounds,
        "risk_level": risk.get("level") if isinstance(risk, Mapping) else None,
        "note": item.get("location_vi", ""),
    }


def parse_bulletin_facts(data: bytes | str) -> list[Forecast]:
    """The facts JSON (``nchmf_wipha_2025_bulletin_facts.json``): one forecast per bulletin.

    An analysis without a position (a news report quoting only the
    intensity) gives no point; the bulletin then starts at its first forecast.
    """
    doc = load_json(to_text(data, WHAT_FACTS), WHAT_FACTS)
    if not looks_like_facts(doc):
        raise ForecastError(f"no 'bulletins' list: expected {WHAT_FACTS}")
    storm = doc.get("storm") or {}
    number = re.search(r"số\s*(\d+)", str(storm.get("vn_name", "")))
    forecasts = []
    for index, bulletin in enumerate(doc["bulletins"], start=1):
        where = f"bulletin {index}"
        analysis = bulletin.get("analysis") or {}
        entries = []
        if analysis:
            entry = _facts_entry(analysis, "time_local_ict", f"{where} analysis")
            if entry:
                entries.append(entry)
        for j, item in enumerate(bulletin.get("forecasts") or [], start=1):
            entry = _facts_entry(item, "valid_local_ict", f"{where} forecast {j}")
            if entry:
                entries.append(entry)
        if not entries:
            raise ForecastError(f"{where}: no positions")
        issued_text = bulletin.get("issued_local_ict") or analysis.get("time_local_ict")
        base_text = analysis.get("time_local_ict")
        forecast = _build(
            entries,
            storm_name=str(storm.get("international_name", "")),
            storm_number=number.group(1) if number else "",
            issued=parse_local_time(str(issued_text), f"{where} issue time")
            if issued_text
            else None,
            product="NCHMF bulletin facts",
            base=parse_local_time(str(base_text), f"{where} analysis time")
            if base_text
            else None,
        )
        forecast.extra["source_url"] = bulletin.get("source_url")
        forecast.extra["has_analysis_position"] = analysis.get("lat") is not None
        forecasts.append(forecast)
    return forecasts


def _vn_time(value: datetime) -> str:
    local = value.astimezone(VIETNAM_TZ)
    minutes = f"{local.minute:02d}" if local.minute else ""
    return f"{local.hour}h{minutes}/{local.day}/{local.month}/{local.year}"


def _comma(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def facts_to_template(data: bytes | str, bulletin_index: int = 0) -> str:
    """One bulletin of the facts JSON written as a filled template (semicolons,
    decimal commas, ``13h/20/7/2025`` times), as an operator would type it."""
    doc = load_json(to_text(data, WHAT_FACTS), WHAT_FACTS)
    if not looks_like_facts(doc):
        raise ForecastError(f"no 'bulletins' list: expected {WHAT_FACTS}")
    bulletin = doc["bulletins"][bulletin_index]
    storm = doc.get("storm") or {}
    number = re.search(r"số\s*(\d+)", str(storm.get("vn_name", "")))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    items = [bulletin.get("analysis") or {}, *(bulletin.get("forecasts") or [])]
    for i, item in enumerate(items):
        if item.get("lat") is None:
            continue
        time_key = "time_local_ict" if i == 0 else "valid_local_ict"
        zone = item.get("danger_zone") or {}
        risk = item.get("disaster_risk_level") or {}
        issued = bulletin.get("issued_local_ict")
        writer.writerow(
            [
                storm.get("international_name", ""),
                number.group(1) if number else "",
                _vn_time(parse_local_time(issued, "issued"))
                if issued and i == 0
                else "",
                _vn_time(parse_local_time(str(item[time_key]), "time")),
                _comma(item.get("lat")),
                _comma(item.get("lon")),
                item.get("beaufort_sustained") or "",
                item.get("beaufort_gust") or "",
                *(
                    _comma(zone.get(k))
                    for k in ("lat_min", "lat_max", "lon_min", "lon_max")
                ),
                risk.get("level", "") if isinstance(risk, Mapping) else "",
                "",
            ]
        )
    return out.getvalue()


def parse(data: bytes | str) -> list[Forecast]:
    """The template (one forecast) or the facts JSON (one per bulletin)."""
    text = to_text(data, WHAT)
    if text.lstrip().startswith("{"):
        return parse_bulletin_facts(text)
    return [parse_template(text)]
