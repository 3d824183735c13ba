"""Pure parsing: raw response bytes in, plain story fields out. No Scrapy, no network.

A site module defines a ``ParserProxy`` subclass whose nested ``V1``, ``V2`` … are
``ArticleParser`` subclasses. Site quirks live in them as data: ordered tuples of selectors,
tried in turn. When the site selectors find no title or no body, ``generic_fields`` fills in from
meta tags, JSON-LD and trafilatura, and the story is marked ``extraction="generic"`` so the health
checks can see that a site's markup stopped matching.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import dateparser
import trafilatura
from parsel import Selector
from w3lib.url import safe_url_string

from crawler.constants import EXTRACTION_GENERIC, EXTRACTION_SITE
from crawler.scraping.encoding import decode_page
from crawler.scraping.items import RawPage

_SPACE_RE = re.compile(r"\s+")
_PAGE_EXT_RE = re.compile(r"\.s?html?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]|%[01][0-9a-f]|%7f", re.I)

# Bounds that keep every later stage linear-ish on hostile pages: no real story paragraph is
# longer, no real story has more paragraphs, no printed date is longer.
MAX_PARAGRAPH_CHARS = 10_000
MAX_PARAGRAPHS = 1_000
MAX_DATE_CHARS = 100
# trafilatura on pages of any size: larger pages are cut before it sees them. Its fallback
# extractors (readability, jusText) grow with the square of the element count (3,000 sibling
# divs: 4 s; 6,000: 11 s), so pages with more tags than a real article get its fast mode,
# which stays linear (3,000 divs: 0.8 s).
MAX_GENERIC_HTML_CHARS = 1_000_000
MAX_FULL_EXTRACTION_TAGS = 2_000
MAX_METADATA_HTML_CHARS = 200_000
# jusText stop lists for trafilatura's jusText fallback. Without a target language it loads
# all 100 of jusText's lists and keeps them for the life of the process (27 MB); the sites
# print English, Korean and Chinese, and jusText has no Chinese list (it counts words by spaces).
JUSTEXT_STOPLISTS = ("English", "Korean")
# Languages the four sites print dates in; without a list dateparser tries all 200 (2.5 s for
# a string that is no date at all).
DATE_LANGUAGES = ("en", "zh", "ko")


def _limit_justext_stoplists() -> None:
    """Give trafilatura the stop lists of the sites' languages before it loads them all."""
    from justext.utils import get_stoplist
    from trafilatura import external

    if getattr(external, "JT_STOPLIST", None) is None:
        words = {word for language in JUSTEXT_STOPLISTS for word in get_stoplist(language)}
        external.JT_STOPLIST = tuple(sorted(words))


_limit_justext_stoplists()


def decode_html(page: RawPage) -> str:
    """Decode a page by HTTP header, BOM, ``<meta charset>`` and, last, by sniffing; a header
    charset that garbles the page loses to the page's own (crawler.scraping.encoding)."""
    _, text = decode_page(_header(page.headers, "Content-Type"), page.body)
    return text


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` made absolute against ``base`` and made safe (percent-encoded, no control
    characters), or None when it is no usable http(s) URL: one malformed link on a listing page
    is skipped instead of failing the whole page."""
    if not href or not href.strip():
        return None
    try:
        url = safe_url_string(urljoin(base, href.strip()))
    except ValueError:  # e.g. "http://[::1" (bad IPv6 host), bad port
        return None
    if not url.startswith(("http://", "https://")) or _CONTROL_RE.search(url):
        return None
    return url


def make_date(year: int, month: int, day: int, tz: str) -> datetime | None:
    """A midnight in ``tz``, or None for an impossible date (2024-13-45 in a URL or dateline)."""
    try:
        return datetime(year, month, day, tzinfo=ZoneInfo(tz))
    except (ValueError, OverflowError):
        return None


def bound_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """At most ``MAX_PARAGRAPHS`` paragraphs of at most ``MAX_PARAGRAPH_CHARS`` each."""
    out: list[str] = []
    for text in paragraphs:
        if len(out) >= MAX_PARAGRAPHS:
            break
        out.append(text[:MAX_PARAGRAPH_CHARS])
    return out


# Separators (category Z, all in the BMP) and the two kept controls, as spaces: what is left
# is printable exactly when the text holds no other control character (category C).
_KEPT_AS_SPACE = {
    cp: " " for cp in range(0x10000) if unicodedata.category(chr(cp))[0] == "Z" or chr(cp) in "\n\t"
}


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    # str.isprintable runs in C; the per-character filter only when there is something to drop.
    if not text.translate(_KEPT_AS_SPACE).isprintable():
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACE_RE.sub(" ", text).strip()


def node_text(node: Selector) -> str:
    """The node's text, cut at ``MAX_PARAGRAPH_CHARS`` before any pattern sees it."""
    return clean_text(
        " ".join(node.xpath(".//text()[not(ancestor::script or ancestor::style)]").getall())
    )[:MAX_PARAGRAPH_CHARS]


def first_text(sel: Selector, selectors: Sequence[str]) -> str | None:
    """Text of the first selector (CSS, or XPath when it starts with ``/`` or ``(``) that matches."""
    for query in selectors:
        for node in _select(sel, query):
            text = node_text(node)
            if text:
                return text
    return None


def all_texts(sel: Selector, selectors: Sequence[str]) -> list[str]:
    """Non-empty texts of every node of the first selector that matches anything."""
    for query in selectors:
        texts = [t for t in (node_text(n) for n in _select(sel, query)) if t]
        if texts:
            return texts
    return []


def _select(sel: Selector, query: str) -> Any:
    return sel.xpath(query) if query.startswith(("/", "(", "./")) else sel.css(query)


def meta_content(sel: Selector, *names: str) -> str | None:
    for name in names:
        value = sel.xpath(
            f'//meta[@name="{name}" or @property="{name}" or @itemprop="{name}"]/@content'
        ).get()
        if value and value.strip():
            return value.strip()
    return None


def jsonld_objects(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` flattened; broken blocks are skipped."""
    found: list[dict[str, Any]] = []
    for block in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(block)
        except (ValueError, RecursionError):  # broken, or nested deeper than Python recurses
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                found.append(obj)
                stack.extend(obj.get("@graph", []) if isinstance(obj.get("@graph"), list) else [])
    return found


def parse_datetime(text: str | None, tz: str) -> datetime | None:
    """Parse a printed date or date-time; naive results are placed in the site's time zone."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if len(text) > MAX_DATE_CHARS:
        return None
    try:
        # ISO 8601 (meta tags, JSON-LD, most datelines) is parsed in microseconds.
        parsed: datetime | None = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = dateparser.parse(
                text,
                languages=list(DATE_LANGUAGES),
                settings={
                    "TIMEZONE": tz,
                    "RETURN_AS_TIMEZONE_AWARE": True,
                    "PREFER_DAY_OF_MONTH": "first",
                },
            )
        except (ValueError, OverflowError, TypeError):  # impossible dates dateparser lets through
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


@dataclass(kw_only=True)
class Listing:
    """What a listing page offers: article links (absolute, as printed) and the next page.

    ``dates`` holds the dates a listing prints next to its links, for sites whose article URLs
    carry no date (``-a since=`` uses them).
    """

    article_urls: list[str] = field(default_factory=list)
    next_url: str | None = None
    dates: dict[str, datetime] = field(default_factory=dict)


class ArticleParser:
    """Base for one version of a site's parser. Subclasses set selectors as class data."""

    site: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    VALID_UNTIL: ClassVar[date | None] = None
    timezone: ClassVar[str] = "UTC"

    _title_selectors: ClassVar[tuple[str, ...]] = ("h1",)
    _subtitle_selectors: ClassVar[tuple[str, ...]] = ()
    _body_selectors: ClassVar[tuple[str, ...]] = ("article p",)
    _caption_selectors: ClassVar[tuple[str, ...]] = ("figcaption",)
    _byline_selectors: ClassVar[tuple[str, ...]] = ()
    _dateline_selectors: ClassVar[tuple[str, ...]] = ()
    _continuation_selectors: ClassVar[tuple[str, ...]] = ()
    _listing_link_selectors: ClassVar[tuple[str, ...]] = ("a::attr(href)",)
    _listing_next_selectors: ClassVar[tuple[str, ...]] = ()
    # Paragraphs that are page furniture, not story: matched against each paragraph's text.
    _boilerplate_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()
    # Paragraphs that are image captions even where the markup does not say so.
    _caption_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()

    @classmethod
    def version_name(cls) -> str:
        return f"{cls.site}/{cls.VERSION}"

    # --- listing pages -----------------------------------------------------------------
    def listing(self, page: RawPage) -> Listing:
        sel = Selector(text=decode_html(page))
        links = _first_nonempty(sel, self._listing_link_selectors)
        nexts = _first_nonempty(sel, self._listing_next_selectors)
        next_urls = [u for u in (absolute_url(page.url, h) for h in nexts) if u]
        return Listing(
            article_urls=_unique(u for u in (absolute_url(page.url, h) for h in links) if u),
            next_url=next_urls[0] if next_urls else None,
        )

    # --- article pages -----------------------------------------------------------------
    def continuation_urls(self, page: RawPage) -> list[str]:
        """Absolute URLs of pages 2..n of a multi-page article (empty for one-page stories).

        Only this story's own pages count: ``<stem>_2.htm`` beside ``<stem>.htm``, whatever
        else the pager links to.
        """
        sel = Selector(text=decode_html(page))
        links = _first_nonempty(sel, self._continuation_selectors)
        stem = _PAGE_EXT_RE.sub("", page.url.split("#")[0].split("?")[0])
        urls = _unique(u for u in (absolute_url(page.url, h) for h in links) if u)
        return [u for u in urls if u.startswith(f"{stem}_")]

    def parse(self, pages: Sequence[RawPage]) -> dict[str, Any]:
        """Story fields from one article's pages (page 1 first)."""
        selectors = [Selector(text=decode_html(p)) for p in pages]
        first = selectors[0]
        body: list[str] = []
        captions: list[str] = []
        for sel in selectors:
            page_body, page_captions = self.body_and_captions(sel)
            body.extend(page_body)
            captions.extend(page_captions)
        title = self.title(first)
        extraction = EXTRACTION_SITE
        fields: dict[str, Any] = {}
        if not title or not body:
            fields = generic_fields(pages, self.timezone)
            title = title or fields.get("title")
            if not body:
                # Site furniture (copyright lines, skip links) and the headline repeated as the
                # first line can survive the generic extractor.
                body = [
                    t for t in fields.get("body", []) if not self.is_boilerplate(t) and t != title
                ]
                captions.extend(t for t in body if self.is_caption(t))
                body = [t for t in body if not self.is_caption(t)]
            extraction = EXTRACTION_GENERIC
        published, source = self.published(first, pages[0].url)
        if published is None and fields.get("published"):
            published, source = fields["published"], fields["published_source"]
        return {
            "title": (title or "")[:MAX_PARAGRAPH_CHARS],
            "subtitle": self.subtitle(first),
            "published": published,
            "published_source": source,
            "language": self.language(first),
            "byline": self.byline(first),
            "body": bound_paragraphs(_unique(body)),
            "captions": bound_paragraphs(_unique(captions)),
            "extraction": extraction,
            "parser_version": self.version_name(),
        }

    def title(self, sel: Selector) -> str | None:
        return first_text(sel, self._title_selectors)

    def subtitle(self, sel: Selector) -> str | None:
        return first_text(sel, self._subtitle_selectors) if self._subtitle_selectors else None

    def byline(self, sel: Selector) -> str | None:
        return first_text(sel, self._byline_selectors) if self._byline_selectors else None

    def language(self, sel: Selector) -> str:
        return (sel.xpath("/html/@lang").get() or "und").strip() or "und"

    def body_and_captions(self, sel: Selector) -> tuple[list[str], list[str]]:
        body, captions = [], list(all_texts(sel, self._caption_selectors))
        for text in all_texts(sel, self._body_selectors):
            if self.is_boilerplate(text):
                continue
            if any(p.search(text) for p in self._caption_patterns):
                captions.append(text)
            elif text not in captions:
                body.append(text)
        return body, captions

    def is_boilerplate(self, text: str) -> bool:
        return any(p.search(text) for p in self._boilerplate_patterns)

    def is_caption(self, text: str) -> bool:
        return any(p.search(text) for p in self._caption_patterns)

    def published(self, sel: Selector, url: str) -> tuple[datetime | None, str]:
        """Publication time and where it came from; the dateline first, then meta, then URL."""
        found = self.safe_dateline_date(sel)
        if found:
            return found, "dateline"
        meta = meta_content(
            sel, "article:published_time", "publishdate", "pubdate", "datePublished"
        )
        if parsed := parse_datetime(meta, self.timezone):
            return parsed, "meta"
        if parsed := self.safe_url_date(url):
            return parsed, "url"
        return None, "none"

    def safe_url_date(self, url: str) -> datetime | None:
        """``url_date``, None when the URL's date is impossible (a site hook may not check)."""
        try:
            return self.url_date(url)
        except (ValueError, OverflowError):
            return None

    def dateline_date(self, sel: Selector) -> datetime | None:
        return parse_datetime(first_text(sel, self._dateline_selectors), self.timezone)

    def safe_dateline_date(self, sel: Selector) -> datetime | None:
        try:
            return self.dateline_date(sel)
        except (ValueError, OverflowError):
            return None

    def url_date(self, url: str) -> datetime | None:
        return None


class ParserProxy:
    """Picks the parser version valid on the crawl date (fundus ``ParserProxy``)."""

    site: ClassVar[str] = ""

    @classmethod
    def versions(cls) -> list[type[ArticleParser]]:
        found = [
            v for v in vars(cls).values() if isinstance(v, type) and issubclass(v, ArticleParser)
        ]
        return sorted(found, key=lambda v: v.VERSION)

    @classmethod
    def for_date(cls, crawl_date: date | None = None) -> ArticleParser:
        if crawl_date is not None:
            for version in cls.versions():
                if version.VALID_UNTIL is None or crawl_date <= version.VALID_UNTIL:
                    return version()
        return cls.latest()

    @classmethod
    def latest(cls) -> ArticleParser:
        return cls.versions()[-1]()


def generic_fields(pages: Sequence[RawPage], timezone: str) -> dict[str, Any]:
    """Fields from markup-agnostic sources: JSON-LD, meta tags, then trafilatura's extraction."""
    html = decode_html(pages[0])[:MAX_GENERIC_HTML_CHARS]
    sel = Selector(text=html)
    ld = next((o for o in jsonld_objects(sel) if "headline" in o or "articleBody" in o), {})
    title = (
        _str(ld.get("headline"))
        or meta_content(sel, "og:title", "twitter:title")
        or first_text(sel, ("h1", "title"))
    )
    body: list[str] = []
    for page in pages:
        page_html = decode_html(page)[:MAX_GENERIC_HTML_CHARS]
        text = trafilatura.extract(
            page_html,
            url=page.url,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            fast=page_html.count("<") > MAX_FULL_EXTRACTION_TAGS,
        )
        if text:
            body.extend(clean_text(line) for line in text.splitlines() if clean_text(line))
    if not body and ld.get("articleBody"):
        body = [clean_text(p) for p in _str(ld["articleBody"]).split("\n") if clean_text(p)]
    published = parse_datetime(
        _str(ld.get("datePublished"))
        or meta_content(sel, "article:published_time", "publishdate", "pubdate"),
        timezone,
    )
    if published is None:
        # Dates sit in the head or near the top; the metadata walk costs 5 s on a 1 MB page.
        meta = trafilatura.extract_metadata(
            html[:MAX_METADATA_HTML_CHARS], default_url=pages[0].url
        )
        published = parse_datetime(meta.date if meta else None, timezone)
    return {
        "title": clean_text(title)[:MAX_PARAGRAPH_CHARS] if title else None,
        "body": bound_paragraphs(body),
        "published": published,
        "published_source": "jsonld" if ld.get("datePublished") else "meta",
    }


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _first_nonempty(sel: Selector, queries: Sequence[str]) -> list[str]:
    for query in queries:
        values = [v for v in _select(sel, query).getall() if v and v.strip()]
        if values:
            return values
    return []


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
