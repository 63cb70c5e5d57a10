"""A row created from a phone's draft is stored once, however often it is sent.

The browser keeps a random key with each draft (see
:mod:`dashboard.ui.components.drafts`) and sends it with the form; the
tables whose rows such forms create carry it in ``client_key``, unique per
author (``created_by``). A resend after a dropped connection names the same
key, and :func:`insert_once` returns the row already stored instead of a
second one, also when both sends arrive at the same moment: the INSERT is
``… ON CONFLICT (created_by, client_key) DO NOTHING``, so the loser of the
race reads the winner's row and nothing raises (no ``IntegrityError`` to
roll back the caller's transaction for). Without a key (no JavaScript, an
older page, the command line) a write is an ordinary insert.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session

from dashboard.store import db

MAX_KEY = 64
#: A UUID, or the hexadecimal fallback of a browser without crypto.randomUUID.
_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")


class Keyed(Protocol):
    id: Mapped[int]
    created_by: Mapped[str]
    client_key: Mapped[str | None]


M = TypeVar("M", bound=Keyed)


def clean_key(value: object) -> str | None:
    """The key as stored, or ``None`` when there is none or it is not one
    the browser makes (then the write goes ahead without a key)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _KEY.fullmatch(value) else None


def find(session: Session, model: type[M], author: str, key: str | None) -> M | None:
    """The row *author* created under *key*, if any."""
    if key is None:
        return None
    return session.scalar(
        select(model).where(model.created_by == author, model.client_key == key)
    )


def insert_once(
    session: Session, model: type[M], values: dict[str, Any]
) -> tuple[M, bool]:
    """Insert a row of *model* with *values* unless its author (``created_by``)
    already stored one under the same ``client_key``.

    Returns the stored row and whether this call inserted it (the caller
    audits only then).
    """
    statement = db.insert(session, model).values(**values)
    if values.get("client_key") is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=["created_by", "client_key"]
        )
    new_id = session.scalar(statement.returning(model.id))
    if new_id is None:  # stored meanwhile by a concurrent send of the same draft
        existing = find(session, model, values["created_by"], values["client_key"])
        assert existing is not None
        return existing, False
    row = session.get(model, new_id)
    assert row is not None
    return row, True
