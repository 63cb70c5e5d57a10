"""Commune feedback (kiến nghị): raising, triage, answers, badges, weekly summary.

* :mod:`~dashboard.feedback.model` — vocabulary, limits, errors, views;
* :mod:`~dashboard.feedback.rules` — validation, scope, versioned saving;
* :mod:`~dashboard.feedback.attachments` — content checks and storage;
* :mod:`~dashboard.feedback.workflow` — raise, assign, answer, close, reopen;
* :mod:`~dashboard.feedback.reading` — lists, one item, history;
* :mod:`~dashboard.feedback.notifications` — what each user has not seen;
* :mod:`~dashboard.feedback.weekly` — the weekly summary, default due times.

May import: store, auth, audit, core, registry. Never streamlit.
"""

from dashboard.feedback.attachments import (
    attachment_file,
    attachment_thumbnail,
    check_attachment,
    clean_attachment,
)
from dashboard.feedback.model import (
    ALLOWED_ATTACHMENT_TYPES,
    ATTACHMENT_DIR,
    ATTACHMENT_MAX_EDGE,
    AWAITING_STATUSES,
    DEFAULT_DUE_HOURS,
    MAX_ATTACHMENT_BYTES,
    MAX_NAME,
    MAX_TEXT,
    MAX_TITLE,
    OBJECT_TYPE,
    THUMB_DIR,
    THUMB_EDGE,
    TRANSITIONS,
    Attachment,
    AttachmentRefused,
    FeedbackError,
    FeedbackView,
    StepTimes,
    item_conflict,
)
from dashboard.feedback.notifications import (
    mark_seen,
    unseen_count,
)
from dashboard.feedback.reading import (
    get_item,
    history,
    list_items,
    open_urgent,
)
from dashboard.feedback.weekly import (
    due_default,
    week_start,
    weekly_summary,
)
from dashboard.feedback.workflow import (
    answer,
    assign,
    close,
    raise_item,
    reopen,
)
from dashboard.store.models.feedback import CATEGORIES, STATUSES, URGENCIES

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "ATTACHMENT_DIR",
    "ATTACHMENT_MAX_EDGE",
    "AWAITING_STATUSES",
    "CATEGORIES",
    "DEFAULT_DUE_HOURS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_NAME",
    "MAX_TEXT",
    "MAX_TITLE",
    "OBJECT_TYPE",
    "STATUSES",
    "THUMB_DIR",
    "THUMB_EDGE",
    "TRANSITIONS",
    "URGENCIES",
    "Attachment",
    "AttachmentRefused",
    "FeedbackError",
    "FeedbackView",
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
    "item_conflict",
    "list_items",
    "mark_seen",
    "open_urgent",
    "raise_item",
    "reopen",
    "unseen_count",
    "week_start",
    "weekly_summary",
]
