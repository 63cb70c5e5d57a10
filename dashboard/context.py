"""One installation's open store: settings, engine, sessions.

:class:`AppContext` is what every service that needs more than one
transaction takes. It is opened (migrated and seeded) by
:mod:`dashboard.bootstrap`; this module imports nothing of the features, so
any of them may import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dashboard.config import Settings
from dashboard.store import db


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        with db.transaction(self.sessions) as session:
            yield session
