"""`sistercity classify [PATH|-] [--html] [--url URL]`: one story in, one JSON verdict out.

The text goes through ``crawler.understanding.understand``, exactly the pipeline's code. Plain
text: the first non-empty line is the title, the rest are paragraphs. ``--html`` parses the page
with the site's parser when ``--url`` names a known site, else with the generic extractor.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_BYTES = 5 * 1024 * 1024  # a news story is far smaller; anything bigger is not one


class InputError(Exception):
    """Input that cannot be a story; the message is shown to the user as is."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "classify", help="classify one story and print its partnerships as JSON"
    )
    parser.add_argument("path", nargs="?", default="-", help="story text or HTML file; - for stdin")
    parser.add_argument("--html", action="store_true", help="the input is an HTML page")
    parser.add_argument("--url", help="the story's URL: picks the site's parser, dates the story")
    parser.add_argument("--published", help="publication date (ISO 8601) for plain text")
    return parser


def read_input(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"no such file: {path}")
        with file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"input is larger than {MAX_BYTES // (1024 * 1024)} MiB; not one story")
    if not data.strip():
        raise InputError("input is empty")
    if b"\x00" in data[:8192]:
        raise InputError("input is binary, not text or HTML")
    return data


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("input is not text in UTF-8, GB18030 or CP949")


def site_parser(url: str | None) -> tuple[str, Any]:
    """The site slug and its parser proxy for a URL on a known site, else ("", None)."""
    from crawler.scraping.sites import parser_for, site_for_host

    site = site_for_host(url) if url else None
    return (site, parser_for(site)) if site else ("", None)


def story_from_input(data: bytes, args: argparse.Namespace) -> Any:
    from crawler.scraping.items import RawPage, Story
    from crawler.scraping.parsing import generic_fields

    now = datetime.now(UTC)
    published = datetime.fromisoformat(args.published) if args.published else None
    url = args.url or "urn:sistercity:stdin"
    if args.html:
        page = RawPage(url=url, status=200, headers={"Content-Type": "text/html"}, body=data)
        slug, proxy = site_parser(args.url)
        if proxy is not None:
            fields = proxy.for_date(now.date()).parse([page])
        else:
            fields = generic_fields([page], "UTC")
            fields.setdefault("language", "und")
        if not fields.get("title") and not fields.get("body"):
            raise InputError("no story text found in the HTML")
        allowed = {
            "title",
            "subtitle",
            "published",
            "published_source",
            "language",
            "byline",
            "body",
            "captions",
            "extraction",
            "parser_version",
        }
        kwargs = {k: v for k, v in fields.items() if k in allowed and v is not None}
        kwargs.setdefault("title", "")  # a page without a headline is still a story to classify
        if published is not None:
            kwargs["published"] = published
        return Story(site=slug or "unknown", url=url, canonical_url=url, fetched_at=now, **kwargs)
    text = decode_text(data)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError("input is empty")
    return Story(
        site="stdin",
        url=url,
        canonical_url=url,
        title=lines[0],
        body=lines[1:],
        published=published,
        fetched_at=now,
    )


def run(args: argparse.Namespace) -> int:
    from crawler.understanding import understand

    try:
        if args.published:
            try:
                datetime.fromisoformat(args.published)
            except ValueError as exc:
                raise InputError(f"--published is not an ISO 8601 date: {args.published}") from exc
        story = understand(story_from_input(read_input(args.path), args))
    except InputError as exc:
        print(f"sistercity classify: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"sistercity classify: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
        return 2
    out = {
        "is_partnership_story": story.is_partnership_story,
        "confidence": story.confidence,
        "language": story.language,
        "partnerships": story.partnerships,
        "network_sizes": story.network_sizes,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0
