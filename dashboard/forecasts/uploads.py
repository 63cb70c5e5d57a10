"""Forecast products uploaded by province staff (any parser's format)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dashboard.auth import Principal, require_staff
from dashboard.forecasts.store import store_forecasts
from dashboard.storms.model import ForecastError
from dashboard.storms.parsers import parse


def ingest_product(
    session: Session,
    actor: Principal,
    data: bytes,
    name: str,
    *,
    format: str | None = None,
) -> list[int]:
    """Parse an uploaded or typed-in product and store its advisories.

    Every storm in the product is kept (an operator who uploads it means it),
    in the caller's transaction.

    Raises
    ------
    ForecastError
        When the product cannot be read; nothing is stored.
    dashboard.auth.Forbidden
        For roles other than admin and province staff.
    """
    require_staff(actor, "add forecasts")
    found = parse(data, format=format, name_hint=name)
    if not found:
        raise ForecastError(f"{name}: the product holds no storm")
    return store_forecasts(session, actor, found, f"upload:{name}"[:500])
