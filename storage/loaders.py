"""The two callables the crawl settings point at, so spiders and the dedupe stage can read the
store without knowing it: ``SISTERCITY_KNOWN_URLS`` and ``SISTERCITY_DEDUPE_SEED``.

``settings`` is anything with ``.get(name)`` (Scrapy's Settings in a crawl); the store URL is
``SISTERCITY_DB_URL`` there (the crawl settings default it). A store that is not configured or
does not exist yet knows no URLs and seeds nothing (a first crawl must not create it from here).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from storage.repository import StoryStore

logger = logging.getLogger(__name__)


def db_url(settings: Any) -> str | None:
    url = settings.get("SISTERCITY_DB_URL") if settings is not None else None
    return str(url) if url else None


def _exists(url: str | None) -> bool:
    if not url:
        return False
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return True
    return Path(parsed.database).exists()


def known_urls(settings: Any, site: str) -> set[str]:
    """Canonical URLs of the ``site``'s stories already in the store."""
    url = db_url(settings)
    if url is None or not _exists(url):
        return set()
    with StoryStore.open(url) as store:
        current = settings.get("SISTERCITY_RUN_ID") if settings is not None else None
        previous = [r for r in store.recent_site_runs(site, 2) if r.run_id != current]
        if previous and previous[0].finished_at is None:
            # The last crawl was killed mid-way: the listing pages past where it stopped were
            # never walked, so knowing page 1 says nothing about them. Walk everything once.
            logger.warning("The last crawl of %s did not finish; walking every listing page", site)
            return set()
        return store.known_canonical_urls(site)


def known_pages(settings: Any, site: str) -> dict[str, tuple[str, str, int]]:
    """canonical URL -> (raw hash, parser version, pages) of the ``site``'s stored stories: a page
    fetched again with the same bytes is not parsed again (``StoryStore.page_fingerprints``)."""
    url = db_url(settings)
    if not _exists(url):
        return {}
    with StoryStore.open(url) as store:
        return store.page_fingerprints(site)


def dedupe_seed(settings: Any) -> Iterator[dict[str, Any]]:
    """Records (story_id, site, canonical_url, content_hash, title, body) of every stored story.

    With ``SISTERCITY_DEDUPE_WINDOW_DAYS`` set (60 in the crawl settings), only stories first
    seen within that many days carry their text for the near-duplicate index; older ones carry
    URL and content hash only, so a crawl's start-up does not grow with the whole store. Unset
    or 0: every story carries its text."""
    url = db_url(settings)
    if url is None or not _exists(url):
        return
    days = int((settings.get("SISTERCITY_DEDUPE_WINDOW_DAYS") if settings is not None else 0) or 0)
    since = datetime.now(UTC) - timedelta(days=days) if days > 0 else None
    with StoryStore.open(url) as store:
        yield from store.fingerprint_records(since=since)


def dedupe_seed_snapshot(settings: Any) -> tuple[Any, ...] | None:
    """What ``dedupe_seed`` would yield now, as a key: the store, the window and the store's
    latest story version (every new or changed story adds one). Spiders of one crawl whose
    snapshots are equal share one seeded index (``pipelines.dedupe``); None: do not share."""
    url = db_url(settings)
    if url is None or not _exists(url):
        return None
    days = int((settings.get("SISTERCITY_DEDUPE_WINDOW_DAYS") if settings is not None else 0) or 0)
    try:
        with StoryStore.open(url) as store:
            latest = store.latest_version_id()
    except Exception:  # noqa: BLE001 - the seed itself says what is wrong with the store
        logger.debug("No snapshot of %s for the duplicate index", url, exc_info=True)
        return None
    return (url, days, latest)


dedupe_seed.snapshot = dedupe_seed_snapshot  # type: ignore[attr-defined]


class RetryQueue:
    """A crawl's handle on the store's retry queue for one site (``SISTERCITY_RETRY_QUEUE``).

    The spider drains the due pages first, reports each page it could not get (counted in the
    run's errors and queued) and each page it got at last (taken off the queue)."""

    def __init__(self, url: str, site: str, run_id: int | None, backoff: timedelta, cap: timedelta):
        self.store = StoryStore.open(url)
        self.site = site
        self.run_id = run_id
        self.backoff = backoff
        self.cap = cap

    def due(self) -> list[tuple[str, str]]:
        """(URL, kind) of every queued page whose next try has come."""
        return [(e.url, e.kind) for e in self.store.due_retries(self.site)]

    def failed(self, url: str, reason: str, kind: str) -> None:
        self.store.fetch_failed(
            self.run_id, self.site, url, reason, kind, backoff=self.backoff, max_backoff=self.cap
        )

    def done(self, urls: Iterable[str]) -> int:
        return self.store.retry_done(self.site, urls)

    def size(self) -> int:
        return self.store.retry_queue_sizes().get(self.site, 0)

    def revisit(self, days: float, budget: int) -> list[str]:
        since = datetime.now(UTC) - timedelta(days=days)
        return self.store.revisit_candidates(self.site, since, budget)

    def close(self) -> None:
        self.store.close()


def retry_queue(settings: Any, site: str) -> RetryQueue:
    return RetryQueue(
        db_url(settings),
        site,
        int(settings.get("SISTERCITY_RUN_ID") or 0) or None,
        timedelta(minutes=float(settings.get("SISTERCITY_RETRY_BACKOFF_MINUTES") or 60)),
        timedelta(hours=float(settings.get("SISTERCITY_RETRY_BACKOFF_MAX_HOURS") or 24)),
    )
