"""The drafts script: which fields, forms and drafts to drop, safe inside
<script>; the hidden key input."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.outreach import supplies
from dashboard.ui.components import drafts

FORM = drafts.Form(
    "fb_new",
    "fb_new_send_3",
    ("fb_new_title", "fb_new_text"),
    "draftkey_fb_new_3",
    "reconnect",
)


def _config(script: str) -> dict:
    line = re.search(r"var cfg = (.*);", script)
    assert line, script[:200]
    return json.loads(line.group(1))


def test_script_lists_fields_forms_and_sent_drafts():
    script = drafts.script(
        {"fb_new_text_3": "fb_new_text", "card_note_7": "card_note_7"},
        ["card_reason_7", "fb_new"],
        [FORM],
        ["fb_new"],
        run=4,
        ttl_ms=110_000,
    )
    config = _config(script)
    assert config["fields"] == [
        ["card_note_7", "card_note_7"],
        ["fb_new_text_3", "fb_new_text"],
    ]
    assert config["sent"] == ["card_reason_7", "fb_new"]
    assert config["forms"] == [
        {
            "group": "fb_new",
            "send": "fb_new_send_3",
            "names": ["fb_new_title", "fb_new_text"],
            "key": "draftkey_fb_new_3",
            "resend": "reconnect",
        }
    ]
    assert (config["answered"], config["run"], config["ttl"]) == (
        ["fb_new"],
        4,
        110_000,
    )
    assert config["words"] == {
        "unsent": "Chưa gửi — đã lưu trên máy này",
        "sent": "Đã gửi",
        "resending": "Đang gửi lại…",
    }


def test_each_run_makes_a_new_script():
    """The browser runs an st.html script again only when it changes."""
    assert drafts.script({}, [], run=1) != drafts.script({}, [], run=2)


@pytest.mark.parametrize(
    "key",
    [
        "x</script><script>alert(1)",
        'x"];alert(1);//',
        "x\\u2028\n\u2028'",
        "<!--",
    ],
)
def test_keys_are_json_escaped_and_cannot_close_the_script(key):
    form = drafts.Form(key, key, (key,), drafts.KEY_PREFIX + key)
    script = drafts.script({key: key}, [key], [form], [key])
    assert script.count("</script>") == 1
    assert "<!--" not in script and "<script>alert" not in script
    config = _config(script)  # one JSON literal, read back unchanged
    assert config["fields"] == [[key, key]]
    assert config["sent"] == [key] and config["answered"] == [key]
    assert config["forms"][0]["names"] == [key]


def test_the_hidden_key_input_needs_its_prefix():
    with pytest.raises(ValueError, match="draftkey_"):
        drafts.key_input("fb_new_key")


def test_the_key_inputs_are_hidden_by_their_prefix():
    assert f'[class*="st-key-{drafts.KEY_PREFIX}"]' in drafts._HIDE_KEYS
    assert "display: none" in drafts._HIDE_KEYS


def _form_page(store: bool) -> None:
    """A form with a draft and a key, as the pages draw it (AppTest script)."""
    import streamlit as st

    from dashboard.ui.components import drafts

    with st.form("f"):
        st.text_area("Nội dung", key="note")
        key = drafts.key_input("draftkey_f")
        pressed = st.form_submit_button("Gửi", key="send")
    drafts.keep("note")
    drafts.form("f", send="send", names=("note",), key_input="draftkey_f")
    if pressed and store:
        st.session_state["stored_with"] = key
        drafts.sent("note", "f")
    drafts.render()


def _page_config(at: AppTest) -> dict:
    scripts = [h.proto.body for h in at.get("html") if "var cfg" in h.proto.body]
    assert len(scripts) == 1
    return _config(scripts[0])


KEY = "0b9f3c1e-7d2a-4c5b-9e8f-1a2b3c4d5e6f"


def test_a_stored_send_drops_the_drafts_and_the_key_reaches_the_server():
    at = AppTest.from_function(_form_page, kwargs={"store": True}).run()
    first = _page_config(at)
    assert (first["sent"], first["answered"]) == ([], [])
    assert first["forms"][0]["key"] == "draftkey_f"
    at.text_area(key="note").input("Thiếu 20 áo phao")
    at.text_input(key="draftkey_f").input(f" {KEY} ")
    at.button(key="send").click().run()
    assert at.session_state["stored_with"] == KEY
    config = _page_config(at)
    assert config["sent"] == ["f", "note"]
    assert config["run"] == first["run"] + 1


def test_a_refused_send_is_answered_and_keeps_its_draft():
    at = AppTest.from_function(_form_page, kwargs={"store": False}).run()
    at.button(key="send").click().run()
    config = _page_config(at)
    assert (config["sent"], config["answered"]) == ([], ["f"])
    at.run()  # the next run (no tap) answers nothing
    assert _page_config(at)["answered"] == []


def test_without_the_script_the_key_is_empty():
    at = AppTest.from_function(_form_page, kwargs={"store": True}).run()
    at.button(key="send").click().run()
    assert at.session_state["stored_with"] is None


def test_largest_supply_list_fits_in_one_zalo_or_sms_message():
    for lang in ("vi", "en"):
        half = supplies.MAX_PEOPLE // 2
        checklist = supplies.household_checklist(
            supplies.MAX_PEOPLE,
            supplies.MAX_DAYS,
            half,
            half,
            supplies.MAX_PEOPLE,
            lang,
        )
        assert len(supplies.checklist_text(checklist)) <= 1000
