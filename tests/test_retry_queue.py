"""The retry queue: pages a crawl could not get are kept in the store (SQLite and PostgreSQL),
fetched first by the next normal run, counted in the site's errors and reported in the summary,
`sistercity status` and the health flags. Crawls are real subprocesses against the replicas."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.replicas import ReplicaServer
from storage import StoryStore
from storage.loaders import RetryQueue
from tests.storeconf import *  # noqa: F403
from tests.storefactory import make_story
from tests.test_crawl_command import FAST, environment, sistercity, summary

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
SITE = "chinesetoday"
LIST = "http://chinesetoday.com/?c=26"
PAGE_2 = f"{LIST}&page=2"
ON_PAGE_1 = f"{LIST}&m=16204"  # the third story of the first listing page
BEHIND_PAGE_2 = [f"{LIST}&m={m}" for m in (15210, 14890, 14502, 13560, 13102)]
ON_PAGE_3 = [f"{LIST}&m={m}" for m in (12680, 12245, 8012, 5433)]


# --- the store ---------------------------------------------------------------------------------
def test_failures_are_counted_queued_and_backed_off(store: StoryStore) -> None:
    run = store.start_run([SITE], started_at=T0)
    store.fetch_failed(run, SITE, "http://x.example/a", "HTTP 500", now=T0)
    store.fetch_failed(run, SITE, "http://x.example/list?page=2", "timeout", "listing", now=T0)
    site_run = store.recent_site_runs(SITE, 1)[0]
    assert (site_run.errors, site_run.stories_error) == (2, 1), "a listing page is no story"
    assert [e.reason for e in store.fetch_errors(run)] == ["HTTP 500", "timeout"]

    due = store.due_retries(SITE, now=T0)
    assert [(e.url, e.kind, e.attempts) for e in due] == [
        ("http://x.example/a", "article", 1),
        ("http://x.example/list?page=2", "listing", 1),
    ], "the first retry is due at the very next run"

    # Failing again backs off: 1 h, then 2 h, ... never more than the cap.
    backoff, cap = timedelta(hours=1), timedelta(hours=3)
    for attempt, wait in ((2, 1), (3, 2), (4, 3), (5, 3)):
        entry = store.fetch_failed(
            None, SITE, "http://x.example/a", "reset", now=T0, backoff=backoff, max_backoff=cap
        )
        assert (entry.attempts, entry.next_try) == (attempt, T0 + timedelta(hours=wait))
    assert [e.url for e in store.due_retries(SITE, now=T0)] == ["http://x.example/list?page=2"]
    assert len(store.due_retries(SITE, now=T0 + timedelta(hours=3))) == 2
    assert store.retry_queue_sizes() == {SITE: 2}

    assert store.retry_done(SITE, ["http://x.example/a", "http://x.example/other"]) == 1
    assert store.retry_queue_sizes() == {SITE: 1}
    assert store.retry_done("asiae", ["http://x.example/list?page=2"]) == 0, "per site"


def test_revisit_candidates_are_recent_and_least_recently_fetched_first(
    store: StoryStore,
) -> None:
    now = datetime.now(UTC)
    for article, published, fetched in (
        ("old", now - timedelta(days=40), now - timedelta(days=39)),
        ("fresh-checked", now - timedelta(days=2), now - timedelta(hours=1)),
        ("fresh-stale", now - timedelta(days=5), now - timedelta(days=4)),
        ("mid", now - timedelta(days=9), now - timedelta(days=2)),
    ):
        store.record(
            make_story(SITE, article, article, ["text"], fetched=fetched, published=published)
        )
    urls = store.revisit_candidates(SITE, now - timedelta(days=14), 10)
    assert urls == [f"https://{SITE}.example/{a}" for a in ("fresh-stale", "mid", "fresh-checked")]
    assert store.revisit_candidates(SITE, now - timedelta(days=14), 2) == urls[:2]
    assert store.revisit_candidates(SITE, now - timedelta(days=14), 0) == []


def test_the_crawl_handle_counts_into_the_run(store_url: str) -> None:
    with StoryStore.open(store_url) as store:
        run = store.start_run([SITE])
    queue = RetryQueue(store_url, SITE, run, timedelta(hours=1), timedelta(days=1))
    try:
        queue.failed("http://x.example/a", "HTTP 503", "article")
        assert queue.due() == [("http://x.example/a", "article")]
        assert queue.size() == 1
        assert queue.done(["http://x.example/a"]) == 1 and queue.size() == 0
    finally:
        queue.close()
    with StoryStore.open(store_url) as store:
        assert store.recent_site_runs(SITE, 1)[0].errors == 1


# --- crawls ------------------------------------------------------------------------------------
def _stored(tmp_path: Path) -> set[str]:
    with StoryStore.open(f"sqlite:///{tmp_path / 'var' / 'store.db'}") as store:
        return store.known_canonical_urls(SITE)


def _crawl(tmp_path: Path, replicas: ReplicaServer, *extra: str) -> tuple[int, dict]:
    proc = sistercity(
        ["crawl", SITE, "--json", *FAST, "-s", "RETRY_TIMES=1", *extra],
        environment(tmp_path, replicas),
    )
    return proc.returncode, summary(proc)["sites"][SITE]


def test_a_failed_article_exits_1_is_flagged_and_the_next_normal_run_fetches_it(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.inject_fault(ON_PAGE_1, 500, times=10)
    code, row = _crawl(tmp_path, replicas)
    assert code == 1, "a run with a lost story does not exit 0"
    assert ON_PAGE_1 not in _stored(tmp_path)
    assert [f["kind"] for f in row["flags"]] == ["lost"]
    assert row["retry_queue"] == 1 and row["errors"] >= 1
    assert row["stories"]["error"] == 1, "the failure is counted, not overwritten"
    assert row["failed_urls"] == [{"url": ON_PAGE_1, "reason": "HTTP 500"}]
    accounted = sum(row["stories"][k] for k in ("new", "changed", "unchanged", "error"))
    assert row["articles"]["requested"] == accounted == 14  # every story of edition 1

    status = sistercity(["status", "--json"], environment(tmp_path, replicas))
    assert json.loads(status.stdout)["retry_queue"] == {SITE: 1}

    replicas.clear_faults()
    code, row = _crawl(tmp_path, replicas)
    assert code == 0, row
    assert ON_PAGE_1 in _stored(tmp_path)
    assert row["retry_queue"] == 0 and row["articles"]["retried"] == 1
    assert row["flags"] == []


def test_a_failed_listing_page_is_walked_past_by_the_next_run(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.inject_fault(PAGE_2, 500, times=10)
    code, row = _crawl(tmp_path, replicas)
    assert code == 1
    assert not set(BEHIND_PAGE_2 + ON_PAGE_3) & _stored(tmp_path)
    assert row["failed_urls"] == [{"url": PAGE_2, "reason": "HTTP 500"}]
    assert row["retry_queue"] == 1

    replicas.clear_faults()
    code, row = _crawl(tmp_path, replicas)
    # Page 1 is all known now, so only the queued page 2 leads to pages 2 and 3.
    assert set(BEHIND_PAGE_2 + ON_PAGE_3) <= _stored(tmp_path)
    assert code == 0 and row["retry_queue"] == 0


def test_redirect_loops_empty_and_non_html_answers_are_recorded_failures(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    loop, empty, pdf = BEHIND_PAGE_2[1], BEHIND_PAGE_2[2], BEHIND_PAGE_2[4]  # linked as they are
    replicas.inject(loop, "redirect_loop", times=50)
    replicas.inject(empty, "empty", times=10)
    replicas.inject(pdf, "non_html", times=10)
    code, row = _crawl(tmp_path, replicas)
    assert code == 1
    reasons = {f["url"]: f["reason"] for f in row["failed_urls"]}
    assert set(reasons) == {loop, empty, pdf}
    assert "redirect" in reasons[loop]
    assert reasons[empty] == "empty page"
    assert "application/pdf" in reasons[pdf]
    accounted = sum(row["stories"][k] for k in ("new", "changed", "unchanged", "error"))
    assert row["articles"]["requested"] == accounted
    assert row["retry_queue"] == 3

    replicas.clear_faults()
    code, row = _crawl(tmp_path, replicas)
    assert code == 0 and {loop, empty, pdf} <= _stored(tmp_path)


def test_revisits_recheck_stories_beyond_the_first_page_oldest_first_with_validators(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    code, _ = _crawl(tmp_path, replicas)
    assert code == 0
    deep = {url.split("m=")[1] for url in BEHIND_PAGE_2 + ON_PAGE_3}  # story ids past page 1
    revisit = ["-s", "SISTERCITY_REVISIT_DAYS=100000", "-s", "SISTERCITY_REVISIT_BUDGET=3"]

    def deep_requests(before: int) -> list[dict]:
        return [
            r
            for r in replicas.requests()[before:]
            if "m=" in (r["url"] or "") and r["url"].split("m=")[1].split("&")[0] in deep
        ]

    before = len(replicas.requests())
    code, row = _crawl(tmp_path, replicas)
    assert code == 0 and deep_requests(before) == [], "without revisits page 1 is as far as it goes"

    seen: list[str] = []
    for _ in range(2):
        before = len(replicas.requests())
        code, row = _crawl(tmp_path, replicas, *revisit)
        assert code == 0 and row["articles"]["revisited"] == 3
        requests = deep_requests(before)
        assert all("If-None-Match" in r["headers"] for r in requests), "conditional requests"
        seen += [r["url"] for r in requests]
    assert len(seen) == len(set(seen)) == 6, "the second run re-checks the ones not yet re-checked"


def test_health_flags_lost_stories_and_listing_pages_with_the_queue_size() -> None:
    from crawler.app.health import RunRecord, evaluate

    def flags(**lost: int) -> list[str]:
        run = RunRecord(
            finished=True, requests=40, responses_ok=39, stories=12, generic=0, failed_fetches=1
        )
        record = RunRecord(**{**run.__dict__, **lost})
        return [f.message for f in evaluate(SITE, [record], [], T0, "run-1")]

    assert flags() == [], "one failed request in forty is below the error rate"
    assert flags(lost=1, retry_queue=3) == [
        f"{SITE}: 1 stories could not be fetched; 3 pages wait in the retry queue for the next run"
    ]
    assert flags(lost_listings=1, retry_queue=1) == [
        f"{SITE}: 1 listing pages could not be fetched; 1 pages wait in the retry queue for the "
        "next run"
    ]


def test_a_story_whose_parser_raises_is_a_recorded_failure(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    from tests.conftest import crawl

    result = crawl(
        "crashing_chinesetoday",
        tmp_path,
        replicas,
        settings={"SPIDER_MODULES": "spiders,tests.crashing", "RETRY_TIMES": "1"},
    )
    crashed = f"{LIST}&m=14890"
    assert crashed not in {item["canonical_url"] for item in result.items}
    assert len(result.items) == 13
    with StoryStore.open(f"sqlite:///{tmp_path / 'var' / 'sistercity.db'}") as store:
        queued = store.retry_queue("crashing_chinesetoday")
    assert [(e.url, e.reason) for e in queued] == [(crashed, "could not parse: parser bug")]


def test_stories_still_pending_when_a_crawl_stops_early_are_queued(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    code, row = _crawl(tmp_path, replicas, "-s", "CLOSESPIDER_PAGECOUNT=4")
    assert code == 1 and row["finish_reason"] == "closespider_pagecount"
    pending = [f for f in row["failed_urls"] if "no answer before the crawl ended" in f["reason"]]
    assert pending, row["failed_urls"]
    accounted = sum(row["stories"][k] for k in ("new", "changed", "unchanged", "error"))
    assert row["articles"]["requested"] == accounted, "every story asked for is accounted for"
    assert row["retry_queue"] == len(row["failed_urls"])

    code, row = _crawl(tmp_path, replicas)
    assert code == 0 and row["retry_queue"] == 0
    assert {f["url"] for f in pending} <= _stored(tmp_path)
