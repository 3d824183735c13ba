"""`sistercity serve`: the feeds directory over HTTP for feed readers.

WhiteNoise answers: the right Content-Type for Atom, OPML and HTML, ETag and Last-Modified with
304 answers, gzip from the ``.gz`` files written beside each feed, and nothing outside the
directory. Waitress is the HTTP server.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from crawler.config import default_feeds_dir

logger = logging.getLogger(__name__)

MEDIA_TYPES = {
    ".atom": "application/atom+xml",
    ".opml": "text/x-opml",
    ".html": "text/html",
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("serve", help="serve the feeds directory over HTTP")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--feeds-dir", type=Path, default=None, help="default: var/feeds")
    return parser


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"Not found. The feeds are listed at /index.html\n"]


def feeds_app(feeds_dir: Path) -> Callable[..., Iterable[bytes]]:
    """The WSGI application serving ``feeds_dir``; new and rewritten files are seen at once."""
    from whitenoise import WhiteNoise

    return WhiteNoise(
        _not_found,
        root=str(feeds_dir),
        autorefresh=True,  # feeds are rewritten after every crawl
        index_file=True,
        max_age=300,
        mimetypes=MEDIA_TYPES,
    )


def run(args: argparse.Namespace) -> int:
    from waitress import serve

    feeds_dir = (args.feeds_dir or default_feeds_dir()).resolve()
    if not feeds_dir.is_dir():
        print(
            f"sistercity serve: no feeds directory at {feeds_dir}; run `sistercity feeds` or a crawl first",
            file=sys.stderr,
        )
        return 2
    print(
        f"Serving {feeds_dir} at http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr
    )
    serve(feeds_app(feeds_dir), host=args.host, port=args.port, ident="sistercity")
    return 0
