"""The feedback notification badge (for the sidebar and the feedback page).

Province staff: new items in their provinces they have not opened yet.
Commune leaders: their commune's items with an answer they have not read.
"""

from __future__ import annotations

import streamlit as st

from dashboard import feedback
from dashboard.auth import Principal, Role
from dashboard.ui import cache
from dashboard.ui.session import t


def badge_count(principal: Principal | None) -> int:
    """The number to show on the badge (0 when signed out or a volunteer)."""
    if principal is None or principal.role is Role.VOLUNTEER:
        return 0
    with cache.context().sessions() as db:
        return feedback.unseen_count(db, principal)


def nav_title(principal: Principal | None) -> str:
    """The menu title with the count: ``Kiến nghị (3)``."""
    count = badge_count(principal)
    title = t("page.feedback")
    return f"{title} ({count})" if count else title


def render(principal: Principal | None, count: int | None = None) -> int:
    """Show the badge in the current container when there is something new."""
    count = badge_count(principal) if count is None else count
    if count and principal is not None:
        key = "new_answers" if principal.role is Role.COMMUNE else "new_items"
        st.badge(
            t(f"feedback.badge.{key}", count=count),
            icon=":material/notifications:",
            color="red",
        )
    return count
