"""Starting an installation: open the store, migrate it, seed it.

The command line and the Streamlit app both start here, so a store opened by
either has the same schema and the same seeded content:

* :func:`open_context` opens and migrates the store and, in demo mode, seeds
  the demo accounts and the demo plans of Hưng Yên;
* :func:`bootstrap` does that and publishes the starter outreach material
  that was never seeded (the app and every CLI command use it).

This is the only module that imports the demo and starter seeders, which is
what keeps the feature packages free of import cycles.
"""

from __future__ import annotations

from dashboard.config import Settings, load_settings
from dashboard.context import AppContext
from dashboard.demo.accounts import seed_demo_accounts
from dashboard.demo.plans import seed_demo_plans
from dashboard.outreach.starter import seed_starter_content
from dashboard.store import db


def open_context(settings: Settings | None = None) -> AppContext:
    """The store of *settings* (default: the environment), migrated; in demo
    mode with the demo accounts and plans."""
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
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
