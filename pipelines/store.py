"""StorePipeline: files every story in the store and counts what it did.

The store is opened in ``open_spider`` (never in ``__init__``) from ``SISTERCITY_DB_URL``.
Stats: ``sistercity/store/<new|changed|unchanged|error>``, ``sistercity/register/new`` and
``sistercity/register/changed``. ``SISTERCITY_RUN_ID`` (set by ``sistercity crawl``) ties the
stories to that crawl run. With ``SISTERCITY_FEEDS_ON_CLOSE`` the feeds are rebuilt when the
spider closes (``sistercity crawl`` does this itself once all sites are done).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.items import Story
from storage.loaders import db_url
from storage.repository import StoreConfig, StoryStore

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, settings: BaseSettings, stats: Any) -> None:
        self.settings = settings
        self.stats = stats
        self.store: StoryStore | None = None
        self.run_id: int | None = settings.getint("SISTERCITY_RUN_ID") or None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler.settings, crawler.stats)

    def open_spider(self) -> None:
        config = StoreConfig(
            event_window_days=self.settings.getint("SISTERCITY_EVENT_WINDOW_DAYS", 7),
            min_confidence=self.settings.getfloat("SISTERCITY_REGISTER_MIN_CONFIDENCE", 0.5),
        )
        url = db_url(self.settings)
        if url is None:
            raise ValueError("SISTERCITY_DB_URL is not set")
        self.store = StoryStore.open(url, config)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story) or self.store is None:
            return item
        change = self.store.record(item, run_id=self.run_id)
        self.stats.inc_value(f"sistercity/store/{change.kind}")
        if change.reparsed:
            self.stats.inc_value("sistercity/store/reparsed")
        if change.partnerships_new:
            self.stats.inc_value("sistercity/register/new", change.partnerships_new)
        if change.partnerships_changed:
            self.stats.inc_value("sistercity/register/changed", change.partnerships_changed)
        if change.kind == "error":
            logger.error("Could not store %s: %s", item.url, change.reason)
        return item

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
            if self.settings.getbool("SISTERCITY_FEEDS_ON_CLOSE"):
                from storage.feeds import FeedConfig, publish

                publish(
                    self.store,
                    self.settings["SISTERCITY_FEEDS_DIR"],
                    FeedConfig.from_settings(self.settings),
                )
        finally:
            self.store.close()
            self.store = None
