"""`sistercity crawl --workers N`: one run spread over processes sharing a Redis queue (scrapy-redis)
files the same stories, versions and register into PostgreSQL as a single-process crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.replicas import ReplicaServer
from storage.models import StoryRecord, StoryVersion
from storage.repository import StoryStore
from tests.conftest import POSTGRES_URL, require
from tests.pgschema import postgres_reachable, throwaway_schema
from tests.test_crawl_command import FAST, environment, sistercity, summary, without_times

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of these tests only


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def versions(url: str) -> list[tuple[Any, ...]]:
    """Every stored version as what it says (not when it was fetched or by which run)."""
    with StoryStore(url) as store, store.session() as session:
        rows = session.execute(
            select(
                StoryRecord.key,
                StoryVersion.version,
                StoryVersion.cause,
                StoryVersion.content_hash,
                StoryVersion.title,
                StoryVersion.is_partnership_story,
                StoryVersion.duplicate_of,
            ).join(StoryVersion, StoryVersion.story_id == StoryRecord.id)
        )
        return sorted(tuple(r) for r in rows)


def crawl(tmp: Path, replicas: ReplicaServer, db: str, *extra: str) -> dict[str, Any]:
    env = {**environment(tmp, replicas), "SISTERCITY_DB_URL": db}
    proc = sistercity(["crawl", "--json", "--full", *extra, *FAST], env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return summary(proc)


def test_two_workers_file_what_one_process_files(tmp_path: Path, replicas: ReplicaServer) -> None:
    require(postgres_reachable(POSTGRES_URL), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    require(redis_reachable(), f"Redis is not reachable at {REDIS_URL}")
    import redis

    with throwaway_schema(POSTGRES_URL, "one") as one, throwaway_schema(POSTGRES_URL, "two") as two:
        single = crawl(tmp_path / "one", replicas, one)
        shared = crawl(tmp_path / "two", replicas, two, "--workers", "2", "--redis", REDIS_URL)
        # The replicas move on to edition 2: the second runs see edits (new versions).
        replicas.set_edition(2)
        crawl(tmp_path / "one", replicas, one)
        shared_again = crawl(
            tmp_path / "two", replicas, two, "--workers", "2", "--redis", REDIS_URL
        )

        assert versions(two) == versions(one)
        assert any(v[1] > 1 for v in versions(one)), "edition 2 made new versions"
        with StoryStore(one) as a, StoryStore(two) as b:
            assert without_times(b.register_snapshot()) == without_times(a.register_snapshot())
            assert a.register_snapshot()
        shares = [shared["sites"][s]["worker_requests"] for s in single["sites"]]
        assert all(len(share) == 2 for share in shares)
        assert all(sum(row[i] for row in shares) > 0 for i in (0, 1)), shares
        for site, row in single["sites"].items():
            assert shared["sites"][site]["stories"] == row["stories"], site
            assert shared["sites"][site]["articles"]["requested"] == row["articles"]["requested"]
            assert shared["sites"][site]["articles"]["failed"] == 0
        assert shared_again["exit_code"] == 0
    leftover = list(redis.Redis.from_url(REDIS_URL).scan_iter("sistercity:run:*"))
    assert leftover == [], "a run's Redis keys are deleted when it ends"


def test_workers_refuse_a_sqlite_store(tmp_path: Path, replicas: ReplicaServer) -> None:
    proc = sistercity(["crawl", "--workers", "2"], environment(tmp_path, replicas))
    assert proc.returncode == 2
    assert "PostgreSQL" in proc.stderr and "Traceback" not in proc.stderr
