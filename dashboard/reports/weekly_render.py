"""The weekly report as Zalo text, PDF, XLSX and DOCX (issue 14, part 1).

All four are in Vietnamese: the report goes to a Vietnamese ministry. The
DOCX follows the layout of an administrative report (Decree 30/2020/NĐ-CP):
issuing body and number on the left, the national motto on the right, the
place and date line, the title ``BÁO CÁO``, ``Kính gửi: Bộ Nội vụ``, numbered
body sections, then ``Nơi nhận`` and the signature block. Text typed by users
is neutralised in XLSX cells (see :mod:`dashboard.reports.cells`).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook

from dashboard.core.pdf import add_table, new_document
from dashboard.core.time import VIETNAM_OFFSET
from dashboard.reports.cells import add_sheet, workbook_bytes
from dashboard.reports.weekly import (
    CATEGORY_LABELS_VI,
    STATUS_LABELS_VI,
    NationalRollup,
    WeeklyReport,
)
from dashboard.store.models.feedback import CATEGORIES

__all__ = [
    "FORMATS",
    "MAX_TEXT_CHARS",
    "MINISTRY",
    "file_name",
    "render",
    "rollup_to_text",
    "rollup_to_xlsx",
    "to_docx",
    "to_pdf",
    "to_text",
    "to_xlsx",
]

MAX_TEXT_CHARS = 1000
MINISTRY = "Bộ Nội vụ"
NATIONAL_MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"


def _num(value: float | None, digits: int = 1) -> str:
    """Vietnamese decimal comma; "—" for no value."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def _local(value: datetime) -> str:
    return f"{value.astimezone(UTC) + VIETNAM_OFFSET:%H:%M %d/%m/%Y}"


def _days(hours: float) -> str:
    if hours < 48:
        return f"{_num(hours)} giờ"
    return f"{_num(hours / 24)} ngày"


def _in_text(report: WeeklyReport) -> str:
    """ "tỉnh Hưng Yên", "thành phố Huế": the full name inside a sentence."""
    full = report.province_full_name
    return full[:1].lower() + full[1:]


def _week_no(report: WeeklyReport) -> tuple[int, int]:
    year, week = report.iso_week.split("-W")
    return int(week), int(year)


def _title_line(report: WeeklyReport) -> str:
    week, year = _week_no(report)
    return f"tuần {week}/{year} ({report.week_label})"


# --------------------------------------------------------------------------- #
# Zalo text


def _fit(lines: list[str], limit: int) -> str:
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def to_text(report: WeeklyReport, limit: int = MAX_TEXT_CHARS - 1) -> str:
    """A Zalo/SMS text in Vietnamese, at most *limit* (< 1,000) characters.

    The figures come first; the lists and the province's summary fill what
    room is left and are cut with "…".
    """
    t = report.totals
    lines = [
        f"UBND {_in_text(report)} – báo cáo kiến nghị của xã {_title_line(report)}",
        f"Tiếp nhận {t['raised']}, đã trả lời {t['answered']}, "
        f"chuyển Bộ {t['forwarded']}, còn chờ xử lý {t['open']}.",
    ]
    if report.answer_hours:
        lines.append(
            f"Thời gian trả lời: trung vị {_num(report.median_hours_to_answer)} giờ, "
            f"trung bình {_num(report.mean_hours_to_answer)} giờ."
        )
    cats = [
        f"{CATEGORY_LABELS_VI[c]} {v['raised']}/{v['open']}"
        for c, v in report.by_category().items()
        if v["raised"] or v["open"]
    ]
    if cats:
        lines.append("Theo nhóm (mới/chờ): " + "; ".join(cats) + ".")
    optional: list[str] = []
    if report.oldest_unanswered:
        optional.append(
            "Chờ lâu nhất: "
            + "; ".join(
                f"#{o.id} {o.commune_name} – {o.title} ({_days(o.age_hours)})"
                for o in report.oldest_unanswered[:3]
            )
            + "."
        )
    if report.forwarded_items:
        optional.append(
            "Chuyển Bộ: "
            + "; ".join(
                f"#{f.item_id} {f.commune_name} → {f.ministry}"
                for f in report.forwarded_items[:3]
            )
            + (
                f" (+{len(report.forwarded_items) - 3})"
                if len(report.forwarded_items) > 3
                else ""
            )
            + "."
        )
    for line in optional:
        candidate = [*lines, line]
        if len("\n".join(candidate)) <= limit - 60:
            lines = candidate
        else:
            lines.append(_fit([line], max(20, limit - 60 - len("\n".join(lines)))))
            break
    if report.summary_text:
        room = limit - len("\n".join(lines)) - len("\nTỉnh đánh giá: ")
        if room > 20:
            summary = " ".join(report.summary_text.split())
            if len(summary) > room:
                summary = summary[: room - 1].rstrip() + "…"
            lines.append(f"Tỉnh đánh giá: {summary}")
    return _fit(lines, limit)


# --------------------------------------------------------------------------- #
# tables shared by the PDF, XLSX and DOCX


def category_rows(report: WeeklyReport) -> list[list[object]]:
    rows: list[list[object]] = []
    for category in CATEGORIES:
        v = report.by_category()[category]
        rows.append(
            [
                CATEGORY_LABELS_VI[category],
                v["raised"],
                v["answered"],
                v["forwarded"],
                v["open"],
            ]
        )
    t = report.totals
    rows.append(["Tổng cộng", t["raised"], t["answered"], t["forwarded"], t["open"]])
    return rows


COMMUNE_HEADER = [
    "Mã xã",
    "Xã, phường",
    "Nhóm",
    "Tiếp nhận",
    "Đã trả lời",
    "Chuyển Bộ",
    "Còn chờ",
]
OLDEST_HEADER = [
    "Số",
    "Xã, phường",
    "Nhóm",
    "Nội dung",
    "Trạng thái",
    "Chờ từ",
    "Đã chờ",
]
FORWARD_HEADER = [
    "Số",
    "Xã, phường",
    "Nhóm",
    "Nội dung",
    "Chuyển đến",
    "Ghi chú",
    "Thời điểm",
]


def commune_rows(report: WeeklyReport) -> list[list[object]]:
    return [
        [
            r.commune_code,
            r.commune_name,
            CATEGORY_LABELS_VI.get(r.category, r.category),
            r.raised,
            r.answered,
            r.forwarded,
            r.open,
        ]
        for r in report.rows
    ]


def oldest_rows(report: WeeklyReport) -> list[list[object]]:
    return [
        [
            f"#{o.id}",
            o.commune_name,
            CATEGORY_LABELS_VI.get(o.category, o.category),
            o.title,
            STATUS_LABELS_VI.get(o.status, o.status),
            _local(o.waiting_since),
            _days(o.age_hours),
        ]
        for o in report.oldest_unanswered
    ]


def forward_rows(report: WeeklyReport) -> list[list[object]]:
    return [
        [
            f"#{f.item_id}",
            f.commune_name,
            CATEGORY_LABELS_VI.get(f.category, f.category),
            f.title,
            f.ministry,
            f.note,
            _local(f.forwarded_at),
        ]
        for f in report.forwarded_items
    ]


def _as_of(report: WeeklyReport) -> str:
    """ "đến hết ngày 20/07/2025" for a finished week, else "đến 15:00 16/07/2025"."""
    if report.as_of_utc >= report.end_utc:
        last = (report.end_utc + VIETNAM_OFFSET).date() - timedelta(days=1)
        return f"đến hết ngày {last:%d/%m/%Y}"
    return f"đến {_local(report.as_of_utc)}"


def _figures_lines(report: WeeklyReport) -> list[str]:
    t = report.totals
    return [
        f"Trong tuần, tỉnh tiếp nhận {t['raised']} kiến nghị mới của các xã, "
        f"trả lời {t['answered']} kiến nghị, chuyển {t['forwarded']} kiến nghị "
        f"đến các Bộ, ngành; {_as_of(report)} còn {t['open']} "
        "kiến nghị đang chờ xử lý.",
        "Thời gian từ khi tiếp nhận đến khi trả lời: trung vị "
        f"{_num(report.median_hours_to_answer)} giờ, trung bình "
        f"{_num(report.mean_hours_to_answer)} giờ "
        f"({len(report.answer_hours)} lượt trả lời).",
    ]


# --------------------------------------------------------------------------- #
# PDF


def to_pdf(report: WeeklyReport, printed_at: datetime | None = None) -> bytes:
    """The report as an A4 PDF (DejaVu Sans: every Vietnamese glyph)."""
    title = f"Báo cáo kiến nghị của xã – {report.province_full_name}"
    doc = new_document(title, printed_at, note=f"Tuần {report.iso_week}")
    doc.heading(f"UBND {report.province_full_name.upper()}", 11)
    doc.heading("BÁO CÁO TÌNH HÌNH TIẾP NHẬN, XỬ LÝ KIẾN NGHỊ CỦA CÁC XÃ", 13)
    doc.paragraph(f"{_title_line(report).capitalize()} · Kính gửi: {MINISTRY}")
    doc.heading("1. Kết quả", 11)
    for line in _figures_lines(report):
        doc.paragraph(line)
    add_table(
        doc,
        ["Nhóm", "Tiếp nhận", "Đã trả lời", "Chuyển Bộ", "Còn chờ"],
        category_rows(report),
        (60, 30, 30, 30, 30),
    )
    if report.rows:
        doc.heading("2. Theo xã và nhóm", 11)
        add_table(
            doc, COMMUNE_HEADER, commune_rows(report), (16, 50, 30, 20, 22, 22, 20)
        )
    doc.heading("3. Kiến nghị chờ lâu nhất", 11)
    if report.oldest_unanswered:
        add_table(doc, OLDEST_HEADER, oldest_rows(report), (12, 32, 22, 50, 22, 24, 18))
    else:
        doc.paragraph("Không có kiến nghị nào đang chờ xử lý.")
    doc.heading("4. Kiến nghị chuyển các Bộ, ngành", 11)
    if report.forwarded_items:
        add_table(
            doc, FORWARD_HEADER, forward_rows(report), (12, 28, 20, 40, 30, 26, 24)
        )
    else:
        doc.paragraph("Trong tuần không có kiến nghị chuyển Bộ, ngành.")
    doc.heading("5. Đánh giá, đề xuất của tỉnh", 11)
    doc.paragraph(report.summary_text or "(Chưa có nội dung.)")
    return doc.output_bytes()


# --------------------------------------------------------------------------- #
# XLSX


def to_xlsx(report: WeeklyReport) -> bytes:
    """Sheets: summary (with categories), commune × category, oldest, forwarded.

    Text cells starting with ``= + - @`` are prefixed with an apostrophe.
    """
    workbook = Workbook()
    preamble = [
        f"UBND {_in_text(report)}",
        f"Báo cáo kiến nghị của xã {_title_line(report)}",
        f"Số liệu {_as_of(report)}",
        *_figures_lines(report),
        f"Đánh giá, đề xuất của tỉnh: {report.summary_text}",
    ]
    add_sheet(
        workbook,
        "Tổng hợp",
        ["Nhóm", "Tiếp nhận", "Đã trả lời", "Chuyển Bộ", "Còn chờ"],
        category_rows(report),
        preamble=preamble,
    )
    add_sheet(workbook, "Theo xã", COMMUNE_HEADER, commune_rows(report))
    add_sheet(workbook, "Chờ lâu nhất", OLDEST_HEADER, oldest_rows(report))
    add_sheet(workbook, "Chuyển Bộ", FORWARD_HEADER, forward_rows(report))
    return workbook_bytes(workbook)


# --------------------------------------------------------------------------- #
# DOCX


def _docx_font(document) -> None:

    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    # East-Asian fallback name too, or Word may pick another font for ư, ơ …
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")


def _cell_lines(cell, lines: list[tuple[str, bool, bool]], size: int = 13) -> None:
    """Fill a table cell with centred lines (text, bold, italic)."""

    cell.text = ""
    first = True
    for text, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.italic = italic
        run.font.size = Pt(size)


def _docx_table(document, header: list[str], rows: list[list[object]]) -> None:

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(11)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size = Pt(11)
    document.add_paragraph()


def to_docx(
    report: WeeklyReport,
    *,
    issued_on: date | None = None,
    number: str = "",
    signer_title: str = "CHỦ TỊCH",
    signer_name: str = "",
) -> bytes:
    """The report as an administrative report (DOCX) to the Ministry of Home Affairs.

    *issued_on* (Vietnam date; default: the date of the report's cut-off) fills
    the place and date line; *number* the register number (left as "…" for the
    clerk when empty).
    """

    issued_on = issued_on or (report.as_of_utc + VIETNAM_OFFSET).date()
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    _docx_font(document)

    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    _cell_lines(
        left,
        [
            (f"UBND {report.province_full_name.upper()}", True, False),
            ("―――――", False, False),
            (f"Số: {number or '…'}/BC-UBND", False, False),
        ],
    )
    _cell_lines(
        right,
        [
            (NATIONAL_MOTTO, True, False),
            (MOTTO_LINE, True, False),
            ("―――――――――――", False, False),
            (
                f"{report.province_name}, ngày {issued_on.day} tháng "
                f"{issued_on.month} năm {issued_on.year}",
                False,
                True,
            ),
        ],
    )

    def centred(text: str, bold: bool = False, size: int = 14) -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)

    def heading(text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.add_run(text).bold = True

    def body(text: str) -> None:
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)

    document.add_paragraph()
    centred("BÁO CÁO", bold=True, size=14)
    centred(
        "Tình hình tiếp nhận, xử lý kiến nghị của các xã, phường "
        f"{_title_line(report)}",
        bold=True,
        size=13,
    )
    centred(f"Kính gửi: {MINISTRY}.", size=13)
    body(
        f"Ủy ban nhân dân {_in_text(report)} báo cáo tình hình tiếp nhận, "
        "xử lý khó khăn, đề xuất, kiến nghị của các xã, phường trong tuần như sau:"
    )

    heading("I. KẾT QUẢ TIẾP NHẬN, XỬ LÝ")
    for line in _figures_lines(report):
        body(line)
    _docx_table(
        document,
        ["Nhóm", "Tiếp nhận", "Đã trả lời", "Chuyển Bộ", "Còn chờ"],
        category_rows(report),
    )
    if report.rows:
        document.add_paragraph("Chi tiết theo xã, phường và nhóm kiến nghị:")
        _docx_table(document, COMMUNE_HEADER, commune_rows(report))

    heading("II. KIẾN NGHỊ CHỜ XỬ LÝ LÂU NHẤT")
    if report.oldest_unanswered:
        _docx_table(document, OLDEST_HEADER, oldest_rows(report))
    else:
        document.add_paragraph("Không có kiến nghị nào đang chờ xử lý.")

    heading("III. KIẾN NGHỊ CHUYỂN CÁC BỘ, NGÀNH")
    if report.forwarded_items:
        _docx_table(document, FORWARD_HEADER, forward_rows(report))
    else:
        document.add_paragraph("Trong tuần không có kiến nghị chuyển Bộ, ngành.")

    heading("IV. ĐÁNH GIÁ, ĐỀ XUẤT")
    for part in (report.summary_text or "(Chưa có nội dung.)").splitlines():
        if part.strip():
            body(part.strip())
    body(f"Ủy ban nhân dân {_in_text(report)} kính báo cáo {MINISTRY}./.")

    footer = document.add_table(rows=1, cols=2)
    recipients, signature = footer.rows[0].cells
    recipients.text = ""
    p = recipients.paragraphs[0]
    run = p.add_run("Nơi nhận:")
    run.bold = True
    run.italic = True
    run.font.size = Pt(12)
    for line in (
        f"- Như trên ({MINISTRY});",
        "- Bộ Nông nghiệp và Môi trường;",
        "- TT Tỉnh ủy, TT HĐND tỉnh;",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Lưu: VT.",
    ):
        r = recipients.add_paragraph().add_run(line)
        r.font.size = Pt(11)
    _cell_lines(
        signature,
        [
            ("TM. ỦY BAN NHÂN DÂN", True, False),
            (signer_title, True, False),
            ("", False, False),
            ("", False, False),
            ("", False, False),
            (signer_name, True, False),
        ],
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- #
# national roll-up


ROLLUP_HEADER = [
    "Mã tỉnh",
    "Tỉnh, thành phố",
    "Tiếp nhận",
    "Đã trả lời",
    "Chuyển Bộ",
    "Còn chờ",
    "Trung vị giờ trả lời",
    "Trung bình giờ trả lời",
    "Có đánh giá của tỉnh",
]


def rollup_to_xlsx(rollup: NationalRollup) -> bytes:
    """One row per province, then one sheet per province's summary text."""
    workbook = Workbook()
    rows = [
        [
            r.province_code,
            r.province_name,
            r.raised,
            r.answered,
            r.forwarded,
            r.open,
            None
            if r.median_hours_to_answer is None
            else round(r.median_hours_to_answer, 1),
            None
            if r.mean_hours_to_answer is None
            else round(r.mean_hours_to_answer, 1),
            "có" if r.has_summary else "chưa",
        ]
        for r in rollup.frame.itertuples()
    ]
    add_sheet(
        workbook,
        "Toàn quốc",
        ROLLUP_HEADER,
        rows,
        preamble=[f"Tổng hợp kiến nghị của các xã, tuần {rollup.iso_week}"],
    )
    add_sheet(
        workbook,
        "Đánh giá của tỉnh",
        ["Mã tỉnh", "Tỉnh, thành phố", "Đánh giá, đề xuất"],
        [
            [code, r.province_name, r.summary_text]
            for code, r in sorted(rollup.reports.items())
            if r.summary_text
        ],
    )
    return workbook_bytes(workbook)


def rollup_to_text(rollup: NationalRollup, limit: int = MAX_TEXT_CHARS - 1) -> str:
    """A short national summary (< 1,000 characters)."""
    t = rollup.totals
    lines = [
        f"Kiến nghị của các xã toàn quốc, tuần {rollup.iso_week}: "
        f"tiếp nhận {t['raised']}, đã trả lời {t['answered']}, "
        f"chuyển Bộ {t['forwarded']}, còn chờ {t['open']}.",
        f"Trung vị thời gian trả lời: {_num(rollup.median_hours_to_answer)} giờ.",
    ]
    busiest = rollup.frame.sort_values(
        ["open", "province_code"], ascending=[False, True]
    )
    busiest = busiest[busiest["open"] > 0].head(5)
    if not busiest.empty:
        lines.append(
            "Còn chờ nhiều nhất: "
            + "; ".join(f"{r.province_name} {r.open}" for r in busiest.itertuples())
            + "."
        )
    return _fit(lines, limit)


# --------------------------------------------------------------------------- #
# one entry point for the command line and the page

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "txt": ("text/plain; charset=utf-8", "txt"),
}


def file_name(report: WeeklyReport, fmt: str) -> str:
    """``bao_cao_tuan_33_2025-W29.docx``."""
    return f"bao_cao_tuan_{report.province_code}_{report.iso_week}.{FORMATS[fmt][1]}"


def render(report: WeeklyReport, fmt: str, **options: object) -> bytes:
    """The report in *fmt* (``pdf``, ``xlsx``, ``docx`` or ``txt``) as bytes.

    *options* go to the renderer (``issued_on``/``number`` for DOCX,
    ``printed_at`` for PDF).
    """
    if fmt == "pdf":
        return to_pdf(report, **options)  # type: ignore[arg-type]
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "docx":
        return to_docx(report, **options)  # type: ignore[arg-type]
    if fmt == "txt":
        return to_text(report).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
