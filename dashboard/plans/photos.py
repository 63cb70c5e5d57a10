"""Photo evidence: checked, re-encoded, stored under the data directory.

The type is detected from the content (Pillow opens it), never from the file
name; only JPEG, PNG and WebP are accepted, up to :data:`MAX_BYTES` and
:data:`MAX_PIXELS`. The picture is re-encoded as JPEG (at most
:data:`MAX_SIDE` px on its long side, EXIF orientation applied, metadata
dropped: no GPS leaks) with a :data:`THUMB_SIDE` px thumbnail next to it.
Files go to ``<data dir>/plan_photos/<event>/<commune>/`` (folders 0700,
files 0600); the database keeps only the relative path. The checks are those
of :mod:`dashboard.core.files` (pixel limit read from the header before
decoding, decompression bombs refused).

A photo is written before the task row that names it, inside the caller's
transaction; :func:`remove_unless_committed` deletes it again when that
transaction does not commit (a conflict, a refused audit, a failed commit),
so a rolled-back update leaves no file behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from dashboard.core import files
from dashboard.plans.model import EvidenceError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = files.MAX_PIXELS
MAX_SIDE = 1600
THUMB_SIDE = 240
ACCEPTED = ("JPEG", "PNG", "WEBP")
PHOTO_DIR = "plan_photos"


@dataclass(frozen=True)
class StoredPhoto:
    path: str  # relative to the data directory
    thumbnail: str


class PhotoRefused(EvidenceError):
    """The photo failed the file checks; ``key`` and ``params`` say why."""

    def __init__(self, refusal: files.FileRefused) -> None:
        super().__init__(f"the photo is refused: {refusal}")
        self.key = refusal.key
        self.params = refusal.params


def store_photo(
    data_dir: Path, event_id: int, commune_code: str, content: bytes
) -> StoredPhoto:
    """Check and store a photo; return its paths relative to *data_dir*.

    Raises
    ------
    PhotoRefused
        (an :class:`EvidenceError`) Empty, too big, too many pixels, not an
        image, or not JPEG/PNG/WebP; nothing is written.
    """
    try:
        clean = files.clean_upload(
            content,
            accept=("image",),
            max_bytes=MAX_BYTES,
            image_formats=ACCEPTED,
            max_edge=MAX_SIDE,
            thumb_edge=THUMB_SIDE,
            image_output="JPEG",
            quality=85,
        )
    except files.FileRefused as exc:
        raise PhotoRefused(exc) from None
    assert clean.thumb is not None
    folder = Path(PHOTO_DIR) / str(int(event_id)) / commune_code
    target = files.private_dir(data_dir, *folder.parts)
    stem = uuid.uuid4().hex
    path, thumb_path = folder / f"{stem}.jpg", folder / f"{stem}_thumb.jpg"
    files.write_private(target / path.name, clean.data)
    try:
        files.write_private(target / thumb_path.name, clean.thumb)
    except BaseException:
        (target / path.name).unlink(missing_ok=True)
        raise
    return StoredPhoto(path.as_posix(), thumb_path.as_posix())


def thumbnail_path(path: str) -> str:
    return path[: -len(".jpg")] + "_thumb.jpg" if path.endswith(".jpg") else path


def resolve(data_dir: Path, path: str) -> Path | None:
    """The file of a stored relative path, refusing anything outside the folder."""
    if not path:
        return None
    root = (data_dir / PHOTO_DIR).resolve()
    target = (data_dir / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def remove_photo(data_dir: Path, path: str) -> None:
    """Delete a photo and its thumbnail (after a refused write)."""
    for rel in (path, thumbnail_path(path)):
        target = resolve(data_dir, rel)
        if target is not None:
            target.unlink(missing_ok=True)


_PENDING = "plans.photos.uncommitted"


def remove_unless_committed(session: Session, data_dir: Path, path: str) -> None:
    """Delete the photo *path* (and its thumbnail) when *session*'s outermost
    transaction ends without committing."""
    session.info.setdefault(_PENDING, []).append((data_dir, path))
    if not event.contains(session, "after_transaction_end", _transaction_ended):
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _transaction_ended)


def _committed(session: Session) -> None:
    if not session.in_nested_transaction():  # the outermost commit
        session.info.pop(_PENDING, None)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer one decides
        return
    for data_dir, path in session.info.pop(_PENDING, []):
        remove_photo(data_dir, path)
