"""Page: plans (the feature arrives with a later issue; the page already runs)."""

from __future__ import annotations

from dashboard.ui.views import placeholder


def render() -> None:
    placeholder.render("page.plans", "placeholder.plans")


if __name__ == "__main__":  # run as a page by st.navigation
    render()
