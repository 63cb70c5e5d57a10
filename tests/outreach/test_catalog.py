"""Catalogue: diacritics-insensitive search, filters, role scope, audit."""

from __future__ import annotations

import pytest

from dashboard import audit
from dashboard.auth import Forbidden
from dashboard.core.errors import Conflict, NotFound
from dashboard.outreach import catalog
from tests.support.outreach import (
    ADMIN,
    COMMUNE,
    OTHER_PROVINCE,
    PROVINCE,
    VOLUNTEER,
    message,
    meta,
)


@pytest.fixture
def library(ctx):
    items = {
        "zalo": catalog.publish(
            ctx,
            PROVINCE,
            message(
                "Tin nhắn Zalo: sơ tán khỏi vùng sạt lở",
                "Bà con ở chân đồi di chuyển đến điểm sơ tán ngay.",
                hazard="landslide",
                stage="during",
                tags=("sạt lở", "zalo"),
            ),
        ),
        "flood": catalog.publish(
            ctx,
            PROVINCE,
            message(
                "Nước lũ dâng: kê cao đồ đạc",
                "Kê cao tài sản, cắt điện khi nước vào nhà.",
                hazard="flood",
                stage="before",
                audience="farmers",
            ),
        ),
        "english": catalog.publish(
            ctx,
            PROVINCE,
            message(
                "After the storm: boil water",
                "Boil drinking water for one minute.",
                stage="after",
                language="en",
            ),
        ),
    }
    return items


def titles(rows) -> set[str]:
    return {row.title for row in rows}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sạt lở", {"zalo"}),
        ("sat lo", {"zalo"}),
        ("SAT LO", {"zalo"}),
        ("Sạt lơ", {"zalo"}),  # a wrong tone mark still finds it
        ("ke cao do dac", {"flood"}),
        ("kê cao đồ đạc", {"flood"}),
        ("dien", {"flood"}),  # words of the text body count
        ("boil", {"english"}),
        ("bao", {"english"}),  # the storm label "Bão" in Vietnamese
        ("lu", {"flood"}),
        ("", {"zalo", "flood", "english"}),
        ("100%", set()),
        ("khong co gi", set()),
    ],
)
def test_search_ignores_diacritics_and_case(ctx, library, query, expected):
    found = catalog.search(ctx, VOLUNTEER, query)
    assert titles(found) == {library[key].title for key in expected}


def test_filters_combine(ctx, library):
    assert titles(catalog.search(ctx, VOLUNTEER, hazard="flood")) == {
        library["flood"].title
    }
    assert titles(catalog.search(ctx, VOLUNTEER, language="en")) == {
        library["english"].title
    }
    assert titles(catalog.search(ctx, VOLUNTEER, stage="during", kind="message")) == {
        library["zalo"].title
    }
    assert catalog.search(ctx, VOLUNTEER, audience="fishers") == []
    assert titles(catalog.search(ctx, VOLUNTEER, "ke cao", audience="farmers")) == {
        library["flood"].title
    }


def test_volunteer_reads_but_cannot_publish_update_or_withdraw(ctx, library):
    assert len(catalog.search(ctx, VOLUNTEER)) == 3
    with pytest.raises(Forbidden, match="volunteer"):
        catalog.publish(ctx, VOLUNTEER, message("Tin nhắn của tôi", "Nội dung"))
    item = library["zalo"]
    with pytest.raises(Forbidden):
        catalog.update(ctx, VOLUNTEER, item.id, item.version, status="draft")
    with pytest.raises(Forbidden):
        catalog.withdraw(ctx, VOLUNTEER, item.id)
    with pytest.raises(Forbidden):
        catalog.publish(ctx, COMMUNE, message("Tin nhắn của xã", "Nội dung"))
    assert len(catalog.search(ctx, VOLUNTEER)) == 3


def test_withdrawn_items_are_invisible_to_volunteers(ctx, library):
    item = library["zalo"]
    catalog.withdraw(ctx, PROVINCE, item.id, reason="thông tin cũ")
    assert item.title not in titles(catalog.search(ctx, VOLUNTEER))
    everything = ("published", "draft", "withdrawn")
    assert item.title not in titles(catalog.search(ctx, VOLUNTEER, statuses=everything))
    with pytest.raises(NotFound):
        catalog.get(ctx, VOLUNTEER, item.id)
    # The province still sees it (to re-publish), and can bring it back.
    assert item.title in titles(catalog.search(ctx, PROVINCE, statuses=everything))
    back = catalog.update(ctx, PROVINCE, item.id, item.version + 1, status="published")
    assert back.status == "published"
    assert item.title in titles(catalog.search(ctx, VOLUNTEER))


def test_drafts_are_hidden_from_volunteers_and_other_provinces(ctx):
    draft = catalog.publish(
        ctx, PROVINCE, message("Bản nháp tin nhắn", "Nội dung nháp"), status="draft"
    )
    everything = ("published", "draft", "withdrawn")
    assert catalog.search(ctx, VOLUNTEER, statuses=everything) == []
    assert catalog.search(ctx, OTHER_PROVINCE, statuses=everything) == []
    assert titles(catalog.search(ctx, PROVINCE, statuses=everything)) == {draft.title}
    assert titles(catalog.search(ctx, ADMIN, statuses=everything)) == {draft.title}


def test_only_the_owning_province_or_an_admin_manages_an_item(ctx, library):
    item = library["flood"]
    assert item.province_code == "33"
    with pytest.raises(Forbidden):
        catalog.withdraw(ctx, OTHER_PROVINCE, item.id)
    with pytest.raises(Forbidden):
        catalog.publish(
            ctx, PROVINCE, message("Cho tỉnh khác", "x y z"), province_code="22"
        )
    national = catalog.publish(ctx, ADMIN, message("Tin nhắn toàn quốc", "Nội dung"))
    assert national.province_code is None
    with pytest.raises(Forbidden):
        catalog.withdraw(ctx, PROVINCE, national.id)
    assert catalog.withdraw(ctx, ADMIN, item.id).status == "withdrawn"


def test_publish_update_withdraw_are_audited(ctx, library):
    item = library["flood"]
    changed = catalog.update(
        ctx,
        PROVINCE,
        item.id,
        item.version,
        message(
            "Nước lũ dâng: kê cao đồ đạc, cắt điện", "Kê cao tài sản.", hazard="flood"
        ),
        reason="thêm ý cắt điện",
    )
    assert changed.version == item.version + 1
    assert "cat dien" in changed.search_text
    catalog.withdraw(ctx, PROVINCE, item.id, reason="hết mùa lũ")
    with ctx.sessions() as session:
        entries = audit.entries(session, ADMIN, "outreach_material", str(item.id))
    assert [e.action for e in reversed(entries)] == [
        "outreach.publish",
        "outreach.update",
        "outreach.withdraw",
    ]
    assert entries[0].actor == "hy" and entries[0].reason == "hết mùa lũ"
    assert "kê cao đồ đạc, cắt điện" in entries[1].new_value


def test_a_stale_update_changes_nothing(ctx, library):
    item = library["zalo"]
    catalog.update(ctx, PROVINCE, item.id, item.version, status="draft")
    with pytest.raises(Conflict):
        catalog.update(
            ctx, PROVINCE, item.id, item.version, message("Tiêu đề mới", "Nội dung mới")
        )
    assert catalog.get(ctx, PROVINCE, item.id).title == item.title


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (meta("ab", "message", text_body="x"), "title"),
        (meta("Tin nhắn trống", "message"), "text"),
        (meta("Video", "video_link", link_url="javascript:alert(1)"), "link"),
        (meta("Loại lạ", "tiktok"), "kind"),
        (meta("Ngôn ngữ lạ", "message", text_body="x", language="fr"), "language"),
    ],
)
def test_bad_metadata_is_refused_naming_the_field(ctx, bad, field):
    with pytest.raises(catalog.CatalogError, match=f"^{field}"):
        catalog.publish(ctx, PROVINCE, bad)
    assert catalog.search(ctx, ADMIN, statuses=("published", "draft")) == []


def test_text_items_download_as_text_and_video_links_have_no_file(ctx):
    text = catalog.publish(ctx, PROVINCE, message("Tin nhắn ngắn", "Sơ tán ngay."))
    assert catalog.read_variant(ctx, text, "main").decode() == "Sơ tán ngay."
    assert text.light_path == text.file_path and text.size == len(
        "Sơ tán ngay.".encode()
    )
    video = catalog.publish(
        ctx,
        PROVINCE,
        meta("Video chằng chống nhà", "video_link", link_url="https://example.org/v/1"),
    )
    assert video.file_path == "" and video.size == 0
    with pytest.raises(NotFound):
        catalog.read_variant(ctx, video, "main")
