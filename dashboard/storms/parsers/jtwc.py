"""JTWC warnings: the warning text (``WTPN3x PGTW``), the TCW file (``WTPN5x``)
and the satellite fix bulletin (``TPPN1x``).

Winds are 1-minute means (the warning says ``MAX SUSTAINED WINDS BASED ON
ONE-MINUTE AVERAGE``), radii are nmi, quadrant maxima.

Month and year
--------------
The warning text writes times as ``DDHHMMZ``; month and year are implicit.
They are taken, in this order, from:

1. the TCW valid time line (``2026082112 18W EIGHTEEN ...``), for TCW files;
2. the date in the remarks (``21AUG26.``), which JTWC writes for the current
   position;
3. a ``YYYYMMDDHH`` stamp in the file name hint (``wp1826fix_2026082120.txt``);
4. the ``reference_utc`` argument (for example the time the file was fetched).

Every ``DDHHMMZ`` is then placed in the month that puts it closest to that
anchor, so a forecast for the 1st after a warning of the 31st lands in the next
month. Without any anchor the parser refuses the text instead of guessing.

Lead times count from the warning position time (the synoptic time, tau 0);
``issued_utc`` is the transmission time in the heading (3 h later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dashboard.storms.model import Forecast, ForecastError, Radii, TrackPoint
from dashboard.storms.parsers._common import (
    check_lat_lon,
    iso_z,
    lead_hours,
    refuse_html,
    resolve_day_time,
    signed_coordinate,
    tenths_coordinate,
    to_text,
    unwrap_longitudes,
    utc,
)

SOURCE = "JTWC"
WHAT_TEXT = "a JTWC warning (WTPN3x PGTW text with WARNING POSITION)"
WHAT_TCW = "a JTWC TCW file (WTPN5x PGTW with T000 lines)"
WHAT_FIX = "a JTWC satellite fix bulletin (TPPN1x PGTW)"

MONTHS = {
    m: i + 1
    for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())
}
QUADRANT_WORDS = {
    ("NORTHEAST", "QUADRANT"): ("ne",),
    ("SOUTHEAST", "QUADRANT"): ("se",),
    ("SOUTHWEST", "QUADRANT"): ("sw",),
    ("NORTHWEST", "QUADRANT"): ("nw",),
    ("NORTH", "SEMICIRCLE"): ("ne", "nw"),
    ("SOUTH", "SEMICIRCLE"): ("se", "sw"),
    ("EAST", "SEMICIRCLE"): ("ne", "se"),
    ("WEST", "SEMICIRCLE"): ("sw", "nw"),
}
DVORAK_CI_KT = {
    1.0: 25, 1.5: 25, 2.0: 30, 2.5: 35, 3.0: 45, 3.5: 55, 4.0: 65, 4.5: 77,
    5.0: 90, 5.5: 102, 6.0: 115, 6.5: 127, 7.0: 140, 7.5: 155, 8.0: 170,
}  # fmt: skip
"""Dvorak current-intensity number → 1-minute maximum wind (kt), Dvorak (1984)."""

_HEADING = re.compile(
    r"\b(W[TH][A-Z]{2}\d{2}|TP[A-Z]{2}\d{2})\s+PGTW\s+(\d{2})(\d{2})(\d{2})\b"
)
_SUBJECT = re.compile(
    r"(SUPER TYPHOON|TYPHOON|TROPICAL STORM|TROPICAL DEPRESSION|TROPICAL CYCLONE|"
    r"SUBTROPICAL STORM|HURRICANE|CYCLONE)\s+(\w+)\s+\(([^)]*)\)\s+WARNING\s+NR\s+(\d+)"
)
_POSITION = re.compile(
    r"(\d{2})(\d{2})(\d{2})Z\s*---\s*(?:NEAR\s+)?(\d{1,2}\.\d)\s*([NS])\s+(\d{1,3}\.\d)\s*([EW])"
)
_TAU = re.compile(r"^\s*(\d{1,3})\s+HRS?,\s+VALID AT:", re.M)
_WINDS = re.compile(
    r"MAX SUSTAINED WINDS\s*-\s*(\d{1,3})\s*KT(?:,\s*GUSTS\s+(\d{1,3})\s*KT)?"
)
_RADIUS_HEAD = re.compile(r"RADIUS OF\s+(\d{3})\s+KT WINDS\s*-\s*(.*)$")
_RADIUS_PART = re.compile(r"^\s*(\d{1,4})\s+NM\s+([A-Z]+)\s+(QUADRANT|SEMICIRCLE)\s*$")
_REMARK_DATE = re.compile(
    r"\b(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{2})\."
)
_STAMP = re.compile(r"(20\d{2})(\d{2})(\d{2})(\d{2})")
_MSLP = re.compile(
    r"MINIMUM CENTRAL PRESSURE AT\s+(\d{2})(\d{2})(\d{2})Z\s+IS\s+(\d{3,4})\s+MB"
)
_CURRENT = re.compile(
    r"(\d{2})(\d{2})(\d{2})Z POSITION NEAR\s+(\d{1,2}\.\d)([NS])\s+(\d{1,3}\.\d)([EW])"
)
_MOVEMENT = re.compile(
    r"MOVEMENT PAST SIX HOURS\s*-\s*(\d{3})\s+DEGREES AT\s+(\d+)\s+KTS"
)
_NOTES = re.compile(
    r"(DISSIPATING[^\n]*|DISSIPATED[^\n]*|BECOMING EXTRATROPICAL[^\n]*|"
    r"EXTRATROPICAL[^\n]*|OVER LAND[^\n]*)"
)

_TCW_DTG = re.compile(
    r"^(\d{10})\s+(\d{2}[A-Z])\s+(\S+)\s+(\d{3})\s+(\d{2})\s+(\d{3})\s+(\d{2})\b(.*)$",
    re.M,
)
_TCW_TAU = re.compile(
    r"^T(\d{3})\s+(\d{3,4}[NS])\s+(\d{4,5}[EW])\s+(\d{3})\b(.*)$", re.M
)
_TCW_RAD = re.compile(r"R(\d{3})((?:\s+\d{3}\s+[NS][EW]\s+QD)+)")
_TCW_QUAD = re.compile(r"(\d{3})\s+([NS][EW])\s+QD")
_TCW_HISTORY = re.compile(
    r"^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\s+(\d{3,4}[NS])\s*(\d{4,5}[EW])\s+(\d{1,3})\s*$",
    re.M,
)


@dataclass
class _Block:
    """One position block of the warning text (tau 0 or a forecast)."""

    tau: int
    valid: datetime
    lat: float
    lon: float
    vmax: float | None = None
    gust: float | None = None
    radii: dict[int, Radii] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_warning_text(text: str) -> bool:
    """Whether *text* looks like a JTWC warning text (not the TCW)."""
    return "WARNING POSITION" in text or bool(
        re.search(r"\bWT[A-Z]{2}3\d\s+PGTW\b", text)
    )


def is_tcw(text: str) -> bool:
    """Whether *text* looks like a JTWC TCW file."""
    return bool(re.search(r"\bWT[A-Z]{2}5\d\s+PGTW\b", text)) or bool(
        re.search(r"^T000\s+\d{3,4}[NS]", text, re.M)
    )


def is_fix(text: str) -> bool:
    """Whether *text* looks like a JTWC satellite fix bulletin."""
    return bool(re.search(r"\bTP[A-Z]{2}1\d\s+PGTW\b", text))


def _anchor(text: str, name_hint: str, reference_utc: datetime | None) -> datetime:
    """Month/year anchor for ``DDHHMMZ`` times (see the module docstring)."""
    match = _REMARK_DATE.search(text)
    if match:
        day, month, yy = (
            int(match.group(1)),
            MONTHS[match.group(2)],
            int(match.group(3)),
        )
        return utc(2000 + yy, month, day, 12)
    match = _STAMP.search(name_hint)
    if match:
        y, m, d, h = (int(g) for g in match.groups())
        return utc(y, m, d, h)
    if reference_utc is not None:
        return reference_utc
    raise ForecastError(
        "cannot tell the month and year of the warning: no 'DDMMMYY.' date in the "
        "remarks and no YYYYMMDDHH in the file name; pass reference_utc"
    )


def _position(
    match: re.Match[str], anchor: datetime, where: str
) -> tuple[datetime, float, float]:
    day, hour, minute = (int(match.group(i)) for i in (1, 2, 3))
    valid = resolve_day_time(day, hour, minute, anchor)
    lat = signed_coordinate(match.group(4), match.group(5))
    lon = signed_coordinate(match.group(6), match.group(7))
    check_lat_lon(lat, lon, where)
    return valid, lat, lon


def _radii_blocks(lines: list[str], where: str) -> dict[int, Radii]:
    """``RADIUS OF 034 KT WINDS - 040 NM NORTHEAST QUADRANT`` + continuation lines."""
    found: dict[int, Radii] = {}
    i = 0
    while i < len(lines):
        head = _RADIUS_HEAD.search(lines[i])
        if not head:
            i += 1
            continue
        threshold = int(head.group(1))
        parts = [head.group(2)]
        i += 1
        while i < len(lines) and _RADIUS_PART.match(lines[i]):
            parts.append(lines[i])
            i += 1
        found[threshold] = _quadrants(parts, threshold, where)
    return found


def _quadrants(parts: list[str], threshold: int, where: str) -> Radii:
    values: dict[str, float] = {}
    for part in parts:
        match = _RADIUS_PART.match(part)
        if not match:
            raise ForecastError(
                f"{where}: unreadable radius of {threshold} kt winds: {part.strip()!r}"
            )
        quads = QUADRANT_WORDS.get((match.group(2), match.group(3)))
        if quads is None:
            raise ForecastError(
                f"{where}: unknown quadrant {match.group(2)} {match.group(3)}"
            )
        for q in quads:
            values[q] = float(match.group(1))
    if len(values) != 4:
        raise ForecastError(
            f"{where}: radius of {threshold} kt winds lists {len(values)} of 4 quadrants"
        )
    return Radii(**values)


def _split_blocks(text: str) -> list[str]:
    """Position blocks between ``WARNING POSITION:`` and ``REMARKS:``."""
    start = text.find("WARNING POSITION")
    if start < 0:
        raise ForecastError(
            "no WARNING POSITION block: the warning text is truncated or not "
            + WHAT_TEXT
        )
    end = text.find("REMARKS:", start)
    body = text[start:] if end < 0 else text[start:end]
    return [b for b in re.split(r"^\s*-{3,}\s*$", body, flags=re.M) if b.strip()]


def _parse_block(chunk: str, anchor: datetime, base: datetime | None) -> _Block | None:
    tau_match = _TAU.search(chunk)
    pos = _POSITION.search(chunk)
    if pos is None:
        if tau_match:
            raise ForecastError(
                f"forecast block '{tau_match.group(1)} HRS' has no position line "
                "(truncated warning?)"
            )
        return None
    tau = int(tau_match.group(1)) if tau_match else 0
    where = f"{tau} h position"
    valid, lat, lon = _position(pos, anchor, where)
    if base is not None and tau_match and valid != base + timedelta(hours=tau):
        raise ForecastError(
            f"{where}: valid time {iso_z(valid)} is not {tau} h after the warning position"
        )
    block = _Block(tau=tau, valid=valid, lat=lat, lon=lon)
    winds = _WINDS.search(chunk)
    if winds:
        block.vmax = float(winds.group(1))
        block.gust = float(winds.group(2)) if winds.group(2) else None
    block.radii = _radii_blocks(chunk.splitlines(), where)
    block.notes = [n.strip() for n in _NOTES.findall(chunk) if "VALID OVER" not in n]
    return block


def _text_blocks(text: str, anchor: datetime) -> list[_Block]:
    blocks: list[_Block] = []
    for chunk in _split_blocks(text):
        base = blocks[0].valid if blocks else None
        block = _parse_block(chunk, anchor, base)
        if block is not None:
            blocks.append(block)
    if not blocks:
        raise ForecastError(
            "the WARNING POSITION block has no position line like '211200Z --- NEAR 20.8N 108.8E'"
        )
    return blocks


def _heading_time(text: str, anchor: datetime) -> datetime | None:
    match = _HEADING.search(text)
    if not match:
        return None
    day, hour, minute = (int(match.group(i)) for i in (2, 3, 4))
    return resolve_day_time(day, hour, minute, anchor)


def _subject(text: str) -> tuple[str, str, str, int | None]:
    """(storm class, id such as 18W, name, warning number)."""
    match = _SUBJECT.search(text)
    if not match:
        return "", "", "", None
    return match.group(1), match.group(2), match.group(3).strip(), int(match.group(4))


def _averaging(text: str) -> int:
    if "TEN-MINUTE AVERAGE" in text or "10-MINUTE AVERAGE" in text:
        return 10
    return 1


def _mslp(text: str, anchor: datetime) -> tuple[datetime, float] | None:
    match = _MSLP.search(text)
    if not match:
        return None
    day, hour, minute = (int(match.group(i)) for i in (1, 2, 3))
    return resolve_day_time(day, hour, minute, anchor), float(match.group(4))


def _text_extra(text: str, anchor: datetime) -> dict[str, object]:
    extra: dict[str, object] = {}
    current = _CURRENT.search(text)
    if current:
        valid, lat, lon = _position(current, anchor, "remarks position")
        extra["current_position"] = {"valid_utc": iso_z(valid), "lat": lat, "lon": lon}
    movement = _MOVEMENT.search(text)
    if movement:
        extra["movement_deg"] = int(movement.group(1))
        extra["movement_kt"] = int(movement.group(2))
    accuracy = re.search(r"POSITION ACCURATE TO WITHIN\s+(\d+)\s+NM", text)
    if accuracy:
        extra["position_accuracy_nm"] = int(accuracy.group(1))
    return extra


def _blocks_to_points(
    blocks: list[_Block], base: datetime, mslp: tuple[datetime, float] | None
) -> list[TrackPoint]:
    points = []
    for block in blocks:
        pressure = mslp[1] if mslp and mslp[0] == block.valid else None
        points.append(
            TrackPoint(
                valid_utc=block.valid,
                lead_hours=lead_hours(block.valid, base),
                lat=block.lat,
                lon=block.lon,
                vmax_kt=block.vmax,
                gust_kt=block.gust,
                mslp_hpa=pressure,
                r34_nm=block.radii.get(34),
                r50_nm=block.radii.get(50),
                r64_nm=block.radii.get(64),
                is_forecast=block.tau > 0,
            )
        )
    return points


def parse_warning_text(
    data: bytes | str, *, name_hint: str = "", reference_utc: datetime | None = None
) -> Forecast:
    """Parse a JTWC warning text (``wpNNYYweb.txt``, heading ``WTPN3x PGTW``).

    Parameters
    ----------
    data
        The text.
    name_hint
        File name; a ``YYYYMMDDHH`` in it can anchor month and year.
    reference_utc
        Last-resort anchor for month and year (see the module docstring).
    """
    text = to_text(data, WHAT_TEXT).upper()
    refuse_html(text.lower(), WHAT_TEXT)
    if not is_warning_text(text):
        raise ForecastError(f"not {WHAT_TEXT}")
    _split_blocks(text)  # refuse a truncated text before asking for a date
    anchor = _anchor(text, name_hint, reference_utc)
    blocks = _text_blocks(text, anchor)
    base = blocks[0].valid
    storm_class, storm_id, name, number = _subject(text)
    points = _blocks_to_points(blocks, base, _mslp(text, anchor))
    issued = _heading_time(text, base) or base
    extra = _text_extra(text, anchor) | {
        "base_utc": iso_z(base),
        "storm_class": storm_class,
        "warning_number": number,
        "notes": {iso_z(b.valid): b.notes for b in blocks if b.notes},
        "month_year_from": _anchor_source(text, name_hint),
    }
    return Forecast(
        storm_id=storm_id or "unknown",
        storm_name=name,
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=_averaging(text),
        points=unwrap_longitudes(points),
        product=f"JTWC warning {number:03d}" if number is not None else "JTWC warning",
        extra=extra,
    )


def _anchor_source(text: str, name_hint: str) -> str:
    if _REMARK_DATE.search(text):
        return "remarks date"
    if _STAMP.search(name_hint):
        return "file name"
    return "reference_utc"


def _tcw_radii(rest: str, where: str) -> dict[int, Radii]:
    radii: dict[int, Radii] = {}
    for match in _TCW_RAD.finditer(rest):
        threshold = int(match.group(1))
        quads = {q.lower(): float(v) for v, q in _TCW_QUAD.findall(match.group(2))}
        if len(quads) != 4:
            raise ForecastError(
                f"{where}: R{threshold:03d} lists {len(quads)} of 4 quadrants"
            )
        radii[threshold] = Radii(**quads)
    leftover = _TCW_RAD.sub("", rest).strip()
    if leftover.startswith("R0"):
        raise ForecastError(f"{where}: unreadable radii {leftover!r}")
    return radii


def _tcw_history(text: str, base: datetime) -> list[TrackPoint]:
    """Best-track history lines ``1826082118 210N1088E  35`` before tau 0."""
    points = []
    for match in _TCW_HISTORY.finditer(text):
        _, yy, mm, dd, hh = (int(match.group(i)) for i in range(1, 6))
        valid = utc(2000 + yy, mm, dd, hh)
        if valid >= base:
            continue
        lat = tenths_coordinate(match.group(6), "latitude")
        lon = tenths_coordinate(match.group(7), "longitude")
        check_lat_lon(lat, lon, f"history {iso_z(valid)}")
        points.append(
            TrackPoint(
                valid_utc=valid,
                lead_hours=lead_hours(valid, base),
                lat=lat,
                lon=lon,
                vmax_kt=float(match.group(8)),
                is_forecast=False,
            )
        )
    return points


def parse_tcw(data: bytes | str, *, name_hint: str = "") -> Forecast:
    """Parse a JTWC TCW file (``wpNNYY.tcw``): tau lines, history and gusts.

    Positions, winds and radii come from the fixed-column ``Tnnn`` lines;
    gusts and the central pressure from the warning text embedded after
    ``AMP``; the best-track history lines become past points.
    """
    text = to_text(data, WHAT_TCW).upper()
    refuse_html(text.lower(), WHAT_TCW)
    dtg = _TCW_DTG.search(text)
    if not dtg:
        raise ForecastError(
            "no valid-time line like '2026082112 18W EIGHTEEN   004 ...': not "
            + WHAT_TCW
        )
    stamp = dtg.group(1)
    base = utc(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[8:10]))
    taus = list(_TCW_TAU.finditer(text))
    if not taus or int(taus[0].group(1)) != 0:
        raise ForecastError(
            "no T000 line: the TCW file is truncated or not " + WHAT_TCW
        )
    embedded = _embedded_blocks(text, base)
    mslp = _mslp(text, base)
    points = _tcw_history(text, base)
    for match in taus:
        tau = int(match.group(1))
        valid = base + timedelta(hours=tau)
        where = f"T{tau:03d}"
        lat = tenths_coordinate(match.group(2), "latitude")
        lon = tenths_coordinate(match.group(3), "longitude")
        check_lat_lon(lat, lon, where)
        vmax = float(match.group(4))
        radii = _tcw_radii(match.group(5), where)
        block = embedded.get(valid)
        points.append(
            TrackPoint(
                valid_utc=valid,
                lead_hours=float(tau),
                lat=lat,
                lon=lon,
                vmax_kt=vmax,
                gust_kt=block.gust if block else None,
                mslp_hpa=mslp[1] if mslp and mslp[0] == valid else None,
                r34_nm=radii.get(34),
                r50_nm=radii.get(50),
                r64_nm=radii.get(64),
                is_forecast=tau > 0,
            )
        )
    storm_class, _, _, _ = _subject(text)
    number = int(dtg.group(4))
    created = re.search(r"^WARNING\s+ATCG\s+\S+\s+\S+\s+\S+\s+(\d{12})", text, re.M)
    issued = _heading_time(text, base) or base
    extra = _text_extra(text, base) | {
        "base_utc": iso_z(base),
        "storm_class": storm_class,
        "warning_number": number,
        "active_storms": int(dtg.group(5)),
        "movement_deg": int(dtg.group(6)),
        "movement_kt": int(dtg.group(7)),
        "created": created.group(1) if created else None,
        "amp": _amp(text),
        "month_year_from": "TCW valid time line",
    }
    return Forecast(
        storm_id=dtg.group(2),
        storm_name=dtg.group(3),
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=1,
        points=unwrap_longitudes(points),
        product=f"JTWC TCW {number:03d}",
        extra=extra,
    )


def _embedded_blocks(text: str, base: datetime) -> dict[datetime, _Block]:
    if "WARNING POSITION" not in text:
        return {}
    return {b.valid: b for b in _text_blocks(text, base)}


def _amp(text: str) -> list[str]:
    match = re.search(r"^AMP\s*$(.*?)^SUBJ", text, re.M | re.S)
    if not match:
        return []
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def parse_fix(
    data: bytes | str, *, name_hint: str = "", reference_utc: datetime | None = None
) -> Forecast:
    """Parse a JTWC satellite fix (``TPPN11 PGTW``) into one analysed point.

    The Dvorak current-intensity number (second value of ``T2.0/2.0/...``)
    gives a 1-minute wind by the Dvorak table; the fix carries no forecast.
    Month and year come from the file name hint or *reference_utc*.
    """
    text = to_text(data, WHAT_FIX).upper()
    refuse_html(text.lower(), WHAT_FIX)
    if not is_fix(text):
        raise ForecastError(f"not {WHAT_FIX}")
    anchor = _anchor(text, name_hint, reference_utc)
    when = re.search(r"^\s*B\.\s*(\d{2})/(\d{2})(\d{2})Z", text, re.M)
    lat = re.search(r"^\s*C\.\s*(\d{1,2}\.\d+)([NS])", text, re.M)
    lon = re.search(r"^\s*D\.\s*(\d{1,3}\.\d+)([EW])", text, re.M)
    if not (when and lat and lon):
        raise ForecastError(
            "fix bulletin lacks its B (time), C (latitude) or D (longitude) line"
        )
    valid = resolve_day_time(
        int(when.group(1)), int(when.group(2)), int(when.group(3)), anchor
    )
    lat_v = signed_coordinate(lat.group(1), lat.group(2))
    lon_v = signed_coordinate(lon.group(1), lon.group(2))
    check_lat_lon(lat_v, lon_v, "fix position")
    dvorak = re.search(r"^\s*F\.\s*T(\d\.\d)/(\d\.\d)", text, re.M)
    ci = float(dvorak.group(2)) if dvorak else None
    storm = re.search(r"^\s*A\.\s*(.+?)\s*$", text, re.M)
    issued = _heading_time(text, valid) or valid
    return Forecast(
        storm_id=_fix_storm_id(storm.group(1) if storm else ""),
        storm_name=storm.group(1) if storm else "",
        source=SOURCE,
        issued_utc=issued,
        wind_averaging_minutes=1,
        points=(
            TrackPoint(
                valid_utc=valid,
                lead_hours=0.0,
                lat=lat_v,
                lon=lon_v,
                vmax_kt=float(DVORAK_CI_KT[ci]) if ci in DVORAK_CI_KT else None,
                is_forecast=False,
            ),
        ),
        product="JTWC satellite fix",
        extra={
            "base_utc": iso_z(valid),
            "dvorak_t": float(dvorak.group(1)) if dvorak else None,
            "dvorak_ci": ci,
        },
    )


def _fix_storm_id(subject: str) -> str:
    match = re.search(r"\b(\d{2}[A-Z])\b", subject)
    return match.group(1) if match else "unknown"


def parse(
    data: bytes | str, *, name_hint: str = "", reference_utc: datetime | None = None
) -> Forecast:
    """Parse any of the three JTWC products, recognised from their heading."""
    text = to_text(data, "a JTWC warning, TCW or fix bulletin").upper()
    if is_tcw(text):
        return parse_tcw(text, name_hint=name_hint)
    if is_fix(text):
        return parse_fix(text, name_hint=name_hint, reference_utc=reference_utc)
    return parse_warning_text(text, name_hint=name_hint, reference_utc=reference_utc)
