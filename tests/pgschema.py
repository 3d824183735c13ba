"""Throwaway PostgreSQL schemas for the store tests, the edition tests and the store benchmark.

No pytest here, so the benchmarks can import it too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError


def postgres_reachable(url: str) -> bool:
    """Whether a connection to ``url`` opens (no driver or no server: not reachable)."""
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except (SQLAlchemyError, ImportError):
        return False


@contextmanager
def throwaway_schema(url: str, prefix: str = "t") -> Iterator[str]:
    """``url`` with its connections confined to a new schema ``<prefix>_<random>``, which is
    dropped with everything in it on the way out."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
