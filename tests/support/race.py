"""Two sends of the same write at once, with the race forced, not hoped for.

The first send inserts its row and holds its transaction open; the second
runs in another thread and is let go until it is about to INSERT into the
same table (seen through SQLAlchemy's ``before_cursor_execute`` event), so
it has already looked for the row and not found it. Only then does the
first commit. SQLite's write lock or PostgreSQL's unique index makes the
second INSERT wait for that commit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from dashboard.context import AppContext

T = TypeVar("T")
SECOND = "second-send"


def send_twice_at_once(
    ctx: AppContext, table: str, send: Callable[[Session], T]
) -> tuple[T, T]:
    """``(first result, second result)`` of *send* run in two transactions
    whose INSERTs into *table* race (see the module docstring)."""
    reached = threading.Event()
    outcome: dict[str, Any] = {}

    def spy(_conn, _cursor, statement: str, *_args) -> None:
        inserting = (
            statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}")
        )
        if inserting and threading.current_thread().name == SECOND:
            reached.set()

    def second() -> None:
        try:
            with ctx.transaction() as session:
                outcome["result"] = send(session)
        except BaseException as exc:  # reported in the caller's thread
            outcome["error"] = exc

    event.listen(ctx.engine, "before_cursor_execute", spy)
    thread = threading.Thread(target=second, name=SECOND)
    try:
        with ctx.transaction() as session:
            first = send(session)
            thread.start()
            assert reached.wait(timeout=60), "the second send never reached INSERT"
            time.sleep(0.3)  # let it block on the first's uncommitted row
    finally:
        if thread.ident is not None:
            thread.join(timeout=60)
        event.remove(ctx.engine, "before_cursor_execute", spy)
    assert not thread.is_alive(), "the second send did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return first, outcome["result"]
