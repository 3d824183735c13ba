"""ClassifyPipeline: is it a partnership story, which pairs, which relation and event.

It also links reports of one event: the same pair and event dated within
``SISTERCITY_EVENT_WINDOW_DAYS`` of an earlier story in the run share that story's event key.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.scraping.items import Story
from crawler.understanding.extract import classify_story
from crawler.understanding.fingerprint import EventIndex


class ClassifyPipeline:
    def __init__(self, stats: Any, window_days: int = 7) -> None:
        self.stats = stats
        self.events = EventIndex(window_days)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        return cls(crawler.stats, crawler.settings.getint("SISTERCITY_EVENT_WINDOW_DAYS", 7))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        classify_story(item)
        item.event_keys = list(dict.fromkeys(self.events.key_for(p) for p in item.partnerships))
        verdict = "partnership" if item.is_partnership_story else "other"
        self.stats.inc_value(f"sistercity/classify/{verdict}")
        self.stats.inc_value("sistercity/classify/pairs", len(item.partnerships))
        return item
