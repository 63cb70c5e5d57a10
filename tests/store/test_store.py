"""The store on both back ends: migrations, append-only audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from dashboard import audit
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.store import db
from dashboard.store.models.core import AuditEntry


def test_migrations_are_applied_and_idempotent(ctx):
    assert db.is_current(ctx.engine)
    db.upgrade(ctx.engine)  # a second start changes nothing
    assert db.is_current(ctx.engine)


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_audit_rows_commit_with_the_change(ctx):
    with ctx.transaction() as session:
        audit.record(session, SYSTEM, "create", "thing", "1", new={"a": "Đồng Châu"})
    with ctx.sessions() as session:
        rows = audit.entries(session, SYSTEM, object_type="thing")
    assert [(r.action, r.object_id, r.actor) for r in rows] == [
        ("create", "1", "system")
    ]
    assert "Đồng Châu" in rows[0].new_value


def test_audit_row_rolls_back_with_a_failed_change(ctx):
    with pytest.raises(RuntimeError), ctx.transaction() as session:
        audit.record(session, SYSTEM, "create", "thing", "2")
        raise RuntimeError("the change failed")
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET reason = 'rewritten'", "DELETE FROM audit_log"],
)
def test_audit_log_is_append_only(ctx, statement):
    with ctx.transaction() as session:
        audit.record(session, SYSTEM, "create", "thing", "3")
    with pytest.raises((IntegrityError, DBAPIError)), ctx.engine.begin() as conn:
        conn.execute(text(statement))
    with ctx.sessions() as session:
        rows = audit.entries(session, SYSTEM)
    assert len(rows) == 1 and rows[0].reason == ""


def test_only_admins_read_the_whole_audit_log(ctx):
    volunteer = Principal("v", Role.VOLUNTEER)
    with ctx.sessions() as session, pytest.raises(Forbidden):
        audit.entries(session, volunteer)
