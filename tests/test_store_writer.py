"""Stories are filed in batches on a writer thread: one commit per batch, the same store as filing
one by one, a story the database refuses costs only itself, closing commits what is queued, and
the queue is bounded."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import event, func, select

from benchmarks import synthetic
from pipelines.store import StorePipeline, StoreWriter, release_writer
from storage import StoryStore
from storage.models import FetchError
from storage.repository import Change
from tests.storeconf import *  # noqa: F403


def commits(store: StoryStore) -> list[int]:
    counted = [0]
    event.listen(store.engine, "commit", lambda conn: counted.__setitem__(0, counted[0] + 1))
    return counted


def file_with_writer(store: StoryStore, stories: list[Any], batch_size: int) -> list[Change]:
    delivered: list[tuple[int, Change]] = []
    lock = threading.Lock()
    writer = StoreWriter(store, None, batch_size=batch_size, batch_seconds=30, deliver=_direct)
    for n, story in enumerate(stories):
        writer.submit(story, lambda change, n=n: _keep(lock, delivered, n, change))
    writer.close()
    assert writer.batches == -(-len(stories) // batch_size)
    return [change for _, change in sorted(delivered, key=lambda d: d[0])]


def _direct(fn: Any, arg: Any) -> None:
    fn(arg)


def _keep(lock: threading.Lock, out: list[Any], n: int, change: Change) -> None:
    with lock:
        out.append((n, change))


def test_a_batch_is_one_commit_and_files_what_one_by_one_filing_does(
    store_url: str, tmp_path: Path
) -> None:
    first = [synthetic.story(n) for n in range(7)]
    edited = [
        synthetic.story(n, edition=2, fetched=s.fetched_at + timedelta(days=2))
        for n, s in enumerate(first)
    ]
    with StoryStore.open(store_url) as batched:
        counted = commits(batched)
        kinds = [c.kind for c in file_with_writer(batched, first + edited, batch_size=5)]
        assert counted[0] == 3  # 14 stories in batches of 5
        snapshot = batched.register_snapshot()
    assert kinds == ["new"] * 7 + ["changed"] * 7
    with StoryStore.open(f"sqlite:///{tmp_path / 'alone.db'}") as alone:
        for story in first + edited:
            alone.record(story)
        assert alone.register_snapshot() == snapshot


def test_a_story_the_database_refuses_costs_only_itself(
    sqlite_store: StoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories = [synthetic.story(n) for n in range(4)]
    bad = stories[2]
    original = sqlite_store._record

    def refuse(session: Any, story: Any, run_id: Any) -> Any:
        if story is bad:
            raise RuntimeError("refused")
        return original(session, story, run_id)

    monkeypatch.setattr(sqlite_store, "_record", refuse)
    changes = file_with_writer(sqlite_store, stories, batch_size=10)
    assert [c.kind for c in changes] == ["new", "new", "error", "new"]
    assert "refused" in changes[2].reason
    assert sqlite_store.story(bad.story_id) is None
    assert all(sqlite_store.story(s.story_id) is not None for s in stories if s is not bad)
    with sqlite_store.session() as session:
        assert session.scalar(select(func.count(FetchError.id))) == 1


def test_closing_commits_a_part_batch_at_once(sqlite_store: StoryStore) -> None:
    writer = StoreWriter(sqlite_store, None, batch_size=100, batch_seconds=3600, deliver=_direct)
    seen: list[str] = []
    for n in range(3):
        writer.submit(synthetic.story(n), lambda change: seen.append(change.kind))
    writer.close()  # long before the hour or the hundred stories
    assert seen == ["new"] * 3
    assert len(sqlite_store.known_canonical_urls("asiae")) == 1


def test_a_batch_counts_each_site_run_as_one_by_one_filing_does(sqlite_store: StoryStore) -> None:
    run_id = sqlite_store.start_run(synthetic.SITES)
    first = [synthetic.story(n) for n in range(6)]
    again = [
        synthetic.story(n, fetched=s.fetched_at + timedelta(days=1)) for n, s in enumerate(first)
    ]
    writer = StoreWriter(sqlite_store, run_id, batch_size=50, batch_seconds=30, deliver=_direct)
    for story in first + again:
        writer.submit(story, lambda change: None)
    writer.close()
    counts = {
        site: (row.stories_new, row.stories_unchanged, row.partnerships_new)
        for site in synthetic.SITES
        for row in sqlite_store.recent_site_runs(site, 1)
    }
    # Six stories round-robin over four sites: two each for the first two sites.
    assert counts == {
        "asiae": (2, 2, 2),
        "china_org_cn": (2, 2, 2),
        "chinadaily_shandong": (1, 1, 1),
        "chinesetoday": (1, 1, 1),
    }


class Engine:
    """What the store pipeline uses of Scrapy's engine."""

    paused = False

    def pause(self) -> None:
        self.paused = True

    def unpause(self) -> None:
        self.paused = False


def test_a_full_writer_queue_holds_stories_back_and_every_story_is_still_filed(
    tmp_path: Path,
) -> None:
    """While the database is stuck, at most SISTERCITY_STORE_MAX_QUEUED stories wait in the
    writer's queue; the others wait in the pipeline (not on the reactor) with the crawl's
    downloads paused, and are filed once the writer moves on, each handed on only after its
    commit; then downloads resume."""
    crawler = get_crawler(
        settings_dict={
            "SISTERCITY_DB_URL": f"sqlite:///{tmp_path / 'store.db'}",
            "SISTERCITY_STORE_BATCH_SIZE": 2,
            "SISTERCITY_STORE_BATCH_SECONDS": 30,
            "SISTERCITY_STORE_MAX_QUEUED": 2,
        }
    )
    crawler.stats.open_spider()
    crawler.engine = Engine()  # type: ignore[assignment]
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    writer = pipeline.writer
    assert writer is not None
    writing, release = threading.Event(), threading.Event()
    record_many = writer.store.record_many

    def stuck_database(stories: Any, run_id: Any = None) -> Any:
        writing.set()
        release.wait(30)
        return record_many(stories, run_id)

    writer.store.record_many = stuck_database  # type: ignore[method-assign]
    queued_at_submit: list[int] = []
    submit = writer.submit

    def counting_submit(story: Any, done: Any) -> None:
        submit(story, done)
        queued_at_submit.append(writer.jobs.qsize())

    writer.submit = counting_submit  # type: ignore[method-assign]
    stories = [synthetic.story(n) for n in range(10)]

    async def crawl() -> list[Any]:
        loop = asyncio.get_running_loop()
        writer.deliver = lambda fn, arg: loop.call_soon_threadsafe(fn, arg)
        filed = [asyncio.ensure_future(pipeline.process_item(s)) for s in stories]
        await loop.run_in_executor(None, writing.wait, 30)
        for _ in range(500):  # until the freed places are taken again
            if len(queued_at_submit) == 4:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        # Two stories in the stuck batch, two queued, six held back; none handed on yet.
        assert len(queued_at_submit) == 4
        assert not any(task.done() for task in filed)
        assert crawler.engine.paused
        release.set()
        return await asyncio.wait_for(asyncio.gather(*filed), 60)

    assert asyncio.run(crawl()) == stories
    assert not crawler.engine.paused
    assert max(queued_at_submit) <= 2
    assert release_writer(writer)
    assert crawler.stats.get_value("sistercity/store/new") == len(stories)
    with StoryStore.open(f"sqlite:///{tmp_path / 'store.db'}") as store:
        assert all(store.story(s.story_id) is not None for s in stories)


def test_flush_commits_the_batch_being_filled_at_once(sqlite_store: StoryStore) -> None:
    writer = StoreWriter(sqlite_store, None, batch_size=100, batch_seconds=3600, deliver=_direct)
    seen: list[str] = []
    all_in = threading.Event()

    def done(change: Change) -> None:
        seen.append(change.kind)
        if len(seen) == 3:
            all_in.set()

    writer.flush()  # nothing being filled: nothing to do
    for n in range(3):
        writer.submit(synthetic.story(n), done)
    writer.flush()  # long before the hour or the hundred stories, and the writer goes on
    assert all_in.wait(20)
    assert seen == ["new"] * 3 and writer.batches == 1
    writer.submit(synthetic.story(3), done)
    writer.close()
    assert writer.batches == 2 and seen == ["new"] * 4


def test_a_crawl_waiting_only_for_its_last_batch_does_not_wait_out_the_batch_seconds(
    tmp_path: Path, replicas: Any
) -> None:
    """With nothing left to download or parse, the last stories are committed at once: the
    crawl ends long before SISTERCITY_STORE_BATCH_SECONDS (here 120 s) would have passed."""
    import json
    import time

    from tests.conftest import run_scrapy

    started = time.monotonic()
    proc = run_scrapy(
        ["crawl", "chinesetoday", "-O", str(tmp_path / "stories.json")],
        tmp_path,
        replicas,
        {
            "SISTERCITY_DB_URL": f"sqlite:///{tmp_path / 'store.db'}",
            "SISTERCITY_STORE_BATCH_SECONDS": "120",
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
        },
        timeout=300,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    stories = json.loads((tmp_path / "stories.json").read_text("utf-8"))
    assert stories
    with StoryStore.open(f"sqlite:///{tmp_path / 'store.db'}") as store:
        assert len(store.known_canonical_urls("chinesetoday")) == len(stories)
    assert elapsed < 90, f"the crawl waited {elapsed:.0f} s"
