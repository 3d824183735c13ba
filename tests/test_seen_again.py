"""A page fetched again with the bytes already stored (a 304 from the cache, or the same 200)
is not parsed or understood again: it is filed as a sighting, still counted as unchanged, and
the health checks still see the site's stories."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.replicas import ReplicaServer
from storage.repository import StoryStore
from tests.test_crawl_command import FAST, environment, sistercity, summary


@pytest.mark.parametrize("slug", ["chinesetoday", "china_org_cn"])  # the second: multi-page
def test_a_full_rerun_of_unchanged_pages_parses_nothing(
    tmp_path: Path, replicas: ReplicaServer, slug: str
) -> None:
    env = environment(tmp_path, replicas)
    args = ["crawl", slug, "--full", "--json", *FAST]
    first = sistercity(args, env)
    assert first.returncode == 0, first.stderr[-3000:]
    site = summary(first)["sites"][slug]
    new = site["stories"]["new"]
    assert new > 0 and sum(site["extraction"].values()) == new
    with StoryStore(env["SISTERCITY_DB_URL"]) as store:
        stored = store.latest_versions(slug)
        seen_first = {s.key: s.last_seen for s, _ in stored}
        if slug == "china_org_cn":
            assert any(len(v.pages) > 1 for _, v in stored)

    again = sistercity(args, env)
    assert again.returncode == 0, again.stderr[-3000:]  # healthy: no "no stories" flag
    site = summary(again)["sites"][slug]
    assert site["extraction"] == {}  # no page went through a parser
    assert site["stories"]["unchanged"] == new
    assert site["stories"]["new"] == site["stories"]["changed"] == 0
    assert site["responses_by_status"].get("304", 0) >= new
    with StoryStore(env["SISTERCITY_DB_URL"]) as store:
        latest = store.latest_versions(slug)
        assert len(latest) == new and all(v.version == 1 for _, v in latest)
        assert all(s.last_seen > seen_first[s.key] for s, _ in latest)


def test_an_export_still_gets_every_story(tmp_path: Path, replicas: ReplicaServer) -> None:
    env = environment(tmp_path, replicas)
    first = sistercity(["crawl", "chinesetoday", "--full", "--json", *FAST], env)
    assert first.returncode == 0, first.stderr[-3000:]
    new = summary(first)["sites"]["chinesetoday"]["stories"]["new"]
    out = tmp_path / "stories.jsonl"
    from tests.conftest import run_scrapy

    proc = run_scrapy(
        ["crawl", "chinesetoday", "-a", "full=1", "-O", str(out)],
        tmp_path / "var",
        replicas,
        {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"},
        env={k: v for k, v in env.items() if k.startswith("SISTERCITY_")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(out.read_text("utf-8").splitlines()) == new
