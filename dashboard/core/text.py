"""Text helpers: folding Vietnamese diacritics for search; safe spreadsheet cells."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Return *text* lower-cased with Vietnamese diacritics removed.

    ``đ`` is not a combining mark in Unicode, so it is mapped by hand.

    >>> fold("Xã Trà Đốc")
    'xa tra doc'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def matches(query: str, *candidates: str) -> bool:
    """True when every word of *query* occurs in one of *candidates*, folded."""
    words = fold(query).split()
    haystack = " ".join(fold(c) for c in candidates)
    return all(word in haystack for word in words)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What makes a spreadsheet program read a cell as a formula (or DDE)."""


def safe_cell(value: object) -> object:
    """*value* as a spreadsheet cell that can never be a live formula.

    A string starting with ``= + - @``, a tab, CR or LF is prefixed with an
    apostrophe, the convention spreadsheet programs show as text (OWASP "CSV
    injection"); so is one starting with an apostrophe, so that
    :func:`unsafe_cell` gives every value back exactly. Numbers, dates,
    ``None`` and other strings are returned unchanged. Every XLSX and CSV
    export passes its cells through here.

    >>> safe_cell("=HYPERLINK(\\"http://evil\\")")
    '\\'=HYPERLINK("http://evil")'
    >>> safe_cell(-3)
    -3
    """
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, "'")):
        return "'" + value
    return value


_PROTECTED = {"'" + p for p in (*FORMULA_PREFIXES, "'")}


def unsafe_cell(value: object) -> object:
    """The text :func:`safe_cell` protected, read back from a file we exported
    (``'=x`` → ``=x``; any other value unchanged)."""
    if isinstance(value, str) and value[:2] in _PROTECTED:
        return value[1:]
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """:func:`safe_cell` of every value of a row."""
    return [safe_cell(v) for v in values]
