"""Events: what a story reports about a pair (terminated > suspended > upgraded > renewed >
established > anniversary > exchange > mentioned), the founding year and the event's date."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from crawler.understanding.dates import dates_in
from crawler.understanding.gazetteer import Place, gazetteer
from crawler.understanding.pairs import Pair
from crawler.understanding.places import is_latin, is_unresolved
from crawler.understanding.rules import Rules
from crawler.understanding.sentences import Sentence

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*(?:[-–~至到]|to\s)\s*(?:19|20)?\d{2})")


# An announced suspension or termination is the news ("she will suspend exchanges"); an
# announced signing or anniversary is not yet.
_ANNOUNCED_IS_NEWS = frozenset({"terminated", "suspended"})


# A pause or an end still holds when it is told as earlier news; a signing or a visit is over.
_EARLIER_NEWS_IS_BACKGROUND = frozenset({"upgraded", "renewed", "established", "exchange"})


def _present_match(
    text: str, patterns: list[re.Pattern[str]], r: Rules, announced: bool = False
) -> int | None:
    """The first match that reports something done, not planned ("is expected to sign",
    "preparations for the anniversary", "체결할 예정")."""
    before, after = r.event_context["planned_before"], r.event_context["planned_after"]
    positions = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if not announced and before.search(text[max(0, m.start() - 60) : m.start()]):
                continue
            if not announced and after.match(text[m.end() :]):
                continue
            positions.append(m.start())
            break
    return min(positions) if positions else None


def pair_report(pair: Pair, r: Rules, story_date: date | None) -> dict[str, Any]:
    story_year = story_date.year if story_date else None
    events = dict(r.events)
    context = r.event_context
    sentences = sorted(pair.sentences, key=lambda s: s.index)
    since = _founding_year(sentences, r, story_year)
    # Without the story's date, its latest year stands for it ("since 2005" in a 2012 story).
    reference_year = story_year or _latest_year(sentences)
    predates = since is not None and reference_year is not None and since < reference_year
    held = [s for s in sentences if _states_existing_tie(s.text, r)]
    existing = predates or bool(held)
    held_kinds = {kind for s in held for kind, _ in s.relations}
    found = _event_cues(sentences, r, reference_year, existing, held_kinds)
    event = next((e for e, _ in r.events if e in found), "mentioned")
    if event in found:
        evidence, cue_pos = found[event]
        if evidence.is_title:
            body = next(
                (
                    x
                    for x in sentences
                    if not x.is_title and _present_match(x.text, events[event], r) is not None
                ),
                None,
            )
            if body is not None:
                evidence, cue_pos = body, _present_match(body.text, events[event], r) or 0
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
        event == "established"
        and evidence is not None
        and bool(context["intent"].search(evidence.text))
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


def _founding_year(sentences: list[Sentence], r: Rules, story_year: int | None) -> int | None:
    """The year the tie began, from a sentence that reports the founding or an anniversary's
    count of years."""
    events = dict(r.events)
    since: int | None = None
    for s in sentences:
        text = s.text
        founding = _present_match(text, events["established"], r) is not None or bool(
            r.event_context["founding"].search(text)
        )
        if (s.relations or s.refers_to_pair) and founding and since is None:
            since = _past_year(text, story_year, r)
        if _anniversary_cue(text, r) is not None and since is None and story_year:
            years = _anniversary_years(text, r)
            if years:
                since = story_year - years
    return since


_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _latest_year(sentences: list[Sentence]) -> int | None:
    years = [int(m.group(1)) for s in sentences for m in _ANY_YEAR.finditer(s.text)]
    return max(years) if years else None


def _states_existing_tie(text: str, r: Rules) -> bool:
    """A sentence that speaks of the tie as already there: an anniversary, a founding told as
    the start of what followed ("结好以来"), or words such as "its sister city", "자매도시인"
    (in a sentence reporting a signing, only when a year dates it)."""
    if _anniversary_cue(text, r) is not None or r.event_context["founding_since"].search(text):
        return True
    existing_tie = r.event_context["existing_tie"]
    signing = _present_match(text, dict(r.events)["established"], r)
    if signing is not None:
        # A founding dated by a year and followed by the tie's later life ("于2005年结为友好
        # 城市，双方多次互访") is the old tie; a signing alone, or one under a tie named before
        # it ("friendship cities since 1993, signed …"), is news.
        return bool(existing_tie.search(text, signing)) and _YEAR.search(text) is not None
    return bool(existing_tie.search(text))


def _event_cues(
    sentences: list[Sentence],
    r: Rules,
    reference_year: int | None,
    existing: bool,
    held_kinds: set[str],
) -> dict[str, tuple[Sentence, int]]:
    """Each event whose cue a sentence about the pair reports, with the first such sentence and
    the cue's position."""
    context = r.event_context
    found: dict[str, tuple[Sentence, int]] = {}
    for s in sentences:
        text = s.text
        anniversary = _anniversary_cue(text, r)
        past_year = _past_year(text, reference_year, r)
        for event, patterns in r.events:
            pos = _present_match(text, patterns, r, event in _ANNOUNCED_IS_NEWS)
            if event == "anniversary":
                pos = anniversary
            if pos is None:
                continue
            if event == "anniversary" and anniversary is None:
                continue
            if event in _EARLIER_NEWS_IS_BACKGROUND and _told_as_earlier(text[:pos], r):
                continue  # "last year X signed with Y, and …": told as background
            if event == "established":
                if anniversary is not None or context["founding_since"].search(text):
                    continue  # "signed in 1993 and since then …": background
                if past_year is not None and not context["tie_since"].search(text):
                    continue  # "became sister cities in 2007": the founding, told as background
                if _states_existing_tie(text, r):
                    continue  # "结为友好城市，双方多次互访": the old tie's founding
                if _closer_than_held(s, r, _kinds_held_in(s, r)):
                    event = "upgraded"  # "우호교류도시였던 하얼빈시와 자매결연을 맺었다"
                elif existing:
                    event = _signing_between_partners(s, r, held_kinds)
            if event == "suspended" and (
                context["resumed"].search(text) or context["past_pause"].match(text[pos:])
            ):
                continue  # a pause that is over, or one that only dates something else
            if event == "exchange" and not (s.place_positions or s.refers_to_pair or s.is_title):
                continue
            if event == "exchange" and context["ongoing"].search(text):
                continue  # "the two have held exchanges over the years": background
            found.setdefault(event, (s, pos))
    return found


def _told_as_earlier(before: str, r: Rules) -> bool:
    """Earlier time words before a cue, not followed by words of this story's time ("20 years
    ago I signed the twinning, and this time the memorandum …", "20년 전 … 이번 MOU 체결")."""
    ends = [m.end() for m in r.event_context["past_time"].finditer(before)]
    return bool(ends) and not r.event_context["this_time"].search(before[ends[-1] :])


def _kinds_held_in(s: Sentence, r: Rules) -> set[str]:
    """The relations a sentence describes as the tie already held ("우호도시였던", "its
    friendship city"): those whose term lies inside words of an existing tie."""
    spans = [(m.start(), m.end()) for m in r.event_context["existing_tie"].finditer(s.text)]
    return {kind for kind, pos in s.relations if any(a <= pos < b for a, b in spans)}


def _closer_than_held(s: Sentence, r: Rules, held: set[str]) -> bool:
    """The sentence signs a closer tie than the one it describes as held."""
    signed = [_RELATION_RANK[kind] for kind, _ in s.relations if kind not in held]
    return bool(held and signed) and min(signed) < min(_RELATION_RANK[k] for k in held)


def _signing_between_partners(s: Sentence, r: Rules, held_kinds: set[str]) -> str:
    """A signing between old partners: an upgrade if it names a closer tie than the one they
    held (friendship cities since 2009, now a sister-city agreement), else a renewal, whether it
    names the tie or not (a memorandum on youth exchanges, an agreement to strengthen ties: a new
    agreement under the tie); a letter of intent is an exchange."""
    if r.event_context["intent"].search(s.text):
        return "exchange"
    if not s.relations:
        return "renewed"
    signed = min(_RELATION_RANK[kind] for kind, _ in s.relations)
    reaffirmed = _present_match(s.text, dict(r.events)["renewed"], r) is not None
    if held_kinds and not reaffirmed and signed < min(_RELATION_RANK[k] for k in held_kinds):
        return "upgraded"
    return "renewed"


def _near(day: date, story_date: date | None) -> bool:
    """A date that can be the news of a story (not the founding date it recalls)."""
    return story_date is None or abs((story_date - day).days) <= 31


def _anniversary_cue(text: str, r: Rules) -> int | None:
    """An anniversary of the partnership (not of diplomatic ties). A coming celebration is the
    anniversary's news too ("will celebrate the 20th anniversary"); preparations are not yet."""
    pos = _present_match(text, dict(r.events)["anniversary"], r, announced=True)
    if pos is None or r.event_context["diplomatic"].search(text):
        return None
    if r.event_context["preparing"].search(text[max(0, pos - 60) : pos]):
        return None
    if r.event_context["preparing_after"].match(text[pos:]):
        return None
    return pos


_RELATION_RANK = {"sister": 0, "friendly_cooperation": 1, "friendship": 2, "other": 3}


def _first_match(text: str, patterns: list[re.Pattern[str]]) -> int | None:
    positions = [m.start() for p in patterns if (m := p.search(text))]
    return min(positions) if positions else None


def _past_year(text: str, story_year: int | None, r: Rules) -> int | None:
    """The first year before the story's, skipping the year of diplomatic ties ("in December
    1993", "on Oct 23, 1993", "1993年", "1993년")."""
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        if story_year is not None and year >= story_year:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        after = text[m.end() : m.end() + 8]
        diplomatic = r.event_context["diplomatic"]
        if diplomatic.search(before) or diplomatic.search(after):
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


def place_dict(place: Place) -> dict[str, Any]:
    """The place as the pipelines pass it on; a place the gazetteer lacks has ``id: None``, its
    surface form as ``local_name`` and ``unresolved: True``."""
    if is_unresolved(place):
        surface = place.local_name
        name = surface if is_latin(surface) else f"{place.name} ({surface})"
        return {
            **place.as_dict(),
            "name": name,
            "id": None,
            "parent_name": None,
            "unresolved": True,
        }
    return gazetteer().place_dict(place)
