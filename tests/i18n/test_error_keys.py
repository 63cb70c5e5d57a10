"""Every error the services raise is translated: its message key, and the
label of the field it names, are in both catalogs with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.i18n import catalog, placeholders

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"
#: ``key="plans.err.needs_note"`` in a raise (or an error factory).
ERROR_KEY = re.compile(r"""\bkey=["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")
#: ``DelegationError("bad_phone", ...)``: translated as ``dlg.err.<code>``.
DELEGATION_CODE = re.compile(r"""DelegationError\(\s*["']([a-z0-9_]+)["']""")
#: ``field="note"`` / ``FeedbackError("title", ...)``: the label must exist.
FIELD = re.compile(
    r"""\bfield=["']([a-z0-9_]+)["']|(?:FeedbackError|_text|_choice)\(\s*["']([a-z0-9_]+)["']"""
)
#: The file checks name their keys in a table (``"file.too_large": (...)``).
FILE_KEY = re.compile(r"""^\s*["'](file\.[a-z0-9_.]+)["']\s*:""", re.M)
FIELD_PREFIXES = ("field", "feedback.field", "dlg.field", "plans.field", "users.field")


def _scan(pattern: re.Pattern[str], fmt: str = "{}") -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "/ui/" in str(path):
            continue  # pages use t(); tests/i18n/test_catalogs.py checks those
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add(fmt.format(next(g for g in match.groups() if g)))
    return found


ERROR_KEYS = sorted(
    _scan(ERROR_KEY) | _scan(DELEGATION_CODE, "dlg.err.{}") | _scan(FILE_KEY)
)
FIELDS = sorted(_scan(FIELD))


def test_the_scan_finds_keys():
    assert "plans.err.needs_note" in ERROR_KEYS
    assert "dlg.err.bad_phone" in ERROR_KEYS
    assert "title" in FIELDS


@pytest.mark.parametrize("key", ERROR_KEYS)
def test_every_error_key_is_translated(key):
    vi, en = catalog("vi"), catalog("en")
    assert key in vi and key in en
    assert placeholders(vi[key]) == placeholders(en[key])


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_named_by_an_error_has_a_label(field):
    for lang in ("vi", "en"):
        assert any(f"{p}.{field}" in catalog(lang) for p in FIELD_PREFIXES), (
            f"no label for field {field!r} in {lang}"
        )


def test_an_unreadable_image_does_not_leak_python_internals():
    """Issue 15: "cannot identify image file <_io.BytesIO object at 0x…>"."""
    from dashboard.core import files
    from dashboard.i18n import translate

    with pytest.raises(files.FileRefused) as caught:
        files.open_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    for lang in ("vi", "en"):
        text = translate(caught.value.key, lang, **caught.value.params)
        assert "0x" not in text and "BytesIO" not in text and "<" not in text
