"""Store fixtures shared by the storage, register and feed tests: a fresh SQLite file per test,
and a fresh PostgreSQL schema per test (dropped afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import StoryStore
from tests.conftest import POSTGRES_URL, require
from tests.pgschema import postgres_reachable, throwaway_schema

__all__ = ["postgres_url", "sqlite_store", "sqlite_url", "store", "store_url"]


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a schema of their own; the schema is dropped afterwards."""
    require(postgres_reachable(POSTGRES_URL), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    with throwaway_schema(POSTGRES_URL, "t") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[StoryStore]:
    with StoryStore.open(store_url) as opened:
        yield opened


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[StoryStore]:
    with StoryStore.open(sqlite_url(tmp_path)) as opened:
        yield opened
