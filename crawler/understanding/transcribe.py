"""Korean transcriptions of Chinese and Japanese place names, by the official rules Korean
papers follow (외래어 표기법): Feicheng is 페이청, Tottori 돗토리. The tables are data
(``data/transcription.yaml``); GeoNames gives the romanized names they apply to."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ"]
_JONG += ["ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ"]


@lru_cache(maxsize=1)
def _tables() -> dict[str, Any]:
    text = resources.files("crawler.understanding").joinpath("data/transcription.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def _ascii_words(name: str) -> list[str]:
    """Lower-case ASCII words of a romanized name: no accents, split at spaces, hyphens and
    apostrophes (Ma'anshan, Aizu-Wakamatsu)."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return [w for w in re.split(r"[\s\-'’ʼ]+", folded) if w]


def pinyin_to_hangul(name: str) -> str | None:
    """A Chinese place's pinyin name in Hangul (Feicheng 페이청, Ma'anshan 마안산); None when
    the name is not pinyin (Uyghur and Tibetan names, English ones)."""
    words = _ascii_words(re.sub(r"\s+(?:city|zhen)$", "", name, flags=re.I))
    if not words:
        return None
    out = []
    for word in words:
        syllables = _split_pinyin(word)
        if syllables is None:
            return None
        out.append("".join(_tables()["pinyin"][s] for s in syllables))
    return "".join(out)


def _split_pinyin(word: str) -> list[str] | None:
    """The word as pinyin syllables, longest first where the rest still splits (xian is one
    syllable, changan chang+an)."""
    table = _tables()["pinyin"]

    @cache
    def split(start: int) -> tuple[str, ...] | None:
        if start == len(word):
            return ()
        for end in range(min(len(word), start + 6), start, -1):
            if word[start:end] in table and (rest := split(end)) is not None:
                return (word[start:end], *rest)
        return None

    found = split(0)
    return list(found) if found is not None else None


_JP_SYLLABLE = re.compile(r"(ky|gy|ny|hy|by|py|my|ry|sh|ch|ts|[kgsztdnhfbpmrwyj])?([aiueo])")


def romaji_to_hangul(name: str) -> str | None:
    """A Japanese place's romaji name in Hangul (Tottori 돗토리, Takatsuki 다카쓰키, Gotemba
    고텐바); None when it does not read as romaji."""
    jp = _tables()["japanese"]
    text = "".join(_ascii_words(re.sub(r"-shi$", "", name)))
    text = re.sub(r"ou|oo", "o", text).replace("uu", "u")  # long vowels are not written
    syllables: list[list[str]] = []  # [initial, vowel, final]
    i = 0
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1 : i + 2] or "."
        if syllables and (ch == "n" or ch == "m" and nxt in "bpm") and nxt not in "aiueoy":
            syllables[-1][2] = "ㄴ"  # ん
            i += 1
            continue
        if syllables and ch not in "aiueon" and (nxt == ch or text.startswith("tch", i)):
            syllables[-1][2] = "ㅅ"  # っ
            i += 1
            continue
        m = _JP_SYLLABLE.match(text, i)
        if m is None:
            return None
        onset, vowel = m.group(1) or "", m.group(2)
        syllables.append(_japanese_syllable(jp, onset, vowel, first=not syllables))
        i = m.end()
    return "".join(_compose(*s) for s in syllables) if syllables else None


def _japanese_syllable(jp: dict[str, Any], onset: str, vowel: str, first: bool) -> list[str]:
    glide = onset in jp["glides"]
    base = onset[0] if glide and onset not in jp["onsets"] else onset
    initial = jp["onsets"][base][0 if first else 1] if base else "ㅇ"
    if onset == "w":
        return ["ㅇ", "ㅘ" if vowel == "a" else jp["vowels"][vowel], ""]
    if vowel == "u" and onset in jp["u_as_eu"]:
        return [initial, "ㅡ", ""]
    return [initial, (jp["glide_vowels"] if glide else jp["vowels"])[vowel], ""]


def _compose(initial: str, vowel: str, final: str) -> str:
    return chr(0xAC00 + (_CHO.index(initial) * 21 + _JUNG.index(vowel)) * 28 + _JONG.index(final))


@lru_cache(maxsize=1)
def _hanja_readings() -> dict[str, str]:
    text = resources.files("crawler.understanding").joinpath("data/hanja.yaml")
    table = yaml.safe_load(text.read_text("utf-8"))["readings"]
    return {c: reading for reading, chars in table.items() for c in chars}


# 두음법칙: a name's first syllable does not start with ㄹ, nor with ㄴ before these vowels.
_Y_VOWELS = frozenset("ㅑㅕㅖㅛㅠㅣ")


def hanja_to_hangul(name: str) -> str | None:
    """A Han name read in Sino-Korean (江苏省 강소성, 辽宁省 요녕성, 青松郡 청송군); None when a
    character has no reading in ``data/hanja.yaml`` (or the name is not Han script)."""
    readings = _hanja_readings()
    out = [readings.get(c) for c in name]
    if not out or any(r is None for r in out):
        return None
    syllables: list[str] = [r for r in out if r is not None]
    code = ord(syllables[0]) - 0xAC00
    initial, vowel, final = _CHO[code // 588], _JUNG[code // 28 % 21], _JONG[code % 28]
    if initial == "ㄹ":
        initial = "ㅇ" if vowel in _Y_VOWELS else "ㄴ"
    elif initial == "ㄴ" and vowel in _Y_VOWELS:
        initial = "ㅇ"
    syllables[0] = _compose(initial, vowel, final)
    return "".join(syllables)
