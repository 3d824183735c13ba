"""DedupePipeline: links a story to the one it repeats (same URL, same content, near copy).

Nothing is dropped: the story goes on with ``duplicate_of`` and ``duplicate_kind`` set, and the
store decides what to keep. Stories from earlier runs come from the callable named by the
``SISTERCITY_DEDUPE_SEED`` setting (``callable(settings) -> iterable of records``).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler.scraping.items import Story
from crawler.understanding.fingerprint import NearDuplicateIndex
from crawler.understanding.normalize import normalize_story

logger = logging.getLogger(__name__)


class DedupePipeline:
    def __init__(self, settings: BaseSettings, stats: Any) -> None:
        self.settings = settings
        self.stats = stats
        self.index = NearDuplicateIndex(settings.getfloat("SISTERCITY_DEDUPE_NEAR_THRESHOLD", 0.8))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler.settings, crawler.stats)

    def open_spider(self) -> None:
        seed = self.settings.get("SISTERCITY_DEDUPE_SEED")
        if not seed:
            return
        loader = load_object(seed) if isinstance(seed, str) else seed
        count = self.index.add_records(loader(self.settings))
        self.stats.set_value("sistercity/dedupe/seeded", count)
        logger.info("Duplicate index seeded with %d stored stories", count)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        if not item.story_id or not item.content_hash:
            normalize_story(item)
        match = self.index.find_and_add(
            story_id=item.story_id,
            canonical_url=item.canonical_url,
            content_hash=item.content_hash,
            title=item.title,
            body=item.body,
        )
        if match is not None and match.story_id != item.story_id:
            item.duplicate_of = match.story_id
            item.duplicate_kind = match.kind
            self.stats.inc_value(f"sistercity/dedupe/{match.kind}")
        else:
            self.stats.inc_value("sistercity/dedupe/unique")
        return item
