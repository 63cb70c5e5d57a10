"""Migration 0008: one head again, the new tables, and a clean downgrade."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from dashboard.store import db

NEW_TABLES = {"feedback_forwards", "weekly_report_notes", "damage_reports"}


def test_the_tree_has_one_head():
    script = ScriptDirectory.from_config(db._alembic_config())
    assert script.get_heads() == ["0008"]
    assert set(script.get_revision("0008").down_revision) == {
        "0004",
        "0005",
        "0006",
        "0007",
    }


def test_upgrade_and_downgrade(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade(engine)
    assert db.is_current(engine)
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")  # unmerge: back to the four heads
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    assert set(heads) == {"0004", "0005", "0006", "0007"}
    tables = set(inspect(engine).get_table_names())
    assert not NEW_TABLES & tables
    assert {"feedback_items", "plan_progress", "delegations"} <= tables
    db.upgrade(engine)
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
