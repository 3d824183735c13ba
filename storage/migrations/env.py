"""Alembic environment: runs on the connection ``storage.db.upgrade`` hands over, or on the URL."""

import os

from alembic import context

from storage.db import open_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """The store URL: given by storage.db.upgrade, or SISTERCITY_DB_URL for a hand-run alembic."""
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("SISTERCITY_DB_URL")
    if not url:
        raise SystemExit("no store URL: set sqlalchemy.url or SISTERCITY_DB_URL")
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = open_engine(_url())

    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode lets later migrations alter SQLite tables (copy-and-move).
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
