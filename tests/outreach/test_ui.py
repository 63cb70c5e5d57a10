"""The outreach page with Streamlit's AppTest, as a volunteer and as province staff."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.bootstrap import open_context
from dashboard.outreach import catalog, sharing
from dashboard.outreach.starter import seed_starter_content
from tests.support.apptest import open_view
from tests.support.outreach import ADMIN, PROVINCE, VOLUNTEER

pytestmark = pytest.mark.usefixtures("ui_environment")

TABLE = {"phone_mode_saved": False}  # phone mode off: the desktop list


@pytest.fixture(scope="module")
def seeded(ui_environment):
    ctx = open_context()
    seed_starter_content(ctx)
    yield ctx
    ctx.engine.dispose()


def item_titles(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**")]


def open_item(at, words: str):
    at.text_input(key="outreach.query").input(words).run()
    at.button(
        key=next(b.key for b in at.button if b.key.startswith("outreach.open."))
    ).click().run()
    return at


def test_volunteer_sees_the_list_with_sizes_and_no_publishing(seeded):
    at = open_view("outreach", VOLUNTEER, state=TABLE)
    assert not at.exception
    sections = at.button_group(key="outreach.section").options
    assert sections == ["Thư viện", "Tính nhu yếu phẩm"]
    titles = item_titles(at)
    assert len(titles) == 12  # the Vietnamese starter items (language filter = vi)
    assert all(("kB**" in t or " B**" in t) for t in titles)
    assert not at.get("download_button")  # nothing to download before opening


def test_volunteer_searches_without_diacritics_and_opens_an_item(seeded):
    at = open_view("outreach", VOLUNTEER, state=TABLE)
    at = open_item(at, "kich ban loa")
    titles = item_titles(at)
    assert titles[0].startswith("**Kịch bản loa xã\\: chuẩn bị đón bão**")
    assert len(titles) == 1
    assert "Thông báo của Ủy ban nhân dân xã" in at.code[0].value
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[0].startswith("Tải bản gốc (") and labels[1].startswith(
        "Tải bản nhẹ ("
    )


def test_volunteer_marks_an_item_as_shared_with_a_village(seeded):
    at = open_view("outreach", VOLUNTEER)
    at = open_item(at, "4 tai cho")
    item_id = int(
        next(b.key for b in at.button if b.key.startswith("outreach.open.")).split(".")[
            -1
        ]
    )
    at.toggle(key=f"outreach.share.{item_id}").set_value(True).run()
    at.text_input(key=f"outreach.reach.{item_id}.q").input("dong chau hung yen").run()
    assert at.selectbox(key=f"outreach.reach.{item_id}.code").value == "13003"
    at.text_input(key=f"outreach.reach.{item_id}.village").input("Thôn Nam Hải")
    at.number_input(key=f"outreach.reach.{item_id}.people").set_value(35)
    submit = next(b for b in at.get("form_submit_button"))
    submit.click().run()
    assert not at.exception
    assert at.success and "Thôn Nam Hải" in at.success[0].value
    summary = sharing.reach_summary(seeded, ADMIN)
    row = next(c for c in summary if c.commune_code == "13003")
    assert "Thôn Nam Hải" in row.villages and row.people >= 35


def test_supply_calculator_text(seeded):
    at = open_view("outreach", VOLUNTEER)
    at.button_group(key="outreach.section").set_value("supplies").run()
    at.number_input(key="outreach.s.people").set_value(5).run()
    text = at.code[0].value
    assert text.splitlines()[0] == "Nhu yếu phẩm cho gia đình 5 người, 3 ngày"
    assert "☐ 60 lít – Nước uống và sinh hoạt" in text


def test_province_publishes_and_withdraws(seeded):
    at = open_view("outreach", PROVINCE)
    assert not at.exception
    assert at.button_group(key="outreach.section").options == [
        "Thư viện",
        "Tính nhu yếu phẩm",
        "Đã đến thôn nào",
        "Đăng tài liệu",
    ]
    at.button_group(key="outreach.section").set_value("publish").run()
    at.text_input[0].input("Tin nhắn: kiểm tra đê điều trước mùa lũ")
    at.selectbox[0].set_value("message")
    at.text_area[1].input("Bà con kiểm tra đê, báo ngay chỗ thẩm lậu.")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception and not at.error, at.error
    assert "Đã đăng" in at.success[0].value
    found = catalog.search(seeded, VOLUNTEER, "kiem tra de dieu")
    assert [m.title for m in found] == ["Tin nhắn: kiểm tra đê điều trước mùa lũ"]

    at.button_group(key="outreach.section").set_value("library").run()
    at = open_item(at, "kiem tra de dieu")
    item_id = found[0].id
    at.text_input(key=f"outreach.manage.{item_id}.reason").input("nhầm nội dung")
    at.button(key=f"outreach.manage.{item_id}.withdraw").click().run()
    assert not at.exception
    assert catalog.search(seeded, VOLUNTEER, "kiem tra de dieu") == []


def test_province_sees_reach_per_commune(seeded):
    sharing.record_reach(
        seeded,
        VOLUNTEER,
        catalog.search(seeded, VOLUNTEER, "cap gio")[0].id,
        "13003",
        "Thôn Đông Hải",
        date.today(),
        12,
    )
    at = open_view("outreach", PROVINCE)
    at.button_group(key="outreach.section").set_value("reach").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert "Xã Đồng Châu" in list(frame["Xã"])
    assert (
        "Thôn Đông Hải"
        in frame.loc[frame["Xã"] == "Xã Đồng Châu", "Thôn đã đến"].iloc[0]
    )


def test_english_page(seeded):
    at = open_view("outreach", VOLUNTEER, lang="en", state=TABLE)
    assert not at.exception
    titles = item_titles(at)
    assert "**The “4 on\\-the\\-spot” principle**" in " ".join(titles)


# ---------------------------------------------------------------- phone cards


def test_card_logic_download_or_link_and_share_or_copy():
    from types import SimpleNamespace as Item

    from dashboard.ui.views.outreach import primary_action, share_label_key

    image = Item(kind="infographic_image", file_path="ab12", link_url="", text_body="")
    link = Item(
        kind="video_link", file_path="", link_url="https://x.vn/v", text_body=""
    )
    script = Item(kind="loudspeaker", file_path="cd34", link_url="", text_body="Loa")
    empty = Item(kind="message", file_path="", link_url="", text_body="")
    assert [primary_action(m) for m in (image, link, script, empty)] == [
        "download",
        "link",
        "download",
        None,
    ]
    assert share_label_key(image) == "outreach.card.share"
    assert share_label_key(script) == "outreach.card.copy"
    assert share_label_key(empty) == "outreach.card.share"  # no text to copy


def test_volunteer_gets_one_card_per_item_with_type_size_language_and_download(
    seeded,
):
    from dashboard.i18n import translate
    from dashboard.ui.markdown import escape
    from dashboard.ui.views.outreach import ICONS

    at = open_view("outreach", VOLUNTEER)  # phone mode: on for volunteers
    assert not at.exception, at.exception
    assert at.toggle(key="phone_mode").value is True
    items = catalog.search(seeded, VOLUNTEER, language="vi")
    assert len(items) == 12
    shown = [m.value for m in at.markdown]
    downloads = {b.key: b.proto.label for b in at.get("download_button")}
    shares = {b.key: b.label for b in at.button if b.key.startswith("outreach.open.")}
    for m in items:
        # The title in full, then its type, its size and its language.
        assert f"{ICONS[m.kind]} **{escape(m.title)}**" in shown
        kind = translate(f"outreach.kind.{m.kind}", "vi")
        size = sharing.human_size(m.size)
        assert f"{kind} · **{size}** · Tiếng Việt" in shown
        # One large download button that says what it costs.
        assert downloads[f"outreach.dl.{m.id}"] == f"Tải về ({size})"
        expected = "Sao chép nội dung" if m.text_body else "Chia sẻ"
        assert shares[f"outreach.open.{m.id}"] == expected
    # Only the one download per card until the user asks for more.
    assert len(downloads) == 12
    assert not at.code


def test_a_card_opens_its_text_to_copy_without_offering_the_same_file_twice(seeded):
    at = open_view("outreach", VOLUNTEER)
    at.text_input(key="outreach.query").input("kich ban loa").run()
    (script,) = catalog.search(seeded, VOLUNTEER, "kich ban loa", language="vi")
    at.button(key=f"outreach.open.{script.id}").click().run()
    assert not at.exception, at.exception
    assert at.code[0].value == script.text_body
    assert at.button(key=f"outreach.open.{script.id}").label == "Đóng"
    keys = [b.key for b in at.get("download_button")]
    assert keys == [f"outreach.dl.{script.id}"]  # its light version is this file

    # An image has a real light version: offered once the card is opened.
    at.text_input(key="outreach.query").input("tui do khan cap").run()
    image = next(
        m
        for m in catalog.search(seeded, VOLUNTEER, "tui do khan cap", language="vi")
        if m.kind == "infographic_image"
    )
    at.button(key=f"outreach.open.{image.id}").click().run()
    labels = {b.key: b.proto.label for b in at.get("download_button")}
    assert labels[f"outreach.light.{image.id}"] == (
        f"Tải bản nhẹ ({sharing.human_size(image.light_size)})"
    )
    assert "Túi đồ khẩn cấp cho gia đình" in at.code[0].value


def test_supply_list_as_cards_with_quantities(seeded):
    at = open_view("outreach", VOLUNTEER)
    at.button_group(key="outreach.section").set_value("supplies").run()
    at.number_input(key="outreach.s.people").set_value(5).run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown]
    assert "**60 lít** · Nước uống và sinh hoạt" in shown
    # Each line its own card (not one bulleted list), and the text to copy.
    assert not any(value.startswith("- **") for value in shown)
    assert at.code[0].value.startswith("Nhu yếu phẩm cho gia đình 5 người, 3 ngày")
    assert len(at.code[0].value) <= 1000
