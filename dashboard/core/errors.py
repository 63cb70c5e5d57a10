"""One error hierarchy for every service.

A service raises one of four kinds, and the UI turns any of them into a
message with one helper (:func:`dashboard.ui.errors.show_error`):

* :class:`NotFound` — no such record (or not visible to the caller);
* :class:`Conflict` — someone changed the record since the caller read it;
  nothing was written;
* :class:`Forbidden` — the caller may not do this;
* :class:`Invalid` — the request breaks a rule (a bad value, a missing field).

Each carries a message *key* for the catalogs and the *params* to fill in, so
the UI can say it in the user's language; ``str(error)`` stays a plain
English sentence for logs and the command line. Features subclass these
(``EvidenceError(Invalid)``, ``BoundaryError(Invalid)`` …) only to keep their
own extra attributes; callers catch the four kinds.
"""

from __future__ import annotations

from typing import Any


class DashboardError(Exception):
    """Base of the four kinds below.

    Parameters
    ----------
    message
        The English sentence for logs and the command line.
    key
        The catalog key of the user-facing message (``errors.<kind>`` when
        not given).
    params
        Values the message names (field, limit, value …).
    """

    default_key = "errors.invalid"

    def __init__(self, message: str = "", *, key: str | None = None, **params: Any):
        super().__init__(message)
        self.key = key or self.default_key
        self.params = params

    def __getattr__(self, name: str) -> Any:
        # The params are readable as attributes (``error.current``).
        params = self.__dict__.get("params", {})
        if name in params:
            return params[name]
        raise AttributeError(name)


class NotFound(DashboardError, LookupError):
    """No such record."""

    default_key = "errors.not_found"


class Conflict(DashboardError):
    """Changed by someone else since it was read; nothing was written."""

    default_key = "errors.conflict"


class Forbidden(DashboardError, PermissionError):
    """The principal may not do this; the message says what and why."""

    default_key = "errors.forbidden"


class Invalid(DashboardError, ValueError):
    """A request the rules refuse; the message says which rule."""

    default_key = "errors.invalid"
