"""Races and leftovers (issue 11, finding 10), each a literal attack case:

* two app-server processes polling the same due feed at the same moment make
  exactly one request to it (the ``feed_status`` row is a lease);
* 40 sessions opening the drill at once store one advisory, no IntegrityError;
* a server dripping one byte every 0.5 s is abandoned at the overall deadline;
* a rolled-back task update leaves no photo on disk;
* the data directory is 0700, the SQLite file (and its WAL/SHM) and uploaded
  photos 0600.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import forecasts, scenario
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.plans.tasks import update_task
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store import db
from dashboard.store.models.core import StoredForecast
from dashboard.storms import feeds
from dashboard.storms.feeds import FeedConfig, FeedError
from tests.support.feedkit import SMALL_LIST, Reply, running_server
from tests.support.plans_helpers import COMMUNE, DONG_CHAU, jpeg_bytes, make_setup

INTERVAL = timedelta(minutes=15)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- one fetch per due feed, however many servers poll --------------------------------


def _poll_in_another_process(settings, url, barrier, results) -> None:
    """One app server: its own engine, polling the due feed on the barrier."""
    engine = db.make_engine(settings.database_url)
    ctx = AppContext(settings, engine, db.session_factory(engine))
    feed = FeedConfig(name="race-feed", url=url, format="gdacs", read_timeout=5)
    barrier.wait(timeout=60)
    try:
        outcomes = forecasts.poll_due(ctx, [feed], INTERVAL)
        results.put([o.status for o in outcomes])
    except Exception as exc:  # reported to the test, which fails on it
        results.put(repr(exc))
    finally:
        engine.dispose()


def test_two_processes_polling_a_due_feed_fetch_it_once(ctx):
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    with running_server() as server:
        # A little slow, so both servers are polling while the first fetches.
        url = server.serve("/race", Reply(body=SMALL_LIST, delay=0.5))
        workers = [
            spawn.Process(
                target=_poll_in_another_process,
                args=(ctx.settings, url, barrier, results),
            )
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        served = server.count("/race")
    assert sorted(map(str, outcomes)) == ["['stored']", "[]"], outcomes
    assert served == 1
    with ctx.sessions() as session:
        (status,) = forecasts.feed_statuses(session)
    assert status.last_error is None and status.last_success_at is not None


def test_a_feed_claimed_by_one_server_is_not_due_for_another(ctx):
    feed = FeedConfig(name="lease", url="http://127.0.0.1:9/never")
    now = DRILL_CLOCK
    assert forecasts.polling.claim_feed(ctx, feed, INTERVAL, now)
    assert not forecasts.polling.claim_feed(ctx, feed, INTERVAL, now)
    assert not forecasts.polling.claim_feed(ctx, feed, INTERVAL, now + INTERVAL / 2)
    assert forecasts.polling.claim_feed(ctx, feed, INTERVAL, now + INTERVAL)


# -- idempotent inserts --------------------------------------------------------------


def test_forty_concurrent_drill_openings_store_one_advisory(ctx):
    sc = scenario.Scenario(scenario.DRILL, DRILL_CLOCK)
    start = threading.Barrier(40)

    def open_drill(_: int) -> tuple[int, str]:
        start.wait(timeout=60)
        return scenario.ensure_drill_forecast(ctx, sc)

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(open_drill, range(40)))  # re-raises any error
    assert len(set(results)) == 1
    with ctx.sessions() as session:
        drills = session.scalar(
            select(func.count()).where(StoredForecast.is_drill.is_(True))
        )
    assert drills == 1


# -- the overall deadline ------------------------------------------------------------


def test_a_dripping_body_is_abandoned_at_the_overall_deadline():
    with running_server() as server:
        url = server.serve("/drip", Reply(body=SMALL_LIST, drip=0.5))
        feed_config = FeedConfig(
            name="slow-loris",
            url=url,
            format="gdacs",
            read_timeout=3.0,  # each byte comes well within it
            total_timeout=1.5,
        )
        session = feeds.make_session(retries=0)
        with pytest.raises(FeedError) as caught:
            feeds.fetch(session, feed_config)
        session.close()
    assert str(caught.value).startswith("slow-loris: gave up after 1.5 s in all")
    assert "the overall deadline" in str(caught.value)


def test_a_stall_late_in_the_body_waits_no_longer_than_the_deadline():
    with running_server() as server:
        url = server.serve(
            "/stall", Reply(body=SMALL_LIST, delay=0.7, stall_after=5, stall=20)
        )
        feed_config = FeedConfig(
            name="stall", url=url, format="gdacs", read_timeout=10, total_timeout=1
        )
        session = feeds.make_session(retries=0)
        started = time.monotonic()
        with pytest.raises(FeedError, match="gave up after 1 s in all"):
            feeds.fetch(session, feed_config)
        waited = time.monotonic() - started
        session.close()
    assert waited < 8  # well under the 10 s read timeout (about 1 s)


def test_the_deadline_is_configurable_and_checked(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "- name: f\n  url: https://example.org/x\n  total_timeout: 12\n",
        encoding="utf-8",
    )
    (feed,) = feeds.load_feeds(path)
    assert feed.total_timeout == 12
    assert feed.timeout == (10.0, 12.0)  # no read wait longer than the deadline
    with pytest.raises(feeds.FeedConfigError, match="positive"):
        FeedConfig(name="f", url="https://example.org/x", total_timeout=0)


# -- photos of rolled-back updates ---------------------------------------------------


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_rolled_back_task_update_leaves_no_photo_on_disk(ctx):
    setup = make_setup(ctx)
    task = setup.task(ctx, DONG_CHAU, "photo")
    photos = ctx.settings.data_dir / "plan_photos"
    with pytest.raises(RuntimeError, match="after the photo"):
        with ctx.transaction() as session:
            update_task(
                session,
                COMMUNE,
                task.id,
                task.version,
                status="done",
                photo=jpeg_bytes(),
                data_dir=ctx.settings.data_dir,
            )
            assert len(_files(photos)) == 2  # the photo and its thumbnail
            raise RuntimeError("something failed after the photo was written")
    assert _files(photos) == []
    # A committed update keeps its photo.
    with ctx.transaction() as session:
        done = update_task(
            session,
            COMMUNE,
            task.id,
            task.version,
            status="done",
            photo=jpeg_bytes(),
            data_dir=ctx.settings.data_dir,
        )
    assert (ctx.settings.data_dir / done.evidence_photo).is_file()
    assert len(_files(photos)) == 2


# -- file modes ------------------------------------------------------------------------


def test_data_dir_0700_database_and_uploads_0600(tmp_path):
    from dashboard.bootstrap import open_context

    old = os.umask(0o022)  # the usual, permissive umask
    try:
        data = tmp_path / "data"
        settings = Settings(
            data_dir=data,
            database_url=f"sqlite:///{data / 'dashboard.db'}",
            demo_mode=False,
        )
        ctx = open_context(settings)
        try:
            setup = make_setup(ctx)  # writes: the WAL and SHM files exist
            task = setup.task(ctx, DONG_CHAU, "photo")
            with ctx.transaction() as session:
                done = update_task(
                    session,
                    COMMUNE,
                    task.id,
                    task.version,
                    status="done",
                    photo=jpeg_bytes(),
                    data_dir=data,
                )
            database = data / "dashboard.db"
            companions = [
                database.with_name(database.name + s) for s in ("-wal", "-shm")
            ]
            assert all(p.exists() for p in companions)
            assert _mode(data) == 0o700
            assert _mode(database) == 0o600
            assert [_mode(p) for p in companions] == [0o600, 0o600]
            photo = data / done.evidence_photo
            assert _mode(photo) == 0o600
            assert {_mode(p) for p in _files(data / "plan_photos")} == {0o600}
            assert _mode(photo.parent) == 0o700
        finally:
            ctx.engine.dispose()
    finally:
        os.umask(old)


def test_an_existing_world_readable_store_is_tightened(tmp_path):
    from dashboard.bootstrap import open_context

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    database = data / "dashboard.db"
    database.touch()
    os.chmod(database, 0o644)
    settings = Settings(
        data_dir=data, database_url=f"sqlite:///{database}", demo_mode=False
    )
    ctx = open_context(settings)
    ctx.engine.dispose()
    assert _mode(data) == 0o700
    assert _mode(database) == 0o600


def test_imported_boundary_files_are_private(ctx, tmp_path):
    from dashboard.auth import SYSTEM
    from dashboard.geo import layers
    from tests.geo.test_layers import collection, feature, write

    old = os.umask(0o022)
    try:
        source = write(tmp_path, "b.geojson", collection(feature("13003")))
        result = layers.import_boundaries(ctx, SYSTEM, source)
    finally:
        os.umask(old)
    folder = result.layer.directory
    assert folder is not None and _files(folder)
    assert {_mode(p) for p in _files(folder)} == {0o600}
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
