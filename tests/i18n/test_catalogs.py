"""Translation catalogs: same keys, same placeholders, every used key exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.i18n import LANGUAGES, catalog, placeholders, translate

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"
# t("key") / t("key", ...) and *_key="..." literals in the UI code.
USED_KEY = re.compile(
    r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]|_key=["']([a-z0-9_.]+)["']"""
)


def test_catalogs_have_the_same_keys():
    vi, en = catalog("vi"), catalog("en")
    assert sorted(set(vi) ^ set(en)) == []


@pytest.mark.parametrize("key", sorted(catalog("vi")))
def test_placeholders_match(key):
    assert placeholders(catalog("vi")[key]) == placeholders(catalog("en")[key])


def test_every_key_used_in_code_exists():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        for match in USED_KEY.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    assert used, "the scan found no keys: the pattern is broken"
    missing = sorted(k for k in used if k not in catalog("vi"))
    assert missing == []


def test_vietnamese_is_the_default_and_has_diacritics():
    assert translate("signin.submit") == "Đăng nhập"
    assert translate("signin.submit", "en") == "Sign in"


def test_placeholders_are_filled():
    assert translate("users.created", "en", username="lan") == "Account lan created."


def test_unknown_key_shows_itself():
    assert translate("no.such.key", "en") == "no.such.key"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_messages(lang):
    assert all(message.strip() for message in catalog(lang).values())
