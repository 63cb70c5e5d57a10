"""End to end on a 360 × 740 phone, one hand: a volunteer downloads from a
library card, a delegation leader checks in and verifies a task from the
visit card, a commune leader takes the evidence photo with the camera (a
synthetic one, see ``CHROMIUM_ARGS``). Every page: no sideways scrolling,
no serious axe-core violation, and what was done is in the store."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import sqlalchemy
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import sign_in, wait_for_app
from tests.browser.test_e2e_foundation import wait_for_cookie
from tests.browser.test_e2e_phone import (
    PHONE,
    card,
    no_horizontal_scroll,
    open_plans,
    serious_violations,
)
from tests.support.helpers import REPO_ROOT

pytestmark = pytest.mark.browser

DELEGATION = "Đoàn kiểm tra ven biển số 2"
SEED = f"""
from datetime import timedelta
from dashboard import delegations as dlg
from dashboard.auth import SYSTEM
from dashboard.bootstrap import open_context
from dashboard.outreach.starter import seed_starter_content
from dashboard.scenario.drill import DRILL_CLOCK
ctx = open_context()
seed_starter_content(ctx)  # a no-op once start-up has seeded it
with ctx.transaction() as s:
    event = dlg.ensure_event(s, SYSTEM, "2025197N14131", "Ứng phó bão WIPHA", None, True)
    dlg.create_delegation(s, SYSTEM, event, "33", dlg.DelegationDraft(
        name="{DELEGATION}",
        leader_username="demo-province",
        leader_phone="0912345678",
        planned_departure_utc=DRILL_CLOCK + timedelta(hours=1),
        planned_arrival_utc=DRILL_CLOCK + timedelta(hours=3),
        communes=[dlg.StopInput("13003")],
    ))
"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "has_touch": True,
        "permissions": ["camera"],
    }


@pytest.fixture(scope="module")
def seeded_server(app_server):
    subprocess.run(
        [sys.executable, "-c", SEED],
        env=app_server.env,
        cwd=REPO_ROOT,
        check=True,
        timeout=300,
    )
    return app_server


def query(app_server, sql: str, **params) -> list[tuple]:
    engine = sqlalchemy.create_engine(
        f"sqlite:///{app_server.data_dir.resolve() / 'dashboard.db'}"
    )
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sqlalchemy.text(sql), params)]
    engine.dispose()
    return rows


def sign_in_as(page: Page, url: str, who: str) -> None:
    page.goto(url)
    wait_for_app(page)
    sign_in(page, who, f"{who}-pw")
    wait_for_cookie(page, "dashboard_session")


def test_volunteer_downloads_from_a_library_card(page: Page, seeded_server, tmp_path):
    sign_in_as(page, seeded_server.url, "demo-volunteer")
    expect(page.get_by_role("heading", name="Tài liệu tuyên truyền")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_role("switch", name="Chế độ điện thoại")).to_be_checked()
    item = (
        page.locator("[class*='st-key-outreach_item_']")
        .filter(has_text="Túi đồ khẩn cấp cho gia đình (PDF)")
        .first
    )
    # Title in full, type, size and language on the card itself.
    expect(item).to_contain_text("Infographic PDF")
    expect(item).to_contain_text("Tiếng Việt")
    expect(item).to_contain_text(re.compile(r"\d+ kB"))
    no_horizontal_scroll(page)
    assert serious_violations(page) == []

    button = item.get_by_role("button", name=re.compile(r"^Tải về \(\d+ kB\)"))
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= PHONE["width"] * 0.7, box
    label = button.inner_text()
    with page.expect_download() as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    data = path.read_bytes()
    assert path.suffix == ".pdf" and data.startswith(b"%PDF-")
    shown_kb = float(re.search(r"\((\d+) kB\)", label).group(1))
    assert abs(shown_kb - len(data) / 1000) <= 1  # the label told the truth
    no_horizontal_scroll(page)

    # The share action: the text to paste into Zalo, on the card.
    item.get_by_role("button", name="Chia sẻ").click()
    wait_for_app(page)
    expect(item.locator("[data-testid='stCode']")).to_contain_text(
        "Túi đồ khẩn cấp cho gia đình"
    )
    no_horizontal_scroll(page)
    assert serious_violations(page) == []

    # The supply list: a card per item with its quantity.
    page.get_by_text("Tính nhu yếu phẩm", exact=True).click()
    wait_for_app(page)
    water = page.locator("[class*='st-key-outreach_supply_']").filter(has_text="lít")
    expect(water.first).to_contain_text(re.compile(r"\d+ lít"))
    no_horizontal_scroll(page)
    assert serious_violations(page) == []


def test_delegation_leader_checks_in_and_verifies_from_the_visit_card(
    page: Page, seeded_server
):
    (delegation_id,) = query(
        seeded_server, "SELECT id FROM delegations WHERE name = :n", n=DELEGATION
    )[0]
    sign_in_as(page, seeded_server.url, "demo-province")
    page.goto(seeded_server.url + "/delegations")
    wait_for_app(page)
    page.get_by_role("tab", name="Danh sách đoàn").click()
    switch = page.get_by_role("switch", name="Chế độ điện thoại")
    expect(switch).not_to_be_checked()  # province staff: tables by default
    page.get_by_text("Chế độ điện thoại").click()  # its label: the input is hidden
    wait_for_app(page)
    page.get_by_role("tab", name="Danh sách đoàn").click()
    visit = page.locator(".st-key-dlg_visit_card")
    expect(visit).to_contain_text(DELEGATION, timeout=30_000)
    expect(visit).to_contain_text("Xã Đồng Châu")
    expect(visit).to_contain_text(re.compile(r"Dự kiến đến: \d\d:\d\d"))
    expect(visit).to_contain_text("Gió cấp 6 đến xã")
    expect(visit.locator("[data-testid='stDataFrame']")).to_have_count(0)
    no_horizontal_scroll(page)
    assert serious_violations(page) == []

    check_in = visit.get_by_role("button", name="Check-in: đoàn đã đến xã")
    assert check_in.bounding_box()["height"] >= 44
    check_in.click()
    wait_for_app(page)
    expect(page.get_by_text("Đã check-in: đoàn đang làm việc tại xã.")).to_be_visible(
        timeout=60_000
    )
    assert query(
        seeded_server, "SELECT status FROM delegations WHERE id = :i", i=delegation_id
    ) == [("on_site",)]

    page.get_by_role("tab", name="Danh sách đoàn").click()
    first = visit.locator("[class*='st-key-dlg_vtask_']").first
    expect(first).to_contain_text("Xã báo:")
    first.get_by_role("button", name="Đạt").click()
    wait_for_app(page)
    expect(page.get_by_text("Đã ghi kết quả kiểm tra nhiệm vụ.")).to_be_visible(
        timeout=60_000
    )
    page.get_by_role("tab", name="Danh sách đoàn").click()
    expect(visit.locator("[class*='st-key-dlg_vtask_']").first).to_contain_text(
        "Đoàn đã xác minh"
    )
    assert query(
        seeded_server,
        "SELECT result FROM delegation_task_verifications WHERE delegation_id = :i",
        i=delegation_id,
    ) == [("verified",)]
    no_horizontal_scroll(page)
    assert serious_violations(page) == []


def test_commune_leader_takes_the_evidence_photo_with_the_camera(
    page: Page, seeded_server
):
    task_id, title = query(
        seeded_server,
        "SELECT id, title_vi FROM plan_tasks WHERE commune_code = '13003' "
        "AND evidence = 'photo' AND status != 'done' ORDER BY position LIMIT 1",
    )[0]
    open_plans(page, seeded_server.url)
    task = card(page, title)
    task.get_by_role("button", name="Xong").click()
    wait_for_app(page)
    # The upload is there; the camera is not asked for until the tap.
    expect(task.locator("[data-testid='stFileUploader']")).to_be_visible()
    expect(page.locator("[data-testid='stCameraInput']")).to_have_count(0)
    task.get_by_role("button", name="Chụp ảnh").click()
    wait_for_app(page)
    camera = task.locator("[data-testid='stCameraInput']")
    expect(camera).to_be_visible()
    shutter = camera.get_by_role("button", name="Take Photo")
    expect(shutter).to_be_enabled(timeout=30_000)  # the (fake) camera streams
    no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shutter.click()
    expect(camera.get_by_role("button", name="Clear photo")).to_be_visible(
        timeout=30_000
    )
    task.get_by_role("button", name="Gửi").click()
    wait_for_app(page)
    expect(card(page, title)).to_contain_text("Đã xong", timeout=60_000)
    ((status, photo),) = query(
        seeded_server,
        "SELECT status, evidence_photo FROM plan_tasks WHERE id = :i",
        i=task_id,
    )
    assert status == "done" and photo.endswith(".jpg"), (status, photo)
    stored = seeded_server.data_dir / photo
    assert stored.read_bytes()[:3] == b"\xff\xd8\xff"  # re-encoded JPEG
    assert (seeded_server.data_dir / photo.replace(".jpg", "_thumb.jpg")).is_file()
    no_horizontal_scroll(page)
    assert serious_violations(page) == []
