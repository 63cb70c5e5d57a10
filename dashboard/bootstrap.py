"""Starting an installation: open the store, migrate it, seed it.

The command line and the Streamlit app both start here, so a store opened by
either has the same schema and the same seeded content:

* :func:`open_context` makes the data directory private (0700), opens and
  migrates the store (a SQLite file is 0600) and, in demo mode, seeds
  the demo accounts and the demo plans of Hưng Yên;
* :func:`bootstrap` does that and publishes the starter outreach material
  that was never seeded (the app and every CLI command use it).

This is the only module that imports the demo and starter seeders, which is
what keeps the feature packages free of import cycles.
"""

from __future__ import annotations

import os

from dashboard.config import Settings, load_settings
from dashboard.context import AppContext
from dashboard.demo.accounts import seed_demo_accounts
from dashboard.demo.plans import seed_demo_plans
from dashboard.outreach.starter import seed_starter_content
from dashboard.store import db


def private_data_dir(settings: Settings) -> None:
    """Create the data directory with mode 0700, or tighten it to 0700: the
    database, uploads, photos and the secret key are the app user's alone."""
    settings.data_dir.mkdir(mode=db.DIR_MODE, parents=True, exist_ok=True)
    os.chmod(settings.data_dir, db.DIR_MODE)


def open_context(settings: Settings | None = None) -> AppContext:
    """The store of *settings* (default: the environment), migrated; in demo
    mode with the demo accounts and plans."""
    settings = settings or load_settings()
    private_data_dir(settings)
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    context = AppContext(settings, engine, db.session_factory(engine))
    if settings.demo_mode:
        with context.transaction() as session:
            seed_demo_accounts(session)
        seed_demo_plans(context)
    return context


def bootstrap(settings: Settings | None = None) -> AppContext:
    """:func:`open_context` plus the starter outreach material."""
    context = open_context(settings)
    seed_starter_content(context)
    return context
