"""How the crawler treats the sites: robots.txt, its User-Agent, conditional requests that save
refetching unchanged pages, and retries that wait as long as the server asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from crawler.replicas import ReplicaServer
from crawler.scraping.middlewares import retry_after_seconds
from tests.conftest import crawl

ARTICLE = "http://chinesetoday.com/?c=26&m=12245"
NO_PIPELINES = {"ITEM_PIPELINES": "{}"}


def requests_for(replicas: ReplicaServer, url: str) -> list[dict]:
    return [r for r in replicas.requests() if r["url"] == url]


def test_robots_txt_first_and_an_identifying_user_agent(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    result = crawl(
        "chinesetoday", tmp_path, replicas, spider_args={"url": ARTICLE}, settings=NO_PIPELINES
    )
    assert result.returncode == 0, result.log
    log = replicas.requests()
    assert log[0]["url"] == "http://chinesetoday.com/robots.txt"
    agent = log[-1]["headers"]["User-Agent"]
    assert agent.startswith("sistercity/") and "+https://" in agent


def test_second_crawl_revalidates_with_the_etag_and_reuses_the_body(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    first = crawl(
        "chinesetoday", tmp_path, replicas, spider_args={"url": ARTICLE}, settings=NO_PIPELINES
    )
    assert first.returncode == 0, first.log
    etag = None
    for r in requests_for(replicas, ARTICLE):
        assert "If-None-Match" not in r["headers"]
    second = crawl(
        "chinesetoday", tmp_path, replicas, spider_args={"url": ARTICLE}, settings=NO_PIPELINES
    )
    assert second.returncode == 0, second.log
    revalidation = requests_for(replicas, ARTICLE)[-1]["headers"]
    etag = revalidation.get("If-None-Match")
    assert etag and etag.startswith('"'), "the second fetch asks whether the page changed"
    assert "If-Modified-Since" in revalidation
    # The server said 304 Not Modified; the story still comes out, from the stored body.
    assert [i["title"] for i in second.items] == [i["title"] for i in first.items]
    assert second.items[0]["body"] == first.items[0]["body"]


def test_a_503_is_retried_only_after_the_retry_after_delay(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.inject_fault(ARTICLE, 503, times=1, retry_after="2")
    result = crawl(
        "chinesetoday", tmp_path, replicas, spider_args={"url": ARTICLE}, settings=NO_PIPELINES
    )
    assert result.returncode == 0, result.log
    tries = requests_for(replicas, ARTICLE)
    assert len(tries) == 2 and len(result.items) == 1
    assert tries[1]["at"] - tries[0]["at"] >= 1.9, "the retry waited as the server asked"


def test_retry_after_values() -> None:
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 80 <= (retry_after_seconds(later) or 0) <= 90
    past = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert retry_after_seconds(past) == 0.0
