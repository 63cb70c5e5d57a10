"""Exports: the readiness board as CSV/XLSX, a commune plan as a PDF checklist."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from dashboard.core.pdf import new_document
from dashboard.core.text import safe_cell
from dashboard.core.time import to_vietnam_time
from dashboard.plans.model import PILLARS
from dashboard.plans.tasks import TaskView


def _local(value: datetime | None) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{to_vietnam_time(value):%H:%M %d/%m/%Y}"


def board_table(board: pd.DataFrame) -> pd.DataFrame:
    """The board as exported: readiness in percent, times in Vietnam time,
    text cells through :func:`~dashboard.core.text.safe_cell`."""
    out = board.drop(columns=["plan_id"], errors="ignore").copy()
    for column in [c for c in out.columns if c.startswith("readiness")]:
        out[column] = (out[column] * 100).round(1)
    for column in ("eta_utc", "last_update"):
        out[column] = out[column].map(_local)
    out = out.rename(
        columns={"eta_utc": "eta_vietnam", "last_update": "last_update_vietnam"}
    )
    out["hours_left"] = out["hours_left"].round(1)
    # Names come from imported files and users: never a live formula.
    return out.map(safe_cell)


def board_csv(board: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so spreadsheet programs show Vietnamese names right."""
    return board_table(board).to_csv(index=False).encode("utf-8-sig")


def board_xlsx(board: pd.DataFrame, sheet: str = "readiness") -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        board_table(board).to_excel(writer, index=False, sheet_name=sheet[:31])
    return out.getvalue()


def recorded(task: TaskView, text: Callable[..., str]) -> list[str]:
    """What was recorded for *task*: reason, note, number, photo, by whom and
    when (Vietnam time) — the evidence the printed plan must carry."""
    lines = []
    if task.reason:
        lines.append(text("plans.print.reason", reason=task.reason))
    if task.evidence_note:
        lines.append(text("plans.print.note", note=task.evidence_note))
    if task.evidence_number is not None:
        number = task.evidence_number
        shown = f"{int(number):,}" if float(number).is_integer() else f"{number:,}"
        lines.append(
            text("plans.print.number", number=shown, unit=task.evidence_unit or "")
        )
    if task.evidence_photo:
        lines.append(text("plans.print.photo"))
    if lines and task.status != "todo":
        lines.append(
            text(
                "plans.print.by",
                who=task.updated_by,
                when=_local(task.updated_at),
            )
        )
    return lines


def checklist_pdf(
    title: str,
    subtitle: str,
    tasks: list[TaskView],
    text: Callable[..., str],
    lang: str,
    deadline_text: Callable[[TaskView], str],
    printed_at: datetime | None = None,
) -> bytes:
    """A printable checklist grouped by pillar: box, title, deadline, evidence.

    *text* translates message keys (``t``); *deadline_text* formats a task's
    deadline the way the page shows it.
    """
    doc = new_document(title, printed_at=printed_at, note=subtitle)
    doc.heading(title)
    doc.paragraph(subtitle)
    for pillar in PILLARS:
        group = [t for t in tasks if t.pillar == pillar]
        if not group:
            continue
        doc.heading(text(f"plans.pillar.{pillar}"), size=12)
        for task in group:
            box = "☑" if task.status == "done" else "☐"
            status = text(f"plans.status.{task.status}")
            doc.paragraph(f"{box} {task.title(lang)}", size=10)
            details = [deadline_text(task), status]
            if task.evidence != "none":
                details.append(
                    text(f"plans.evidence.{task.evidence}", unit=task.evidence_unit)
                )
            doc.paragraph("    " + " · ".join(details), size=8)
            for line in recorded(task, text):
                doc.paragraph("    " + line, size=8)
            if task.guidance(lang):
                doc.paragraph("    " + task.guidance(lang), size=8)
    return doc.output_bytes()
