"""The Asia Business Daily, English edition (www./cm./view.asiae.co.kr/en/)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from parsel import Selector

from crawler.scraping.news_spider import NewsSpider
from crawler.scraping.parsing import ArticleParser, ParserProxy

# The 19-digit id is the KST publication time (YYYYMMDDhhmmss) and a 5-digit serial.
_ID_RE = re.compile(r"(?:/en/article/(?:[a-z0-9-]+/)?|[?&]idxno=)(\d{19})(?=$|[/?#&])")


class AsiaeParser(ParserProxy):
    site = "asiae"

    class V1(ArticleParser):
        site = "asiae"
        timezone = "Asia/Seoul"

        # Korean-edition selectors first (other scrapers use them), generic ones last.
        _title_selectors = (".area_title h1", ".article_head h1", "h1")
        _subtitle_selectors = (".article_head h4", ".area_title h4")
        _body_selectors = (
            ".article p[data-alda-marking]",
            "div[itemprop=articleBody] > p:not(.txt_prohibition):not(.txt)",
            "article p",
        )
        _caption_selectors = (".article_photo .txt", "figcaption")
        _listing_link_selectors = (
            ".article_list h3 a::attr(href)",
            "#special_list a::attr(href)",
            "a::attr(href)",
        )
        _listing_next_selectors = (
            ".paging a.next::attr(href)",
            "//a[normalize-space() = 'Next']/@href",
        )
        # Page furniture that can sit inside the article box on some templates.
        _boilerplate_patterns = (
            re.compile(r"^©\s*The Asia Business Daily"),
            re.compile(r"All rights reserved\.?$"),
            re.compile(
                r"^(본문 바로가기|bar_progress|Text Size|Close|Special Coverage|Join us on social!|Top)$"
            ),
        )

        def language(self, sel: Selector) -> str:
            # The English edition says lang="ko" on every page; its stories are English.
            return "en"

        def published(self, sel: Selector, url: str) -> tuple[datetime | None, str]:
            # No visible date: meta tags when present, else the id's timestamp.
            found, source = super().published(sel, url)
            return found, "id" if source == "url" else source

        @staticmethod
        def article_id(url: str) -> str | None:
            found = _ID_RE.search(url)
            return found.group(1) if found else None

        def url_date(self, url: str) -> datetime | None:
            found = self.article_id(url)
            if not found:
                return None
            try:
                return datetime.strptime(found[:14], "%Y%m%d%H%M%S").replace(
                    tzinfo=ZoneInfo(self.timezone)
                )
            except ValueError:
                return None


class AsiaeSpider(NewsSpider):
    name = "asiae"
    display_name = "The Asia Business Daily (English)"
    allowed_domains: ClassVar[list[str]] = ["asiae.co.kr"]
    parser = AsiaeParser
    article_url_re = re.compile(
        r"^https?://(www|cm|view)\.asiae\.co\.kr/en/"
        r"(article/(?:[a-z0-9-]+/)?\d{19}(?:[/?#].*)?|print\.htm\?(?:.*&)?idxno=\d{19}(?:[&#].*)?)$"
    )
    default_start_urls = (
        "https://www.asiae.co.kr/en/list/regional",
        "https://www.asiae.co.kr/en/special/local-diplomacy",
    )
    # A published single-page story, for `scrapy check` (crawler.scraping.contracts).
    contract_article_url = "https://cm.asiae.co.kr/en/article/2024112211525203153"
    # The special-coverage lists are filled in by a script after the page loads.
    browser_listing_re = re.compile(r"^https?://(www|cm|view)\.asiae\.co\.kr/en/special/")
    browser_wait_selector = "#special_list li a"

    @classmethod
    def canonical_url(cls, url: str) -> str:
        found = AsiaeParser.V1.article_id(url)
        return (
            f"https://www.asiae.co.kr/en/article/{found}"
            if found and cls.is_article_url(url)
            else url
        )
