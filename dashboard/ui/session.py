"""Per-browser-session state: language, the signed-in principal, cookies.

The principal lives in ``st.session_state`` for this tab and, across reloads,
in an HttpOnly cookie holding a signed session token (see
:mod:`dashboard.accounts` and the ``/auth/session`` route in
:mod:`dashboard.server`). The token never reaches page scripts: after a
sign-in the tab posts a one-time cookie ticket, which the server exchanges for
the cookie.

Every interaction re-checks the principal (:func:`restore`): a tab whose
account was disabled, changed or whose session was revoked, expired or left
idle is signed out with a notice, and any service refusing it with
``errors.signed_out`` mid-page signs it out too (:func:`drop_revoked`).
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard import accounts
from dashboard.auth import Principal, require_active
from dashboard.core.errors import Forbidden
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from dashboard.ui import cache

COOKIE_NAME = "dashboard_session"
_PRINCIPAL = "auth.principal"
_TOKEN = "auth.token"
_COOKIE_ACTION = "auth.cookie_action"
_NOTICE = "auth.notice"
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


def client_address() -> str:
    """The browser's address as the server sees it ("" when unknown)."""
    try:
        return str(st.context.ip_address or "")
    except Exception:  # outside a browser session (AppTest)
        return ""


def restore() -> None:
    """Re-check the tab's principal on every interaction; sign the tab back in
    from its session cookie once per browser session."""
    current = st.session_state.get(_PRINCIPAL)
    if current is not None:
        _recheck(current)
        _show_notice()
        return
    _show_notice()
    if st.session_state.get("auth.restored"):
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


def _recheck(current: Principal) -> None:
    try:
        require_active(current)
    except Forbidden:
        drop_revoked()
        return
    if current.session_id:
        with cache.context().transaction() as session:
            accounts.touch_session(session, current.session_id)


def drop_revoked() -> None:
    """Sign this tab out because the server no longer accepts its principal."""
    st.session_state.pop(_PRINCIPAL, None)
    st.session_state.pop(_TOKEN, None)
    st.session_state["auth.restored"] = True  # do not resume the dead cookie
    st.session_state[_COOKIE_ACTION] = ("DELETE", "")
    st.session_state[_NOTICE] = "auth.signed_out"


def _show_notice() -> None:
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.warning(t(notice), icon=":material/logout:")


def sign_in(username: str, password: str) -> str | None:
    """Try to sign in; return an error message key, or None on success."""
    ctx = cache.context()
    secret = ctx.settings.secret_key()
    client = client_address()
    with ctx.sessions() as session:
        try:
            found = accounts.authenticate(
                session,
                username,
                password,
                demo_mode=ctx.settings.demo_mode,
                client=client,
            )
            token = accounts.open_session(session, found, secret, client=client)
        except accounts.SignInError as exc:
            return f"signin.error.{exc.reason}"
        finally:
            session.commit()  # the attempt is recorded either way
    st.session_state[_PRINCIPAL] = accounts.with_session(found, token, secret)
    st.session_state[_TOKEN] = token
    st.session_state[_COOKIE_ACTION] = ("POST", accounts.cookie_ticket(token, secret))
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
    method, ticket = action
    options = json.dumps(
        {"method": method, "body": ticket, "credentials": "same-origin"}
    )
    script = f"<script>fetch('/auth/session', {options})</script>"
    st.html(script, unsafe_allow_javascript=True)
