"""Sentences of a story, bounded so that understanding stays linear in the story's length.

Per-sentence steps compare mentions with mentions and look around each one, so their cost grows
with the square of a sentence's length; a page whose text comes as one huge paragraph without
full stops (a table, a list of links) must not make that quadratic in the page. So a sentence is
cut into pieces of at most ``MAX_SENTENCE_CHARS`` at a space or comma, and only the first
``MAX_STORY_CHARS`` of a story are read: a news story states its pairs long before that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.understanding.gazetteer import Mention, Place

MAX_SENTENCE_CHARS = 600
MAX_STORY_CHARS = 40_000

_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9가-힣])|(?<=[。！？；])|(?<=다\.)\s*"
)
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|St|No|Gov|Rep|Sen|Prof|Lt|Gen|Co|Corp|Inc|vs|est|approx|ca|Ft|Mt)\.|\b[A-Z]\.)$"
)
_BREAK = re.compile(r"[\s,，、;；]")
# Korean lines broken inside a sentence (a broadcast transcript kept as it was typed): each line
# at most ``WRAPPED_LINE_CHARS`` long, ending in a Hangul syllable that ends no sentence, the
# next starting with one, the last ending the sentence ("…체결했습니다."). Two lines are one
# sentence only when the first ends in a particle or a linking ending ("동구는", "방문하며"): a
# caption ("시청 제공") before a short sentence does not.
WRAPPED_LINE_CHARS = 45
_WRAPPED_LINE = re.compile(r"[가-힣](?<![다요죠까])$")
_OPEN_ENDING = re.compile(r"(?:[은는이가을를와과의에로도만며고서면여게지한된인던]|에서|으로)$")
_HANGUL_START = re.compile(r"^[가-힣]")
_KOREAN_SENTENCE_END = re.compile(r"(?:[다요죠까][.!?]?|[.!?])[\"'”’)]?$")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, none longer than ``MAX_SENTENCE_CHARS``."""
    pieces = [p.strip() for p in _SENTENCE_END.split(paragraph) if p and p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and len(merged[-1]) < MAX_SENTENCE_CHARS and _ABBREVIATIONS.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return [chunk for sentence in merged for chunk in _chunks(sentence)]


def _chunks(sentence: str) -> list[str]:
    out: list[str] = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        window = sentence[: MAX_SENTENCE_CHARS + 1]
        cuts = [m.end() for m in _BREAK.finditer(window, MAX_SENTENCE_CHARS // 2)]
        cut = cuts[-1] if cuts else MAX_SENTENCE_CHARS
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        out.append(sentence)
    return out


def story_paragraphs(title: str | None, paragraphs: list[str]) -> list[tuple[str, bool]]:
    """(sentence, is_title) for the title and the paragraphs, within ``MAX_STORY_CHARS``."""
    title = (title or "")[:MAX_SENTENCE_CHARS]
    out: list[tuple[str, bool]] = [(title, True)] if title else []
    budget = MAX_STORY_CHARS - len(title)
    for paragraph in unwrapped(paragraphs):
        if budget <= 0:
            break
        for text in split_sentences(paragraph[:budget]):
            out.append((text, False))
        budget -= len(paragraph)
    return out


def unwrapped(paragraphs: list[str]) -> list[str]:
    """The paragraphs with each Korean sentence broken over short lines joined again: a run of
    lines that end no sentence, up to the line that ends one. A run that never ends a sentence
    (a menu, a caption before the story) stays as it is."""
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        j = i
        while (
            j + 1 < len(paragraphs)
            and _short_open_line(paragraphs[j])
            and len(paragraphs[j + 1].strip()) <= WRAPPED_LINE_CHARS
            and _HANGUL_START.match(paragraphs[j + 1].strip())
        ):
            j += 1
        ends = j > i and _KOREAN_SENTENCE_END.search(paragraphs[j].strip())
        if ends and (j > i + 1 or _OPEN_ENDING.search(paragraphs[i].strip())):
            out.append(" ".join(p.strip() for p in paragraphs[i : j + 1]))
            i = j + 1
        else:
            out.append(paragraphs[i])
            i += 1
    return out


def _short_open_line(line: str) -> bool:
    line = line.strip()
    return len(line) <= WRAPPED_LINE_CHARS and bool(_WRAPPED_LINE.search(line))


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
