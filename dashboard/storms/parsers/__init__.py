"""Parsers of real storm forecast products into :class:`~dashboard.storms.model.Forecast`.

:func:`parse` recognises the format from the content (the file name only
breaks ties or picks the parser whose error message is most useful) and
returns a list, because a global feed (the GDACS event list, an IBTrACS file)
holds several storms.

Conventions shared by every parser
----------------------------------
* ``lead_hours`` counts from the product's *base time*, the synoptic or
  analysis time the agency's TAU counts from (JTWC/NHC/ATCF tau 0, the NCHMF
  analysis time, the IBTrACS drill clock, the GDACS issue time); it is written
  to ``extra["base_utc"]``. ``issued_utc`` is when the product was issued
  (JTWC and NHC: 3 h after the base time).
* ``is_forecast`` is false for analysed and past points (at or before the base
  time) and true for later ones.
* Longitudes are east-positive; a track crossing the antimeridian writes its
  west longitudes as ``lon + 360`` so it stays continuous.
* Per-point values the model has no field for (RMW, POCI, motion, Beaufort
  ranges...) are listed in ``extra["point_details"]``, one dict per point.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dashboard.storms.model import Forecast, ForecastError
from dashboard.storms.parsers import atcf, gdacs, ibtracs, jtwc, nchmf, nhc
from dashboard.storms.parsers._common import load_json, looks_like_html, to_text

FORMATS = ("gdacs", "jtwc", "atcf", "ibtracs", "nhc", "nchmf")
"""Format names accepted by :func:`parse`."""

EXPECTED = (
    "GDACS TC event list or geometry GeoJSON, JTWC warning/TCW/fix text, "
    "ATCF a-deck/b-deck, IBTrACS v04r01 CSV, NHC forecast/advisory text or GIS "
    "GeoJSON, NCHMF bulletin template CSV or facts JSON"
)

_NAME_HINTS = (
    (re.compile(r"gdacs", re.I), "gdacs"),
    (re.compile(r"\.tcw$|^wp\d{4}|jtwc|wtpn", re.I), "jtwc"),
    (
        re.compile(r"^[ab](al|ep|cp|wp|io|sh)\d{6}\.dat$|a-deck|b-deck|atcf", re.I),
        "atcf",
    ),
    (re.compile(r"ibtracs", re.I), "ibtracs"),
    (re.compile(r"fstadv|5day_|forecastradii|nhc", re.I), "nhc"),
    (re.compile(r"nchmf", re.I), "nchmf"),
)


def _parse_gdacs(text: str, **options: Any) -> list[Forecast]:
    return gdacs.parse(text)


def _parse_jtwc(text: str, *, name_hint: str = "", **options: Any) -> list[Forecast]:
    return [jtwc.parse(text, name_hint=name_hint, **options)]


def _parse_atcf(text: str, **options: Any) -> list[Forecast]:
    return [atcf.parse(text, **options)]


def _parse_ibtracs(text: str, **options: Any) -> list[Forecast]:
    if any(k in options for k in ("sid", "name", "clock")):
        return [ibtracs.parse(text, **options)]
    return ibtracs.parse_all(text, **options)


def _parse_nhc(text: str, **options: Any) -> list[Forecast]:
    if text.lstrip().startswith("{"):
        return [nhc.parse_gis(text)]
    return [nhc.parse_tcm(text)]


def _parse_nchmf(text: str, **options: Any) -> list[Forecast]:
    return nchmf.parse(text)


_PARSERS: dict[str, Callable[..., list[Forecast]]] = {
    "gdacs": _parse_gdacs,
    "jtwc": _parse_jtwc,
    "atcf": _parse_atcf,
    "ibtracs": _parse_ibtracs,
    "nhc": _parse_nhc,
    "nchmf": _parse_nchmf,
}


def _format_of_json(text: str) -> str:
    doc = load_json(text, EXPECTED)
    if gdacs.looks_like_gdacs(doc):
        return "gdacs"
    if nhc.looks_like_nhc_gis(doc):
        return "nhc"
    if nchmf.looks_like_facts(doc):
        return "nchmf"
    raise ForecastError(
        f"a JSON document of no known storm format: expected {EXPECTED}"
    )


def _format_of_text(text: str) -> str | None:
    if atcf.looks_like_atcf(text):
        return "atcf"
    if ibtracs.looks_like_ibtracs(text):
        return "ibtracs"
    if nchmf.looks_like_template(text):
        return "nchmf"
    upper = text.upper()
    if jtwc.is_tcw(upper) or jtwc.is_fix(upper) or jtwc.is_warning_text(upper):
        return "jtwc"
    if nhc.looks_like_tcm(upper):
        return "nhc"
    return None


def _format_of_name(name_hint: str) -> str | None:
    base = name_hint.replace("\\", "/").rsplit("/", 1)[-1]
    for pattern, name in _NAME_HINTS:
        if pattern.search(base):
            return name
    return None


def detect_format(text: str, name_hint: str = "") -> str:
    """The format name of *text* (one of :data:`FORMATS`).

    Raises
    ------
    ForecastError
        For empty input, an HTML page, or content of no known format.
    """
    if not text.strip():
        raise ForecastError(
            f"empty input: expected {EXPECTED}", key="forecasts.err.empty"
        )
    if looks_like_html(text):
        raise ForecastError(
            f"got an HTML page instead of a storm product: expected {EXPECTED}",
            key="forecasts.err.html",
        )
    if text.lstrip().startswith(("{", "[")):
        return _format_of_json(text)
    found = _format_of_text(text) or _format_of_name(name_hint)
    if found is None:
        first = text.strip().splitlines()[0][:60]
        raise ForecastError(
            f"unrecognised content (first line {first!r}): expected {EXPECTED}"
        )
    return found


def parse(
    data: bytes | str, *, format: str | None = None, name_hint: str = "", **options: Any
) -> list[Forecast]:
    """Parse a storm product into one forecast per storm.

    Parameters
    ----------
    data
        File content (bytes are decoded as UTF-8, UTF-16 or Windows-1258).
    format
        One of :data:`FORMATS`; detected from the content when ``None``.
    name_hint
        File name, used when the content alone is ambiguous and to date JTWC
        texts (``..._2026082120.txt``).
    **options
        Passed to the format's parser: ``sid``/``name``/``season``/``winds``/
        ``clock`` (IBTrACS), ``tech``/``dtg``/``storm`` (ATCF),
        ``reference_utc`` (JTWC).

    Raises
    ------
    ForecastError
        When the content is empty, HTML, of no known format, or broken; the
        message names what was expected or what is wrong.
    """
    if format is not None and format not in FORMATS:
        raise ForecastError(
            f"unknown format {format!r}; known formats: {', '.join(FORMATS)}"
        )
    text = to_text(data, EXPECTED)
    chosen = format or detect_format(text, name_hint)
    if chosen == "jtwc":
        return _PARSERS[chosen](text, name_hint=name_hint, **options)
    return _PARSERS[chosen](text, **options)


__all__ = ["EXPECTED", "FORMATS", "ForecastError", "detect_format", "parse"]
