"""The drafts script: which fields, which drafts to drop, safe inside <script>."""

from __future__ import annotations

import json
import re

from dashboard.outreach import supplies
from dashboard.ui.components import drafts


def _literal(script: str, name: str):
    line = re.search(r"var fields = (.*), sent = (.*), words = (.*);", script)
    value = line.group({"fields": 1, "sent": 2, "words": 3}[name])
    return json.loads(value)


def test_script_lists_fields_and_sent_drafts():
    script = drafts.script(
        {"fb_new_text_3": "fb_new_text", "card_note_7": "card_note_7"},
        ["card_reason_7"],
    )
    assert _literal(script, "fields") == [
        ["card_note_7", "card_note_7"],
        ["fb_new_text_3", "fb_new_text"],
    ]
    assert _literal(script, "sent") == ["card_reason_7"]
    assert "Chưa gửi" in script and "Đã gửi" in script


def test_script_cannot_be_closed_by_a_key():
    script = drafts.script({"x</script><script>alert(1)": "y"}, [])
    assert script.count("</script>") == 1


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
