"""``dashboard report weekly`` through the real command line."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from dashboard.bootstrap import open_context
from dashboard.cli import main
from dashboard.config import load_settings
from tests.reports.test_weekly import WEEK, seed


def run(argv) -> int:
    return main(argv)


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DASHBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_DEMO", raising=False)
    ctx = open_context(load_settings())
    seed(ctx)
    ctx.engine.dispose()
    return tmp_path


def test_weekly_text_to_stdout(seeded, capsys):
    assert (
        run(["report", "weekly", "--province", "33", "--week", WEEK, "--format", "txt"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Tiếp nhận 6, đã trả lời 4, chuyển Bộ 1, còn chờ xử lý 5." in out
    assert len(out.strip()) < 1000


def test_weekly_docx_and_national_xlsx_to_files(seeded, capsys):
    target = seeded / "bc.docx"
    argv = ["report", "weekly", "--province", "33", "--week", WEEK, "--format", "docx"]
    assert (
        run([*argv, "--output", str(target), "--number", "125", "--date", "2025-07-21"])
        == 0
    )
    text = "\n".join(
        c.text
        for t in Document(io.BytesIO(target.read_bytes())).tables
        for r in t.rows
        for c in r.cells
    )
    assert "Số: 125/BC-UBND" in text and "Hưng Yên, ngày 21 tháng 7 năm 2025" in text
    assert "6 raised, 4 answered, 1 forwarded, 5 open" in capsys.readouterr().out
    national = seeded / "all.xlsx"
    argv = ["report", "weekly", "--province", "all", "--week", WEEK, "--format", "xlsx"]
    assert run([*argv, "--output", str(national)]) == 0
    sheet = load_workbook(national)["Toàn quốc"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["33"][2:6] == (6, 4, 1, 5)


def test_weekly_refuses_bad_input(seeded, capsys):
    base = ["report", "weekly", "--format", "pdf"]
    for argv, message in [
        ([*base, "--province", "99", "--output", "x.pdf"], "no province"),
        ([*base, "--province", "33", "--week", "2025-29"], "week"),
        ([*base, "--province", "33", "--week", WEEK], "--output PATH"),
        ([*base, "--province", "all", "--week", WEEK], "xlsx or txt"),
    ]:
        assert run(argv) == 1
        assert message in capsys.readouterr().err
