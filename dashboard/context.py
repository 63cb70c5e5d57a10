"""One installation's open store: settings, engine, sessions.

Both the command line and the Streamlit app start from :func:`open_context`,
which applies pending migrations and, in demo mode, seeds the demo accounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dashboard.config import Settings, load_settings
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


def open_context(settings: Settings | None = None) -> AppContext:
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    context = AppContext(settings, engine, db.session_factory(engine))
    if settings.demo_mode:
        from dashboard.demo import seed_demo_accounts
        from dashboard.plans.demo import seed_demo_plans

        with context.transaction() as session:
            seed_demo_accounts(session)
        seed_demo_plans(context)
    return context
