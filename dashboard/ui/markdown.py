"""Safe Markdown: text from files or users shown through ``st.markdown``."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape(text: object) -> str:
    """Backslash-escape Markdown (and HTML-looking) characters in *text*,
    so that ``<img …>`` or ``[x](javascript:…)`` is shown as typed."""
    return _SPECIAL.sub(r"\\\1", str(text))
