"""Vietnamese text survives a round trip through our PDFs."""

from __future__ import annotations

import io
from datetime import datetime

from pypdf import PdfReader

from dashboard.core.pdf import new_document

TEXT = "Kêu gọi tàu thuyền vào nơi tránh trú; sơ tán hộ dân ở nhà yếu — Xã Đồng Châu"


def test_vietnamese_text_survives():
    doc = new_document("Phương án ứng phó bão số 3", datetime(2025, 7, 20, 19, 0))
    doc.heading("Phương án ứng phó bão số 3")
    doc.paragraph(TEXT)
    data = doc.output_bytes()
    assert data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Phương án ứng phó bão số 3" in text
    assert "Xã Đồng Châu" in text
    assert "19:00 20/07/2025" in text
