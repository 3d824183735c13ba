"""International Daily News, US edition (chinesetoday.com): a query-string CMS."""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import hanzidentifier
from parsel import Selector

from crawler.scraping.items import RawPage
from crawler.scraping.news_spider import NewsSpider
from crawler.scraping.parsing import (
    ArticleParser,
    Listing,
    ParserProxy,
    absolute_url,
    decode_html,
    first_text,
    make_date,
    meta_content,
    node_text,
)

# "发布日期:2023/10/6 来源:International daily 打印": colon ASCII or full-width, no zero padding.
_INFO_DATE_RE = re.compile(
    r"(?:发布日期|發佈日期|發布日期)\s*[:：]\s*(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"
)
_INFO_SOURCE_RE = re.compile(r"(?:来源|來源)\s*[:：]\s*(.+?)\s*(?:打印|列印)?\s*$")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_LATIN_RE = re.compile(r"[A-Za-z]")


class ChinesetodayParser(ParserProxy):
    site = "chinesetoday"

    class V1(ArticleParser):
        site = "chinesetoday"
        # The paper is published in Los Angeles.
        timezone = "America/Los_Angeles"

        _title_selectors = (".news_show h1", "h1")
        _body_selectors = (".news_show .content p", ".content p")
        _caption_selectors = ()
        # The info line is found by its words, not its class (the class is unknown on the live site).
        _dateline_selectors = (
            "//*[contains(text(), '发布日期') or contains(text(), '發佈日期') or contains(text(), '發布日期')]",
        )
        _listing_link_selectors = (".news_list li a::attr(href)", "a::attr(href)")
        _listing_next_selectors = (
            "//a[normalize-space() = '下一页' or normalize-space() = '下一頁']/@href",
        )
        _boilerplate_patterns = (
            # An image's file name printed above the image.
            re.compile(r"^[^/]{1,120}\.(?:jpe?g|png|gif|webp)$", re.I),
            re.compile(r"版[權权]所有"),
            re.compile(r"^当前位置\s*[:：]"),
        )
        _caption_patterns = (
            re.compile(r"^(图为|圖為)"),
            re.compile(r"\((?:Photo|Photos)\b[^()]*\)$"),  # [^()]: linear on "(Photo(Photo…"
            re.compile(r"（(?:资料图|資料圖|[^（）]*供图|[^（）]*攝)）$"),
        )

        def dateline_date(self, sel: Selector) -> datetime | None:
            found = _INFO_DATE_RE.search(first_text(sel, self._dateline_selectors) or "")
            if not found:
                return None
            year, month, day = (int(g) for g in found.groups())
            return make_date(year, month, day, self.timezone)

        def byline(self, sel: Selector) -> str | None:
            info = first_text(sel, self._dateline_selectors) or ""
            found = _INFO_SOURCE_RE.search(info)
            return found.group(1) if found else None

        def language(self, sel: Selector) -> str:
            text = " ".join([self.title(sel) or "", *self.body_and_captions(sel)[0]])
            if not text.strip():
                # Unknown markup: judge by the headline meta and every paragraph instead.
                paragraphs = [node_text(p) for p in sel.xpath("//p")]
                text = " ".join([meta_content(sel, "og:title") or "", *paragraphs])
            cjk = _CJK_RE.findall(text)
            if len(cjk) < len(_LATIN_RE.findall(text)) / 4:
                return "en"
            kinds = [hanzidentifier.identify(ch) for ch in cjk]
            traditional = kinds.count(hanzidentifier.TRADITIONAL)
            return "zh-Hant" if traditional > kinds.count(hanzidentifier.SIMPLIFIED) else "zh-Hans"

        def listing(self, page: RawPage) -> Listing:
            found = super().listing(page)
            # The list prints each story's date; article URLs carry none.
            for row in Selector(text=decode_html(page)).css(".news_list li"):
                href, when = row.css("a::attr(href)").get(), row.css(".date::text").get()
                url = absolute_url(page.url, href)
                if url and when:
                    try:
                        day = datetime.strptime(when.strip(), "%Y-%m-%d")
                    except ValueError:
                        continue
                    found.dates[url] = day.replace(tzinfo=ZoneInfo(self.timezone))
            return found


class ChinesetodaySpider(NewsSpider):
    name = "chinesetoday"
    display_name = "International Daily News (US)"
    allowed_domains: ClassVar[list[str]] = ["chinesetoday.com"]
    parser = ChinesetodayParser
    article_url_re = re.compile(
        r"^https?://(?:www\.)?chinesetoday\.com/(?:index\.php)?\?(?=(?:.*&)?c=\d+(?:&|$))(?=(?:.*&)?m=\d+(?:&|#|$)).*$"
    )
    default_start_urls = ("http://chinesetoday.com/?c=26",)
    # A published single-page story, for `scrapy check` (crawler.scraping.contracts).
    contract_article_url = "http://chinesetoday.com/?c=26&m=12245"

    @classmethod
    def canonical_url(cls, url: str) -> str:
        if not cls.is_article_url(url):
            return url
        query = parse_qs(urlsplit(url).query)
        return f"http://chinesetoday.com/?c={query['c'][0]}&m={query['m'][0]}"
