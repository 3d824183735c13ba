"""NewsSpider: the machinery every site spider shares.

A site spider only declares: ``name``, ``allowed_domains``, ``parser`` (a ``ParserProxy``),
``article_url_re``, ``default_start_urls``, ``canonical_url()`` and, where list pages are built by
JavaScript, ``browser_listing_re`` and ``browser_wait_selector``.

Spider arguments: ``-a full=1`` walks every listing page, ``-a since=YYYY-MM-DD`` walks back to that
date, ``-a url=URL`` fetches one story.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy_playwright.page import PageMethod

from crawler.items import RawPage, Story
from crawler.parsing import ArticleParser, ParserProxy

# max-age=0 makes the HTTP cache revalidate (If-None-Match, If-Modified-Since) on every visit;
# "no-cache" would skip the validators and refetch whole pages.
REVALIDATE = {"Cache-Control": "max-age=0"}


def raw_page(response: Response) -> RawPage:
    headers = {
        key.decode("latin-1"): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    return RawPage(url=response.url, status=response.status, headers=headers, body=response.body)


class NewsSpider(scrapy.Spider):
    parser: ClassVar[type[ParserProxy]]
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
        self.requested: set[str] = set()
        self.failed: list[tuple[str, str]] = []

    # --- site hooks --------------------------------------------------------------------
    @classmethod
    def canonical_url(cls, url: str) -> str:
        """The story's one URL: host aliases folded, page suffixes and tracking removed."""
        return url

    @classmethod
    def is_article_url(cls, url: str) -> bool:
        return bool(cls.article_url_re.match(url))

    # --- flow --------------------------------------------------------------------------
    # A published single-page story of the site, for `scrapy check` (crawler.contracts).
    contract_article_url: str = ""

    def article_parser(self) -> ArticleParser:
        return self.parser.for_date(datetime.now(UTC).date())

    def start_listing_urls(self) -> list[str]:
        configured = self.settings.getdict("SITE_START_URLS").get(self.name)
        return list(configured or self.default_start_urls)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        loader = self.settings.get("SISTERCITY_KNOWN_URLS")
        if loader:
            self.known_urls = set(load_object(loader)(self.settings, self.name))
        if self.one_url:
            yield self.article_request(self.one_url)
            return
        for url in self.start_listing_urls():
            yield self.listing_request(url)

    def listing_request(self, url: str) -> scrapy.Request:
        meta: dict[str, Any] = {}
        if self.browser_listing_re is not None and self.browser_listing_re.search(url):
            meta = {
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
            url, callback=self.parse_article, errback=self.fetch_failed, headers=REVALIDATE
        )

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """A listing page: requests for its stories (and the next page when paging goes on).

        @sample listing
        @returns requests 1
        """
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
            when = listing.dates.get(url) or parser.url_date(url)
            if self.since and when and when.date() < self.since:
                reached_since = True
                continue
            if canonical not in self.requested:
                yield self.article_request(url)
        if listing.next_url and self.should_page(unseen, reached_since):
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
        first = raw_page(response)
        rest = self.article_parser().continuation_urls(first)
        yield from self._next_page_or_story([first], rest)

    def parse_continuation(
        self, response: Response, pages: list[RawPage], rest: list[str]
    ) -> Iterator[Any]:
        yield from self._next_page_or_story([*pages, raw_page(response)], rest)

    def _next_page_or_story(self, pages: list[RawPage], rest: list[str]) -> Iterator[Any]:
        if rest:
            yield scrapy.Request(
                rest[0],
                callback=self.parse_continuation,
                errback=self.fetch_failed,
                cb_kwargs={"pages": pages, "rest": rest[1:]},
                headers=REVALIDATE,
            )
            return
        yield self.build_story(pages)

    def build_story(self, pages: list[RawPage]) -> Story:
        fields = self.article_parser().parse(pages)
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
            canonical_url=self.canonical_url(pages[0].url),
            pages=[p.url for p in pages],
            fetched_at=datetime.now(UTC),
            raw=pages,
            **fields,
        )

    def fetch_failed(self, failure: Any) -> None:
        request = failure.request
        reason = failure.getErrorMessage() or failure.type.__name__
        self.failed.append((request.url, reason))
        self.crawler.stats.inc_value("sistercity/fetch_failed")
        self.logger.error("Could not fetch %s: %s", request.url, reason)
