"""`sistercity serve`: the feeds directory over HTTP for feed readers.

WhiteNoise answers: the right Content-Type for Atom, OPML and HTML, ETag and Last-Modified with
304 answers, gzip from the ``.gz`` files written beside each feed, and nothing outside the
directory. Waitress is the HTTP server.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from crawler.app.cli import ConfigError
from crawler.config import default_feeds_dir

logger = logging.getLogger(__name__)

MEDIA_TYPES = {
    # Feeds carry Chinese and Korean titles: say UTF-8, or browsers guess another charset.
    ".atom": "application/atom+xml; charset=utf-8",
    ".opml": "text/x-opml",
    ".html": "text/html",
}
# Slow or greedy clients cannot hold the server: few threads, bounded connections, idle
# connections closed, small requests only (feed readers send GETs).
WAITRESS_OPTIONS: dict[str, Any] = {
    "threads": 4,
    "connection_limit": 100,
    "channel_timeout": 30,
    "cleanup_interval": 10,
    "max_request_header_size": 16 * 1024,
    "max_request_body_size": 16 * 1024,
    "expose_tracebacks": False,
    "ident": "sistercity",
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

    real_root = os.path.realpath(feeds_dir)

    class FeedFiles(WhiteNoise):  # type: ignore[misc]
        def find_file(self, url: str) -> Any:
            # Hidden files (the feed writer's ".<name>.<random>.tmp") are never served, and
            # nothing a symlink leads to outside the directory.
            parts = [p for p in url.split("/") if p]
            if any(p.startswith(".") or p.endswith(".tmp") for p in parts):
                return None
            target = os.path.join(real_root, *parts)
            for candidate in (target, os.path.join(target, "index.html"), target + ".gz"):
                if os.path.lexists(candidate) and not _inside(candidate, real_root):
                    return None
            return super().find_file(url)

    app = FeedFiles(
        _not_found,
        root=str(feeds_dir),
        autorefresh=True,  # feeds are rewritten after every crawl
        index_file=True,
        max_age=300,
        mimetypes=MEDIA_TYPES,
    )

    def with_security_headers(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [h for h in headers if h[0].lower() != "x-content-type-options"]
            headers.append(("X-Content-Type-Options", "nosniff"))
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return with_security_headers


def keep_alive_channel() -> type:
    """Waitress's HTTP channel whose tasks keep an HTTP/1.1 connection open after a response
    without a body (304, 204). Waitress closes it when no Content-Length was sent, which a 304
    may not carry; a feed reader polling every feed would reconnect for each one."""
    from waitress.channel import HTTPChannel
    from waitress.task import WSGITask

    class KeepAliveTask(WSGITask):  # type: ignore[misc]
        _building = False

        def build_response_header(self) -> bytes:
            self._building = True
            try:
                return super().build_response_header()  # type: ignore[no-any-return]
            finally:
                self._building = False

        def set_close_on_finish(self) -> None:
            asked_close = self.request.headers.get("CONNECTION", "").lower() == "close"
            if self._building and not self.has_body and self.version == "1.1" and not asked_close:
                return  # nothing to delimit: the next request can follow on this connection
            super().set_close_on_finish()

    class KeepAliveChannel(HTTPChannel):  # type: ignore[misc]
        task_class = KeepAliveTask

    return KeepAliveChannel


def _inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def run(args: argparse.Namespace) -> int:
    from waitress.server import create_server

    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port} is not a TCP port (1-65535)")
    feeds_dir = (args.feeds_dir or default_feeds_dir()).resolve()
    if not feeds_dir.is_dir():
        raise ConfigError(
            f"no feeds directory at {feeds_dir}; run `sistercity feeds` or a crawl first"
        )
    remove_stale_temp_files(feeds_dir)
    try:
        server = create_server(
            feeds_app(feeds_dir), host=args.host, port=args.port, **WAITRESS_OPTIONS
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from exc
    server.channel_class = keep_alive_channel()
    print(
        f"Serving {feeds_dir} at http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def remove_stale_temp_files(feeds_dir: Path) -> None:
    from storage.feeds import remove_temp_files

    try:
        remove_temp_files(feeds_dir)
    except OSError as exc:  # a read-only copy of the feeds can still be served
        logger.warning("Could not remove leftover temporary files in %s: %s", feeds_dir, exc)
