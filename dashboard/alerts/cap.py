"""CAP 1.2 alert messages, one per province and storm advisory (issue #14).

:func:`build_province_alert` turns a storm forecast and the commune exposure
table (:func:`dashboard.situation.exposure_table`) at a clock into one OASIS
Common Alerting Protocol 1.2 message for a province, with two ``<info>``
blocks (``vi-VN`` then ``en-US``) and one ``<area>`` per risk level of the
exposed communes. :func:`validate` checks a message against the official
OASIS schema (``data/cap/CAP-v1.2.xsd``) plus the rules of the standard the
schema cannot express (polygon and circle syntax, references, identifiers).

Mapping decisions
-----------------
* **Exposed**: screening ``risk_level`` >= 1 (in the cone, within the level-6
  radius plus track error, or in the level-6 area; see
  :mod:`dashboard.storms.exposure`).
* **severity** from the highest risk level: 5 Extreme, 4 Severe, 3 Moderate,
  2 and 1 Minor.
* **urgency** from the hours between the clock and the earliest level-6 ETA:
  < 6 h Immediate, < 24 h Expected, later (or no level-6 wind) Future.
* **certainty**: Observed when level-6 winds are in some commune at the clock,
  Likely when some commune is in the forecast level-6 area, Possible when the
  communes are only in the cone or its margin.
* **responseType**: Evacuate at risk level 4 or 5, else Prepare.
* **status**: ``Exercise`` for a drill, ``Actual`` otherwise; a drill also
  carries a ``<note>`` saying so.
* **identifier**: ``{sender}.{storm}.{province}.{advisory issue time}``, so
  the same storm, province and advisory always give the same identifier.
* **times**: ``sent``, ``onset`` and ``expires`` in Vietnam time (+07:00);
  ``sent`` defaults to the clock (the scenario's "now"); ``expires`` is the
  later of clock + 24 h and onset + 12 h.
* **polygons** (optional, when commune polygons are given): per area the union
  of its communes' polygons, closed with a 100 m buffer and simplified to
  about 500 m, one ``<polygon>`` per part (the convex hull when the group has
  more than :data:`MAX_POLYGONS` parts). Geocodes (``VN-commune-code``) list
  every commune exactly once, so a receiver never needs the polygons.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd
import shapely
from lxml import etree

from dashboard import registry
from dashboard.config import REPO_ROOT
from dashboard.core.clock import Clock
from dashboard.core.errors import Invalid
from dashboard.core.time import VIETNAM_TZ
from dashboard.i18n import translate
from dashboard.plans.templates import TaskSpec, read_starter
from dashboard.situation.exposed import exposed_communes
from dashboard.storms.model import Forecast

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
XSD_FILE = REPO_ROOT / "data" / "cap" / "CAP-v1.2.xsd"
GEOCODE_NAME = "VN-commune-code"
#: The two ``<info>`` blocks: (catalog language, CAP language code).
LANGUAGES = (("vi", "vi-VN"), ("en", "en-US"))
PUBLIC_INFO_PILLAR = "information"
EXPIRES_HOURS = 24
EXPIRES_AFTER_ONSET_HOURS = 12
MAX_POLYGONS = 20
POLYGON_BUFFER_DEG = 0.001  # ~100 m: closes slivers between neighbours
POLYGON_SIMPLIFY_DEG = 0.005  # ~500 m

SEVERITY = {5: "Extreme", 4: "Severe", 3: "Moderate", 2: "Minor", 1: "Minor"}

_RESTRICTED = re.compile(r"[\s,<&]")
_TOKEN_CHARS = re.compile(r"[^A-Za-z0-9._@-]+")
_SENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")


class CapError(Invalid):
    """An alert cannot be built from these inputs; the message says why."""


class CapValidationError(Invalid):
    """A CAP message is invalid; :attr:`problems` lists every finding."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid CAP 1.2 message: " + "; ".join(self.problems))


@dataclass(frozen=True)
class AlertRef:
    """A previously sent alert, for ``<references>`` of an Update."""

    sender: str
    identifier: str
    sent: datetime

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class AreaGroup:
    """The exposed communes of one risk level (one ``<area>`` per language)."""

    risk_level: int
    commune_codes: tuple[str, ...]
    commune_names: tuple[str, ...]
    polygons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CapAlert:
    """One built CAP message and the facts it was built from."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: tuple[AlertRef, ...]
    province_code: str
    province_name: str
    storm_id: str
    storm_name: str
    advisory_utc: datetime
    risk_level: int
    urgency: str
    severity: str
    certainty: str
    response_type: str
    onset: datetime | None
    expires: datetime
    headline_vi: str
    headline_en: str
    areas: tuple[AreaGroup, ...]
    xml: bytes

    @property
    def commune_count(self) -> int:
        return sum(len(a.commune_codes) for a in self.areas)


# -- small helpers -----------------------------------------------------------


def cap_time(value: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss+07:00`` (CAP forbids "Z" and fractions)."""
    if value.tzinfo is None:
        raise CapError(f"time {value} must carry a time zone")
    return value.astimezone(VIETNAM_TZ).strftime("%Y-%m-%dT%H:%M:%S+07:00")


def _vn_text(value: datetime) -> str:
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M %d/%m/%Y")


def _token(text: str) -> str:
    return _TOKEN_CHARS.sub("-", text).strip("-") or "x"


def alert_identifier(
    sender: str, storm_id: str, province_code: str, advisory_utc: datetime
) -> str:
    """Stable identifier of the alert for one storm, province and advisory."""
    stamp = advisory_utc.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{_token(sender)}.{_token(storm_id)}.{province_code}.{stamp}"


def severity_for(risk_level: int) -> str:
    if risk_level not in SEVERITY:
        raise CapError(f"risk level {risk_level} is not exposed (1..5)")
    return SEVERITY[risk_level]


def urgency_for(hours_to_level6: float | None) -> str:
    if hours_to_level6 is None or math.isnan(hours_to_level6):
        return "Future"
    if hours_to_level6 < 6:
        return "Immediate"
    if hours_to_level6 < 24:
        return "Expected"
    return "Future"


def certainty_for(level6_now: bool, level6_forecast: bool) -> str:
    if level6_now:
        return "Observed"
    if level6_forecast:
        return "Likely"
    return "Possible"


def response_type_for(risk_level: int) -> str:
    return "Evacuate" if risk_level >= 4 else "Prepare"


def public_info_tasks(tasks: Iterable[TaskSpec] | None = None) -> list[TaskSpec]:
    """The plan template's tasks of the "information to the public" pillar.

    *tasks* default to the starter template (``storm_starter.yaml``).
    """
    if tasks is None:
        tasks = read_starter()[2]
    return [t for t in tasks if t.pillar == PUBLIC_INFO_PILLAR]


def _ts(value: object) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime().astimezone(UTC)


# -- polygons ----------------------------------------------------------------


def ring_text(coords: Sequence[tuple[float, float]]) -> str:
    """A CAP polygon from (lon, lat) pairs: ``"lat,lon lat,lon ..."``, closed."""
    points = [(round(lat, 4), round(lon, 4)) for lon, lat in coords]
    if points and points[0] != points[-1]:
        points.append(points[0])
    # Drop repeats that rounding created (a ring needs distinct vertices).
    kept = [points[0]] if points else []
    for p in points[1:]:
        if p != kept[-1]:
            kept.append(p)
    if len(kept) < 4:
        raise CapError("a CAP polygon needs at least 4 points")
    return " ".join(f"{lat},{lon}" for lat, lon in kept)


def area_polygons(geometries: Sequence[shapely.Geometry]) -> tuple[str, ...]:
    """CAP polygons covering *geometries* (EPSG:4326), see the module notes."""
    geoms = [g for g in geometries if g is not None and not g.is_empty]
    if not geoms:
        return ()
    merged = shapely.union_all(shapely.buffer(geoms, POLYGON_BUFFER_DEG))
    merged = shapely.simplify(merged, POLYGON_SIMPLIFY_DEG, preserve_topology=True)
    parts = [
        g
        for g in getattr(merged, "geoms", [merged])
        if g.geom_type == "Polygon" and not g.is_empty
    ]
    if len(parts) > MAX_POLYGONS or not parts:
        parts = [shapely.convex_hull(merged)]
    rings = []
    for part in parts:
        exterior = shapely.get_exterior_ring(part)
        try:
            rings.append(ring_text(list(exterior.coords)))
        except CapError:
            continue  # a sliver that rounding collapsed; geocodes still cover it
    return tuple(rings)


# -- building ----------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _pair(parent: etree._Element, tag: str, name: str, value: str) -> None:
    element = _sub(parent, tag)
    _sub(element, "valueName", name)
    _sub(element, "value", value)


def _province_name(code: str) -> str:
    names = registry.provinces().set_index("province_code")["province_name"]
    if code not in names.index:
        raise CapError(f"no province {code!r}")
    return str(names[code])


def _check_no_restricted(name: str, value: str) -> None:
    if not value or _RESTRICTED.search(value):
        raise CapError(f"CAP {name} {value!r} is empty or has spaces, commas, < or &")


def build_province_alert(
    forecast: Forecast,
    exposure_table: pd.DataFrame,
    province_code: str,
    clock: Clock,
    sender: str,
    *,
    is_drill: bool = False,
    drill_name: str = "",
    references: Sequence[AlertRef] = (),
    polygons: pd.DataFrame | None = None,
    tasks: Iterable[TaskSpec] | None = None,
    web: str | None = None,
    sent: datetime | None = None,
) -> CapAlert | None:
    """The CAP 1.2 message of *province_code* for *forecast* at *clock*.

    Parameters
    ----------
    forecast
        The advisory (its ``issued_utc`` makes the identifier).
    exposure_table
        :func:`dashboard.situation.exposure_table` of *forecast* at the clock.
    sender
        CAP ``sender`` (e.g. ``canhbao@hungyen.gov.vn``): no spaces or commas.
    is_drill, drill_name
        A drill gives ``status`` Exercise and a ``<note>``.
    references
        Earlier alerts of this storm and province: the message becomes an
        ``Update`` referencing them (else an ``Alert``).
    polygons
        Optional commune polygons (``commune_code``, ``geometry`` in
        EPSG:4326) for ``<polygon>`` elements.
    tasks
        Plan template tasks; the ``information`` pillar gives the instruction
        (default: the starter template).
    web
        URL of the alert's page or file, written to ``<web>``.
    sent
        Time of sending (default: the clock).

    Returns
    -------
    CapAlert or None
        None when no commune of the province is exposed.
    """
    if clock.tzinfo is None:
        raise CapError("the clock must carry a time zone")
    _check_no_restricted("sender", sender)
    province_name = _province_name(province_code)
    rows = exposed_communes(exposure_table, province_code)
    if rows.empty:
        return None
    if rows["commune_code"].duplicated().any():
        raise CapError("the exposure table lists a commune twice")

    clock = clock.astimezone(UTC)
    sent = (sent or clock).astimezone(UTC).replace(microsecond=0)
    risk = int(rows["risk_level"].max())
    eta = pd.to_datetime(rows["level6_eta_utc"], utc=True)
    onset = _ts(eta.min()) if eta.notna().any() else None
    hours = (onset - clock).total_seconds() / 3600 if onset is not None else None
    level6_now = bool((eta <= pd.Timestamp(clock)).any())
    expires = clock + timedelta(hours=EXPIRES_HOURS)
    if onset is not None:
        expires = max(expires, onset + timedelta(hours=EXPIRES_AFTER_ONSET_HOURS))
    expires = expires.replace(microsecond=0)

    groups = []
    for level in sorted(set(rows["risk_level"].astype(int)), reverse=True):
        members = rows[rows["risk_level"] == level].sort_values("commune_code")
        codes = tuple(str(c) for c in members["commune_code"])
        rings: tuple[str, ...] = ()
        if polygons is not None and len(polygons):
            hit = polygons[polygons["commune_code"].isin(codes)]
            rings = area_polygons(list(hit.geometry))
        groups.append(
            AreaGroup(
                risk_level=level,
                commune_codes=codes,
                commune_names=tuple(str(n) for n in members["commune_name"]),
                polygons=rings,
            )
        )

    identifier = alert_identifier(
        sender, forecast.storm_id, province_code, forecast.issued_utc
    )
    _check_no_restricted("identifier", identifier)
    status = "Exercise" if is_drill else "Actual"
    msg_type = "Update" if references else "Alert"
    facts = {
        "urgency": urgency_for(hours),
        "severity": severity_for(risk),
        "certainty": certainty_for(level6_now, onset is not None),
        "response_type": response_type_for(risk),
    }
    info_tasks = public_info_tasks(tasks)

    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", status)
    _sub(root, "msgType", msg_type)
    _sub(root, "scope", "Public")
    if is_drill:
        _sub(
            root,
            "note",
            " / ".join(
                translate("alerts.cap.note_exercise", lang, name=drill_name or "drill")
                for lang, _ in LANGUAGES
            ),
        )
    if references:
        _sub(root, "references", " ".join(r.text() for r in references))

    headlines = {}
    storm_name = forecast.storm_name or forecast.storm_id
    for lang, code in LANGUAGES:

        def t(key: str, _lang: str = lang, **params: object) -> str:
            return translate(key, _lang, **params)

        info = _sub(root, "info")
        _sub(info, "language", code)
        _sub(info, "category", "Met")
        _sub(info, "event", t("alerts.cap.event"))
        _sub(info, "responseType", facts["response_type"])
        _sub(info, "urgency", facts["urgency"])
        _sub(info, "severity", facts["severity"])
        _sub(info, "certainty", facts["certainty"])
        if onset is not None:
            _sub(info, "onset", cap_time(onset))
        _sub(info, "expires", cap_time(expires))
        _sub(info, "senderName", t("alerts.cap.sender_name", province=province_name))
        prefix = t("alerts.cap.exercise_prefix") if is_drill else ""
        headline = t(
            "alerts.cap.headline",
            prefix=prefix,
            storm=storm_name,
            risk=risk,
            province=province_name,
        )
        headlines[lang] = headline
        _sub(info, "headline", headline)
        lines = [
            t(
                "alerts.cap.description.summary",
                storm=storm_name,
                source=forecast.source,
                issued=_vn_text(forecast.issued_utc),
                count=len(rows),
                province=province_name,
                risk=risk,
            )
        ]
        if onset is not None:
            lines.append(
                t(
                    "alerts.cap.description.wind",
                    level=int(rows["max_wind_level"].max()),
                    eta=_vn_text(onset),
                    count_wind=int(eta.notna().sum()),
                )
            )
        else:
            lines.append(t("alerts.cap.description.cone"))
        lines += [
            t(
                "alerts.cap.description.group",
                risk=g.risk_level,
                count=len(g.commune_codes),
            )
            for g in groups
        ]
        lines.append(t("alerts.cap.description.screening"))
        _sub(info, "description", "\n".join(lines))
        lead = (
            "alerts.cap.instruction.evacuate"
            if facts["response_type"] == "Evacuate"
            else "alerts.cap.instruction.prepare"
        )
        steps = [t(lead)]
        for task in info_tasks:
            title = task.title_vi if lang == "vi" else task.title_en
            guidance = task.guidance_vi if lang == "vi" else task.guidance_en
            steps.append(f"- {title}" + (f": {guidance}" if guidance else ""))
        _sub(info, "instruction", "\n".join(steps))
        if web:
            _sub(info, "web", web)
        _pair(info, "parameter", "VN-risk-level", str(risk))
        if onset is not None:
            _pair(
                info,
                "parameter",
                "VN-max-beaufort-level",
                str(int(rows["max_wind_level"].max())),
            )
        for g in groups:
            area = _sub(info, "area")
            _sub(
                area,
                "areaDesc",
                t(
                    "alerts.cap.area",
                    risk=g.risk_level,
                    names=", ".join(g.commune_names),
                ),
            )
            for ring in g.polygons:
                _sub(area, "polygon", ring)
            for code_ in g.commune_codes:
                _pair(area, "geocode", GEOCODE_NAME, code_)

    xml = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return CapAlert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=status,
        msg_type=msg_type,
        references=tuple(references),
        province_code=province_code,
        province_name=province_name,
        storm_id=forecast.storm_id,
        storm_name=storm_name,
        advisory_utc=forecast.issued_utc.astimezone(UTC),
        risk_level=risk,
        urgency=facts["urgency"],
        severity=facts["severity"],
        certainty=facts["certainty"],
        response_type=facts["response_type"],
        onset=onset,
        expires=expires,
        headline_vi=headlines["vi"],
        headline_en=headlines["en"],
        areas=tuple(groups),
        xml=xml,
    )


# -- validation --------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema(path: Path = XSD_FILE) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


def _coordinate_problem(pair: str) -> str | None:
    try:
        lat_text, lon_text = pair.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return f"{pair!r} is not 'lat,lon'"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return f"{pair!r} is out of range"
    return None


def polygon_problems(text: str) -> list[str]:
    """CAP 1.2 §3.2.4: space-separated ``lat,lon`` pairs, >= 4, first == last."""
    pairs = (text or "").split()
    problems = [p for p in (_coordinate_problem(x) for x in pairs) if p]
    if problems:
        return [f"polygon: {p}" for p in problems]
    if len(pairs) < 4:
        return [f"polygon has {len(pairs)} points, needs at least 4"]
    first = tuple(float(v) for v in pairs[0].split(","))
    last = tuple(float(v) for v in pairs[-1].split(","))
    if first != last:
        return ["polygon is not closed (first point differs from the last)"]
    return []


def circle_problems(text: str) -> list[str]:
    """CAP 1.2 §3.2.4: ``lat,lon radius`` (km)."""
    parts = (text or "").split()
    if len(parts) != 2:
        return [f"circle {text!r} is not 'lat,lon radius'"]
    problem = _coordinate_problem(parts[0])
    if problem:
        return [f"circle: {problem}"]
    try:
        if float(parts[1]) < 0:
            return ["circle radius is negative"]
    except ValueError:
        return [f"circle radius {parts[1]!r} is not a number"]
    return []


def problems(xml: bytes) -> list[str]:
    """Every reason *xml* is not a valid CAP 1.2 message (empty when valid)."""
    try:
        doc = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = _schema()
    found: list[str] = []
    if not schema.validate(doc):
        found += [f"schema, line {e.line}: {e.message}" for e in schema.error_log]
        return found
    ns = {"c": CAP_NS}

    def text(path: str) -> str:
        return (doc.findtext(path, namespaces=ns) or "").strip()

    for name in ("identifier", "sender"):
        value = text(f"c:{name}")
        if not value or _RESTRICTED.search(value):
            found.append(f"{name} {value!r} has spaces, commas, < or &")
    msg_type = text("c:msgType")
    refs = text("c:references")
    if msg_type in ("Update", "Cancel", "Ack", "Error") and not refs:
        found.append(f"msgType {msg_type} needs references")
    for ref in refs.split():
        fields = ref.split(",")
        if len(fields) != 3 or not _SENT.match(fields[2]):
            found.append(f"reference {ref!r} is not 'sender,identifier,sent'")
    scope = text("c:scope")
    if scope == "Restricted" and not text("c:restriction"):
        found.append("scope Restricted needs a restriction")
    if scope == "Private" and not text("c:addresses"):
        found.append("scope Private needs addresses")
    for polygon in doc.iterfind(".//c:area/c:polygon", ns):
        found += polygon_problems(polygon.text or "")
    for circle in doc.iterfind(".//c:area/c:circle", ns):
        found += circle_problems(circle.text or "")
    return found


def validate(xml: bytes) -> None:
    """Raise :class:`CapValidationError` unless *xml* is valid CAP 1.2.

    Checked against the official OASIS schema, then the standard's rules that
    the schema leaves to the text (see :func:`problems`).
    """
    found = problems(xml)
    if found:
        raise CapValidationError(found)
