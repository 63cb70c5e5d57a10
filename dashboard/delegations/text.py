"""The delegation's Zalo/SMS summary and its one-page PDF assignment sheet.

Both are in Vietnamese (the language of the provincial command and of the
Zalo groups they go to). Times are Vietnam time (UTC+7). The summary is plain
text under :data:`ZALO_LIMIT` characters: long lists end with "… và N … khác"
and long texts are cut at a word with "…". The sheet follows the blocks of the
ICS 204 assignment list and always fits one A4 page (lists are cut the same
way); DejaVu Sans is embedded so diacritics render (:mod:`dashboard.core.pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from dashboard.core.pdf import new_document
from dashboard.core.time import to_vietnam_time
from dashboard.delegations.model import DelegationView

ZALO_LIMIT = 1000

STATUS_VI = {
    "planned": "Đã lên kế hoạch",
    "en_route": "Đang di chuyển",
    "on_site": "Đang làm việc tại xã",
    "returned": "Đã trở về",
    "cancelled": "Đã hủy",
}

#: Rows of each list printed on the sheet (the rest are counted).
SHEET_ROWS = 14
SHEET_TEXT = 900


def _short(value: datetime | None) -> str:
    return "—" if value is None else f"{to_vietnam_time(value):%H:%M %d/%m}"


def _long(value: datetime | None) -> str:
    return "—" if value is None else f"{to_vietnam_time(value):%H:%M %d/%m/%Y}"


def clip(text: str, limit: int) -> str:
    """*text* on one line, cut at a word boundary to at most *limit* characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;.") + "…"


def _late(view_arrival: datetime, eta: datetime | None) -> bool:
    return eta is not None and view_arrival > eta


def _fit_list(items: list[str], budget: int, more: str) -> list[str]:
    """As many *items* as fit in *budget* characters (one per line), then
    ``more.format(count=…)`` for the rest."""
    lines: list[str] = []
    used = 0
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        tail = len(more.format(count=rest)) + 1 if rest else 0
        if used + len(item) + 1 + tail > budget:
            line = more.format(count=len(items) - index)
            if used + len(line) + 1 <= budget:
                lines.append(line)
                used += len(line) + 1
            return lines
        lines.append(item)
        used += len(item) + 1
    return lines


def zalo_text(
    view: DelegationView,
    etas: Mapping[str, datetime | None] | None = None,
    limit: int = ZALO_LIMIT,
) -> str:
    """The assignment and status in plain Vietnamese, at most *limit* characters.

    Parameters
    ----------
    etas
        Level-6 wind arrival per commune code (a stop arriving later is marked).
    """
    etas = etas or {}
    status = STATUS_VI.get(view.status, view.status)
    if view.status == "cancelled" and view.cancel_reason:
        status += f" ({clip(view.cancel_reason, 80)})"
    elif view.status == "on_site" and view.checked_in_at:
        status += f" từ {_short(view.checked_in_at)}"
    elif view.status == "returned" and view.checked_out_at:
        status += f" lúc {_short(view.checked_out_at)}"
    times = (
        f"Xuất phát {_short(view.planned_departure_utc)}, "
        f"đến {_short(view.planned_arrival_utc)}"
    )
    if view.planned_return_utc:
        times += f", về {_short(view.planned_return_utc)}"
    head = [
        f"ĐOÀN CÔNG TÁC: {clip(view.name, 120)}",
        f"Trạng thái: {status}",
        f"Trưởng đoàn: {clip(view.leader_name, 80)} - {view.leader_phone}",
        times,
    ]
    if view.reporting_location:
        head.append(f"Tập trung: {clip(view.reporting_location, 100)}")
    text = "\n".join(head)
    remaining = limit - len(text)

    stops = []
    for c in view.communes:
        eta = etas.get(c.commune_code)
        line = f"- {clip(c.commune_name, 40)}: đến {_short(c.planned_arrival_utc)}"
        if eta is not None:
            line += f", gió cấp 6 {_short(eta)}"
        if _late(c.planned_arrival_utc, eta):
            line += " (!) ĐẾN SAU GIÓ CẤP 6"
        if c.confirmed_at:
            line += " (xã đã xác nhận)"
        stops.append(line)
    title = f"Các xã ({len(stops)}):"
    lines = _fit_list(
        stops, max(0, int(remaining * 0.5)) - len(title) - 1, "… và {count} xã khác"
    )
    if lines:
        text += "\n" + title + "\n" + "\n".join(lines)
        remaining = limit - len(text)

    if view.members:
        people = [
            f"- {clip(m.name, 40)}"
            + (f" ({clip(m.role, 30)})" if m.role else "")
            + (f" {m.phone}" if m.phone else "")
            for m in view.members
        ]
        title = f"Thành viên ({len(people)}):"
        lines = _fit_list(
            people,
            max(0, int(remaining * 0.6)) - len(title) - 1,
            "… và {count} người khác",
        )
        if lines:
            text += "\n" + title + "\n" + "\n".join(lines)
            remaining = limit - len(text)

    for label, body in (("Nhiệm vụ", view.instructions), ("Trang bị", view.equipment)):
        if not body:
            continue
        room = remaining - len(label) - 3
        if room < 20:
            break
        if label == "Nhiệm vụ" and view.equipment:
            room = max(20, int(room * 0.7))
        text += f"\n{label}: {clip(body, room)}"
        remaining = limit - len(text)
    if len(text) > limit:  # defensive: never send more than the limit
        text = clip(text, limit)
    return text


def assignment_sheet(
    view: DelegationView,
    etas: Mapping[str, datetime | None] | None = None,
    province_name: str = "",
    event_name: str = "",
    printed_at: datetime | None = None,
) -> bytes:
    """The one-page PDF assignment sheet (ICS 204-like blocks), Vietnamese."""
    etas = etas or {}
    doc = new_document(
        f"Phiếu giao nhiệm vụ — {view.name}",
        to_vietnam_time(printed_at) if printed_at else None,
        note="Phiếu giao nhiệm vụ đoàn công tác",
    )
    doc.set_auto_page_break(auto=False)
    doc.heading("PHIẾU GIAO NHIỆM VỤ ĐOÀN CÔNG TÁC", size=14)
    doc.paragraph(clip(view.name, 150), size=12)
    context = " · ".join(
        part
        for part in (
            f"Tỉnh: {province_name}" if province_name else "",
            f"Bão: {clip(event_name, 80)}" if event_name else "",
            f"Trạng thái: {STATUS_VI.get(view.status, view.status)}",
        )
        if part
    )
    doc.paragraph(context, size=9)

    doc.heading("1. Thời gian và địa điểm", size=11)
    when = (
        f"Xuất phát: {_long(view.planned_departure_utc)}    "
        f"Đến: {_long(view.planned_arrival_utc)}"
    )
    if view.planned_return_utc:
        when += f"    Về: {_long(view.planned_return_utc)}"
    doc.paragraph(when, size=9)
    if view.reporting_location:
        doc.paragraph(f"Địa điểm tập trung: {clip(view.reporting_location, 200)}", 9)

    doc.heading("2. Trưởng đoàn và thành viên", size=11)
    doc.paragraph(f"Trưởng đoàn: {view.leader_name} — {view.leader_phone}", size=9)
    doc.set_font("DejaVu", "", 8)
    if view.members:
        with doc.table(
            col_widths=(8, 62, 60, 50), line_height=4.5, text_align="LEFT"
        ) as table:
            header = table.row()
            for label in ("TT", "Họ và tên", "Chức vụ / nhiệm vụ", "Điện thoại"):
                header.cell(label)
            for index, m in enumerate(view.members[:SHEET_ROWS], start=1):
                row = table.row()
                row.cell(str(index))
                row.cell(clip(m.name, 45))
                row.cell(clip(m.role, 45))
                row.cell(m.phone)
        if len(view.members) > SHEET_ROWS:
            doc.paragraph(f"… và {len(view.members) - SHEET_ROWS} người khác", 8)
    doc.ln(1)

    doc.heading("3. Các xã đến làm việc", size=11)
    doc.set_font("DejaVu", "", 8)
    with doc.table(
        col_widths=(8, 62, 35, 35, 40), line_height=4.5, text_align="LEFT"
    ) as table:
        header = table.row()
        for label in ("TT", "Xã", "Dự kiến đến", "Gió cấp 6 đến", "Ghi chú"):
            header.cell(label)
        for index, c in enumerate(view.communes[:SHEET_ROWS], start=1):
            eta = etas.get(c.commune_code)
            note = "ĐẾN SAU GIÓ CẤP 6" if _late(c.planned_arrival_utc, eta) else ""
            if c.confirmed_at:
                note = (note + "; " if note else "") + "xã đã xác nhận"
            row = table.row()
            row.cell(str(index))
            row.cell(clip(c.commune_name, 45))
            row.cell(_long(c.planned_arrival_utc))
            row.cell(_long(eta))
            row.cell(note)
    if len(view.communes) > SHEET_ROWS:
        doc.paragraph(f"… và {len(view.communes) - SHEET_ROWS} xã khác", 8)
    doc.ln(1)

    doc.heading("4. Nhiệm vụ và chỉ dẫn", size=11)
    doc.paragraph(clip(view.instructions, SHEET_TEXT) or "—", size=9)
    doc.heading("5. Trang bị", size=11)
    doc.paragraph(clip(view.equipment, SHEET_TEXT // 2) or "—", size=9)
    if view.findings:
        doc.heading("6. Kết quả kiểm tra", size=11)
        doc.paragraph(clip(view.findings, SHEET_TEXT // 2), size=9)
    doc.paragraph(
        f"Lập bởi: {view.created_by} lúc {_long(view.created_at)} · "
        f"phiên bản {view.version}",
        size=7,
    )
    return doc.output_bytes()
