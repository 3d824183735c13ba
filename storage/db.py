"""Engines from a URL, timezone-aware datetimes on every backend, and Alembic upgrades.

SQLite gets WAL (readers never block the crawl's writer), a busy timeout (a second process waits
instead of failing) and foreign keys on every connection.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = "storage:migrations"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    SQLite has no time zone type and returns naive values, so the value is stored as naive UTC
    there and given its zone back on the way out. Naive input is refused: it has no meaning.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give it a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    # "package:folder" works from an installed wheel as well as from the source tree.
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_REVISION_LINE = re.compile(
    r"""^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:["']([^"']+)["']|None)\s*$""", re.M
)


@lru_cache(maxsize=1)
def script_head() -> str | None:
    """The newest migration's revision, read from the ``revision = ...`` lines of the migration
    files without importing Alembic (10 MB a crawl would otherwise hold); None when the files
    do not name exactly one head, such as after a merge: then Alembic is asked."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (Path(__file__).parent / "migrations" / "versions").glob("*.py"):
        found = dict(m.groups() for m in _REVISION_LINE.finditer(path.read_text("utf-8")))
        if found.get("revision"):
            revisions.add(found["revision"])
            if found.get("down_revision"):
                parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def schema_is_current(engine: Engine) -> bool:
    """The store's schema is at the newest migration (one query, no Alembic). A store that
    cannot be reached raises, as the upgrade would."""
    head = script_head()
    if head is None:
        return False
    with engine.connect() as connection:
        try:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # a new store: no version table yet
            return False
    return [row[0] for row in found] == [head]


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` on the database at ``url``.

    A store already at the newest migration is left alone without importing Alembic: one
    query on its version table. Migrations take their own lock (a file lock beside a SQLite
    file, a transaction-level advisory lock on PostgreSQL): two processes opening one new store
    one after the other see the second wait and then find the schema in place, instead of both
    creating it."""
    engine = open_engine(url)
    try:
        if revision == "head" and schema_is_current(engine):
            return
        from alembic import command

        with _migration_file_lock(url), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY}
                )
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


# pg_advisory_xact_lock key for migrations: any fixed 64-bit number, unlike the crawl lock's.
MIGRATION_LOCK_KEY = 0x5C17_C17_0001
MIGRATION_LOCK_TIMEOUT = 300


def _migration_file_lock(url: str) -> Any:
    from contextlib import nullcontext

    from filelock import FileLock

    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() != "sqlite"
        or not database
        or database == ":memory:"
        or database.startswith("file:")
    ):
        return nullcontext()
    path = os.path.realpath(database) + ".migrate.lock"
    return FileLock(path, timeout=MIGRATION_LOCK_TIMEOUT)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
