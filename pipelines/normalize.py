"""NormalizePipeline: NFC text, boilerplate out, languages, story id, content hash, dates."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.items import Story
from crawler.understanding.normalize import normalize_story


class NormalizePipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        normalize_story(item)
        self.stats.inc_value("sistercity/normalize/stories")
        self.stats.inc_value(f"sistercity/normalize/language/{item.language}")
        return item
