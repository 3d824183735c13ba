"""How garbled a decoded text is: the share of it that is replacement characters or
UTF-8-read-as-Latin-1 sequences (mojibake). The store refuses story versions above
``GARBLED_LIMIT`` instead of publishing them; the crawler uses the same measure to choose between
a page's candidate charsets.
"""

from __future__ import annotations

import re

# A lead byte of a 2-4 byte UTF-8 sequence read as Latin-1/cp1252 (Ã, â, æ, ç, ...) followed by
# continuation bytes read the same way: "å¸‚" for "市", "Ã©" for "é".
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE_RE = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]+")
_SPACE_RE = re.compile(r"\s")  # the same characters as str.isspace
GARBLED_LIMIT = 0.02


def garbled_share(text: str) -> float:
    """Share of ``text`` (ignoring spaces) that is U+FFFD or UTF-8 mojibake."""
    bad = text.count("\ufffd") + sum(len(m.group()) for m in _MOJIBAKE_RE.finditer(text))
    if not bad:  # the usual case, and no need to count the letters
        return 0.0
    return bad / (len(text) - len(_SPACE_RE.findall(text)))
