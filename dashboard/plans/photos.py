"""Photo evidence: checked, re-encoded, stored under the data directory.

The type is detected from the content (Pillow opens it), never from the file
name; only JPEG, PNG and WebP are accepted, up to :data:`MAX_BYTES` and
:data:`MAX_PIXELS`. The picture is re-encoded as JPEG (at most
:data:`MAX_SIDE` px on its long side, EXIF orientation applied, metadata
dropped: no GPS leaks) with a :data:`THUMB_SIDE` px thumbnail next to it.
Files go to ``<data dir>/plan_photos/<event>/<commune>/``; the database keeps
only the relative path.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from dashboard.plans.model import EvidenceError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
THUMB_SIDE = 240
ACCEPTED = ("JPEG", "PNG", "WEBP")
PHOTO_DIR = "plan_photos"


@dataclass(frozen=True)
class StoredPhoto:
    path: str  # relative to the data directory
    thumbnail: str


def _open(content: bytes) -> Image.Image:
    if not content:
        raise EvidenceError("the photo is empty")
    if len(content) > MAX_BYTES:
        raise EvidenceError(
            f"the photo is {len(content) / 1e6:.1f} MB; the limit is "
            f"{MAX_BYTES / 1e6:.0f} MB"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            kind = image.format
            if kind not in ACCEPTED:
                raise EvidenceError(
                    f"not a photo we accept ({kind or 'unknown'}); use JPEG, PNG or WebP"
                )
            if image.width * image.height > MAX_PIXELS:
                raise EvidenceError("the photo has too many pixels")
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning) as exc:
        raise EvidenceError(f"not a readable image: {exc}") from None
    return ImageOps.exif_transpose(image).convert("RGB")


def store_photo(
    data_dir: Path, event_id: int, commune_code: str, content: bytes
) -> StoredPhoto:
    """Check and store a photo; return its paths relative to *data_dir*.

    Raises
    ------
    EvidenceError
        Empty, too big, not an image, or not JPEG/PNG/WebP.
    """
    image = _open(content)
    folder = Path(PHOTO_DIR) / str(int(event_id)) / commune_code
    (data_dir / folder).mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    full = image.copy()
    full.thumbnail((MAX_SIDE, MAX_SIDE))
    path = folder / f"{stem}.jpg"
    full.save(data_dir / path, "JPEG", quality=85, optimize=True)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb_path = folder / f"{stem}_thumb.jpg"
    thumb.save(data_dir / thumb_path, "JPEG", quality=80)
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
