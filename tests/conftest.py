"""Fixtures: store back ends (SQLite and a real PostgreSQL server), contexts."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import create_engine, text

from dashboard import situation
from dashboard.bootstrap import open_context
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.store import db
from tests.support import servers
from tests.support.feedkit import FeedServer, running_server
from tests.support.helpers import require
from tests.support.postgres import PostgresServer, start_server

TEMPLATE_DB = "dashboard_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    result = start_server()
    require(not isinstance(result, str), str(result))
    assert isinstance(result, PostgresServer)
    admin = create_engine(result.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    template = db.make_engine(result.url(TEMPLATE_DB))
    db.upgrade(template)
    template.dispose()
    admin.dispose()
    yield result
    result.stop()


def new_postgres_database(server: PostgresServer) -> str:
    """A fresh, migrated database (copied from the migrated template)."""
    name = f"test_{next(_counter)}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    admin.dispose()
    return server.url(name)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("postgres_server")
    return new_postgres_database(server)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, demo_mode=False
    )


@pytest.fixture
def ctx(settings) -> Iterator[AppContext]:
    context = open_context(settings)
    yield context
    context.engine.dispose()


@pytest.fixture
def demo_ctx(tmp_path, database_url) -> Iterator[AppContext]:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, demo_mode=True
    )
    context = open_context(settings)
    yield context
    context.engine.dispose()


@pytest.fixture(scope="module")
def ui_environment(tmp_path_factory) -> Iterator[None]:
    """A fresh data directory (demo mode) for AppTest runs of one test module.

    Streamlit's caches are process-wide, so they are cleared before and after.
    """
    saved = {k: os.environ.get(k) for k in ("DASHBOARD_DATA_DIR", "DASHBOARD_DEMO")}
    os.environ["DASHBOARD_DATA_DIR"] = str(tmp_path_factory.mktemp("ui") / "data")
    os.environ["DASHBOARD_DEMO"] = "1"
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A local HTTP server with scripted replies (see ``tests/feedkit.py``)."""
    with running_server() as srv:
        yield srv


@pytest.fixture(scope="session")
def wipha_table() -> pd.DataFrame:
    """The Wipha drill's exposure of every commune (registry points, drill
    clock), computed once per test session; do not mutate it."""
    forecast = drill_forecast(DRILL_CLOCK)
    return situation.exposure_table(forecast, situation.commune_points(), DRILL_CLOCK)


def pytest_sessionfinish(session, exitstatus):
    """No app server outlives the test run: any left is stopped and the run fails."""
    left = servers.leftovers()
    if left:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "app servers left running after the tests (now stopped):\n  "
            + "\n  ".join(left),
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
