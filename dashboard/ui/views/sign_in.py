"""Page: the landing page while signed out — the sign-in form and one line
on the storm. Nothing heavy: the map loads only after sign-in, for the roles
that use it (see :mod:`dashboard.ui.navigation`)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import scenario
from dashboard.ui import cache
from dashboard.ui.components import sign_in_form
from dashboard.ui.format import local_time
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


def storm_line() -> str:
    """One line: which storm, drill or live, as of when."""
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db, clock=datetime.now(UTC))
    infos = cache.shown_forecasts(sc)
    if not infos:
        return "🌀 " + t("storm.none")
    names = ", ".join(escape(i.storm_name) for i in infos)
    if sc.is_drill:
        return "🌀 " + t(
            "field.storm_line_drill", name=names, clock=local_time(sc.clock_utc)
        )
    issued = max(i.issued_utc for i in infos)
    return "🌀 " + t("field.storm_line", name=names, issued=local_time(issued))


def render() -> None:
    st.title(t("page.signin"))
    st.markdown(storm_line())
    sign_in_form.render()


if __name__ == "__main__":  # run as a page by st.navigation
    render()
