"""The store's hot path reads by index on SQLite and PostgreSQL: the indexes filing a story needs
exist, and no query ``StoryStore.record`` sends reads a whole table or a whole index."""

from __future__ import annotations

from sqlalchemy import inspect

from benchmarks.explain_hot_path import hot_path_plans
from storage.db import open_engine, upgrade
from tests.storeconf import *  # noqa: F403


def indexed_columns(url: str, table: str) -> set[tuple[str, ...]]:
    engine = open_engine(url)
    try:
        return {tuple(ix["column_names"]) for ix in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def test_event_id_columns_are_indexed(store_url: str) -> None:
    upgrade(store_url)
    assert ("event_id",) in indexed_columns(store_url, "changes")
    assert ("event_id",) in indexed_columns(store_url, "claims")


def test_no_hot_path_query_reads_a_whole_table(store_url: str) -> None:
    plans = hot_path_plans(store_url)
    statements = " ".join(p.statement for p in plans)
    # The capture saw the register's reads, so the check below covers them.
    assert "FROM changes WHERE changes.event_id" in statements
    assert "FROM claims WHERE" in statements and "FROM places WHERE" in statements
    scans = {p.statement[:120]: (p.full_scans, p.plan) for p in plans if p.full_scans}
    assert scans == {}
