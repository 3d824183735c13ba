"""Decode a page's bytes without trusting a wrong ``charset`` blindly, and tell garbled text.

A site that labels its pages with the wrong charset (UTF-8 served as ISO-8859-1, GBK served as
UTF-8) would otherwise publish mojibake. ``decode_page`` starts from w3lib's ``html_to_unicode``
(HTTP header, then BOM, then ``<meta charset>``, then sniffing) and, when the header named the
charset, checks it against the alternatives: bytes that are valid UTF-8 with multi-byte sequences
are UTF-8 (text in another charset practically never is), and otherwise the page's own
declaration wins when it decodes with fewer replacement characters and mojibake.

How garbled a text is comes from ``storage.garbled``, which the store also uses to refuse
garbled versions.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    resolve_encoding,
)

from storage.garbled import garbled_share


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
