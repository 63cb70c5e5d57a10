"""Take a photo with the camera ("Chụp ảnh"), beside the file upload.

The camera is asked for only after the user taps "Chụp ảnh": until then no
``st.camera_input`` is drawn, so the browser never asks for the camera on an
ordinary render. The tap is a form submit button (a plain button cannot sit
in a form, and a toggle in a form does nothing until the form is sent): it
sends the form without saving anything and opens the camera inside it, next
to the upload. Tapping it again ("Đóng máy ảnh") closes the camera.

The captured picture is a JPEG that :func:`chosen` hands over exactly like
an uploaded file: the page passes its bytes to the same service call, which
runs the same content checks (:mod:`dashboard.core.files`: type from the
content, pixel limit, re-encoding without EXIF/GPS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import streamlit as st

from dashboard.ui.session import t

OPEN = "camera.open"  # the set of camera keys the user opened
#: The name a captured photo is stored under (the content decides its type).
CAPTURED_NAME = "anh-chup.jpg"


class _File(Protocol):
    name: str

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class ChosenFile:
    """The file to send (a photo, or any upload): its name, bytes, origin."""

    name: str
    data: bytes
    from_camera: bool


def chosen(captured: _File | None, uploaded: _File | None) -> ChosenFile | None:
    """The photo to send: the one just taken with the camera, else the upload.

    A capture wins because it is the last thing the user did (the camera is
    opened after the upload field, by a deliberate tap).
    """
    if captured is not None:
        data = captured.getvalue()
        if data:
            return ChosenFile(CAPTURED_NAME, data, True)
    if uploaded is not None:
        return ChosenFile(uploaded.name, uploaded.getvalue(), False)
    return None


def is_open(key: str) -> bool:
    return key in st.session_state.get(OPEN, set())


def _flip(key: str) -> None:
    opened = set(st.session_state.get(OPEN, set()))
    opened.symmetric_difference_update({key})
    st.session_state[OPEN] = opened


def close(key: str) -> None:
    """Close the camera *key* (after a save, or when its form is closed)."""
    opened = st.session_state.get(OPEN)
    if opened and key in opened:
        st.session_state[OPEN] = opened - {key}


def capture(key: str) -> _File | None:
    """Inside a form: the "Chụp ảnh" button and, once tapped, the camera.

    Returns the captured picture (an ``UploadedFile``) or ``None``. The
    camera widget's key is *key*; its button's key is ``<key>_toggle``.
    """
    opened = is_open(key)
    st.form_submit_button(
        t("camera.close") if opened else t("camera.open"),
        key=f"{key}_toggle",
        icon=":material/no_photography:" if opened else ":material/photo_camera:",
        on_click=_flip,
        args=(key,),
        help=t("camera.open_help"),
        width="stretch",
    )
    if not opened:
        return None
    return st.camera_input(t("camera.label"), key=key, help=t("camera.help"))
