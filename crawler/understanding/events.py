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

_RESUMED = re.compile(
    r"\b(?:resum\w*|restor\w*|reopen\w*|reviv\w*|restart\w*|again|lift\w*)\b|恢复|恢復|重启|重啟|재개|복원|정상화",
    re.I,
)


_FUTURE_BEFORE = re.compile(
    r"(?:\b(?:will|would|shall|expected\s+to|plans?\s+to|planning\s+to|intends?\s+to|is\s+to|are\s+to|"
    r"aims?\s+to|hopes?\s+to|pledg\w*\s+to|vow\w*\s+to|preparations?\s+for|prepare\s+for|preparing\s+for|ahead\s+of|"
    r"work\s+toward)\b[^.;]{0,40}|(?:将|將|拟|擬|计划|計劃|准备|準備|筹备|籌備)[^。，,]{0,10})$",
    re.I,
)


_FUTURE_AFTER = re.compile(r"^[^.。]{0,12}(?:예정|계획|추진|準備|准备)")


_INTENT = re.compile(r"\bletters?\s+of\s+intent\b|\bLOI\b|意向书|意向書|의향서", re.I)


_DIPLOMATIC = re.compile(r"diplomatic|建交|수교", re.I)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*(?:[-–~至到]|to\s)\s*(?:19|20)?\d{2})")


_EVENT_ORDER = [
    "terminated",
    "suspended",
    "upgraded",
    "renewed",
    "established",
    "anniversary",
    "exchange",
]


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


def pair_report(pair: Pair, r: Rules, story_date: date | None) -> dict[str, Any]:
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
