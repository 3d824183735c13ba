"""Open-vocabulary places: names the gazetteer lacks, recognised by their form in a sentence that
states a relation ("Buan-gun", "凯山丰威汉市", "미야자키현", "twinned with Funhill").

Such a place is kept with its surface form, the country the sentence states for it, and no id
(``id: null`` downstream) rather than dropped or forced onto a wrong city. The vocabulary
(suffixes, boundaries, particles, common words) is data: ``data/open_places.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from anyascii import anyascii

from crawler.understanding.gazetteer import Mention, Place, gazetteer
from crawler.understanding.transcribe import hanja_to_hangul

UNRESOLVED = "unresolved:"
_HAN_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")
_HANGUL_RUN = re.compile("[가-힣]+")
_HANGUL_SPACED = re.compile(
    r"([가-힣]{2,6}) (시|군|현|주|카운티)(?:과의|와의|에서|으로|과|와|의|은|는|이|가|을|를|에|로|측|및)?(?![가-힣])"
)
# Between a place and the one it holds: a space or comma, or the holder's level word when the
# gazetteer matched its bare name ("도쿄도 스미다구", "静冈县 ...").
_GAP_BEFORE = re.compile(r"(?:도|현|주|성|都|府|省|县|縣)?[\s'’s,]*")
_GAP_AFTER = re.compile(r"\s*,\s*|\s+in\s+")
# An upper-case Latin letter, accented ones too (Águeda, Łódź).
_UPPER = "[A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f]"
_LATIN_NEAR_RELATION = re.compile(
    r"(?:\b(?:sister|twin|friendship|partner)[\w\s-]{0,30}?\b(?:with|of|to|in)|\btwinned\s+with)"
    r"\s+(?:the\s+)?(?:(?:city|town|county|district|province|region|prefecture)\s+of\s+)?"
    rf"((?:{_UPPER}[\w'’.-]+)(?:\s+(?:{_UPPER}[\w'’.-]+|de|do|del|la|le|upon|on)){{0,3}})",
)
_LATIN_OWNER = re.compile(
    rf"\b({_UPPER}[\w'’-]+(?:\s+{_UPPER}[\w'’-]+){{0,2}})['’]s\s+(?:\w+\s+){{0,2}}(?:sister|twin|friendship|partner)"
)


@dataclass(frozen=True)
class Vocabulary:
    latin_suffix: re.Pattern[str]
    latin_levels: dict[str, str]
    han_suffixes: list[tuple[str, str]]
    han_boundaries: frozenset[str]
    han_suffix_chars: frozenset[str]
    han_not_after: frozenset[str]
    han_after_number: frozenset[str]
    hangul_suffixes: list[tuple[str, str]]
    hangul_particles: list[str]
    common: frozenset[str]
    not_names: re.Pattern[str]
    home_suffix: dict[str, str]
    country_levels: dict[str, dict[str, str]]
    linked_name: re.Pattern[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    text = resources.files("crawler.understanding").joinpath("data/open_places.yaml")
    data: dict[str, Any] = yaml.safe_load(text.read_text("utf-8"))
    levels = {k.casefold(): v for k, v in data["latin_suffixes"].items()}
    words = "|".join(sorted(map(re.escape, data["latin_suffixes"]), key=len, reverse=True))
    # The level word capitalised as part of the name ("Kisii County"), or a hyphenated Korean
    # one ("Buan-gun"); "countless city twinning" is no place.
    capitalised = "|".join(
        w.capitalize() for w in sorted(data["latin_suffixes"], key=len, reverse=True)
    )
    latin = re.compile(
        rf"\b((?:{_UPPER}[\w'’]+[\s-]){{0,2}}{_UPPER}[\w'’]+)(?:\s|-)({capitalised}|(?<=-)(?:{words}))\b(?![\s-][A-Z])"
    )
    by_length = lambda table: sorted(table.items(), key=lambda kv: -len(kv[0]))  # noqa: E731
    return Vocabulary(
        latin_suffix=latin,
        latin_levels=levels,
        han_suffixes=by_length(data["han_suffixes"]),
        han_boundaries=frozenset(data["han_boundaries"]),
        han_suffix_chars=frozenset("".join(data["han_suffixes"])),
        han_not_after=frozenset(data["han_not_after"]),
        han_after_number=frozenset(data["han_after_number"]),
        hangul_suffixes=by_length(data["hangul_suffixes"]),
        hangul_particles=sorted(data["hangul_particles"], key=len, reverse=True),
        common=frozenset(w for words in data["common_words"].values() for w in words),
        not_names=re.compile("^(?:" + "|".join(map(re.escape, data["not_names"])) + ")$"),
        home_suffix=dict(data["home_suffixes"]),
        country_levels=dict(data.get("country_levels", {})),
        linked_name=re.compile(
            rf"[가-힣]{{2,8}}(?: (?:{'|'.join(data['hangul_name_links'])}))+ [가-힣]{{1,8}}?(시|주)"
            rf"(?:{'|'.join(data['hangul_particles'])})?(?![가-힣])"
        ),
    )


def is_latin(text: str) -> bool:
    """Latin script, accents allowed ("Águeda", "Łódź")."""
    return all(ord(c) < 0x250 for c in text)


def romanized(surface: str) -> str:
    """A readable Latin form of a CJK surface name ("富阳" -> "Fuyang"); Latin names as they are."""
    if is_latin(surface):
        return surface
    words = anyascii(surface).split()
    if re.fullmatch(r"[가-힣 ]+", surface):
        # A Hangul word's last consonant is voiceless in the Revised Romanization (북 is Buk).
        words = [_voiceless_final(w) for w in words]
    return " ".join(part.capitalize() for part in words) or surface


def _voiceless_final(word: str) -> str:
    word = re.sub(r"(?<!n)g$", "k", word)
    return re.sub(r"d$", "t", re.sub(r"b$", "p", word))


def unresolved_place(
    surface: str,
    stem: str,
    level: str,
    country: str | None,
    region: Place | None = None,
    name: str | None = None,
) -> Place:
    """A place the gazetteer lacks, kept with its surface form; ``name`` is its English name
    when known (a region named after its capital city), else the surface form romanized."""
    name = name or romanized(stem)
    return Place(
        parent=region.id if region else None,
        admin1=region.admin1 if region else None,
        id=f"{UNRESOLVED}{country or '?'}:{surface}",
        name=name,
        local_name=surface,
        country=country or "",
        level=level if level in {"city", "county", "district", "province"} else "city",
    )


def is_unresolved(place: Place) -> bool:
    return place.id.startswith(UNRESOLVED)


def open_mentions(text: str, known: list[Mention], unresolved: bool = True) -> list[Mention]:
    """Place-shaped names in ``text`` that overlap none of the ``known`` mentions; without
    ``unresolved``, only those a gazetteer name resolves ("소로카바시" in any sentence)."""
    vocab = vocabulary()
    spans = [(m.start, m.end) for m in known]
    found: list[Mention] = []

    def add(start: int, end: int, stem: str, level: str) -> None:
        if end - start < 2 or any(s < end and start < e for s, e in spans):
            return
        surface = text[start:end]
        if any(w in stem for w in vocab.common):
            return
        # "톨레도시" ends like 도시 ("city"): such a name must be a known place of its country.
        known_only = any(surface.endswith(w) for w in vocab.common)
        # A place found just before counts too ("하이퐁시 레찬군": the county is in that city).
        stated = _stated_country(text, start, end, [*known, *found], level)
        country, region = stated if stated else (None, None)
        if country is None and not any(m.country and m.country != "KR" for m in known):
            country = vocab.home_suffix.get(_suffix_of(surface, vocab))
        level = vocab.country_levels.get(_suffix_of(surface, vocab), {}).get(country or "", level)
        known_places = [
            p for p in gazetteer().lookup_open(stem) if country is None or p.country == country
        ] or _read_as_korean(surface, country)
        sounding = _sounding_like(stem, country, level) if not known_places else None
        if sounding is not None and sounding.level == level:
            known_places = [sounding]
        if not known_places and (known_only or not unresolved) or known_only and not country:
            return
        candidates = known_places or [
            unresolved_place(
                _with_city(surface, region, level),
                stem,
                level,
                country,
                region,
                sounding.name if sounding else None,
            )
        ]
        found.append(Mention(start, end, surface, candidates, hint=level))
        spans.append((start, end))

    for m in vocab.latin_suffix.finditer(text):
        if not vocab.not_names.match(m.group(1).split()[0]):
            add(m.start(), m.end(), m.group(1), vocab.latin_levels[m.group(2).casefold()])
    for pattern in (_LATIN_NEAR_RELATION, _LATIN_OWNER):
        for m in pattern.finditer(text):
            name = m.group(1).rstrip(".")
            if not vocab.not_names.match(name.split()[0]) and not _common_english(name):
                add(m.start(1), m.start(1) + len(name), name, "city")
    _han(text, vocab, add, {m.end for m in known})
    _hangul(text, vocab, add, known)
    return sorted(found, key=lambda x: x.start)


def _with_city(surface: str, region: Place | None, level: str) -> str:
    """A Korean district kept with its city's name ("울산 동구"): 동구, 북구, 중구 are districts of
    many cities, and two of them in one story are two places."""
    if region is None or region.country != "KR" or region.level != "city":
        return surface
    if level not in {"district", "county"}:
        return surface
    city = re.sub("(?:특별자치시|특별시|광역시|시)$", "", region.local_name) or region.local_name
    return f"{city} {surface}"


def _han(text: str, vocab: Vocabulary, add: Any, ends: set[int]) -> None:
    for m in _HAN_RUN.finditer(text):
        run, base = m.group(), m.start()
        stops = {k for k in range(len(run) + 1) if base + k in ends or _han_boundary(run, k, vocab)}
        if base and text[base - 1].isdigit() and run[0] in vocab.han_after_number:
            stops.add(1)  # "2月聖蓋博市": a date's unit ends before the name
        i = 2
        while i < len(run):
            hit = next(
                ((sfx, lvl) for sfx, lvl in vocab.han_suffixes if run.startswith(sfx, i)), None
            )
            if hit is None:
                i += 1
                continue
            end = i + len(hit[0])
            # 市长, 县委: a title or an office, not a place.
            if run[end : end + 1] not in vocab.han_not_after:
                # The name must start where a word can: after a boundary or a named place.
                start = max((k for k in stops if k <= i), default=0)
                if 2 <= i - start <= 5:
                    add(base + start, base + end, run[start:i], hit[1])
            i = end


def linked_name(text: str, start: int) -> tuple[int, str, str] | None:
    """A foreign name written spaced from ``start`` ("산후안 데 로스 라고스시"): its end, its
    name before the level word and its level; None when none starts there."""
    vocab = vocabulary()
    m = vocab.linked_name.match(text, start)
    if m is None:
        return None
    return m.end(1), text[start : m.start(1)], dict(vocab.hangul_suffixes)[m.group(1)]


def _read_as_korean(surface: str, country: str | None) -> list[Place]:
    """A Korean town a Chinese text writes in Han script ("韩国青松郡"): the places of its
    Sino-Korean reading (청송군), the country stated as Korea."""
    if country != "KR" or not _HAN_RUN.fullmatch(surface):
        return []
    reading = hanja_to_hangul(surface)
    return [p for p in gazetteer().lookup(reading) if p.country == "KR"] if reading else []


def _sounding_like(stem: str, country: str | None, level: str) -> Place | None:
    """The place of the stated foreign country a Hangul transcription sounds like ("크즐오르다주"
    is Kyzylorda's region): a city for a city, else its name for the unresolved place."""
    # Not a Chinese one: Chinese transcribes loosely and translates too (华盛顿 sounds Houston).
    stem = stem.replace(" ", "")  # "산타페 데 안티오키아" is one name
    if not country or not _HANGUL_RUN.fullmatch(stem):
        return None
    found = gazetteer().sounding_like(stem, country)
    same_level = [p for p in found if p.level == level]
    return (same_level or found or [None])[0]


def _suffix_of(surface: str, vocab: Vocabulary) -> str:
    return next((sfx for sfx, _ in vocab.hangul_suffixes if surface.endswith(sfx)), "")


def _han_boundary(run: str, start: int, vocab: Vocabulary) -> bool:
    return (
        start == 0
        or run[start - 1] in vocab.han_boundaries
        or run[start - 1] in vocab.han_suffix_chars
    )


def _hangul(text: str, vocab: Vocabulary, add: Any, known: list[Mention]) -> None:
    cities_before = {m.end + 1 for m in known if m.candidates and m.candidates[0].level == "city"}
    # "콜롬비아 산타페 데 안티오키아시": a foreign name written spaced, after a stated country.
    for m in vocab.linked_name.finditer(text):
        level = dict(vocab.hangul_suffixes)[m.group(1)]
        if _stated_country(text, m.start(), m.end(1), known, level) is not None:
            add(m.start(), m.end(1), text[m.start() : m.start(1)], level)
    for m in _HANGUL_RUN.finditer(text):
        word = m.group()
        for particle in vocab.hangul_particles:
            if word.endswith(particle) and len(word) > len(particle) + 1:
                word = word[: -len(particle)]
                break
        for suffix, level in vocab.hangul_suffixes:
            stem = word[: -len(suffix)]
            # "울산 동구": a one-syllable district right after its city.
            shortest = 1 if m.start() in cities_before and level in {"district", "county"} else 2
            if word.endswith(suffix) and shortest <= len(stem) <= 6:
                add(m.start(), m.start() + len(word), stem, level)
                break
    # "일본 후지에다 시와": the suffix written apart, after a stated country.
    for m in _HANGUL_SPACED.finditer(text):
        level = dict(vocab.hangul_suffixes)[m.group(2)]
        if _stated_country(text, m.start(), m.end(), known, level) is not None:
            add(m.start(), m.end(2), m.group(1), level)


def _stated_country(
    text: str, start: int, end: int, known: list[Mention], level: str = "city"
) -> tuple[str, Place | None] | None:
    """The country named right before ("일본 미야자키현", "老挝凯山丰威汉市") or right after
    ("Kisii County, Kenya"), else the country of a place named right before it ("경기도 파주시",
    "도쿄 스미다구"), with that place when it is a region the unresolved one lies in."""
    latin = text[start:end].isascii()
    for m in known:
        gap_before = text[m.end : start]
        gap_after = text[end : m.start]
        if m.end <= start and len(gap_before) <= 4 and _GAP_BEFORE.fullmatch(gap_before):
            if m.country:
                return m.country, None
            if m.candidates:
                place = m.candidates[0]
                holds = place.level == "province" or (
                    place.level == "city" and level in {"district", "county"}
                )
                return place.country, place if holds else None
        if latin and m.country and m.start >= end and _GAP_AFTER.fullmatch(gap_after):
            return m.country, None
    return None


# About once in 33,000 English words: the 3,000 or so most common words.
_COMMON_ENGLISH_FREQUENCY = 3e-5


@lru_cache(maxsize=1)
def _common_english_words() -> frozenset[str]:
    """The common English words alone. wordfreq's own look-ups keep its whole list (27 MB) for
    the life of the crawl; its small list, read once and dropped, has every word this needs."""
    from wordfreq import available_languages, cB_to_freq, read_cBpack

    words: set[str] = set()
    for index, bucket in enumerate(read_cBpack(available_languages("small")["en"])):
        if cB_to_freq(-index) <= _COMMON_ENGLISH_FREQUENCY:
            break
        words.update(bucket)
    return frozenset(words)


def _common_english(name: str) -> bool:
    """A word most English text uses ("League", "International") is not a town's name."""
    return all(w.casefold() in _common_english_words() for w in name.split())


def bare_mentions(text: str, named: dict[str, Mention], known: list[Mention]) -> list[Mention]:
    """A foreign place the story names once with its suffix ("도코로자와시") and elsewhere bare,
    with a gloss or a particle after it ("도코로자와(所澤)", "도코로자와와"), or with its suffix
    again where nothing states its country ("도코로자와시를"): the same place."""
    vocab = vocabulary()
    spans = [(m.start, m.end) for m in known]
    found = []
    for stem, mention in named.items():
        suffix = mention.text[len(stem) :]
        for m in re.finditer(re.escape(stem), text):
            start, end = m.start(), m.end()
            if suffix and text.startswith(suffix, end):
                end += len(suffix)
            if any(s < end and start < e for s, e in spans):
                continue
            if start and _HANGUL_SYLLABLE.match(text[start - 1]):
                continue
            rest = text[end:]
            if rest and _HANGUL_SYLLABLE.match(rest[0]):
                if not any(rest.startswith(p) for p in vocab.hangul_particles):
                    continue
            surface = text[start:end]
            found.append(Mention(start, end, surface, list(mention.candidates), hint=mention.hint))
            spans.append((start, end))
    return found


def suffixed_names(mentions: list[Mention]) -> dict[str, Mention]:
    """Foreign Hangul names found with a level suffix that the gazetteer resolves, by stem."""
    vocab = vocabulary()
    out = {}
    for m in mentions:
        if not m.candidates or is_unresolved(m.candidates[0]) or m.candidates[0].country == "KR":
            continue
        suffix = _suffix_of(m.text, vocab)
        stem = m.text[: -len(suffix)] if suffix else ""
        if len(stem) >= 3 and all(_HANGUL_SYLLABLE.match(ch) for ch in stem):
            out.setdefault(stem, m)
    return out


_HANGUL_SYLLABLE = re.compile(r"[가-힣]")
