"""The crawls behind tests/test_editions.py: the real `sistercity crawl` in a subprocess against
the replicas, at edition 1 and then edition 2, into SQLite and into PostgreSQL.

The register's change log depends on the order in which stories reach the store (a conflict or
a field change, a change key's number), and four spiders in one process deliver them in no fixed
order. So each edition is crawled one site at a time with one request at a time: both stores see
the same stories in the same order, and any difference between them is the database's.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser

from crawler.replicas import ReplicaServer
from tests.test_crawl_command import FAST, environment, sistercity

SITES = ("asiae", "china_org_cn", "chinadaily_shandong", "chinesetoday")
ONE_AT_A_TIME = [*FAST, "-s", "CONCURRENT_REQUESTS=1"]


@dataclass
class Chain:
    """One store with its own replica server, var directory and feeds directory."""

    root: Path
    server: ReplicaServer
    db: str
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = environment(self.root, self.server)

    @property
    def feeds(self) -> Path:
        return self.root / "var" / "feeds"

    def crawl(self, sites: tuple[str, ...] = (), extra: list[str] | None = None) -> dict[str, Any]:
        """One `sistercity crawl --json` run; its summary."""
        args = ["crawl", *sites, "--json", "--db", self.db, *(extra or ONE_AT_A_TIME)]
        proc = sistercity(args, self.env)
        assert proc.returncode == 0, (sites, proc.stdout[-2000:], proc.stderr[-3000:])
        return dict(json.loads(proc.stdout))

    def edition(self, number: int) -> dict[str, dict[str, Any]]:
        """Crawl every site, one after the other, at ``number``; each site's summary row."""
        self.server.set_edition(number)
        return {site: self.crawl((site,))["sites"][site] for site in SITES}


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def file_stats(feeds_dir: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime in ns) of every file under the feeds directory."""
    return {
        str(p.relative_to(feeds_dir)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(feeds_dir.rglob("*"))
        if p.is_file()
    }


def feed_entries(feeds_dir: Path) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Every entry of every Atom file: {file: {id: (title, updated, content)}}."""
    out: dict[str, dict[str, tuple[str, str, str]]] = {}
    for path in sorted(feeds_dir.rglob("*.atom")):
        parsed = feedparser.parse(path.read_bytes())
        out[str(path.relative_to(feeds_dir))] = {
            e.id: (e.title, e.updated, e.content[0].value if "content" in e else "")
            for e in parsed.entries
        }
    return out


def all_entries(feeds_dir: Path) -> dict[str, tuple[str, str, str]]:
    """Every entry id in the directory with its title, updated and content; an id found in
    several files must be the same entry in each."""
    merged: dict[str, tuple[str, str, str]] = {}
    for name, entries in feed_entries(feeds_dir).items():
        for entry_id, data in entries.items():
            assert merged.setdefault(entry_id, data) == data, (name, entry_id)
    return merged
