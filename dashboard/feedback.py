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
the ``version`` the caller read; a stale version raises :class:`ConflictError`
and nothing is written.

Times are stored in UTC. ``now`` parameters exist for tests and drills; they
default to the wall clock.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement

from dashboard import audit, registry
from dashboard.auth import (
    PermissionDenied,
    Principal,
    Role,
    can_manage_province,
    can_read_commune,
    can_read_province,
    require,
)
from dashboard.core import files
from dashboard.store.feedback_schema import (
    CATEGORIES,
    STATUSES,
    URGENCIES,
    FeedbackItem,
    FeedbackSeen,
)
from dashboard.store.schema import AuditEntry

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "AWAITING_STATUSES",
    "CATEGORIES",
    "MAX_ATTACHMENT_BYTES",
    "STATUSES",
    "TRANSITIONS",
    "URGENCIES",
    "Attachment",
    "AttachmentRefused",
    "ConflictError",
    "FeedbackError",
    "FeedbackView",
    "NotFound",
    "StepTimes",
    "answer",
    "assign",
    "attachment_file",
    "attachment_thumbnail",
    "check_attachment",
    "clean_attachment",
    "close",
    "due_default",
    "get_item",
    "history",
    "list_items",
    "mark_seen",
    "open_urgent",
    "raise_item",
    "reopen",
    "unseen_count",
    "week_start",
    "weekly_summary",
]

OBJECT_TYPE = "feedback_item"
#: Statuses in which the item waits for the province (the "open" requests of
#: the situation report).
AWAITING_STATUSES = ("received", "assigned")
#: action → statuses it may start from (the workflow table).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assign": ("received", "assigned"),
    "answer": ("assigned",),
    "close": ("answered",),
    "reopen": ("answered", "closed"),
}
#: Default due time after assignment, in hours, by urgency (the UI's default).
DEFAULT_DUE_HOURS = {"normal": 72, "urgent": 24, "critical": 4}

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_NAME = 200
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: Content types accepted as attachments, with the extension stored on disk.
ALLOWED_ATTACHMENT_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
ATTACHMENT_DIR = "feedback"
#: Thumbnails (JPEG) of image attachments, under the same name as the file.
THUMB_DIR = "feedback_thumbs"
#: Image attachments are stored re-encoded, at most this many px on a side.
ATTACHMENT_MAX_EDGE = 2048
THUMB_EDGE = 480


class FeedbackError(ValueError):
    """Input the feedback rules refuse; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class AttachmentRefused(FeedbackError):
    """The attachment failed the file checks; ``key`` and ``params`` say why
    (see :mod:`dashboard.core.files`)."""

    def __init__(self, refusal: files.FileRefused) -> None:
        reason = str(refusal)
        if refusal.key in _TYPE_REFUSALS:
            reason = (
                "only PNG, JPEG or WebP images and PDF documents are accepted "
                f"({reason})"
            )
        super().__init__("attachment", reason)
        self.key = refusal.key
        self.params = refusal.params


_TYPE_REFUSALS = {
    "file.executable",
    "file.svg",
    "file.html",
    "file.unsupported",
    "file.wrong_type",
}


class NotFound(LookupError):
    """No such feedback item."""


class ConflictError(RuntimeError):
    """Someone changed the item since the caller read it; nothing was written.

    Attributes
    ----------
    item_id, expected_version
        What the caller named.
    current
        The item as it is now (status, version, who changed it last, when).
    """

    def __init__(
        self, item_id: int, expected_version: int, current: dict[str, Any]
    ) -> None:
        self.item_id = item_id
        self.expected_version = expected_version
        self.current = current
        super().__init__(
            f"feedback #{item_id} was changed by {current.get('updated_by')} "
            f"(version {current.get('version')}, you read {expected_version}); "
            f"its status is now {current.get('status')}"
        )


@dataclass(frozen=True)
class Attachment:
    """An uploaded file: the name the user gave it and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class StepTimes:
    """How long each step of the current cycle took (``None``: not reached).

    ``open_for`` runs from the raise to the close, or to *now* while open.
    """

    to_assign: timedelta | None
    to_answer: timedelta | None
    to_close: timedelta | None
    open_for: timedelta


@dataclass(frozen=True)
class FeedbackView:
    """One item as a reader sees it (plain values; safe after the session)."""

    id: int
    commune_code: str
    commune_name: str
    province_code: str
    category: str
    urgency: str
    title: str
    text: str
    status: str
    department: str
    owner: str
    due_utc: datetime | None
    answer: str
    reopen_reason: str
    attachment_name: str
    attachment_mime: str
    attachment_size: int
    created_at: datetime
    created_by: str
    raised_at: datetime
    assigned_at: datetime | None
    assigned_by: str | None
    answered_at: datetime | None
    answered_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    raise_count: int
    answer_count: int
    updated_at: datetime
    updated_by: str
    version: int
    #: New for the reader: unseen raise (province) or unseen answer (commune).
    is_new: bool = False

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment_mime)

    def overdue(self, now: datetime | None = None) -> bool:
        """Waiting for the province past its due time."""
        now = _now(now)
        return (
            self.status in AWAITING_STATUSES
            and self.due_utc is not None
            and self.due_utc < now
        )

    def step_times(self, now: datetime | None = None) -> StepTimes:
        now = _now(now)

        def between(a: datetime | None, b: datetime | None) -> timedelta | None:
            return b - a if a is not None and b is not None else None

        return StepTimes(
            to_assign=between(self.raised_at, self.assigned_at),
            to_answer=between(self.assigned_at, self.answered_at),
            to_close=between(self.answered_at, self.closed_at),
            open_for=(self.closed_at or now) - self.raised_at,
        )


# --------------------------------------------------------------------------- #
# helpers


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _text(field: str, value: object, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise FeedbackError(field, "must be text")
    cleaned = value.strip()
    if required and not cleaned:
        raise FeedbackError(field, "is required")
    if len(cleaned) > limit:
        raise FeedbackError(
            field, f"is {len(cleaned)} characters long; at most {limit} are allowed"
        )
    return cleaned


def _choice(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FeedbackError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _commune_name(code: str) -> str:
    try:
        return str(registry.commune(code)["commune_name"])
    except KeyError:
        return code


def _view(item: FeedbackItem, is_new: bool = False) -> FeedbackView:
    return FeedbackView(
        id=item.id,
        commune_code=item.commune_code,
        commune_name=_commune_name(item.commune_code),
        province_code=item.province_code,
        category=item.category,
        urgency=item.urgency,
        title=item.title,
        text=item.body,
        status=item.status,
        department=item.department,
        owner=item.owner,
        due_utc=_utc(item.due_utc),
        answer=item.answer,
        reopen_reason=item.reopen_reason,
        attachment_name=item.attachment_name,
        attachment_mime=item.attachment_mime,
        attachment_size=item.attachment_size,
        created_at=_utc(item.created_at),  # type: ignore[arg-type]
        created_by=item.created_by,
        raised_at=_utc(item.raised_at),  # type: ignore[arg-type]
        assigned_at=_utc(item.assigned_at),
        assigned_by=item.assigned_by,
        answered_at=_utc(item.answered_at),
        answered_by=item.answered_by,
        closed_at=_utc(item.closed_at),
        closed_by=item.closed_by,
        raise_count=item.raise_count,
        answer_count=item.answer_count,
        updated_at=_utc(item.updated_at),  # type: ignore[arg-type]
        updated_by=item.updated_by,
        version=item.version,
        is_new=is_new,
    )


def _snapshot(item: FeedbackItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "department": item.department,
        "owner": item.owner,
        "due_utc": _utc(item.due_utc).isoformat() if item.due_utc else None,
        "answer": item.answer,
        "version": item.version,
        "updated_by": item.updated_by,
        "updated_at": _utc(item.updated_at).isoformat() if item.updated_at else None,
    }


def _is_triager(actor: Principal) -> bool:
    return actor.role in (Role.ADMIN, Role.PROVINCE)


def _load(session: Session, item_id: int) -> FeedbackItem:
    item = session.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(f"no feedback item #{item_id}")
    return item


def _load_for_change(
    session: Session, actor: Principal, item_id: int, expected_version: int
) -> FeedbackItem:
    item = _load(session, item_id)
    require(
        can_read_commune(actor, item.commune_code),
        f"change feedback #{item_id} of commune {item.commune_code}",
    )
    if item.version != expected_version:
        raise ConflictError(item_id, expected_version, _snapshot(item))
    return item


def _require_triage(actor: Principal, item: FeedbackItem, action: str) -> None:
    require(
        can_manage_province(actor, item.province_code),
        f"{action} feedback #{item.id} (needs province staff of "
        f"{item.province_code} or an admin, you are {actor.role})",
    )


def _require_status(item: FeedbackItem, action: str) -> None:
    allowed = TRANSITIONS[action]
    if item.status not in allowed:
        raise FeedbackError(
            "status",
            f"cannot {action} feedback #{item.id}: it is {item.status} "
            f"(allowed from {', '.join(allowed)})",
        )


def _save(
    session: Session,
    actor: Principal,
    item: FeedbackItem,
    action: str,
    old: dict[str, Any],
    expected_version: int,
    now: datetime,
    reason: str = "",
) -> FeedbackView:
    item_id = item.id
    item.updated_at = now
    item.updated_by = actor.username
    try:
        session.flush()
    except StaleDataError as exc:  # changed between our read and our write
        raise ConflictError(
            item_id,
            expected_version,
            {"version": "newer", "updated_by": "another user", "status": "changed"},
        ) from exc
    audit.record(
        session,
        actor,
        f"feedback.{action}",
        OBJECT_TYPE,
        str(item.id),
        old=old,
        new=_snapshot(item),
        reason=reason,
        at=now,
    )
    return _view(item)


# --------------------------------------------------------------------------- #
# attachments


def _clean_filename(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or "attachment"


def clean_attachment(attachment: Attachment) -> files.CleanFile:
    """The attachment as it is to be stored.

    The type is detected from the content, never from the name; images are
    re-encoded (metadata such as GPS dropped, at most
    :data:`ATTACHMENT_MAX_EDGE` px) with a thumbnail; PDFs are parsed and
    refused when they carry scripts, actions, embedded files or forms (see
    :mod:`dashboard.core.files`).

    Raises
    ------
    AttachmentRefused
        (a :class:`FeedbackError` on field ``attachment``) for an empty or
        oversized file, a type other than PNG, JPEG, WebP or PDF (SVG, HTML,
        executables …), an image over the pixel limit, or a damaged or
        active file.
    """
    try:
        return files.clean_upload(
            attachment.data,
            accept=("image", "pdf"),
            max_bytes=MAX_ATTACHMENT_BYTES,
            max_edge=ATTACHMENT_MAX_EDGE,
            thumb_edge=THUMB_EDGE,
        )
    except files.FileRefused as exc:
        raise AttachmentRefused(exc) from None


def check_attachment(attachment: Attachment) -> str:
    """Return the content type of an acceptable attachment (see
    :func:`clean_attachment`, which raises the same errors)."""
    return clean_attachment(attachment).mime


def _store_attachment(session: Session, data_dir: Path, clean: files.CleanFile) -> str:
    """Write the file (and thumbnail), mode 0600 in 0700 folders; remove them
    again if the transaction rolls back."""
    name = f"{uuid.uuid4().hex}{ALLOWED_ATTACHMENT_TYPES[clean.mime]}"
    relative = f"{ATTACHMENT_DIR}/{name}"
    written = [files.private_dir(data_dir, ATTACHMENT_DIR) / name]
    files.write_private(written[0], clean.data)
    if clean.thumb is not None:
        written.append(files.private_dir(data_dir, THUMB_DIR) / f"{name}.jpg")
        try:
            files.write_private(written[1], clean.thumb)
        except BaseException:
            written[0].unlink(missing_ok=True)
            raise
    state = {"committed": False}

    def _committed(_session: Session) -> None:
        state["committed"] = True

    def _rolled_back(_session: Session) -> None:
        if not state["committed"]:
            for path in written:
                path.unlink(missing_ok=True)

    event.listen(session, "after_commit", _committed, once=True)
    event.listen(session, "after_rollback", _rolled_back, once=True)
    return relative


def attachment_thumbnail(
    session: Session, actor: Principal, item_id: int, data_dir: Path
) -> bytes | None:
    """The JPEG thumbnail of an item's image attachment, if there is one.

    Pages show this, never the original. ``None`` for PDFs and for
    attachments stored before thumbnails existed.

    Raises
    ------
    PermissionDenied
        When the actor may not read the item.
    """
    item = _load(session, item_id)
    require(can_read_commune(actor, item.commune_code), f"read feedback #{item_id}")
    if not item.attachment_path:
        return None
    root = (Path(data_dir) / THUMB_DIR).resolve()
    name = PurePath(item.attachment_path).name
    path = (root / f"{name}.jpg").resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path.read_bytes()


def attachment_file(
    session: Session, actor: Principal, item_id: int, data_dir: Path
) -> tuple[str, str, bytes]:
    """``(file name, content type, bytes)`` of an item's attachment.

    Raises
    ------
    PermissionDenied
        When the actor may not read the item.
    NotFound
        When the item has no attachment (or its file is gone).
    """
    item = _load(session, item_id)
    require(can_read_commune(actor, item.commune_code), f"read feedback #{item_id}")
    if not item.attachment_path:
        raise NotFound(f"feedback #{item_id} has no attachment")
    root = (Path(data_dir) / ATTACHMENT_DIR).resolve()
    path = (Path(data_dir) / item.attachment_path).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(f"the attachment of feedback #{item_id} is missing")
    return item.attachment_name, item.attachment_mime, path.read_bytes()


# --------------------------------------------------------------------------- #
# the workflow


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
    now: datetime | None = None,
) -> FeedbackView:
    """A commune leader raises a new item for their own commune.

    Raises
    ------
    PermissionDenied
        Unless *actor* is the commune leader of *commune_code*.
    FeedbackError
        Naming the field: category, urgency, title, text, attachment.
    """
    require(
        actor.role is Role.COMMUNE and actor.commune_code == commune_code,
        f"raise feedback for commune {commune_code} (only that commune's "
        f"leader may, you are {actor.role})",
    )
    category = _choice("category", category, CATEGORIES)
    urgency = _choice("urgency", urgency, URGENCIES)
    title = _text("title", title, MAX_TITLE)
    body = _text("text", text, MAX_TEXT)
    mime = ""
    if attachment is not None:
        if data_dir is None:
            raise ValueError("data_dir is needed to store an attachment")
        clean = clean_attachment(attachment)
        mime = clean.mime
    now = _now(now)
    item = FeedbackItem(
        commune_code=commune_code,
        province_code=str(registry.commune(commune_code)["province_code"]),
        category=category,
        urgency=urgency,
        title=title,
        body=body,
        status="received",
        created_at=now,
        created_by=actor.username,
        raised_at=now,
        raise_count=1,
        answer_count=0,
        updated_at=now,
        updated_by=actor.username,
    )
    if attachment is not None:
        assert data_dir is not None
        item.attachment_path = _store_attachment(session, data_dir, clean)
        item.attachment_name = _clean_filename(attachment.name)
        item.attachment_mime = mime
        item.attachment_size = len(clean.data)
    session.add(item)
    session.flush()
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
        at=now,
    )
    # The author has seen their own item.
    _upsert_seen(session, actor.username, [(item.id, 1, 0)], now)
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
    now: datetime | None = None,
) -> FeedbackView:
    """Province staff assign (or re-assign) an item: department, owner, due time."""
    item = _load_for_change(session, actor, item_id, expected_version)
    _require_triage(actor, item, "assign")
    _require_status(item, "assign")
    department = _text("department", department, MAX_NAME)
    owner = _text("owner", owner, MAX_NAME)
    if not isinstance(due_utc, datetime):
        raise FeedbackError("due", "must be a date and time")
    if due_utc.tzinfo is None:
        raise FeedbackError("due", "must carry a time zone (it is stored in UTC)")
    now = _now(now)
    old = _snapshot(item)
    item.department = department
    item.owner = owner
    item.due_utc = due_utc.astimezone(UTC)
    if item.status == "received":
        item.status = "assigned"
        item.assigned_at = now
        item.assigned_by = actor.username
    return _save(session, actor, item, "assign", old, expected_version, now)


def answer(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    text: str,
    now: datetime | None = None,
) -> FeedbackView:
    """Province staff answer an assigned item; the commune is notified."""
    item = _load_for_change(session, actor, item_id, expected_version)
    _require_triage(actor, item, "answer")
    _require_status(item, "answer")
    reply = _text("answer", text, MAX_TEXT)
    now = _now(now)
    old = _snapshot(item)
    item.answer = reply
    item.status = "answered"
    item.answered_at = now
    item.answered_by = actor.username
    item.answer_count += 1
    return _save(session, actor, item, "answer", old, expected_version, now)


def close(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    note: str = "",
    now: datetime | None = None,
) -> FeedbackView:
    """Province staff close an answered item (*note* goes to the audit log)."""
    item = _load_for_change(session, actor, item_id, expected_version)
    _require_triage(actor, item, "close")
    _require_status(item, "close")
    note = _text("note", note, MAX_TEXT, required=False)
    now = _now(now)
    old = _snapshot(item)
    item.status = "closed"
    item.closed_at = now
    item.closed_by = actor.username
    return _save(session, actor, item, "close", old, expected_version, now, note)


def reopen(
    session: Session,
    actor: Principal,
    item_id: int,
    expected_version: int,
    *,
    reason: str,
    now: datetime | None = None,
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
    now = _now(now)
    old = _snapshot(item)
    item.status = "received"
    item.reopen_reason = why
    item.raised_at = now
    item.raise_count += 1
    item.assigned_at = item.assigned_by = None
    item.answered_at = item.answered_by = None
    item.closed_at = item.closed_by = None
    view = _save(session, actor, item, "reopen", old, expected_version, now, why)
    if actor.role is Role.COMMUNE:
        _upsert_seen(session, actor.username, [(item.id, item.raise_count, None)], now)
    return view


# --------------------------------------------------------------------------- #
# reading


def _scope_filter(actor: Principal) -> ColumnElement[bool] | None:
    """Rows the actor may read (``None``: all of them, for admins)."""
    if actor.role is Role.ADMIN:
        return None
    if actor.role is Role.PROVINCE:
        return FeedbackItem.province_code.in_(sorted(actor.province_codes))
    if actor.role is Role.COMMUNE and actor.commune_code:
        return FeedbackItem.commune_code == actor.commune_code
    raise PermissionDenied(f"not allowed: read feedback (you are {actor.role})")


def _new_condition(actor: Principal) -> ColumnElement[bool]:
    """SQL: the item is new for *actor* (needs the outer join on FeedbackSeen)."""
    if actor.role is Role.COMMUNE:
        return FeedbackItem.answer_count > func.coalesce(FeedbackSeen.seen_answer, 0)
    return and_(
        FeedbackItem.status != "closed",
        FeedbackItem.raise_count > func.coalesce(FeedbackSeen.seen_raise, 0),
    )


def _urgency_rank() -> ColumnElement[int]:
    return case(
        {u: rank for rank, u in enumerate(reversed(URGENCIES))},
        value=FeedbackItem.urgency,
        else_=len(URGENCIES),
    )


def list_items(
    session: Session,
    actor: Principal,
    *,
    province_code: str | None = None,
    commune_code: str | None = None,
    statuses: Iterable[str] | None = None,
    urgencies: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
) -> list[FeedbackView]:
    """Items the actor may read, most pressing first.

    Order: not closed before closed, then critical → urgent → normal, then
    the earliest due time (none last), then the oldest raise. A commune
    leader sees their commune's items; province staff their provinces'.

    Raises
    ------
    PermissionDenied
        For volunteers, or a province/commune outside the actor's scope.
    """
    scope = _scope_filter(actor)
    query = select(FeedbackItem, _new_condition(actor)).outerjoin(
        FeedbackSeen,
        and_(
            FeedbackSeen.item_id == FeedbackItem.id,
            FeedbackSeen.username == actor.username,
        ),
    )
    if scope is not None:
        query = query.where(scope)
    if province_code is not None:
        require(
            can_read_province(actor, province_code), f"read province {province_code}"
        )
        query = query.where(FeedbackItem.province_code == province_code)
    if commune_code is not None:
        require(can_read_commune(actor, commune_code), f"read commune {commune_code}")
        query = query.where(FeedbackItem.commune_code == commune_code)
    for column, values, allowed, name in (
        (FeedbackItem.status, statuses, STATUSES, "status"),
        (FeedbackItem.urgency, urgencies, URGENCIES, "urgency"),
        (FeedbackItem.category, categories, CATEGORIES, "category"),
    ):
        if values is not None:
            chosen = [_choice(name, v, allowed) for v in values]
            query = query.where(column.in_(chosen))
    query = query.order_by(
        case((FeedbackItem.status == "closed", 1), else_=0),
        _urgency_rank(),
        case((FeedbackItem.due_utc.is_(None), 1), else_=0),
        FeedbackItem.due_utc,
        FeedbackItem.raised_at,
        FeedbackItem.id,
    )
    return [_view(item, bool(new)) for item, new in session.execute(query)]


def get_item(session: Session, actor: Principal, item_id: int) -> FeedbackView:
    """One item, if the actor may read it."""
    item = _load(session, item_id)
    require(can_read_commune(actor, item.commune_code), f"read feedback #{item_id}")
    seen = session.get(FeedbackSeen, (actor.username, item_id))
    if actor.role is Role.COMMUNE:
        is_new = item.answer_count > (seen.seen_answer if seen else 0)
    else:
        is_new = item.status != "closed" and item.raise_count > (
            seen.seen_raise if seen else 0
        )
    return _view(item, is_new)


def history(session: Session, actor: Principal, item_id: int) -> list[AuditEntry]:
    """The item's audit rows, oldest first (who did what, when)."""
    item = _load(session, item_id)
    require(can_read_commune(actor, item.commune_code), f"read feedback #{item_id}")
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == OBJECT_TYPE)
        .where(AuditEntry.object_id == str(item_id))
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(query))


def open_urgent(
    session: Session,
    actor: Principal,
    province_code: str,
    now: datetime | None = None,
) -> list[FeedbackView]:
    """Urgent and critical items of a province still waiting for the province
    (received or assigned), most pressing first: for the situation report.

    Use ``view.overdue(now)`` for the ones past their due time.
    """
    require(can_read_province(actor, province_code), f"read province {province_code}")
    _now(now)  # validates an explicit clock
    return list_items(
        session,
        actor,
        province_code=province_code,
        statuses=AWAITING_STATUSES,
        urgencies=("urgent", "critical"),
    )


# --------------------------------------------------------------------------- #
# notifications


def unseen_count(session: Session, actor: Principal) -> int:
    """The number for the actor's badge.

    Province staff (and admins, nationwide): items not closed whose latest
    raise or reopen they have not seen. Commune leaders: their commune's items
    with an answer they have not seen. Volunteers: always 0.
    """
    if actor.role is Role.VOLUNTEER:
        return 0
    scope = _scope_filter(actor)
    query = (
        select(func.count())
        .select_from(FeedbackItem)
        .outerjoin(
            FeedbackSeen,
            and_(
                FeedbackSeen.item_id == FeedbackItem.id,
                FeedbackSeen.username == actor.username,
            ),
        )
        .where(_new_condition(actor))
    )
    if scope is not None:
        query = query.where(scope)
    return int(session.scalar(query) or 0)


def _upsert_seen(
    session: Session,
    username: str,
    rows: list[tuple[int, int | None, int | None]],
    now: datetime,
) -> None:
    """Record (item id, raise counter, answer counter) as seen; ``None`` keeps
    the stored value. Counters never go back."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The larger of two values: GREATEST on PostgreSQL, two-argument MAX on SQLite.
    larger = func.greatest if dialect == "postgresql" else func.max
    for item_id, seen_raise, seen_answer in rows:
        statement = insert(FeedbackSeen).values(
            username=username,
            item_id=item_id,
            seen_raise=seen_raise or 0,
            seen_answer=seen_answer or 0,
            seen_at=now,
        )
        updates: dict[str, Any] = {"seen_at": now}
        if seen_raise is not None:
            updates["seen_raise"] = larger(
                FeedbackSeen.seen_raise, statement.excluded.seen_raise
            )
        if seen_answer is not None:
            updates["seen_answer"] = larger(
                FeedbackSeen.seen_answer, statement.excluded.seen_answer
            )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["username", "item_id"], set_=updates
            )
        )


def mark_seen(
    session: Session,
    actor: Principal,
    item_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> int:
    """Mark items as seen by the actor (``None``: every item that is new for
    them); returns how many were new. Not audited: it changes no item, only
    this user's badge."""
    if actor.role is Role.VOLUNTEER:
        return 0
    scope = _scope_filter(actor)
    query = select(
        FeedbackItem.id, FeedbackItem.raise_count, FeedbackItem.answer_count
    ).outerjoin(
        FeedbackSeen,
        and_(
            FeedbackSeen.item_id == FeedbackItem.id,
            FeedbackSeen.username == actor.username,
        ),
    )
    if scope is not None:
        query = query.where(scope)
    if item_ids is None:
        query = query.where(_new_condition(actor))
    else:
        wanted = sorted({int(i) for i in item_ids})
        if not wanted:
            return 0
        query = query.where(FeedbackItem.id.in_(wanted))
    rows = session.execute(query).all()
    if item_ids is not None:
        missing = sorted(set(wanted) - {r.id for r in rows})
        require(not missing, f"read feedback #{', #'.join(map(str, missing))}")
    new_before = unseen_count(session, actor)
    _upsert_seen(
        session,
        actor.username,
        [(r.id, r.raise_count, r.answer_count) for r in rows],
        _now(now),
    )
    return new_before - unseen_count(session, actor)


# --------------------------------------------------------------------------- #
# weekly summary

VIETNAM = timedelta(hours=7)


def week_start(moment: datetime) -> date:
    """Monday (Vietnam time) of the week holding *moment*."""
    local = _now(moment) + VIETNAM
    return local.date() - timedelta(days=local.weekday())


def weekly_summary(
    session: Session,
    actor: Principal,
    province_code: str,
    weeks: int = 8,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Feedback raised per week, commune and category, counted in SQL.

    Weeks run Monday 00:00 to Monday 00:00 Vietnam time; the window is the
    current week and the *weeks* − 1 before it, by the time each item was
    first raised. One row per (week, commune, category) with at least one
    item; columns ``week_start`` (date, Monday), ``commune_code``,
    ``commune_name``, ``category``, ``raised``, ``urgent`` (urgent or
    critical), ``answered`` (answered or closed now), ``closed``,
    ``awaiting`` (received or assigned now).
    """
    require(
        actor.role in (Role.ADMIN, Role.PROVINCE)
        and can_read_province(actor, province_code),
        f"read the feedback summary of province {province_code}",
    )
    if not 1 <= int(weeks) <= 52:
        raise FeedbackError("weeks", "must be between 1 and 52")
    weeks = int(weeks)
    first_monday = week_start(_now(now)) - timedelta(weeks=weeks - 1)
    bounds = [
        datetime.combine(first_monday + timedelta(weeks=k), time(), UTC) - VIETNAM
        for k in range(weeks + 1)
    ]
    bucket = case(
        *[(FeedbackItem.created_at < bounds[k + 1], k) for k in range(weeks)],
        else_=weeks,
    ).label("week")
    query = (
        select(
            bucket,
            FeedbackItem.commune_code,
            FeedbackItem.category,
            func.count().label("raised"),
            func.sum(
                case((FeedbackItem.urgency.in_(("urgent", "critical")), 1), else_=0)
            ).label("urgent"),
            func.sum(
                case((FeedbackItem.status.in_(("answered", "closed")), 1), else_=0)
            ).label("answered"),
            func.sum(case((FeedbackItem.status == "closed", 1), else_=0)).label(
                "closed"
            ),
            func.sum(
                case((FeedbackItem.status.in_(AWAITING_STATUSES), 1), else_=0)
            ).label("awaiting"),
        )
        .where(FeedbackItem.province_code == province_code)
        .where(FeedbackItem.created_at >= bounds[0])
        .where(FeedbackItem.created_at < bounds[-1])
        .group_by(bucket, FeedbackItem.commune_code, FeedbackItem.category)
        .order_by(bucket, FeedbackItem.commune_code, FeedbackItem.category)
    )
    rows = [
        {
            "week_start": first_monday + timedelta(weeks=int(r.week)),
            "commune_code": r.commune_code,
            "commune_name": _commune_name(r.commune_code),
            "category": r.category,
            "raised": int(r.raised),
            "urgent": int(r.urgent or 0),
            "answered": int(r.answered or 0),
            "closed": int(r.closed or 0),
            "awaiting": int(r.awaiting or 0),
        }
        for r in session.execute(query)
    ]
    columns = [
        "week_start",
        "commune_code",
        "commune_name",
        "category",
        "raised",
        "urgent",
        "answered",
        "closed",
        "awaiting",
    ]
    return pd.DataFrame(rows, columns=columns)


def due_default(urgency: str, now: datetime | None = None) -> datetime:
    """The suggested due time when assigning an item of this urgency."""
    return _now(now) + timedelta(hours=DEFAULT_DUE_HOURS.get(urgency, 72))
