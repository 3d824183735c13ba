"""Language of a paragraph and of a story, by script: English, Chinese (simplified or
traditional, told apart by hanzidentifier's character tables), Korean, or mixed."""

from __future__ import annotations

import re
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


# Script ranges; counted with regular expressions, which run in C (a per-character loop in
# Python was a visible share of every story's cost).
_SCRIPTS = {
    "hangul": re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"),
    "han": re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]"),
    "kana": re.compile("[\u3040-\u30ff]"),
    "latin": re.compile("[A-Za-z]"),
}


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for script, pattern in _SCRIPTS.items():
        found = len(text) - len(pattern.sub("", text))
        if found:
            counts[script] = found
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
    return _detect(text, _script_counts(text))


def _detect(text: str, counts: Counter[str]) -> str:
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
    counts = [_script_counts(p) for p in paragraphs]
    per_paragraph = [_detect(p, c) for p, c in zip(paragraphs, counts, strict=True)]
    share: Counter[str] = Counter()
    for count, lang in zip(counts, per_paragraph, strict=True):
        if lang != UNKNOWN:
            share[lang] += sum(_weights(count).values())
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
