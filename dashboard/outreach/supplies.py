"""The household supply calculator (a pure function) and its outputs.

The items, the rule of each quantity and its source are in
``data/outreach/supplies.yaml``; this module only evaluates them:
water is about 4 L per person per day, food 3 meals per person per day, for
3 days by default (Ready.gov, SGGP 2025, see the file).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml

from dashboard.config import REPO_ROOT
from dashboard.core.errors import Invalid
from dashboard.core.pdf import new_document
from dashboard.i18n import translate

SUPPLIES_FILE = REPO_ROOT / "data" / "outreach" / "supplies.yaml"
MAX_PEOPLE = 100
MAX_DAYS = 30

_RULES = (
    "base",
    "per_person",
    "per_person_day",
    "per_infant",
    "per_infant_day",
    "per_elderly",
    "per_medical",
    "per_medical_day",
)


@dataclass(frozen=True)
class Household:
    people: int
    days: int = 3
    infants: int = 0
    elderly: int = 0
    medical: int = 0

    def validate(self) -> None:
        """Raise :class:`Invalid` (a ``ValueError``) naming the wrong number.

        A negative number is refused with its own message, never clamped.
        """
        for name in ("people", "days", "infants", "elderly", "medical"):
            value = getattr(self, name)
            if value < 0:
                raise Invalid(
                    f"{name}: {value} is negative",
                    key="errors.negative",
                    field=name,
                    value=value,
                )
        for name, high in (("people", MAX_PEOPLE), ("days", MAX_DAYS)):
            value = getattr(self, name)
            if not 1 <= value <= high:
                raise Invalid(
                    f"{name}: between 1 and {high}",
                    key="errors.out_of_range",
                    field=name,
                    value=value,
                    low=1,
                    high=high,
                )
        for name in ("infants", "elderly", "medical"):
            value = getattr(self, name)
            if value > self.people:
                raise Invalid(
                    f"{name}: {value} is more than the {self.people} people",
                    key="supplies.err.more_than_people",
                    field=name,
                    value=value,
                    people=self.people,
                )
        if self.infants + self.elderly > self.people:
            raise Invalid(
                "infants + elderly: more than the number of people",
                key="supplies.err.sum_over_people",
                infants=self.infants,
                elderly=self.elderly,
                people=self.people,
            )


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    quantity: int
    unit: str
    note: str
    source: str


@dataclass(frozen=True)
class Checklist:
    household: Household
    lang: str
    lines: tuple[Line, ...]

    def quantity(self, key: str) -> int:
        """Quantity of item *key* (0 when it is not on the list)."""
        return next((line.quantity for line in self.lines if line.key == key), 0)


@lru_cache(maxsize=4)
def load_rules(path: Path = SUPPLIES_FILE) -> dict:
    """The parsed supplies file (checked: every item has key, names, unit)."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys = set()
    for item in rules["items"]:
        for field in ("key", "vi", "en", "unit", "source"):
            if field not in item:
                raise ValueError(f"{path.name}: item {item} has no {field}")
        unknown = set(item.get("per_item", {})) - keys
        if unknown:
            raise ValueError(
                f"{path.name}: {item['key']} refers to later or unknown items {unknown}"
            )
        keys.add(item["key"])
    return rules


def household_checklist(
    people: int,
    days: int | None = None,
    infants: int = 0,
    elderly: int = 0,
    medical: int = 0,
    lang: str = "vi",
    path: Path = SUPPLIES_FILE,
) -> Checklist:
    """What a household needs to get through *days* on its own.

    *people* counts everyone, including the *infants*, *elderly* people and
    people with *medical* needs. Quantities are rounded up.

    >>> household_checklist(4).quantity("water")
    48
    """
    rules = load_rules(path)
    days = rules["default_days"] if days is None else days
    household = Household(people, days, infants, elderly, medical)
    household.validate()
    extra = rules.get("medical_extra_days", 0)
    counts = {
        "base": 1,
        "per_person": people,
        "per_person_day": people * days,
        "per_infant": infants,
        "per_infant_day": infants * days,
        "per_elderly": elderly,
        "per_medical": medical,
        "per_medical_day": medical * (days + extra),
    }
    quantities: dict[str, int] = {}
    lines = []
    for item in rules["items"]:
        total = sum(item.get(rule, 0) * counts[rule] for rule in _RULES)
        total += sum(
            factor * quantities[other]
            for other, factor in item.get("per_item", {}).items()
        )
        quantity = math.ceil(round(total, 6))
        quantities[item["key"]] = quantity
        if quantity <= 0:
            continue
        note = item.get("note", {})
        lines.append(
            Line(
                key=item["key"],
                label=item[lang],
                quantity=quantity,
                unit=item["unit"][lang],
                note=note.get(lang, "") if isinstance(note, dict) else "",
                source=str(item["source"]),
            )
        )
    return Checklist(household, lang, tuple(lines))


def _heading(checklist: Checklist) -> str:
    h = checklist.household
    return translate(
        "outreach.supplies.heading",
        checklist.lang,
        people=h.people,
        days=h.days,
    )


def checklist_text(checklist: Checklist) -> str:
    """Plain text for Zalo or SMS: one ``☐ quantity unit item`` line each."""
    lines = [_heading(checklist)]
    h = checklist.household
    details = [
        translate(f"outreach.supplies.count.{name}", checklist.lang, n=value)
        for name, value in (
            ("infants", h.infants),
            ("elderly", h.elderly),
            ("medical", h.medical),
        )
        if value
    ]
    if details:
        lines.append(", ".join(details))
    lines.append("")
    for line in checklist.lines:
        lines.append(f"☐ {line.quantity} {line.unit} – {line.label}")
    lines.append("")
    lines.append(translate("outreach.supplies.footer", checklist.lang))
    return "\n".join(lines)


def checklist_pdf(checklist: Checklist, printed_at: datetime | None = None) -> bytes:
    """A printable A4 checklist with tick boxes, notes and sources."""
    title = _heading(checklist)
    doc = new_document(
        title, printed_at, note=translate("outreach.supplies.pdf_note", checklist.lang)
    )
    doc.heading(title)
    for line in checklist.lines:
        doc.set_font("DejaVu", "B", 11)
        doc.multi_cell(
            0,
            6,
            f"☐  {line.quantity} {line.unit} – {line.label}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        if line.note:
            doc.set_font("DejaVu", "", 9)
            doc.multi_cell(0, 4.5, f"     {line.note}", new_x="LMARGIN", new_y="NEXT")
        doc.ln(1)
    doc.ln(2)
    doc.paragraph(translate("outreach.supplies.footer", checklist.lang), size=8)
    doc.paragraph(
        translate("outreach.supplies.sources", checklist.lang)
        + " Ready.gov; FEMA “Are You Ready?”; SGGP 2025; Luật PCTT 33/2013/QH13 Điều 4.",
        size=8,
    )
    return doc.output_bytes()
