"""`sistercity reprocess`: parse the stored raw pages again, re-run the understanding stage and
file the results, then rebuild the feeds. Nothing is fetched.

A different text from the same bytes is stored as a ``reparse`` version, never as an edit; new
extraction results update the register (a claim no longer found is withdrawn).
"""

from __future__ import annotations

import argparse
import logging
from datetime import date
from pathlib import Path
from typing import Any

from crawler.app.cli import EXIT_CONFIG, fail
from crawler.config import default_db_url, default_feeds_dir

logger = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "reprocess", help="re-parse stored pages and update register and feeds"
    )
    parser.add_argument("--site", help="only this site's stories")
    parser.add_argument(
        "--since", type=date.fromisoformat, help="only stories seen on or after YYYY-MM-DD"
    )
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    parser.add_argument(
        "--feeds-dir", type=Path, help="where feeds are written (default: var/feeds)"
    )
    return parser


def site_modules(site: str) -> tuple[Any, Any]:
    """The site's ``ParserProxy`` and spider class, from the site registry."""
    from crawler.scraping.sites import spider_class

    spider = spider_class(site)
    return spider.parser, spider


def reparse(store: Any, story_row: Any, version: Any) -> Any:
    """A fresh ``Story`` from a stored version's raw pages, parsed and understood again."""
    from crawler.scraping.items import RawPage, Story
    from crawler.understanding import understand

    parser_proxy, spider = site_modules(story_row.site)
    pages = [
        RawPage(url=p.url, status=p.status, headers=p.headers, body=p.body)
        for p in store.raw_pages(version.id)
    ]
    if not pages:
        raise ValueError("no raw pages stored")
    fields = parser_proxy.for_date(version.fetched_at.date()).parse(pages)
    story = Story(
        site=story_row.site,
        url=version.url,
        canonical_url=spider.canonical_url(version.url) if spider else story_row.canonical_url,
        pages=[p.url for p in pages],
        fetched_at=version.fetched_at,
        raw=pages,
        **fields,
    )
    understand(story)
    # Dedupe needs the whole run; keep what it decided when the story was crawled.
    story.story_id = story_row.key
    story.duplicate_of, story.duplicate_kind = version.duplicate_of, version.duplicate_kind
    story.event_keys = list(version.event_keys or [])
    return story


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.app.runner import project_settings
    from storage.feeds import FeedConfig, publish
    from storage.repository import StoreConfig, StoryStore

    settings = project_settings()
    config = StoreConfig(
        event_window_days=settings.getint("SISTERCITY_EVENT_WINDOW_DAYS", 7),
        min_confidence=settings.getfloat("SISTERCITY_REGISTER_MIN_CONFIDENCE", 0.5),
    )
    counts: dict[str, int] = {}
    try:
        with StoryStore.open(args.db or default_db_url(), config) as store:
            for story_row, version in store.latest_versions(args.site, args.since):
                try:
                    story = reparse(store, story_row, version)
                except (ImportError, StopIteration, ValueError) as exc:
                    logger.error("Cannot reprocess %s: %s", story_row.key, exc)
                    counts["error"] = counts.get("error", 0) + 1
                    continue
                change = store.record(story)
                kind = "reparsed" if change.reparsed else change.kind
                counts[kind] = counts.get(kind, 0) + 1
            publish(
                store, args.feeds_dir or default_feeds_dir(), FeedConfig.from_settings(settings)
            )
    except (SQLAlchemyError, OSError) as exc:
        fail(f"sistercity reprocess: {exc.__class__.__name__}: {exc}".splitlines()[0], exc)
        return EXIT_CONFIG  # a store or disk error, not a site's
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no stories"
    print(f"reprocessed: {summary}")
    return 1 if counts.get("error") else 0
