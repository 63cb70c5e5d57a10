"""One way to show a service's error on a page.

Every service raises one of the four kinds of :mod:`dashboard.core.errors`
(or a file refusal of :mod:`dashboard.core.files`); :func:`error_message` says
it in the session's language from the error's message key and params, and
:func:`show_error` puts it on the page. Views catch
:class:`~dashboard.core.errors.DashboardError` once instead of a ladder of
feature-specific exceptions.

Nothing from Python reaches a Vietnamese page: an error whose key has no
catalog entry is shown with a generic sentence of its kind (the English detail
only on an English page), a ``field`` param is shown by its label
(``field.<name>``, ``feedback.field.<name>`` …), and every value is escaped.
"""

from __future__ import annotations

import logging

import streamlit as st

from dashboard.core.errors import Conflict, Forbidden, NotFound
from dashboard.core.files import FileRefused
from dashboard.i18n import catalog
from dashboard.i18n import placeholders as _placeholders
from dashboard.ui.markdown import escape
from dashboard.ui.session import drop_revoked, lang, t

log = logging.getLogger(__name__)

#: Where a field's label may live, first match wins.
FIELD_PREFIXES = ("field", "feedback.field", "dlg.field", "plans.field", "users.field")


def field_label(field: str) -> str:
    """The label of *field* in the session's language (``""`` when unknown)."""
    messages = catalog(lang())
    for prefix in FIELD_PREFIXES:
        key = f"{prefix}.{field}"
        if key in messages:
            return messages[key]
    return ""


def _generic(exc: BaseException) -> str:
    kind = "invalid"
    if isinstance(exc, NotFound):
        kind = "not_found"
    elif isinstance(exc, Conflict):
        kind = "conflict"
    elif isinstance(exc, Forbidden):
        kind = "forbidden"
    if lang() == "en":
        return t(f"errors.{kind}", detail=escape(str(exc)))
    return t(f"errors.{kind}.plain")


def _value(name: str, value: object) -> str:
    if name == "field":
        return escape(field_label(str(value)) or str(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "." if lang() == "vi" else ",")
    return escape(str(value))


def error_message(exc: BaseException) -> str:
    """The user-facing sentence of *exc* in the session's language."""
    key = getattr(exc, "key", None)
    code = getattr(exc, "code", None)
    if code and key in (None, "errors.invalid"):
        key = f"dlg.err.{code}"  # delegations name their rule by code
    params = dict(getattr(exc, "params", {}) or {})
    if "field" not in params and getattr(exc, "field", None):
        params["field"] = exc.field  # type: ignore[attr-defined]
    message = catalog(lang()).get(key or "")
    if message is None or key in {
        "errors.invalid",
        "errors.not_found",
        "errors.conflict",
        "errors.forbidden",
    }:
        log.info("untranslated error %s: %s", type(exc).__name__, exc)
        return _generic(exc)
    values = {
        name: _value(name, params.get(name, "")) for name in _placeholders(message)
    }
    text = message.format(**values)
    label = field_label(str(params["field"])) if params.get("field") else ""
    if label and "{field}" not in message and key.startswith("dlg.err."):
        text = f"{escape(label)}: {text}"
    return text


def show_error(exc: BaseException) -> None:
    if getattr(exc, "key", None) == "errors.signed_out":
        drop_revoked()  # the account or session ended: sign the tab out
    icon = (
        ":material/sync_problem:" if isinstance(exc, Conflict) else ":material/error:"
    )
    st.error(error_message(exc), icon=icon)


__all__ = ["FileRefused", "error_message", "field_label", "show_error"]
