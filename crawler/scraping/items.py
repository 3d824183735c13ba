"""The one item the spiders yield: a news story.

Field table (checked against the dataclass by ``tests/test_conventions.py``):

| field | type | required | meaning |
|---|---|---|---|
| site | str | yes | site slug, also the spider name (``asiae``) |
| url | str | yes | URL of the first page as fetched (real URL, never a mirror) |
| canonical_url | str | yes | URL with host aliases folded and page suffixes removed |
| title | str | yes | headline |
| subtitle | str or None | no | deck / sub-headline |
| published | datetime or None | no | publication time, timezone-aware, original offset kept |
| published_source | str | yes | where the date came from: dateline, meta, jsonld, url, id, none |
| language | str | yes | en, zh-Hans, zh-Hant, ko, or mixed for bilingual stories |
| byline | str or None | no | author or source line as printed |
| body | list[str] | yes | body paragraphs, in order, captions and boilerplate removed |
| captions | list[str] | yes | image captions, kept apart from the body |
| pages | list[str] | yes | URLs of every page joined into this story |
| extraction | str | yes | which path produced the fields: site (site selectors) or generic |
| parser_version | str | yes | ``<site>/<version>`` of the parser that produced the fields |
| fetched_at | datetime | yes | when the first page was fetched, timezone-aware |
| raw | list[RawPage] | yes | raw responses (bytes and headers) for the store; never exported |
| paragraph_languages | list[str] | no | language of each body paragraph (set by normalize) |
| story_id | str | no | stable readable id ``<site>/<yyyymmdd>/<article-id>`` (set by normalize) |
| content_hash | str | no | hash of the normalized title and body (set by normalize) |
| duplicate_of | str or None | no | story_id of the story this one repeats (set by dedupe) |
| duplicate_kind | str or None | no | url, content or near (set by dedupe) |
| event_keys | list[str] | no | ids of the partnership events this story reports (set by dedupe) |
| is_partnership_story | bool or None | no | classifier verdict (set by classify) |
| confidence | float or None | no | classifier confidence 0..1 (set by classify) |
| partnerships | list[dict] | no | extracted pairs, relation, event, since_year (set by classify) |
| network_sizes | list[dict] | no | stated partner-network sizes per city (set by classify) |
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(kw_only=True)
class RawPage:
    """One HTTP response as received: what the store keeps so pages can be re-parsed."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(kw_only=True)
class Story:
    site: str
    url: str
    canonical_url: str
    title: str
    subtitle: str | None = None
    published: datetime | None = None
    published_source: str = "none"
    language: str = "und"
    byline: str | None = None
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    extraction: str = "site"
    parser_version: str = ""
    fetched_at: datetime
    raw: list[RawPage] = field(default_factory=list, repr=False)
    # Filled in by the pipelines.
    paragraph_languages: list[str] = field(default_factory=list)
    story_id: str = ""
    content_hash: str = ""
    duplicate_of: str | None = None
    duplicate_kind: str | None = None
    event_keys: list[str] = field(default_factory=list)
    is_partnership_story: bool | None = None
    confidence: float | None = None
    partnerships: list[dict[str, Any]] = field(default_factory=list)
    network_sizes: list[dict[str, Any]] = field(default_factory=list)


# `raw` holds bytes for the store; exports (`scrapy crawl -O`) carry the readable fields only.
EXPORT_FIELDS: list[str] = [f.name for f in dataclasses.fields(Story) if f.name != "raw"]
