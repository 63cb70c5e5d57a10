"""Safe Markdown: text from files, feeds or users shown through Streamlit.

The one rule: every user- or feed-supplied string (storm and event names,
feedback titles and text, feed errors, delegation and outreach texts, display
names, commune names from imported files …) reaches ``st.markdown``,
``st.caption``, ``st.info``/``warning``/``error``/``success``, a title, a
widget, tab or expander label only through :func:`escape`. A test walks the
views (``tests/security/test_text.py``) and fails on an f-string that
interpolates anything else.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!#$&()*+\-./:<=>@\[\\\]^_`{|}~])")
"""ASCII punctuation that can start or shape Markdown (CommonMark lets every
one be backslash-escaped); only ``, ; ' " % ?`` are left as they are."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def escape(text: object) -> str:
    """*text* shown as typed by Streamlit's Markdown.

    ASCII punctuation (all but ``, ; ' " % ?``) is backslash-escaped, which neutralises
    links ``[x](…)``, images ``![x](…)`` (remote beacons), HTML ``<img …>``,
    entities ``&#…;``, emphasis, headings, tables, ``$`` math, Streamlit's
    ``:red[…]`` / ``:material/…:`` directives, and the bare-URL autolinks of
    GitHub-flavoured Markdown (``http\\:\\/\\/…``, ``www\\.…``, ``a\\@b\\.c``
    are no longer links). Control characters are dropped; line breaks stay.
    """
    return _PUNCTUATION.sub(r"\\\1", _CONTROL.sub("", str(text)))
