"""The DEMO banner, shown only in demo mode, listing the demo accounts."""

from __future__ import annotations

from functools import cache as memo

import streamlit as st

from dashboard import registry
from dashboard.demo.accounts import DEMO_ACCOUNTS
from dashboard.i18n import translate
from dashboard.ui import cache, session
from dashboard.ui.session import t


@memo
def _account_lines(lang: str) -> tuple[str, ...]:
    """The demo accounts, one Markdown line each (fixed: built once per language)."""
    names = registry.provinces().set_index("province_code")["province_name"]
    lines = []
    for account in DEMO_ACCOUNTS:
        scope = ""
        if account.commune_code:
            scope = " · " + registry.commune(account.commune_code)["commune_name"]
        elif account.province_codes:
            scope = " · " + ", ".join(names[c] for c in sorted(account.province_codes))
        lines.append(
            f"- `{account.username}` / `{account.password}` — "
            f"{translate('role.' + account.role.value, lang)}{scope}"
        )
    return tuple(lines)


def render() -> None:
    """A visible warning in demo mode; with the account list while signed out."""
    if not cache.context().settings.demo_mode:
        return
    text = f"**DEMO** — {t('demo.banner')}"
    if session.principal() is None:
        text += (
            "\n\n"
            + t("demo.explain")
            + "\n"
            + "\n".join(_account_lines(session.lang()))
        )
    st.warning(text, icon="⚠️")
