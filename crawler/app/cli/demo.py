"""`sistercity demo`: the whole product offline, in one command.

Starts the bundled site replicas (synthetic pages) on 127.0.0.1, crawls them through
SITE_MIRRORS into a fresh SQLite store, builds the feeds and says what they hold; then moves the
replicas to their second edition, crawls again and shows the change entries that appeared. The
store and feeds stay in place for `sistercity serve` or a feed reader.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "demo", help="crawl the bundled replicas twice and show the feeds"
    )
    parser.add_argument(
        "--dir", type=Path, default=Path("var/demo"), help="where the demo store and feeds go"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port for the replicas (default: any free one)"
    )
    return parser


def feed_entries(path: Path) -> list[tuple[str, str, str]]:
    """(id, date, title) of every entry of an Atom file, in file order; the date is what the
    entry reports (its ``published``: the event or the story's date), not the crawl's."""
    if not path.exists():
        return []
    root = etree.parse(str(path)).getroot()
    return [
        (
            e.findtext(f"{ATOM}id", ""),
            e.findtext(f"{ATOM}published") or e.findtext(f"{ATOM}updated", ""),
            e.findtext(f"{ATOM}title", ""),
        )
        for e in root.iter(f"{ATOM}entry")
    ]


def crawl(workdir: Path, server: Any) -> dict[str, Any]:
    env = {
        **os.environ,
        "SISTERCITY_VAR_DIR": str(workdir),
        "SISTERCITY_SITE_MIRRORS": json.dumps(server.mirrors()),
        "SISTERCITY_SITE_START_URLS": json.dumps(server.start_urls()),
        "SISTERCITY_HTTPCACHE_DIR": str(workdir / "httpcache"),
    }
    cmd = [
        sys.executable,
        "-m",
        "crawler.app.cli",
        "crawl",
        "--json",
        "--db",
        f"sqlite:///{(workdir / 'sistercity.db').resolve()}",
        "--feeds-dir",
        str(workdir / "feeds"),
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    try:
        summary = json.loads(proc.stdout)
    except ValueError:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(
            f"sistercity demo: the crawl failed (exit {proc.returncode}); see the log above"
        ) from None
    summary["exit_code"] = proc.returncode
    return summary


def print_crawl(title: str, summary: dict[str, Any]) -> None:
    print(f"\n== {title} ==")
    for site, row in summary["sites"].items():
        stories = row["stories"]
        pages = sum(row["responses_by_status"].values())
        flags = "; ".join(f["message"] for f in row["flags"]) or "ok"
        print(
            f"  {site:22} pages {pages:3}  stories new {stories['new']:2} changed {stories['changed']:2} "
            f"unchanged {stories['unchanged']:2}  partnerships new {row['partnerships']['new']:2} "
            f"changed {row['partnerships']['changed']:2}  [{flags}]"
        )


def run(args: argparse.Namespace) -> int:
    from crawler.replicas import ReplicaServer

    workdir: Path = args.dir
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    feeds = workdir / "feeds"
    with ReplicaServer(port=args.port) as server:
        print(f"Replicas of the four sites (synthetic pages) are serving at {server.base_url}")
        first = crawl(workdir, server)
        print_crawl("Crawl 1: the replicas' first edition", first)
        before = {entry[0] for entry in feed_entries(feeds / "partnerships.atom")}
        print(f"\nThe partnership feed holds {len(before)} entries, newest first:")
        for _, updated, title in feed_entries(feeds / "partnerships.atom")[:12]:
            print(f"  {updated[:10]}  {title}")
        server.set_edition(2)
        print(
            "\nThe replicas now serve their second edition: new stories, one edited, one gone from a list."
        )
        second = crawl(workdir, server)
        print_crawl("Crawl 2: the second edition", second)
    new_entries = [e for e in feed_entries(feeds / "partnerships.atom") if e[0] not in before]
    print(f"\nNew entries in the partnership feed after crawl 2 ({len(new_entries)}):")
    for _, updated, title in new_entries:
        print(f"  {updated[:10]}  {title}")
    edited = [e for e in feed_entries(feeds / "stories.atom") if "edit" in e[2].lower()]
    for _, _, title in edited:
        print(f"  story edit: {title}")
    print(f"\nStore: {workdir / 'sistercity.db'}")
    print(f"Feeds: {feeds.resolve()}  (open index.html, or `sistercity serve --feeds-dir {feeds}`)")
    return max(first["exit_code"], second["exit_code"])
