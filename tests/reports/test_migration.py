"""Migration 0010: the weekly-report and after-action tables, and a clean downgrade."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from dashboard.store import db

NEW_TABLES = {"feedback_forwards", "weekly_report_notes", "damage_reports"}


def test_upgrade_and_downgrade(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade(engine)
    assert db.is_current(engine)
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    assert set(heads) == {"0009"}
    tables = set(inspect(engine).get_table_names())
    assert not NEW_TABLES & tables
    assert {"feedback_items", "plan_progress", "delegations"} <= tables
    db.upgrade(engine)
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
