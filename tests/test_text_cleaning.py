"""The per-character text measures every parsed page and every story goes through, checked
against their plain definitions on random text (controls, separators, mojibake, CJK): the fast paths they take
must give the same answer as the definition, character for character."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.scraping.parsing import clean_text
from crawler.understanding.language import _script_counts
from storage.garbled import garbled_share

# Text that mixes what the fast paths must notice: controls (Cc, Cf), separators (Zs, Zl, Zp),
# replacement characters, Latin-1 mojibake bytes, CJK and plain words.
TRICKY = "\x00\x07\t\n\r\x1c\x85\xa0\u00ad\u200b\u2028\u2029\u3000\ufeff\ufffd\u00c3\u00a9\u00e5\u00b8\u201a市 aZ"
texts = st.text(alphabet=st.sampled_from(TRICKY), max_size=80) | st.text(max_size=80)


def clean_text_by_definition(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", text).strip()


def garbled_share_by_definition(text: str) -> float:
    letters = sum(1 for ch in text if not ch.isspace())
    if not letters:
        return 0.0
    mojibake = re.findall("[\u00c2-\u00f4][\u0080-\u00bf\u201a\u20ac]+", text)
    return (text.count("\ufffd") + sum(map(len, mojibake))) / letters


@settings(max_examples=400, derandomize=True, database=None)
@given(texts)
def test_clean_text_drops_exactly_the_control_characters(text: str) -> None:
    assert clean_text(text) == clean_text_by_definition(text)


def test_clean_text_keeps_separators_as_single_spaces() -> None:
    assert clean_text("a\u00a0\u3000b\x00c\u200bd\n\te") == "a bcd e"


@settings(max_examples=400, derandomize=True, database=None)
@given(
    st.text(
        alphabet=st.sampled_from(" \n\xa0\u3000\ufffd\u00c3\u00a9\u00e5\u00b8\u201a\u20ac市a"),
        max_size=60,
    )
)
def test_garbled_share_counts_bad_characters_over_non_spaces(text: str) -> None:
    assert abs(garbled_share(text) - garbled_share_by_definition(text)) < 1e-12


def script_counts_by_definition(text: str) -> dict[str, int]:
    ranges = {
        "hangul": [(0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F)],
        "han": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF)],
        "kana": [(0x3040, 0x30FF)],
    }
    counts: dict[str, int] = {}
    for ch in text:
        script = next(
            (s for s, spans in ranges.items() if any(lo <= ord(ch) <= hi for lo, hi in spans)),
            "latin" if ch.isascii() and ch.isalpha() else None,
        )
        if script:
            counts[script] = counts.get(script, 0) + 1
    return counts


# The first and last character of every script range, and their neighbours outside it.
EDGES = "".join(
    chr(c + d)
    for lo, hi in [(0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F), (0x4E00, 0x9FFF)]
    + [(0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x3040, 0x30FF), (0x41, 0x5A), (0x61, 0x7A)]
    for c, d in [(lo, -1), (lo, 0), (hi, 0), (hi, 1)]
)


@settings(max_examples=400, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(EDGES + "é1 "), max_size=40) | st.text(max_size=40))
def test_script_counts_count_each_script_by_its_ranges(text: str) -> None:
    assert dict(_script_counts(text)) == script_counts_by_definition(text)
