"""Normalization: NFC text, furniture lines out, captions apart, languages, id, hash, dates.

Site parsers already drop what their selectors know; these site-agnostic rules catch the rest
(print links, copyright lines, leaked image file names) so every path into the store — spiders,
the generic extractor, ``sistercity classify`` on pasted text — gets the same clean body.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from crawler.scraping.items import Story
from crawler.scraping.parsing import clean_text
from crawler.understanding import language
from crawler.understanding.fingerprint import content_hash

# Whole paragraphs that are page furniture on any news site. A site's own furniture (menus,
# app banners) is its parser's `_boilerplate_patterns`, in spiders/<site>.py.
BOILERPLATE = [
    re.compile(p, re.I)
    for p in (
        r"^(print\s*)+$",
        r"^打印$",
        r"^[\w\-. ]+\.(jpe?g|png|gif|webp)$",
        r"^(©|\(c\)|copyright\b)",
        r"all rights reserved\.?$",
        r"版權所有|版权所有",
        r"^(related stories|相关新闻|相關新聞|관련기사)$",
        r"^当前位置\s*[:：]",
        r"^\(edited by [^)]*\)$",
        r"^(责任编辑|責任編輯)\s*[:：]",
    )
]
# Paragraphs that are image captions: kept, but apart from the body.
CAPTIONS = [
    re.compile(p, re.I)
    for p in (
        r"\[photo[^\]]*\]$",
        r"\[(图|圖)[^\]]*\]$",
        r"(provided by|courtesy of) [^.]{2,60}$",
        r"/(新华社|新華社)(记者|記者)?\S*摄$",
        r"\((사진|제공)[^)]*\)$",
        r"사진\s*=\s*\S+\s*제공$",
    )
]
_DIGITS_RE = re.compile(r"\d{4,}")


def is_boilerplate(paragraph: str) -> bool:
    return any(p.search(paragraph) for p in BOILERPLATE)


def is_caption(paragraph: str) -> bool:
    return any(p.search(paragraph) for p in CAPTIONS)


def clean_paragraphs(body: list[str], captions: list[str]) -> tuple[list[str], list[str]]:
    """Body without furniture or repeated paragraphs, and the captions found in it added."""
    kept: list[str] = []
    found = [c for c in (clean_text(c) for c in captions) if c]
    for raw in body:
        text = clean_text(raw)
        if not text or is_boilerplate(text) or text in kept:
            continue
        if is_caption(text):
            if text not in found:
                found.append(text)
            continue
        kept.append(text)
    return kept, found


def aware(value: datetime | str | None) -> datetime | None:
    """A timezone-aware datetime; the printed offset is kept, a naive value is taken as UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def article_id(canonical_url: str) -> str | None:
    """The site's own article id: the last run of 4+ digits in the URL's path or query."""
    parts = urlsplit(canonical_url)
    found = _DIGITS_RE.findall(parts.path) or _DIGITS_RE.findall(parts.query)
    return found[-1] if found else None


def story_id(site: str, canonical_url: str, published: datetime | None) -> str:
    """``<site>/<yyyymmdd>/<article-id>``; without a date or id, ``<site>/<sha1 of the URL>``."""
    ident = article_id(canonical_url)
    if published is not None and ident:
        return f"{site}/{published.strftime('%Y%m%d')}/{ident}"
    return f"{site}/{hashlib.sha1(canonical_url.encode('utf-8')).hexdigest()}"


def normalize_story(story: Story) -> Story:
    """Fill the normalized fields of ``story`` in place; running it twice changes nothing."""
    story.title = clean_text(story.title or "")
    story.subtitle = clean_text(story.subtitle) if story.subtitle else None
    story.byline = clean_text(story.byline) if story.byline else None
    story.body, story.captions = clean_paragraphs(list(story.body), list(story.captions))
    story.published = aware(story.published)
    story.fetched_at = aware(story.fetched_at) or story.fetched_at
    lang, per_paragraph = language.detect_story([story.title, *story.body])
    story.paragraph_languages = per_paragraph[1:]
    if lang != language.UNKNOWN:
        story.language = lang
    story.story_id = story_id(story.site, story.canonical_url or story.url, story.published)
    story.content_hash = content_hash(story.title, story.body)
    return story
