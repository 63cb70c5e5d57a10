"""Spreadsheet cells that cannot run as formulas (CSV/formula injection).

Text typed by users (feedback titles, notes, ministry names) ends up in XLSX and
CSV files opened in Excel or LibreOffice. A cell starting with ``=``, ``+``,
``-``, ``@`` (or a tab / carriage return followed by one) would be read as a
formula, so such text is prefixed with an apostrophe, the spreadsheet
convention for "this is text" (OWASP's recommendation). Numbers are untouched.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """*value*, with a leading apostrophe when it is text that looks like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        # Excel has no time zones: write the wall clock of the value as given.
        return value.replace(tzinfo=None)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()  # numpy scalar → Python
    return safe_cell(value)


def add_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    preamble: Sequence[str] = (),
) -> None:
    """A sheet with optional preamble lines, a bold header and safe cells."""
    # A new workbook holds one empty sheet: use it for the first table.
    if len(workbook.worksheets) == 1 and not workbook.active._cells:
        sheet = workbook.active
        sheet.title = title[:31]
    else:
        sheet = workbook.create_sheet(title[:31])
    for line in preamble:
        sheet.append([safe_cell(line)])
    if preamble:
        sheet.append([])
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_plain(v) for v in row])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            10, min(50, len(str(name)) + 4)
        )


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def frame_to_xlsx(
    frame: pd.DataFrame, title: str, preamble: Sequence[str] = ()
) -> bytes:
    """One sheet holding *frame* (header = column names), cells neutralised."""
    workbook = Workbook()
    add_sheet(
        workbook,
        title,
        list(frame.columns),
        frame.itertuples(index=False, name=None),
        preamble=preamble,
    )
    return workbook_bytes(workbook)


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel then reads the diacritics),
    text cells neutralised like in XLSX."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(safe_cell)
    return safe.to_csv(index=False).encode("utf-8-sig")
