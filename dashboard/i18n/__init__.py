"""Translation catalogs (Vietnamese first, English second) and ``t()``.

One folder per language (``vi/``, ``en/``) of JSON catalogs keyed by message
id; each feature keeps its own file (``core.json``, ``plans.json`` …) and the
files of a language are merged (a key defined twice is an error). Placeholders use
``str.format`` syntax (``{count}``); the test suite checks that both catalogs
have the same keys and the same placeholders. Data values (commune names,
codes) never go into a catalog.
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, str]:
    """Every message of *lang*, merged from its catalog files."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}")
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        clash = sorted(set(part) & set(merged))
        if clash:
            raise ValueError(f"{path.name} redefines {', '.join(clash[:5])}")
        merged.update(part)
    return merged


def placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The message *key* in *lang*, formatted with *params*.

    A key missing from the catalog is returned as is, so a gap shows up on
    screen instead of crashing a page (the test suite catches gaps).
    """
    message = catalog(lang).get(key)
    if message is None:
        message = catalog(DEFAULT_LANGUAGE).get(key, key)
    return message.format(**params) if params else message
