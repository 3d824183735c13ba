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
5. Whether it is a partnership story: the rules' confidence from their evidence (pairs, events,
   relation sentences, places) blended with a small trained model's reading of the wording
   (``relevance.verdict``; share and threshold chosen by cross-validation).

The pieces live apart: ``sentences`` (bounded sentences), ``places`` (open-vocabulary names),
``pairs`` (which places a sentence links), ``events`` (event, founding year, date), ``dates``,
``relevance`` (the trained model); this module resolves places in context and puts it together.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from crawler.scraping.items import Story
from crawler.understanding import relevance
from crawler.understanding.events import pair_report, place_dict
from crawler.understanding.gazetteer import (
    LEVEL_DISTRICT,
    LEVEL_PROVINCE,
    Mention,
    Place,
    gazetteer,
    latin_key,
    prior,
)
from crawler.understanding.pairs import (
    Pair,
    contains,
    merge_unresolved,
    nearest_relation,
    nested,
    pair_key,
    pairs_in,
    story_focus,
    story_pair,
)
from crawler.understanding.places import (
    bare_mentions,
    is_latin,
    is_unresolved,
    linked_name,
    open_mentions,
    suffixed_names,
    unresolved_place,
)
from crawler.understanding.rules import Rules, rules
from crawler.understanding.sentences import Sentence, story_paragraphs

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
# A Han name right before a form of address is a surname ("千叶先生", "山口女士"), not a place.
_HAN_ADDRESS_AFTER = re.compile(r"^(?:先生|女士|小姐|夫人|太太|教授|老师|老師|博士|同学|同學|君)")


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
    """A surname that is also a town's name: "Mayor Hong", "Kim Young-moon", "Governor Oh",
    "千叶先生"."""
    if not mention.text[0].isascii():
        return bool(_HAN_ADDRESS_AFTER.match(text[mention.end :]))
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
    # A name the story once resolves ("韩国青松郡" is Cheongsong) is that place where a sentence
    # left it unresolved ("友好城市青松郡", its country not stated right before it).
    known = {m.text: p for _, m, p in choices if not is_unresolved(p)}
    out = []
    for s, m, place in choices:
        if is_unresolved(place) and m.text in known:
            place = known[m.text]
        elif not m.hint and place.id not in anchored:
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


def _in_stated_country(text: str, mentions: list[Mention]) -> None:
    """A place right after a country's name is in that country ("필리핀 산후안시" is San Juan in
    the Philippines, not Puerto Rico's): keep the candidates there, else those of the same
    English name there (a transcription is often indexed for the best-known namesake only), else
    the name written on over spaced words there ("멕시코 산후안 데 로스 라고스시")."""
    swallowed: set[int] = set()
    for before, m in itertools.pairwise(mentions):
        country = before.country
        if (
            not country
            or m.country
            or not m.candidates
            or not _ADJACENT.fullmatch(text[before.end : m.start])
        ):
            continue
        there = [c for c in m.candidates if c.country == country]
        if not there:
            g = gazetteer()
            names = {c.name for c in m.candidates}
            there = [p for n in names for p in g.lookup(n) if p.country == country]
        if there:
            m.candidates = there
        elif (linked := linked_name(text, m.start)) is not None:
            # "멕시코 산후안 데 로스 라고스시": not Puerto Rico's San Juan but a Mexican town
            # written spaced; the place of that country it sounds like, else kept unresolved.
            end, stem, level = linked
            surface = text[m.start : end]
            found = [p for p in g.sounding_like(stem.replace(" ", ""), country) if p.level == level]
            m.end, m.text = end, surface
            m.candidates = found[:1] or [unresolved_place(surface, stem, level, country)]
            m.hint = level
            swallowed.update(id(x) for x in mentions if x is not m and m.start <= x.start < end)
    if swallowed:
        mentions[:] = [m for m in mentions if id(m) not in swallowed]


_ADJACENT = re.compile(r"\s{0,2}|\s*(?:의|的)\s*")


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
    for cand in _with_namesakes(mention, ctx.countries):
        score = prior(cand)
        if _own_name(mention, cand):
            score += 1.0  # "Andong" is Andong's name and only an old name of Dandong
            if cand.country == "KR" and _HANGUL.match(mention.text):
                # A Korean paper names its own towns by their names and a foreign town by a
                # transcription: "안동시" beside China is still Andong, not Dandong (단둥).
                score += 1.5

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


def _with_namesakes(mention: Mention, countries: set[str]) -> list[Place]:
    """A transcription is often indexed for the best-known namesake only (산후안 for Puerto
    Rico's San Juan): when none of its places lies in a country the story names, the places of
    the same English name there are candidates too."""
    candidates = mention.candidates
    if is_latin(mention.text) or not countries or any(c.country in countries for c in candidates):
        return candidates
    g = gazetteer()
    names = {c.name for c in candidates}
    return candidates + [
        p for n in names for p in g.lookup(n) if p.country in countries and p not in candidates
    ]


def _own_name(mention: Mention, place: Place) -> bool:
    text = mention.text
    if text[0].isascii():
        return latin_key(text) == latin_key(place.name)
    return place.local_name.startswith(text)


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
    if contains(outer, inner):
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
        elif contains(p1, p2):
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
            if not contains(outer, inner):
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


def _sentences(story: Story) -> list[Sentence]:
    paragraphs = [*([story.subtitle] if story.subtitle else []), *story.body]
    return [
        Sentence(text, i, is_title)
        for i, (text, is_title) in enumerate(story_paragraphs(story.title, paragraphs))
    ]


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
        _in_stated_country(s.text, s.mentions)
        all_mentions.extend(s.mentions)
        s.refers_to_pair = bool(r.pair_references.search(s.text))
    named = suffixed_names(all_mentions)
    for s in sentences:
        if extra := bare_mentions(s.text, named, s.mentions):
            s.mentions = sorted(s.mentions + extra, key=lambda m: m.start)
            all_mentions.extend(extra)
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

    merge_unresolved(sentences)
    subject, ranked = story_focus(sentences)
    pairs: dict[tuple[str, str], Pair] = {}
    for s in sentences:
        if not s.relations:
            continue
        for a, b in pairs_in(s, subject, ranked):
            if nested(a, b):
                continue
            pair = pairs.setdefault(pair_key(a, b), Pair(*sorted((a, b), key=lambda p: p.id)))
            pair.relations[nearest_relation(s, b)] += 1
            pair.explicit += 1
            pair.sentences.append(s)
    pairs = _drop_weaker(pairs)
    if not pairs and (fallback := story_pair(sentences)) is not None:
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
                or _names_partner_by_country(s, main)
            ):
                main.sentences.append(s)
                if s.relations:
                    main.relations[s.relations[0][0]] += 1
    for pair in pairs.values():
        for s in sentences:
            if s not in pair.sentences and {pair.a.id, pair.b.id} <= set(s.place_positions):
                pair.sentences.append(s)

    partnerships = [pair_report(p, r, story_date) for p in pairs.values()]
    partnerships.sort(key=lambda p: (p["a"]["id"] or "", p["b"]["id"] or ""))
    networks = _network_sizes(sentences, r, story_date, main)
    acting = [p for p in partnerships if p["event"] != "mentioned"]
    evidence = relevance.Evidence(
        acting=bool(acting),
        paired=bool(partnerships),
        title_cue=bool(sentences and sentences[0].is_title and sentences[0].relations),
        networks=bool(networks),
        cue_sentences=sum(1 for s in sentences if s.relations),
        places=len({p.id for _, _, p in choices}),
    )
    is_story, confidence = relevance.verdict(
        evidence,
        relevance.story_text(
            story.title, [*([story.subtitle] if story.subtitle else []), *story.body]
        ),
    )
    confidence = round(confidence, 2)
    partnerships = [
        p for p in partnerships if not (_unplaced(p["a"], p["b"]) or _unplaced(p["b"], p["a"]))
    ]
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
        "evidence": evidence,  # what the verdict weighed; train_relevance learns from it
    }


def _names_partner_by_country(sentence: Sentence, pair: Pair) -> bool:
    """A relation sentence naming one partner and, for the other, only its country ("양주시가
    자매도시인 일본과의 교류 일정을 취소했다"): it speaks of the pair."""
    if not sentence.relations or len(sentence.place_positions) != 1:
        return False
    countries = {m.country for m in sentence.mentions if m.country}
    a, b = pair.a, pair.b
    if a.country == b.country:
        return False
    return (a.id in sentence.place_positions and b.country in countries) or (
        b.id in sentence.place_positions and a.country in countries
    )


def _unplaced(place: dict[str, Any], other: dict[str, Any]) -> bool:
    """A place in Han or Hangul script that the gazetteer lacks and whose country the story does
    not state is a misread transcription (크즐오르다주 -> "Keujeuloleuda") unless its partner is a
    known place of a country that does not write that script: then it is the home partner
    (통영시 beside Naples). The pair counts toward the story either way."""
    surface = place.get("local_name") or ""
    if not place.get("unresolved") or place["country"] or is_latin(surface):
        return False
    native = _SCRIPT_COUNTRIES["hangul" if _HANGUL.search(surface) else "han"]
    return other.get("id") is None or other["country"] in native


_HANGUL = re.compile("[가-힣]")
# Countries whose own place names are written in the script.
_SCRIPT_COUNTRIES = {
    "hangul": frozenset({"KR", "KP"}),
    "han": frozenset({"CN", "TW", "HK", "MO", "JP", "SG"}),
}


def _drop_weaker(pairs: dict[tuple[str, str], Pair]) -> dict[tuple[str, str], Pair]:
    """Beside a pair of two places of stated, different countries, a pair within one country
    (the host city of a visit, the capital) or with a place of unknown country (a misread
    transcription) is a co-mention, not a second partnership."""

    def international(p: Pair) -> bool:
        return bool(p.a.country and p.b.country and p.a.country != p.b.country)

    if not any(international(p) for p in pairs.values()):
        return pairs
    return {k: p for k, p in pairs.items() if international(p)}


def _network_sizes(
    sentences: list[Sentence], r: Rules, story_date: date | None, main: Pair | None
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
