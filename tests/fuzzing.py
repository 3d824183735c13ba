"""Hostile inputs for every parser, the generic extractor and ``understand()``, as Hypothesis
strategies, and the checks each target must pass. No pytest here: tests/test_fuzz.py runs a
small deterministic sample in the suite, benchmarks/fuzz.py a large random one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from hypothesis import strategies as st

from crawler.scraping.items import RawPage, Story
from crawler.scraping.parsing import (
    MAX_PARAGRAPH_CHARS,
    ParserProxy,
    absolute_url,
    generic_fields,
    parse_datetime,
)
from spiders.asiae import AsiaeParser
from spiders.china_org_cn import ChinaOrgCnParser
from spiders.chinadaily_shandong import ChinadailyShandongParser
from spiders.chinesetoday import ChinesetodayParser

PARSERS: dict[str, type[ParserProxy]] = {
    "asiae": AsiaeParser,
    "china_org_cn": ChinaOrgCnParser,
    "chinadaily_shandong": ChinadailyShandongParser,
    "chinesetoday": ChinesetodayParser,
}
ARTICLE_URLS = {
    "asiae": "https://www.asiae.co.kr/en/article/2024112211525203153",
    "china_org_cn": "http://www.china.org.cn/world/2024-10/15/content_117485520.htm",
    "chinadaily_shandong": "http://www.goshandong.com.cn/2024-11/27/c_1050223.htm",
    "chinesetoday": "http://chinesetoday.com/?c=26&m=12345",
}

# Pieces that provoked crashes or stalls before, and the characters pages really carry.
_ATOMS = [
    "1" * 30,
    "上一页",
    "下一页",
    "(Photo/ ",
    "[Photo/",
    "（资料图",
    "发布日期:2023/13/45",
    "2024-13-45",
    "2025-04-18 16:33:49",
    "November 31, 2003",
    "http://[::1",
    "%01",
    "\x00",
    "\x01",
    "\ufffd",
    "&#1;",
    "Qingdao and Gwangju signed a sister city agreement",
    "青岛市与光州广域市缔结友好城市",
    "광주와 칭다오 자매결연",
    "Copyright",
    "©",
]
text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("0123456789 -/:()[]年月日（）中国青岛"),
    ),
    max_size=200,
) | st.lists(st.sampled_from(_ATOMS), max_size=30).map("".join)

hrefs = st.one_of(
    text,
    st.sampled_from(
        [
            "http://[::1/x",
            "http://example.com:99999999/",
            "javascript:alert(1)",
            "/world/2024-13/45/content_1.htm",
            "/world/2024-10/15/content_117485520_2.htm",
            "?c=26&m=%01",
            "c_1050223_2.htm",
            "//",
            "",
        ]
    ),
)


def _nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


jsonld = st.one_of(
    st.integers(min_value=1, max_value=200_000).map(_nested_json),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), text),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["@graph", "headline", "datePublished", "articleBody", "x"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    ).map(lambda v: json.dumps(v, ensure_ascii=False)),
    text,
)


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


element = st.recursive(
    text.map(_escape),
    lambda inner: st.one_of(
        st.tuples(
            st.sampled_from(
                [
                    "p",
                    "div",
                    "h1",
                    "span",
                    "li",
                    "figcaption",
                    'div id="articleBody"',
                    'div class="article"',
                    'div class="news_show"',
                    'div class="content"',
                    'div id="autopage"',
                    'ul class="list"',
                    'div class="news_list"',
                    'span class="date"',
                    'div id="pubtime_baidu"',
                    "article",
                ]
            ),
            st.lists(inner, max_size=5),
        ).map(lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0].split()[0]}>"),
        st.tuples(hrefs, text).map(lambda t: f'<a href="{_escape(t[0])}">{_escape(t[1])}</a>'),
        jsonld.map(lambda j: f'<script type="application/ld+json">{j}</script>'),
        st.tuples(st.sampled_from(["article:published_time", "og:title", "pubdate"]), text).map(
            lambda t: f'<meta property="{t[0]}" content="{_escape(t[1])}">'
        ),
    ),
    max_leaves=40,
)

html_pages = st.one_of(
    st.lists(element, max_size=8).map(lambda parts: f"<html><body>{''.join(parts)}</body></html>"),
    # One huge paragraph, or many: the sizes that were quadratic.
    st.tuples(st.sampled_from(_ATOMS), st.integers(1, 8_000)).map(
        lambda t: (
            f"<html><body><div id='articleBody'><p>{_escape(t[0]) * t[1]}</p></div></body></html>"
        )
    ),
    text,
)
bodies = st.one_of(
    html_pages.map(lambda h: h.encode("utf-8")),
    html_pages.map(lambda h: h.encode("gb18030", "replace")),
    st.binary(max_size=2_000),
)
content_types = st.sampled_from(
    ["text/html; charset=utf-8", "text/html; charset=gbk", "text/html", "application/pdf", ""]
)


def page(url: str, body: bytes, content_type: str) -> RawPage:
    return RawPage(url=url, status=200, headers={"Content-Type": content_type}, body=body)


# --- checks ---------------------------------------------------------------------------------
def check_fields(fields: dict[str, Any]) -> None:
    assert isinstance(fields["title"], str) and len(fields["title"]) <= MAX_PARAGRAPH_CHARS
    assert all(isinstance(p, str) and len(p) <= MAX_PARAGRAPH_CHARS for p in fields["body"])
    published = fields["published"]
    assert published is None or published.tzinfo is not None


def run_parser(site: str, body: bytes, content_type: str, url: str | None = None) -> None:
    parser = PARSERS[site].latest()
    raw = page(url or ARTICLE_URLS[site], body, content_type)
    check_fields(parser.parse([raw]))
    listing = parser.listing(raw)
    assert all(u.startswith(("http://", "https://")) for u in listing.article_urls)
    assert all("\x00" not in u and "%00" not in u for u in listing.article_urls)
    for continuation in parser.continuation_urls(raw):
        assert continuation.startswith(("http://", "https://"))
    parser.safe_url_date(raw.url)


def run_generic(body: bytes, content_type: str) -> None:
    fields = generic_fields([page("https://example.invalid/news/1", body, content_type)], "UTC")
    assert fields["title"] is None or isinstance(fields["title"], str)
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in fields["body"])


def run_understand(title: str, body: list[str]) -> None:
    from crawler.understanding import understand

    story = Story(
        site="fuzz",
        url="https://example.invalid/news/12345",
        canonical_url="https://example.invalid/news/12345",
        title=title,
        body=body,
        published=datetime(2024, 11, 22, tzinfo=UTC),
        fetched_at=datetime.now(UTC),
    )
    done = understand(story)
    assert isinstance(done.partnerships, list)


def run_dates(value: str) -> None:
    parsed = parse_datetime(value, "Asia/Shanghai")
    assert parsed is None or parsed.tzinfo is not None


def run_urls(base: str, href: str) -> None:
    url = absolute_url(base, href)
    assert url is None or (url.startswith(("http://", "https://")) and url.isascii())


TARGETS: dict[str, tuple[Callable[..., None], Any]] = {
    **{
        f"parser:{site}": (
            partial(run_parser, site),
            st.tuples(bodies, content_types),
        )
        for site in PARSERS
    },
    "generic": (run_generic, st.tuples(bodies, content_types)),
    "understand": (
        run_understand,
        st.tuples(
            text, st.lists(text | st.sampled_from(_ATOMS).map(lambda a: a * 500), max_size=12)
        ),
    ),
    "dates": (run_dates, st.tuples(text)),
    "urls": (run_urls, st.tuples(st.sampled_from(list(ARTICLE_URLS.values())), hrefs)),
}
