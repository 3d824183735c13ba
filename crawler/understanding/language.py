"""Language of a paragraph and of a story, by script: English, Chinese (simplified or
traditional, told apart by hanzidentifier's character tables), Korean, or mixed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import hanzidentifier

EN = "en"
ZH_HANS = "zh-Hans"
ZH_HANT = "zh-Hant"
KO = "ko"
MIXED = "mixed"
UNKNOWN = "und"

# A story is bilingual when its second language has at least this share of its letters.
_MIXED_SHARE = 0.2


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            counts["han"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif ch.isascii() and ch.isalpha():
            counts["latin"] += 1
    return counts


def _weights(counts: Counter[str]) -> dict[str, float]:
    # A Han character or Hangul syllable carries about as much as a 3-letter English word.
    return {
        "latin": counts["latin"] / 3.0,
        "han": float(counts["han"]),
        "hangul": float(counts["hangul"]),
    }


def chinese_variant(text: str) -> str:
    """zh-Hant when the text uses traditional-only characters and no simplified-only ones."""
    verdict = hanzidentifier.identify(text)
    return ZH_HANT if verdict == hanzidentifier.TRADITIONAL else ZH_HANS


def detect(text: str) -> str:
    """Language of one paragraph: en, zh-Hans, zh-Hant, ko or und."""
    counts = _script_counts(text)
    weights = _weights(counts)
    if counts["kana"] > counts["han"] / 4 and counts["kana"] > 3:
        return UNKNOWN  # Japanese: not a language the sites publish
    if not any(weights.values()):
        return UNKNOWN
    top = max(weights, key=lambda k: weights[k])
    if top == "hangul":
        return KO
    if top == "han":
        return chinese_variant(text)
    return EN


def detect_story(paragraphs: Sequence[str]) -> tuple[str, list[str]]:
    """The story's language (``mixed`` for bilingual stories) and each paragraph's language."""
    per_paragraph = [detect(p) for p in paragraphs]
    share: Counter[str] = Counter()
    for text, lang in zip(paragraphs, per_paragraph, strict=True):
        if lang != UNKNOWN:
            share[lang] += sum(_weights(_script_counts(text)).values())
    if not share:
        return UNKNOWN, per_paragraph
    # Simplified and traditional paragraphs in one story are one language, Chinese.
    zh = share.pop(ZH_HANS, 0.0) + share.pop(ZH_HANT, 0.0)
    if zh:
        han_text = "".join(
            p for p, lang in zip(paragraphs, per_paragraph, strict=True) if lang.startswith("zh")
        )
        share[chinese_variant(han_text)] = zh
    total = sum(share.values())
    ranked = share.most_common()
    if len(ranked) > 1 and ranked[1][1] / total >= _MIXED_SHARE:
        return MIXED, per_paragraph
    return ranked[0][0], per_paragraph
