"""NewsSpider: the machinery every site spider shares.

A site spider only declares: ``name``, ``allowed_domains``, ``parser`` (a ``ParserProxy``),
``article_url_re``, ``default_start_urls``, ``canonical_url()`` and, where list pages are built by
JavaScript, ``browser_listing_re`` and ``browser_wait_selector``.

Spider arguments: ``-a full=1`` walks every listing page, ``-a since=YYYY-MM-DD`` walks back to that
date, ``-a url=URL`` fetches one story.

Nothing requested is lost quietly: every article request ends as a story (handed to the
pipelines) or a recorded failure (HTTP error, timeout, reset, redirect loop, a body that is not
HTML or is empty). Failures go to the store's retry queue (``SISTERCITY_RETRY_QUEUE``), whose due
pages every run fetches first; a listing page fetched from the queue is walked past, since the
run that lost it never saw what came after it. Stories published in the last
``SISTERCITY_REVISIT_DAYS`` are re-checked, least recently fetched first, up to
``SISTERCITY_REVISIT_BUDGET`` per run.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object

from crawler.scraping.budget import time_budget
from crawler.scraping.items import RawPage, Story
from crawler.scraping.parsing import ArticleParser, ParserProxy, absolute_url
from storage.repository import SeenAgain, raw_hash

# max-age=0 makes the HTTP cache revalidate (If-None-Match, If-Modified-Since) on every visit;
# "no-cache" would skip the validators and refetch whole pages.
REVALIDATE = {"Cache-Control": "max-age=0"}
ARTICLE, LISTING = "article", "listing"
# Requests whose answer is (part of) a story, by callback name.
_ARTICLE_CALLBACKS = {"parse_article", "parse_continuation"}


def raw_page(response: Response) -> RawPage:
    headers = {
        key.decode("latin-1"): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    return RawPage(url=response.url, status=response.status, headers=headers, body=response.body)


class NewsSpider(scrapy.Spider):
    parser: ClassVar[type[ParserProxy]]
    display_name: ClassVar[str] = ""  # the site's name as people know it (the register shows it)
    article_url_re: ClassVar[re.Pattern[str]]
    default_start_urls: ClassVar[tuple[str, ...]] = ()
    browser_listing_re: ClassVar[re.Pattern[str] | None] = None
    browser_wait_selector: ClassVar[str] = "body"

    def __init__(
        self,
        *args: Any,
        full: str | None = None,
        since: str | None = None,
        url: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.full = str(full).lower() in {"1", "true", "yes"}
        self.since: date | None = date.fromisoformat(since) if since else None
        self.one_url = url
        self.known_urls: set[str] = set()
        self.requested: set[str] = set()  # canonical URLs of the stories asked for
        self.built: set[str] = set()  # ... of those that came out as stories
        self.failed_articles: set[str] = set()  # ... of those recorded as failures
        self.known_pages: dict[str, tuple[str, str, int]] = {}
        self.failed: list[tuple[str, str]] = []
        self.queue: Any = None  # storage.loaders.RetryQueue when the store keeps one
        self.queued: dict[str, str] = {}  # canonical URL -> URL as queued

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(spider.account, signal=signals.spider_closed)
        return spider

    # --- site hooks --------------------------------------------------------------------
    @classmethod
    def canonical_url(cls, url: str) -> str:
        """The story's one URL: host aliases folded, page suffixes and tracking removed."""
        return url

    @classmethod
    def is_article_url(cls, url: str) -> bool:
        return bool(cls.article_url_re.match(url))

    # --- flow --------------------------------------------------------------------------
    # A published single-page story of the site, for `scrapy check` (crawler.scraping.contracts).
    contract_article_url: str = ""

    def article_parser(self) -> ArticleParser:
        return self.parser.for_date(datetime.now(UTC).date())

    def start_listing_urls(self) -> list[str]:
        configured = self.settings.getdict("SITE_START_URLS").get(self.name)
        return list(configured or self.default_start_urls)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.load_known()
        queue = self.settings.get("SISTERCITY_RETRY_QUEUE")
        if queue:
            self.queue = load_object(queue)(self.settings, self.name)
        if self.one_url:
            url = absolute_url(self.one_url, self.one_url)  # percent-encoded, no control chars
            if url is None:
                self.failed.append((self.one_url, "not a usable http(s) URL"))
                return
            yield self.article_request(url)
            return
        stats = self.crawler.stats
        for url, kind in self.queue.due() if self.queue else []:
            stats.inc_value("sistercity/retry/due")
            if kind == LISTING:
                yield self.listing_request(url, walk_past=True)
            elif self.canonical_url(url) not in self.requested:
                self.queued[self.canonical_url(url)] = url
                yield self.article_request(url)
        for url in self.revisit_urls():
            stats.inc_value("sistercity/revisit")
            yield self.article_request(url)
        for url in self.start_listing_urls():
            yield self.listing_request(url)

    def revisit_urls(self) -> list[str]:
        days = self.settings.getfloat("SISTERCITY_REVISIT_DAYS", 0)
        budget = self.settings.getint("SISTERCITY_REVISIT_BUDGET", 0)
        if self.queue is None or days <= 0 or budget <= 0:
            return []
        return [
            url
            for url in self.queue.revisit(days, budget)
            if self.canonical_url(url) not in self.requested
        ]

    def load_known(self) -> None:
        """What the store already holds: URLs that stop paging, pages not parsed again."""
        loader = self.settings.get("SISTERCITY_KNOWN_URLS")
        if loader:
            self.known_urls = set(load_object(loader)(self.settings, self.name))
        pages_loader = self.settings.get("SISTERCITY_KNOWN_PAGES")
        # An export (-O stories.jsonl) wants every story it fetched, unchanged or not.
        if pages_loader and not self.settings.getdict("FEEDS"):
            self.known_pages = dict(load_object(pages_loader)(self.settings, self.name))

    def listing_request(self, url: str, walk_past: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {"sistercity_url": url, "sistercity_walk_past": walk_past}
        if self.browser_listing_re is not None and self.browser_listing_re.search(url):
            from scrapy_playwright.page import PageMethod  # only a browser listing needs it

            meta |= {
                # What the browser renders also depends on what its scripts load, which a 304 for
                # the page itself says nothing about: always render afresh.
                "dont_cache": True,
                "playwright": True,
                "playwright_page_methods": [
                    PageMethod("wait_for_selector", self.browser_wait_selector)
                ],
            }
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.fetch_failed,
            meta=meta,
            headers=REVALIDATE,
        )

    def article_request(self, url: str) -> scrapy.Request:
        self.requested.add(self.canonical_url(url))
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.fetch_failed,
            headers=REVALIDATE,
            meta={"sistercity_url": url},
        )

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """A listing page: requests for its stories (and the next page when paging goes on).

        @sample listing
        @returns requests 1
        """
        url = response.meta.get("sistercity_url", response.url)
        problem = unusable(response)
        if problem:
            self.record_failure(url, problem, LISTING)
            return
        if self.queue is not None:
            self.queue.done([url])
        listing = self.article_parser().listing(raw_page(response))
        articles = [u for u in listing.article_urls if self.is_article_url(u)]
        if not articles:
            self.crawler.stats.inc_value("sistercity/listing_without_articles")
            self.logger.warning(
                "Listing page %s has no article links: has the markup changed?", response.url
            )
        unseen = 0
        reached_since = False
        parser = self.article_parser()
        for url in articles:
            canonical = self.canonical_url(url)
            unseen += canonical not in self.known_urls
            when = listing.dates.get(url) or parser.safe_url_date(url)
            if self.since and when and when.date() < self.since:
                reached_since = True
                continue
            if canonical not in self.requested:
                yield self.article_request(url)
        walk_past = response.meta.get("sistercity_walk_past", False) and not reached_since
        if listing.next_url and (walk_past or self.should_page(unseen, reached_since)):
            yield self.listing_request(listing.next_url)

    def should_page(self, unseen: int, reached_since: bool) -> bool:
        if self.full:
            return True
        if self.since:
            return not reached_since
        return unseen > 0

    def parse_article(self, response: Response) -> Iterator[Any]:
        """A story's first page: the story, or a request for its next page.

        @sample article
        @returns items 1 1
        @story
        """
        problem = unusable(response)
        if problem:
            self.record_failure(response.meta.get("sistercity_url", response.url), problem, ARTICLE)
            return
        first = raw_page(response)
        if self.known_pages:
            # A story stored as this one page, byte for byte: not even its links are parsed.
            seen = self.seen_again([first])
            if seen is not None:
                self.crawler.stats.inc_value("sistercity/seen_again")
                yield seen
                return
        rest = self.article_parser().continuation_urls(first)
        yield from self._next_page_or_story([first], rest)

    def parse_continuation(
        self, response: Response, pages: list[RawPage], rest: list[str]
    ) -> Iterator[Any]:
        problem = unusable(response)
        if problem:
            self.record_failure(pages[0].url, f"{problem} ({response.url})", ARTICLE)
            return
        yield from self._next_page_or_story([*pages, raw_page(response)], rest)

    def _next_page_or_story(self, pages: list[RawPage], rest: list[str]) -> Iterator[Any]:
        if rest:
            yield scrapy.Request(
                rest[0],
                callback=self.parse_continuation,
                errback=self.fetch_failed,
                cb_kwargs={"pages": pages, "rest": rest[1:]},
                headers=REVALIDATE,
                meta={"sistercity_url": pages[0].url},
            )
            return
        seen = self.seen_again(pages)
        if seen is not None:
            self.crawler.stats.inc_value("sistercity/seen_again")
            yield seen
            return
        story = self.build_story(pages)
        if story is not None:
            yield story

    def seen_again(self, pages: list[RawPage]) -> SeenAgain | None:
        """The same bytes as the stored story, for the same parser: skip parse and pipelines."""
        canonical = self.canonical_url(pages[0].url)
        known = self.known_pages.get(canonical)
        if known is None or known[2] != len(pages):
            return None
        if known[:2] != (raw_hash(pages), self.article_parser().version_name()):
            return None
        self.ended(pages[0].url)
        return SeenAgain(
            site=self.name, canonical_url=canonical, url=pages[0].url, fetched_at=datetime.now(UTC)
        )

    def ended(self, url: str) -> str:
        """The story at ``url`` came out (as a story or seen again): accounted for and off the
        retry queue. Returns its canonical URL."""
        canonical = self.canonical_url(url)
        self.built.add(canonical)
        if self.queue is not None:
            self.queue.done({url, canonical, self.queued.get(canonical, canonical)})
        return canonical

    def build_story(self, pages: list[RawPage]) -> Story | None:
        # A page that breaks or stalls the parser is a failed fetch of that story, not a crash
        # of the crawl: recorded (and queued for the next run), and the crawl goes on.
        budget = self.settings.getfloat("SISTERCITY_STORY_TIME_BUDGET")
        try:
            with time_budget(budget):
                fields = self.article_parser().parse(pages)
        except Exception as exc:  # BudgetExceeded, or whatever a hostile page provokes
            reason = f"could not parse: {type(exc).__name__}: {exc}"[:300]
            self.crawler.stats.inc_value("sistercity/parse_failed")
            self.record_failure(pages[0].url, reason, ARTICLE)
            return None
        canonical = self.ended(pages[0].url)
        self.crawler.stats.inc_value(f"sistercity/extraction/{fields['extraction']}")
        if fields["extraction"] != "site":
            # Old layouts in a site's archive are normal and counted; the health check warns
            # when the share is high (markup_changed), so one story is not worth a warning.
            self.logger.info(
                "Site selectors missed on %s; used the generic extractor", pages[0].url
            )
        return Story(
            site=self.name,
            url=pages[0].url,
            canonical_url=canonical,
            pages=[p.url for p in pages],
            fetched_at=datetime.now(UTC),
            raw=pages,
            **fields,
        )

    def fetch_failed(self, failure: Any) -> None:
        request = failure.request
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = failure.getErrorMessage() or failure.type.__name__
        kind = ARTICLE if _callback_name(request) in _ARTICLE_CALLBACKS else LISTING
        url = request.meta.get("sistercity_url", request.url)
        if failure.check(IgnoreRequest) and "robots.txt" in reason:
            # The site asks us not to fetch it: nothing to retry, nothing lost.
            self.crawler.stats.inc_value("sistercity/articles/forbidden")
            self.logger.warning("Not fetching %s: %s", url, reason)
            if kind == ARTICLE:
                self.requested.discard(self.canonical_url(url))
            return
        self.record_failure(url, reason, kind)

    def callback_failed(self, failure: Any, response: Response, spider: scrapy.Spider) -> None:
        """A parser raised on a page: the story is recorded as failed, not silently missing."""
        if spider is not self:
            return
        kind = ARTICLE if _callback_name(response.request) in _ARTICLE_CALLBACKS else LISTING
        url = response.meta.get("sistercity_url", response.url)
        self.record_failure(url, f"could not parse: {failure.getErrorMessage()}", kind)

    def request_dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """The scheduler's duplicate filter dropped a request: for a story this is a redirect
        leading back to a URL already fetched (a loop), and the story is lost unless said."""
        if spider is self and _callback_name(request) in _ARTICLE_CALLBACKS:
            url = request.meta.get("sistercity_url", request.url)
            self.record_failure(url, f"redirect loop (back to {request.url})", ARTICLE)

    def record_failure(self, url: str, reason: str, kind: str) -> None:
        if kind == ARTICLE:
            canonical = self.canonical_url(url)
            if canonical in self.built or canonical in self.failed_articles:
                return  # the story already ended one way
            self.failed_articles.add(canonical)
            url = self.queued.get(canonical, url)
        self.failed.append((url, reason))
        self.crawler.stats.inc_value("sistercity/fetch_failed")
        self.logger.error("Could not fetch %s: %s", url, reason)
        if self.queue is not None:
            self.queue.failed(url, reason, kind)

    def account(self, spider: scrapy.Spider, reason: str) -> None:
        """Every story asked for ends as a story or a recorded failure; one that did neither
        (its request vanished) is recorded now so the next run fetches it again."""
        if spider is not self:
            return
        for canonical in sorted(self.requested - self.built - self.failed_articles):
            self.record_failure(canonical, f"no answer before the crawl ended ({reason})", ARTICLE)
        stats = self.crawler.stats
        stats.set_value("sistercity/articles/requested", len(self.requested))
        stats.set_value("sistercity/articles/built", len(self.built))
        stats.set_value("sistercity/articles/failed", len(self.failed_articles))
        if self.queue is not None:
            stats.set_value("sistercity/retry/queued", self.queue.size())
            self.queue.close()
            self.queue = None


def _callback_name(request: scrapy.Request) -> str:
    return getattr(request.callback, "__name__", "")


def unusable(response: Response) -> str | None:
    """Why a 200 answer cannot be a page of the site (None when it can)."""
    if not response.body.strip():
        return "empty page"
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if not isinstance(response, TextResponse) or (
        content_type and "html" not in content_type and "xml" not in content_type
    ):
        return f"not an HTML page (Content-Type: {content_type or 'none'})"
    return None
