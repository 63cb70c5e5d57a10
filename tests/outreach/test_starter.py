"""Starter content: made by our code, in both languages, seeded once."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

from dashboard.outreach import catalog, starter
from dashboard.outreach.storage import LocalFileStore
from tests.support.outreach import ADMIN, VOLUNTEER


def test_starter_content_in_both_languages_seeded_once(ctx):
    created = starter.seed_starter_content(ctx)
    assert len(created) == len(starter.starter_items()) == 24
    assert starter.seed_starter_content(ctx) == []
    store = LocalFileStore(ctx.settings.data_dir)
    for lang in ("vi", "en"):
        items = catalog.search(ctx, VOLUNTEER, language=lang)
        kinds = {m.kind for m in items}
        assert kinds == {
            "infographic_image",
            "infographic_pdf",
            "message",
            "loudspeaker",
            "supply_list",
        }
        assert len(items) == 12
        for m in items:
            assert m.size > 0 and m.checksum and m.light_size > 0
            assert m.light_size <= m.size or m.kind == "infographic_pdf"
    vi_titles = {m.title for m in catalog.search(ctx, VOLUNTEER, language="vi")}
    assert "Phương châm “4 tại chỗ”" in vi_titles
    assert "Cấp gió bão: mỗi cấp nguy hiểm thế nào" in vi_titles
    # Found without diacritics, in Vietnamese and in English.
    assert catalog.search(
        ctx, VOLUNTEER, "4 tai cho", language="vi", kind="infographic_image"
    )
    assert catalog.search(ctx, VOLUNTEER, "household kit", language="en")
    png = next(
        m for m in catalog.search(ctx, VOLUNTEER, "cap gio", kind="infographic_image")
    )
    image = Image.open(io.BytesIO(store.get(png.file_path)))
    assert image.format == "PNG" and image.width == starter.WIDTH
    assert max(Image.open(io.BytesIO(store.get(png.thumb_path))).size) <= 320


def test_a_withdrawn_starter_item_is_not_seeded_again(ctx):
    starter.seed_starter_content(ctx)
    item = catalog.search(ctx, VOLUNTEER, "4 tai cho", kind="infographic_pdf")[0]
    catalog.withdraw(ctx, ADMIN, item.id, reason="thay bằng bản của tỉnh")
    assert starter.seed_starter_content(ctx) == []
    assert item.id not in {m.id for m in catalog.search(ctx, VOLUNTEER)}


def test_beaufort_card_uses_the_official_bands():
    card = next(c for c in starter.cards("vi") if c.key == "beaufort")
    headings = [s.heading for s in card.sections if s.heading]
    assert headings[0] == "Cấp 6–7 · 39–61 km/h"
    assert headings[1] == "Cấp 8–9 · 62–88 km/h"
    assert headings[-1] == "Từ cấp 14 · ≥ 150 km/h"
    assert card.sections[1].bullets[1].startswith("Trên biển:")
    english = next(c for c in starter.cards("en") if c.key == "beaufort")
    assert english.sections[1].heading == "Level 8–9 · 62–88 km/h"


def test_kit_card_follows_the_calculator():
    card = next(c for c in starter.cards("vi") if c.key == "household_kit")
    assert "☐ 48 lít – Nước uống và sinh hoạt" in card.sections[0].bullets


def test_pdf_cards_keep_vietnamese_text():
    card = next(c for c in starter.cards("vi") if c.key == "four_on_spot")
    text = PdfReader(io.BytesIO(starter.render_pdf(card))).pages[0].extract_text()
    for words in ("Chỉ huy tại chỗ", "Lực lượng tại chỗ", "Hậu cần tại chỗ"):
        assert words in text
    assert "Hậu cần tại chỗ" in card.text()
