"""Feedback attachments: content checks and storage on disk."""

from __future__ import annotations

import io
import unicodedata
import uuid
from pathlib import Path, PurePath

import puremagic
from sqlalchemy import event
from sqlalchemy.orm import Session

from dashboard.auth import (
    Principal,
    can_read_commune,
    require,
)
from dashboard.core.errors import NotFound

# --------------------------------------------------------------------------- #
# attachments
from dashboard.feedback.model import (
    _PILLOW_FORMATS,
    ALLOWED_ATTACHMENT_TYPES,
    ATTACHMENT_DIR,
    MAX_ATTACHMENT_BYTES,
    Attachment,
    FeedbackError,
)
from dashboard.feedback.rules import _load


def _clean_filename(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or "attachment"


def check_attachment(attachment: Attachment) -> str:
    """Return the content type of an acceptable attachment.

    The type is detected from the content (puremagic), then the file is
    opened by the library that reads it (Pillow for images, pypdf for PDF);
    the file name's extension plays no part.

    Raises
    ------
    FeedbackError
        (field ``attachment``) for an empty or oversized file, a type other
        than PNG, JPEG, WebP or PDF (SVG, HTML, executables …), or a file
        that does not open as what it claims to be.
    """
    data = attachment.data
    if not data:
        raise FeedbackError("attachment", "the file is empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise FeedbackError(
            "attachment",
            f"the file is {len(data):,} bytes; at most "
            f"{MAX_ATTACHMENT_BYTES:,} bytes are allowed",
        )
    try:
        detected = puremagic.from_string(data, mime=True)
    except (puremagic.PureError, ValueError):
        detected = ""
    if detected not in ALLOWED_ATTACHMENT_TYPES:
        raise FeedbackError(
            "attachment",
            f"only PNG, JPEG or WebP images and PDF documents are accepted "
            f"(this file's content is {detected or 'not recognised'})",
        )
    if detected == "application/pdf":
        try:
            from pypdf import PdfReader

            pages = len(PdfReader(io.BytesIO(data)).pages)
        except Exception as exc:
            raise FeedbackError(
                "attachment", f"the PDF cannot be read ({exc})"
            ) from exc
        if pages < 1:
            raise FeedbackError("attachment", "the PDF has no pages")
        return detected
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            image.verify()
    except Exception as exc:
        raise FeedbackError("attachment", f"the image cannot be read ({exc})") from exc
    if _PILLOW_FORMATS.get(fmt or "") != detected:
        raise FeedbackError(
            "attachment", f"the image's content ({fmt}) does not match {detected}"
        )
    return detected


def _store_attachment(
    session: Session, data_dir: Path, attachment: Attachment, mime: str
) -> str:
    """Write the file; remove it again if the transaction rolls back."""
    folder = Path(data_dir) / ATTACHMENT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{ATTACHMENT_DIR}/{uuid.uuid4().hex}{ALLOWED_ATTACHMENT_TYPES[mime]}"
    path = Path(data_dir) / relative
    with path.open("xb") as fh:
        fh.write(attachment.data)
    state = {"committed": False}

    def _committed(_session: Session) -> None:
        state["committed"] = True

    def _rolled_back(_session: Session) -> None:
        if not state["committed"]:
            path.unlink(missing_ok=True)

    event.listen(session, "after_commit", _committed, once=True)
    event.listen(session, "after_rollback", _rolled_back, once=True)
    return relative


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
