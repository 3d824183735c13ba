"""Normalization, language detection, ids and hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.scraping.items import Story
from crawler.understanding import language
from crawler.understanding.fingerprint import content_hash
from crawler.understanding.normalize import normalize_story, story_id

KST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qingdao expands sister-city relationships", "en"),
        ("青岛与光州结为友好城市", "zh-Hans"),
        ("國際日報版權所有", "zh-Hant"),
        ("광주시는 칭다오시와 자매결연을 맺었다", "ko"),
    ],
)
def test_paragraph_language(text: str, expected: str) -> None:
    assert language.detect(text) == expected


def test_bilingual_story_is_mixed() -> None:
    story = Story(
        site="china_org_cn",
        url="http://ccpd.china.com.cn/2025-04/18/content_43087770.html",
        canonical_url="http://ccpd.china.com.cn/2025-04/18/content_43087770.html",
        title="Licheng District and Gangnam District deepen exchanges",
        body=[
            "Licheng District and Gangnam District officially became sister cities in 2007.",
            "历城区与江南区于2007年结为友好合作城市,结好18年来,两区通过多次互访开展交流。",
        ],
        published=datetime(2025, 4, 18, 16, 33, tzinfo=timezone(timedelta(hours=8))),
        fetched_at=datetime.now(UTC),
    )
    normalize_story(story)
    assert story.language == "mixed"
    assert story.paragraph_languages == ["en", "zh-Hans"]
    assert story.story_id == "china_org_cn/20250418/43087770"


def test_furniture_out_captions_apart_offset_kept() -> None:
    published = datetime(2024, 11, 22, 11, 52, tzinfo=KST)
    story = Story(
        site="asiae",
        url="https://www.asiae.co.kr/en/article/2024112211525203153",
        canonical_url="https://www.asiae.co.kr/en/article/2024112211525203153",
        title="  Gwangju\u00a0and Qingdao  ",
        body=[
            "Print Print",
            "957.jpg",
            "Song Yongxiang delivers a speech. [Photo/binzhouw.com]",
            "Gwangju signed a sister city agreement.",
            "Gwangju signed a sister city agreement.",
            "© The Asia Business Daily(www.asiae.co.kr). All rights reserved.",
        ],
        published=published,
        fetched_at=datetime.now(UTC),
    )
    normalize_story(story)
    assert story.title == "Gwangju and Qingdao"
    assert story.body == ["Gwangju signed a sister city agreement."]
    assert story.captions == ["Song Yongxiang delivers a speech. [Photo/binzhouw.com]"]
    assert story.published.utcoffset() == timedelta(hours=9)
    assert story.story_id == "asiae/20241122/2024112211525203153"


def test_story_id_falls_back_to_url_hash() -> None:
    assert story_id("x", "https://example.invalid/a", None).startswith("x/")
    assert story_id("x", "https://example.invalid/a", None) == story_id(
        "x", "https://example.invalid/a", None
    )


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Title", ["A  b, c."]) == content_hash("title", ["a b c"])
    assert content_hash("Title", ["a b c"]) != content_hash("Title", ["a b d"])
