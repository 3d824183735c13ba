"""Scoring on the real-news corpus: its labels name places in English with a country, the
extractor gives gazetteer ids (or ``id: null`` and a surface name); a side matches by name: the
same key, one of the gazetteer place's names, or for an unresolved place a romanized surface
form close to the label's name ("Miyajaki" for Miyazaki)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from crawler.understanding.gazetteer import gazetteer, latin_key

# Level words a romanized or English name may end with ("Buan-gun", "Suseong-gu", "Fuyang Qu").
_LEVEL_TAIL = re.compile(
    r"(?:[\s-]+(?:city|county|district|province|prefecture|state|region|metropolitan|special|"
    r"self-governing|si|gun|gu|do|shi|xian|qu|sheng|zhou|ken|hyeon|town|township|village))+$",
    re.I,
)


# How close a romanized surface name must be to the label's English name (difflib ratio).
UNRESOLVED_SIMILARITY = 0.75


def _key(name: str | None) -> str:
    if not name:
        return ""
    name = re.sub(r"\s*\(.*\)$", "", name.strip())  # "Boeun (보은군)": the romanized part
    return latin_key(_LEVEL_TAIL.sub("", name)).replace(" ", "")


def side_matches(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    if gold.get("country") and found.get("country") and gold["country"] != found["country"]:
        return False
    names = {_key(found.get("name")), _key(found.get("local_name"))} - {""}
    if _key(gold.get("name")) in names:
        return True
    if found.get("id"):
        # The label's English exonym may be one of the place's other names ("Inchon").
        return any(p.id == found["id"] for p in gazetteer().lookup(gold.get("name") or ""))
    # An unresolved place shows its surface form, romanized: "Miyajaki" is Miyazaki's.
    ratio = SequenceMatcher(None, _key(gold.get("name")), _key(found.get("name"))).ratio()
    return ratio >= UNRESOLVED_SIMILARITY


def pair_matches(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    a, b = gold["a"], gold["b"]
    x, y = found["a"], found["b"]
    return (side_matches(a, x) and side_matches(b, y)) or (
        side_matches(a, y) and side_matches(b, x)
    )


def match_pairs(
    gold: list[dict[str, Any]], found: list[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Greedy one-to-one: (matched gold/found), unmatched found, unmatched gold."""
    left = list(gold)
    matched, extra = [], []
    for pair in found:
        hit = next((g for g in left if pair_matches(g, pair)), None)
        if hit is None:
            extra.append(pair)
        else:
            left.remove(hit)
            matched.append((hit, pair))
    return matched, extra, left


@dataclass
class EventCounts:
    labelled: int = 0
    found: int = 0  # labelled pairs of this event that were found
    correct: int = 0  # ... with this event
    confusions: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def describe(pair: dict[str, Any]) -> str:
    def side(p: dict[str, Any]) -> str:
        ident = p.get("id", "?") if "id" in p else p.get("admin")
        return f"{p.get('name')}/{p.get('country')}[{ident}]"

    return f"{side(pair['a'])} ~ {side(pair['b'])} {pair.get('relation')}/{pair.get('event')}"
