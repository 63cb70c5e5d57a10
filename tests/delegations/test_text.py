"""The Zalo/SMS summary and the PDF assignment sheet of a delegation."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from dashboard.delegations.model import CommuneView, DelegationView, MemberView
from dashboard.delegations.text import ZALO_LIMIT, assignment_sheet, clip, zalo_text

T0 = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def view(members=2, communes=2, **changes) -> DelegationView:
    base = DelegationView(
        id=1,
        event_id=1,
        province_code="33",
        name="Đoàn công tác số 1 — Sở Nông nghiệp và Môi trường",
        leader_username="lead33",
        leader_name="Nguyễn Thị Hương",
        leader_phone="0912345678",
        instructions="Kiểm tra phương án sơ tán hộ dân ở nhà yếu; đôn đốc neo đậu tàu thuyền.",
        equipment="Áo phao, loa cầm tay, đèn pin, máy phát điện",
        reporting_location="Trụ sở UBND tỉnh Hưng Yên",
        planned_departure_utc=T0 + H,
        planned_arrival_utc=T0 + 3 * H,
        planned_return_utc=T0 + 9 * H,
        status="planned",
        cancel_reason="",
        departed_at=None,
        checked_in_at=None,
        checked_out_at=None,
        findings="",
        version=1,
        created_by="lead33",
        created_at=T0,
        updated_by="lead33",
        updated_at=T0,
        members=tuple(
            MemberView(f"Lê Văn Đức {i}", "Cán bộ kỹ thuật", f"09{i:08d}")
            for i in range(members)
        ),
        communes=tuple(
            CommuneView(
                f"{13003 + i:05d}",
                "Xã Đồng Châu" if i == 0 else f"Xã Hồng Vũ {i}",
                T0 + (3 + i) * H,
                None,
                None,
            )
            for i in range(communes)
        ),
    )
    return replace(base, **changes)


def test_short_summary_lists_everything_in_vietnamese():
    text = zalo_text(view(), {"13003": T0 + 13 * H})
    assert text.startswith("ĐOÀN CÔNG TÁC: Đoàn công tác số 1")
    assert "Trạng thái: Đã lên kế hoạch" in text
    assert "Trưởng đoàn: Nguyễn Thị Hương - 0912345678" in text
    # Vietnam time (UTC+7): 13:00 UTC departure is 20:00.
    assert "Xuất phát 20:00 20/07, đến 22:00 20/07, về 04:00 21/07" in text
    assert "- Xã Đồng Châu: đến 22:00 20/07, gió cấp 6 08:00 21/07" in text
    assert "Lê Văn Đức 1 (Cán bộ kỹ thuật) 0900000001" in text
    assert "Nhiệm vụ: Kiểm tra phương án" in text and "Trang bị: Áo phao" in text
    assert "…" not in text and "(!)" not in text


def test_late_arrival_is_marked():
    text = zalo_text(view(), {"13003": T0 + 2 * H})
    assert "(!) ĐẾN SAU GIÓ CẤP 6" in text


@pytest.mark.parametrize(
    ("members", "communes"), [(0, 1), (10, 10), (50, 40), (200, 3), (3, 200)]
)
def test_summary_stays_under_the_limit(members, communes):
    long_text = "Kiểm tra đê điều và hồ chứa, sơ tán dân. " * 80
    text = zalo_text(
        view(members, communes, instructions=long_text, equipment=long_text),
        {f"{13003 + i:05d}": T0 for i in range(communes)},
    )
    assert len(text) <= ZALO_LIMIT
    assert "Trưởng đoàn: Nguyễn Thị Hương" in text
    if communes > 10:
        assert "xã khác" in text
    if members > 10:
        assert "người khác" in text
    # Truncation is graceful: every line is whole or ends with an ellipsis.
    assert "Nhiệm vụ: " in text
    nhiem_vu = next(line for line in text.splitlines() if line.startswith("Nhiệm vụ"))
    assert nhiem_vu.endswith("…")


def test_cancelled_summary_gives_the_reason():
    text = zalo_text(view(status="cancelled", cancel_reason="Bão đổi hướng"))
    assert "Trạng thái: Đã hủy (Bão đổi hướng)" in text


def test_clip_cuts_at_a_word():
    assert clip("một hai ba bốn năm", 12) == "một hai ba…"
    assert clip("ngắn", 10) == "ngắn"
    assert len(clip("x" * 50, 10)) == 10


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_assignment_sheet_keeps_vietnamese_names():
    data = assignment_sheet(
        view(),
        {"13003": T0 + 13 * H, "13004": T0 + 2 * H},
        province_name="Hưng Yên",
        event_name="Bão số 3 (Wipha)",
        printed_at=T0,
    )
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert pages == 1
    for expected in (
        "PHIẾU GIAO NHIỆM VỤ ĐOÀN CÔNG TÁC",
        "Đoàn công tác số 1 — Sở Nông nghiệp và Môi trường",
        "Nguyễn Thị Hương",
        "Lê Văn Đức 1",
        "Xã Đồng Châu",
        "Hưng Yên",
        "Trụ sở UBND tỉnh Hưng Yên",
        "08:00 21/07/2025",  # Đồng Châu's level-6 ETA in Vietnam time
        "ĐẾN SAU GIÓ CẤP 6",  # the second commune arrives after its ETA
        "Áo phao, loa cầm tay",
    ):
        assert expected in text, expected


def test_assignment_sheet_fits_one_page_with_long_lists():
    long_text = "Kiểm tra đê điều và hồ chứa, sơ tán dân. " * 80
    data = assignment_sheet(
        view(60, 60, instructions=long_text, equipment=long_text, findings=long_text)
    )
    pages, text = pdf_text(data)
    assert pages == 1
    assert "46 người khác" in text and "46 xã khác" in text
