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

SVG, HTML and executables are refused by name. Every refusal is an
:class:`UploadRejected` with a ``code`` (for the translated message) and an
English message naming what is wrong. Nothing is stored here: this module
only computes bytes; :mod:`dashboard.outreach.catalog` stores them.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import puremagic
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

MB = 1024 * 1024
MAX_BYTES = {"image": 20 * MB, "pdf": 30 * MB, "video": 90 * MB}
"""Largest accepted upload per family (Streamlit itself caps uploads at 100 MB)."""
MAX_PIXELS = 40_000_000
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


class UploadRejected(ValueError):
    """The file was refused; ``code`` names the reason for the UI."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


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


def _head_text(data: bytes) -> str:
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
    return head.decode("utf-8", errors="ignore").lstrip().lower()


def sniff(data: bytes) -> tuple[str, str]:
    """(family, description) of *data* from its first bytes.

    family is ``image``, ``pdf`` or ``video`` for what we accept; anything
    else raises :class:`UploadRejected`.
    """
    if not data:
        raise UploadRejected("empty", "the file is empty")
    if data.startswith(b"MZ"):
        raise UploadRejected(
            "executable", "this is a Windows program (.exe), not a document", what="exe"
        )
    if data.startswith(b"\x7fELF"):
        raise UploadRejected(
            "executable", "this is a Linux program (ELF), not a document", what="ELF"
        )
    if data[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"):
        raise UploadRejected(
            "executable", "this is a macOS program, not a document", what="Mach-O"
        )
    if data.startswith(b"#!"):
        raise UploadRejected(
            "executable", "this is a script (#!), not a document", what="script"
        )
    text = _head_text(data)
    if "<svg" in text:
        raise UploadRejected(
            "svg", "SVG images are refused (they can carry scripts); upload PNG or JPEG"
        )
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script")) or any(
        tag in text for tag in ("<html", "<script", "<iframe")
    ):
        raise UploadRejected("html", "HTML pages are refused; upload a PDF or image")
    if data.startswith(b"\xff\xd8\xff"):
        return "image", "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "WebP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "GIF"
    if b"%PDF-" in data[:1024]:
        return "pdf", "PDF"
    if data[4:8] == b"ftyp":
        return "video", "MP4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "WebM"
    try:
        name = puremagic.magic_string(data)[0].name
    except (puremagic.PureError, IndexError, ValueError):
        name = "unknown content"
    raise UploadRejected(
        "unsupported",
        f"unsupported file type ({name}); upload JPEG, PNG, WebP, PDF, MP4 or WebM",
        what=name,
    )


def _check_size(family: str, size: int, max_bytes: int | None) -> None:
    limit = max_bytes if max_bytes is not None else MAX_BYTES[family]
    if size > limit:
        raise UploadRejected(
            "too_large",
            f"the file is {size / MB:.1f} MB; the limit is {limit / MB:.1f} MB",
            size=f"{size / MB:.1f}",
            limit=f"{limit / MB:.1f}",
        )


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white (JPEG and small thumbnails have no transparency)."""
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


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
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise UploadRejected(
                    "too_many_pixels",
                    f"the image is {image.width}×{image.height} pixels; "
                    f"the limit is {MAX_PIXELS // 1_000_000} megapixels",
                    width=image.width,
                    height=image.height,
                )
            image.load()
        except UploadRejected:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as exc:
            raise UploadRejected(
                "corrupt_image", f"the image cannot be read: {exc}", detail=str(exc)
            ) from exc
    source_format = image.format or ""
    image = ImageOps.exif_transpose(image)
    # A palette PNG (e.g. a flat infographic) stays a palette PNG: smaller.
    palette = image if image.mode == "P" and "transparency" not in image.info else None
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert(
            "RGBA"
            if "transparency" in image.info or image.mode in ("PA", "P")
            else "RGB"
        )
    image = _fit(image, MAIN_MAX_PX)
    if source_format == "JPEG":
        main = Variant(
            _encode(_flatten(image), "JPEG", quality=90, optimize=True),
            "image/jpeg",
            ".jpg",
        )
    else:
        source = (
            palette if palette is not None and palette.size == image.size else image
        )
        main = Variant(_encode(source, "PNG"), "image/png", ".png")
    light = _light(image, main)
    return Prepared(
        family="image",
        main=main,
        light=light,
        thumb=thumbnail(image),
        width=image.width,
        height=image.height,
    )


def _pdf_has_script(reader: PdfReader, data: bytes) -> bool:
    if b"/JavaScript" in data or b"/Launch" in data:
        return True
    root = reader.trailer.get("/Root")
    try:
        root = root.get_object() if root is not None else {}
        names = root.get("/Names")
        names = names.get_object() if names is not None else {}
        return "/JavaScript" in names or "/AA" in root
    except (AttributeError, PyPdfError):
        return False


def prepare_pdf(data: bytes, light_text: str | None = None) -> Prepared:
    """Read a PDF with pypdf; its text becomes the light version."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(
                "encrypted_pdf",
                "the PDF is password-protected; volunteers could not open it",
            )
        n_pages = len(reader.pages)
        if n_pages == 0:
            raise UploadRejected(
                "corrupt_pdf", "the PDF has no pages", detail="0 pages"
            )
        texts = [page.extract_text() or "" for page in reader.pages]
    except UploadRejected:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UploadRejected(
            "corrupt_pdf",
            f"the PDF is damaged and cannot be read: {exc}",
            detail=str(exc),
        ) from exc
    if _pdf_has_script(reader, data):
        raise UploadRejected(
            "pdf_script", "the PDF contains scripts or launch actions; re-export it"
        )
    text = light_text if light_text is not None else "\n\n".join(texts).strip()
    light = None
    if len(text) >= MIN_LIGHT_TEXT:
        light = Variant(text.encode("utf-8"), "text/plain; charset=utf-8", ".txt")
    thumb = None
    try:
        images = reader.pages[0].images
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
    mime = "video/webm" if description == "WebM" else "video/mp4"
    suffix = ".webm" if description == "WebM" else ".mp4"
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
