"""Phone mode: a per-session switch, and the CSS that keeps pages usable at 360 px.

Streamlit cannot read the viewport width on the server, so the choice is a
toggle, "Chế độ điện thoại", remembered for the session (in a plain session
key, since a widget's own state is dropped when the user changes page) and on
by default for commune leaders and volunteers, who work from phones.
"""

from __future__ import annotations

import streamlit as st

from dashboard.auth import Role
from dashboard.ui import session
from dashboard.ui.session import t

SAVED = "phone_mode_saved"
PHONE_ROLES = (Role.COMMUNE, Role.VOLUNTEER)

#: Touch targets of at least 44 × 44 px (WCAG 2.5.5), captions dark enough
#: for 4.5:1 contrast, long words wrapped, nothing wider than the screen.
CSS = """
<style>
.stButton button, .stDownloadButton button, .stFormSubmitButton button,
[data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"] {
  min-height: 44px; min-width: 44px;
}
[data-testid="stCheckbox"] label, [data-testid="stToggle"] label {
  min-height: 44px; align-items: center;
}
[data-testid="stMarkdownContainer"] { overflow-wrap: anywhere; }
/* Captions: Streamlit's grey (#828180) is 3.9:1 on white; this is 7.4:1. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small { color: #52525b !important; opacity: 1 !important; }
[data-testid="stMain"] { overflow-x: hidden; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] {
    padding-left: 0.75rem; padding-right: 0.75rem; max-width: 100vw;
  }
  .stButton button, .stFormSubmitButton button { width: 100%; font-size: 1rem; }
  [class*="st-key-task_card_"] [data-testid="stHorizontalBlock"],
  [class*="st-key-dlg_vtask_"] [data-testid="stHorizontalBlock"] {
    flex-wrap: wrap; gap: 0.5rem;
  }
  [class*="st-key-task_card_"] [data-testid="stColumn"],
  [class*="st-key-dlg_vtask_"] [data-testid="stColumn"] {
    min-width: calc(50% - 0.25rem) !important; flex: 1 1 calc(50% - 0.25rem);
  }
}
</style>
"""


def default_on() -> bool:
    p = session.principal()
    return p is not None and p.role in PHONE_ROLES


def _remember() -> None:
    st.session_state[SAVED] = st.session_state["phone_mode"]


def phone_mode() -> bool:
    """Draw the switch; True when the page should show cards."""
    if SAVED not in st.session_state:
        st.session_state[SAVED] = default_on()
    return st.toggle(
        t("field.phone_mode"),
        value=st.session_state[SAVED],
        key="phone_mode",
        help=t("field.phone_mode_help"),
        on_change=_remember,
    )


def inject_css() -> None:
    st.html(CSS)
