"""StoryStore on real SQLite files and a real PostgreSQL schema: versions, diffs, raw pages,
time zones, errors, crawl runs and the loaders the crawl settings point at."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import StoryStore
from storage.loaders import dedupe_seed, known_urls
from storage.models import RawPageRecord
from tests.storeconf import *  # noqa: F403
from tests.storefactory import KST, asiae_gwangju_qingdao, licheng_gangnam, make_story

T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)


def test_new_then_unchanged_writes_one_version(store: StoryStore) -> None:
    first = store.record(asiae_gwangju_qingdao(T1))
    again = store.record(asiae_gwangju_qingdao(T2))
    assert (first.kind, first.version) == ("new", 1)
    assert (again.kind, again.version) == ("unchanged", 1)
    assert [v.version for v in store.history(first.story_key)] == [1]
    assert store.story(first.story_key).last_seen == T2


def test_edit_appends_a_version_with_its_paragraph_diff(store: StoryStore) -> None:
    key = store.record(asiae_gwangju_qingdao(T1)).story_key
    change = store.record(
        asiae_gwangju_qingdao(T2, body_extra=["Both cities will open youth exchanges."])
    )
    assert (change.kind, change.version) == ("changed", 2)
    first, second = store.history(key)
    assert first.diff is None and first.cause == "new"
    assert second.cause == "edit"
    assert second.diff["ops"] == [
        {"op": "insert", "at": 2, "old": [], "new": ["Both cities will open youth exchanges."]}
    ]
    assert (second.diff["added"], second.diff["removed"]) == (1, 0)
    assert first.body == asiae_gwangju_qingdao(T1).body  # the old version is left as it was


def test_new_text_from_the_same_bytes_is_a_reparse_not_an_edit(store: StoryStore) -> None:
    original = asiae_gwangju_qingdao(T1)
    key = store.record(original).story_key
    reparsed = asiae_gwangju_qingdao(T2, parser_version="asiae/2", raw_html="<html>same</html>")
    store_first = make_story(  # same bytes as the upgraded parse, for a fair comparison
        "asiae", "x", "t", ["b"], fetched=T1, raw_html="<html>same</html>"
    )
    assert store.record(store_first).kind == "new"
    reparsed.body = [*reparsed.body[:1], "A paragraph the old parser missed."]
    reparsed.content_hash = ""
    result = store.record(reparsed)
    assert result.kind == "changed"  # the bytes differ from version 1: the site did change
    again = asiae_gwangju_qingdao(T2, parser_version="asiae/3", raw_html="<html>same</html>")
    again.body = [again.body[0]]
    again.content_hash = ""
    result = store.record(again)
    assert (result.kind, result.reparsed) == ("unchanged", True)
    assert [v.cause for v in store.history(key)] == ["new", "edit", "reparse"]
    assert store.history(key)[-1].parser_version == "asiae/3"


def test_raw_pages_are_kept_compressed_and_come_back_byte_for_byte(store: StoryStore) -> None:
    story = asiae_gwangju_qingdao(T1, raw_html="<html>본문 바로가기 " + "x" * 5000 + "</html>")
    key = store.record(story).story_key
    version = store.latest(key)
    pages = store.raw_pages(version.id)
    assert [p.body for p in pages] == [story.raw[0].body]
    assert pages[0].headers["Content-Type"] == "text/html; charset=utf-8"
    with store.sessions() as session:
        stored = session.scalars(select(RawPageRecord.body_gz)).one()
    assert gzip.decompress(stored) == story.raw[0].body and len(stored) < len(story.raw[0].body)


def test_datetimes_come_back_timezone_aware_and_equal(store: StoryStore) -> None:
    story = asiae_gwangju_qingdao(datetime(2025, 5, 1, 12, 0, tzinfo=KST))
    version = store.latest(store.record(story).story_key)
    assert version.published == datetime(2024, 11, 22, 11, 52, tzinfo=KST)
    assert version.published.utcoffset() == timedelta(0)
    assert version.fetched_at == story.fetched_at


def test_a_story_that_cannot_be_filed_is_an_error_kept_with_its_run(store: StoryStore) -> None:
    run = store.start_run(["asiae"])
    naive = asiae_gwangju_qingdao(T1)
    naive.fetched_at = datetime(2025, 5, 1, 3, 0)
    change = store.record(naive, run_id=run)
    assert change.kind == "error" and "naive" in change.reason
    assert [e.url for e in store.fetch_errors(run)] == [naive.url]
    assert store.recent_site_runs("asiae", 1)[0].stories_error == 1
    assert store.known_canonical_urls("asiae") == set()


def test_crawl_runs_count_per_site_and_keep_stats_and_flags(store: StoryStore) -> None:
    store.record(licheng_gangnam(T1))  # known before the run
    run = store.start_run(["asiae", "china_org_cn"])
    store.record(asiae_gwangju_qingdao(T1), run_id=run)
    store.record(licheng_gangnam(T2, since_year=2008), run_id=run)
    flag = {
        "site": "asiae",
        "kind": "silent",
        "message": "no new story",
        "raised_at": T2.isoformat(),
        "id": "r/asiae",
    }
    store.finish_site_run(
        run,
        "asiae",
        {
            "requests": 5,
            "responses_by_status": {200: 4, 404: 1},
            "extraction": {"site": 1},
            "duration": 2.5,
        },
    )
    store.finish_site_run(run, "asiae", {"flags": [flag]})
    store.finish_site_run(run, "china_org_cn", {})
    store.finish_run(run, "flagged")
    asiae = store.recent_site_runs("asiae", 5)[0]
    assert (asiae.requests, asiae.responses_by_status, asiae.duration) == (
        5,
        {"200": 4, "404": 1},
        2.5,
    )
    assert (asiae.stories_new, asiae.partnerships_new) == (1, 1)
    china = store.recent_site_runs("china_org_cn", 5)[0]
    # The run settles its pairs when it finishes: the edit changed Licheng–Gangnam's start.
    assert (china.stories_new, china.stories_changed, china.partnerships_changed) == (0, 1, 1)
    assert store.run(run).status == "flagged"
    assert store.open_flags() == [flag]


def test_loaders_read_the_store_named_in_settings(store: StoryStore, store_url: str) -> None:
    story = asiae_gwangju_qingdao(T1)
    store.record(story)
    settings = {"SISTERCITY_DB_URL": store_url}
    assert known_urls(settings, "asiae") == {story.canonical_url}
    assert known_urls(settings, "chinesetoday") == set()
    (record,) = list(dedupe_seed(settings))
    assert record == {
        "story_id": story.story_id,
        "site": "asiae",
        "canonical_url": story.canonical_url,
        "content_hash": story.content_hash,
        "title": story.title,
        "body": story.body,
    }


def test_loaders_do_not_create_a_missing_sqlite_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = {"SISTERCITY_DB_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    assert known_urls(settings, "asiae") == set()
    assert list(dedupe_seed(settings)) == []
    assert not (tmp_path / "none.db").exists()


def test_a_new_duplicate_link_alone_does_not_rewrite_the_version(store: StoryStore) -> None:
    """Which story another one repeats depends on what else a run saw, not on the story."""
    first = store.record(asiae_gwangju_qingdao(T1))
    again = asiae_gwangju_qingdao(T1 + timedelta(days=1))
    again.duplicate_of, again.duplicate_kind = "chinadaily_shandong/20241127/1050223", "near"
    assert store.record(again).kind == "unchanged"
    latest = store.latest(first.story_key)
    assert latest is not None and latest.duplicate_of is None
