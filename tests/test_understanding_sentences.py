"""Understanding stays linear in a story's length: sentences and the text read are bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.scraping.items import Story
from crawler.understanding import extract
from crawler.understanding.sentences import (
    MAX_SENTENCE_CHARS,
    MAX_STORY_CHARS,
    split_sentences,
)


def _story(title: str, body: list[str]) -> Story:
    return Story(
        site="t",
        url="https://t.invalid/1",
        canonical_url="https://t.invalid/1",
        title=title,
        body=body,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_a_paragraph_without_full_stops_is_cut_into_bounded_sentences() -> None:
    paragraph = " ".join(["Qingdao signed a sister city agreement with Busan"] * 1000)  # 50 KB
    pieces = split_sentences(paragraph)
    assert max(map(len, pieces)) <= MAX_SENTENCE_CHARS
    # Cut at spaces: no word is broken and nothing is lost.
    assert " ".join(pieces).split() == paragraph.split()


def test_a_huge_story_is_read_only_up_to_the_cap() -> None:
    paragraph = "青岛市与釜山广域市缔结友好城市关系，双方代表团访问交流" * 8000  # 200 K chars
    sentences = extract._sentences(_story("x" * 5000, [paragraph, paragraph]))
    assert max(len(s.text) for s in sentences) <= MAX_SENTENCE_CHARS
    assert sum(len(s.text) for s in sentences) <= MAX_STORY_CHARS


def test_ordinary_sentences_are_kept_whole() -> None:
    text = "Yantai signed a sister city agreement with Ulsan. Mr. Kim visited Busan on May 3."
    assert split_sentences(text) == [
        "Yantai signed a sister city agreement with Ulsan.",
        "Mr. Kim visited Busan on May 3.",
    ]
