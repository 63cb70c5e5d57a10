"""Small helpers shared by the format parsers."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.storms.model import ForecastError, Radii, TrackPoint

KT_PER_KMH = 1 / 1.852


def to_text(data: bytes | str, what: str) -> str:
    """Decode *data* (UTF-8, UTF-16 with BOM or Windows-1258) and refuse emptiness.

    Parameters
    ----------
    data
        Raw bytes or already decoded text.
    what
        Name of the expected product, used in error messages.
    """
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1258", errors="replace")
    else:
        text = data.lstrip("\ufeff")
    if not text.strip():
        raise ForecastError(f"empty input: expected {what}")
    return text


def looks_like_html(text: str) -> bool:
    """True for an HTML page (an error page or a login wall instead of data)."""
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head


def refuse_html(text: str, what: str) -> None:
    """Raise when *text* is an HTML page rather than *what*."""
    if looks_like_html(text):
        raise ForecastError(f"got an HTML page instead of {what}")


def load_json(text: str, what: str) -> Any:
    """Parse JSON, naming *what* was expected when it is not JSON."""
    refuse_html(text, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ForecastError(
            f"not valid JSON ({exc.msg} at line {exc.lineno}): expected {what}"
        ) from exc


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime, with a ForecastError naming impossible dates."""
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError as exc:
        raise ForecastError(
            f"impossible date {year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}: {exc}"
        ) from exc


def parse_iso_utc(text: str, what: str) -> datetime:
    """ISO time; a time without zone is taken as UTC (GDACS, NHC GIS)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError) as exc:
        raise ForecastError(f"{what}: {text!r} is not an ISO date-time") from exc
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def resolve_day_time(day: int, hour: int, minute: int, anchor: datetime) -> datetime:
    """The date with this day-of-month and time nearest to *anchor*.

    Text products (JTWC, NHC) write ``DDHHMMZ`` and leave month and year
    implicit; the month is the one of *anchor*, the previous or the next,
    whichever puts the time closest to the anchor (so 01/0600Z after 31/1800Z
    falls in the next month).
    """
    candidates = []
    for shift in (-1, 0, 1):
        month_index = anchor.year * 12 + anchor.month - 1 + shift
        year, month = divmod(month_index, 12)
        try:
            candidates.append(datetime(year, month + 1, day, hour, minute, tzinfo=UTC))
        except ValueError:
            continue
    if not candidates:
        raise ForecastError(f"day {day} does not exist near {anchor:%Y-%m}")
    return min(candidates, key=lambda c: abs(c - anchor))


_TENTHS = re.compile(r"^\s*(\d{1,4})\s*([NSEW])\s*$")


def tenths_coordinate(text: str, axis: str) -> float:
    """``198N`` → 19.8, ``1708W`` → -170.8 (ATCF, TCW tenths of degrees)."""
    match = _TENTHS.match(text.upper())
    if not match:
        raise ForecastError(
            f"{axis} {text.strip()!r} is not tenths of degrees like 198N"
        )
    value = int(match.group(1)) / 10
    hemi = match.group(2)
    if (axis == "latitude") != (hemi in "NS"):
        raise ForecastError(f"{axis} {text.strip()!r} has the wrong hemisphere letter")
    return -value if hemi in "SW" else value


def signed_coordinate(number: str, hemi: str) -> float:
    """``21.0`` + ``N`` → 21.0; ``89.1`` + ``W`` → -89.1."""
    value = float(number)
    return -value if hemi.upper() in "SW" else value


def check_lat_lon(lat: float, lon: float, where: str) -> None:
    """Refuse impossible positions with a message naming *where*."""
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ForecastError(f"{where}: latitude {lat} is impossible")
    if not (math.isfinite(lon) and -180 <= lon <= 360):
        raise ForecastError(f"{where}: longitude {lon} is impossible")


def radii_or_none(
    values: Sequence[float | None], vmax_kt: float | None, threshold: int
) -> Radii | None:
    """Quadrant radii (NE, SE, SW, NW), or ``None`` when not analysed.

    All four zero means "no such wind" when the storm is weaker than the
    threshold, but "not analysed" when it is at least that strong.
    """
    if any(v is None for v in values):
        return None
    ne, se, sw, nw = (float(v) for v in values)  # type: ignore[arg-type]
    if ne == se == sw == nw == 0 and vmax_kt is not None and vmax_kt >= threshold:
        return None
    return Radii(ne=ne, se=se, sw=sw, nw=nw)


def unwrap_longitudes(points: Iterable[TrackPoint]) -> tuple[TrackPoint, ...]:
    """Keep a track continuous across the antimeridian.

    When consecutive points jump by more than 180° of longitude, every west
    (negative) longitude is written as ``lon + 360`` (e.g. 170.8W → 189.2), so
    the track and any cone built from it do not wrap around the globe.
    """
    pts = tuple(points)
    crosses = any(abs(b.lon - a.lon) > 180 for a, b in itertools.pairwise(pts))
    if not crosses:
        return pts
    return tuple(replace(p, lon=p.lon + 360) if p.lon < 0 else p for p in pts)


def lead_hours(valid: datetime, base: datetime) -> float:
    """Hours from *base* to *valid* (negative in the past)."""
    return (valid - base) / timedelta(hours=1)


def iso_z(value: datetime) -> str:
    """``2025-07-20T12:00:00Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def blank_float(text: str | None) -> float | None:
    """Float of a CSV cell; blank (``''`` or ``' '``) → ``None``."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    return float(text)
