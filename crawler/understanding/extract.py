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
from datetime import date
from typing import Any

from crawler.items import Story
from crawler.understanding import relevance
from crawler.understanding.dates import dates_in
from crawler.understanding.gazetteer import (
    LEVEL_DISTRICT,
    LEVEL_PROVINCE,
    Mention,
    Place,
    gazetteer,
    latin_key,
    prior,
)
from crawler.understanding.places import is_unresolved, open_mentions
from crawler.understanding.rules import Rules, rules
from crawler.understanding.sentences import story_paragraphs

_QUALIFIER_GAP = re.compile(
    r"^(?:\s*,\s*|\s+in\s+|\s+of\s+|\s*['’]s\s+|\s+|)"
    r"(?:(?:the\s+)?(?:(?:north|south|east|west|central|northeast|northwest|southeast|southwest)"
    r"(?:ern)?\s+)?\x00(?:['’]s)?\s*,?\s*)?$",
    re.I,
)
# A title right before a name makes it a person's ("Mayor Hong", "Governor Oh").
_TITLE_BEFORE = re.compile(
    r"(?:\b(?:Mayor|Governor|Secretary|Ambassador|Minister|President|Premier|Chairman|Chairwoman|"
    r"Chair|Director|Director-General|Consul|General|Commissioner|Councillor|Councilor|Lawmaker|"
    r"Senator|Speaker|Envoy|Chief|Head|Representative|Prof|Professor|Dr|Mr|Mrs|Ms|Madam|CEO|"
    r"Vice|Deputy|Executive|Captain|Coach)\.?\s+(?:[A-Z][a-z]+\s+)?)$"
)
# A romanized Korean or Chinese given name right after a surname ("Kim Young-moon").
_GIVEN_NAME_AFTER = re.compile(r"^\s+[A-Z][a-z]{1,5}-[a-z]{2,5}\b")
_RESUMED = re.compile(
    r"\b(?:resum\w*|restor\w*|reopen\w*|reviv\w*|restart\w*|again|lift\w*)\b|恢复|恢復|重启|重啟|재개|복원|정상화",
    re.I,
)
_FUTURE_BEFORE = re.compile(
    r"(?:\b(?:will|would|shall|expected\s+to|plans?\s+to|planning\s+to|intends?\s+to|is\s+to|are\s+to|"
    r"aims?\s+to|hopes?\s+to|preparations?\s+for|prepare\s+for|preparing\s+for|ahead\s+of|"
    r"work\s+toward)\b[^.;]{0,40}|(?:将|將|拟|擬|计划|計劃|准备|準備|筹备|籌備)[^。，,]{0,10})$",
    re.I,
)
_FUTURE_AFTER = re.compile(r"^[^.。]{0,12}(?:예정|계획|추진|準備|准备)")
_INTENT = re.compile(r"\bletters?\s+of\s+intent\b|\bLOI\b|意向书|意向書|의향서", re.I)
_DIPLOMATIC = re.compile(r"diplomatic|建交|수교", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*(?:[-–~至到]|to\s)\s*(?:19|20)?\d{2})")
# Share of the rules' confidence in the story verdict; the rest is the relevance model's.
RULES_WEIGHT = 0.5
_EVENT_ORDER = [
    "terminated",
    "suspended",
    "upgraded",
    "renewed",
    "established",
    "anniversary",
    "exchange",
]


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
        return bool(r.org_hangul.match(window)) or bool(
            re.search(r"(?:학교|대학교|병원|은행|회사|기업|협회|재단)$", window)
        )
    return bool(r.org_han.match(window)) or bool(
        re.search(r"(?:中学|小学|大学|学院|医院|公司|集团|银行|学校)", window)
    )


def _is_person(text: str, mention: Mention) -> bool:
    """A surname that is also a town's name: "Mayor Hong", "Kim Young-moon", "Governor Oh"."""
    if not mention.text[0].isascii():
        return False
    return bool(_TITLE_BEFORE.search(text[: mention.start])) or bool(
        _GIVEN_NAME_AFTER.match(text[mention.end :])
    )


_DISTRICT = re.compile(r"\b([A-Z][a-z]+)(-gu|-gun|\s+[Dd]istrict|\s+[Cc]ounty)\b")
_DISTRICT_CITY_BEFORE = re.compile(r"(?:['’]s\s+|\s+)$")
_DISTRICT_CITY_AFTER = re.compile(r"^(?:\s+of\s+|\s*,\s*|\s+in\s+)")


def _district_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Districts the gazetteer lacks, tied to the city named beside them: "Jung-gu of Incheon",
    "Incheon's Jung-gu", "Shinan district, Qingdao". Each gets the id a curated district of that
    city and name would have (``own:<country>-<city>-<name>``)."""
    taken = [(m.start, m.end) for m in mentions]
    found: list[Mention] = []
    for match in _DISTRICT.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        city = None
        for m in mentions:
            if m.country or not m.candidates:
                continue
            if m.end <= match.start() and _DISTRICT_CITY_BEFORE.fullmatch(
                text[m.end : match.start()]
            ):
                city = m
            elif m.start >= match.end() and _DISTRICT_CITY_AFTER.match(text[match.end() : m.start]):
                city = city or m
        if city is None:
            continue
        parent = max((c for c in city.candidates if c.level == "city"), key=prior, default=None)
        if parent is None:
            continue
        name = match.group(1)
        suffix = match.group(2).strip().casefold()
        level = "county" if suffix in {"-gun", "county"} else LEVEL_DISTRICT
        slug = latin_key(parent.name).replace(" ", "-")
        place = Place(
            id=f"own:{parent.country.casefold()}-{slug}-{latin_key(name).replace(' ', '-')}",
            name=name,
            local_name=match.group(0),
            country=parent.country,
            level=level,
            parent=parent.id,
            admin1=parent.admin1,
        )
        found.append(Mention(match.start(), match.end(), match.group(0), [place], hint=level))
    return found


# Countries whose towns the sites report without naming the country ("Shimonoseki").
_NEAR_COUNTRIES = frozenset({"CN", "KR", "JP", "TW", "HK", "MO"})
_UNATTESTED_MIN_POPULATION = 100_000


def _one_sense(choices: list[tuple[Any, Mention, Place]]) -> list[tuple[Any, Mention, Place]]:
    """One place per name in a story: a bare "Jeju" or "海南" is the place the story names in
    full elsewhere ("Jeju Special Self-Governing Province", "海南省")."""
    anchored = {p.id for _, m, p in choices if m.hint or len({c.id for c in m.candidates}) == 1}
    out = []
    for s, m, place in choices:
        if not m.hint and place.id not in anchored:
            named = [c for c in m.candidates if c.id in anchored]
            if len({c.id for c in named}) == 1:
                place = named[0]
        out.append((s, m, place))
    return out


def _drop_unattested(
    choices: list[tuple[Any, Mention, Place]], ctx: _Context
) -> list[tuple[Any, Mention, Place]]:
    """A town in a far country the story never names, and no other place of which it names, is
    most likely a word or a person ("Kim", a town in India): only a big city passes."""
    per_country: dict[str, set[str]] = {}
    for _, _, p in choices:
        per_country.setdefault(p.country, set()).add(p.id)
    out = []
    for s, m, p in choices:
        lonely = p.country not in _NEAR_COUNTRIES and p.country not in ctx.countries
        # A town listed beside other places in a relation sentence is attested by that list.
        listed = bool(s.relations) and len(s.mentions) >= 3
        if lonely and not listed and len(per_country[p.country]) == 1 and not m.hint:
            if p.population < _UNATTESTED_MIN_POPULATION or p.level == LEVEL_PROVINCE:
                continue
        out.append((s, m, p))
    return out


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
        if _own_name(mention, cand):
            score += 1.0  # "Andong" is Andong's name and only an old name of Dandong

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


def _own_name(mention: Mention, place: Place) -> bool:
    text = mention.text
    if text[0].isascii():
        return latin_key(text) == latin_key(place.name)
    return place.local_name.startswith(text)


def _contains(outer: Place, inner: Place) -> bool:
    if outer.id == inner.id:
        return False
    if inner.parent == outer.id:
        return True
    return (
        outer.level == LEVEL_PROVINCE and inner.admin1 is not None and inner.admin1 == outer.admin1
    )


def _gap(sentence: Sentence, start: int, end: int) -> str:
    """The text between two places, a country named in it written as NUL."""
    text = sentence.text[start:end]
    for m in sentence.mentions:
        if m.country and start <= m.start and m.end <= end:
            text = text.replace(m.text, "\x00", 1)
    return text


def _qualifies(outer: Place, inner: Place) -> bool:
    """``outer`` names where ``inner`` lies: a region or city that contains it, or a region of
    the same country when the data do not say which region the city is in (Asahikawa, Hokkaido)."""
    if _contains(outer, inner):
        return True
    return (
        outer.level == LEVEL_PROVINCE
        and inner.level != LEVEL_PROVINCE
        and inner.admin1 is None
        and outer.country == inner.country
    )


def _mark_places(sentence: Sentence, resolved: dict[int, Place]) -> None:
    """Keep partner candidates: drop qualifiers ("X, Shandong Province", "Jinan's Licheng",
    "Goyang in South Korea's Gyeonggi province")."""
    items = [(m, resolved[id(m)]) for m in sentence.mentions if id(m) in resolved]
    qualifiers: set[int] = set()
    for (m1, p1), (m2, p2) in zip(items, items[1:], strict=False):
        if not _QUALIFIER_GAP.match(_gap(sentence, m1.end, m2.start)):
            continue
        if _qualifies(p2, p1):
            qualifiers.add(id(m2))
        elif _contains(p1, p2):
            qualifiers.add(id(m1))
    for m, p in items:
        if id(m) in qualifiers or p.id in sentence.place_positions:
            continue
        sentence.places.append(p)
        sentence.place_positions[p.id] = m.start
    _drop_locators(sentence)


def _drop_locators(sentence: Sentence) -> None:
    """Of two places one inside the other, keep the one whose level matches a place of another
    country in the sentence: Binzhou (city) pairs with Goyang, not Gyeonggi; Jeju Province with
    Hainan Province, not Haikou; Licheng District with Gangnam District, not Seoul."""
    places = sentence.places
    drop: set[str] = set()
    for outer in places:
        for inner in places:
            if not _contains(outer, inner):
                continue
            others = {p.level for p in places if p.country != outer.country}
            if not others:
                continue
            if outer.level in others and inner.level not in others:
                drop.add(inner.id)
            else:
                drop.add(outer.id)  # the more specific place is the partner
    if drop:
        sentence.places = [p for p in places if p.id not in drop]
        for pid in drop:
            sentence.place_positions.pop(pid, None)


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
    paragraphs = [*([story.subtitle] if story.subtitle else []), *story.body]
    return [
        Sentence(text, i, is_title)
        for i, (text, is_title) in enumerate(story_paragraphs(story.title, paragraphs))
    ]


def _pairs_in(sentence: Sentence, subject: str | None = None) -> list[tuple[Place, Place]]:
    """Pairs a relation sentence states: its two places, or for a list, the story's subject (else
    the first place) with each place of another country; never the listed partners together."""
    places = sentence.places
    if len(places) < 2:
        return []
    if len(places) == 2:
        return [(places[0], places[1])]
    left, right = places[0::2], places[1::2]
    if len(places) % 2 == 0 and len({p.country for p in left}) == 1:
        if all(b.country != left[0].country for b in right):
            return list(zip(left, right, strict=True))  # "A and B, C and D signed …"
    anchor = next((p for p in places if p.id == subject), places[0])
    places = [anchor, *(p for p in places if p is not anchor)]
    others = [p for p in places[1:] if p.country != anchor.country]
    return [(anchor, p) for p in others] if others else [(anchor, places[1])]


def _subject(sentences: list[Sentence]) -> str | None:
    """The place the story is about: named most, the title counting double."""
    counts: Counter[str] = Counter()
    for s in sentences:
        for pid in s.place_positions:
            counts[pid] += 2 if s.is_title else 1
    return counts.most_common(1)[0][0] if counts else None


def _merge_unresolved(sentences: list[Sentence]) -> None:
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


def _nested(a: Place, b: Place) -> bool:
    """One place inside the other (Qingdao and its Huangdao district): never a partnership."""
    return (
        _contains(a, b)
        or _contains(b, a)
        or (a.parent is not None and a.parent == b.parent and a.level != b.level)
    )


def _nearest_relation(sentence: Sentence, place: Place) -> str:
    pos = sentence.place_positions.get(place.id, 0)
    return min(sentence.relations, key=lambda rel: abs(rel[1] - pos))[0]


def _story_pair(sentences: list[Sentence]) -> _Pair | None:
    """The pair a story is about when no sentence names both with a relation term, but one says
    "the two capitals became sister cities": the two places of different countries in the title,
    else the most named place of each of the two most named countries (each named twice)."""
    if not any(s.relations and (s.refers_to_pair or len(s.places) == 1) for s in sentences):
        return None
    title = next((s for s in sentences if s.is_title), None)
    if title is not None:
        for i, a in enumerate(title.places):
            for b in title.places[i + 1 :]:
                if a.country != b.country and not _nested(a, b):
                    return _Pair(*sorted((a, b), key=lambda p: p.id))
    counts: Counter[str] = Counter(pid for s in sentences for pid in s.place_positions)
    by_id = {p.id: p for s in sentences for p in s.places}
    best: dict[str, str] = {}
    for pid, n in counts.most_common():
        if n >= 2:
            best.setdefault(by_id[pid].country, pid)
    if len(best) < 2:
        return None
    a, b = (by_id[pid] for pid in list(best.values())[:2])
    return _Pair(*sorted((a, b), key=lambda p: p.id))


def analyse(story: Story) -> dict[str, Any]:
    """Everything the classifier finds in a story (the fields ``classify_story`` sets)."""
    r = rules()
    gaz = gazetteer()
    story_date = story.published.date() if story.published else None
    sentences = _sentences(story)
    all_mentions: list[Mention] = []
    for s in sentences:
        s.mentions = [
            m
            for m in gaz.find_mentions(s.text)
            if m.country or not (_is_organisation(s.text, m, r) or _is_person(s.text, m))
        ]
        s.mentions = sorted(
            s.mentions + _district_mentions(s.text, s.mentions), key=lambda m: m.start
        )
        s.relations = _relations(s.text, r)
        s.mentions = sorted(
            s.mentions
            + [
                m
                for m in open_mentions(s.text, s.mentions, bool(s.relations or s.is_title))
                if not (_is_organisation(s.text, m, r) or _is_person(s.text, m))
            ],
            key=lambda m: m.start,
        )
        all_mentions.extend(s.mentions)
        s.refers_to_pair = bool(r.pair_references.search(s.text))
    ctx = _context(all_mentions)
    choices: list[tuple[Sentence, Mention, Place]] = []
    for s in sentences:
        for i, m in enumerate(s.mentions):
            if m.country or not m.candidates:
                continue
            place = _resolve(m, ctx, s.mentions[max(0, i - 1) : i] + s.mentions[i + 1 : i + 2])
            if place is not None:
                choices.append((s, m, place))
    choices = _one_sense(choices)
    choices = _drop_unattested(choices, ctx)
    by_sentence: dict[int, dict[int, Place]] = {}
    for s, m, place in choices:
        by_sentence.setdefault(s.index, {})[id(m)] = place
    for s in sentences:
        _mark_places(s, by_sentence.get(s.index, {}))

    _merge_unresolved(sentences)
    subject = _subject(sentences)
    pairs: dict[tuple[str, str], _Pair] = {}
    for s in sentences:
        if not s.relations:
            continue
        for a, b in _pairs_in(s, subject):
            if _nested(a, b):
                continue
            pair = pairs.setdefault(_pair_key(a, b), _Pair(*sorted((a, b), key=lambda p: p.id)))
            pair.relations[_nearest_relation(s, b)] += 1
            pair.explicit += 1
            pair.sentences.append(s)
    if not pairs and (fallback := _story_pair(sentences)) is not None:
        pairs[fallback.key] = fallback
    main = max(
        pairs.values(),
        key=lambda p: (p.explicit, -min(x.index for x in p.sentences or sentences)),
        default=None,
    )
    if main is not None:
        for s in sentences:
            if s in main.sentences:
                continue
            ids = set(s.place_positions)
            names_both = {main.a.id, main.b.id} <= ids
            names_one = bool(ids & {main.a.id, main.b.id})
            if (
                names_both
                or (s.refers_to_pair and (names_one or not ids))
                or (s.is_title and names_one)
            ):
                main.sentences.append(s)
                if s.relations:
                    main.relations[s.relations[0][0]] += 1
    for pair in pairs.values():
        for s in sentences:
            if s not in pair.sentences and {pair.a.id, pair.b.id} <= set(s.place_positions):
                pair.sentences.append(s)

    partnerships = [_partnership(p, r, story_date) for p in pairs.values()]
    partnerships.sort(key=lambda p: (p["a"]["id"] or "", p["b"]["id"] or ""))
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
    confidence = 1 / (1 + math.exp(-score))
    if not is_story:
        confidence = min(confidence, 0.49)
    learned = relevance.probability(
        relevance.story_text(
            story.title, [*([story.subtitle] if story.subtitle else []), *story.body]
        )
    )
    if learned is not None:
        # The rules see places and pairs, the model sees wording: each covers the other's blind spot.
        confidence = RULES_WEIGHT * confidence + (1 - RULES_WEIGHT) * learned
        is_story = confidence >= 0.5
    confidence = round(confidence, 2)
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


# An announced suspension or termination is the news ("she will suspend exchanges"); an
# announced signing or anniversary is not yet.
_ANNOUNCED_IS_NEWS = frozenset({"terminated", "suspended"})


def _present_match(
    text: str, patterns: list[re.Pattern[str]], announced: bool = False
) -> int | None:
    """The first match that reports something done, not planned ("is expected to sign",
    "preparations for the anniversary", "체결할 예정")."""
    positions = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if not announced and _FUTURE_BEFORE.search(text[max(0, m.start() - 60) : m.start()]):
                continue
            if not announced and _FUTURE_AFTER.match(text[m.end() :]):
                continue
            positions.append(m.start())
            break
    return min(positions) if positions else None


_FOUNDING_WORDS = re.compile(
    r"\b(?:since|dating\s+(?:back\s+)?(?:from|to)|dates?\s+back\s+to|in\s+place\s+since|signed|"
    r"established|founded|forged|formed|inked|became|began)\b|以来|以來|이래|부터|结为|結為|缔结|締結|结好|체결|맺",
    re.I,
)
_PAST_SUSPENSION = re.compile(
    r"^[^.。]{0,30}?\b(?:since|in|during|from)\s+(?:the\s+)?(?:(?:19|20)\d{2}|pandemic|covid)", re.I
)


def _partnership(pair: _Pair, r: Rules, story_date: date | None) -> dict[str, Any]:
    story_year = story_date.year if story_date else None
    events = dict(r.events)
    sentences = sorted(pair.sentences, key=lambda s: s.index)

    # The founding year first: a founding dated before the story is background, not the news.
    since: int | None = None
    for s in sentences:
        text = s.text
        anniversary = _anniversary_cue(text, events)
        founding = _present_match(text, events["established"]) is not None or bool(
            _FOUNDING_WORDS.search(text)
        )
        if (s.relations or s.refers_to_pair) and founding and since is None:
            since = _past_year(text, story_year)
        if anniversary is not None and since is None and story_year:
            years = _anniversary_years(text, r)
            if years:
                since = story_year - years
    predates = since is not None and story_year is not None and since < story_year

    found: dict[str, tuple[Sentence, int]] = {}
    for s in sentences:
        text = s.text
        anniversary = _anniversary_cue(text, events)
        past_year = _past_year(text, story_year)
        for event, patterns in r.events:
            pos = _present_match(text, patterns, event in _ANNOUNCED_IS_NEWS)
            if pos is None:
                continue
            if event == "anniversary" and anniversary is None:
                continue
            if event == "established":
                if past_year is not None or anniversary is not None:
                    continue
                if predates:
                    # A signing between old partners: a renewal if it names the tie, else an exchange.
                    event = "renewed" if s.relations else "exchange"
            if event == "suspended" and (
                _RESUMED.search(text) or _PAST_SUSPENSION.match(text[pos:])
            ):
                continue  # a pause that is over, or one that only dates something else
            if event == "exchange" and not (s.place_positions or s.refers_to_pair or s.is_title):
                continue
            found.setdefault(event, (s, pos))
    event = next((e for e in _EVENT_ORDER if e in found), "mentioned")
    if event in found:
        evidence, cue_pos = found[event]
        if evidence.is_title:
            body = next(
                (
                    x
                    for x in sentences
                    if not x.is_title and _present_match(x.text, events[event]) is not None
                ),
                None,
            )
            if body is not None:
                evidence, cue_pos = body, _present_match(body.text, events[event]) or 0
    else:
        evidence = next((s for s in sentences if s.relations), sentences[0] if sentences else None)
        cue_pos = 0
    event_date = (
        _event_date(evidence, cue_pos, story_date) if event != "mentioned" and evidence else None
    )
    if event_date is None and event != "mentioned":
        # "On this day, the two signed …": the date is stated once, in the lede.
        for s in sentences:
            near = [d for _, d in dates_in(s.text, story_date) if _near(d, story_date)]
            if not s.is_title and near:
                event_date = near[0]
                break
    proposed = (
        event == "established" and evidence is not None and bool(_INTENT.search(evidence.text))
    )
    if event == "established" and since is None and not proposed:
        since = event_date.year if event_date else story_year
    relation = (
        max(pair.relations, key=lambda k: (pair.relations[k], -_RELATION_RANK[k]))
        if pair.relations
        else "other"
    )
    out = {
        "a": place_dict(pair.a),
        "b": place_dict(pair.b),
        "relation": relation,
        "event": event,
        "since_year": since,
        "event_date": (event_date or story_date).isoformat()
        if (event_date or story_date)
        else None,
        "evidence": evidence.text if evidence else "",
    }
    if proposed:
        out["status"] = "proposed"  # a letter of intent: the step before the agreement
    return out


def _near(day: date, story_date: date | None) -> bool:
    """A date that can be the news of a story (not the founding date it recalls)."""
    return story_date is None or abs((story_date - day).days) <= 31


def _anniversary_cue(text: str, events: dict[str, list[re.Pattern[str]]]) -> int | None:
    """An anniversary of the partnership (not of diplomatic ties), marked rather than planned."""
    pos = _present_match(text, events["anniversary"])
    if pos is not None and _DIPLOMATIC.search(text):
        return None
    return pos


_RELATION_RANK = {"sister": 0, "friendly_cooperation": 1, "friendship": 2, "other": 3}


def _first_match(text: str, patterns: list[re.Pattern[str]]) -> int | None:
    positions = [m.start() for p in patterns if (m := p.search(text))]
    return min(positions) if positions else None


def _past_year(text: str, story_year: int | None) -> int | None:
    """The first year before the story's, skipping the year of diplomatic ties ("in December
    1993", "on Oct 23, 1993", "1993年", "1993년")."""
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        if story_year is not None and year >= story_year:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        after = text[m.end() : m.end() + 8]
        if _DIPLOMATIC.search(before) or _DIPLOMATIC.search(after):
            continue
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
    found = dates_in(sentence.text, story_date)
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
                if re.search(r"\bfrom\s+$|\bcompared\s+with\s+$|\bthan\s+$", s.text[: m.start()]):
                    continue  # "up from 86 cities in 48 countries": the earlier figure
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
        if any(
            o["place"]["id"] == place.id and (o["cities"], o["countries"]) == (cities, countries)
            for o in out
        ):
            continue
        out.append(
            {
                "place": place_dict(place),
                "cities": cities,
                "countries": countries,
                "as_of": story_date.isoformat() if story_date else None,
                "evidence": s.text,
            }
        )
    return out


def place_dict(place: Place) -> dict[str, Any]:
    """The place as the pipelines pass it on; a place the gazetteer lacks has ``id: None``, its
    surface form as ``local_name`` and ``unresolved: True``."""
    if is_unresolved(place):
        surface = place.local_name
        name = surface if surface.isascii() else f"{place.name} ({surface})"
        return {
            **place.as_dict(),
            "name": name,
            "id": None,
            "parent_name": None,
            "unresolved": True,
        }
    return gazetteer().place_dict(place)


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
