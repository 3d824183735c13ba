"""Pairs: which places a relation sentence links, and the place a story is about."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from crawler.understanding.gazetteer import HOME_COUNTRIES, LEVEL_PROVINCE, Place
from crawler.understanding.places import is_latin, is_unresolved
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
    places = _partners(sentence)
    home = next((p for p in ranked or [] if p.id == subject), None)
    if home is not None and (linked := _linked_to_self(sentence, places, home)):
        return [(home, linked)]
    if len(places) == 1:
        return _with_subject(sentence, places[0], home)
    if len(places) < 2:
        return []
    if len(places) >= 4 and (in_order := _pairs_in_order(sentence, places)):
        return in_order  # "Jeonju and Suzhou, Dalian and Ulsan signed …"
    if _respectively_without_term(sentence, places):
        return []  # "济南、青岛两市分别与釜山市、福冈市的企业签订合同": their companies signed
    if len(places) == 2:
        a, b = places
        home = next((p for p in ranked or [] if p.country not in {a.country, b.country}), None)
        joined = _vocabulary().joiner.fullmatch(_gap(sentence, a, b))
        if (
            home is not None
            and not joined
            and all(
                _PARTNER_MARK.match(sentence.text[sentence.place_positions.get(p.id, 0) :])
                for p in places
            )
        ):
            # "사마르칸트와 … 알마티와 협정을 체결한 데 이어": both are partners of the one who
            # speaks, the story's most named place of a third country; in "수원시와
            # 아사히카와시와의 자매결연" the two are joined to each other.
            return [(home, a), (home, b)]
        if _enumerated(sentence, a, b) or _listed_abroad(sentence, a, b):
            return []  # "韩国釜山市、日本福冈市代表出席": listed together, not partnered
        if _venues(sentence, a, b) or _shared_owners(sentence, a, b):
            return []  # "代表团在北京和上海参加了友好城市座谈": where, not who
        return [(a, b)]
    left, right = places[0::2], places[1::2]
    if len(places) % 2 == 0 and len({p.country for p in left}) == 1:
        if all(b.country != left[0].country for b in right):
            return list(zip(left, right, strict=True))  # "A and B, C and D signed …"
    owner = _owner(sentence)
    anchor = owner or next((p for p in places if p.id == subject), places[0])
    if owner is None and _in_enumeration(sentence, places, anchor):
        return []  # "釜山市、福冈市代表团会见了济南市、青岛市…": lists of attendees, no anchor
    places = [anchor, *(p for p in places if p is not anchor)]
    others = [p for p in places[1:] if p.country != anchor.country]
    if others:
        return [(anchor, p) for p in others]
    if _enumerated(sentence, anchor, places[1]):
        return []  # "山东省、江苏省、浙江省等省份": one country's places listed, none partnered
    return [(anchor, places[1])]


@dataclass(frozen=True)
class _Vocabulary:
    joiner: re.Pattern[str]
    separator: re.Pattern[str]
    locator_gap: re.Pattern[str]
    venue_before: re.Pattern[str]
    venue_after: re.Pattern[str]
    self_reference: re.Pattern[str]
    respective_gap: re.Pattern[str]
    respective_tail: re.Pattern[str]
    enumeration_gap: re.Pattern[str]
    enumeration_group: re.Pattern[str]
    venue_pair_gap: re.Pattern[str]
    origin_before: re.Pattern[str]
    shared_owners_after: re.Pattern[str]
    seat_before: re.Pattern[str]
    relation_topic: re.Pattern[str]
    window_latin: int
    window_other: int
    own_place_topic: re.Pattern[str]
    own_place_levels: dict[str, str]
    own_place_country: str


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    """The connectors of ``data/pairing.yaml``, compiled once."""
    text = resources.files("crawler.understanding").joinpath("data/pairing.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    suffix = f"(?:{data['admin_suffixes']})?"
    joiners = "|".join(f"(?:{j})" for j in data["pair_joiners"])
    separators = "|".join(f"(?:{j})" for j in data["list_separators"])
    country = r"(?:\s*\x00\s*(?:的|의)?)?"
    return _Vocabulary(
        joiner=re.compile(rf"{suffix}\s*(?:{joiners})\s*{country}\s*", re.I),
        separator=re.compile(rf"{suffix}\s*(?:{separators})\s*{country}\s*", re.I),
        locator_gap=re.compile(rf"\s*{suffix}\s*"),
        venue_before=re.compile("|".join(f"(?:{v})" for v in data["venue_before"]), re.I),
        venue_after=re.compile("|".join(f"(?:{v})" for v in data["venue_after"]), re.I),
        self_reference=re.compile("|".join(f"(?:{v})" for v in data["self_references"])),
        respective_gap=re.compile(
            rf"{suffix}\s*(?:{data['group_words']})?\s*(?:{data['respectively']})\s*"
            rf"(?:{joiners})\s*{country}\s*",
            re.I,
        ),
        respective_tail=re.compile(data["respective_tail"]),
        enumeration_gap=re.compile(data["enumeration_gap"]),
        enumeration_group=re.compile(data["enumeration_group"]),
        venue_pair_gap=re.compile(data["venue_pair_gap"]),
        origin_before=re.compile(data["origin_before"]),
        shared_owners_after=re.compile(data["shared_owners_after"]),
        seat_before=re.compile(data["seat_before"]),
        relation_topic=re.compile("|".join(f"(?:{v})" for v in data["relation_topics"])),
        window_latin=int(data["subject_window"]["latin"]),
        window_other=int(data["subject_window"]["other"]),
        own_place_topic=re.compile(data["own_place_topic"]),
        own_place_levels=dict(data["own_place_levels"]),
        own_place_country=str(data["own_place_country"]),
    )


def _span(sentence: Sentence, place: Place) -> tuple[int, int]:
    start = sentence.place_positions.get(place.id, 0)
    end = next(
        (m.end for m in sentence.mentions if m.start == start),
        start + len(place.local_name or place.name),
    )
    return start, end


def _gap(sentence: Sentence, left: Place, right: Place) -> str:
    """The text between two places, a country named in it written as NUL."""
    start, end = _span(sentence, left)[1], _span(sentence, right)[0]
    text = sentence.text[start:end]
    for m in sentence.mentions:
        if m.country and start <= m.start and m.end <= end:
            text = text.replace(m.text, "\x00", 1)
    return text


def _partners(sentence: Sentence) -> list[Place]:
    """The sentence's places (of its relation clauses, in Chinese) less those written right
    before another of the same country with nothing between ("巴西圣保罗州圣若泽市", "天水市清水县",
    "도쿄도 스미다구"): a locator the data could not tie to the place it locates."""
    places = sorted(sentence.places, key=lambda p: sentence.place_positions.get(p.id, 0))
    places = [p for p in _in_relation_clauses(sentence, places) if not _only_a_seat(sentence, p)]
    out = []
    for i, place in enumerate(places):
        after = places[i + 1] if i + 1 < len(places) else None
        if after is not None and _locates(sentence, place, after):
            continue
        out.append(place)
    if len(out) >= 3:
        hosts = [p for p in out if _is_venue(sentence, p)]
        if hosts and len(out) - len(hosts) >= 2:
            out = [p for p in out if p not in hosts]
    return out


def _only_a_seat(sentence: Sentence, place: Place) -> bool:
    """Every naming of ``place`` is where a mission sits ("日本驻广州总领事"): no partner."""
    seat = _vocabulary().seat_before
    return all(seat.search(sentence.text[:pos]) for pos in _positions(sentence, place))


def _is_venue(sentence: Sentence, place: Place) -> bool:
    """The place is where a meeting took place ("held in X", "在X举行", "X에서 열린")."""
    start, end = _span(sentence, place)
    before = sentence.text[max(0, start - 40) : start]
    for m in sentence.mentions:
        if m.country and start - 40 <= m.start and m.end <= start:
            before = before.replace(m.text, "\x00")
    vocabulary = _vocabulary()
    return bool(vocabulary.venue_before.search(before)) or bool(
        vocabulary.venue_after.match(sentence.text[end:])
    )


def _locates(sentence: Sentence, outer: Place, inner: Place) -> bool:
    """``outer`` written right before ``inner`` (nothing but a level suffix between), in the
    same country and larger: it says where ``inner`` lies."""
    if not outer.country or outer.country != inner.country:
        return False
    if not _vocabulary().locator_gap.fullmatch(_gap(sentence, outer, inner)):
        return False
    return (
        outer.level == LEVEL_PROVINCE
        or outer.population > inner.population
        or inner.parent == outer.id  # "하이퐁시 레찬군": two places the data lack, one in the other
    )


def _linked_to_self(sentence: Sentence, places: list[Place], home: Place) -> Place | None:
    """The place joined to the story's name for itself ("我市与安徽宣城市"), when the sentence
    does not name the subject."""
    if home.id in sentence.place_positions:
        return None
    vocabulary = _vocabulary()
    for ref in vocabulary.self_reference.finditer(sentence.text):
        for place in places:
            start, end = _span(sentence, place)
            if start >= ref.end():
                gap = _masked(sentence, ref.end(), start)
            elif end <= ref.start():
                gap = _masked(sentence, end, ref.start())
            else:
                continue
            if vocabulary.joiner.fullmatch(gap) and place.id != home.id and not nested(home, place):
                return place
    return None


def _masked(sentence: Sentence, start: int, end: int) -> str:
    """The text between two offsets, every name of a place or country in it written as NUL."""
    text = sentence.text[start:end]
    for m in sentence.mentions:
        if start <= m.start and m.end <= end:
            text = text.replace(m.text, "\x00", 1)
    return text


def _with_subject(
    sentence: Sentence, place: Place, home: Place | None
) -> list[tuple[Place, Place]]:
    """A relation sentence naming one partner of another country than the story's subject,
    close to the relation term ("pressed ahead with a twinning relationship with Mariupol",
    "일본 후지에다 시와 … 자매결연을 체결했다"): the subject is the other partner."""
    if home is None or not home.country or not place.country or home.country == place.country:
        return []
    vocabulary = _vocabulary()
    start, end = _span(sentence, place)
    if vocabulary.own_place_topic.match(sentence.text) and _PARTNER_MARK.match(
        sentence.text[start:]
    ):
        return [(home, place)]  # "군은 4일 일본 이부스키시와 … 협약을 체결했다"
    latin = is_latin(sentence.text[start:end])
    window = vocabulary.window_latin if latin else vocabulary.window_other
    for _, pos in sentence.relations:
        # Chinese and Korean write the partner before the relation term ("与X市结为友好城市"),
        # or after it when the term is the sentence's topic ("구의 자매결연은 … 스미다구 이후").
        after_topic = pos < start and vocabulary.relation_topic.match(sentence.text, pos)
        distance = pos - end if not latin and not after_topic or pos >= end else start - pos
        if 0 <= distance <= window or (latin and start <= pos < end):
            return [(home, place)]
    return []


def _respectively_without_term(sentence: Sentence, places: list[Place]) -> bool:
    """Two lists of as many places said to act "respectively" ("济南、青岛两市分别与釜山市、
    福冈市…") with no relation term right after the second list (only a level word or a signing
    verb between): what the lists did was not to pair ("…的企业签订合同", their companies)."""
    vocabulary = _vocabulary()
    if len(places) < 4 or len(places) % 2:
        return False
    first, second = places[: len(places) // 2], places[len(places) // 2 :]
    if not vocabulary.respective_gap.fullmatch(_gap(sentence, first[-1], second[0])):
        return False
    for group in (first, second):
        for left, right in zip(group, group[1:], strict=False):
            gap = _gap(sentence, left, right)
            if not (vocabulary.separator.fullmatch(gap) or vocabulary.joiner.fullmatch(gap)):
                return False
    end = _span(sentence, second[-1])[1]
    return not any(
        pos >= end and vocabulary.respective_tail.fullmatch(sentence.text[end:pos])
        for _, pos in sentence.relations
    )


def _enumerated(sentence: Sentence, a: Place, b: Place) -> bool:
    """Two places written as an enumeration (、) with no group word after them ("两市")."""
    vocabulary = _vocabulary()
    if not vocabulary.enumeration_gap.fullmatch(_gap(sentence, a, b)):
        return False
    return not vocabulary.enumeration_group.match(sentence.text, _span(sentence, b)[1])


# Where a Chinese sentence's clauses end.
_HAN_CLAUSE_END = re.compile("[，；]")


def _in_relation_clauses(sentence: Sentence, places: list[Place]) -> list[Place]:
    """The places of the Chinese clauses that hold a relation term, when those name two or more:
    "日本游客到桐庐县游览，杭州市与日本岐阜市是友好城市" pairs nothing from the first clause."""
    bounds = [0, *(m.end() for m in _HAN_CLAUSE_END.finditer(sentence.text)), len(sentence.text)]
    if len(bounds) == 2:
        return places
    clauses = [
        (start, end)
        for start, end in zip(bounds, bounds[1:], strict=False)
        if any(start <= pos < end for _, pos in sentence.relations)
    ]
    inside = [
        p
        for p in places
        if any(start <= pos < end for start, end in clauses for pos in _positions(sentence, p))
    ]
    return inside if len(inside) >= 2 else places


def _positions(sentence: Sentence, place: Place) -> set[int]:
    """Where the sentence names ``place``: its first mention and every other naming it."""
    return {sentence.place_positions.get(place.id, 0)} | {
        m.start for m in sentence.mentions if any(c.id == place.id for c in m.candidates)
    }


def _listed_abroad(sentence: Sentence, a: Place, b: Place) -> bool:
    """Two places of one foreign country in a Chinese or Korean sentence ("美国加利福尼亚州和
    俄亥俄州的代表"): these papers report their own places' ties, so the two are listed."""
    if not a.country or a.country != b.country or a.country in HOME_COUNTRIES:
        return False
    return not is_latin(sentence.text[slice(*_span(sentence, a))])


def _venues(sentence: Sentence, a: Place, b: Place) -> bool:
    """Two places joined by 和 or 、 (not the partners' 与 / 同) after "来自" ("来自青岛市和大连市的
    代表": where people came from), or, of one country, after a venue word ("在北京和上海参加")."""
    vocabulary = _vocabulary()
    if not vocabulary.venue_pair_gap.fullmatch(_gap(sentence, a, b)):
        return False
    before = sentence.text[: _span(sentence, a)[0]]
    if vocabulary.origin_before.search(before):
        return True
    return bool(a.country) and a.country == b.country and _is_venue(sentence, a)


def _shared_owners(sentence: Sentence, a: Place, b: Place) -> bool:
    """Two places joined by 和 or 、 whose partners the sentence speaks of ("北京和上海的友好城市
    数量"): the owners of two networks, not each other's partners ("…的友好城市关系" is a tie)."""
    vocabulary = _vocabulary()
    if not vocabulary.venue_pair_gap.fullmatch(_gap(sentence, a, b)):
        return False
    return bool(vocabulary.shared_owners_after.match(sentence.text, _span(sentence, b)[1]))


def _in_enumeration(sentence: Sentence, places: list[Place], place: Place) -> bool:
    """``place`` is one item of an enumeration (、) with the place before or after it."""
    i = places.index(place)
    before = [(places[i - 1], place)] if i > 0 else []
    after = [(place, places[i + 1])] if i + 1 < len(places) else []
    return any(_enumerated(sentence, left, right) for left, right in before + after)


def _pairs_in_order(sentence: Sentence, places: list[Place]) -> list[tuple[Place, Place]]:
    """A list of pairs written pair by pair: joined within a pair ("and", "与", "와"), separated
    between pairs ("," "、"), each pair of two countries."""
    if len(places) % 2:
        return []
    vocabulary = _vocabulary()
    pairs = list(zip(places[0::2], places[1::2], strict=True))
    for i, (a, b) in enumerate(pairs):
        if not a.country or not b.country or a.country == b.country:
            return []
        if not vocabulary.joiner.fullmatch(_gap(sentence, a, b)):
            return []
        if i + 1 < len(pairs) and not vocabulary.separator.fullmatch(
            _gap(sentence, b, pairs[i + 1][0])
        ):
            return []
    return pairs


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


def story_focus(sentences: list[Sentence]) -> tuple[str | None, list[Place]]:
    """The place the story is about and the story's places, the most named first.

    Each place counts its namings, the title's double; a sentence that opens with "시는" (the
    city) counts once more for the title's city it means. The subject counts the namings that
    survive as sentence places; the ranking also counts every place a sentence keeps."""
    own = _own_place_mentions(sentences)
    named: Counter[str] = Counter()
    for s in sentences:
        for pid in s.place_positions:
            named[pid] += 2 if s.is_title else 1
    for p in own:
        named[p.id] += 1
    subject = named.most_common(1)[0][0] if named else None
    counts: Counter[str] = Counter()
    by_id: dict[str, Place] = {}
    for s in sentences:
        for p in s.places:
            by_id[p.id] = p
            counts[p.id] += 2 if s.is_title else 1
    for p in own:
        by_id.setdefault(p.id, p)
        counts[p.id] += 1
    return subject, [by_id[pid] for pid, _ in counts.most_common()]


def _own_place_mentions(sentences: list[Sentence]) -> list[Place]:
    """The title's place meant by each sentence that opens with "시는", "군은" (the city, the
    county): the first of that level word's level, or written with it, the paper's own country
    first."""
    title = next((s for s in sentences if s.is_title), None)
    if title is None or not title.places:
        return []
    vocabulary = _vocabulary()
    found = []
    for s in sentences:
        topic = vocabulary.own_place_topic.match(s.text) if not s.is_title else None
        if topic is None:
            continue
        word = topic.group(1)
        level = vocabulary.own_place_levels.get(word)
        in_order = sorted(title.places, key=lambda p: title.place_positions.get(p.id, 0))
        # The paper's own country first, then the title's order.
        in_order.sort(key=lambda p: p.country != vocabulary.own_place_country)
        place = next(
            (p for p in in_order if p.level == level or _surface(title, p).endswith(word)), None
        )
        if place is not None:
            found.append(place)
    return found


def _surface(sentence: Sentence, place: Place) -> str:
    start, end = _span(sentence, place)
    return sentence.text[start:end]


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
