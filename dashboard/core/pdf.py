"""PDF documents with correct Vietnamese diacritics.

fpdf2's built-in fonts cover Latin-1 only, so every document embeds DejaVu
Sans (shipped with matplotlib, which we install anyway), which has every
Vietnamese glyph. Use :func:`new_document` for checklists, assignment
sheets and situation reports alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"


class Document(FPDF):
    """An A4 portrait document with a running footer (title, page n/N)."""

    def __init__(self, title: str, footer_note: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.title_text = title
        self.footer_note = footer_note
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_title(title)
        self.set_creator("vn-storm-dashboard")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()
        self.add_page()
        self.set_font(FONT, "", 10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "I", 7)
        self.set_text_color(100)
        self.cell(0, 5, f"{self.footer_note}   {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FONT, "", 10)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font(FONT, "", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def new_document(
    title: str, printed_at: datetime | None = None, note: str = ""
) -> Document:
    """A document titled *title*; the footer says when it was printed."""
    stamp = f"{printed_at:%H:%M %d/%m/%Y}" if printed_at else ""
    return Document(title, footer_note=" · ".join(p for p in (note, stamp) if p))


def add_table(
    doc: Document, headings: list[str], rows: list[list[object]], widths
) -> None:
    """A table with a grey heading row, in the document's font at 8 pt."""
    doc.set_font(FONT, "", 8)
    with doc.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4.2,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
    ) as table:
        head = table.row()
        for text in headings:
            head.cell(text)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell("" if value is None else str(value))
    doc.ln(2)
    doc.set_font(FONT, "", 10)
