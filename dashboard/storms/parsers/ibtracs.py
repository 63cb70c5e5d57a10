"""IBTrACS v04r01 CSV (full 174-column file or a compact column subset).

Line 1 holds the column names, line 2 the units (skipped); a blank value is an
empty cell or a single space. Times (``ISO_TIME``) are UTC.

Winds
-----
``winds="usa"`` (default) takes ``USA_WIND`` (JTWC/NHC, **1-minute**),
``USA_PRES`` and the ``USA_R34/R50/R64_*`` quadrant radii.
``winds="tokyo"`` takes JMA's **10-minute** ``TOKYO_WIND`` (falling back to
``WMO_WIND``) and ``TOKYO_PRES``; JMA publishes a 50-kt radius as longest and
shortest radius with the direction of the longest, which becomes quadrant radii
(the longest in the quadrant(s) the direction points into, the shortest in the
others). JMA's 30-kt radius is not a 34-kt radius, so ``r34_nm`` stays empty
and the 30-kt radii are kept in ``extra["point_details"]``.
``winds="wmo"`` takes the **WMO** intensity (``WMO_WIND``: for the western
North Pacific RSMC Tokyo's 10-minute wind; on the 3-hourly rows, where
``WMO_WIND`` is blank, IBTrACS's interpolated ``TOKYO_WIND``) with the USA
radii, ``USA_RMW`` and ``USA_PRES``. So that one point has one averaging
period, a 10-minute intensity is expressed as its 1-minute equivalent with
the at-sea factor of Harper, Kepert & Ginger (2010, WMO/TD-No. 1555):
1-min = 10-min / 0.93 (:data:`WMO_10MIN_TO_1MIN`); the forecast is then
1-minute like ``"usa"``. Where no WMO or Tokyo wind is given (the depression
stage, when RSMC Tokyo gives none), ``USA_WIND`` is used. Agencies whose
WMO wind is already 1-minute (``WMO_AGENCY`` hurdat_atl, hurdat_epa, cphc)
are not converted. The point's source is in ``extra["point_details"]``
(``wind_source``).

Positions are the combined IBTrACS ``LAT``/``LON`` in both cases.

Drills
------
:func:`ibtracs_as_forecast` turns a past storm into the forecast "issued" at a
chosen clock: rows at or before the clock are past points, later rows are the
"forecast" (a perfect one), and lead hours count from the clock.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from dashboard.core.clock import Clock
from dashboard.storms.model import Forecast, ForecastError, Radii, TrackPoint
from dashboard.storms.parsers._common import (
    blank_float,
    check_lat_lon,
    iso_z,
    lead_hours,
    radii_or_none,
    refuse_html,
    to_text,
    unwrap_longitudes,
    utc,
)

SOURCE = "IBTrACS"
WHAT = "an IBTrACS v04r01 CSV (columns SID, SEASON, NAME, ISO_TIME, LAT, LON, ...)"
REQUIRED = ("SID", "SEASON", "NAME", "ISO_TIME", "LAT", "LON")
WIND_CHOICES = {"usa": 1, "tokyo": 10, "wmo": 1}
"""Wind choice → averaging period (minutes) of the parsed intensities."""
WMO_10MIN_TO_1MIN = 1.0 / 0.93
"""10-minute → 1-minute at sea (Harper, Kepert & Ginger 2010, WMO/TD-No. 1555);
the inverse of ``beaufort.TO_10MIN_FACTOR[1]``."""
ONE_MINUTE_WMO_AGENCIES = frozenset({"hurdat_atl", "hurdat_epa", "cphc"})
"""IBTrACS ``WMO_AGENCY`` values whose ``WMO_WIND`` is a 1-minute wind."""
QUADS = ("NE", "SE", "SW", "NW")
JMA_DIRECTION_QUADRANTS = {
    1: ("ne",),
    2: ("ne", "se"),
    3: ("se",),
    4: ("se", "sw"),
    5: ("sw",),
    6: ("sw", "nw"),
    7: ("nw",),
    8: ("nw", "ne"),
}
"""JMA best-track direction code of the longest radius → quadrants it covers."""

Row = Mapping[str, str]


def looks_like_ibtracs(text: str) -> bool:
    """Whether the header line has the IBTrACS key columns."""
    header = text.lstrip().split("\n", 1)[0]
    return all(col in header for col in ("SID", "ISO_TIME", "LAT", "LON"))


def read_rows(data: bytes | str) -> list[dict[str, str]]:
    """All data rows (the units row dropped), cells stripped."""
    text = to_text(data, WHAT)
    refuse_html(text, WHAT)
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ForecastError(f"missing column(s) {', '.join(missing)}: expected {WHAT}")
    rows = []
    for line_no, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ForecastError(
                f"line {line_no}: {len([v for v in row.values() if v is not None])} cells for "
                f"{len(columns)} columns (truncated or shifted row)"
            )
        cleaned = {k: v.strip() for k, v in row.items()}
        if not cleaned["SID"] and cleaned["SEASON"].lower() == "year":
            continue  # units row
        cleaned["_line"] = str(line_no)
        rows.append(cleaned)
    if not rows:
        raise ForecastError("no data rows after the header and units rows")
    return rows


def storms_in(rows: Sequence[Row]) -> list[tuple[str, str, str]]:
    """(SID, NAME, SEASON) of every storm in *rows*, in file order."""
    seen: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        seen.setdefault(row["SID"], (row["SID"], row["NAME"], row["SEASON"]))
    return list(seen.values())


def select_storm(
    rows: Sequence[Row],
    *,
    sid: str | None = None,
    name: str | None = None,
    season: int | None = None,
) -> list[Row]:
    """Rows of one storm, chosen by SID or by NAME (+ SEASON).

    Raises
    ------
    ForecastError
        When nothing or more than one storm matches; the message lists the
        storms in the file.
    """
    storms = storms_in(rows)
    listing = ", ".join(f"{s} {n} {y}" for s, n, y in storms)
    if sid is not None:
        chosen = [s for s in storms if s[0] == sid]
    elif name is not None:
        chosen = [
            s
            for s in storms
            if s[1].upper() == name.upper() and (season is None or s[2] == str(season))
        ]
    else:
        chosen = storms
    if not chosen:
        raise ForecastError(
            f"no storm matches (sid={sid}, name={name}, season={season}); the file has {listing}"
        )
    if len(chosen) > 1:
        raise ForecastError(
            f"several storms match; choose one by SID or NAME+SEASON: {listing}"
        )
    wanted = chosen[0][0]
    return [r for r in rows if r["SID"] == wanted]


def _time(row: Row) -> datetime:
    text = row["ISO_TIME"]
    try:
        date, clock = text.split(" ")
        y, m, d = (int(x) for x in date.split("-"))
        hh, mm, *_ = (int(x) for x in clock.split(":"))
    except ValueError as exc:
        raise ForecastError(
            f"line {row.get('_line', '?')}: ISO_TIME {text!r} is not 'YYYY-MM-DD HH:MM:SS'"
        ) from exc
    return utc(y, m, d, hh, mm)


def _number(row: Row, column: str) -> float | None:
    try:
        return blank_float(row.get(column))
    except ValueError as exc:
        raise ForecastError(
            f"line {row.get('_line', '?')}: {column}={row.get(column)!r} is not a number"
        ) from exc


def _usa_radii(row: Row, threshold: int, vmax: float | None) -> Radii | None:
    values = [_number(row, f"USA_R{threshold}_{q}") for q in QUADS]
    return radii_or_none(values, vmax, threshold)


def _jma_radii(row: Row, threshold: int) -> Radii | None:
    direction = _number(row, f"TOKYO_R{threshold}_DIR")
    long_ = _number(row, f"TOKYO_R{threshold}_LONG")
    short = _number(row, f"TOKYO_R{threshold}_SHORT")
    if direction is None:
        return None
    code = int(direction)
    if code == 0:
        return Radii(0, 0, 0, 0)
    if long_ is None:
        return None
    if code == 9:
        return Radii(long_, long_, long_, long_)
    quads = JMA_DIRECTION_QUADRANTS.get(code)
    if quads is None:
        raise ForecastError(
            f"line {row.get('_line', '?')}: TOKYO_R{threshold}_DIR={code} is not a JMA direction code"
        )
    short_value = short if short is not None else long_
    return Radii(
        **{q: (long_ if q in quads else short_value) for q in ("ne", "se", "sw", "nw")}
    )


def _details(row: Row, winds: str = "usa") -> dict[str, object]:
    keys = {
        "nature": "NATURE",
        "track_type": "TRACK_TYPE",
        "usa_status": "USA_STATUS",
        "iflag": "IFLAG",
    }
    numbers = {
        "rmw_nm": "USA_RMW",
        "poci_hpa": "USA_POCI",
        "roci_nm": "USA_ROCI",
        "dist2land_km": "DIST2LAND",
        "landfall_km": "LANDFALL",
        "storm_speed_kt": "STORM_SPEED",
        "storm_dir_deg": "STORM_DIR",
        "tokyo_wind_kt": "TOKYO_WIND",
        "usa_wind_kt": "USA_WIND",
        "cma_wind_kt": "CMA_WIND",
        "jma_r30_dir": "TOKYO_R30_DIR",
        "jma_r30_long_nm": "TOKYO_R30_LONG",
        "jma_r30_short_nm": "TOKYO_R30_SHORT",
    }
    out: dict[str, object] = {"valid_utc": iso_z(_time(row))}
    out |= {k: row.get(col, "") for k, col in keys.items() if col in row}
    out |= {k: _number(row, col) for k, col in numbers.items() if col in row}
    if winds == "wmo":
        out["wmo_wind_kt"] = _number(row, "WMO_WIND")
        out["wind_source"] = wmo_wind_1min(row)[1]
    return out


def wmo_wind_1min(row: Row) -> tuple[float | None, str]:
    """The row's WMO intensity as a 1-minute wind (kt) and where it came from.

    ``WMO_WIND`` (10-minute unless ``WMO_AGENCY`` is a 1-minute agency), else
    ``TOKYO_WIND`` (10-minute; IBTrACS interpolates it on 3-hourly rows), else
    ``USA_WIND`` (1-minute); 10-minute winds × :data:`WMO_10MIN_TO_1MIN`.
    """
    wmo = _number(row, "WMO_WIND")
    if wmo is not None:
        if row.get("WMO_AGENCY", "") in ONE_MINUTE_WMO_AGENCIES:
            return wmo, "WMO_WIND (1-min)"
        return wmo * WMO_10MIN_TO_1MIN, "WMO_WIND (10-min / 0.93)"
    tokyo = _number(row, "TOKYO_WIND")
    if tokyo is not None:
        return tokyo * WMO_10MIN_TO_1MIN, "TOKYO_WIND (10-min / 0.93)"
    usa = _number(row, "USA_WIND")
    return usa, "USA_WIND (1-min)" if usa is not None else ""


def row_to_point(row: Row, clock: Clock, winds: str = "usa") -> TrackPoint:
    """One IBTrACS row → a point whose lead time counts from *clock*."""
    valid = _time(row)
    lat, lon = _number(row, "LAT"), _number(row, "LON")
    where = f"line {row.get('_line', '?')} ({row['ISO_TIME']})"
    if lat is None or lon is None:
        raise ForecastError(f"{where}: LAT/LON is blank")
    check_lat_lon(lat, lon, where)
    if winds in ("usa", "wmo"):
        vmax, pres = _number(row, "USA_WIND"), _number(row, "USA_PRES")
        radii = {t: _usa_radii(row, t, vmax) for t in (34, 50, 64)}
        if winds == "wmo":
            vmax = wmo_wind_1min(row)[0]
        gust = _number(row, "USA_GUST")
        rmw = _number(row, "USA_RMW")
    else:
        vmax = _number(row, "TOKYO_WIND")
        if vmax is None:
            vmax = _number(row, "WMO_WIND")
        pres = _number(row, "TOKYO_PRES") or _number(row, "WMO_PRES")
        radii = {34: None, 50: _jma_radii(row, 50), 64: None}
        gust = None
        rmw = None
    return TrackPoint(
        valid_utc=valid,
        lead_hours=lead_hours(valid, clock),
        lat=lat,
        lon=lon,
        vmax_kt=vmax,
        gust_kt=gust,
        mslp_hpa=pres,
        r34_nm=radii[34],
        r50_nm=radii[50],
        r64_nm=radii[64],
        is_forecast=valid > clock,
        rmw_nm=rmw if rmw and rmw > 0 else None,
    )


def _check_winds(winds: str) -> None:
    if winds not in WIND_CHOICES:
        raise ValueError(f"winds must be one of {sorted(WIND_CHOICES)}, not {winds!r}")


def ibtracs_as_forecast(
    rows: Sequence[Row],
    clock: Clock,
    *,
    winds: str = "usa",
    horizon_hours: float | None = None,
    synoptic_only: bool = False,
) -> Forecast:
    """A past storm as the forecast "issued" at *clock* (for drills).

    Parameters
    ----------
    rows
        Rows of one storm (:func:`select_storm`).
    clock
        The drill clock: points at or before it are past, later ones forecast.
    winds
        ``"usa"`` (1-minute, default), ``"tokyo"`` (JMA 10-minute) or
        ``"wmo"`` (WMO intensity as 1-minute, USA radii; see the module docstring).
    horizon_hours
        Drop points more than this many hours after the clock (e.g. 120).
    synoptic_only
        Keep only 00/06/12/18 UTC rows (drop IBTrACS 3-hourly interpolations).
    """
    _check_winds(winds)
    if clock.tzinfo is None:
        raise ForecastError("the drill clock must be timezone-aware UTC")
    if not rows:
        raise ForecastError("no rows for the storm")
    sids = {r["SID"] for r in rows}
    if len(sids) > 1:
        raise ForecastError(
            f"rows of several storms ({', '.join(sorted(sids))}); select one first"
        )
    kept = []
    for row in rows:
        valid = _time(row)
        if synoptic_only and (valid.hour % 6 or valid.minute):
            continue
        if horizon_hours is not None and valid - clock > timedelta(hours=horizon_hours):
            continue
        kept.append(row)
    kept.sort(key=_time)
    if not kept:
        raise ForecastError("no rows left within the horizon")
    if _time(kept[0]) > clock:
        raise ForecastError(f"the storm starts after the clock {iso_z(clock)}")
    points = [row_to_point(r, clock, winds) for r in kept]
    first = kept[0]
    return Forecast(
        storm_id=first["SID"],
        storm_name=first["NAME"],
        source=SOURCE,
        issued_utc=clock,
        wind_averaging_minutes=WIND_CHOICES[winds],
        points=unwrap_longitudes(points),
        product=f"IBTrACS v04r01 ({winds} winds) as of {iso_z(clock)}",
        extra={
            "base_utc": iso_z(clock),
            "season": first["SEASON"],
            "atcf_id": first.get("USA_ATCF_ID", ""),
            "winds": winds,
            "point_details": [_details(r, winds) for r in kept],
        },
    )


def parse(
    data: bytes | str,
    *,
    sid: str | None = None,
    name: str | None = None,
    season: int | None = None,
    winds: str = "usa",
    clock: Clock | None = None,
    horizon_hours: float | None = None,
    synoptic_only: bool = False,
) -> Forecast:
    """Parse an IBTrACS CSV into the track of one storm.

    Without *clock* the whole track is past and "issued" at its last row;
    with it, see :func:`ibtracs_as_forecast`.
    """
    _check_winds(winds)
    rows = select_storm(read_rows(data), sid=sid, name=name, season=season)
    clock = clock or max(_time(r) for r in rows)
    return ibtracs_as_forecast(
        rows,
        clock,
        winds=winds,
        horizon_hours=horizon_hours,
        synoptic_only=synoptic_only,
    )


def parse_all(data: bytes | str, *, winds: str = "usa") -> list[Forecast]:
    """Every storm of the file as its own past track."""
    rows = read_rows(data)
    return [
        parse_rows(select_storm(rows, sid=sid), winds=winds)
        for sid, _, _ in storms_in(rows)
    ]


def parse_rows(rows: Sequence[Row], *, winds: str = "usa") -> Forecast:
    """Rows of one storm as its whole past track."""
    return ibtracs_as_forecast(rows, max(_time(r) for r in rows), winds=winds)
