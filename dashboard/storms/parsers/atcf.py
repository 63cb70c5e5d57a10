"""ATCF a-deck and b-deck records (comma-separated, fixed-width padded).

One record is ``BASIN, CY, YYYYMMDDHH, TECHNUM, TECH, TAU, LatN/S, LonE/W,
VMAX, MSLP, TY, RAD, WINDCODE, RAD1..RAD4, POUTER, ROUTER, RMW, GUSTS, EYE,
SUBREGION, MAXSEAS, INITIALS, DIR, SPEED, STORMNAME, ...``. A time with
several wind thresholds is repeated on one line per ``RAD`` (34/50/64): they
are merged into one :class:`TrackPoint`.

Which records make the forecast
-------------------------------
* Track techs (``BEST`` in b-decks, ``CARQ`` in a-decks) become one track of
  analysed points: every record is placed at ``DTG + TAU`` (negative taus are
  past re-analyses); when two records describe the same time, the one from the
  latest DTG wins, as it holds the most recent knowledge. Lead hours count from
  the latest DTG (all ≤ 0).
* Any other tech (official ``OFCL``/``JTWC``, model aids) gives the forecast
  issued at one DTG (the latest by default): tau 0 is the analysed point,
  positive taus are forecasts, negative taus past.

By default the official forecast is taken when present, else ``BEST``, else
``CARQ``; model aids must be asked for by name. Winds are 1-minute (US
agencies). A radius of 0 in all four quadrants means "no such wind" when the
storm is weaker than the threshold, and "not analysed" otherwise; ``AAA``
(full circle) puts the one radius in every quadrant.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.storms.model import Forecast, ForecastError, Radii, TrackPoint
from dashboard.storms.parsers._common import (
    check_lat_lon,
    iso_z,
    lead_hours,
    radii_or_none,
    refuse_html,
    tenths_coordinate,
    to_text,
    unwrap_longitudes,
    utc,
)

SOURCE = "ATCF"
WHAT = "ATCF a-deck/b-deck records (BASIN, CY, YYYYMMDDHH, TECHNUM, TECH, TAU, LAT, LON, ...)"
OFFICIAL_TECHS = ("OFCL", "JTWC")
TRACK_TECHS = ("BEST", "CARQ")
MIN_FIELDS = 8

_LINE_START = re.compile(r"^\s*[A-Z]{2}\s*,\s*\d{1,2}\s*,\s*\d{10}\s*,")


@dataclass(frozen=True)
class Record:
    """One ATCF line (only the fields the dashboard uses)."""

    basin: str
    cy: str
    dtg: datetime
    tech: str
    tau: int
    lat: float
    lon: float
    vmax: float | None
    mslp: float | None
    ty: str
    rad: int
    windcode: str
    radii: tuple[float, float, float, float]
    poci: float | None
    roci: float | None
    rmw: float | None
    gust: float | None
    direction: float | None
    speed: float | None
    name: str
    line_no: int


def looks_like_atcf(text: str) -> bool:
    """Whether the first non-blank line is an ATCF record."""
    for line in text.splitlines():
        if line.strip():
            return bool(_LINE_START.match(line))
    return False


def _int_or_none(text: str, zero_is_none: bool = True) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    return None if zero_is_none and value == 0 else value


def _field(fields: list[str], index: int) -> str:
    return fields[index].strip() if index < len(fields) else ""


def _dtg(text: str, line_no: int) -> datetime:
    if not re.fullmatch(r"\d{10}", text):
        raise ForecastError(f"line {line_no}: date-time {text!r} is not YYYYMMDDHH")
    return utc(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]))


def parse_record(fields: list[str], line_no: int) -> Record:
    """One ATCF line split on commas → :class:`Record`."""
    if len(fields) < MIN_FIELDS:
        raise ForecastError(
            f"line {line_no}: {len(fields)} columns, an ATCF record needs at least {MIN_FIELDS} "
            "(BASIN, CY, YYYYMMDDHH, TECHNUM, TECH, TAU, LAT, LON)"
        )
    where = f"line {line_no}"
    try:
        tau = int(_field(fields, 5))
        lat = tenths_coordinate(_field(fields, 6), "latitude")
        lon = tenths_coordinate(_field(fields, 7), "longitude")
        rad_text = _field(fields, 11)
        radii = tuple(float(_field(fields, i) or 0) for i in range(13, 17))
        record = Record(
            basin=_field(fields, 0).upper(),
            cy=_field(fields, 1),
            dtg=_dtg(_field(fields, 2), line_no),
            tech=_field(fields, 4).upper(),
            tau=tau,
            lat=lat,
            lon=lon,
            vmax=_int_or_none(_field(fields, 8), zero_is_none=False),
            mslp=_int_or_none(_field(fields, 9)),
            ty=_field(fields, 10),
            rad=int(rad_text) if rad_text else 0,
            windcode=_field(fields, 12).upper(),
            radii=radii,  # type: ignore[arg-type]
            poci=_int_or_none(_field(fields, 17)),
            roci=_int_or_none(_field(fields, 18)),
            rmw=_int_or_none(_field(fields, 19)),
            gust=_int_or_none(_field(fields, 20)),
            direction=_int_or_none(_field(fields, 25)),
            speed=_int_or_none(_field(fields, 26), zero_is_none=False),
            name=_field(fields, 27),
            line_no=line_no,
        )
    except ForecastError as exc:
        raise ForecastError(f"{where}: {exc}") from exc
    except ValueError as exc:
        raise ForecastError(f"{where}: unreadable number ({exc})") from exc
    check_lat_lon(record.lat, record.lon, where)
    if record.rad not in (0, 34, 50, 64):
        raise ForecastError(
            f"{where}: wind threshold RAD={record.rad} is not 34, 50 or 64"
        )
    return record


def read_records(data: bytes | str) -> list[Record]:
    """All records of an a-deck or b-deck (blank lines skipped)."""
    text = to_text(data, WHAT)
    refuse_html(text, WHAT)
    if not looks_like_atcf(text):
        first = next(line for line in text.splitlines() if line.strip())
        raise ForecastError(f"first line {first[:60]!r} is not one of {WHAT}")
    records = []
    for line_no, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not fields or not "".join(fields).strip():
            continue
        records.append(parse_record(fields, line_no))
    return records


def _choose_tech(records: list[Record], tech: str | None) -> str:
    available = sorted({r.tech for r in records})
    if tech is not None:
        if tech.upper() not in available:
            raise ForecastError(
                f"no {tech.upper()} records; the file has {', '.join(available)}"
            )
        return tech.upper()
    for candidate in (*OFFICIAL_TECHS, *TRACK_TECHS):
        if candidate in available:
            return candidate
    raise ForecastError(
        f"no official, BEST or CARQ records (found {', '.join(available)}); pass tech=..."
    )


def _radii_from(records: list[Record], vmax: float | None) -> dict[int, Radii | None]:
    out: dict[int, Radii | None] = {}
    for record in records:
        if record.rad == 0:
            continue
        values = record.radii
        if record.windcode == "AAA":
            values = (values[0],) * 4
        elif record.windcode not in ("NEQ", ""):
            raise ForecastError(
                f"line {record.line_no}: wind code {record.windcode!r} is not NEQ or AAA"
            )
        out[record.rad] = radii_or_none(values, vmax, record.rad)
    return out


def _merge(
    group: list[Record], base: datetime, is_forecast: bool
) -> tuple[TrackPoint, dict[str, object]]:
    """Several RAD lines of one time → one point plus its details."""
    first = group[0]
    valid = first.dtg + timedelta(hours=first.tau)
    for other in group[1:]:
        if (other.lat, other.lon) != (first.lat, first.lon):
            raise ForecastError(
                f"lines {first.line_no} and {other.line_no} give two positions for {iso_z(valid)}"
            )
    radii = _radii_from(group, first.vmax)
    point = TrackPoint(
        valid_utc=valid,
        lead_hours=lead_hours(valid, base),
        lat=first.lat,
        lon=first.lon,
        vmax_kt=first.vmax,
        gust_kt=first.gust,
        mslp_hpa=first.mslp,
        r34_nm=radii.get(34),
        r50_nm=radii.get(50),
        r64_nm=radii.get(64),
        is_forecast=is_forecast,
    )
    details = {
        "valid_utc": iso_z(valid),
        "ty": first.ty,
        "rmw_nm": first.rmw,
        "poci_hpa": first.poci,
        "roci_nm": first.roci,
        "dir_deg": first.direction,
        "speed_kt": first.speed,
        "dtg": iso_z(first.dtg),
        "tau": first.tau,
    }
    return point, details


def _track(records: list[Record]) -> tuple[datetime, list[list[Record]]]:
    """Track techs: one group per valid time, the latest DTG winning."""
    base = max(r.dtg for r in records)
    by_time: dict[datetime, dict[datetime, list[Record]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for record in records:
        by_time[record.dtg + timedelta(hours=record.tau)][record.dtg].append(record)
    groups = [dtgs[max(dtgs)] for _, dtgs in sorted(by_time.items())]
    return base, groups


def _one_dtg(
    records: list[Record], dtg: datetime | None
) -> tuple[datetime, list[list[Record]]]:
    dtgs = sorted({r.dtg for r in records})
    base = dtgs[-1] if dtg is None else dtg
    if base not in dtgs:
        raise ForecastError(
            f"no records at {iso_z(base)}; DTGs present: {', '.join(iso_z(d) for d in dtgs)}"
        )
    by_tau: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        if record.dtg == base:
            by_tau[record.tau].append(record)
    return base, [by_tau[t] for t in sorted(by_tau)]


def parse(
    data: bytes | str,
    *,
    tech: str | None = None,
    dtg: datetime | None = None,
    storm: str | None = None,
) -> Forecast:
    """Parse an a-deck or b-deck into one :class:`Forecast`.

    Parameters
    ----------
    data
        The deck text.
    tech
        ``OFCL``, ``JTWC``, ``BEST``, ``CARQ`` or a model aid; default: the
        official forecast, else ``BEST``, else ``CARQ``.
    dtg
        For forecast techs, the issue time to read (default: the latest).
    storm
        ``WP12`` style basin+number when the file holds several storms.
    """
    records = read_records(data)
    if not records:
        raise ForecastError(f"no records: expected {WHAT}")
    storms = sorted({f"{r.basin}{int(r.cy):02d}" for r in records})
    if storm is None and len(storms) > 1:
        raise ForecastError(
            f"the deck holds several storms ({', '.join(storms)}); pass storm=..."
        )
    wanted = (storm or storms[0]).upper()
    records = [r for r in records if f"{r.basin}{int(r.cy):02d}" == wanted]
    if not records:
        raise ForecastError(
            f"no records for storm {wanted}; the deck has {', '.join(storms)}"
        )
    chosen = _choose_tech(records, tech)
    records = [r for r in records if r.tech == chosen]
    if chosen in TRACK_TECHS:
        base, groups = _track(records)
    else:
        base, groups = _one_dtg(records, dtg)
    points, details = [], []
    for group in groups:
        valid = group[0].dtg + timedelta(hours=group[0].tau)
        point, detail = _merge(group, base, is_forecast=valid > base)
        points.append(point)
        details.append(detail)
    names = [r.name for r in records if r.name and r.name.upper() not in ("INVEST",)]
    year = base.year
    return Forecast(
        storm_id=f"{wanted}{year}",
        storm_name=names[-1] if names else "",
        source=SOURCE,
        issued_utc=base,
        wind_averaging_minutes=1,
        points=unwrap_longitudes(points),
        product=f"ATCF {chosen}",
        extra={"base_utc": iso_z(base), "tech": chosen, "point_details": details},
    )
