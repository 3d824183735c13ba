"""Hostile pages: malformed links, impossible dates, pages without text, runaway inputs.

Each of these crashed or stalled a parser before: one bad link dropped a whole listing page, one
odd story stalled the crawl. Hang guards run under ``time_budget`` so a regression fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.scraping.budget import BudgetExceeded, time_budget
from crawler.scraping.items import RawPage
from crawler.scraping.parsing import (
    MAX_PARAGRAPH_CHARS,
    absolute_url,
    generic_fields,
    parse_datetime,
)
from crawler.settings import base as settings_base
from spiders.asiae import AsiaeParser
from spiders.china_org_cn import ChinaOrgCnParser, ChinaOrgCnSpider
from spiders.chinadaily_shandong import ChinadailyShandongParser
from spiders.chinesetoday import ChinesetodayParser

ROOT = Path(__file__).resolve().parent.parent
GUARD = 15.0  # seconds: far above what these take when linear, far below a hang
PARSERS = [ChinaOrgCnParser, ChinadailyShandongParser, ChinesetodayParser, AsiaeParser]


def page(url: str, html: str) -> RawPage:
    return RawPage(
        url=url,
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        body=html.encode(),
    )


# --- crashes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("proxy", PARSERS, ids=lambda p: p.site)
def test_page_without_any_text_parses(proxy: type) -> None:
    fields = proxy.latest().parse(
        [page("http://www.china.org.cn/a.htm", "<html><body></body></html>")]
    )
    assert fields["title"] == "" and fields["body"] == []


def test_china_org_cn_language_without_text_is_unknown() -> None:
    fields = ChinaOrgCnParser.latest().parse(
        [page("http://www.china.org.cn/world/2024-01/02/content_1.htm", "<html><img></html>")]
    )
    assert fields["language"] == "und"


def test_deeply_nested_json_ld_is_skipped() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    html = (
        f'<html><head><script type="application/ld+json">{nested}</script></head>'
        "<body><h1>Weihai and Incheon</h1><p>Weihai and Incheon signed a friendship agreement "
        "on Monday in a ceremony at the city hall of Weihai.</p></body></html>"
    )
    fields = generic_fields([page("https://example.invalid/1", html)], "UTC")
    assert fields["title"] == "Weihai and Incheon"


@pytest.mark.parametrize(
    "href",
    ["http://[::1/broken", "http://example.com:99999999/x", "javascript:alert(1)", "?c=\x01&m=2"],
)
def test_one_malformed_link_does_not_drop_the_listing(href: str) -> None:
    good = "/world/2024-10/15/content_117485520.htm"
    html = f'<html><ul class="list"><li><a href="{href}">bad</a></li><li><a href="{good}">ok</a></li></ul></html>'
    listing = ChinaOrgCnParser.latest().listing(
        page("http://www.china.org.cn/world/node_1.htm", html)
    )
    assert listing.article_urls == [f"http://www.china.org.cn{good}"]


def test_links_are_percent_encoded() -> None:
    assert absolute_url("http://a.example/x/", "story one.htm?q=中") == (
        "http://a.example/x/story%20one.htm?q=%E4%B8%AD"
    )
    assert absolute_url("http://a.example/", "/?c=%01") is None  # an encoded control character


@pytest.mark.parametrize(
    ("proxy", "url"),
    [
        (ChinaOrgCnParser, "http://www.china.org.cn/world/2024-13/45/content_1.htm"),
        (ChinadailyShandongParser, "http://www.goshandong.com.cn/2024-00/99/c_1.htm"),
        (AsiaeParser, "https://www.asiae.co.kr/en/article/2024139911525203153"),
    ],
)
def test_impossible_date_in_url_gives_no_date(proxy: type, url: str) -> None:
    parser = proxy.latest()
    assert parser.safe_url_date(url) is None
    fields = parser.parse(
        [page(url, "<html><h1>T</h1><article><p>Body text.</p></article></html>")]
    )
    assert fields["published"] is None


def test_impossible_date_in_a_dateline_gives_no_date() -> None:
    html = (
        '<html><div class="news_show"><h1>T</h1><div>发布日期:2023/13/45 来源:International daily</div>'
        '<div class="content"><p>Body text.</p></div></div></html>'
    )
    fields = ChinesetodayParser.latest().parse([page("http://chinesetoday.com/?c=1&m=2", html)])
    assert fields["published"] is None and fields["body"] == ["Body text."]


def test_listing_with_an_impossible_date_link_keeps_its_other_links() -> None:
    spider = _spider()
    bad = "http://www.china.org.cn/world/2024-13/45/content_2.htm"
    good = "http://www.china.org.cn/world/2024-10/15/content_117485520.htm"
    html = f'<html><ul class="list"><li><a href="{bad}">a</a></li><li><a href="{good}">b</a></li></ul></html>'
    spider.since = datetime(2024, 1, 1).date()
    listing = "http://www.china.org.cn/world/node_1.htm"
    response = HtmlResponse(
        url=listing, body=html.encode(), encoding="utf-8", request=Request(listing)
    )
    urls = [r.url for r in spider.parse_listing(response)]
    assert good in urls


def test_classify_html_without_a_title_gives_a_verdict() -> None:
    html = (
        b"<html><body><p>Qingdao and Yokohama signed a sister city agreement today "
        b"in a ceremony at Qingdao city hall.</p></body></html>"
    )
    done = subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "classify", "--html", "-"],
        input=html,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b'"is_partnership_story"' in done.stdout


# --- stalls --------------------------------------------------------------------------------------
def test_page_number_pattern_is_linear() -> None:
    parser = ChinaOrgCnParser.latest()
    with time_budget(GUARD):
        assert not parser.is_boilerplate("1" * 60 + "x")
    assert parser.is_boilerplate("上一页 1 2 3 下一页")


@pytest.mark.parametrize(
    ("proxy", "unit"),
    [
        (ChinaOrgCnParser, "(Photo/ "),
        (ChinesetodayParser, "(Photos "),
        (ChinesetodayParser, "（x供图"),
        (ChinadailyShandongParser, "[Photo/ "),
    ],
    ids=["china_org_cn", "chinesetoday", "chinesetoday-zh", "chinadaily_shandong"],
)
def test_caption_patterns_are_linear(proxy: type, unit: str) -> None:
    parser = proxy.latest()
    with time_budget(GUARD):
        for _ in range(20):
            assert not parser.is_caption(unit * 2_000)


def test_paragraphs_are_bounded() -> None:
    huge = "word " * 100_000
    html = f"<html><h1>T</h1><div id='articleBody'><p>{huge}</p></div></html>"
    fields = ChinaOrgCnParser.latest().parse(
        [page("http://www.china.org.cn/world/2024-01/02/content_1.htm", html)]
    )
    assert fields["body"] and all(len(p) <= MAX_PARAGRAPH_CHARS for p in fields["body"])


def test_dates_iso_and_printed_and_junk() -> None:
    assert parse_datetime("2024-11-21T10:00:00+09:00", "UTC") == datetime.fromisoformat(
        "2024-11-21T10:00:00+09:00"
    )
    assert (
        parse_datetime("2024-11-21 10:00", "Asia/Shanghai").utcoffset().total_seconds() == 8 * 3600
    )
    assert parse_datetime("November 12, 2003", "UTC").date().isoformat() == "2003-11-12"
    with time_budget(GUARD):
        assert parse_datetime("Foo 99, 12345 blah blah", "UTC") is None
        assert parse_datetime("2024-13-45", "UTC") is None
        assert parse_datetime("9" * 5_000, "UTC") is None


def test_download_size_is_capped() -> None:
    assert 0 < settings_base.DOWNLOAD_MAXSIZE <= 32 * 1024 * 1024


def test_time_budget_interrupts_a_runaway_regex() -> None:
    import re

    with pytest.raises(BudgetExceeded):
        with time_budget(0.5):
            re.match(r"^(?:\d+\s*)+$", "1" * 40 + "x")


def test_a_story_that_breaks_the_parser_is_recorded_as_failed() -> None:
    spider = _spider()

    class Broken(ChinaOrgCnParser.V1):
        def parse(self, pages: object) -> dict:
            raise RecursionError("deep")

    spider.article_parser = Broken  # type: ignore[method-assign]
    url = "http://www.china.org.cn/world/2024-10/15/content_117485520.htm"
    response = HtmlResponse(url=url, body=b"<html></html>", request=Request(url))
    assert list(spider.parse_article(response)) == []
    assert spider.failed and spider.failed[0][0] == url and "RecursionError" in spider.failed[0][1]


def test_a_story_over_its_time_budget_is_recorded_as_failed() -> None:
    spider = _spider(SISTERCITY_STORY_TIME_BUDGET=0.5)

    class Slow(ChinaOrgCnParser.V1):
        def parse(self, pages: object) -> dict:
            import re

            re.match(r"^(?:\d+\s*)+$", "1" * 40 + "x")
            return {}

    spider.article_parser = Slow  # type: ignore[method-assign]
    url = "http://www.china.org.cn/world/2024-10/15/content_117485520.htm"
    response = HtmlResponse(url=url, body=b"<html></html>", request=Request(url))
    assert list(spider.parse_article(response)) == []
    assert "budget" in spider.failed[0][1]


# --- URLs in the store ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://chinesetoday.com/?c=\x01&m=5", "http://[::1/x"])
def test_a_stored_url_with_a_control_character_does_not_break_the_feeds(url: str) -> None:
    from storage.feeds import publish
    from storage.repository import StoryStore
    from tests.storefactory import asiae_gwangju_qingdao

    folder = Path(tempfile.mkdtemp())
    with StoryStore(f"sqlite:///{folder}/store.db") as store:
        story = asiae_gwangju_qingdao(datetime.now(UTC))
        story.url = story.canonical_url = url
        store.record(story)
        publish(store, folder / "feeds")
    feed = feedparser.parse((folder / "feeds" / "partnerships.atom").read_bytes())
    assert not feed.bozo and feed.entries
    links = [link.href for e in feed.entries for link in e.get("links", [])]
    assert all("\x01" not in href for href in links)


def _spider(**settings: object) -> ChinaOrgCnSpider:
    crawler = get_crawler(ChinaOrgCnSpider, {"ITEM_PIPELINES": {}, **settings})
    crawler._apply_settings()
    spider = ChinaOrgCnSpider.from_crawler(crawler)
    crawler.spider = spider
    assert crawler.stats is not None
    return spider
