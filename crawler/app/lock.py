"""One crawl at a time per store.

The lock is an OS file lock (``filelock``, flock(2) on Unix): the kernel releases it when its
holder dies, so a crawl killed with SIGKILL never blocks the next one. Beside it an info file
says who holds it; finding that file from a process that is gone is how a killed run is noticed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)


class LockHeld(Exception):
    """Another crawl holds the lock."""

    def __init__(self, holder: dict[str, object] | None):
        self.holder = holder or {}
        who = (
            f"pid {self.holder.get('pid')} since {self.holder.get('started')}"
            if holder
            else "another process"
        )
        super().__init__(f"another crawl is running ({who})")


@dataclass
class CrawlLock:
    path: Path

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path), timeout=0)
        self.info_path = self.path.with_name(self.path.name + ".info")
        self.took_over: dict[str, object] | None = None

    def _read_info(self) -> dict[str, object] | None:
        try:
            return json.loads(self.info_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def __enter__(self) -> CrawlLock:
        try:
            self._lock.acquire()
        except Timeout:
            raise LockHeld(self._read_info()) from None
        previous = self._read_info()
        if previous and previous.get("pid") != os.getpid():
            self.took_over = previous
            logger.warning(
                "A previous crawl (pid %s, started %s) ended without releasing the lock; taking over",
                previous.get("pid"),
                previous.get("started"),
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(),
        }
        tmp = self.info_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(info), "utf-8")
        os.replace(tmp, self.info_path)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.info_path.unlink(missing_ok=True)
        self._lock.release()


# --- the lock on a store ------------------------------------------------------------------------
def sqlite_file(url: str) -> Path | None:
    """The real path of a SQLite store's file; None for other backends and in-memory stores."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(os.path.realpath(database))


def lock_path_for(url: str, fallback_dir: Path) -> Path | None:
    """Where the file lock of the store at ``url`` lives: beside a SQLite file, whatever var
    directory a crawl runs from, so two var dirs on one store share one lock. None for
    PostgreSQL, whose lock lives in the server."""
    found = sqlite_file(url)
    if found is not None:
        return found.with_name(found.name + ".lock")
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() == "postgresql":
        return None
    return fallback_dir / "crawl.lock"


class PgStoreLock:
    """A session-level PostgreSQL advisory lock on the store's database and schema, held on its
    own connection for the crawl: the server releases it when the holder's connection dies."""

    def __init__(self, url: str):
        self.url = url
        self.took_over: dict[str, object] | None = None
        self._engine: Any = None
        self._connection: Any = None

    def __enter__(self) -> PgStoreLock:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        self._engine = create_engine(self.url, poolclass=NullPool)
        self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        database, schema = self._connection.execute(
            text("SELECT current_database(), current_schema()")
        ).one()
        key = advisory_key(f"sistercity-crawl:{database}:{schema}")
        got = self._connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
        if not got.scalar():
            holder = self._connection.execute(
                text(
                    "SELECT a.pid, a.backend_start FROM pg_locks l JOIN pg_stat_activity a "
                    "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.classid::bigint = :hi AND l.objid::bigint = :lo LIMIT 1"
                ),
                {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
            ).first()
            self._close()
            raise LockHeld({"pid": holder[0], "started": holder[1].isoformat()} if holder else None)
        return self

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._engine is not None:
            self._engine.dispose()
        self._connection = self._engine = None

    def __exit__(self, *exc: object) -> None:
        self._close()  # closing the session releases the advisory lock


def advisory_key(name: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock`` from a name."""
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def store_lock(url: str, fallback_dir: Path) -> CrawlLock | PgStoreLock:
    """The one lock every crawl of the store at ``url`` takes (`sistercity crawl`, `scrapy crawl`)."""
    path = lock_path_for(url, fallback_dir)
    return PgStoreLock(url) if path is None else CrawlLock(path)


class StoreLockExtension:
    """Makes a plain `scrapy crawl` take the store's lock too (`sistercity crawl` holds it
    already and says so with ``SISTERCITY_STORE_LOCKED``). A crawl that cannot get it stops
    before fetching anything."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.lock: CrawlLock | PgStoreLock | None = None
        self.refused: LockHeld | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoreLockExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        stores = "pipelines.store.StorePipeline" in settings.getdict("ITEM_PIPELINES")
        if settings.getbool("SISTERCITY_STORE_LOCKED") or not stores:
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        from crawler.config import var_dir
        from storage.loaders import db_url

        lock = store_lock(db_url(self.crawler.settings), var_dir())
        try:
            lock.__enter__()
        except LockHeld as exc:
            logger.error("Not crawling: %s on this store", exc)
            assert self.crawler.engine is not None
            self.crawler.engine.close_spider(spider, "store_locked")
            return
        self.lock = lock

    def closed(self, spider: Any) -> None:
        if self.lock is not None:
            self.lock.__exit__(None, None, None)
            self.lock = None
