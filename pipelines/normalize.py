"""NormalizePipeline: NFC text, boilerplate out, languages, story id, content hash, dates."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.scraping.budget import BudgetExceeded, time_budget
from crawler.scraping.items import Story
from crawler.scraping.parsing import MAX_PARAGRAPH_CHARS, bound_paragraphs
from crawler.understanding.normalize import normalize_story


class NormalizePipeline:
    def __init__(self, stats: Any, budget: float = 0.0, crawler: Crawler | None = None) -> None:
        self.stats = stats
        self.budget = budget
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(
            crawler.stats, crawler.settings.getfloat("SISTERCITY_STORY_TIME_BUDGET"), crawler
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        # Whatever path the story came by, its text is bounded before the text rules run.
        item.title = (item.title or "")[:MAX_PARAGRAPH_CHARS]
        item.body = bound_paragraphs(item.body)
        item.captions = bound_paragraphs(item.captions)
        try:
            with time_budget(self.budget):
                normalize_story(item)
        except BudgetExceeded as exc:
            self.stats.inc_value("sistercity/normalize/timed_out")
            spider = getattr(self.crawler, "spider", None)
            if spider is not None and hasattr(spider, "failed"):
                spider.failed.append((item.url, f"could not clean: {exc}"))
            raise DropItem(f"Story {item.url} {exc}") from None
        self.stats.inc_value("sistercity/normalize/stories")
        self.stats.inc_value(f"sistercity/normalize/language/{item.language}")
        return item
