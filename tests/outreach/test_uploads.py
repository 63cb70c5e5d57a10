"""Upload validation: type from content, size limit, re-encoding, nothing
half-saved (no row, no file) when anything is refused."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard import audit
from dashboard.core.pdf import new_document
from dashboard.outreach import catalog, uploads
from dashboard.outreach.storage import LocalFileStore
from tests.support.outreach import PROVINCE, counts, meta, photo


def stored_files(ctx) -> list[str]:
    return LocalFileStore(ctx.settings.data_dir).files()


def real_pdf() -> bytes:
    doc = new_document("Sơ tán khi có lệnh")
    doc.heading("Sơ tán khi có lệnh")
    doc.paragraph("Mang theo giấy tờ, thuốc men, đèn pin và nước uống cho 3 ngày.")
    return doc.output_bytes()


def test_good_image_is_reencoded_with_thumbnail_and_light_version(ctx):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 2.0)}  # GPSInfo
    data = photo(3000, 2000, quality=95, exif=exif.tobytes())
    assert b"PhoneMaker" in data
    row = catalog.publish(ctx, PROVINCE, meta(), data)
    store = LocalFileStore(ctx.settings.data_dir)
    main = store.get(row.file_path)
    assert row.size == len(main) and row.mime == "image/jpeg"
    assert b"PhoneMaker" not in main  # metadata stripped by re-encoding
    assert "exif" not in Image.open(io.BytesIO(main)).info
    thumb = Image.open(io.BytesIO(store.get(row.thumb_path)))
    assert thumb.format == "WEBP" and max(thumb.size) <= 320
    assert row.thumb_size <= 8 * 1024
    light = store.get(row.light_path)
    assert len(light) == row.light_size <= uploads.LIGHT_MAX_BYTES
    assert row.light_size < row.size
    assert Image.open(io.BytesIO(light)).format in {"JPEG", "WEBP", "PNG"}
    assert sorted(stored_files(ctx)) == sorted(
        {row.file_path, row.light_path, row.thumb_path}
    )
    assert counts(ctx) == (1, 1)


def test_png_with_transparency_keeps_a_png_original(ctx):
    image = Image.new("RGBA", (400, 300), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    row = catalog.publish(ctx, PROVINCE, meta(), out.getvalue())
    assert row.mime == "image/png"
    assert row.thumb_path and row.light_path


def test_good_pdf_gets_its_text_as_light_version(ctx):
    row = catalog.publish(ctx, PROVINCE, meta(kind="infographic_pdf"), real_pdf())
    assert row.mime == "application/pdf"
    assert row.light_mime.startswith("text/plain")
    text = LocalFileStore(ctx.settings.data_dir).get(row.light_path).decode()
    assert "giấy tờ, thuốc men" in text


def _executable() -> bytes:
    path = shutil.which("ls") or "/bin/ls"
    return Path(path).read_bytes()


def _oversized() -> bytes:
    return photo(800, 600)


CORRUPT_PDF = (
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    + bytes(range(256)) * 8
)
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
    b'height="10"><script>alert(document.cookie)</script><rect width="10" '
    b'height="10"/></svg>'
)
HTML = (
    b"<!DOCTYPE html><html><body><h1>Storm</h1><script>steal()</script></body></html>"
)


@pytest.mark.parametrize(
    ("case", "make", "kind", "max_bytes", "code", "words"),
    [
        (
            "renamed executable",
            _executable,
            "infographic_image",
            None,
            "executable",
            "program",
        ),
        (
            "windows exe",
            lambda: b"MZ\x90\x00" + b"\x00" * 200,
            "infographic_image",
            None,
            "executable",
            "Windows",
        ),
        (
            "oversized file",
            _oversized,
            "infographic_image",
            10_000,
            "too_large",
            "limit",
        ),
        ("svg with script", lambda: SVG, "infographic_image", None, "svg", "SVG"),
        (
            "corrupt pdf",
            lambda: CORRUPT_PDF,
            "infographic_pdf",
            None,
            "corrupt_pdf",
            "damaged",
        ),
        (
            "truncated pdf",
            lambda: real_pdf()[:300],
            "infographic_pdf",
            None,
            "corrupt_pdf",
            "damaged",
        ),
        ("html page", lambda: HTML, "infographic_pdf", None, "html", "HTML"),
        (
            "corrupt jpeg",
            lambda: photo(200, 200)[:600],
            "infographic_image",
            None,
            "corrupt_image",
            "cannot be read",
        ),
        (
            "pdf given as image",
            real_pdf,
            "infographic_image",
            None,
            "wrong_type",
            "PDF",
        ),
        ("empty file", lambda: b"", "infographic_image", None, "empty", "empty"),
        (
            "zip archive",
            lambda: b"PK\x03\x04" + b"\x00" * 100,
            "infographic_image",
            None,
            "unsupported",
            "unsupported",
        ),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    ctx, case, make, kind, max_bytes, code, words
):
    with pytest.raises(uploads.UploadRejected) as refused:
        catalog.publish(
            ctx, PROVINCE, meta(f"Tệp thử: {case}", kind), make(), max_bytes=max_bytes
        )
    assert refused.value.code == code
    assert words.lower() in str(refused.value).lower()
    assert counts(ctx) == (0, 0)
    assert stored_files(ctx) == []


def test_the_real_size_limit_applies_without_an_override():
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (uploads.MAX_BYTES["image"] + 1)
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.prepare(big, "infographic_image")
    assert refused.value.code == "too_large"
    assert refused.value.params["limit"] == "20.0"


def test_a_failed_transaction_deletes_the_files_it_wrote(ctx, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError, match="went away"):
        catalog.publish(ctx, PROVINCE, meta(), photo(600, 400))
    assert counts(ctx) == (0, 0)
    assert stored_files(ctx) == []


def test_content_addressed_store_writes_once_and_refuses_escaping_keys(tmp_path):
    store = LocalFileStore(tmp_path)
    key, new = store.put(b"hello", ".txt")
    assert new and key.startswith("outreach/") and key.endswith(".txt")
    assert store.put(b"hello", ".txt") == (key, False)
    assert store.get(key) == b"hello"
    with pytest.raises(ValueError, match="not an outreach file key"):
        store.path("outreach/../secret_key")
    with pytest.raises(ValueError, match="not an outreach file key"):
        store.path("/etc/passwd")


def test_pdf_light_text_survives_vietnamese(ctx):
    data = real_pdf()
    assert "Sơ tán" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    prepared = uploads.prepare(data, "infographic_pdf")
    assert "Sơ tán khi có lệnh" in prepared.light.data.decode()
