"""Feedback vocabulary, limits, errors and the views the services return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dashboard.core import files
from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, Invalid
from dashboard.core.time import utc_now

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


class FeedbackError(Invalid):
    """Input the feedback rules refuse; ``field`` names the offending field."""

    def __init__(
        self, field: str, message: str, *, key: str | None = None, **params: Any
    ) -> None:
        super().__init__(
            f"{field}: {message}", key=key or "errors.invalid", field=field, **params
        )
        self.field = field


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
        super().__init__("attachment", reason, key=refusal.key, **refusal.params)


_TYPE_REFUSALS = {
    "file.executable",
    "file.svg",
    "file.html",
    "file.unsupported",
    "file.wrong_type",
}


def item_conflict(
    item_id: int, expected_version: int, current: dict[str, Any]
) -> Conflict:
    """The :class:`Conflict` of a feedback item changed since the caller read
    it; ``current`` is the item as it is now."""
    return Conflict(
        f"feedback #{item_id} was changed by {current.get('updated_by')} "
        f"(version {current.get('version')}, you read {expected_version}); "
        f"its status is now {current.get('status')}",
        item_id=item_id,
        expected_version=expected_version,
        current=current,
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

    def overdue(self, clock: Clock | None = None) -> bool:
        """Waiting for the province past its due time."""
        clock = utc_now(clock)
        return (
            self.status in AWAITING_STATUSES
            and self.due_utc is not None
            and self.due_utc < clock
        )

    def step_times(self, clock: Clock | None = None) -> StepTimes:
        clock = utc_now(clock)

        def between(a: datetime | None, b: datetime | None) -> timedelta | None:
            return b - a if a is not None and b is not None else None

        return StepTimes(
            to_assign=between(self.raised_at, self.assigned_at),
            to_answer=between(self.assigned_at, self.answered_at),
            to_close=between(self.answered_at, self.closed_at),
            open_for=(self.closed_at or clock) - self.raised_at,
        )
