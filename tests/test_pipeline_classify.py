"""The classifier's case table (tests/resources/classify_cases.yaml), one test per case, and the
pipeline wiring: stats, event keys shared by reports of one event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from scrapy.utils.test import get_crawler

from crawler.scraping.items import Story
from pipelines.classify import ClassifyPipeline
from pipelines.normalize import NormalizePipeline

CASES = yaml.safe_load(
    (Path(__file__).parent / "resources" / "classify_cases.yaml").read_text("utf-8")
)


def make_story(case: dict, url: str = "https://example.invalid/story/12345") -> Story:
    return Story(
        site="test",
        url=url,
        canonical_url=url,
        title=case["title"],
        body=list(case["body"]),
        published=datetime.fromisoformat(case["published"]),
        fetched_at=datetime.now(UTC),
    )


def run_pipelines(story: Story) -> tuple[Story, dict]:
    crawler = get_crawler()
    crawler.stats.open_spider()
    for cls in (NormalizePipeline, ClassifyPipeline):
        story = cls.from_crawler(crawler).process_item(story)
    return story, crawler.stats.get_stats()


@pytest.mark.parametrize("key", sorted(CASES))
def test_classify_case(key: str) -> None:
    case = CASES[key]
    story, _ = run_pipelines(make_story(case))
    assert story.is_partnership_story is case["expected_label"]
    if not case["expected_label"]:
        assert story.partnerships == []
        return
    pairs = {frozenset((p["a"]["id"], p["b"]["id"])): p for p in story.partnerships}
    found = pairs[frozenset(case["pair"])]
    assert found["event"] == case["event"]
    assert found["a"]["id"] < found["b"]["id"]
    for name in ("relation", "since_year", "event_date", "status"):
        if name in case:
            assert found.get(name) == case[name], name
    if case.get("only_pair"):
        # No place that only locates a partner, and no person, becomes a partner of its own.
        assert set(pairs) == {frozenset(case["pair"])}


def test_pipeline_counts_verdicts() -> None:
    _, stats = run_pipelines(make_story(CASES["established-en"]))
    assert stats["sistercity/classify/partnership"] == 1
    assert stats["sistercity/classify/pairs"] == 1


def test_reports_of_one_event_share_an_event_key() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    pipeline = ClassifyPipeline.from_crawler(crawler)
    first = make_story(CASES["established-en"], "https://a.invalid/1111")
    later = make_story(
        {
            **CASES["established-en"],
            "body": ["Ulsan and Yantai became sister cities this week."],
            "published": "2023-05-22T09:00:00+09:00",
        },
        "https://b.invalid/2222",
    )
    keys = [pipeline.process_item(s).event_keys for s in (first, later)]
    assert keys[0] and keys[0] == keys[1]
