"""Pairs: which places a relation sentence links, and the place a story is about."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from crawler.understanding.gazetteer import LEVEL_PROVINCE, Place
from crawler.understanding.places import is_unresolved
from crawler.understanding.sentences import Sentence


# --- the story -----------------------------------------------------------------------------
@dataclass
class Pair:
    a: Place
    b: Place
    relations: Counter[str] = field(default_factory=Counter)
    sentences: list[Sentence] = field(default_factory=list)
    explicit: int = 0  # sentences that name both places

    @property
    def key(self) -> tuple[str, str]:
        return pair_key(self.a, self.b)


def pair_key(a: Place, b: Place) -> tuple[str, str]:
    return (a.id, b.id) if a.id <= b.id else (b.id, a.id)


def pairs_in(
    sentence: Sentence, subject: str | None = None, ranked: list[Place] | None = None
) -> list[tuple[Place, Place]]:
    """Pairs a relation sentence states: its two places, or for a list, the story's subject (else
    the first place) with each place of another country; never the listed partners together."""
    places = sentence.places
    if len(places) < 2:
        return []
    if len(places) == 2:
        a, b = places
        home = next((p for p in ranked or [] if p.country not in {a.country, b.country}), None)
        if home is not None and all(
            _PARTNER_MARK.match(sentence.text[sentence.place_positions.get(p.id, 0) :])
            for p in places
        ):
            # "사마르칸트와 … 알마티와 협정을 체결한 데 이어": both are partners of the one who
            # speaks, the story's most named place of a third country.
            return [(home, a), (home, b)]
        return [(a, b)]
    left, right = places[0::2], places[1::2]
    if len(places) % 2 == 0 and len({p.country for p in left}) == 1:
        if all(b.country != left[0].country for b in right):
            return list(zip(left, right, strict=True))  # "A and B, C and D signed …"
    owner = _owner(sentence)
    anchor = owner or next((p for p in places if p.id == subject), places[0])
    places = [anchor, *(p for p in places if p is not anchor)]
    others = [p for p in places[1:] if p.country != anchor.country]
    return [(anchor, p) for p in others] if others else [(anchor, places[1])]


# "Phoenix has three other sister cities: …", "Phoenix's sister cities are …": the place that
# has the listed ones, when one place in the sentence is written so ("In addition to Suwon,
# Phoenix has …"); else the same with its region between ("Phoenix, Arizona has …").
_NAME = r"^[\w.-]+(?:['’](?!s\b)[\w.-]+)?(?:\s+[A-Z][\w.-]*)*"
_HAS = r"\s*(?:has|have|had|['’]s)\b"
_OWNERS = (
    re.compile(_NAME + _HAS),
    re.compile(_NAME + r",\s+[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?,?" + _HAS),
)


# A place followed by the Korean "with" (…시와, …과의): a partner of someone else.
_PARTNER_MARK = re.compile(r"^[가-힣]{1,8}?(?:시|군|구|주|현|도)?(?:와|과)(?:의)?(?![가-힣])")


def _owner(sentence: Sentence) -> Place | None:
    for pattern in _OWNERS:
        owners = [
            p
            for p in sentence.places
            if pattern.match(sentence.text[sentence.place_positions.get(p.id, 0) :])
        ]
        if owners:
            return owners[0] if len(owners) == 1 else None
    return None


def story_places(sentences: list[Sentence]) -> list[Place]:
    """The story's places, the most named first (the title counting double)."""
    counts: Counter[str] = Counter()
    by_id: dict[str, Place] = {}
    for s in sentences:
        for p in s.places:
            by_id[p.id] = p
            counts[p.id] += 2 if s.is_title else 1
    return [by_id[pid] for pid, _ in counts.most_common()]


def story_subject(sentences: list[Sentence]) -> str | None:
    """The place the story is about: named most, the title counting double."""
    counts: Counter[str] = Counter()
    for s in sentences:
        for pid in s.place_positions:
            counts[pid] += 2 if s.is_title else 1
    return counts.most_common(1)[0][0] if counts else None


def merge_unresolved(sentences: list[Sentence]) -> None:
    """One unresolved place per surface name in a story: the form whose country is stated."""
    best: dict[str, Place] = {}
    for s in sentences:
        for p in s.places:
            if is_unresolved(p) and (p.local_name not in best or p.country):
                best[p.local_name] = (
                    best.get(p.local_name) if not p.country and p.local_name in best else p
                )
    for s in sentences:
        for i, p in enumerate(s.places):
            if is_unresolved(p) and best[p.local_name] is not p:
                s.place_positions[best[p.local_name].id] = s.place_positions.pop(p.id, 0)
                s.places[i] = best[p.local_name]


def nested(a: Place, b: Place) -> bool:
    """One place inside the other (Qingdao and its Huangdao district): never a partnership."""
    return (
        contains(a, b)
        or contains(b, a)
        or (a.parent is not None and a.parent == b.parent and a.level != b.level)
    )


def contains(outer: Place, inner: Place) -> bool:
    if outer.id == inner.id:
        return False
    if inner.parent == outer.id:
        return True
    return (
        outer.level == LEVEL_PROVINCE and inner.admin1 is not None and inner.admin1 == outer.admin1
    )


def nearest_relation(sentence: Sentence, place: Place) -> str:
    pos = sentence.place_positions.get(place.id, 0)
    return min(sentence.relations, key=lambda rel: abs(rel[1] - pos))[0]


def story_pair(sentences: list[Sentence]) -> Pair | None:
    """The pair a story is about when no sentence names both with a relation term, but one says
    "the two capitals became sister cities": the two places of different countries in the title,
    else the most named place of each of the two most named countries (each named twice)."""
    if not any(s.relations and (s.refers_to_pair or len(s.places) == 1) for s in sentences):
        return None
    title = next((s for s in sentences if s.is_title), None)
    if title is not None:
        for i, a in enumerate(title.places):
            for b in title.places[i + 1 :]:
                if a.country != b.country and not nested(a, b):
                    return Pair(*sorted((a, b), key=lambda p: p.id))
    counts: Counter[str] = Counter(pid for s in sentences for pid in s.place_positions)
    by_id = {p.id: p for s in sentences for p in s.places}
    best: dict[str, str] = {}
    for pid, n in counts.most_common():
        if n >= 2:
            best.setdefault(by_id[pid].country, pid)
    if len(best) < 2:
        return None
    a, b = (by_id[pid] for pid in list(best.values())[:2])
    return Pair(*sorted((a, b), key=lambda p: p.id))
