"""Engine creation and migrations.

SQLite runs in WAL mode with a busy timeout so that several app threads (and
the command line) can write without "database is locked" errors; PostgreSQL is
used as is. Migrations are applied with Alembic at start-up.

The SQLite database file is private to the app's user: created with mode 0600
(its folder 0700 when the store creates it), and tightened to 0600 (with its
``-wal`` and ``-shm`` files) whenever a connection opens.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
FILE_MODE = 0o600
DIR_MODE = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")

log = logging.getLogger(__name__)


def _tighten(path: Path, mode: int) -> None:
    """chmod *path* to *mode* if it exists and is ours (else say so in the log)."""
    try:
        if path.exists() and (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except OSError as exc:
        log.warning("cannot make %s private (mode %o): %s", path, mode, exc)


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite database file *path* with mode 0600 (its missing
    folders 0700) before SQLite opens it; tighten an existing one."""
    if not path.parent.exists():
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    tighten_sqlite_files(path)


def tighten_sqlite_files(path: Path) -> None:
    """Mode 0600 for the database file and its WAL, shared-memory and journal
    files (SQLite gives those the database file's mode when it creates them)."""
    for suffix in SQLITE_COMPANIONS:
        _tighten(path.with_name(path.name + suffix), FILE_MODE)


def make_engine(url: str) -> Engine:
    """Create an engine for *url* with the pragmas this app relies on."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        memory = not path or path == ":memory:" or path.startswith("file:")
        file = None if memory else Path(path)
        if file is not None:
            private_sqlite_file(file)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            if file is not None:
                tighten_sqlite_files(file)

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (idempotent). The migrations have one
    head (a test checks it), so a new migration always names one parent."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def insert(session: Session, model: type) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of *model* in the dialect of *session*'s database, so that
    ``.on_conflict_do_nothing(...)`` works on SQLite and PostgreSQL alike
    (concurrent writers of the same row never raise ``IntegrityError``)."""
    name = session.get_bind().dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(model)
