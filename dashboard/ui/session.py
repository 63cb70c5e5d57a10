"""Per-browser-session state: language, the signed-in principal, cookies.

The principal lives in ``st.session_state`` for this tab and, across reloads,
in an HttpOnly cookie holding a signed session token (see
:mod:`dashboard.accounts` and the ``/auth/session`` route in
:mod:`dashboard.server`).
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard import accounts
from dashboard.auth import Principal
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from dashboard.ui import cache

COOKIE_NAME = "dashboard_session"
_PRINCIPAL = "auth.principal"
_TOKEN = "auth.token"
_COOKIE_ACTION = "auth.cookie_action"
LANG_KEY = "lang"


def lang() -> str:
    """The session's language; a reload keeps it (the ``?lang=`` of the URL)."""
    if LANG_KEY not in st.session_state and st.query_params.get(LANG_KEY) in LANGUAGES:
        st.session_state[LANG_KEY] = st.query_params[LANG_KEY]
    value = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params: object) -> str:
    """Translate *key* into the session's language."""
    return translate(key, lang(), **params)


def principal() -> Principal | None:
    return st.session_state.get(_PRINCIPAL)


def restore() -> None:
    """Sign the tab back in from its session cookie, once per browser session."""
    if _PRINCIPAL in st.session_state or st.session_state.get("auth.restored"):
        return
    st.session_state["auth.restored"] = True
    token = st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None
    if not token:
        return
    ctx = cache.context()
    with ctx.sessions() as session:
        found = accounts.resume_session(
            session, token, ctx.settings.secret_key(), demo_mode=ctx.settings.demo_mode
        )
    if found is not None:
        st.session_state[_PRINCIPAL] = found
        st.session_state[_TOKEN] = token


def sign_in(username: str, password: str) -> str | None:
    """Try to sign in; return an error message key, or None on success."""
    ctx = cache.context()
    with ctx.sessions() as session:
        try:
            found = accounts.authenticate(
                session, username, password, demo_mode=ctx.settings.demo_mode
            )
            token = accounts.open_session(session, found, ctx.settings.secret_key())
        except accounts.SignInError as exc:
            return f"signin.error.{exc.reason}"
        finally:
            session.commit()  # the attempt is recorded either way
    st.session_state[_PRINCIPAL] = found
    st.session_state[_TOKEN] = token
    st.session_state[_COOKIE_ACTION] = ("POST", token)
    return None


def sign_out() -> None:
    ctx = cache.context()
    token = st.session_state.pop(_TOKEN, None)
    st.session_state.pop(_PRINCIPAL, None)
    if token:
        with ctx.transaction() as session:
            accounts.close_session(session, token, ctx.settings.secret_key())
    st.session_state[_COOKIE_ACTION] = ("DELETE", "")


def sync_cookie() -> None:
    """Send a pending cookie change to the browser (runs a tiny script once)."""
    action = st.session_state.pop(_COOKIE_ACTION, None)
    if action is None:
        return
    method, token = action
    options = json.dumps(
        {"method": method, "body": token, "credentials": "same-origin"}
    )
    script = f"<script>fetch('/auth/session', {options})</script>"
    st.html(script, unsafe_allow_javascript=True)
