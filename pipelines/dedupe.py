"""DedupePipeline: links a story to the one it repeats (same URL, same content, near copy).

Nothing is dropped: the story goes on with ``duplicate_of`` and ``duplicate_kind`` set, and the
store decides what to keep. Stories from earlier runs come from the callable named by the
``SISTERCITY_DEDUPE_SEED`` setting (``callable(settings) -> iterable of records``).

Spiders of one process that read the same store share those stories: the first spider to open
fills one index from the store, the others build on it, each with its own layer for the
stories it crawls (so what one spider finds is what it found with an index of its own). A
seed callable with a ``snapshot(settings)`` attribute (``storage.loaders.dedupe_seed`` has
one) is shared while its snapshot is unchanged; one without is read by every spider.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler.scraping.items import Story
from crawler.understanding.fingerprint import NearDuplicateIndex
from crawler.understanding.normalize import normalize_story

logger = logging.getLogger(__name__)


@dataclass
class SharedSeed:
    """The stored stories' index, filled once for the spiders whose seed snapshot is ``key``."""

    key: Hashable
    index: NearDuplicateIndex
    count: int
    users: int = 0


_SEEDS: dict[Hashable, SharedSeed] = {}
_SEEDS_LOCK = threading.Lock()


def shared_seed(loader: Callable[[Any], Any], settings: Any, threshold: float) -> SharedSeed:
    """The seeded index for ``loader``'s records, shared while the loader's snapshot of the
    store is unchanged; filled here (once) when there is none yet. Give it back with
    ``release_seed``."""
    snapshot = getattr(loader, "snapshot", None)
    key = snapshot(settings) if snapshot is not None else None
    if key is None:  # nothing tells when the records change: this spider's own
        index = NearDuplicateIndex(threshold)
        return SharedSeed(None, index, index.add_records(loader(settings)), users=1)
    slot = (loader, threshold)
    with _SEEDS_LOCK:
        seed = _SEEDS.get(slot)
        if seed is None or seed.key != key:
            index = NearDuplicateIndex(threshold)
            # One per store: a newer snapshot replaces the older one (its users keep theirs).
            seed = _SEEDS[slot] = SharedSeed(key, index, index.add_records(loader(settings)))
        seed.users += 1
        return seed


def release_seed(seed: SharedSeed) -> None:
    """Drop one user; the last one lets the index go."""
    with _SEEDS_LOCK:
        seed.users -= 1
        if seed.users <= 0:
            for slot, found in list(_SEEDS.items()):
                if found is seed:
                    del _SEEDS[slot]


class DedupePipeline:
    def __init__(self, settings: BaseSettings, stats: Any) -> None:
        self.settings = settings
        self.stats = stats
        self.threshold = settings.getfloat("SISTERCITY_DEDUPE_NEAR_THRESHOLD", 0.8)
        self.index = NearDuplicateIndex(self.threshold)
        self.seed: SharedSeed | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler.settings, crawler.stats)

    def open_spider(self) -> None:
        seed = self.settings.get("SISTERCITY_DEDUPE_SEED")
        if not seed:
            return
        loader = load_object(seed) if isinstance(seed, str) else seed
        self.seed = shared_seed(loader, self.settings, self.threshold)
        self.index = NearDuplicateIndex(self.threshold, base=self.seed.index)
        self.stats.set_value("sistercity/dedupe/seeded", self.seed.count)
        logger.info("Duplicate index seeded with %d stored stories", self.seed.count)

    def close_spider(self) -> None:
        if self.seed is not None:
            release_seed(self.seed)
            self.seed = None

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
