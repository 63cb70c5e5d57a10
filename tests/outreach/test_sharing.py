"""Sharing: copyable text, QR codes, reach records per commune and village."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from dashboard.auth import Forbidden
from dashboard.core.errors import NotFound
from dashboard.outreach import catalog, sharing
from tests.support.outreach import (
    ADMIN,
    COMMUNE,
    OTHER_PROVINCE,
    PROVINCE,
    VOLUNTEER,
    message,
)

DONG_CHAU = "13003"  # Hưng Yên (33)
TODAY = date.today()


@pytest.fixture
def item(ctx):
    return catalog.publish(
        ctx, PROVINCE, message("Tin nhắn: bão sắp đến", "Chằng chống nhà cửa.")
    )


def other_commune(province: str) -> str:
    from dashboard import registry

    frame = registry.communes()
    return str(frame[frame["province_code"] == province]["commune_code"].iloc[0])


def test_volunteer_records_reach_and_the_province_sees_it_per_commune(ctx, item):
    second = other_commune("33")
    sharing.record_reach(ctx, VOLUNTEER, item.id, DONG_CHAU, "Thôn Đông", TODAY, 40)
    sharing.record_reach(ctx, VOLUNTEER, item.id, DONG_CHAU, "Thôn Đông", TODAY, 10)
    sharing.record_reach(
        ctx, VOLUNTEER, item.id, DONG_CHAU, " Thôn  Tây ", TODAY - timedelta(days=2), 25
    )
    sharing.record_reach(ctx, VOLUNTEER, item.id, second, "Thôn 1", TODAY, 5)
    summary = sharing.reach_summary(ctx, PROVINCE)
    by_code = {row.commune_code: row for row in summary}
    assert set(by_code) == {DONG_CHAU, second}
    dc = by_code[DONG_CHAU]
    assert dc.villages == ("Thôn Tây", "Thôn Đông")
    assert (dc.records, dc.people, dc.last_date) == (3, 75, TODAY)
    assert dc.commune_name == "Xã Đồng Châu"
    assert summary[0].commune_code == DONG_CHAU  # most people first
    assert sharing.reach_summary(ctx, OTHER_PROVINCE) == []
    assert len(sharing.reach_summary(ctx, ADMIN)) == 2
    assert [c.commune_code for c in sharing.reach_summary(ctx, COMMUNE)] == [DONG_CHAU]
    records = sharing.reach_records(ctx, PROVINCE, material_id=item.id)
    assert len(records) == 4 and records[0][1] == item.title


def test_volunteers_cannot_read_the_province_summary(ctx, item):
    with pytest.raises(Forbidden):
        sharing.reach_summary(ctx, VOLUNTEER)


def test_reach_scope_for_communes_and_provinces(ctx, item):
    quang_ninh = other_commune("22")
    with pytest.raises(Forbidden):
        sharing.record_reach(ctx, COMMUNE, item.id, quang_ninh, "Thôn 2", TODAY, 3)
    with pytest.raises(Forbidden):
        sharing.record_reach(ctx, PROVINCE, item.id, quang_ninh, "Thôn 2", TODAY, 3)
    sharing.record_reach(ctx, COMMUNE, item.id, DONG_CHAU, "Thôn 2", TODAY, 3)
    sharing.record_reach(ctx, OTHER_PROVINCE, item.id, quang_ninh, "Thôn 2", TODAY, 3)
    assert len(sharing.reach_summary(ctx, ADMIN)) == 2


@pytest.mark.parametrize(
    ("commune", "village", "when", "people", "field"),
    [
        ("99999", "Thôn 1", TODAY, 3, "commune"),
        (DONG_CHAU, "   ", TODAY, 3, "village"),
        (DONG_CHAU, "Thôn 1", TODAY + timedelta(days=5), 3, "date"),
        (DONG_CHAU, "Thôn 1", TODAY, -1, "people"),
    ],
)
def test_bad_reach_records_are_refused(
    ctx, item, commune, village, when, people, field
):
    with pytest.raises(sharing.ReachError, match=f"^{field}"):
        sharing.record_reach(ctx, VOLUNTEER, item.id, commune, village, when, people)
    assert sharing.reach_summary(ctx, ADMIN) == []


def test_no_reach_for_a_withdrawn_item(ctx, item):
    catalog.withdraw(ctx, PROVINCE, item.id)
    with pytest.raises(NotFound):
        sharing.record_reach(ctx, VOLUNTEER, item.id, DONG_CHAU, "Thôn 1", TODAY, 3)


def test_share_text_and_qr_code(ctx, item):
    link = sharing.item_link("https://bao.example.vn/", item.id)
    assert link == f"https://bao.example.vn/outreach?item={item.id}"
    text = sharing.share_text(item, link)
    assert text.startswith("Chằng chống nhà cửa.") and text.endswith(link)
    png = sharing.qr_png(link)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == image.height
    # A longer link needs a bigger code (more modules): the data is in it.
    longer = Image.open(io.BytesIO(sharing.qr_png(link + "&x=" + "9" * 120)))
    assert longer.width > image.width


@pytest.mark.parametrize(
    ("size", "shown"), [(820, "820 B"), (48_200, "48 kB"), (1_320_000, "1.3 MB")]
)
def test_human_size(size, shown):
    assert sharing.human_size(size) == shown
