"""Opening pages with Streamlit's AppTest (use with the ``ui_environment`` fixture)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.auth import Principal
from tests.support.helpers import REPO_ROOT

VIEWS = REPO_ROOT / "dashboard" / "ui" / "views"


def open_view(
    module: str,
    principal: Principal | None,
    lang: str = "vi",
    state: dict | None = None,
) -> AppTest:
    """Run one page module (``dashboard/ui/views/<module>.py``) on its own,
    with *state* put in Session State first."""
    at = AppTest.from_file(str(Path(VIEWS, f"{module}.py")), default_timeout=120)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if principal is not None:
        at.session_state["auth.principal"] = principal
    at.session_state["lang"] = lang
    return at.run()
