"""China.org.cn and its china.com.cn channels (ccpd, news …): one CMS family, many hosts.

Stories live at ``/<section>/YYYY-MM/DD/content_<id>.htm`` (``.shtml`` on newer www pages,
``.html`` on the subdomains); long ones continue in ``content_<id>_2.html`` behind ``div#autopage``.
The old ``/english/<section>/<id>.htm`` archive has no date in its URL and may be GB2312.
"""

from __future__ import annotations

import re
from datetime import datetime

from parsel import Selector

from crawler.scraping.items import RawPage
from crawler.scraping.news_spider import NewsSpider
from crawler.scraping.parsing import (
    ArticleParser,
    Listing,
    ParserProxy,
    absolute_url,
    all_texts,
    decode_html,
    first_text,
    make_date,
    parse_datetime,
)

_ARTICLE_URL = re.compile(
    r"^https?://(?P<host>(?:[a-z0-9-]+\.)?china\.org\.cn|[a-z0-9-]+\.china\.com\.cn)"
    r"(?:(?P<section>(?:/[a-z_]+)*)/(?P<month>\d{4}-\d{2})/(?P<day>\d{2})/content_(?P<id>\d+)"
    r"(?:_\d+)?\.(?P<ext>s?html?)"
    r"|(?P<archive>/english/[a-z_]+/\d+\.htm))"
    r"(?:[?#].*)?$",
    re.I,
)
_DATE = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)"
    r"|(?P<zh>\d{4}年\d{1,2}月\d{1,2}日(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
    r"|(?P<en>[A-Z][a-z]+\.? \d{1,2}, \d{4})"
)
_LABEL = re.compile(r"^(?:来源|作者|Source|By)\s*[:：]\s*", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")


class ChinaOrgCnParser(ParserProxy):
    site = "china_org_cn"

    class V1(ArticleParser):
        site = "china_org_cn"
        VERSION = 1
        timezone = "Asia/Shanghai"

        _title_selectors = (".artTitle", ".articleTitle", "h1")
        _body_selectors = ("#articleBody p", ".artCon p", "#artiContent p", "#artbody p")
        _caption_selectors = (
            ".pictext",
            '//*[@id="articleBody" or @id="artiContent" or @id="artbody"]'
            '//p[@align="center" and not(.//img)]',
        )
        _byline_selectors = ("#author_baidu", "#source_baidu")
        _dateline_selectors = (
            "#pubtime_baidu",
            ".artInfo",
            ".artiInfo",
            # Markup-agnostic: a leaf element holding only a date and time ("2025-04-18 16:33:49"),
            # then the archive's closing "(China Daily November 12, 2003)".
            r"//*[not(*)][re:test(normalize-space(.), '^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$')]",
            r"//p[re:test(normalize-space(.), '^\((China\.org\.cn|Xinhua|China Daily|CRI)"
            r"[^)]*\d{4}\)$')]",
        )
        _continuation_selectors = (
            '//div[@id="autopage"]//a/@href',
            r'//a[re:test(@href, "content_\d+_\d+\.s?html?$")]/@href',
        )
        _listing_link_selectors = (
            "ul.list li a::attr(href)",
            "#list a::attr(href)",
            "a::attr(href)",
        )
        _listing_next_selectors = (
            '//div[@id="autopage"]//a[normalize-space()="Next" or normalize-space()="下一页"]/@href',
            '//a[normalize-space()="Next" or normalize-space()="下一页"]/@href',
        )
        _boilerplate_patterns = (
            re.compile(r"^中国网客户端$"),
            re.compile(r"^国家重点新闻网站"),
            # div#autopage. One character class, not (\d+\s*)+: that nests quantifiers and
            # backtracks exponentially on a run of digits followed by text.
            re.compile(r"^(?:上一页\s*)?\d[\d\s]*(?:下一页)?$"),
            re.compile(r"^\((?:China\.org\.cn|Xinhua|China Daily|CRI)\s[^)]*\d{4}\)$"),
            re.compile(r"^(?:Editor|责任编辑)\s*[:：]"),
            re.compile(r"^Copyright\b", re.I),
        )
        # [^()] not [^)]: each try stops at the next "(", so a page of "(Photo/" stays linear.
        _caption_patterns = (re.compile(r"\((?:Photo|图)\s*/\s*[^()]*\)$"),)

        @staticmethod
        def cjk_share(text: str) -> float:
            letters = _LETTER.findall(text)
            return len(_CJK.findall(text)) / len(letters) if letters else 0.0

        def language(self, sel: Selector) -> str:
            """en, zh-Hans, or mixed when English and Chinese paragraphs alternate (ccpd)."""
            texts, _ = self.body_and_captions(sel)
            if not texts:  # unknown markup: every paragraph on the page
                texts = all_texts(sel, ("p", "body"))
            if not texts:  # no text at all: nothing to tell
                return "und"
            chinese = sum(self.cjk_share(t) > 0.5 for t in texts) / len(texts)
            if chinese >= 0.8:
                return "zh-Hans"
            return "mixed" if chinese >= 0.2 else "en"

        def byline(self, sel: Selector) -> str | None:
            text = first_text(sel, self._byline_selectors)
            return _LABEL.sub("", text).strip() or None if text else None

        def dateline_date(self, sel: Selector) -> datetime | None:
            match = _DATE.search(first_text(sel, self._dateline_selectors) or "")
            if not match:
                return None
            text = match.group(0)
            if match.group("zh"):
                text = re.sub(r"[年月]", "-", text).replace("日", " ").strip()
            return parse_datetime(text, self.timezone)

        def url_date(self, url: str) -> datetime | None:
            match = _ARTICLE_URL.match(url)
            if not match or not match.group("month"):
                return None
            year, month = (int(x) for x in match.group("month").split("-"))
            return make_date(year, month, int(match.group("day")), self.timezone)

        def listing(self, page: RawPage) -> Listing:
            found = super().listing(page)
            # Dates printed next to the links: the only date the archive's URLs have.
            for item in Selector(text=decode_html(page)).css("ul.list li"):
                href, printed = item.css("a::attr(href)").get(), item.css(".date::text").get()
                url = absolute_url(page.url, href)
                when = parse_datetime(printed, self.timezone) if url and printed else None
                if url and when:
                    found.dates[url] = when
            return found


class ChinaOrgCnSpider(NewsSpider):
    name = "china_org_cn"
    display_name = "China.org.cn"
    allowed_domains = ["china.org.cn", "china.com.cn"]
    parser = ChinaOrgCnParser
    article_url_re = _ARTICLE_URL
    # The "Exchanges" column of the World channel. SITE_START_URLS overrides it.
    default_start_urls = ("http://www.china.org.cn/world/node_7075763.htm",)
    # A published single-page story, for `scrapy check` (crawler.scraping.contracts).
    contract_article_url = "http://ccpd.china.com.cn/2025-04/18/content_43087770.html"

    @classmethod
    def canonical_url(cls, url: str) -> str:
        match = _ARTICLE_URL.match(url)
        if not match:
            return url.split("#")[0]
        host = match.group("host").lower()
        if host in {"china.org.cn", "m.china.org.cn"}:
            host = "www.china.org.cn"
        if match.group("archive"):
            return f"http://{host}{match.group('archive').lower()}"
        return (
            f"http://{host}{(match.group('section') or '').lower()}/{match.group('month')}"
            f"/{match.group('day')}/content_{match.group('id')}.{match.group('ext').lower()}"
        )
