"""Every page, in Vietnamese, for every role: no English from Streamlit's
defaults or from Python, no raw snake_case keys.

The texts a user reads are taken from the rendered element tree (labels,
placeholders, help, options, markdown, captions, alerts, table headers). A
selectbox or multiselect without a placeholder shows Streamlit's English
"Choose an option"/"Choose options", so an empty placeholder counts as English.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui.navigation import PAGES, PAGES_BY_ROLE
from tests.support.helpers import REPO_ROOT
from tests.ui.test_app import PRINCIPALS

APP = str(REPO_ROOT / "dashboard" / "app.py")

#: English a Vietnamese page must not show (Streamlit defaults, Python leaks).
ENGLISH = [
    "Choose an option",
    "Choose options",
    "Browse files",
    "Drag and drop",
    "per file",
    "Upload",
    "None",
    "nan",
    "NaT",
    "Traceback",
    "object at 0x",
    "Error",
    "is required",
    "must be",
    "at most",
    "bytes",
    "refused",
    "(boats)",
    "as of",
]
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")
# A raw key: two or more lowercase words joined by underscores.
_SNAKE = re.compile(r"(?<![\w./:@-])[a-z]+(?:_[a-z0-9]+)+(?![\w./:@-])")
_TEXT_FIELDS = {
    "label",
    "placeholder",
    "help",
    "body",
    "options",
    "caption",
    "text",
}


def _column_labels(proto) -> dict[str, str]:
    """Column name → the label set by ``column_config`` (what the grid shows)."""
    try:
        config = json.loads(getattr(proto, "columns", "") or "{}")
    except ValueError:
        return {}
    return {
        name.removeprefix("name:"): spec["label"]
        for name, spec in config.items()
        if isinstance(spec, dict) and spec.get("label")
    }


def _texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of everything a user reads on the page."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if kind in ("arrow_data_frame", "dataframe", "table"):
            try:
                frame = node.value
            except Exception:  # pragma: no cover - an unreadable frame
                frame = None
            labels = _column_labels(proto)
            if isinstance(frame, pd.DataFrame):
                found.extend(
                    (f"{kind} column", labels.get(str(c), str(c)))
                    for c in frame.columns
                )
            return
        if proto is None or not hasattr(proto, "ListFields"):
            return
        if kind in ("selectbox", "multiselect") and not proto.placeholder:
            found.append((kind, "Choose an option"))
        for field, value in proto.ListFields():
            if field.name not in _TEXT_FIELDS:
                continue
            values = [value] if isinstance(value, str) else list(value)
            for item in values:
                if isinstance(item, str) and item:
                    # Scripts (the drafts helper) are code, never read by anyone.
                    item = re.sub(r"<script>.*?</script>", " ", item, flags=re.S)
                    if item.strip():
                        found.append((f"{kind}.{field.name}", item))

    walk(at._tree)
    return found


def english_on(at: AppTest) -> list[str]:
    bad = []
    for where, text in _texts(at):
        # Links and inline code are data, not words.
        plain = re.sub(r"\]\([^)]*\)|`[^`]*`|https?://\S+", " ", text)
        for match in _WORDS.finditer(plain):
            bad.append(f"{where}: {match.group(0)!r} in {text[:120]!r}")
        for match in _SNAKE.finditer(plain):
            bad.append(f"{where}: raw key {match.group(0)!r} in {text[:120]!r}")
    return bad


def wall_clock_dates(at: AppTest) -> list[str]:
    """Texts showing this year (the real one) while the Wipha drill runs."""
    year = str(datetime.now(UTC).year)
    if year == "2025":  # pragma: no cover - the drill's own year
        return []
    pattern = re.compile(rf"(?:/{year}\b|\b{year}-\d\d)")
    return [
        f"{where}: {text[:120]!r}" for where, text in _texts(at) if pattern.search(text)
    ]


def _open(principal, key: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if principal is not None:
        at.session_state["auth.principal"] = principal
    at.session_state["lang"] = "vi"
    at.run()
    at.switch_page(str(PAGES[key].path.relative_to(REPO_ROOT / "dashboard")))
    return at.run()


CASES = [
    (who, key)
    for who, principal in PRINCIPALS.items()
    for key in PAGES_BY_ROLE[principal.role if principal else None]
]

pytestmark = pytest.mark.usefixtures("ui_environment")


@pytest.mark.parametrize(("who", "key"), CASES)
def test_no_english_on_a_vietnamese_page(who, key):
    at = _open(PRINCIPALS[who], key)
    assert not at.exception, at.exception
    bad = english_on(at)
    assert not bad, "\n".join(bad)
    # One clock: in the drill no page shows a date of the wall clock's year.
    assert wall_clock_dates(at) == []


def test_the_check_catches_streamlit_defaults():
    at = AppTest.from_string(
        "import streamlit as st\n"
        "st.selectbox('Tỉnh', ['a', 'b'], index=None)\n"
        "st.caption('storm_name')\n"
        "st.write('giá trị: None')\n"
    ).run()
    bad = english_on(at)
    assert any("Choose an option" in b for b in bad)
    assert any("storm_name" in b for b in bad)
    assert any("'None'" in b for b in bad)
