"""StorePipeline: files every story in the store and counts what it did.

The store is opened in ``open_spider`` (never in ``__init__``) from ``SISTERCITY_DB_URL``.
Stats: ``sistercity/store/<new|changed|unchanged|error>``, ``sistercity/register/new`` and
``sistercity/register/changed``. ``SISTERCITY_RUN_ID`` (set by ``sistercity crawl``) ties the
stories to that crawl run. With ``SISTERCITY_FEEDS_ON_CLOSE`` the feeds are rebuilt when the
spider closes (``sistercity crawl`` does this itself once all sites are done).

Filing runs on a writer thread, off the reactor, so downloading and parsing go on while the
database works: stories are committed in batches of ``SISTERCITY_STORE_BATCH_SIZE`` or every
``SISTERCITY_STORE_BATCH_SECONDS``, whichever comes first. A story's item is handed on (and
counted as scraped) only once its batch is committed, so nothing Scrapy reports as done can be
lost; a killed crawl loses at most the uncommitted batch, and those stories are not in the
store, so the next run fetches them again. Spiders of one process that use the same store share
one writer (SQLite has one writer at a time anyway). At most ``SISTERCITY_STORE_MAX_QUEUED``
stories wait for the writer: a story that finds the queue full waits in the pipeline, without
blocking the reactor, and its crawl's engine is paused (no new downloads) until the writer has
taken a batch, so stories do not pile up in memory while the database falls behind. When all
a crawl has left to do is wait for its stories to be committed (nothing downloading, scheduled
or being parsed), the batch is committed at once instead of after its seconds.
``SISTERCITY_STORE_BATCH_SIZE = 1`` files each story on the reactor thread as it comes, one
transaction each.

A ``SeenAgain`` (the spider fetched a stored story's page again with the same bytes) is filed
as a sighting (``last_seen``, the run's unchanged count) and then dropped at DEBUG level, so
it is counted but never exported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor, threads
from twisted.python.failure import Failure

from crawler.scraping.items import Story
from storage.loaders import db_url
from storage.repository import Change, SeenAgain, StoreConfig, StoryStore

logger = logging.getLogger(__name__)

Deliver = Callable[[Callable[..., Any], Any], None]

_FLUSH = object()  # in the writer's queue: commit the batch being filled now
# How often a crawl whose stories wait for the writer looks whether it waits for nothing else.
IDLE_CHECK_SECONDS = 0.1


class StoreWriter:
    """One thread that files stories in batches, one transaction per batch.

    ``submit(story, done)`` queues a story; ``done(change)`` is called through ``deliver``
    (the reactor's ``callFromThread`` in a crawl) once the story's batch is committed.
    ``submit`` never blocks; callers that respect the bound ask ``has_room`` first and else
    wait for ``room()``, which fires (through ``deliver``) once the writer has taken a batch.
    """

    def __init__(
        self,
        store: StoryStore,
        run_id: int | None,
        *,
        batch_size: int = 100,
        batch_seconds: float = 2.0,
        max_queued: int = 0,
        deliver: Deliver | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.deliver: Deliver = deliver or (lambda fn, arg: reactor.callFromThread(fn, arg))
        # Room for one batch being filled while one is written; 0 asks for that default.
        self.max_queued = max(self.batch_size, max_queued or 2 * self.batch_size)
        self.jobs: queue.Queue[Any] = queue.Queue()  # (story, done), _FLUSH or None: stop
        self.waiting: list[defer.Deferred[None]] = []  # touched on the deliver side only
        self.users = 0
        self.batches = 0
        self.thread = threading.Thread(target=self._run, name="sistercity-store", daemon=True)
        self.thread.start()

    def submit(self, story: Any, done: Callable[[Change], Any]) -> None:
        self.jobs.put((story, done))

    def flush(self) -> None:
        """Commit the batch being filled without waiting for it to fill or for its seconds."""
        self.jobs.put(_FLUSH)

    def has_room(self) -> bool:
        return self.jobs.qsize() < self.max_queued

    def room(self) -> defer.Deferred[None]:
        """Fires once the writer has taken stories off a full queue (ask ``has_room`` again:
        others may have been waiting too)."""
        waiter: defer.Deferred[None] = defer.Deferred()
        self.waiting.append(waiter)
        return waiter

    def _wake(self, _: Any = None) -> None:
        waiting, self.waiting = self.waiting, []
        for waiter in waiting:
            waiter.callback(None)

    def close(self) -> None:
        """Commit what is queued and stop the thread (blocks until then)."""
        self.jobs.put(None)
        self.thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            job = self.jobs.get()
            if job is None:
                break
            if job is _FLUSH:  # nothing being filled
                continue
            batch = [job]
            deadline = time.monotonic() + self.batch_seconds
            while len(batch) < self.batch_size:
                try:
                    more = self.jobs.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                if more is _FLUSH:
                    break
                batch.append(more)
            self.deliver(self._wake, None)  # the queue has room again while this batch is written
            self._file(batch)

    def _file(self, batch: list[tuple[Any, Callable[[Change], Any]]]) -> None:
        try:
            changes = self.store.record_many([story for story, _ in batch], run_id=self.run_id)
        except Exception as exc:  # noqa: BLE001 - the store is gone: say so for every story
            logger.exception("Could not store a batch of %d stories", len(batch))
            changes = [Change(kind="error", reason=f"{type(exc).__name__}: {exc}") for _ in batch]
        self.batches += 1
        for (story, done), change in zip(batch, changes, strict=True):
            queue_unusable(self.store, story, change)
            self.deliver(done, change)
        del batch, changes
        release_freed_memory()


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Hand the pages malloc holds free back to the system. A batch's raw pages and SQL
    parameters are large allocations freed on the writer thread, whose malloc arena otherwise
    keeps them: without this a crawl's resident memory grows with every batch that was large."""
    if _TRIM is not None:
        _TRIM(0)


def queue_unusable(store: StoryStore, story: Any, change: Change) -> None:
    """A story fetched but not usable (no text, garbled) is fetched again on the next runs."""
    if change.kind == "error" and isinstance(story, Story):
        try:
            store.queue_retry(story.site, story.url, change.reason)
        except Exception:  # noqa: BLE001 - the store itself failed: the error is logged already
            logger.exception("Could not queue %s for a retry", story.url)


_WRITERS: dict[tuple[str, int | None, StoreConfig], StoreWriter] = {}
_WRITERS_LOCK = threading.Lock()


def shared_writer(
    url: str,
    run_id: int | None,
    config: StoreConfig,
    batch_size: int,
    batch_seconds: float,
    max_queued: int = 0,
) -> StoreWriter:
    with _WRITERS_LOCK:
        key = (url, run_id, config)
        writer = _WRITERS.get(key)
        if writer is None:
            writer = _WRITERS[key] = StoreWriter(
                StoryStore.open(url, config),
                run_id,
                batch_size=batch_size,
                batch_seconds=batch_seconds,
                max_queued=max_queued,
            )
        writer.users += 1
        return writer


def release_writer(writer: StoreWriter) -> bool:
    """Drop one user; the last one closes the writer and its store. True when it was closed."""
    with _WRITERS_LOCK:
        writer.users -= 1
        if writer.users > 0:
            return False
        for key, found in list(_WRITERS.items()):
            if found is writer:
                del _WRITERS[key]
    writer.close()
    writer.store.close()
    return True


class StorePipeline:
    def __init__(self, settings: BaseSettings, stats: Any, crawler: Crawler | None = None) -> None:
        self.settings = settings
        self.stats = stats
        self.crawler = crawler
        self.held_back = 0  # stories of this crawl waiting for room in the writer's queue
        self.filing = 0  # stories of this crawl handed to the writer and not committed yet
        self.checking = False  # an idle check is scheduled
        self.store: StoryStore | None = None
        self.writer: StoreWriter | None = None
        self.run_id: int | None = settings.getint("SISTERCITY_RUN_ID") or None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler.settings, crawler.stats, crawler)

    def open_spider(self) -> None:
        config = StoreConfig(
            event_window_days=self.settings.getint("SISTERCITY_EVENT_WINDOW_DAYS", 7),
            min_confidence=self.settings.getfloat("SISTERCITY_REGISTER_MIN_CONFIDENCE", 0.5),
            # Without a crawl run (plain `scrapy crawl`), pairs are settled when the spider
            # closes, as `sistercity crawl` settles them when its run finishes.
            settle_at_end=self.run_id is None,
        )
        url = db_url(self.settings)
        if url is None:
            raise ValueError("SISTERCITY_DB_URL is not set")
        batch_size = self.settings.getint("SISTERCITY_STORE_BATCH_SIZE", 100)
        if batch_size <= 1:
            self.store = StoryStore.open(url, config)
            return
        self.writer = shared_writer(
            url,
            self.run_id,
            config,
            batch_size,
            self.settings.getfloat("SISTERCITY_STORE_BATCH_SECONDS", 2.0),
            self.settings.getint("SISTERCITY_STORE_MAX_QUEUED", 0),
        )
        self.store = self.writer.store

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story | SeenAgain) or self.store is None:
            return item
        if self.writer is None:
            change = self.store.record(item, run_id=self.run_id)
            queue_unusable(self.store, item, change)
            self._count(item, change)
            if isinstance(item, SeenAgain):
                raise self._seen(item)
            return item
        filed: defer.Deferred[Any] = defer.Deferred()

        def done(change: Change) -> None:
            self.filing -= 1
            self._count(item, change)
            if isinstance(item, SeenAgain):
                filed.errback(Failure(self._seen(item)))
            else:
                filed.callback(item)

        if not self.writer.has_room():
            await self._wait_for_room(self.writer)
        self.filing += 1
        self.writer.submit(item, done)
        self._check_idle_soon()
        return await maybe_deferred_to_future(filed)

    def _check_idle_soon(self) -> None:
        if not self.checking and self.crawler is not None:
            self.checking = True
            reactor.callLater(IDLE_CHECK_SECONDS, self._flush_when_idle)

    def _flush_when_idle(self) -> None:
        """While this crawl's stories wait for the writer: once they are all the crawl waits
        for, have the writer commit them now; else look again a little later."""
        self.checking = False
        if self.writer is None or self.filing <= 0:
            return
        if self._waits_only_for_the_store():
            self.writer.flush()
        else:
            self._check_idle_soon()

    def _waits_only_for_the_store(self) -> bool:
        """Nothing downloading, scheduled or left to start, no response waiting to be parsed,
        and every item in the pipelines is one of this crawl's stories waiting for a commit."""
        engine = self.crawler.engine if self.crawler is not None else None
        try:
            slot = engine.scraper.slot  # type: ignore[union-attr]
            return bool(
                not engine.downloader.active  # type: ignore[union-attr]
                and engine._start is None  # type: ignore[union-attr]  # noqa: SLF001
                and not engine._slot.scheduler.has_pending_requests()  # type: ignore[union-attr]  # noqa: SLF001
                and slot is not None
                and not slot.queue
                and slot.itemproc_size <= self.filing
            )
        except AttributeError:  # another Scrapy's engine: wait for the batch's seconds
            return False

    async def _wait_for_room(self, writer: StoreWriter) -> None:
        """Wait until the writer's queue has room, with this crawl's downloads paused meanwhile:
        every story downloaded now would only wait here too, holding its page in memory."""
        engine = self.crawler.engine if self.crawler is not None else None
        self.held_back += 1
        if engine is not None and self.held_back == 1:
            engine.pause()
        try:
            while not writer.has_room():
                await maybe_deferred_to_future(writer.room())
        finally:
            self.held_back -= 1
            if engine is not None and self.held_back == 0:
                engine.unpause()

    @staticmethod
    def _seen(item: SeenAgain) -> DropItem:
        """A sighting is filed, not exported: it leaves the pipeline here, quietly."""
        return DropItem(f"seen again unchanged: {item.url}", log_level="DEBUG")

    def _count(self, item: Story | SeenAgain, change: Change) -> None:
        self.stats.inc_value(f"sistercity/store/{change.kind}")
        if change.reparsed:
            self.stats.inc_value("sistercity/store/reparsed")
        if change.partnerships_new:
            self.stats.inc_value("sistercity/register/new", change.partnerships_new)
        if change.partnerships_changed:
            self.stats.inc_value("sistercity/register/changed", change.partnerships_changed)
        if change.kind == "error":
            logger.error("Could not store %s: %s", item.url, change.reason)

    async def close_spider(self) -> None:
        if self.store is None:
            return
        if self.writer is None:
            self._publish_and_close(self.store)
            return
        writer, self.writer = self.writer, None
        # Waiting for the writer blocks, so it happens on a pool thread, not the reactor.
        await maybe_deferred_to_future(threads.deferToThread(self._finish_shared, writer))

    def _finish_shared(self, writer: StoreWriter) -> None:
        try:
            self._settle(writer.store)  # the scraper has waited for every item's commit
            self._publish(writer.store)
        finally:
            release_writer(writer)
            self.store = None

    def _publish_and_close(self, store: StoryStore) -> None:
        try:
            self._settle(store)
            self._publish(store)
        finally:
            store.close()
            self.store = None

    def _settle(self, store: StoryStore) -> None:
        if self.run_id is None:
            self.stats.inc_value("sistercity/register/settled", store.settle_pending())

    def _publish(self, store: StoryStore) -> None:
        if not self.settings.getbool("SISTERCITY_FEEDS_ON_CLOSE"):
            return
        from storage.feeds import FeedConfig, publish

        publish(
            store,
            self.settings["SISTERCITY_FEEDS_DIR"],
            FeedConfig.from_settings(self.settings),
        )
