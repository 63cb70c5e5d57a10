"""Content checks for uploaded files, and private storage, for every feature.

Outreach uploads (:mod:`dashboard.outreach.uploads`), feedback attachments
(:mod:`dashboard.feedback`) and plan task photos
(:mod:`dashboard.plans.photos`) all go through this module. The type of a
file is decided from its *content*, never from its name, and each family is
then read by a real parser:

* **images** (JPEG, PNG, WebP, GIF): the declared size is read from the
  header and refused above :data:`MAX_PIXELS` *before* any pixel is decoded
  (Pillow's own limit, ``Image.MAX_IMAGE_PIXELS``, is set to the same
  number, so a decompression bomb fails in Pillow too). Accepted images are
  decoded (JPEGs at a reduced scale when they are larger than needed),
  turned upright (EXIF orientation), shrunk to a maximum edge
  (:data:`MAX_EDGE` unless the caller asks for less) and **re-encoded**:
  EXIF (with GPS), XMP and comments are dropped. A JPEG thumbnail
  (:data:`THUMB_EDGE` px) is made so pages show thumbnails, not originals.
* **PDFs**: parsed with pypdf; every object of the file is visited through
  the parsed object graph (so ``/Java#53cript`` is seen as ``/JavaScript``
  and objects inside compressed object streams are covered), and a raw scan
  for the same names (each letter possibly ``#xx``-escaped) backs it up.
  JavaScript, launch actions, embedded files, forms and the other risky
  actions (submit form, import data, remote go-to, rich media) are refused,
  as are encrypted and unparseable PDFs.
* **video** (MP4/MOV, WebM/Matroska) and **audio** (MP3, Ogg, WAV): the
  container structure is walked (MP4 boxes from ``ftyp`` to the end of the
  file with consistent sizes, the EBML header and segment of WebM, MPEG
  frames, Ogg pages, RIFF chunks); trailing data after the container and
  HTML or script markers near the start or in MP4 metadata boxes are
  refused (polyglots).

Every refusal is a :class:`FileRefused` with a message ``key`` (see
:data:`KEYS`; the texts are in ``dashboard/i18n/*/files.json``), its
``params``, and an English ``str()``.

Files are written with mode :data:`FILE_MODE` (0600) in folders of mode
:data:`DIR_MODE` (0700): see :func:`private_dir` and :func:`write_private`.
"""

from __future__ import annotations

import io
import os
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import puremagic
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

from dashboard.core.errors import Invalid

MB = 1024 * 1024
MAX_PIXELS = 40_000_000
"""Largest image accepted, in pixels (width × height, as declared)."""
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above, refuses above twice this
MAX_EDGE = 4096
"""Longest side of a stored image unless the feature asks for less."""
THUMB_EDGE = 320
"""Longest side of a thumbnail unless the feature asks for another."""
FILE_MODE = 0o600
DIR_MODE = 0o700
HEAD_BYTES = 4096
"""How much of the start of a file is searched for HTML or script markers."""

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
}
"""Pillow format → (content type, suffix) of every image format accepted."""
MEDIA_TYPES = {
    "MP4": ("video/mp4", ".mp4"),
    "WEBM": ("video/webm", ".webm"),
    "MP3": ("audio/mpeg", ".mp3"),
    "OGG": ("audio/ogg", ".ogg"),
    "WAV": ("audio/wav", ".wav"),
}

ALL_FORMATS = "JPEG, PNG, WebP, GIF, PDF, MP4, WebM, MP3, Ogg, WAV"

#: Every message key a refusal can carry, with its parameters. The texts are
#: in ``dashboard/i18n/{vi,en}/files.json``.
KEYS: dict[str, tuple[str, ...]] = {
    "file.empty": (),
    "file.too_large": ("size", "limit"),
    "file.executable": ("what",),
    "file.svg": (),
    "file.html": (),
    "file.unsupported": ("what", "accepted"),
    "file.wrong_type": ("what", "accepted"),
    "file.image_too_large": ("pixels", "megapixels", "limit"),
    "file.corrupt_image": ("detail",),
    "file.corrupt_pdf": ("detail",),
    "file.encrypted_pdf": (),
    "file.pdf_javascript": (),
    "file.pdf_launch": (),
    "file.pdf_embedded_file": (),
    "file.pdf_form": (),
    "file.pdf_action": ("action",),
    "file.corrupt_media": ("what", "detail"),
    "file.polyglot": ("what", "marker"),
}


class FileRefused(Invalid):
    """A file the checks refuse: an :class:`~dashboard.core.errors.Invalid`
    request, so views catch it with every other service error.

    ``key`` is the message key (one of :data:`KEYS`), ``params`` its
    parameters; ``str()`` is an English explanation.
    """

    def __init__(self, key: str, message: str, **params: object) -> None:
        super().__init__(message, key=key, **params)


@dataclass(frozen=True)
class CleanFile:
    """An accepted file as it is to be stored (images re-encoded)."""

    family: str  # image, pdf, video or audio
    data: bytes
    mime: str
    suffix: str
    thumb: bytes | None = None  # a JPEG, for images
    width: int = 0
    height: int = 0


# --------------------------------------------------------------------------- #
# type and size


_MARKERS = (
    b"<html",
    b"<!doctype html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
    b"<?php",
    b"javascript:",
)


def _head_text(data: bytes) -> str:
    head = data[:HEAD_BYTES]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
    return head.decode("utf-8", errors="ignore").lstrip().lower()


def _marker(chunk: bytes) -> str | None:
    """The first HTML/script marker in *chunk* (case-insensitive), if any."""
    low = chunk.lower()
    for marker in _MARKERS:
        if marker in low:
            return marker.decode()
    return None


def sniff(data: bytes) -> tuple[str, str]:
    """``(family, format)`` of *data* from its content.

    family is ``image``, ``pdf``, ``video`` or ``audio``; format is a key of
    :data:`IMAGE_TYPES`, ``PDF`` or a key of :data:`MEDIA_TYPES`. Anything
    else (programs, SVG, HTML, archives …) raises :class:`FileRefused`.
    """
    if not data:
        raise FileRefused("file.empty", "the file is empty")
    programs = (
        (data.startswith(b"MZ"), "exe", "a Windows program (.exe)"),
        (data.startswith(b"\x7fELF"), "ELF", "a Linux program (ELF)"),
        (
            data[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"),
            "Mach-O",
            "a macOS program",
        ),
        (data.startswith(b"#!"), "script", "a script (#!)"),
    )
    for hit, what, text in programs:
        if hit:
            raise FileRefused(
                "file.executable", f"this is {text}, not a document", what=what
            )
    text = _head_text(data)
    if "<svg" in text:
        raise FileRefused(
            "file.svg",
            "SVG images are refused (they can carry scripts); upload PNG or JPEG",
        )
    if any(tag in text for tag in ("<!doctype html", "<html", "<script", "<iframe")):
        raise FileRefused("file.html", "HTML pages are refused; upload a PDF or image")
    if data.startswith(b"\xff\xd8\xff"):
        return "image", "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "GIF"
    if b"%PDF-" in data[:1024]:
        return "pdf", "PDF"
    if data[4:8] == b"ftyp":
        return "video", "MP4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "WEBM"
    if data.startswith(b"ID3") or (
        len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0
    ):
        return "audio", "MP3"
    if data.startswith(b"OggS"):
        return "audio", "OGG"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio", "WAV"
    what = _name(data)
    raise FileRefused(
        "file.unsupported",
        f"unsupported file type ({what})",
        what=what,
        accepted=ALL_FORMATS,
    )


def _name(data: bytes) -> str:
    try:
        return puremagic.magic_string(data)[0].name or "unknown content"
    except (puremagic.PureError, IndexError, ValueError):
        return "unknown content"


def check_size(size: int, limit: int) -> None:
    """Refuse *size* bytes above *limit*."""
    if size > limit:
        raise FileRefused(
            "file.too_large",
            f"the file is {size / MB:.1f} MB, over the limit: at most "
            f"{limit / MB:.1f} MB are allowed",
            size=f"{size / MB:.1f}",
            limit=f"{limit / MB:.1f}",
        )


# --------------------------------------------------------------------------- #
# images


def _too_many_pixels(pixels: int | None, limit: int) -> FileRefused:
    mpx = f"{pixels / 1e6:.1f}" if pixels else "?"
    return FileRefused(
        "file.image_too_large",
        f"the image has {mpx} megapixels; the limit is {limit // 1_000_000} megapixels",
        pixels=pixels or 0,
        megapixels=mpx,
        limit=str(limit // 1_000_000),
    )


def _unreadable(exc: BaseException) -> FileRefused:
    detail = str(exc) or type(exc).__name__
    return FileRefused(
        "file.corrupt_image",
        f"not a readable image: the file cannot be read as an image ({detail})",
        detail=detail,
    )


def open_image(
    data: bytes,
    formats: Iterable[str] = tuple(IMAGE_TYPES),
    max_pixels: int = MAX_PIXELS,
) -> Image.Image:
    """Open *data* and check its format and declared size; decode nothing.

    Raises
    ------
    FileRefused
        ``file.corrupt_image``, ``file.unsupported`` or ``file.image_too_large``.
    """
    formats = tuple(formats)
    try:
        image = Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(
            int(found.group(1)) if found else None, max_pixels
        ) from None
    except Exception as exc:  # Pillow raises many types on malformed headers
        raise _unreadable(exc) from None
    if image.format == "MPO":  # a JPEG with extra pictures (phones): frame 0
        image.format = "JPEG"
    if image.format not in formats:
        what = image.format or "unknown"
        raise FileRefused(
            "file.unsupported",
            f"unsupported image type ({what}); accepted: {', '.join(formats)}",
            what=what,
            accepted=", ".join(formats),
        )
    width, height = image.size
    if width < 1 or height < 1:
        raise _unreadable(ValueError(f"{width}×{height} pixels"))
    if width * height > max_pixels:
        raise _too_many_pixels(width * height, max_pixels)
    return image


def _plain_mode(image: Image.Image, keep: tuple[str, ...]) -> Image.Image:
    if image.mode in keep:
        return image
    alpha = "transparency" in image.info or image.mode in ("PA", "RGBa", "La")
    return image.convert("RGBA" if alpha else "RGB")


def load_image(
    data: bytes,
    formats: Iterable[str] = tuple(IMAGE_TYPES),
    max_edge: int = MAX_EDGE,
    max_pixels: int = MAX_PIXELS,
) -> tuple[Image.Image, str]:
    """Decode an image safely: ``(image, source format)``.

    The image is upright (EXIF orientation applied), at most *max_edge* px
    on its long side, in mode RGB, RGBA, L, LA or P, and carries no
    metadata (only a transparency entry survives in ``info``).
    """
    image = open_image(data, formats, max_pixels)
    fmt = str(image.format)
    try:
        if fmt == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale when that is still big enough.
            image.draft("RGB" if image.mode == "RGB" else None, (max_edge, max_edge))
        image.load()
        if max(image.size) > max_edge:
            image = _plain_mode(image, keep=("RGB", "RGBA", "L", "LA"))
            image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS, 3.0)
        ImageOps.exif_transpose(image, in_place=True)
        image = _plain_mode(image, keep=("RGB", "RGBA", "L", "LA", "P"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, max_pixels) from exc
    except Exception as exc:  # truncated data, bad EXIF, decoder errors …
        raise _unreadable(exc) from None
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    return image, fmt


def flatten(image: Image.Image) -> Image.Image:
    """RGB on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """*image* as *fmt* bytes, with no metadata (no EXIF, XMP, comments)."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image = flatten(image)
    image.save(out, format=fmt, **options)
    return out.getvalue()


def jpeg_thumbnail(image: Image.Image, edge: int = THUMB_EDGE) -> bytes:
    """A JPEG of *image* at most *edge* px on its long side."""
    image = _plain_mode(image, keep=("RGB", "RGBA", "L", "LA"))
    scale = min(1.0, edge / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return encode(flatten(small), "JPEG", quality=80, optimize=True)


def clean_image(
    data: bytes,
    formats: Iterable[str] = ("JPEG", "PNG", "WEBP"),
    max_edge: int = MAX_EDGE,
    thumb_edge: int = THUMB_EDGE,
    output: str | None = None,
    quality: int = 90,
) -> CleanFile:
    """Re-encode an image (as *output*, default: JPEG stays JPEG, WebP stays
    WebP, anything else becomes PNG) and make its JPEG thumbnail."""
    image, fmt = load_image(data, formats, max_edge)
    out = output or (fmt if fmt in ("JPEG", "WEBP") else "PNG")
    if out == "JPEG":
        body = encode(image, "JPEG", quality=quality, optimize=True)
    elif out == "WEBP":
        body = encode(image, "WEBP", quality=quality)
    else:
        body = encode(image, "PNG")
    mime, suffix = IMAGE_TYPES[out]
    return CleanFile(
        "image",
        body,
        mime,
        suffix,
        thumb=jpeg_thumbnail(image, thumb_edge),
        width=image.width,
        height=image.height,
    )


# --------------------------------------------------------------------------- #
# PDF

#: Names that are refused wherever they appear as a dictionary key.
_PDF_KEYS = {
    "/JS": "file.pdf_javascript",
    "/JavaScript": "file.pdf_javascript",
    "/EmbeddedFiles": "file.pdf_embedded_file",
    "/EF": "file.pdf_embedded_file",
    "/AcroForm": "file.pdf_form",
    "/XFA": "file.pdf_form",
}
#: Values of ``/S`` (action type) that are refused.
_PDF_ACTIONS = {
    "/JavaScript": "file.pdf_javascript",
    "/Launch": "file.pdf_launch",
    "/SubmitForm": "file.pdf_action",
    "/ImportData": "file.pdf_action",
    "/GoToR": "file.pdf_action",
    "/GoToE": "file.pdf_action",
    "/RichMediaExecute": "file.pdf_action",
    "/Rendition": "file.pdf_action",
    "/Movie": "file.pdf_action",
    "/Sound": "file.pdf_action",
}
#: Values of ``/Type`` and ``/Subtype`` that are refused.
_PDF_TYPES = {
    "/EmbeddedFile": "file.pdf_embedded_file",
    "/FileAttachment": "file.pdf_embedded_file",
    "/Widget": "file.pdf_form",
    "/RichMedia": "file.pdf_action",
    "/Movie": "file.pdf_action",
    "/Sound": "file.pdf_action",
    "/Screen": "file.pdf_action",
}
_PDF_TEXT = {
    "file.pdf_javascript": "the PDF contains JavaScript",
    "file.pdf_launch": "the PDF contains a launch action (it can start programs)",
    "file.pdf_embedded_file": "the PDF carries embedded files",
    "file.pdf_form": "the PDF contains a fillable form",
    "file.pdf_action": "the PDF contains an active element",
}


def _name_pattern(names: Iterable[str]) -> re.Pattern[bytes]:
    """Raw PDF names, each letter possibly written ``#xx``, then a delimiter."""
    parts = []
    for name in names:
        letters = []
        for ch in name:
            code = f"{ord(ch):02x}"
            letters.append(
                f"(?:{re.escape(ch)}|#{code[0]}[{code[1]}{code[1].upper()}])"
            )
        parts.append("".join(letters))
    return re.compile(
        ("/(" + "|".join(parts) + r")(?![^\s\x00/<>\[\]()%{}])").encode("ascii")
    )


_RAW_NAMES = {
    "JavaScript": "file.pdf_javascript",
    "Launch": "file.pdf_launch",
    "EmbeddedFile": "file.pdf_embedded_file",
    "EmbeddedFiles": "file.pdf_embedded_file",
    "FileAttachment": "file.pdf_embedded_file",
    "AcroForm": "file.pdf_form",
    "XFA": "file.pdf_form",
    "SubmitForm": "file.pdf_action",
    "ImportData": "file.pdf_action",
    "GoToR": "file.pdf_action",
    "GoToE": "file.pdf_action",
    "RichMedia": "file.pdf_action",
    "RichMediaExecute": "file.pdf_action",
}
_RAW_PATTERN = _name_pattern(sorted(_RAW_NAMES, key=len, reverse=True))


def _pdf_refusal(key: str, name: str, where: str) -> FileRefused:
    params = {"action": name.lstrip("/")} if key == "file.pdf_action" else {}
    return FileRefused(
        key, f"{_PDF_TEXT[key]} ({name} in {where}); re-export it", **params
    )


def _raw_scan(chunk: bytes, where: str) -> None:
    found = _RAW_PATTERN.search(chunk)
    if found:
        raw = found.group(1).decode("latin-1")
        name = re.sub(r"#([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), raw)
        raise _pdf_refusal(_RAW_NAMES[name], "/" + name, where)


def _pdf_objects(reader: PdfReader) -> Iterator[tuple[str, PdfObject]]:
    """Every object of the file, from the cross-reference tables."""
    yield "the trailer", reader.trailer
    numbers = {(num, gen) for gen, table in reader.xref.items() for num in table} | {
        (num, 0) for num in reader.xref_objStm
    }
    for num, gen in sorted(numbers):
        obj = IndirectObject(num, gen, reader).get_object()
        if obj is not None:
            yield f"object {num}", obj


def _check_pdf_object(top: PdfObject, where: str) -> None:
    stack: list[PdfObject] = [top]
    while stack:
        obj = stack.pop()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in _PDF_KEYS:
                    raise _pdf_refusal(_PDF_KEYS[key], key, where)
                name = value
                if key in ("/S", "/Type", "/Subtype"):  # also when given by reference
                    name = (
                        value.get_object()
                        if isinstance(value, IndirectObject)
                        else value
                    )
                if isinstance(name, NameObject):
                    if key == "/S" and name in _PDF_ACTIONS:
                        raise _pdf_refusal(_PDF_ACTIONS[name], name, where)
                    if key in ("/Type", "/Subtype") and name in _PDF_TYPES:
                        raise _pdf_refusal(_PDF_TYPES[name], name, where)
                if not isinstance(value, IndirectObject):  # those are visited alone
                    stack.append(value)
            if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
                _raw_scan(obj.get_data(), where)
        elif isinstance(obj, ArrayObject):
            stack.extend(v for v in obj if not isinstance(v, IndirectObject))


def check_pdf(data: bytes) -> PdfReader:
    """Parse a PDF and refuse it if it is damaged, encrypted or active.

    Returns the reader (for text or thumbnails).

    Raises
    ------
    FileRefused
        ``file.corrupt_pdf``, ``file.encrypted_pdf``, ``file.pdf_javascript``,
        ``file.pdf_launch``, ``file.pdf_embedded_file``, ``file.pdf_form``,
        ``file.pdf_action`` or ``file.polyglot``.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused(
                "file.encrypted_pdf",
                "the PDF is password-protected; others could not open it",
            )
        if len(reader.pages) == 0:
            raise FileRefused(
                "file.corrupt_pdf", "the PDF has no pages", detail="0 pages"
            )
        for where, obj in _pdf_objects(reader):
            _check_pdf_object(obj, where)
    except FileRefused:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        detail = str(exc) or type(exc).__name__
        raise FileRefused(
            "file.corrupt_pdf",
            f"the PDF is damaged and cannot be read: {detail}",
            detail=detail,
        ) from None
    _raw_scan(data, "the file")
    # Readers ignore what comes before the header or after the last %%EOF;
    # a web page hidden there makes a polyglot.
    _polyglot("PDF", data[: data.find(b"%PDF-")])
    end = data.rfind(b"%%EOF")
    if end >= 0:
        _polyglot("PDF", data[end + 5 :])
    return reader


# --------------------------------------------------------------------------- #
# video and audio


def _broken(what: str, detail: str) -> FileRefused:
    return FileRefused(
        "file.corrupt_media",
        f"the {what} file is damaged or not what it claims to be: {detail}",
        what=what,
        detail=detail,
    )


def _broken_at(what: str, detail: str, rest: bytes) -> FileRefused:
    """:func:`_broken`, unless *rest* (the data the walk could not place)
    holds a web page or script: then that refusal is raised."""
    _polyglot(what, rest)
    return _broken(what, detail)


def _polyglot(what: str, chunk: bytes) -> None:
    marker = _marker(chunk)
    if marker:
        raise FileRefused(
            "file.polyglot",
            f"the {what} file also contains a web page or script ({marker})",
            what=what,
            marker=marker,
        )


def _check_mp4(data: bytes) -> None:
    what, n, pos, types = "MP4", len(data), 0, []
    _polyglot(what, data[:HEAD_BYTES])
    _polyglot(what, data[-HEAD_BYTES:])
    while pos < n:
        if n - pos < 8:
            raise _broken_at(
                what, f"{n - pos} stray bytes after the last box", data[pos:]
            )
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if n - pos < 16:
                raise _broken_at(what, "truncated box header", data[pos:])
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = n - pos
        if not all(0x20 <= b <= 0x7E for b in kind):
            raise _broken_at(what, f"invalid box type at byte {pos}", data[pos:])
        if size < header or pos + size > n:
            raise _broken_at(
                what,
                f"box {kind.decode()!r} at byte {pos} overruns the file",
                data[pos:],
            )
        if not types and kind != b"ftyp":
            raise _broken_at(
                what, "the file does not start with an ftyp box", data[pos:]
            )
        if kind != b"mdat":
            _polyglot(what, data[pos + header : pos + size])
        types.append(kind)
        pos += size
    if b"moov" not in types:
        raise _broken_at(what, "no moov box (no track description)", data[pos:])


def _vint(data: bytes, pos: int, keep_marker: bool = False) -> tuple[int | None, int]:
    """An EBML variable-length integer at *pos*: (value or None if unknown, length)."""
    if pos >= len(data) or data[pos] == 0:
        raise ValueError(f"bad EBML number at byte {pos}")
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        raise ValueError(f"truncated EBML number at byte {pos}")
    raw = int.from_bytes(data[pos : pos + length], "big")
    if keep_marker:
        return raw, length
    value = raw & ((1 << (7 * length)) - 1)
    return (None if value == (1 << (7 * length)) - 1 else value), length


def _ebml_element(data: bytes, pos: int) -> tuple[int, int | None, int]:
    """(id, size or None, offset of the content) of the element at *pos*."""
    ident, id_len = _vint(data, pos, keep_marker=True)
    size, size_len = _vint(data, pos + id_len)
    assert ident is not None
    return ident, size, pos + id_len + size_len


def _check_webm(data: bytes) -> None:
    what, n = "WebM", len(data)
    _polyglot(what, data[:HEAD_BYTES])
    _polyglot(what, data[-HEAD_BYTES:])
    try:
        ident, size, start = _ebml_element(data, 0)
        if ident != 0x1A45DFA3 or size is None or start + size > n:
            raise ValueError("bad EBML header")
        doctype, pos = b"", start
        while pos < start + size:
            child, child_size, body = _ebml_element(data, pos)
            if child_size is None:
                raise ValueError("EBML header element of unknown size")
            if child == 0x4282:
                doctype = data[body : body + child_size].rstrip(b"\x00")
            pos = body + child_size
        if doctype not in (b"webm", b"matroska"):
            raise ValueError(f"document type {doctype!r} is not WebM or Matroska")
        ident, size, pos = _ebml_element(data, start + size)
        if ident != 0x18538067:
            raise ValueError("no Segment after the EBML header")
        end = n if size is None else pos + size
        if end > n:
            raise ValueError("the Segment overruns the file")
        if end < n:
            _polyglot(what, data[end:])
            raise ValueError(f"{n - end} bytes of trailing data after the Segment")
        while pos < end:
            child, child_size, body = _ebml_element(data, pos)
            if child_size is None:
                break  # a live cluster: runs to the end
            if body + child_size > end:
                raise ValueError(f"element at byte {pos} overruns the Segment")
            pos = body + child_size
    except ValueError as exc:
        raise _broken(what, str(exc)) from None


_MP3_BITRATES = {
    (3, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (3, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (3, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {
    3: (44100, 48000, 32000),
    2: (22050, 24000, 16000),
    0: (11025, 12000, 8000),
}


def _mp3_frame(data: bytes, pos: int) -> int:
    """The length of the MPEG audio frame at *pos* (ValueError if none)."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        raise ValueError(f"no MPEG frame at byte {pos}")
    version, layer = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    index, rate, pad = (
        data[pos + 2] >> 4,
        (data[pos + 2] >> 2) & 3,
        (data[pos + 2] >> 1) & 1,
    )
    if version == 1 or layer == 0 or index in (0, 15) or rate == 3:
        raise ValueError(f"invalid MPEG frame header at byte {pos}")
    table = _MP3_BITRATES[
        (3 if version == 3 else 2, layer if version == 3 or layer == 3 else 2)
    ]
    bitrate, sample_rate = table[index] * 1000, _MP3_RATES[version][rate]
    if layer == 3:  # layer I
        return (12 * bitrate // sample_rate + pad) * 4
    factor = 72 if version != 3 and layer == 1 else 144
    return factor * bitrate // sample_rate + pad


def _check_mp3(data: bytes) -> None:
    what, pos = "MP3", 0
    _polyglot(what, data[:HEAD_BYTES])
    _polyglot(what, data[-HEAD_BYTES:])
    try:
        if data.startswith(b"ID3"):
            if len(data) < 10:
                raise ValueError("truncated ID3 tag")
            size = 0
            for b in data[6:10]:
                if b & 0x80:
                    raise ValueError("bad ID3 tag size")
                size = (size << 7) | b
            pos = 10 + size + (10 if data[5] & 0x10 else 0)
        frames = 0
        while frames < 3:  # three frames in a row (or the end of the file)
            if pos >= len(data) or data[pos : pos + 3] == b"TAG":
                break
            pos += _mp3_frame(data, pos)
            frames += 1
        if frames == 0:
            raise ValueError("no audio frame")
        if pos > len(data):
            raise ValueError("truncated frame")
    except ValueError as exc:
        raise _broken(what, str(exc)) from None


def _check_ogg(data: bytes) -> None:
    what, n, pos = "Ogg", len(data), 0
    _polyglot(what, data[:HEAD_BYTES])
    _polyglot(what, data[-HEAD_BYTES:])
    while pos < n:
        if data[pos : pos + 4] != b"OggS" or pos + 27 > n or data[pos + 4] != 0:
            raise _broken_at(what, f"no Ogg page at byte {pos}", data[pos:])
        segments = data[pos + 26]
        if pos + 27 + segments > n:
            raise _broken_at(what, f"truncated page at byte {pos}", data[pos:])
        pos += 27 + segments + sum(data[pos + 27 : pos + 27 + segments])
    if pos != n:
        raise _broken_at(what, "the last page overruns the file", data[pos:])


def _check_wav(data: bytes) -> None:
    what, n = "WAV", len(data)
    _polyglot(what, data[:HEAD_BYTES])
    _polyglot(what, data[-HEAD_BYTES:])
    size = struct.unpack("<I", data[4:8])[0] if n >= 12 else 0
    if n < 12 or 8 + size > n or n - (8 + size) > 1:
        raise _broken(what, "the RIFF size does not match the file")
    pos, chunks = 12, []
    while pos < 8 + size:
        if pos + 8 > n:
            raise _broken(what, f"truncated chunk at byte {pos}")
        kind, length = struct.unpack("<4sI", data[pos : pos + 8])
        if pos + 8 + length > n:
            raise _broken(what, f"chunk {kind!r} overruns the file")
        if kind not in (b"data",):
            _polyglot(what, data[pos + 8 : pos + 8 + length])
        chunks.append(kind)
        pos += 8 + length + (length & 1)
    if b"fmt " not in chunks or b"data" not in chunks:
        raise _broken(what, "no fmt or data chunk")


_MEDIA_CHECKS = {
    "MP4": _check_mp4,
    "WEBM": _check_webm,
    "MP3": _check_mp3,
    "OGG": _check_ogg,
    "WAV": _check_wav,
}


def check_media(data: bytes, fmt: str) -> tuple[str, str]:
    """Walk the container of a video or audio file: ``(content type, suffix)``.

    Raises
    ------
    FileRefused
        ``file.corrupt_media`` or ``file.polyglot``.
    """
    _MEDIA_CHECKS[fmt](data)
    return MEDIA_TYPES[fmt]


# --------------------------------------------------------------------------- #
# all together


def _accepted(families: Iterable[str], image_formats: Iterable[str]) -> str:
    names = {"pdf": ["PDF"], "video": ["MP4", "WebM"], "audio": ["MP3", "Ogg", "WAV"]}
    shown = {"WEBP": "WebP"}
    out: list[str] = []
    for family in families:
        if family == "image":
            out += [shown.get(f, f) for f in image_formats]
        else:
            out += names.get(family, [])
    return ", ".join(out)


def clean_upload(
    data: bytes,
    *,
    accept: Iterable[str],
    max_bytes: int,
    image_formats: Iterable[str] = ("JPEG", "PNG", "WEBP"),
    max_edge: int = MAX_EDGE,
    thumb_edge: int = THUMB_EDGE,
    image_output: str | None = None,
    quality: int = 90,
) -> CleanFile:
    """Check an upload of one of the *accept* families and prepare what to store.

    Images are re-encoded (see :func:`clean_image`); PDFs, videos and audio
    are stored as they are once their structure passed the checks.
    """
    accept = tuple(accept)
    if not data:
        raise FileRefused("file.empty", "the file is empty")
    check_size(len(data), max_bytes)
    try:
        family, fmt = sniff(data)
    except FileRefused as exc:
        if exc.key == "file.unsupported":
            exc.params["accepted"] = _accepted(accept, image_formats)
        raise
    if family not in accept:
        raise FileRefused(
            "file.wrong_type",
            f"the file is {fmt} ({family}); accepted here: {', '.join(accept)}",
            what=fmt,
            accepted=_accepted(accept, image_formats),
        )
    if family == "image":
        return clean_image(
            data, image_formats, max_edge, thumb_edge, image_output, quality
        )
    if family == "pdf":
        check_pdf(data)
        return CleanFile("pdf", data, "application/pdf", ".pdf")
    mime, suffix = check_media(data, fmt)
    return CleanFile(family, data, mime, suffix)


# --------------------------------------------------------------------------- #
# private storage


def private_dir(root: Path, *parts: str) -> Path:
    """``root/parts…``: each folder below *root* created or tightened to 0700.

    *root* (the data directory) is created if needed but left as it is.
    """
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    for part in parts:
        path = path / part
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(path, DIR_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Create *path* (it must not exist) with mode 0600 and write *data*.

    On any failure the partial file is removed.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), FILE_MODE)  # whatever the umask
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
