"""The page registry and which pages each role sees.

Each page is a module of :mod:`dashboard.ui.views` with a ``render()``
function; Streamlit runs the module file as the page (its
``if __name__ == "__main__"`` block calls ``render()``), and tests can import
it or open it with ``AppTest.switch_page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.auth import Principal, Role
from dashboard.ui.components.feedback_badge import nav_title
from dashboard.ui.session import t

VIEWS_DIR = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    key: str
    module: str
    title_key: str
    icon: str

    @property
    def path(self) -> Path:
        return VIEWS_DIR / f"{self.module}.py"


PAGES: dict[str, PageSpec] = {
    spec.key: spec
    for spec in (
        PageSpec("signin", "sign_in", "page.signin", ":material/login:"),
        PageSpec("map", "map_page", "page.map", ":material/map:"),
        PageSpec("plans", "plans", "page.plans", ":material/checklist:"),
        PageSpec("sitrep", "sitrep", "page.sitrep", ":material/summarize:"),
        PageSpec("alerts", "alerts", "page.alerts", ":material/campaign:"),
        PageSpec("weekly", "weekly_report", "page.weekly_report", ":material/outbox:"),
        PageSpec("aar", "after_action", "page.after_action", ":material/history:"),
        PageSpec("readiness", "readiness", "page.readiness", ":material/monitoring:"),
        PageSpec("delegations", "delegations", "page.delegations", ":material/groups:"),
        PageSpec("outreach", "outreach", "page.outreach", ":material/campaign:"),
        PageSpec("feedback", "feedback", "page.feedback", ":material/feedback:"),
        PageSpec(
            "boundaries", "boundaries", "page.boundaries", ":material/upload_file:"
        ),
        PageSpec("forecasts", "forecasts", "page.forecasts", ":material/cyclone:"),
        PageSpec("users", "users", "page.users", ":material/manage_accounts:"),
    )
}

#: Page keys per role, in menu order; the first is the landing page. Signed
#: out, the landing page is the light sign-in page (the map stays one tap
#: away); a volunteer lands on the library.
PAGES_BY_ROLE: dict[Role | None, tuple[str, ...]] = {
    None: ("signin", "map"),
    Role.ADMIN: (
        "map",
        "readiness",
        "sitrep",
        "alerts",
        "weekly",
        "aar",
        "plans",
        "delegations",
        "feedback",
        "outreach",
        "forecasts",
        "boundaries",
        "users",
    ),
    Role.PROVINCE: (
        "map",
        "readiness",
        "sitrep",
        "alerts",
        "weekly",
        "aar",
        "plans",
        "delegations",
        "feedback",
        "outreach",
        "forecasts",
    ),
    Role.COMMUNE: ("map", "plans", "delegations", "feedback", "outreach", "aar"),
    Role.VOLUNTEER: ("outreach",),
}


def page_target(key: str) -> str:
    """A page's file relative to the entrypoint, for ``st.page_link``/``switch_page``."""
    return str(PAGES[key].path.relative_to(VIEWS_DIR.parent.parent))


def page_keys(principal: Principal | None) -> tuple[str, ...]:
    return PAGES_BY_ROLE[principal.role if principal else None]


def _title(key: str, principal: Principal | None, feedback_count: int | None) -> str:
    if key != "feedback":
        return t(PAGES[key].title_key)
    if feedback_count is None:
        return nav_title(principal)  # "Kiến nghị của xã (3)": new items waiting
    title = t(PAGES[key].title_key)  # as nav_title, with the count already known
    return f"{title} ({feedback_count})" if feedback_count else title


def pages_for(
    principal: Principal | None, feedback_count: int | None = None
) -> list[st.Page]:
    """The menu of *principal*; *feedback_count* is the feedback badge's
    number when the caller has it already (else it is counted here)."""
    return [
        st.Page(
            PAGES[key].path,
            title=_title(key, principal, feedback_count),
            icon=PAGES[key].icon,
            url_path=key,
            default=index == 0,
        )
        for index, key in enumerate(page_keys(principal))
    ]
