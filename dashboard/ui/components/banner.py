"""The DEMO banner, shown only in demo mode, listing the demo accounts."""

from __future__ import annotations

import streamlit as st

from dashboard import registry
from dashboard.demo.accounts import DEMO_ACCOUNTS
from dashboard.ui import cache, session
from dashboard.ui.session import t


def _account_lines() -> list[str]:
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
            f"{t('role.' + account.role.value)}{scope}"
        )
    return lines


def render() -> None:
    """A visible warning in demo mode; with the account list while signed out."""
    if not cache.context().settings.demo_mode:
        return
    text = f"**DEMO** — {t('demo.banner')}"
    if session.principal() is None:
        text += "\n\n" + t("demo.explain") + "\n" + "\n".join(_account_lines())
    st.warning(text, icon="⚠️")
