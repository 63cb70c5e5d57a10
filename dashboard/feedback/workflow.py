"""Commune feedback: difficulties, recommendations and requests (issue 7, part 1).

A commune leader raises an item for their own commune; staff of that
commune's province (or an admin) triage it::

    received ──assign──▶ assigned ──answer──▶ answered ──close──▶ closed
        ▲                  │  ▲ (re-assign)                        │
        └───────────── reopen (from answered or closed) ───────────┘

* ``assign`` names a department, an owner and a due time (UTC); it is also
  allowed on an assigned item (re-assignment, new due time).
* ``answer`` needs an assigned item; the answer is what the commune sees.
* ``close`` needs an answered item (a duplicate is answered "see #12", then
  closed, so the commune always gets a word back).
* ``reopen`` is there because an answer may not solve the problem: the
  commune leader (or the province) sends an answered or closed item back to
  ``received`` with a reason. The new cycle keeps department and owner as
  suggestions but clears the step times, so "time each step took" describes
  the current cycle; the previous cycle stays in the audit log.

Every service function takes ``(session, actor, ...)``, checks the actor's
scope itself (hiding buttons in the UI is not the protection), writes an
audit row in the same transaction, and never imports Streamlit. Changes name
the ``version`` the caller read; a stale version raises :class:`Conflict`
and nothing is written.

Times are stored in UTC. ``clock`` parameters exist for tests and drills; they
default to the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    Role,
    can_manage_province,
    require,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.time import vietnam_text
from dashboard.feedback.attachments import (
    _clean_filename,
    _discard_attachment,
    _store_attachment,
    clean_attachment,
)

# --------------------------------------------------------------------------- #
# the workflow
from dashboard.feedback.model import (
    MAX_NAME,
    MAX_TEXT,
    MAX_TITLE,
    OBJECT_TYPE,
    Attachment,
    FeedbackError,
    FeedbackView,
)
from dashboard.feedback.notifications import _upsert_seen
from dashboard.feedback.rules import (
    _choice,
    _load_for_change,
    _require_status,
    _require_triage,
    _save,
    _snapshot,
    _text,
    _view,
)
from dashboard.store import idempotency
from dashboard.store.models.feedback import (
    CATEGORIES,
    URGENCIES,
    FeedbackItem,
)


def _new_item(
    actor: Principal, commune_code: str, clock: Clock, key: str | None
) -> dict[str, Any]:
    """The columns of a new item other than what the leader typed."""
    return {
        "commune_code": commune_code,
        "province_code": str(registry.commune(commune_code)["province_code"]),
        "status": "received",
        "created_at": clock,
        "created_by": actor.username,
        "client_key": key,
        "raised_at": clock,
        "raise_count": 1,
        "answer_count": 0,
        "updated_at": clock,
        "updated_by": actor.username,
    }


def raise_item(
    session: Session,
    actor: Principal,
    *,
    commune_code: str,
    category: str,
    urgency: str,
    title: str,
    text: str,
    attachment: Attachment | None = None,
    data_dir: Path | None = None,
    clock: Clock | None = None,
    client_key: str | None = None,
) -> FeedbackView:
    """A commune leader raises a new item for their own commune.

    *client_key* is the draft's idempotency key (see
    :mod:`dashboard.store.idempotency`): when this leader already raised an
    item under it, that item is returned and nothing is written.

    Raises
    ------
    Forbidden
        Unless *actor* is the commune leader of *commune_code*.
    FeedbackError
        Naming the field: category, urgency, title, text, attachment.
    """
    require(
        actor.role is Role.COMMUNE and actor.commune_code == commune_code,
        f"raise feedback for commune {commune_code} (only that commune's "
        f"leader may, you are {actor.role})",
    )
    key = idempotency.clean_key(client_key)
    stored = idempotency.find(session, FeedbackItem, actor.username, key)
    if stored is not None:
        return _view(stored)
    category = _choice("category", category, CATEGORIES)
    urgency = _choice("urgency", urgency, URGENCIES)
    title = _text("title", title, MAX_TITLE)
    body = _text("text", text, MAX_TEXT)
    clean = None
    if attachment is not None:
        if data_dir is None:
            raise ValueError("data_dir is needed to store an attachment")
        clean = clean_attachment(attachment)
    clock = scenario_now(session, clock)
    values = _new_item(actor, commune_code, clock, key) | {
        "category": category,
        "urgency": urgency,
        "title": title,
        "body": body,
    }
    if attachment is not None and clean is not None and data_dir is not None:
        values["attachment_path"] = _store_attachment(session, data_dir, clean)
        values["attachment_name"] = _clean_filename(attachment.name)
        values["attachment_mime"] = clean.mime
        values["attachment_size"] = len(clean.data)
    item, inserted = idempotency.insert_once(session, FeedbackItem, values)
    if not inserted:
        # The same draft arrived twice at once: the other send stored it.
        if data_dir is not None and "attachment_path" in values:
            _discard_attachment(data_dir, values["attachment_path"])
        return _view(item)
    audit.record(
        session,
        actor,
        "feedback.raise",
        OBJECT_TYPE,
        str(item.id),
        new={
            "commune_code": commune_code,
            "category": category,
            "urgency": urgency,
            "title": title,
            "attachment": item.attachment_name or None,
        },
        at=clock,
    )
    # The author has seen their own item.
    _upsert_seen(session, actor.username, [(item.id, 1, 0)], clock)
    return _view(item)


def assign(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    department: str,
    owner: str,
    due_utc: datetime,
    clock: Clock | None = None,
) -> FeedbackView:
    """Province staff assign (or re-assign) an item: department, owner, due time."""
    item = _load_for_change(session, actor, item_id, expected_version)
    _require_triage(actor, item, "assign")
    _require_status(item, "assign")
    department = _text("department", department, MAX_NAME)
    owner = _text("owner", owner, MAX_NAME)
    if not isinstance(due_utc, datetime):
        raise FeedbackError("due", "must be a date and time", key="errors.not_date")
    if due_utc.tzinfo is None:
        raise FeedbackError(
            "due",
            "must carry a time zone (it is stored in UTC)",
            key="errors.not_date",
        )
    clock = scenario_now(session, clock)
    if due_utc < clock:
        raise FeedbackError(
            "due",
            f"{due_utc:%Y-%m-%d %H:%M %Z} is before now ({clock:%Y-%m-%d %H:%M} UTC)",
            key="errors.in_past",
            value=vietnam_text(due_utc),
            now=vietnam_text(clock),
        )
    old = _snapshot(item)
    item.department = department
    item.owner = owner
    item.due_utc = due_utc.astimezone(UTC)
    if item.status == "received":
        item.status = "assigned"
        item.assigned_at = clock
        item.assigned_by = actor.username
    return _save(session, actor, item, "assign", old, expected_version, clock)


def answer(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    text: str,
    clock: Clock | None = None,
) -> FeedbackView:
    """Province staff answer an assigned item; the commune is notified."""
    item = _load_for_change(session, actor, item_id, expected_version)
    _require_triage(actor, item, "answer")
    _require_status(item, "answer")
    reply = _text("answer", text, MAX_TEXT)
    clock = scenario_now(session, clock)
    old = _snapshot(item)
    item.answer = reply
    item.status = "answered"
    item.answered_at = clock
    item.answered_by = actor.username
    item.answer_count += 1
    return _save(session, actor, item, "answer", old, expected_version, clock)


def close(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    note: str = "",
    clock: Clock | None = None,
) -> FeedbackView:
    """Province staff close an answered item (*note* goes to the audit log)."""
    item = _load_for_change(session, actor, item_id, expected_version)
    _require_triage(actor, item, "close")
    _require_status(item, "close")
    note = _text("note", note, MAX_TEXT, required=False)
    clock = scenario_now(session, clock)
    old = _snapshot(item)
    item.status = "closed"
    item.closed_at = clock
    item.closed_by = actor.username
    return _save(session, actor, item, "close", old, expected_version, clock, note)


def reopen(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    reason: str,
    clock: Clock | None = None,
) -> FeedbackView:
    """Send an answered or closed item back to ``received`` with a reason.

    Allowed to the item's commune leader (the answer did not solve it) and to
    the province's staff. Starts a new cycle: step times are cleared, the
    province is notified again.
    """
    item = _load_for_change(session, actor, item_id, expected_version)
    require(
        (actor.role is Role.COMMUNE and actor.commune_code == item.commune_code)
        or can_manage_province(actor, item.province_code),
        f"reopen feedback #{item_id}",
    )
    _require_status(item, "reopen")
    why = _text("reason", reason, MAX_TEXT)
    clock = scenario_now(session, clock)
    old = _snapshot(item)
    item.status = "received"
    item.reopen_reason = why
    item.raised_at = clock
    item.raise_count += 1
    item.assigned_at = item.assigned_by = None
    item.answered_at = item.answered_by = None
    item.closed_at = item.closed_by = None
    view = _save(session, actor, item, "reopen", old, expected_version, clock, why)
    if actor.role is Role.COMMUNE:
        _upsert_seen(
            session, actor.username, [(item.id, item.raise_count, None)], clock
        )
    return view
