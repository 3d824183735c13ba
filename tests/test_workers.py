"""`sistercity crawl --workers N`: one run spread over processes sharing a Redis queue (scrapy-redis)
files the same stories, versions and register into PostgreSQL as a single-process crawl."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.replicas import ReplicaServer
from storage.models import StoryRecord, StoryVersion
from storage.repository import StoryStore
from tests.conftest import POSTGRES_URL, require
from tests.pgschema import postgres_reachable, throwaway_schema
from tests.test_crawl_command import (
    FAST,
    environment,
    sistercity,
    start,
    summary,
    without_times,
)

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


def crawl(
    tmp: Path, replicas: ReplicaServer, db: str, *extra: str, full: bool = True
) -> dict[str, Any]:
    env = {**environment(tmp, replicas), "SISTERCITY_DB_URL": db}
    command = ["crawl", "--json", *(["--full"] if full else []), *extra, *FAST]
    proc = sistercity(command, env, timeout=600)
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


def kill_worker_mid_crawl(client: Any, index: int, timeout: float = 300) -> None:
    """SIGKILL worker ``index`` as soon as it holds requests it has taken and not answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in client.scan_iter(f"sistercity:run:*:taken:{index}"):
            if client.hlen(key):
                prefix = key.split(":taken:")[0].rsplit(":", 1)[0]
                os.kill(int(client.get(f"{prefix}:alive:{index}")), signal.SIGKILL)
                return
        time.sleep(0.02)
    raise AssertionError(f"worker {index} never took a request")


def test_a_killed_worker_loses_nothing(tmp_path: Path, replicas: ReplicaServer) -> None:
    """One of two workers is SIGKILLed mid-crawl: the other fetches what it had taken, the run
    ends normally, and what it built but did not commit is fetched by the next run."""
    require(postgres_reachable(POSTGRES_URL), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    require(redis_reachable(), f"Redis is not reachable at {REDIS_URL}")
    import redis

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    with throwaway_schema(POSTGRES_URL, "one") as one, throwaway_schema(POSTGRES_URL, "two") as two:
        crawl(tmp_path / "one", replicas, one)
        env = {**environment(tmp_path / "two", replicas), "SISTERCITY_DB_URL": two}
        # A delay per request keeps the crawl going long enough to kill a worker in the middle.
        command = ["crawl", "--json", "--full", "--workers", "2", "--redis", REDIS_URL, *FAST]
        command += ["-s", "DOWNLOAD_DELAY=0.1"]
        proc = start(command, env)
        try:
            kill_worker_mid_crawl(client, 1)
            out, err = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
        # The run ends; exit code 1 only for a "lost" flag: stories the killed worker built
        # but had not committed wait in the retry queue.
        assert proc.returncode in (0, 1), err[-3000:]
        flags = [f for row in json.loads(out)["sites"].values() for f in row["flags"]]
        assert {f["kind"] for f in flags} <= {"lost"}, flags
        assert (proc.returncode == 1) == bool(flags)
        assert "is gone;" in err and "queued again" in err, "the live worker took over"
        assert "Workers ['1'] were killed" in err
        # The next (incremental) runs: the store that lost a worker catches up from its retry
        # queue; both then hold the same stories, versions and register.
        crawl(tmp_path / "one", replicas, one, full=False)
        crawl(tmp_path / "two", replicas, two, "--workers", "2", "--redis", REDIS_URL, full=False)
        assert versions(two) == versions(one)
        with StoryStore(one) as a, StoryStore(two) as b:
            assert without_times(b.register_snapshot()) == without_times(a.register_snapshot())
    assert list(client.scan_iter("sistercity:run:*")) == []
