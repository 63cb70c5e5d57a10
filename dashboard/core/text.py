"""Vietnamese text helpers: folding diacritics for search."""

from __future__ import annotations

import unicodedata

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
