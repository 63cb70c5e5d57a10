"""Validating an uploaded file and preparing what the library serves.

The type of a file is decided from its *content* (magic numbers, then Pillow
or pypdf actually reading it), never from its name. What is accepted:

* images (JPEG, PNG, WebP, GIF): decoded and **re-encoded** by Pillow, which
  drops metadata (EXIF with GPS, comments) and anything that is not pixels;
  a thumbnail (WebP, at most :data:`THUMB_MAX_PX` px, a few kB) and a light
  version (JPEG, at most :data:`LIGHT_MAX_BYTES`) are made;
* PDFs: read with pypdf; a corrupt, password-protected or scripted PDF is
  refused; the text of the pages becomes the light version (plain text);
* videos (MP4/3GP, WebM): stored as is (no light version; share a link).

The checks themselves (type from content, pixel limit before decoding,
active-content scan of PDFs, container walk of videos) live in
:mod:`dashboard.core.files`, shared with feedback and plan photos.

SVG, HTML and executables are refused by name. Every refusal is an
:class:`UploadRejected` with a ``code`` (for the translated message) and an
English message naming what is wrong. Nothing is stored here: this module
only computes bytes; :mod:`dashboard.outreach.catalog` stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from dashboard.core import files

MB = 1024 * 1024
MAX_BYTES = {"image": 20 * MB, "pdf": 30 * MB, "video": 90 * MB}
"""Largest accepted upload per family (Streamlit itself caps uploads at 100 MB)."""
MAX_PIXELS = files.MAX_PIXELS
MAIN_MAX_PX = 4096
LIGHT_MAX_PX = 1280
LIGHT_MAX_BYTES = 100 * 1024
THUMB_MAX_PX = 160
THUMB_MAX_BYTES = 5 * 1024
MIN_LIGHT_TEXT = 40

FAMILY_OF_KIND = {
    "infographic_image": {"image"},
    "infographic_pdf": {"pdf"},
    "video_file": {"video"},
    "supply_list": {"image", "pdf"},
}
"""Which file families each material kind takes (other kinds take no file)."""


class UploadRejected(files.FileRefused):
    """The file was refused; ``code`` names the reason, ``key`` its message.

    Refusals of the shared checks keep their ``file.*`` key (``code`` is the
    part after ``file.``); the library's own use ``outreach.reject.<code>``.
    """

    def __init__(
        self, code: str, message: str, *, key: str | None = None, **params: object
    ) -> None:
        super().__init__(key or f"outreach.reject.{code}", message, **params)
        self.code = code

    @classmethod
    def from_refusal(cls, exc: files.FileRefused) -> UploadRejected:
        code = exc.key.removeprefix("file.")
        return cls(code, str(exc), key=exc.key, **exc.params)


ACCEPTED = "JPEG, PNG, WebP, GIF, PDF, MP4, WebM"
_DESCRIPTION = {"WEBP": "WebP", "WEBM": "WebM"}


@dataclass(frozen=True)
class Variant:
    data: bytes
    mime: str
    suffix: str


@dataclass(frozen=True)
class Prepared:
    """What to store for one accepted upload."""

    family: str
    main: Variant
    light: Variant | None = None
    thumb: Variant | None = None
    text: str = ""
    width: int = 0
    height: int = 0
    notes: list[str] = field(default_factory=list)


def sniff(data: bytes) -> tuple[str, str]:
    """(family, description) of *data* from its content (see
    :func:`dashboard.core.files.sniff`).

    family is ``image``, ``pdf`` or ``video`` for what we accept; anything
    else raises :class:`UploadRejected`.
    """
    try:
        family, fmt = files.sniff(data)
    except files.FileRefused as exc:
        if exc.key == "file.unsupported":
            exc = files.FileRefused(
                exc.key,
                f"{exc}; upload JPEG, PNG, WebP, PDF, MP4 or WebM",
                **(exc.params | {"accepted": ACCEPTED}),
            )
        raise UploadRejected.from_refusal(exc) from None
    return family, _DESCRIPTION.get(fmt, fmt)


def _check_size(family: str, size: int, max_bytes: int | None) -> None:
    limit = max_bytes if max_bytes is not None else MAX_BYTES[family]
    try:
        files.check_size(size, limit)
    except files.FileRefused as exc:
        raise UploadRejected.from_refusal(exc) from None


_encode = files.encode
_flatten = files.flatten


def _fit(image: Image.Image, max_px: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    return copy


def _under(image: Image.Image, fmt: str, max_px: int, max_bytes: int) -> bytes:
    """Encode *image* as *fmt*, lowering quality then size until it fits."""
    rgb = _flatten(image)
    size = max_px
    while True:
        fitted = _fit(rgb, size)
        for quality in (80, 70, 60, 50, 40, 30):
            options: dict[str, object] = {"quality": quality}
            if fmt == "JPEG":
                options.update(optimize=True, progressive=True)
            else:
                options.update(method=6)
            data = _encode(fitted, fmt, **options)
            if len(data) <= max_bytes:
                return data
        if size <= 48:
            return data
        size = int(size * 0.8)


def thumbnail(image: Image.Image) -> Variant:
    """A WebP of at most :data:`THUMB_MAX_PX` px and about :data:`THUMB_MAX_BYTES`."""
    return Variant(
        _under(image, "WEBP", THUMB_MAX_PX, THUMB_MAX_BYTES), "image/webp", ".webp"
    )


def _light(image: Image.Image, main: Variant) -> Variant:
    """The smallest of a JPEG, a WebP and (for flat graphics with few colours,
    where lossy formats blur text and grow) a 32-colour PNG, each at most
    :data:`LIGHT_MAX_PX` px; never larger than the original."""
    candidates = [
        Variant(
            _under(image, "JPEG", LIGHT_MAX_PX, LIGHT_MAX_BYTES), "image/jpeg", ".jpg"
        ),
        Variant(
            _under(image, "WEBP", LIGHT_MAX_PX, LIGHT_MAX_BYTES), "image/webp", ".webp"
        ),
    ]
    rgb = _flatten(image)
    if rgb.getcolors(256) is not None:
        flat = _fit(rgb, LIGHT_MAX_PX).quantize(
            colors=32, method=Image.Quantize.MEDIANCUT
        )
        candidates.append(Variant(_encode(flat, "PNG"), "image/png", ".png"))
    best = min(candidates, key=lambda v: len(v.data))
    return main if len(best.data) >= len(main.data) else best


def prepare_image(data: bytes) -> Prepared:
    """Decode and re-encode an image; make its thumbnail and light version."""
    try:
        image, source_format = files.load_image(data, max_edge=MAIN_MAX_PX)
    except files.FileRefused as exc:
        raise UploadRejected.from_refusal(exc) from None
    if source_format == "JPEG":
        main = Variant(
            _encode(image, "JPEG", quality=90, optimize=True), "image/jpeg", ".jpg"
        )
    else:  # a palette PNG (e.g. a flat infographic) stays a palette PNG: smaller
        main = Variant(_encode(image, "PNG"), "image/png", ".png")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    light = _light(image, main)
    return Prepared(
        family="image",
        main=main,
        light=light,
        thumb=thumbnail(image),
        width=image.width,
        height=image.height,
    )


def _small_images(page: object) -> bool:
    """Whether every image on *page* declares at most :data:`MAX_PIXELS`."""
    resources = page.get("/Resources") or {}  # type: ignore[attr-defined]
    xobjects = resources.get_object().get("/XObject") or {}
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            if int(obj.get("/Width", 0)) * int(obj.get("/Height", 0)) > MAX_PIXELS:
                return False
    return True


def prepare_pdf(data: bytes, light_text: str | None = None) -> Prepared:
    """Check a PDF (:func:`dashboard.core.files.check_pdf`); its text becomes
    the light version."""
    try:
        reader = files.check_pdf(data)
        texts = [page.extract_text() or "" for page in reader.pages]
    except files.FileRefused as exc:
        raise UploadRejected.from_refusal(exc) from None
    except Exception as exc:  # pypdf raises many types on damaged files
        raise UploadRejected(
            "corrupt_pdf",
            f"the PDF is damaged and cannot be read: {exc}",
            key="file.corrupt_pdf",
            detail=str(exc),
        ) from None
    text = light_text if light_text is not None else "\n\n".join(texts).strip()
    light = None
    if len(text) >= MIN_LIGHT_TEXT:
        light = Variant(text.encode("utf-8"), "text/plain; charset=utf-8", ".txt")
    thumb = None
    try:
        page = reader.pages[0]
        images = page.images if _small_images(page) else []
        if images:
            thumb = thumbnail(images[0].image)
    except Exception:  # a thumbnail is a nicety; an odd embedded image is not fatal
        thumb = None
    return Prepared(
        family="pdf",
        main=Variant(data, "application/pdf", ".pdf"),
        light=light,
        thumb=thumb,
        text=text,
    )


def prepare_video(data: bytes, description: str) -> Prepared:
    """Walk the container (:func:`dashboard.core.files.check_media`)."""
    try:
        mime, suffix = files.check_media(data, description.upper())
    except files.FileRefused as exc:
        raise UploadRejected.from_refusal(exc) from None
    return Prepared(family="video", main=Variant(data, mime, suffix))


def prepare(
    data: bytes,
    kind: str,
    max_bytes: int | None = None,
    light_text: str | None = None,
) -> Prepared:
    """Validate *data* for a material of *kind* and prepare its variants.

    Raises
    ------
    UploadRejected
        Naming what is wrong (type, size, damage).
    """
    accepted = FAMILY_OF_KIND.get(kind)
    if not accepted:
        raise UploadRejected("no_file", f"a {kind} item takes no file", kind=kind)
    family, description = sniff(data)
    if family not in accepted:
        raise UploadRejected(
            "wrong_type",
            f"the file is {description}, but a {kind} item needs "
            f"{' or '.join(sorted(accepted))}",
            what=description,
            kind=kind,
        )
    _check_size(family, len(data), max_bytes)
    if family == "image":
        return prepare_image(data)
    if family == "pdf":
        return prepare_pdf(data, light_text)
    return prepare_video(data, description)
