"""Feedback attachments: content checks and storage on disk."""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import Path, PurePath

from sqlalchemy import event
from sqlalchemy.orm import Session

from dashboard.auth import (
    Principal,
    can_read_commune,
    require,
)
from dashboard.core import files
from dashboard.core.errors import NotFound

# --------------------------------------------------------------------------- #
# attachments
from dashboard.feedback.model import (
    ALLOWED_ATTACHMENT_TYPES,
    ATTACHMENT_DIR,
    ATTACHMENT_MAX_EDGE,
    MAX_ATTACHMENT_BYTES,
    THUMB_DIR,
    THUMB_EDGE,
    Attachment,
    AttachmentRefused,
)
from dashboard.feedback.rules import _load


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


def _discard_attachment(data_dir: Path, relative: str) -> None:
    """Remove a file stored by :func:`_store_attachment` (and its thumbnail)
    that no row refers to."""
    name = PurePath(relative).name
    (Path(data_dir) / ATTACHMENT_DIR / name).unlink(missing_ok=True)
    (Path(data_dir) / THUMB_DIR / f"{name}.jpg").unlink(missing_ok=True)


def attachment_thumbnail(
    session: Session, actor: Principal, item_id: int, data_dir: Path
) -> bytes | None:
    """The JPEG thumbnail of an item's image attachment, if there is one.

    Pages show this, never the original. ``None`` for PDFs and for
    attachments stored before thumbnails existed.

    Raises
    ------
    Forbidden
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
    Forbidden
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
