"""Decode a page's bytes without trusting a wrong ``charset`` blindly, and tell garbled text.

A site that labels its pages with the wrong charset (UTF-8 served as ISO-8859-1, GBK served as
UTF-8) would otherwise publish mojibake. ``decode_page`` starts from w3lib's ``html_to_unicode``
(HTTP header, then BOM, then ``<meta charset>``, then sniffing) and, when the header named the
charset, checks it against the alternatives: bytes that are valid UTF-8 with multi-byte sequences
are UTF-8 (text in another charset practically never is), and otherwise the page's own
declaration wins when it decodes with fewer replacement characters and mojibake.

``garbled_share`` is the share of a text that is replacement characters or UTF-8-read-as-Latin-1
sequences; the store refuses versions above ``GARBLED_LIMIT`` instead of publishing them.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    resolve_encoding,
)

# A lead byte of a 2-4 byte UTF-8 sequence read as Latin-1/cp1252 (Ã, â, æ, ç, ...) followed by
# continuation bytes read the same way: "å¸‚" for "市", "Ã©" for "é".
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE_RE = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]+")
GARBLED_LIMIT = 0.02


def garbled_share(text: str) -> float:
    """Share of ``text`` (ignoring spaces) that is U+FFFD or UTF-8 mojibake."""
    letters = sum(1 for ch in text if not ch.isspace())
    if not letters:
        return 0.0
    bad = text.count("\ufffd") + sum(len(m.group()) for m in _MOJIBAKE_RE.finditer(text))
    return bad / letters


def _codec(name: str | None) -> str | None:
    resolved = resolve_encoding(name) if name else None
    return codecs.lookup(resolved).name if resolved else None


def _strict_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not body.isascii()


def decode_page(content_type: str | None, body: bytes) -> tuple[str, str]:
    """(encoding, text) of an HTML page whose ``Content-Type`` header may name a wrong charset."""
    encoding, text = html_to_unicode(content_type, body)
    header = _codec(http_content_type_encoding(content_type or ""))
    if header is None or _codec(encoding) != header:
        return encoding, text  # a BOM beat the header, or there was no header charset
    candidates = []
    if header != "utf-8" and _strict_utf8(body):
        return "utf-8", body.decode("utf-8")
    declared = _codec(html_body_declared_encoding(body))
    if declared and declared != header:
        candidates.append(declared)
    best, best_text, best_score = encoding, text, garbled_share(text)
    for candidate in candidates:
        decoded = body.decode(candidate, "replace")
        score = garbled_share(decoded)
        if score < best_score:
            best, best_text, best_score = candidate, decoded, score
    return best, best_text
