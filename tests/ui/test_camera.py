"""Taking a photo with the camera ("Chụp ảnh"): the camera appears only after
the tap, and the captured picture goes through the same service and file
checks as an uploaded one (AppTest on a real store)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from dashboard import feedback as fb
from dashboard.auth import Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.i18n import translate
from dashboard.plans.photos import resolve
from dashboard.store.models.plans import PlanTask
from dashboard.ui.components.camera import CAPTURED_NAME, ChosenFile, chosen
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

COMMUNE = Principal("demo-commune", Role.COMMUNE, "UBND xã", commune_code="13003")
CAMERA_MAKE = 0x010F  # EXIF "Make": camera metadata the checks must drop


def vi(key: str, **params) -> str:
    return translate(key, "vi", **params)


def shot(width: int = 640, height: int = 480) -> bytes:
    """A JPEG as a phone camera makes it, with EXIF metadata."""
    image = Image.effect_noise((width, height), 40).convert("RGB")
    exif = Image.Exif()
    exif[CAMERA_MAKE] = "PhoneCam"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(name: str, data: bytes):
    return SimpleNamespace(name=name, getvalue=lambda: data)


def button(at, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def test_a_capture_is_sent_like_an_upload_and_wins_over_it():
    taken = upload("camera_input.jpg", b"jpeg-bytes")
    given = upload("de-bao.png", b"png-bytes")
    from_upload = ChosenFile("de-bao.png", b"png-bytes", False)
    assert chosen(taken, given) == ChosenFile(CAPTURED_NAME, b"jpeg-bytes", True)
    assert chosen(None, given) == from_upload
    assert chosen(upload("x.jpg", b""), given) == from_upload  # an empty capture
    assert chosen(None, None) is None


def _photo_task() -> PlanTask:
    ctx = open_context(load_settings())  # demo mode seeds the drill plans
    with ctx.sessions() as s:
        task = s.scalars(
            select(PlanTask)
            .where(PlanTask.commune_code == "13003", PlanTask.evidence == "photo")
            .order_by(PlanTask.position)
        ).first()
    ctx.engine.dispose()
    assert task is not None and task.status != "done"
    return task


def _stored(task_id: int) -> PlanTask:
    ctx = open_context(load_settings())
    with ctx.sessions() as s:
        task = s.get(PlanTask, task_id)
    ctx.engine.dispose()
    return task


def test_commune_leader_takes_the_evidence_photo_with_the_camera():
    task = _photo_task()
    at = open_view("plans", COMMUNE)  # phone mode: cards
    at.button(key=f"card_done_{task.id}").click().run()
    assert not at.exception, at.exception
    # The upload and the camera button; the camera itself only after a tap.
    assert at.file_uploader(key=f"card_photo_{task.id}")
    assert not at.camera_input
    toggle = at.button(key=f"card_camera_{task.id}_toggle")
    assert toggle.label == vi("camera.open")
    toggle.click().run()
    assert not at.exception, at.exception
    camera = at.camera_input(key=f"card_camera_{task.id}")
    assert camera.label == vi("camera.label")
    assert at.button(key=f"card_camera_{task.id}_toggle").label == vi("camera.close")

    # Not a picture (though named .jpg): refused by the file checks.
    camera.set_value(("camera.jpg", b"\xff\xd8\xff\xe0 not a picture", "image/jpeg"))
    button(at, vi("field.save")).click().run()
    assert not at.exception, at.exception
    assert at.error and task.title_vi in at.error[0].value
    assert _stored(task.id).status != "done"
    assert _stored(task.id).evidence_photo == ""

    at.camera_input(key=f"card_camera_{task.id}").set_value(
        ("camera.jpg", shot(), "image/jpeg")
    )
    button(at, vi("field.save")).click().run()
    assert not at.exception, at.exception
    row = _stored(task.id)
    assert row.status == "done"
    path = resolve(load_settings().data_dir, row.evidence_photo)
    assert path is not None
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (640, 480)
        assert CAMERA_MAKE not in image.getexif()  # re-encoded by the checks
    # The form and the camera are closed; the card says done.
    assert not at.camera_input
    assert not [b for b in at.button if b.key == f"card_done_{task.id}"]


def test_a_feedback_item_carries_a_photo_taken_with_the_camera():
    me = Principal("ui-camera", Role.COMMUNE, "UBND 13003", commune_code="13003")
    at = open_view("feedback", me)
    assert not at.exception, at.exception
    assert not at.camera_input
    at.selectbox(key="fb_new_category_0").set_value("infrastructure")
    at.selectbox(key="fb_new_urgency_0").set_value("urgent")
    at.text_input(key="fb_new_title_0").input("Kè sông thôn 2 nứt")
    at.text_area(key="fb_new_text_0").input("Vết nứt dài 5 m, xem ảnh.")
    at.button(key="fb_new_camera_0_toggle").click().run()
    assert not at.exception, at.exception
    # Opening the camera sends nothing and keeps what was typed.
    assert not at.success
    assert at.text_input(key="fb_new_title_0").value == "Kè sông thôn 2 nứt"
    at.camera_input(key="fb_new_camera_0").set_value(
        ("camera.jpg", shot(800, 600), "image/jpeg")
    )
    button(at, vi("feedback.send")).click().run()
    assert not at.exception, at.exception
    assert "Đã gửi kiến nghị #" in at.success[0].value
    ctx = open_context(load_settings())
    with ctx.sessions() as s:
        (item,) = [i for i in fb.list_items(s, me) if i.title == "Kè sông thôn 2 nứt"]
        name, mime, data = fb.attachment_file(s, me, item.id, ctx.settings.data_dir)
    ctx.engine.dispose()
    assert (name, mime) == (CAPTURED_NAME, "image/jpeg")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (800, 600)
        assert CAMERA_MAKE not in image.getexif()
