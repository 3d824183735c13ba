"""Run several spiders in one process and collect, per site, what happened.

Used by `sistercity crawl`. The numbers come from each crawler's stats (Scrapy's own counters
plus the ``sistercity/...`` ones the spiders and pipelines keep) and the spider's list of fetches
that failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.app.health import RunRecord
from crawler.scraping.sites import site_for_article, site_names

Progress = Callable[[str, str], None]  # (site, event) where event is "response" or "story"


@dataclass
class SiteResult:
    """What one site's spider did in one crawl."""

    site: str
    stats: dict[str, Any] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)
    lost: int = 0  # stories asked for that ended as failures (queued for the next runs)
    lost_listings: int = 0  # listing pages that could not be fetched (queued too)
    finish_reason: str = ""
    duration: float = 0.0
    fetched: list[dict[str, Any]] = field(default_factory=list)  # each story, as `--dry-run` lists

    def _count(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    def _prefixed(self, prefix: str) -> dict[str, int]:
        return {
            k[len(prefix) :]: int(v)
            for k, v in sorted(self.stats.items())
            if k.startswith(prefix) and isinstance(v, int | float)
        }

    @property
    def responses_by_status(self) -> dict[str, int]:
        """Statuses as the sites sent them. The HTTP cache turns a 304 into the stored 200
        before Scrapy counts it, so revalidated pages are moved back to 304 here."""
        counts = self._prefixed("downloader/response_status_count/")
        not_modified = self._count("httpcache/revalidate")
        if not_modified:
            counts["200"] = counts.get("200", 0) - not_modified
            counts["304"] = counts.get("304", 0) + not_modified
            counts = {k: v for k, v in sorted(counts.items()) if v}
        return counts

    @property
    def requests(self) -> int:
        return self._count("downloader/request_count")

    @property
    def stories(self) -> dict[str, int]:
        counts = {k: 0 for k in ("new", "changed", "unchanged")}
        counts.update(self._prefixed("sistercity/store/"))
        counts["error"] = len(self.failed)
        return counts

    @property
    def partnerships(self) -> dict[str, int]:
        counts = {"new": 0, "changed": 0}
        counts.update(self._prefixed("sistercity/register/"))
        return counts

    @property
    def extraction(self) -> dict[str, int]:
        return self._prefixed("sistercity/extraction/")

    @property
    def items(self) -> int:
        """Stories the crawl saw: scraped, or seen again unchanged (filed without parsing)."""
        return self._count("item_scraped_count") + self._count("sistercity/seen_again")

    @property
    def errors(self) -> int:
        """Pages that could not be fetched and exceptions in the spider's callbacks."""
        return len(self.failed) + sum(self._prefixed("spider_exceptions/").values())

    @property
    def articles(self) -> dict[str, int]:
        """Stories asked for, and how they ended: built (handed to the store) or failed."""
        return {
            "requested": self._count("sistercity/articles/requested"),
            "built": self._count("sistercity/articles/built"),
            "failed": self._count("sistercity/articles/failed"),
            "retried": self._count("sistercity/retry/due"),
            "revisited": self._count("sistercity/revisit"),
        }

    @property
    def retry_queue(self) -> int:
        """Pages waiting in the store's retry queue when the crawl ended."""
        return self._count("sistercity/retry/queued")

    @property
    def finished(self) -> bool:
        """The spider ran to its end (not stopped, not crashed)."""
        return self.finish_reason == "finished"

    def run_record(self) -> RunRecord:
        ok = sum(n for status, n in self.responses_by_status.items() if status[0] in "23")
        return RunRecord(
            finished=self.finished,
            requests=self.requests,
            responses_ok=ok,
            stories=self.items,
            generic=self.extraction.get("generic", 0),
            failed_fetches=len(self.failed),
            lost=self.lost,
            lost_listings=self.lost_listings,
            retry_queue=self.retry_queue,
        )

    def store_stats(self) -> dict[str, Any]:
        """What the store keeps of this run. It counts stories, partnerships and failures
        (fetch errors and stories it rejected) itself as they happen; only the spider's own
        exceptions are added to its errors here."""
        return {
            "requests": self.requests,
            "responses_by_status": self.responses_by_status,
            "extraction": self.extraction,
            "errors_add": sum(self._prefixed("spider_exceptions/").values()),
            "duration": round(self.duration, 2),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "finish_reason": self.finish_reason,
            "duration_seconds": round(self.duration, 2),
            "requests": self.requests,
            "responses_by_status": self.responses_by_status,
            "stories": self.stories,
            "partnerships": self.partnerships,
            "extraction": self.extraction,
            "errors": self.errors,
            "articles": self.articles,
            "retry_queue": self.retry_queue,
            "failed_urls": [{"url": u, "reason": r} for u, r in self.failed],
        }


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    settings = get_project_settings()
    if overrides:
        settings.setdict(dict(overrides), priority="cmdline")
    return settings


def spider_names(settings: Settings) -> list[str]:
    return site_names(settings.getlist("SPIDER_MODULES"))


def spider_for_url(settings: Settings, url: str) -> str | None:
    """The site whose article URL pattern matches ``url``."""
    return site_for_article(url, settings.getlist("SPIDER_MODULES"))


def story_summary(item: Any) -> dict[str, Any]:
    """What a crawl fetched and how it understood it, in a line of JSON."""
    published = getattr(item, "published", None)
    return {
        "url": getattr(item, "url", None),
        "title": getattr(item, "title", None),
        "published": published.isoformat() if published is not None else None,
        "language": getattr(item, "language", None),
        "extraction": getattr(item, "extraction", None),
        "is_partnership_story": getattr(item, "is_partnership_story", None),
        "confidence": getattr(item, "confidence", None),
        "duplicate_of": getattr(item, "duplicate_of", None),
        "partnerships": [
            {
                "a": (p.get("a") or {}).get("name"),
                "b": (p.get("b") or {}).get("name"),
                "relation": p.get("relation"),
                "event": p.get("event"),
                "event_date": p.get("event_date"),
            }
            for p in getattr(item, "partnerships", None) or []
            if isinstance(p, dict)
        ],
    }


def run_spiders(
    settings: Settings,
    sites: list[str],
    spider_args: Mapping[str, Mapping[str, str]] | None = None,
    progress: Progress | None = None,
    spider_classes: Mapping[str, type] | None = None,
) -> dict[str, SiteResult]:
    """Crawl ``sites`` concurrently in this process; blocks until all are done.
    ``spider_classes``: a class to crawl a site with instead of its own (a run's worker)."""
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # the CLI set up logging
    process = CrawlerProcess(settings)
    results: dict[str, SiteResult] = {}

    def watch(crawler: Crawler, site: str) -> None:
        result = results[site] = SiteResult(site=site)
        started = {"t": 0.0}

        def opened(spider: Any) -> None:
            started["t"] = time.monotonic()

        def closed(spider: Any, reason: str) -> None:
            result.finish_reason = reason
            result.duration = time.monotonic() - started["t"]

        def stats_ready() -> None:
            # Read once the engine stopped: the spider's own spider_closed handler (connected
            # after this one) still records the stories that got no answer.
            assert crawler.stats is not None
            result.stats = dict(crawler.stats.get_stats())
            spider = crawler.spider
            result.failed = list(getattr(spider, "failed", []))
            result.lost = len(getattr(spider, "failed_articles", ()))
            result.lost_listings = len(result.failed) - result.lost

        def scraped(item: Any, **kw: Any) -> None:
            result.fetched.append(story_summary(item))

        crawler.signals.connect(scraped, signal=signals.item_scraped, weak=False)
        crawler.signals.connect(opened, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        crawler.signals.connect(stats_ready, signal=signals.engine_stopped, weak=False)
        if progress is not None:
            crawler.signals.connect(
                lambda **kw: progress(site, "response"),
                signal=signals.response_received,
                weak=False,
            )
            crawler.signals.connect(
                lambda **kw: progress(site, "story"), signal=signals.item_scraped, weak=False
            )

    for site in sites:
        crawler = process.create_crawler((spider_classes or {}).get(site, site))
        watch(crawler, site)
        process.crawl(crawler, **dict((spider_args or {}).get(site, {})))
    process.start()
    return results
