"""Nothing typed is lost: drafts kept in the browser until the server confirms,
sent again by themselves once after a dropped connection, stored once.

:func:`keep` marks text widgets (by their ``key``) whose text the browser
copies into ``localStorage`` as it is typed, with a visible state under the
field: "Chưa gửi" while the text exists only on the phone, "Đã gửi" once
the server has stored it (:func:`sent`, called after a successful write,
removes the draft). When the field appears again empty — after a dropped
connection, a reload, a new session — the draft is put back in it.

:func:`form` names the form that sends those drafts (its send button).
A tap on that button marks the draft *pending* until the server answers:
stored (:func:`sent`) or refused (the button was pressed in the run but
nothing was stored: the drafts stay, no longer pending). When the
connection dropped meanwhile — the tap or its answer was lost — and the
page is connected again, the drafts go back into the form (a submit may
have emptied it) and the script taps the button once by itself, showing
"Đang gửi lại…". A form says when that is safe (``resend``): ``"always"``
when its drafts are all it holds; ``"reconnect"`` when it holds other
choices too (a select, a file), which only the same page keeps, and only
while the server keeps the session (``server.disconnectedSessionTTL``);
``"never"`` when a submit empties those choices (``clear_on_submit``).
Nothing is ever sent that the user did not try to send.

A resend never stores twice. Forms that *create* a row carry a hidden input
(:func:`key_input`) into which the script puts a random key per draft
(``crypto.randomUUID``, kept in ``localStorage`` next to the draft, renewed
once the server confirms); the service stores it with the row and returns
the stored row for a key it has seen (:mod:`dashboard.store.idempotency`).
Forms that *change* a row name the version they were typed against and
recognise a change already stored (see
:mod:`dashboard.ui.components.task_cards`). Without the script the key is
empty and the write works as before.

The script runs in the page (``st.html`` with JavaScript), reads and
writes only ``localStorage`` keys starting with ``draft``, and inserts text
with ``value``/``textContent``, never as HTML.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

import streamlit as st

from dashboard.store.idempotency import MAX_KEY
from dashboard.ui.session import t

_KEEP = "drafts.keep"
_SENT = "drafts.sent"
_FORMS = "drafts.forms"
_RUN = "drafts.run"
#: Widget keys of the hidden key inputs start with this (the CSS hides them).
KEY_PREFIX = "draftkey_"
_HIDE_KEYS = (
    f'<style>[class*="st-key-{KEY_PREFIX}"] {{ display: none !important; }}</style>'
)


Resend = Literal["always", "reconnect", "never"]


@dataclass(frozen=True)
class Form:
    """A form that sends drafts: its send button, the drafts it sends, the
    hidden input of its idempotency key ("" when it changes a row)."""

    group: str
    send: str
    names: tuple[str, ...]
    key: str = ""
    resend: Resend = "reconnect"


_SCRIPT = """
<script>
(function () {
  var cfg = %(config)s;
  var ls = window.localStorage;
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }
  var D = window.__drafts = window.__drafts || {page: newKey(), drops: 0, ready: {}, restored: {}};
  D.fields = cfg.fields; D.forms = cfg.forms; D.words = cfg.words;
  function box(key) { return document.querySelector(".st-key-" + CSS.escape(key)); }
  function input(key) {
    var b = box(key);
    return b && b.querySelector("textarea, input[type=text], input:not([type])");
  }
  function field(name) {
    for (var i = 0; i < D.fields.length; i++) {
      if (D.fields[i][1] === name) {
        var el = input(D.fields[i][0]);
        if (el) { return el; }
      }
    }
    return null;
  }
  function setValue(el, value) {
    var proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement : HTMLInputElement;
    Object.getOwnPropertyDescriptor(proto.prototype, "value").set.call(el, value);
    el.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function pending(group) {
    try {
      var p = JSON.parse(ls.getItem("draft-pending:" + group) || "null");
      return p && p.names && p.resent ? p : null;
    } catch (e) { return null; }
  }
  function formOf(name) {
    for (var i = 0; i < D.forms.length; i++) {
      if (D.forms[i].names.indexOf(name) >= 0) { return D.forms[i]; }
    }
    return null;
  }
  function state(name) {
    if (ls.getItem("draft:" + name)) {
      var f = formOf(name), p = f && pending(f.group);
      return p && p.resent.length ? "resending" : "unsent";
    }
    return ls.getItem("draft-sent:" + name) ? "sent" : "";
  }
  function refresh() {
    D.fields.forEach(function (pair) {
      var b = box(pair[0]), badge = b && b.querySelector(".draft-state");
      if (!badge) { return; }
      var s = state(pair[1]);
      if (badge.dataset.state === s) { return; }
      badge.dataset.state = s;
      badge.textContent = s ? D.words[s] : "";
      badge.style.color = s === "sent" ? "#166534" : "#9a3412";
    });
  }
  // Put a draft back into an empty field; React may redraw the field empty
  // right after it appears, so try again a few times while it stays empty.
  function restoreSoon(el, name) {
    [0, 250, 750, 1500].forEach(function (ms) {
      setTimeout(function () {
        var saved = ls.getItem("draft:" + name);
        if (saved && !el.value && el.isConnected) { setValue(el, saved); refresh(); }
      }, ms);
    });
  }
  cfg.sent.forEach(function (k) {
    ls.removeItem("draft:" + k);
    ls.setItem("draft-sent:" + k, "1");
    ls.removeItem("draft-key:" + k);
    ls.removeItem("draft-pending:" + k);
  });
  // A form whose drafts were stored is no longer pending; its key is spent.
  Object.keys(ls).forEach(function (item) {
    if (item.indexOf("draft-pending:") !== 0) { return; }
    var group = item.slice("draft-pending:".length), p = pending(group);
    var stored = p && p.names.some(function (n) { return cfg.sent.indexOf(n) >= 0; });
    if (stored) { ls.removeItem(item); ls.removeItem("draft-key:" + group); }
  });
  cfg.answered.forEach(function (group) {
    ls.removeItem("draft-pending:" + group);
    D.forms.forEach(function (f) {
      if (f.group !== group) { return; }
      f.names.forEach(function (n) { var el = field(n); if (el) { restoreSoon(el, n); } });
    });
  });
  function attach() {
    D.fields.forEach(function (pair) {
      var b = box(pair[0]), el = input(pair[0]), name = pair[1];
      if (!el || el.dataset.draft === "1") { return; }
      el.dataset.draft = "1";
      var badge = document.createElement("div");
      badge.className = "draft-state";
      badge.setAttribute("role", "status");
      badge.style.fontSize = "0.9rem";
      b.appendChild(badge);
      restoreSoon(el, name);
      el.addEventListener("input", function () {
        if (el.value) {
          ls.setItem("draft:" + name, el.value);
          ls.removeItem("draft-sent:" + name);
        }
        refresh();
      });
    });
    refresh();
  }
  // A tap on a send button (by the user, not by this script) while the
  // form holds a draft: pending until the server answers.
  function tapped(isSend) {
    D.forms.forEach(function (f) {
      var b = box(f.send);
      var hasDraft = f.names.some(function (n) { return ls.getItem("draft:" + n); });
      if (b && isSend(b) && hasDraft) {
        ls.setItem("draft-pending:" + f.group,
          JSON.stringify({
          page: D.page, drops: D.drops, at: Date.now(), names: f.names, resent: []
        }));
      }
    });
  }
  function link() {
    var app = document.querySelector("[data-testid=stApp]");
    return app ? [app.dataset.testConnectionState, app.dataset.testScriptState] : [];
  }
  function watchLink() {
    var now = link()[0];
    if (D.link === "CONNECTED" && now && now !== "CONNECTED") { D.drops += 1; }
    D.link = now;
  }
  function fillKeys() {
    D.forms.forEach(function (f) {
      var el = f.key && input(f.key);
      if (!el) { return; }
      var key = ls.getItem("draft-key:" + f.group);
      if (!key) { key = newKey(); ls.setItem("draft-key:" + f.group, key); }
      if (el.value !== key) { setValue(el, key); D.ready[f.send] = 0; }
    });
  }
  // Back after a drop (or in a new page) with the user's tap unanswered.
  function back(f) {
    var p = pending(f.group), now = link();
    if (!p || (p.page === D.page && D.drops <= p.drops)) { return null; }
    if ((now[0] && now[0] !== "CONNECTED") || now[1] === "running") { return null; }
    return p;
  }
  function mayResend(f, p) {
    if (f.resend === "always") { return true; }
    return f.resend === "reconnect" && p.page === D.page && Date.now() - p.at < cfg.ttl;
  }
  function ready(f) {
    var any = false, all = true;
    f.names.forEach(function (n) {
      var saved = ls.getItem("draft:" + n), el = field(n);
      if (!saved) { return; }
      any = true;
      all = all && !!el && el.value === saved;
    });
    var key = f.key && input(f.key);
    if (f.key && (!key || key.value !== ls.getItem("draft-key:" + f.group))) {
      all = false;
    }
    return any && all;
  }
  // Put the drafts back (the submit may have emptied the form), once per
  // drop; then tap once more, when the drafts and the key have been in the
  // form for two ticks.
  function resendIfBack(f) {
    var p = back(f);
    if (!p) { return; }
    var mark = D.page + ":" + D.drops;
    if (D.restored[f.group] !== mark) {
      D.restored[f.group] = mark;
      f.names.forEach(function (n) { var el = field(n); if (el) { restoreSoon(el, n); } });
    }
    if (!mayResend(f, p) || p.resent.indexOf(f.send) >= 0) { return; }
    var button = box(f.send);
    button = button && button.querySelector("button");
    if (!button || button.disabled) { return; }
    D.ready[f.send] = ready(f) ? (D.ready[f.send] || 0) + 1 : 0;
    if (D.ready[f.send] < 2) { return; }
    p.resent.push(f.send);
    ls.setItem("draft-pending:" + f.group, JSON.stringify(p));
    refresh();
    button.click();
  }
  D.attach = attach;
  D.tick = function () {
    watchLink();
    fillKeys();
    D.forms.forEach(resendIfBack);
    refresh();
  };
  attach();
  D.tick();
  if (!D.installed) {
    D.installed = true;
    new MutationObserver(function () { D.attach(); })
      .observe(document.body, {childList: true, subtree: true});
    setInterval(function () { D.tick(); }, 500);
    var app = document.querySelector("[data-testid=stApp]");
    if (app) {
      new MutationObserver(watchLink).observe(
        app, {attributes: true, attributeFilter: ["data-test-connection-state"]});
    }
    document.addEventListener("click", function (ev) {
      if (!ev.isTrusted) { return; }
      tapped(function (b) { return b.contains(ev.target); });
    }, true);
    // Enter in a one-line field sends its form too.
    document.addEventListener("keydown", function (ev) {
      var form = ev.target.closest && ev.target.closest("[data-testid=stForm]");
      if (!ev.isTrusted || ev.key !== "Enter" || ev.target.tagName !== "INPUT" || !form) {
        return;
      }
      tapped(function (b) { return form.contains(b); });
    }, true);
  }
})();
</script>
"""


def keep(*keys: str, name: str | None = None) -> None:
    """Keep drafts of the text widgets with these keys (call on every run
    that draws them). The draft is stored under the widget key, or *name*
    when the key changes from one form to the next (one widget only)."""
    fields = st.session_state.setdefault(_KEEP, {})
    for key in keys:
        fields[key] = name or key


def form(
    group: str,
    *,
    send: str,
    names: tuple[str, ...],
    key_input: str = "",
    resend: Resend = "reconnect",
) -> None:
    """The button with widget key *send* sends the drafts *names* (call on
    every run that draws the form). *group* names them together (the form's
    idempotency key is kept under it); *key_input* is the widget key of its
    :func:`key_input`; *resend* says when a tap lost with the connection is
    repeated by itself (see the module docstring)."""
    forms = st.session_state.setdefault(_FORMS, {})
    forms[group] = Form(group, send, tuple(names), key_input, resend)


def key_input(key: str) -> str | None:
    """Draw, inside the form, the hidden input into which the page script
    puts the draft's idempotency key; return the key the form was sent with
    (``None`` without the script). *key* must start with :data:`KEY_PREFIX`
    and change with each new form (a key is never reused for a new draft)."""
    if not key.startswith(KEY_PREFIX):
        raise ValueError(f"the widget key {key!r} must start with {KEY_PREFIX!r}")
    st.html(_HIDE_KEYS)
    value = st.text_input(
        t("field.draft.key"), key=key, max_chars=MAX_KEY, label_visibility="collapsed"
    )
    return (value or "").strip() or None


def sent(*names: str) -> None:
    """The server stored these drafts (draft names, and the group of a
    :func:`resend` form): drop them, renew the form's key."""
    st.session_state.setdefault(_SENT, set()).update(names)


def script(
    fields: dict[str, str],
    sent_names: list[str],
    forms: list[Form] | tuple[Form, ...] = (),
    answered: list[str] | tuple[str, ...] = (),
    run: int = 0,
    ttl_ms: int = 0,
) -> str:
    """The page script: *fields* maps widget key → draft name; *answered*
    lists the forms whose send button was pressed in this run; *run* makes
    each run's script new, so the browser runs it again; *ttl_ms*: how long
    after a tap a ``"reconnect"`` form may still be resent."""
    words = {
        "unsent": t("field.draft.unsent"),
        "sent": t("field.draft.sent"),
        "resending": t("field.draft.resending"),
    }
    config = {
        "fields": sorted(fields.items()),
        "forms": [asdict(f) for f in sorted(forms, key=lambda f: f.group)],
        "sent": sorted(sent_names),
        "answered": sorted(answered),
        "words": words,
        "ttl": ttl_ms,
        "run": run,
    }
    safe = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return _SCRIPT % {"config": safe}


def render() -> None:
    """Emit the script for this run's fields (the entrypoint calls it after
    the page has run)."""
    state = st.session_state
    fields = state.pop(_KEEP, {})
    forms: dict[str, Form] = state.pop(_FORMS, {})
    sent_names = state.pop(_SENT, set())
    if not (fields or forms or sent_names):
        return
    answered = [g for g, f in forms.items() if state.get(f.send) is True]
    state[_RUN] = state.get(_RUN, 0) + 1
    script_text = script(
        fields,
        list(sent_names),
        list(forms.values()),
        answered,
        run=state[_RUN],
        ttl_ms=_session_ttl_ms(),
    )
    st.html(script_text, unsafe_allow_javascript=True)


def _session_ttl_ms() -> int:
    """How long the server keeps a disconnected session, less a margin."""
    seconds = int(st.get_option("server.disconnectedSessionTTL") or 0)
    return max(0, seconds - 10) * 1000
