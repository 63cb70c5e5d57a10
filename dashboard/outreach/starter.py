"""Starter content made by the project's own code, in Vietnamese and English.

Four cards (the Beaufort wind levels, the "4 tại chỗ" principle, before /
during / after a storm, the household kit) are rendered from
``data/outreach/starter.yaml`` as PNG images (Pillow, DejaVu Sans from
matplotlib, which has every Vietnamese glyph) and as PDFs
(:func:`dashboard.core.pdf.new_document`); two Zalo messages, a loudspeaker script
and a supply list are published as text. :func:`seed_starter_content`
publishes each item once (keyed by ``starter_key``), so it is safe to call at
every start-up, from several servers at once.
"""

from __future__ import annotations

import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dashboard.auth import SYSTEM, Principal
from dashboard.config import REPO_ROOT
from dashboard.context import AppContext
from dashboard.core.pdf import FONT_DIR, new_document
from dashboard.i18n import LANGUAGES
from dashboard.outreach import catalog, supplies
from dashboard.store.models.outreach import OutreachMaterial
from dashboard.storms import beaufort

log = logging.getLogger(__name__)

STARTER_FILE = REPO_ROOT / "data" / "outreach" / "starter.yaml"
WIDTH = 1080
MARGIN = 64
RED = (185, 28, 28)
DARK = (31, 41, 55)
GREY = (90, 90, 90)


@dataclass(frozen=True)
class Section:
    heading: str
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    key: str
    lang: str
    title: str
    description: str
    sections: tuple[Section, ...]
    source: str
    hazard: str
    stage: str
    audience: str
    tags: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """The card as plain text (its light version; pasteable into Zalo)."""
        lines = [self.title, ""]
        for section in self.sections:
            lines.append(section.heading)
            lines.extend(f"- {b}" for b in section.bullets)
            lines.append("")
        lines.append(f"({self.source})")
        return "\n".join(lines)


@lru_cache(maxsize=1)
def load_starter(path: Path = STARTER_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _levels_label(low: int, high: int, lang: str) -> tuple[str, str]:
    word = "Cấp" if lang == "vi" else "Level"
    kmh_low, _ = beaufort.kmh_range(low)
    _, kmh_high = beaufort.kmh_range(high)
    label_high = beaufort.level_label(high)
    if kmh_high is None:
        levels = f"Từ cấp {low}" if lang == "vi" else f"Level {low} and above"
    else:
        levels = f"{word} {low}–{label_high}" if high != low else f"{word} {low}"
    speed = (
        f"{kmh_low:.0f}–{kmh_high:.0f} km/h"
        if kmh_high is not None
        else f"≥ {kmh_low:.0f} km/h"
    )
    return levels, speed


def _beaufort_sections(spec: dict, lang: str) -> tuple[Section, ...]:
    words = spec[lang]
    sections = []
    for group in spec["groups"]:
        low, high = group["levels"]
        levels, speed = _levels_label(low, high, lang)
        effects = group[lang]
        sections.append(
            Section(
                f"{levels} · {speed}",
                (
                    f"{words['land']}: {effects['land']}",
                    f"{words['sea']}: {effects['sea']}",
                ),
            )
        )
    sections.append(Section("", (words["classes"], words["advice"])))
    return tuple(sections)


def _kit_sections(spec: dict, lang: str) -> tuple[Section, ...]:
    household = spec["household"]
    checklist = supplies.household_checklist(
        household["people"], household["days"], lang=lang
    )
    bullets = tuple(
        f"☐ {line.quantity} {line.unit} – {line.label}" for line in checklist.lines
    )
    words = spec[lang]
    return (Section(words["heading"], bullets), Section("", (words["water_rule"],)))


def cards(lang: str) -> list[Card]:
    """Every starter card in *lang*."""
    data = load_starter()["cards"]
    result = []
    for key, spec in data.items():
        words = spec[lang]
        if key == "beaufort":
            sections = _beaufort_sections(spec, lang)
        elif key == "household_kit":
            sections = _kit_sections(spec, lang)
        else:
            sections = tuple(
                Section(s["heading"], tuple(s["bullets"])) for s in words["sections"]
            )
        result.append(
            Card(
                key=key,
                lang=lang,
                title=words["title"],
                description=words["description"],
                sections=sections,
                source=spec["source"],
                hazard=spec["hazard"],
                stage=spec["stage"],
                audience=spec["audience"],
                tags=tuple(spec.get("tags", ())),
            )
        )
    return result


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def render_png(card: Card) -> bytes:
    """The card as a portrait PNG, 1080 px wide (phone screens, Zalo)."""

    title_font, head_font, body_font, small_font = (
        _font(54, True),
        _font(38, True),
        _font(32),
        _font(22),
    )
    scratch = ImageDraw.Draw(Image.new("RGB", (WIDTH, 10)))
    inner = WIDTH - 2 * MARGIN
    blocks: list[tuple[str, object, tuple[int, int, int], int]] = []
    title_lines = _wrap(scratch, card.title, title_font, inner)
    for section in card.sections:
        if section.heading:
            blocks.extend(
                (line, head_font, RED, 48)
                for line in _wrap(scratch, section.heading, head_font, inner)
            )
        for bullet in section.bullets:
            prefix = "" if bullet.startswith("☐") else "• "
            for i, line in enumerate(
                _wrap(scratch, prefix + bullet, body_font, inner - 30)
            ):
                blocks.append(("   " + line if i else line, body_font, DARK, 42))
        blocks.append(("", body_font, DARK, 18))
    source_lines = _wrap(scratch, card.source, small_font, inner)
    header = 60 + 66 * len(title_lines) + 30
    height = header + sum(b[3] for b in blocks) + 30 * len(source_lines) + 90
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, header), fill=RED)
    y = 60
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill="white")
        y += 66
    y = header + 30
    for text, font, colour, step in blocks:
        if text:
            draw.text((MARGIN, y), text, font=font, fill=colour)
        y += step
    y += 20
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=(220, 220, 220), width=2)
    y += 14
    for line in source_lines:
        draw.text((MARGIN, y), line, font=small_font, fill=GREY)
        y += 30
    out = io.BytesIO()
    # 64 colours are plenty for flat text on white and make the file ~3× smaller.
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
        out, format="PNG", compress_level=6
    )
    return out.getvalue()


def render_pdf(card: Card, printed_at: datetime | None = None) -> bytes:
    """The card as an A4 PDF."""
    doc = new_document(card.title, printed_at, note=card.source[:90])
    doc.heading(card.title, size=18)
    doc.paragraph(card.description, size=11)
    for section in card.sections:
        if section.heading:
            doc.heading(section.heading, size=13)
        for bullet in section.bullets:
            prefix = "" if bullet.startswith("☐") else "•  "
            doc.paragraph(prefix + bullet, size=11)
    doc.ln(4)
    doc.paragraph(card.source, size=8)
    return doc.output_bytes()


@dataclass(frozen=True)
class StarterItem:
    """One item to seed: its key, fields, and how to make its file."""

    key: str
    meta: catalog.MaterialInput
    make: object = None  # () -> bytes, or None for text items
    light_text: str | None = None


def starter_items() -> list[StarterItem]:
    """Every starter item in both languages (files are made lazily)."""
    items: list[StarterItem] = []
    data = load_starter()
    for lang in LANGUAGES:
        for card in cards(lang):
            base = {
                "hazard": card.hazard,
                "stage": card.stage,
                "audience": card.audience,
                "language": lang,
                "description": card.description,
                "tags": (*card.tags, "starter"),
            }
            items.append(
                StarterItem(
                    f"{card.key}.png.{lang}",
                    catalog.MaterialInput(
                        title=card.title, kind="infographic_image", **base
                    ),
                    make=lambda card=card: render_png(card),
                )
            )
            items.append(
                StarterItem(
                    f"{card.key}.pdf.{lang}",
                    catalog.MaterialInput(
                        title=f"{card.title} (PDF)", kind="infographic_pdf", **base
                    ),
                    make=lambda card=card: render_pdf(card),
                    light_text=card.text(),
                )
            )
        for key, spec in data["texts"].items():
            words = spec[lang]
            items.append(
                StarterItem(
                    f"{key}.{lang}",
                    catalog.MaterialInput(
                        title=words["title"],
                        kind=spec["kind"],
                        hazard=spec["hazard"],
                        stage=spec["stage"],
                        audience=spec["audience"],
                        language=lang,
                        tags=(*spec.get("tags", ()), "starter"),
                        text_body=words["body"],
                    ),
                )
            )
        checklist = supplies.household_checklist(4, 3, lang=lang)
        kit = next(c for c in cards(lang) if c.key == "household_kit")
        items.append(
            StarterItem(
                f"supply_list.{lang}",
                catalog.MaterialInput(
                    title=supplies.checklist_text(checklist).splitlines()[0],
                    kind="supply_list",
                    hazard="storm",
                    stage="before",
                    audience="households",
                    language=lang,
                    description=kit.description,
                    tags=("nhu yếu phẩm", "supplies", "starter"),
                    text_body=supplies.checklist_text(checklist),
                ),
            )
        )
    return items


def seed_starter_content(ctx: AppContext, actor: Principal = SYSTEM) -> list[str]:
    """Publish the starter items that were never seeded; return their keys.

    An item withdrawn by an admin is not re-published (its key exists).
    Another server seeding at the same moment only costs a skipped item.
    """
    with ctx.sessions() as session:
        existing = set(
            session.scalars(
                select(OutreachMaterial.starter_key).where(
                    OutreachMaterial.starter_key.is_not(None)
                )
            )
        )
    todo = [item for item in starter_items() if item.key not in existing]

    def seed(item: StarterItem) -> str | None:
        data = item.make() if item.make is not None else None
        try:
            catalog.publish(
                ctx,
                actor,
                item.meta,
                data,
                light_text=item.light_text,
                starter_key=item.key,
            )
        except IntegrityError:
            log.info("starter item %s was seeded by another server", item.key)
            return None
        return item.key

    # Pillow encodes without holding the GIL: render and prepare in parallel.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return [key for key in pool.map(seed, todo) if key is not None]
