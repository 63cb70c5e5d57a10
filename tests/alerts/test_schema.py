"""The alerts migration creates exactly the table the model declares; the
shipped CAP schema is OASIS's file, unmodified."""

from __future__ import annotations

import hashlib

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dashboard.alerts.cap import XSD_FILE
from dashboard.store.models.alerts import CapAlertRow
from dashboard.store.models.core import Base

OASIS_SHA256 = "b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723"


def _mentions_alerts(diff: object) -> bool:
    return "cap_alerts" in repr(diff)


def test_migration_matches_the_model(ctx):
    assert CapAlertRow.__table__.name == "cap_alerts"
    with ctx.engine.connect() as connection:
        migration = MigrationContext.configure(connection, opts={"compare_type": False})
        diffs = compare_metadata(migration, Base.metadata)
    assert [d for d in diffs if _mentions_alerts(d)] == []


def test_the_xsd_is_the_oasis_file():
    assert hashlib.sha256(XSD_FILE.read_bytes()).hexdigest() == OASIS_SHA256
    assert b"Copyright OASIS Open 2010" in XSD_FILE.read_bytes()
