"""Classifier and extractor: which city pairs a story reports, how they are related, what happened.

The steps, each a general rule rather than a list of known stories:

1. Split the title and body into sentences; find place names (gazetteer) and drop the ones that
   are part of an organisation's name ("Qingdao University") or only qualify another place
   ("Goyang, Gyeonggi province"; "경기도 광주시").
2. Resolve homonyms once per story from context: provinces, countries and cities named elsewhere
   in the story, the level a suffix states ("Metropolitan City", "District", "광역시").
3. A sentence with a relation term (sister city, 友好城市, 자매결연 …; blockers such as
   "child-friendly city" cancel it) and two places makes a pair; a relation sentence that names one
   or no place but says "the two cities" / "双方" / "양 도시" refers to the story's main pair.
4. Each pair takes the strongest event stated in a sentence about it (terminated > suspended >
   upgraded > renewed > established > anniversary > exchange > mentioned); a founding dated in an
   earlier year is background: it gives ``since_year``, not the event.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from crawler.items import Story
from crawler.understanding.gazetteer import (
    LEVEL_DISTRICT,
    LEVEL_PROVINCE,
    Mention,
    Place,
    gazetteer,
    prior,
)
from crawler.understanding.rules import Rules, rules

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9가-힣])|(?<=[。！？；])|(?<=다\.)\s*")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|St|No|Gov|Rep|Sen|Prof|Lt|Gen|Co|Corp|Inc|vs)\.|\b[A-Z]\.)$"
)
_QUALIFIER_GAP = re.compile(r"^(?:\s*,\s*|\s+in\s+|\s+of\s+|\s*'s\s+|\s*’s\s+|\s+|)$", re.I)
_EVENT_ORDER = ["terminated", "suspended", "upgraded", "renewed", "established", "anniversary", "exchange"]


@dataclass
class Sentence:
    text: str
    index: int
    is_title: bool
    mentions: list[Mention] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)  # partner candidates, in order, unique
    place_positions: dict[str, int] = field(default_factory=dict)
    relations: list[tuple[str, int]] = field(default_factory=list)  # (relation, position)
    refers_to_pair: bool = False


def split_sentences(paragraph: str) -> list[str]:
    pieces = [p.strip() for p in _SENTENCE_END.split(paragraph) if p and p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and _ABBREVIATIONS.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


# --- places --------------------------------------------------------------------------------
def _is_organisation(text: str, mention: Mention, r: Rules) -> bool:
    after = text[mention.end :]
    if mention.text[-1].isascii():
        run = re.match(r"(?:[\s\-]+(?:[A-Z][\w'’&.]*|of|and|for))*", after)
        tail = run.group() if run else ""
        return any(r.org_latin.match(" " + w) for w in re.findall(r"[A-Z][\w'’&]*", tail)) or bool(
            r.org_latin.match(after)
        )
    window = re.split(r"[\s,，。、;；:：()（）\"“”'‘’]", after, maxsplit=1)[0][:8]
    if 0xAC00 <= ord(mention.text[-1]) <= 0xD7A3:
        return bool(r.org_hangul.match(window)) or bool(re.search(r"(?:학교|대학교|병원|은행|회사|기업|협회|재단)$", window))
    return bool(r.org_han.match(window)) or bool(re.search(r"(?:中学|小学|大学|学院|医院|公司|集团|银行|学校)", window))


@dataclass
class _Context:
    provinces: set[str]
    countries: set[str]
    cities: set[str]


def _context(mentions: list[Mention]) -> _Context:
    provinces: set[str] = set()
    countries: set[str] = set()
    cities: set[str] = set()
    for m in mentions:
        if m.country:
            countries.add(m.country)
        elif len(m.candidates) == 1 or len({c.id for c in m.candidates}) == 1:
            place = m.candidates[0]
            (provinces if place.level == LEVEL_PROVINCE else cities).add(place.id)
        else:
            for c in m.candidates:
                if c.level == LEVEL_PROVINCE:
                    provinces.add(c.id)
                elif not c.needs_parent:
                    cities.add(c.id)
    return _Context(provinces, countries, cities)


def _resolve(mention: Mention, ctx: _Context, neighbours: list[Mention]) -> Place | None:
    best: tuple[float, Place] | None = None
    neighbour_places = [c for n in neighbours for c in n.candidates]
    near_ids = {c.id for c in neighbour_places}
    for cand in mention.candidates:
        score = prior(cand)
        province = f"iso3166-2:{cand.admin1}" if cand.admin1 else None
        if cand.level != LEVEL_PROVINCE and province in ctx.provinces:
            score += 2.0 + (3.0 if province in near_ids else 0.0)
        if cand.country in ctx.countries:
            score += 1.5
        if any(n.parent == cand.id for n in neighbour_places):
            score += 4.0
        if cand.parent and cand.parent in ctx.cities:
            score += 4.0 + (2.0 if cand.parent in near_ids else 0.0)
        elif cand.needs_parent:
            continue
        hint = mention.hint
        if hint == "metro" and cand.metro:
            score += 3.0
        elif hint == "district" and cand.level == LEVEL_DISTRICT:
            score += 3.0
        elif hint == "province" and cand.level == LEVEL_PROVINCE:
            score += 3.0
        elif hint == "county" and cand.level == "county":
            score += 3.0
        elif hint in {"district", "county"} and cand.level == LEVEL_PROVINCE:
            score -= 3.0
        if best is None or score > best[0]:
            best = (score, cand)
    return best[1] if best else None


def _contains(outer: Place, inner: Place) -> bool:
    if outer.id == inner.id:
        return False
    if inner.parent == outer.id:
        return True
    return outer.level == LEVEL_PROVINCE and inner.admin1 is not None and inner.admin1 == outer.admin1


def _mark_places(sentence: Sentence, resolved: dict[int, Place]) -> None:
    """Keep partner candidates: drop qualifiers ("X, Shandong Province", "Jinan's Licheng")."""
    items = [(m, resolved[id(m)]) for m in sentence.mentions if id(m) in resolved]
    qualifiers: set[int] = set()
    for (m1, p1), (m2, p2) in zip(items, items[1:], strict=False):
        gap = sentence.text[m1.end : m2.start]
        if not _QUALIFIER_GAP.match(gap):
            continue
        if _contains(p2, p1):
            qualifiers.add(id(m2))
        elif _contains(p1, p2):
            qualifiers.add(id(m1))
    for m, p in items:
        if id(m) in qualifiers or p.id in sentence.place_positions:
            continue
        sentence.places.append(p)
        sentence.place_positions[p.id] = m.start


# --- relations -----------------------------------------------------------------------------
def _relations(text: str, r: Rules) -> list[tuple[str, int]]:
    blocked = [(b.start(), b.end()) for pat in r.blockers for b in pat.finditer(text)]
    found: list[tuple[str, int]] = []
    taken: list[tuple[int, int]] = []
    for label, patterns in r.relations:
        for pat in patterns:
            for m in pat.finditer(text):
                if any(s - 40 <= m.start() and m.end() <= e + 40 for s, e in blocked):
                    continue
                if any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((label, m.start()))
    return sorted(found, key=lambda x: x[1])


# --- dates ---------------------------------------------------------------------------------
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"), "ymd"),
    (re.compile(r"(?<![\d年년])(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"), "md"),
    (re.compile(r"(?<![\d月월年년])(\d{1,2})\s*[日일](?![\w本])"), "d"),
    (re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b", re.I), "Md"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+(\d{4}))?\b", re.I), "dM"),
    (re.compile(r"\b(?:on|since|from|until|by)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:anniversar|year|centur))", re.I), "d"),
]


def _dates(text: str, story_date: date | None) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    spans: list[tuple[int, int]] = []
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            try:
                day = _resolve_date(kind, m.groups(), story_date)
            except ValueError:
                day = None
            if day is not None:
                spans.append((m.start(), m.end()))
                found.append((m.start(), day))
    return found


def _resolve_date(kind: str, groups: tuple[Any, ...], ref: date | None) -> date | None:
    if kind == "ymd":
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    if ref is None:
        return None
    if kind == "d":
        day = int(groups[0])
        candidate = date(ref.year, ref.month, day) if day <= _month_len(ref.year, ref.month) else None
        if candidate is None or candidate > ref:
            prev = ref.replace(day=1) - timedelta(days=1)
            candidate = date(prev.year, prev.month, min(day, _month_len(prev.year, prev.month)))
        return candidate
    if kind == "md":
        month, day = int(groups[0]), int(groups[1])
        year = None
    elif kind == "Md":
        month, day = _MONTHS[groups[0][:3].casefold()], int(groups[1])
        year = int(groups[2]) if groups[2] else None
    else:
        day, month = int(groups[0]), _MONTHS[groups[1][:3].casefold()]
        year = int(groups[2]) if groups[2] else None
    if year is not None:
        return date(year, month, day)
    candidate = date(ref.year, month, day)
    if candidate > ref + timedelta(days=1):
        candidate = date(ref.year - 1, month, day)
    return candidate


def _month_len(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


# --- the story -----------------------------------------------------------------------------
@dataclass
class _Pair:
    a: Place
    b: Place
    relations: Counter[str] = field(default_factory=Counter)
    sentences: list[Sentence] = field(default_factory=list)
    explicit: int = 0  # sentences that name both places

    @property
    def key(self) -> tuple[str, str]:
        return _pair_key(self.a, self.b)


def _pair_key(a: Place, b: Place) -> tuple[str, str]:
    return (a.id, b.id) if a.id <= b.id else (b.id, a.id)


def _sentences(story: Story) -> list[Sentence]:
    out = [Sentence(story.title, 0, True)] if story.title else []
    for paragraph in [*([story.subtitle] if story.subtitle else []), *story.body]:
        for text in split_sentences(paragraph):
            out.append(Sentence(text, len(out), False))
    return out


def _pairs_in(sentence: Sentence) -> list[tuple[Place, Place]]:
    places = sentence.places
    if len(places) < 2:
        return []
    if len(places) == 2:
        return [(places[0], places[1])]
    anchor = places[0]
    others = [p for p in places[1:] if p.country != anchor.country]
    return [(anchor, p) for p in others] if others else [(anchor, places[1])]


def _nested(a: Place, b: Place) -> bool:
    """One place inside the other (Qingdao and its Huangdao district): never a partnership."""
    return _contains(a, b) or _contains(b, a) or (a.parent is not None and a.parent == b.parent and a.level != b.level)


def _nearest_relation(sentence: Sentence, place: Place) -> str:
    pos = sentence.place_positions.get(place.id, 0)
    return min(sentence.relations, key=lambda rel: abs(rel[1] - pos))[0]


def analyse(story: Story) -> dict[str, Any]:
    """Everything the classifier finds in a story (the fields ``classify_story`` sets)."""
    r = rules()
    gaz = gazetteer()
    story_date = story.published.date() if story.published else None
    sentences = _sentences(story)
    all_mentions: list[Mention] = []
    for s in sentences:
        s.mentions = [m for m in gaz.find_mentions(s.text) if m.country or not _is_organisation(s.text, m, r)]
        all_mentions.extend(s.mentions)
        s.relations = _relations(s.text, r)
        s.refers_to_pair = bool(r.pair_references.search(s.text))
    ctx = _context(all_mentions)
    for s in sentences:
        resolved: dict[int, Place] = {}
        for i, m in enumerate(s.mentions):
            if m.country or not m.candidates:
                continue
            place = _resolve(m, ctx, s.mentions[max(0, i - 1) : i] + s.mentions[i + 1 : i + 2])
            if place is not None:
                resolved[id(m)] = place
        _mark_places(s, resolved)

    pairs: dict[tuple[str, str], _Pair] = {}
    for s in sentences:
        if not s.relations:
            continue
        for a, b in _pairs_in(s):
            if _nested(a, b):
                continue
            pair = pairs.setdefault(_pair_key(a, b), _Pair(*sorted((a, b), key=lambda p: p.id)))
            pair.relations[_nearest_relation(s, b)] += 1
            pair.explicit += 1
            pair.sentences.append(s)
    main = max(pairs.values(), key=lambda p: (p.explicit, -min(x.index for x in p.sentences)), default=None)
    if main is not None:
        for s in sentences:
            if s in main.sentences:
                continue
            ids = set(s.place_positions)
            names_both = {main.a.id, main.b.id} <= ids
            names_one = bool(ids & {main.a.id, main.b.id})
            if names_both or (s.refers_to_pair and (names_one or not ids)) or (s.is_title and names_one):
                main.sentences.append(s)
                if s.relations:
                    main.relations[s.relations[0][0]] += 1
    for pair in pairs.values():
        for s in sentences:
            if s not in pair.sentences and {pair.a.id, pair.b.id} <= set(s.place_positions):
                pair.sentences.append(s)

    partnerships = [_partnership(p, r, story_date) for p in pairs.values()]
    partnerships.sort(key=lambda p: (p["a"]["id"], p["b"]["id"]))
    networks = _network_sizes(sentences, r, story_date, main)
    cue_sentences = sum(1 for s in sentences if s.relations)
    title_cue = bool(sentences and sentences[0].is_title and sentences[0].relations)
    acting = [p for p in partnerships if p["event"] != "mentioned"]
    score = (
        -2.0
        + 2.5 * bool(acting)
        + 1.0 * bool(partnerships)
        + 1.5 * title_cue
        + 2.0 * bool(networks)
        + 0.5 * min(cue_sentences, 4)
    )
    is_story = bool(acting) or bool(networks) or (title_cue and bool(partnerships))
    confidence = round(1 / (1 + math.exp(-score)), 2)
    if not is_story:
        partnerships = []
        confidence = min(confidence, 0.49)
    else:
        confidence = max(confidence, 0.51)
    return {
        "is_partnership_story": is_story,
        "confidence": confidence,
        "partnerships": partnerships,
        "network_sizes": networks if is_story else [],
    }


def _partnership(pair: _Pair, r: Rules, story_date: date | None) -> dict[str, Any]:
    story_year = story_date.year if story_date else None
    since: int | None = None
    found: dict[str, tuple[Sentence, int]] = {}
    sentences = sorted(pair.sentences, key=lambda s: s.index)
    for s in sentences:
        text = s.text
        past_year = _past_year(text, r, story_year) if s.relations or s.refers_to_pair else None
        anniversary = _first_match(text, dict(r.events)["anniversary"])
        if anniversary is not None and re.search(r"diplomatic|建交|수교", text, re.I):
            anniversary = None
        for event, patterns in r.events:
            pos = _first_match(text, patterns)
            if pos is None:
                continue
            if event == "anniversary" and anniversary is None:
                continue
            if event == "established" and (past_year is not None or anniversary is not None):
                continue
            if event == "exchange" and not (s.place_positions or s.refers_to_pair or s.is_title):
                continue
            found.setdefault(event, (s, pos))
        if past_year is not None and (s.relations or anniversary is None):
            since = since or past_year
        if anniversary is not None and since is None and story_year:
            years = _anniversary_years(text, r)
            if years:
                since = story_year - years
    event = next((e for e in _EVENT_ORDER if e in found), "mentioned")
    if event == "established" and since is not None and story_year and since < story_year:
        event = "renewed" if found["established"][0].relations else "exchange"
    if event in found:
        evidence, cue_pos = found[event]
        if evidence.is_title:
            body = next((x for x in sentences if not x.is_title and _first_match(x.text, dict(r.events)[event]) is not None), None)
            if body is not None:
                evidence, cue_pos = body, _first_match(body.text, dict(r.events)[event]) or 0
    else:
        evidence = next((s for s in sentences if s.relations), sentences[0])
        cue_pos = 0
    event_date = _event_date(evidence, cue_pos, story_date) if event != "mentioned" else None
    if event_date is None and event != "mentioned":
        # "On this day, the two signed …": the date is stated once, in the lede.
        for s in sentences:
            if not s.is_title and (dated := _dates(s.text, story_date)):
                event_date = dated[0][1]
                break
    if event == "established" and since is None:
        since = event_date.year if event_date else story_year
    relation = max(pair.relations, key=lambda k: (pair.relations[k], -_RELATION_RANK[k])) if pair.relations else "other"
    return {
        "a": pair.a.as_dict(),
        "b": pair.b.as_dict(),
        "relation": relation,
        "event": event,
        "since_year": since,
        "event_date": (event_date or story_date).isoformat() if (event_date or story_date) else None,
        "evidence": evidence.text,
    }


_RELATION_RANK = {"sister": 0, "friendly_cooperation": 1, "friendship": 2, "other": 3}


def _first_match(text: str, patterns: list[re.Pattern[str]]) -> int | None:
    positions = [m.start() for p in patterns if (m := p.search(text))]
    return min(positions) if positions else None


def _past_year(text: str, r: Rules, story_year: int | None) -> int | None:
    for pattern in r.since_year:
        for m in pattern.finditer(text):
            year = int(m.group(1))
            if story_year is None or year < story_year:
                return year
    return None


def _anniversary_years(text: str, r: Rules) -> int | None:
    for pattern in r.anniversary_number:
        if m := pattern.search(text):
            return int(m.group(1))
    m = re.search(r"\b([a-z\-]+)\s+anniversar", text, re.I)
    if m and m.group(1).casefold() in r.ordinal_words:
        return r.ordinal_words[m.group(1).casefold()]
    return None


def _event_date(sentence: Sentence, cue_pos: int, story_date: date | None) -> date | None:
    found = _dates(sentence.text, story_date)
    if not found:
        return None
    after = [d for pos, d in found if pos >= cue_pos]
    if after:
        return after[0]
    return found[-1][1]


def _network_sizes(
    sentences: list[Sentence], r: Rules, story_date: date | None, main: _Pair | None
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    counts: Counter[str] = Counter(p for s in sentences for p in s.place_positions)
    for s in sentences:
        if not s.relations:
            continue
        cities = countries = 0
        for pattern, ci, co in r.network_sizes:
            for m in pattern.finditer(s.text):
                cities += int(m.group(ci))
                countries += int(m.group(co))
            if cities:
                break
        if not cities:
            continue
        place = s.places[0] if s.places else None
        if place is None and counts:
            top = counts.most_common(1)[0][0]
            place = gazetteer().get(top)
        if place is None:
            continue
        out.append(
            {
                "place": place.as_dict(),
                "cities": cities,
                "countries": countries,
                "as_of": story_date.isoformat() if story_date else None,
                "evidence": s.text,
            }
        )
    return out


def classify_story(story: Story) -> Story:
    """Set the classifier's fields on ``story`` (in place; returned)."""
    from crawler.understanding.fingerprint import event_key

    found = analyse(story)
    story.is_partnership_story = found["is_partnership_story"]
    story.confidence = found["confidence"]
    story.partnerships = found["partnerships"]
    story.network_sizes = found["network_sizes"]
    story.event_keys = list(dict.fromkeys(event_key(p) for p in story.partnerships))
    return story
