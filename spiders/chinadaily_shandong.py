"""China Daily's Shandong portal: www.goshandong.com.cn and its China Daily host aliases.

The CMS serves the same story under several hosts (``shandong.chinadaily.com.cn``,
``subsites.chinadaily.com.cn/shandong``, ``regional.chinadaily.com.cn/shandong``); canonical URLs
fold them onto www.goshandong.com.cn. Long stories are split into ``c_<id>_2.htm``, ``_3.htm``.
"""

from __future__ import annotations

import re
from datetime import datetime

from parsel import Selector

from crawler.scraping.news_spider import NewsSpider
from crawler.scraping.parsing import (
    ArticleParser,
    ParserProxy,
    first_text,
    make_date,
    parse_datetime,
)

_ARTICLE_URL = re.compile(
    r"^https?://(?P<host>www\.goshandong\.com\.cn|shandong\.chinadaily\.com\.cn"
    r"|(?:subsites|regional)\.chinadaily\.com\.cn/shandong)"
    r"(?P<folder>/[a-z]+)?/(?P<month>\d{4}-\d{2})/(?P<day>\d{2})/c_(?P<id>\d+)(?:_\d+)?\.htm"
    r"(?:[?#].*)?$",
    re.I,
)
# "(chinadaily.com.cn)| Updated : 2021-12-16", "(| Updated : 2018-05-16",
# "<headline>| Updated: April 16, 2021", "(chinadaily.com.cn) | 2025-07-22"
_DATELINE = re.compile(
    r"\|\s*(?:Updated\s*:\s*)?(?P<date>\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2})?"
    r"|[A-Z][a-z]+\.? \d{1,2}, \d{4})",
)
_SOURCE = re.compile(r"^\(([^)|]+)\)\s*\|")


class ChinadailyShandongParser(ParserProxy):
    site = "chinadaily_shandong"

    class V1(ArticleParser):
        site = "chinadaily_shandong"
        VERSION = 1
        timezone = "Asia/Shanghai"

        _title_selectors = ("h1", ".main_art h1", ".art_title")
        _body_selectors = ("#Content p", ".art_cont p")
        _caption_selectors = ("#Content figcaption", ".art_cont figcaption")
        _dateline_selectors = (
            ".info_l",
            ".info",
            # Markup-agnostic: a leaf element whose text ends like a date line.
            "//*[not(*)][re:test(normalize-space(.), "
            r"'\|\s*(Updated\s*:\s*)?(\d{4}-\d{1,2}-\d{1,2}|[A-Z][a-z]+\.? \d{1,2}, \d{4})$')]",
        )
        _continuation_selectors = (
            '//div[@id="div_currpage"]//a/@href',
            r'//a[re:test(@href, "c_\d+_\d+\.htm$")]/@href',
        )
        _listing_link_selectors = (
            ".tw3_01_2 h4 a::attr(href)",
            ".lft_list a::attr(href)",
            "a::attr(href)",
        )
        _listing_next_selectors = (
            '//div[@id="div_currpage"]/a[normalize-space()="Next"]/@href',
            '//a[normalize-space()="Next" or normalize-space()="下一页"]/@href',
        )
        _boilerplate_patterns = (
            re.compile(r"^[\w.-]+\.(?:jpe?g|png|gif|webp)$", re.I),  # image file names leak as text
            re.compile(r"^\(Edited by [^)]*\)$"),
            re.compile(r"^Related Stories$", re.I),
            re.compile(r"^(?:Print\s*)+$"),
        )
        _caption_patterns = (
            re.compile(r"\[Photo(?:/[^\[\]]*| provided [^\[\]]*| by [^\[\]]*)?\]$"),
        )

        def language(self, sel: Selector) -> str:
            return "en"

        def byline(self, sel: Selector) -> str | None:
            """The source printed in the date line: "(chinadaily.com.cn)| Updated : …"."""
            match = _SOURCE.match(first_text(sel, self._dateline_selectors[:2]) or "")
            return match.group(1).strip() if match else None

        def dateline_date(self, sel: Selector) -> datetime | None:
            match = _DATELINE.search(first_text(sel, self._dateline_selectors) or "")
            return parse_datetime(match.group("date"), self.timezone) if match else None

        def url_date(self, url: str) -> datetime | None:
            match = _ARTICLE_URL.match(url)
            if not match:
                return None
            year, month = (int(x) for x in match.group("month").split("-"))
            return make_date(year, month, int(match.group("day")), self.timezone)


class ChinadailyShandongSpider(NewsSpider):
    name = "chinadaily_shandong"
    display_name = "China Daily Shandong"
    allowed_domains = ["goshandong.com.cn", "chinadaily.com.cn"]
    parser = ChinadailyShandongParser
    article_url_re = _ARTICLE_URL
    # The "Sister Cities" column (INTL EXCHANGE menu). SITE_START_URLS overrides it.
    default_start_urls = ("http://www.goshandong.com.cn/sistercities.html",)
    # A published single-page story, for `scrapy check` (crawler.scraping.contracts).
    contract_article_url = "http://shandong.chinadaily.com.cn/qingdao/2023-12/04/c_968350.htm"

    @classmethod
    def canonical_url(cls, url: str) -> str:
        match = _ARTICLE_URL.match(url)
        if not match:
            return url.split("#")[0]
        folder = (match.group("folder") or "").lower()
        return (
            f"http://www.goshandong.com.cn{folder}/{match.group('month')}/{match.group('day')}"
            f"/c_{match.group('id')}.htm"
        )
