"""`sistercity feeds`: rebuild the Atom feeds, index.html and feeds.opml from the store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.app.cli import EXIT_CONFIG, add_setting_option, fail
from crawler.config import default_db_url, default_feeds_dir


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("feeds", help="rebuild the Atom feeds from the store")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    parser.add_argument(
        "--feeds-dir", type=Path, help="where feeds are written (default: var/feeds)"
    )
    parser.add_argument(
        "--full", action="store_true", help="render every feed, not only changed ones"
    )
    add_setting_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.app.runner import project_settings
    from storage.feeds import FeedConfig, publish
    from storage.repository import StoryStore

    config = FeedConfig.from_settings(project_settings(dict(args.set)))
    feeds_dir = args.feeds_dir or default_feeds_dir()
    try:
        with StoryStore.open(args.db or default_db_url()) as store:
            report = publish(store, feeds_dir, config, full=args.full)
    except (SQLAlchemyError, OSError) as exc:
        fail(f"sistercity feeds: {exc.__class__.__name__}: {exc}".splitlines()[0], exc)
        return EXIT_CONFIG  # a store or disk error, not a site's
    print(f"{len(report.written)} file(s) written, {report.unchanged} unchanged, in {feeds_dir}")
    for name in report.written:
        print(f"  {name}")
    return 0
