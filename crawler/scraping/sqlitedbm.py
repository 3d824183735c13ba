"""A ``dbm``-style module over one SQLite file, for Scrapy's ``DbmCacheStorage``.

Scrapy's filesystem cache writes six files per response (164 MB on disk for 33.5 MB of pages in
a 15,000-page crawl); ``DbmCacheStorage`` keeps one file per spider but needs a ``dbm`` module,
and this Python has only ``dbm.dumb`` (its whole index in memory, rewritten on every close).
This one keeps each value zlib-compressed in a SQLite table, commits every ``COMMIT_EVERY``
writes and on close (WAL: a killed crawl loses at most those cache entries, which only costs
their pages a full download next time), and lets several processes share the file.

    HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.DbmCacheStorage"
    HTTPCACHE_DBM_MODULE = "crawler.scraping.sqlitedbm"
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator, MutableMapping

COMMIT_EVERY = 200


class error(Exception):  # noqa: N801 - the dbm module protocol names it so
    pass


class Database(MutableMapping[str, bytes]):
    def __init__(self, path: str, flag: str = "c") -> None:
        if flag not in {"r", "w", "c", "n"}:
            raise error(f"unknown flag {flag!r}")
        self.db = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB)")
        if flag == "n":
            self.db.execute("DELETE FROM cache")
        self.db.commit()
        self.pending = 0

    def __getitem__(self, key: str) -> bytes:
        row = self.db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return zlib.decompress(row[0])

    def __setitem__(self, key: str, value: bytes | str) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        self.db.execute(
            "INSERT OR REPLACE INTO cache (key, value) VALUES (?, ?)",
            (key, zlib.compress(data, 6)),
        )
        self.pending += 1
        if self.pending >= COMMIT_EVERY:
            self.sync()

    def __delitem__(self, key: str) -> None:
        if self.db.execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return (
            self.db.execute("SELECT 1 FROM cache WHERE key = ?", (str(key),)).fetchone() is not None
        )

    def __iter__(self) -> Iterator[str]:
        return iter([row[0] for row in self.db.execute("SELECT key FROM cache")])

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM cache").fetchone()[0])

    def sync(self) -> None:
        self.db.commit()
        self.pending = 0

    def close(self) -> None:
        self.sync()
        self.db.close()


def open(path: str, flag: str = "c", mode: int = 0o666) -> Database:  # noqa: A001
    return Database(path, flag)
