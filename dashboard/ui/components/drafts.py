"""Nothing typed is lost: drafts kept in the browser until the server confirms.

:func:`keep` marks text widgets (by their ``key``) whose text the browser
copies into ``localStorage`` as it is typed, with a visible state under the
field: "Chưa gửi" while the text exists only on the phone, "Đã gửi" once
the server has stored it (:func:`sent`, called after a successful write,
removes the draft). When the field appears again empty — after a dropped
connection, a reload, a new session — the draft is put back in it, so the
next tap on "Lưu" sends it. A write is idempotent: it names the version it
was typed against, and the same change sent twice is recognised as already
stored (see :mod:`dashboard.ui.components.task_cards`), never duplicated.

The script runs in the page (``st.html`` with JavaScript), reads and
writes only ``localStorage`` keys starting with ``draft:``, and inserts text
with ``textContent``.
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard.ui.session import t

_KEEP = "drafts.keep"
_SENT = "drafts.sent"

_SCRIPT = """
<script>
(function () {
  var fields = %(fields)s, sent = %(sent)s, words = %(words)s;
  sent.forEach(function (k) {
    localStorage.removeItem("draft:" + k);
    localStorage.setItem("draft-sent:" + k, "1");
  });
  function setValue(el, value) {
    var proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement : HTMLInputElement;
    Object.getOwnPropertyDescriptor(proto.prototype, "value").set.call(el, value);
    el.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function attach() {
    fields.forEach(function (pair) {
      var box = document.querySelector(".st-key-" + pair[0]), k = pair[1];
      if (!box) { return; }
      var el = box.querySelector("textarea, input[type=text], input:not([type])");
      if (!el || el.dataset.draft === "1") { return; }
      el.dataset.draft = "1";
      var badge = document.createElement("div");
      badge.className = "draft-state";
      badge.setAttribute("role", "status");
      badge.style.fontSize = "0.9rem";
      box.appendChild(badge);
      function show() {
        var unsent = localStorage.getItem("draft:" + k);
        var done = localStorage.getItem("draft-sent:" + k);
        badge.dataset.state = unsent ? "unsent" : (done ? "sent" : "");
        badge.textContent = unsent ? words.unsent : (done ? words.sent : "");
        badge.style.color = unsent ? "#9a3412" : "#166534";
      }
      // Put the draft back; React may redraw the field empty right after
      // it appears, so try again a few times while it stays empty.
      [0, 250, 750, 1500].forEach(function (ms) {
        setTimeout(function () {
          var saved = localStorage.getItem("draft:" + k);
          if (saved && !el.value && el.isConnected) { setValue(el, saved); show(); }
        }, ms);
      });
      el.addEventListener("input", function () {
        if (el.value) {
          localStorage.setItem("draft:" + k, el.value);
          localStorage.removeItem("draft-sent:" + k);
        }
        show();
      });
      show();
    });
  }
  attach();
  if (!window.__draftObserver) {
    window.__draftObserver = new MutationObserver(function () {
      (window.__draftAttach || attach)();
    });
    window.__draftObserver.observe(document.body, {childList: true, subtree: true});
  }
  window.__draftAttach = attach;
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


def sent(*names: str) -> None:
    """The server stored these fields (draft names): drop their drafts."""
    st.session_state.setdefault(_SENT, set()).update(names)


def script(fields: dict[str, str], sent_names: list[str]) -> str:
    """The page script: *fields* maps widget key → draft name."""
    words = {"unsent": t("field.draft.unsent"), "sent": t("field.draft.sent")}

    def safe(value: object) -> str:
        return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")

    return _SCRIPT % {
        "fields": safe(sorted(fields.items())),
        "sent": safe(sorted(sent_names)),
        "words": safe(words),
    }


def render() -> None:
    """Emit the script for this run's fields (the entrypoint calls it after
    the page has run)."""
    fields = st.session_state.pop(_KEEP, {})
    sent_names = st.session_state.pop(_SENT, set())
    if fields or sent_names:
        st.html(script(fields, list(sent_names)), unsafe_allow_javascript=True)
