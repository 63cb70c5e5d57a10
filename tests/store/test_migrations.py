"""The migrations and the models agree, and there is one migration head.

Alembic's autogenerate comparison between a freshly migrated database and
``Base.metadata`` (every model module, see :mod:`dashboard.store.models`)
must find nothing to do, on SQLite and on PostgreSQL. A model changed without
a migration, or a migration without its model, fails here.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table

from dashboard.store import db
from dashboard.store.models import Base


def _drift(engine, metadata=Base.metadata) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, metadata)


def test_one_migration_head():
    heads = ScriptDirectory.from_config(db._alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_every_table_is_in_the_models(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    try:
        assert _drift(engine) == []
    finally:
        engine.dispose()


def test_drift_is_found_when_a_model_has_no_migration(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    extra = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    try:
        diffs = _drift(engine, extra)
    finally:
        engine.dispose()
    assert [d[0] for d in diffs] == ["add_table"]
    assert diffs[0][1].name == "not_migrated"


def test_the_models_package_imports_every_model_module():
    # A module left out of dashboard/store/models/__init__.py would be
    # invisible to Alembic (and to the drift test above).
    import pkgutil

    import dashboard.store.models as models

    names = {m.name for m in pkgutil.iter_modules(models.__path__)}
    assert names - {"core"} == set(models.__all__) - {"Base"}
