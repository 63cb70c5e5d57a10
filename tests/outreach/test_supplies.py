"""The household supply calculator: quantities match the documented rules."""

from __future__ import annotations

import io

import pytest
import yaml
from pypdf import PdfReader

from dashboard.core.errors import Invalid
from dashboard.outreach.supplies import (
    SUPPLIES_FILE,
    checklist_pdf,
    checklist_text,
    household_checklist,
)

# people, days, infants, elderly, medical → expected quantities.
# water = 4 L × people × days; food = 3 meals × people × days;
# torch = ceil(1 + people / 4); batteries = 4 × (torches + radio);
# nappies = 6 × infants × days; medicine = medical × (days + 7).
CASES = [
    (
        (1, 3, 0, 0, 0),
        {
            "water": 12,
            "food": 9,
            "torch": 2,
            "batteries": 12,
            "raincoat": 1,
            "diapers": 0,
            "medicine": 0,
        },
    ),
    (
        (4, 3, 0, 0, 0),
        {
            "water": 48,
            "food": 36,
            "torch": 2,
            "batteries": 12,
            "raincoat": 4,
            "first_aid": 1,
            "documents": 1,
        },
    ),
    (
        (5, 3, 1, 1, 1),
        {
            "water": 60,
            "food": 45,
            "torch": 3,
            "batteries": 16,
            "diapers": 18,
            "infant_food": 3,
            "medicine": 10,
            "elderly_care": 1,
        },
    ),
    (
        (6, 7, 2, 2, 3),
        {
            "water": 168,
            "food": 126,
            "torch": 3,
            "diapers": 84,
            "medicine": 42,
            "elderly_care": 2,
        },
    ),
    (
        (2, 1, 0, 2, 2),
        {
            "water": 8,
            "food": 6,
            "torch": 2,
            "medicine": 16,
            "elderly_care": 2,
            "radio": 1,
        },
    ),
    ((12, 3, 0, 0, 0), {"water": 144, "torch": 4, "batteries": 20, "raincoat": 12}),
]


@pytest.mark.parametrize(("household", "expected"), CASES)
def test_quantities(household, expected):
    checklist = household_checklist(*household)
    got = {key: checklist.quantity(key) for key in expected}
    assert got == expected


def test_three_days_is_the_default():
    assert household_checklist(4).household.days == 3
    assert household_checklist(4).quantity("water") == 48


def test_items_with_zero_quantity_are_left_off():
    keys = [line.key for line in household_checklist(3).lines]
    assert "diapers" not in keys and "medicine" not in keys
    assert {"water", "food", "torch", "radio", "batteries", "documents"} <= set(keys)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0,), "people"),
        ((4, 0), "days"),
        ((4, 31), "days"),
        ((2, 3, 3), "infants"),
        ((3, 3, 2, 2), "infants \\+ elderly"),
        ((2, 3, 0, 0, -1), "medical"),
    ],
)
def test_impossible_households_are_refused(args, field):
    with pytest.raises(ValueError, match=f"^{field}"):
        household_checklist(*args)


def test_every_item_documents_its_source():
    rules = yaml.safe_load(SUPPLIES_FILE.read_text(encoding="utf-8"))
    assert rules["default_days"] == 3
    water = next(item for item in rules["items"] if item["key"] == "water")
    assert water["per_person_day"] == 4 and "ready_gov" in water["source"]
    assert all(item["source"].strip() for item in rules["items"])


def test_text_for_zalo_lists_each_item_once():
    text = checklist_text(household_checklist(4, lang="vi"))
    assert text.splitlines()[0] == "Nhu yếu phẩm cho gia đình 4 người, 3 ngày"
    assert "☐ 48 lít – Nước uống và sinh hoạt" in text
    assert "☐ 1 túi – Giấy tờ quan trọng trong túi chống nước" in text
    english = checklist_text(household_checklist(4, 3, 1, lang="en"))
    assert "☐ 48 L – Drinking and hygiene water" in english
    assert "1 infants" in english.splitlines()[1]


def test_printable_pdf_has_the_quantities_with_diacritics():
    data = checklist_pdf(household_checklist(5, 3, 1, 1, 1, lang="vi"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "60 lít" in text and "Nước uống và sinh hoạt" in text
    assert "18 cái" in text and "Tã/bỉm cho trẻ" in text
    assert "10 ngày thuốc" in text


@pytest.mark.parametrize("args", [(-4,), (4, -3), (4, 3, -1), (4, 3, 0, -2)])
def test_negative_numbers_are_refused_with_a_message(args):
    """Issue 15: a negative number was ignored silently."""
    with pytest.raises(Invalid) as caught:
        household_checklist(*args)
    assert caught.value.key == "errors.negative"
    assert caught.value.params["value"] < 0
