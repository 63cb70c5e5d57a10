"""One way to show a service's error on a page.

Every service raises one of the four kinds of :mod:`dashboard.core.errors`;
:func:`error_message` says it in the session's language from the error's
message key and params, and :func:`show_error` puts it on the page. Views
catch :class:`~dashboard.core.errors.DashboardError` once instead of a ladder
of feature-specific exceptions.
"""

from __future__ import annotations

import streamlit as st

from dashboard.core.errors import DashboardError
from dashboard.i18n import catalog
from dashboard.i18n import placeholders as _placeholders
from dashboard.ui.markdown import escape
from dashboard.ui.session import drop_revoked, lang, t


def error_message(exc: DashboardError) -> str:
    """The user-facing sentence of *exc* in the session's language.

    A key with its own catalog entry is filled from the error's params; the
    four generic keys (``errors.invalid`` …) wrap the error's own sentence.
    """
    message = catalog(lang()).get(exc.key)
    if message is None:
        return t(exc.default_key, detail=escape(str(exc)))
    params = {
        name: escape(str(exc.params.get(name, ""))) for name in _placeholders(message)
    }
    if "detail" in params and not params["detail"]:
        params["detail"] = escape(str(exc))
    return message.format(**params)


def show_error(exc: DashboardError) -> None:
    if exc.key == "errors.signed_out":
        drop_revoked()  # the account or session ended: sign the tab out
    st.error(error_message(exc), icon=":material/error:")
